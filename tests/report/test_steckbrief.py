"""Steckbrief scheme (issue #12): ranks, neighbours and the overview of the Steckbriefe."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import sozialplanung as sp
from sozialplanung.report import steckbrief as sb
from sozialplanung.report.html_writer import blocks_html
from sozialplanung.report.model import Table, walk


def _ranked(dp, on=True):
    """A fresh copy of ``dp`` (no value cache) with ``rangfolgen`` switched on or off."""
    return dataclasses.replace(dp, params=dp.params.model_copy(update={"rangfolgen": on}))


def _table(group) -> Table:
    return next(b for b in walk(group.blocks) if isinstance(b, Table) and b.role == "steckbrief-tabelle")


def _column(table: Table, name: str) -> dict[str, str]:
    heads = [c.text for c in table.header[0]]
    k = heads.index(name)
    return {row[0].text.split(" (")[0]: row[k].text for row in table.rows}


def _withhold(monkeypatch, dp, gid, ind):
    original = dp.withheld

    def withheld(year=None):
        mask = original(year)
        mask.loc[gid, ind] = True
        return mask

    monkeypatch.setattr(dp, "withheld", withheld)


def test_no_rank_column_without_rangfolgen(synthetic_dp):
    dp = _ranked(synthetic_dp, on=False)
    table = _table(sb.steckbrief(dp, {}, "101"))
    assert "Rang" not in [c.text for c in table.header[0]]
    assert "Rang" not in table.caption


def test_ranks_skip_withheld_values(synthetic_dp, monkeypatch):
    dp = _ranked(synthetic_dp)
    # R (a published rate): 3.5, 4.0, 7.5, 2.0, 9.0, 5.5 – withhold 103 (7.5, the second highest)
    _withhold(monkeypatch, dp, "103", "R")
    results = {}
    ranks = {g: _column(_table(sb.steckbrief(dp, results, g)), "Rang")["Rate"] for g in dp.shown_ids}
    assert ranks["103"] == "."  # own value withheld: no rank, like the value cell
    # 9.0 → 1, 5.5 → 2 (not 3: the withheld 7.5 leaves no gap), 4.0 → 3, 3.5 → 4, 2.0 → 5; five ranked, not six
    assert ranks == {"202": "1/5", "203": "2/5", "102": "3/5", "101": "4/5", "201": "5/5", "103": "."}
    assert sb.rank(dp, results, "103", "R") is None


def test_ranks_skip_secondary_suppression(synthetic_dp):
    dp = _ranked(synthetic_dp)
    withheld = dp.withheld()["Q"]
    assert withheld.any(), "the synthetic Datenpaket withholds Q (a count of 2)"
    results = {}
    published = dp.values()["Q"][~withheld].dropna()
    for gid in dp.shown_ids:
        got = sb.rank(dp, results, gid, "Q")
        if withheld[gid]:
            assert got is None
        else:
            assert got == (int((published > published[gid]).sum()) + 1, len(published))


def test_not_assessed_area_has_no_rank_and_is_not_counted(synthetic_dp, monkeypatch):
    dp = _ranked(synthetic_dp)
    monkeypatch.setattr(dp, "not_rated", {2021: ["202"]})  # 9.0, the highest R
    original = dp.withheld
    monkeypatch.setattr(dp, "withheld", lambda year=None: original(year) | dp.not_assessed(year))
    results = {}
    assert _column(_table(sb.steckbrief(dp, results, "202")), "Rang")["Rate"] == "x"
    assert sb.rank(dp, results, "103", "R") == (1, 5)  # 7.5 is now the highest of five


def test_ranks_do_not_use_raw_values(synthetic_dp, monkeypatch):
    """Fails if a withheld value is counted: the raw value of 103 stays in raw_values, only the mask hides it."""
    dp = _ranked(synthetic_dp)
    _withhold(monkeypatch, dp, "103", "R")
    assert not np.isnan(dp.raw_values().at["103", "R"])
    results = {}
    assert [sb.rank(dp, results, g, "R")[1] for g in ("101", "202")] == [5, 5]
    assert sb.rank(dp, results, "203", "R")[0] == 2


def test_neighbours_of_synthetic_grid(synthetic_dp):
    # boxes in a 3 × 2 grid: 101 102 103 / 201 202 203 (queen: corners count)
    facts = sb._facts(synthetic_dp, {}, "101", False)
    line = next(f for f in facts if f.startswith("Nachbargebiete: "))
    assert line == "Nachbargebiete: 102 Ort 102, 201 Ort 201, 202 Ort 202"
    assert sb._neighbours(synthetic_dp, {})["202"] == ["101", "102", "103", "201", "203"]


def test_neighbour_list_is_capped(synthetic_dp, monkeypatch):
    results = {"steckbrief_nachbarn": {"101": [f"x{k}" for k in range(11)]}}
    dp = synthetic_dp
    monkeypatch.setattr(sb.labels, "area", lambda dp, gid: gid)
    monkeypatch.setattr(sb, "_class_label", lambda dp, results, gid: "")
    line = sb._neighbour_fact(dp, results, "101")
    assert line == "Nachbargebiete: " + ", ".join(f"x{k}" for k in range(8)) + " und weitere"


def test_overview_lists_every_shown_area_with_links(synthetic_dp):
    blocks = sb.section_steckbriefe(synthetic_dp, {})
    table = next(b for b in blocks if isinstance(b, Table) and b.key == "steckbriefe-uebersicht")
    assert [row[0].text for row in table.rows] == sorted(synthetic_dp.shown_ids)
    assert all(row[0].href == f"#steckbrief-{row[0].text}" for row in table.rows)
    html = str(blocks_html(blocks))
    assert '<a href="#steckbrief-101">101</a>' in html


@pytest.fixture(scope="module")
def mitte():
    from sozialplanung.config.params import find_params

    return sp.load_datenpaket(find_params("berlin/mitte.yaml"))


def test_neighbours_of_mitte_match_geometry(mitte):
    """Second implementation: shapely ``intersects`` on the polygons (queen contiguity = a shared boundary point)."""
    neighbours = sb._neighbours(mitte, {})
    geo = mitte.areas.geometry
    shown = sorted(mitte.shown_ids)
    for gid in shown[:12]:
        expected = sorted(o for o in shown if o != gid and geo[gid].intersects(geo[o])
                          and geo[gid].intersection(geo[o]).area < 1.0)
        touching = sorted(o for o in shown if o != gid and geo[gid].touches(geo[o]))
        assert neighbours.get(gid, []) == expected, gid
        assert set(touching) <= set(expected)
    assert neighbours["01100101"], "Stülerstraße has neighbours"


def test_mitte_overview_and_ranks(mitte):
    results = {}
    table = sb.overview(mitte, results)
    assert [row[0].text for row in table.rows] == sorted(mitte.shown_ids)
    group = sb.steckbrief(mitte, results, sorted(mitte.shown_ids)[0])
    ranks = _column(_table(group), "Rang")
    withheld = mitte.withheld().loc[sorted(mitte.shown_ids)[0]]
    for (name, value), (ind, secret) in zip(ranks.items(), withheld.items()):
        assert (value in (".", "x")) == bool(secret) or value in (".", "x"), name
