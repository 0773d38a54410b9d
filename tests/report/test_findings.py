"""„Auf einen Blick“: the sentences differ between two Bezirke for the right reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sozialplanung as sp
from sozialplanung.report import findings

DATA = sp.find_params("berlin/mitte.yaml").parents[2] / "lib/sozialplanung/demo/berlin/daten.csv"


@pytest.fixture(scope="module")
def two():
    out = {}
    for name in ("mitte", "steglitz-zehlendorf"):
        dp = sp.load_datenpaket(sp.find_params(f"berlin/{name}.yaml"))
        results = {"index": sp.analysis.pipeline.sozialindex(dp)}
        out[name] = (dp, {f.rule: f.text for f in reversed(findings.compute_findings(dp, results))},
                     findings.compute_findings(dp, results))
    return out


def _published(dp):
    """Published MSS classes (independent of our computation) of the shown areas."""
    table = pd.read_csv(DATA, dtype={"gebiet_id": str})
    table = table[table["jahr"] == 2021].set_index("gebiet_id")
    return table.loc[dp.shown_ids]


def test_at_least_five_rules_and_a_resource(two):
    for dp, by_rule, all_findings in two.values():
        assert len({f.rule for f in all_findings}) >= 5
        assert any(f.kind == "ressource" for f in all_findings)


def test_status_counts_match_published_classes(two):
    for dp, by_rule, _ in two.values():
        pub = _published(dp)
        valid = pub[pub["mss_bewertung"] == "gültig"]
        n4, n3 = int((valid["mss_status_amtlich"] == 4).sum()), int((valid["mss_status_amtlich"] == 3).sum())
        text = by_rule["status_klassen"]
        if n4 + n3:
            assert f"In {n4} von" in text and f"in {n3} weiteren" in text
        else:
            assert text.startswith("In keinem der")
    assert two["mitte"][1]["status_klassen"] != two["steglitz-zehlendorf"][1]["status_klassen"]


def test_comparison_direction_follows_the_data(two):
    table = pd.read_csv(DATA, dtype={"gebiet_id": str})
    table = table[table["jahr"] == 2021]

    def wmean(rows):
        ok = rows["S1"].notna()
        return float(np.average(rows.loc[ok, "S1"], weights=rows.loc[ok, "einwohner"]))

    berlin = wmean(table)
    for name, (dp, _, all_findings) in two.items():
        own = wmean(table[table["gebiet_id"].isin(dp.shown_ids)])
        text = next(f.text for f in all_findings if f.rule == "vergleich" and f.text.startswith("Arbeitslosigkeit"))
        word = "über" if round(own, 1) > round(berlin, 1) else "unter"
        assert f" {word} dem Wert" in text, text
    assert "Mitte" in two["mitte"][1]["vergleich"]


def test_concentration_names_the_parent_with_most_low_status_areas(two):
    dp, by_rule, _ = two["mitte"]
    pub = _published(dp)
    low = pub.index[(pub["mss_bewertung"] == "gültig") & pub["mss_status_amtlich"].isin([3, 4])]
    counts = dp.areas.loc[low, "Bezirksregion"].value_counts()
    top = counts.index[0]
    assert f"liegen {counts.iloc[0]} in der Bezirksregion {top}" in by_rule["konzentration"]
    # Steglitz-Zehlendorf has (almost) no areas of low status: no concentration sentence
    assert "konzentration" not in two["steglitz-zehlendorf"][1]


def test_largest_deviation_names_id_and_name(two):
    dp, _, all_findings = two["mitte"]
    s4 = dp.values().loc[dp.shown_ids, "S4"]
    gid = s4.idxmax()
    text = next(f.text for f in all_findings if f.rule == "abweichung" and "Kinderarmut" in f.text)
    assert f"{gid} {dp.areas.at[gid, 'name']}" in text


def test_rankings_only_where_the_params_enable_them(two):
    """``rangfolgen`` (default off): no „größte Abweichung“, no area named as maximum or minimum, no sorted bars."""
    from dataclasses import replace

    from sozialplanung.report import chapters, indikatorblatt, texts

    dp, _, _ = two["mitte"]
    assert dp.params.rangfolgen  # the Berlin params enable them
    off = replace(dp, params=dp.params.model_copy(update={"rangfolgen": False}))
    assert sp.config.params.Params.model_fields["rangfolgen"].default is False
    drawn = {"figures": {}}  # maps drawn once for both cases
    for case, expect in ((dp, True), (off, False)):
        rules = {f.rule for f in findings.compute_findings(case, {})}
        assert ("abweichung" in rules) is expect
        shown = dict(indikatorblatt.distribution(case, "S1"))
        assert ("(" in shown["Maximum"]) is expect and ("(" in shown["Minimum"]) is expect
        assert ("s1_max_gebiet" in texts.placeholders(case, {})) is expect
        kinds = [getattr(b, "key", "") for b in chapters.section_themenfelder(case, drawn)]
        assert any(str(k).startswith("balken-") for k in kinds) is expect
