"""Aggregation up a hierarchy (sozialplanung.data.aggregate) on small synthetic frames."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialplanung.data import aggregate as agg
from sozialplanung.data.aggregate import aggregate, ancestors, rate_from_counts, sum_counts, weighted_rates
from sozialplanung.errors import SozialplanungError

# Gemeinden (8 digits) in two Gemeindeverbände of Kreis 07232 and one of Kreis 07231, all in Land 07.
GV = {"07232001": "072325001", "07232002": "072325001", "07232003": "072325002", "07231001": "072310001"}


def test_doctests():
    result = doctest.testmod(agg, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5 and result.failed == 0


def test_three_levels_from_parent_column_and_prefixes():
    tree = ancestors(list(GV), [("Gemeindeverband", pd.Series(GV)), ("Kreis", 5), ("Land", 2)])
    assert tree.loc["07232003"].tolist() == ["072325002", "07232", "07"]
    table = pd.DataFrame({"arbeitslose": [1, 2, 3, 4], "ew": [10, 20, 30, 40]}, index=list(GV))
    out = aggregate(table, tree, counts=["arbeitslose", "ew"])
    assert out["Gemeindeverband"]["arbeitslose"].to_dict() == {"072310001": 4, "072325001": 3, "072325002": 3}
    assert out["Kreis"]["ew"].to_dict() == {"07231": 40, "07232": 60}
    assert out["Land"].loc["07"].to_dict() == {"members": 4, "arbeitslose": 10, "arbeitslose_missing": 0,
                                               "ew": 100, "ew_missing": 0}


def test_prefix_of_the_previous_level_not_of_the_base():
    # the Gemeindeverband id's first 5 digits are the Kreis, as the Gemeinde's are
    tree = ancestors(["a", "b"], [("Gemeindeverband", {"a": "072325001", "b": "072310001"}), ("Kreis", 5)])
    assert tree["Kreis"].tolist() == ["07232", "07231"]


def test_key_table_from_sozialraum_to_gemeinde():
    key = pd.DataFrame({"sozialraum": ["SR1", "SR2", "SR3"], "gemeinde": ["07232001", "07232001", "07232003"]})
    tree = ancestors(key["sozialraum"], [("Gemeinde", key.set_index("sozialraum")["gemeinde"]),
                                         ("Gemeindeverband", GV), ("Kreis", 5)])
    table = pd.DataFrame({"n": [5, 6, 7]}, index=["SR1", "SR2", "SR3"])
    out = aggregate(table, tree, counts=["n"])
    assert out["Gemeinde"]["n"].to_dict() == {"07232001": 11, "07232003": 7}
    assert out["Gemeindeverband"]["members"].to_dict() == {"072325001": 2, "072325002": 1}
    assert out["Kreis"].loc["07232", "n"] == 18


def test_missing_member_is_flagged_not_a_silently_lower_total():
    tree = ancestors(list(GV), [("Gemeindeverband", GV), ("Kreis", 5), ("Land", 2)])
    table = pd.DataFrame({"arbeitslose": [1, None, 3, 4]}, index=list(GV))
    out = aggregate(table, tree, counts=["arbeitslose"])
    gv = out["Gemeindeverband"]
    assert gv.loc["072325001", "arbeitslose"] == 1 and gv.loc["072325001", "arbeitslose_missing"] == 1
    assert gv.loc["072325002", "arbeitslose_missing"] == 0
    assert out["Kreis"].loc["07232", "arbeitslose_missing"] == 1  # propagates to every level above
    assert out["Land"].loc["07"].to_dict() == {"members": 4, "arbeitslose": 8, "arbeitslose_missing": 1}
    assert np.isnan(rate_from_counts(out["Land"].assign(ew=100.0, ew_missing=0), "arbeitslose", "ew")["07"])


def test_all_members_missing_gives_no_sum():
    out = sum_counts(pd.DataFrame({"n": [None, None]}, index=["a", "b"]), pd.Series({"a": "P", "b": "P"}), ["n"])
    assert np.isnan(out.loc["P", "n"]) and out.loc["P", "n_missing"] == 2


def test_per_year():
    table = pd.DataFrame({"jahr": [2020, 2021, 2020, 2021], "n": [1, 2, 3, None]}, index=["a", "a", "b", "b"])
    out = sum_counts(table, pd.Series({"a": "P", "b": "P"}), ["n"], by=["jahr"])
    assert out.loc[("P", 2020), "n"] == 4 and out.loc[("P", 2020), "n_missing"] == 0
    assert out.loc[("P", 2021), "n"] == 2 and out.loc[("P", 2021), "n_missing"] == 1


def test_weighted_rates_are_approximate_except_for_a_single_member():
    table = pd.DataFrame({"steuer": [300.0, 600.0, 450.0, np.nan], "ew": [100, 200, 50, 10]},
                         index=["g1", "g2", "g3", "g4"])
    parent = pd.Series({"g1": "A", "g2": "A", "g3": "B", "g4": "C"})
    out = weighted_rates(table, parent, {"steuer": "ew"})
    assert out.loc["A", "steuer"] == pytest.approx((300 * 100 + 600 * 200) / 300)
    assert out["steuer_approximate"].to_dict() == {"A": True, "B": False, "C": False}
    assert out.loc["B", "steuer"] == 450.0
    assert np.isnan(out.loc["C", "steuer"]) and out.loc["C", "steuer_missing"] == 1


def test_zero_weight_does_not_count_and_is_reported_missing():
    table = pd.DataFrame({"q": [10.0, 50.0], "ew": [100, 0]}, index=["a", "b"])
    out = weighted_rates(table, pd.Series({"a": "P", "b": "P"}), {"q": "ew"})
    assert out.loc["P"].to_dict() == {"q": 10.0, "q_missing": 1, "q_approximate": True}


def test_rate_from_counts_exact_where_complete():
    sums = pd.DataFrame({"a": [5.0, 0.0], "a_missing": [0, 0], "e": [200.0, 0.0], "e_missing": [0, 0]}, index=["P", "Q"])
    assert rate_from_counts(sums, "a", "e").fillna(-1).tolist() == [2.5, -1]


def test_orphan_raises_german_error():
    with pytest.raises(SozialplanungError, match="ohne übergeordnete Einheit der Ebene Gemeindeverband, z. B. „x“"):
        ancestors(["07232001", "x"], [("Gemeindeverband", GV)])


def test_table_area_outside_the_tree_raises():
    tree = ancestors(["07232001"], [("Kreis", 5)])
    with pytest.raises(SozialplanungError, match="fehlen in der Gebietshierarchie, z. B. „09162000“"):
        aggregate(pd.DataFrame({"n": [1, 2]}, index=["07232001", "09162000"]), tree, counts=["n"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.one_of(st.none(), st.integers(0, 50))),
                min_size=1, max_size=30))
def test_levels_add_up(rows):
    """Each level's known sum and missing count equal the sums over the level below (exact, nested)."""
    ids = [f"{k}{g}{i:03d}" for i, (k, g, _) in enumerate(rows)]
    table = pd.DataFrame({"n": [v for *_, v in rows]}, index=ids, dtype="Int64")
    out = aggregate(table, ancestors(ids, [("G", 2), ("K", 1)]), counts=["n"])
    below = out["G"].groupby(out["G"].index.str[:1])
    assert below["n_missing"].sum().to_dict() == out["K"]["n_missing"].to_dict()
    assert below["n"].sum().to_dict() == out["K"]["n"].fillna(0).to_dict()
    assert out["K"]["n_missing"].sum() == table["n"].isna().sum()
