"""Vergleichsring: where one Kreis stands among all Kreise and among Kreise like itself.

Kommunen read their figures against Kreise of similar structure (KGSt-Vergleichsringe; the BBSR's INKAR and
the Bertelsmann Wegweiser Kommune group Kreise by type). The BBSR Kreistypen are not in the shipped data, so
the peer group is either a list set in the params (``vergleichsring.members``) or found by cluster analysis:
Ward's minimum-variance hierarchical clustering (Ward 1963, J Am Stat Assoc 58: 236–244) of the
z-standardised Kreis indicators (ddof = 1) into ``n_groups`` groups, through
:class:`sozialplanung.analysis.cluster.ClusterTypology` (``scipy.cluster.hierarchy.linkage``/``fcluster``); the
Vergleichsring of a Kreis is its group. Ward's method minimises the within-group sum of squares, so the
members of a ring are close to each other on every indicator at once.

Ranks: per indicator, 1 = highest value (ties share the lowest rank, ``method="min"``), among all Kreise with
a value and among the members of the ring.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sozialplanung.analysis.cluster import ClusterTypology
from sozialplanung.errors import SozialplanungError

__all__ = ["Vergleichsring", "vergleichsring"]


class Vergleichsring:
    """Position of one Kreis among all Kreise and among its Vergleichsring.

    Parameters
    ----------
    n_groups : int, default=20
        Number of groups of the cluster analysis (400 Kreise: about 20 per ring).
    members : list of str or None
        A fixed Vergleichsring (ids); None: cluster analysis.
    random_state : int, default=0

    Attributes
    ----------
    method_ : {"cluster", "liste"}
    typology_ : ClusterTypology or None
        The fitted Ward clustering (None with ``members``).
    groups_ : pd.Series or None
        gebiet_id → ring number 1..n_groups (numbered by the mean z-value, 1 = lowest); None with ``members``.
    kreis_ : str or None
        The Kreis placed (None: only the rings).
    peers_ : pd.Index or None
        The Kreise of the Vergleichsring of ``kreis_``, the Kreis itself included.
    ranks_ : pd.DataFrame
        gebiet_id × indicator: rank among all Kreise with a value (1 = highest value).
    peer_ranks_ : pd.DataFrame or None
        peers × indicator: rank within the Vergleichsring.
    counts_ : pd.Series
        Kreise with a value per indicator.

    Examples
    --------
    >>> ring = Vergleichsring(n_groups=20).fit(werte, kreis="07232")  # doctest: +SKIP
    >>> ring.ranks_.loc["07232"], len(ring.peers_)                    # doctest: +SKIP
    """

    def __init__(self, n_groups: int = 20, *, members: list[str] | None = None, random_state: int = 0):
        self.n_groups = n_groups
        self.members = members
        self.random_state = random_state

    def fit(self, values: pd.DataFrame, kreis: str | None = None, cluster_on: list[str] | None = None):
        """``values``: gebiet_id × indicator of all Kreise; ``cluster_on``: the columns clustered (default all)."""
        values = values.apply(pd.to_numeric, errors="coerce")
        values.index = values.index.astype(str)
        if kreis is not None and kreis not in values.index:
            raise SozialplanungError(f"Den Kreis „{kreis}“ gibt es in den Kreisdaten nicht.", field="vergleichsring.kreis",
                                     hint=f"Vorhanden sind {len(values)} Kreise, z. B. {', '.join(values.index[:3])}.")
        self.kreis_ = kreis
        self.ranks_ = values.rank(ascending=False, method="min").astype("Int64")
        self.counts_ = values.notna().sum()
        if self.members is not None:
            unknown = [m for m in self.members if str(m) not in values.index]
            if unknown:
                raise SozialplanungError(f"Kreis „{unknown[0]}“ des Vergleichsrings gibt es in den Kreisdaten nicht.",
                                         field="vergleichsring.members")
            self.method_, self.typology_, self.groups_ = "liste", None, None
            ring = list(dict.fromkeys([*(str(m) for m in self.members), *([kreis] if kreis else [])]))
        else:
            self.method_ = "cluster"
            self.typology_ = ClusterTypology(self.n_groups, k_range=[self.n_groups], n_bootstrap=0,
                                             random_state=self.random_state).fit(values[cluster_on or list(values)])
            self.groups_ = self.typology_.labels_.rename("vergleichsring")
            ring = None
            if kreis is not None:
                if kreis not in self.groups_.index:
                    raise SozialplanungError(f"Dem Kreis „{kreis}“ fehlt ein Wert der Clusteranalyse; er hat keinen "
                                             "Vergleichsring.", field="vergleichsring.kreis",
                                             hint="Einen festen Vergleichsring unter vergleichsring.members angeben.")
                ring = list(self.groups_.index[self.groups_ == self.groups_[kreis]])
        self.peers_ = pd.Index(ring, name="gebiet_id") if ring is not None else None
        self.peer_ranks_ = (values.loc[self.peers_].rank(ascending=False, method="min").astype("Int64")
                            if ring is not None else None)
        return self

    def position(self, indicator: str) -> dict:
        """``{"rang", "von", "rang_ring", "von_ring"}`` of the Kreis for ``indicator`` (ranks None without a value)."""
        if self.kreis_ is None:
            raise SozialplanungError("Der Vergleichsring ist ohne Kreis berechnet.", field="vergleichsring.kreis")
        rank, ring = self.ranks_.at[self.kreis_, indicator], self.peer_ranks_.at[self.kreis_, indicator]
        return {"rang": None if pd.isna(rank) else int(rank), "von": int(self.counts_[indicator]),
                "rang_ring": None if pd.isna(ring) else int(ring),
                "von_ring": int(self.peer_ranks_[indicator].notna().sum())}

    def __repr__(self) -> str:
        if not hasattr(self, "ranks_"):
            return f"Vergleichsring(n_groups={self.n_groups}, members={self.members!r})"
        how = "feste Liste" if self.method_ == "liste" else f"Ward-Clusteranalyse, {self.n_groups} Ringe"
        ring = f", Kreis {self.kreis_}: {len(self.peers_)} Kreise im Ring" if self.kreis_ else ""
        return f"Vergleichsring ({how}) über {len(self.ranks_)} Kreise{ring}"


def kreise_datenpaket(dp):
    """The Datenpaket of all Kreise named by ``vergleichsring.kreise`` (``dp`` itself if it is that file)."""
    from sozialplanung.data.datenpaket import load_datenpaket

    path = dp.params.resolve(dp.params.vergleichsring.kreise)
    if Path(dp.params.path).resolve() == path.resolve() and dp.params.unit is None:
        return dp
    return load_datenpaket(path)


def vergleichsring(dp) -> tuple[Vergleichsring, object] | None:
    """The Vergleichsring of the report ``dp`` and the Kreise Datenpaket it is computed on (None without
    ``vergleichsring`` in the params). The Kreis: ``vergleichsring.kreis``, else the unit of a batch over Kreise."""
    spec = dp.params.vergleichsring
    if spec is None:
        return None
    kreise = kreise_datenpaket(dp)
    kreis = spec.kreis or dp.params.unit
    indicators = spec.indicators or [i for i, ind in kreise.catalogue.items() if ind.polarity != 0]
    values = kreise.values(kreise.year)
    ring = Vergleichsring(spec.n_groups, members=spec.members, random_state=kreise.params.analyses.random_state)
    return ring.fit(values[list(dict.fromkeys([*indicators, *kreise.key_indicators]))], kreis=kreis,
                    cluster_on=indicators), kreise


def ring_table(ring: Vergleichsring, names: pd.Series) -> pd.DataFrame:
    """One row per ring: number of Kreise and their names (for the overview in the report of all Kreise)."""
    if ring.groups_ is None:
        return pd.DataFrame({"Kreise": [len(ring.peers_)], "Mitglieder": [", ".join(names.reindex(ring.peers_))]})
    rows = {g: ids for g, ids in ring.groups_.groupby(ring.groups_).groups.items()}
    return pd.DataFrame({"Kreise": [len(ids) for ids in rows.values()],
                         "Mitglieder": [", ".join(sorted(names.reindex(ids).astype(str))) for ids in rows.values()]},
                        index=pd.Index(list(rows), name="Ring")).astype({"Kreise": np.int64})
