"""End to end: one small report (Prognoseraum 0110 of Berlin-Mitte) → HTML, PDF, Kurzfassung, Steckbriefe.

The report is rendered once per test session (fixture ``bericht_klein`` in conftest.py) and shared with
``test_pdf.py`` and ``test_browser.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.xdist_group("bericht_klein")  # shares one rendered report

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def rendered(bericht_klein):
    """(output folder, Datenpaket, write_bericht result, seconds) of the small report (see conftest.py)."""
    return bericht_klein


@pytest.fixture(scope="session")
def page(bericht_klein) -> str:
    return (bericht_klein[0] / "bericht.html").read_text(encoding="utf-8")


def test_every_output_exists(rendered):
    folder, dp, out, _ = rendered
    for name in ("bericht.html", "bericht.pdf", "kurzfassung.pdf"):
        assert (folder / name).stat().st_size > 10_000, name
    files = sorted(p.stem for p in (folder / "steckbriefe").glob("*.pdf"))
    assert files == sorted(dp.shown_ids)


def test_html_is_self_contained_and_accessible(page):
    assert '<html lang="de">' in page and "Content-Security-Policy" in page
    assert not re.search(r'(src|href)="(?!data:|#)', page), "externe Ressource im Bericht"
    assert "<img " not in page                                     # figures are inline SVG, not PNG
    svgs = [t for t in re.findall(r"<svg [^>]*>", page) if not t.startswith("<svg x=")]  # not the panels inside one
    # a figure is role="img"; an interactive map (areas are links to their Steckbrief) is role="group"
    assert svgs and all(re.search(r'role="(img|group)" aria-label="[^"]{10,}"', tag) for tag in svgs)
    assert any('role="group"' in tag for tag in svgs) and any('role="img"' in tag for tag in svgs)
    assert "<th scope=\"col\">" in page and "<th scope=\"row\">" in page
    levels = [int(h) for h in re.findall(r"<h([1-6])", page)]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), "Überschriftenebene übersprungen"


def test_sections_titles_and_areas_named_with_id(rendered, page):
    folder, dp, _, _ = rendered
    for title in ("Inhalt", "Auf einen Blick", "Sozialindex", "Gebietstypen", "Faktorenanalyse",
                  "Sozialraum-Steckbriefe", "Indikatorenblätter", "Methodenanhang", "Datenquellen und Lizenzen",
                  "Provenienz"):
        assert title in page, title
    for gid in dp.shown_ids:
        assert f"Steckbrief {gid} {dp.areas.at[gid, 'name']}" in page
    assert "Datenstand 31.12.2020" in page and "ENTWURF" in page


def test_authored_chapter_and_missing_text_marked(rendered, page):
    folder, dp, _, _ = rendered
    # einleitung.md uses {{ anzahl_gebiete }}: the current number of areas of this report
    assert f"{len(dp.shown_ids)} Planungsräume mit zusammen" in page
    assert 'data-kapitel="handlungsempfehlungen"' in page  # no authored text yet → marked


def test_indicator_table_reference_rows_match_independent_mean(rendered, page):
    folder, dp, _, _ = rendered
    table = pd.read_csv(REPO / "lib/sozialplanung/demo/berlin/daten.csv", dtype={"gebiet_id": str})
    table = table[table["jahr"] == 2021]
    ok = table["S1"].notna()
    berlin = (table.loc[ok, "S1"] * table.loc[ok, "einwohner"]).sum() / table.loc[ok, "einwohner"].sum()
    assert f"≈ {berlin:.1f}".replace(".", ",") in page


def test_each_figure_is_sent_once(page):
    ids = re.findall(r'<svg role="(?:img|group)" aria-label="[^"]*" id="(abb-[^"]+)"', page)
    assert ids and len(ids) == len(set(ids))
    used = set(re.findall(r'<use href="#(abb-[^"]+)"', page))
    assert used and used <= set(ids)                                 # the second showing of a map reuses it
