"""End to end: one small report (Prognoseraum 0110 of Berlin-Mitte) → HTML, PDF, Kurzfassung, Steckbriefe.

The report is rendered once per test session (:func:`rendered`) and shared with ``test_pdf.py``
and ``test_browser.py``.
"""

from __future__ import annotations

import pytest
import functools
import re
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

import sozialplanung as sp

pytestmark = pytest.mark.xdist_group("bericht_klein")  # shares one rendered report

REPO = Path(__file__).resolve().parents[2]


@functools.lru_cache(maxsize=1)
def rendered() -> tuple[Path, object, dict, float]:
    """Render the small report once: (output folder, Datenpaket, write_bericht result, seconds)."""
    root = Path(tempfile.mkdtemp(prefix="sp-bericht-"))
    shutil.copytree(REPO / "params" / "berlin", root / "params" / "berlin")
    shutil.copytree(REPO / "params" / "rezepte", root / "params" / "rezepte")
    path = root / "params" / "berlin" / "mitte.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('berichtsgebiet:\n  level: Bezirk\n  ids: ["01"]', 'berichtsgebiet:\n  level: Prognoseraum\n  ids: ["0110"]')
    assert "Prognoseraum\n  ids" in text
    path.write_text(text, encoding="utf-8")
    dp = sp.load_datenpaket(path)
    start = time.perf_counter()
    out = sp.report.bericht.write_bericht(dp, root / "out")
    return root / "out", dp, out, time.perf_counter() - start


def _html() -> str:
    return (rendered()[0] / "bericht.html").read_text(encoding="utf-8")


def test_every_output_exists():
    folder, dp, out, _ = rendered()
    for name in ("bericht.html", "bericht.pdf", "kurzfassung.pdf"):
        assert (folder / name).stat().st_size > 10_000, name
    files = sorted(p.stem for p in (folder / "steckbriefe").glob("*.pdf"))
    assert files == sorted(dp.shown_ids)


def test_html_is_self_contained_and_accessible():
    page = _html()
    assert '<html lang="de">' in page and "Content-Security-Policy" in page
    assert not re.search(r'(src|href)="(?!data:|#)', page), "externe Ressource im Bericht"
    imgs = re.findall(r"<img [^>]*>", page)
    assert imgs and all(re.search(r'alt="[^"]{10,}"', tag) for tag in imgs)
    assert "<th scope=\"col\">" in page and "<th scope=\"row\">" in page
    levels = [int(h) for h in re.findall(r"<h([1-6])", page)]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), "Überschriftenebene übersprungen"


def test_sections_titles_and_areas_named_with_id():
    folder, dp, _, _ = rendered()
    page = _html()
    for title in ("Inhalt", "Auf einen Blick", "Sozialindex", "Gebietstypen", "Faktorenanalyse",
                  "Sozialraum-Steckbriefe", "Indikatorenblätter", "Methodenanhang", "Datenquellen und Lizenzen",
                  "Provenienz"):
        assert title in page, title
    for gid in dp.shown_ids:
        assert f"Steckbrief {gid} {dp.areas.at[gid, 'name']}" in page
    assert "Datenstand 31.12.2020" in page and "ENTWURF" in page


def test_authored_chapter_and_missing_text_marked():
    folder, dp, _, _ = rendered()
    page = _html()
    # einleitung.md uses {{ anzahl_gebiete }}: the current number of areas of this report
    assert f"{len(dp.shown_ids)} Planungsräume mit zusammen" in page
    assert 'data-kapitel="handlungsempfehlungen"' in page  # no authored text yet → marked


def test_indicator_table_reference_rows_match_independent_mean():
    folder, dp, _, _ = rendered()
    page = _html()
    table = pd.read_csv(REPO / "lib/sozialplanung/demo/berlin/daten.csv", dtype={"gebiet_id": str})
    ok = table["S1"].notna()
    berlin = (table.loc[ok, "S1"] * table.loc[ok, "einwohner"]).sum() / table.loc[ok, "einwohner"].sum()
    assert f"≈ {berlin:.1f}".replace(".", ",") in page
