"""Small areas in the report itself: a not-assessed area shows "x" and its residents, never a value."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser

import pytest

import sozialplanung as sp
from conftest import REPO, edit_yaml


@pytest.fixture(scope="module")
def dp_3000(tmp_path_factory):
    root = tmp_path_factory.mktemp("params")
    shutil.copytree(REPO / "params" / "berlin", root / "params" / "berlin")
    shutil.copytree(REPO / "params" / "rezepte", root / "params" / "rezepte")
    return sp.load_datenpaket(edit_yaml(root / "params" / "berlin" / "mitte.yaml", "min_population: 300 ",
                                        "min_population: 3000 "))


class _Rows(HTMLParser):
    """Body rows of the tables: list of cell texts."""

    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def _html(blocks) -> str:
    from sozialplanung.report.html_writer import blocks_html

    return str(blocks_html(blocks))


def _rows(html) -> list[list[str]]:
    parser = _Rows()
    from sozialplanung.report.html_writer import blocks_html

    parser.feed(str(html if isinstance(html, str) else blocks_html(html)))
    return parser.rows


def test_indicator_table_shows_x_and_residents_only(dp_3000):
    from sozialplanung.formatting import fmt_int
    from sozialplanung.report.tables import indicator_table

    dp = dp_3000
    small = [g for g in dp.shown_ids if g not in set(dp.assessed_ids(dp.shown_ids))]
    assert len(small) == 3
    counted = [i for i in dp.catalogue if dp.catalogue[i].from_counts]
    rows = {r[0]: r for r in _rows(indicator_table(dp, list(dp.catalogue)[:4] + counted[:1]))}
    for gid in small:
        row = rows[gid]
        assert row[2] == fmt_int(dp.population().at[gid])          # residents are published
        assert set(row[3:]) == {"x"}, row                           # every rate and count: "x"
    assessed = [g for g in dp.shown_ids if g not in small]
    assert any(c not in (".", "x") for c in rows[assessed[0]][3:])  # the others keep their values


def test_steckbrief_of_a_small_area_shows_no_value(dp_3000):
    from sozialplanung.report.steckbrief import steckbrief

    dp = dp_3000
    gid = next(g for g in dp.shown_ids if g not in set(dp.assessed_ids(dp.shown_ids)))
    html = steckbrief(dp, {}, gid)
    own = [r[1] for r in _rows(html)[1:] if len(r) > 2]            # below the header: the area's own value
    # the trend table of the series (2013–2021) puts the reference in brackets beside the area's own "x"
    assert own and {v.split(" (")[0] for v in own if not v.isdigit()} == {"x"}, own
    assert "nicht bewertet" in str(_html(html))


def test_einleitung_lists_the_not_assessed_areas(dp_3000):
    from sozialplanung.report.chapters import section_einleitung

    dp = dp_3000
    html = str(_html(section_einleitung(dp, {})))
    small = dp.not_assessed_reasons(dp.shown_ids)
    assert "3 Gebiete werden aus Datenschutzgründen nicht bewertet" in html
    for gid in small.index:
        assert gid in html and dp.areas.at[gid, "name"] in html
    assert "weniger als 3.000 Einwohner/innen" in html
