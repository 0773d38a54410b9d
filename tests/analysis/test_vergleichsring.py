"""Vergleichsring: ranks among all Kreise and in the ring; the ring from Ward clustering or a fixed list."""

import numpy as np
import pandas as pd
import pytest
from scipy.cluster.hierarchy import fcluster, linkage

from sozialplanung.analysis.vergleichsring import Vergleichsring, ring_table, vergleichsring
from sozialplanung.config.params import find_params
from sozialplanung.data.datenpaket import load_datenpaket
from sozialplanung.errors import SozialplanungError


@pytest.fixture()
def three_groups() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    centres = np.repeat([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]], [5, 6, 7], axis=0)
    values = centres + rng.normal(scale=0.3, size=centres.shape)
    return pd.DataFrame(values, columns=["x", "y"], index=[f"{i:05d}" for i in range(18)])


def test_well_separated_groups_are_the_rings(three_groups):
    ring = Vergleichsring(3).fit(three_groups, kreis="00007")
    assert ring.method_ == "cluster" and ring.groups_.nunique() == 3
    assert list(ring.peers_) == [f"{i:05d}" for i in range(5, 11)]  # the second group, the Kreis included
    assert ring.peer_ranks_.shape == (6, 2)
    pos = ring.position("x")
    assert pos["von"] == 18 and pos["von_ring"] == 6
    assert pos["rang"] == int((three_groups["x"] > three_groups.at["00007", "x"]).sum()) + 1
    assert 1 <= pos["rang_ring"] <= 6


def test_groups_equal_scipy_ward(three_groups):
    """A second implementation: scipy's Ward linkage on the z-values, cut into 4 groups."""
    z = (three_groups - three_groups.mean()) / three_groups.std(ddof=1)
    expected = fcluster(linkage(z.to_numpy(), method="ward"), t=4, criterion="maxclust")
    ring = Vergleichsring(4).fit(three_groups)
    ours = ring.groups_.reindex(three_groups.index).to_numpy()
    pairs = pd.crosstab(ours, expected)
    assert ((pairs > 0).sum(axis=1) == 1).all() and ((pairs > 0).sum(axis=0) == 1).all()  # same partition
    assert ring.kreis_ is None and ring.peers_ is None
    table = ring_table(ring, pd.Series(three_groups.index, index=three_groups.index))
    assert table["Kreise"].sum() == 18 and len(table) == 4


def test_ranks_and_ties():
    values = pd.DataFrame({"a": [3.0, 1.0, 3.0, np.nan, 2.0]}, index=list("pqrst"))
    ring = Vergleichsring(members=["q", "s"]).fit(values, kreis="p")
    assert ring.ranks_["a"].tolist()[:3] == [1, 4, 1] and pd.isna(ring.ranks_.at["s", "a"])
    assert ring.counts_["a"] == 4 and list(ring.peers_) == ["q", "s", "p"]
    assert ring.position("a") == {"rang": 1, "von": 4, "rang_ring": 1, "von_ring": 2}
    assert "feste Liste" in repr(ring)


def test_german_errors(three_groups):
    with pytest.raises(SozialplanungError, match="„99999“ gibt es in den Kreisdaten nicht"):
        Vergleichsring(3).fit(three_groups, kreis="99999")
    with pytest.raises(SozialplanungError, match="des Vergleichsrings"):
        Vergleichsring(members=["00001", "77777"]).fit(three_groups, kreis="00002")
    with pytest.raises(SozialplanungError, match="ohne Kreis"):
        Vergleichsring(3).fit(three_groups).position("x")


def test_bitburg_pruem_among_the_400_kreise():
    """The Kreis report of Bitburg-Prüm places Kreis 07232 with the INKAR data of all 400 Kreise."""
    ring, kreise = vergleichsring(load_datenpaket(find_params("eifelkreis/bitburg-pruem.yaml")))
    assert ring.kreis_ == "07232" and "07232" in ring.peers_ and len(ring.ranks_) == 400
    assert ring.groups_.nunique() == 20 and ring.groups_.value_counts().sum() == 400
    values = kreise.values(kreise.year)["arbeitslosenanteil"]
    assert ring.position("arbeitslosenanteil")["rang"] == int((values > values["07232"]).sum()) + 1
