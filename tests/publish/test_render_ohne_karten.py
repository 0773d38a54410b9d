"""Table-only mode end to end (issue #13, item 8): the MSS 2021 table without any geometry, rendered as users
render (``sozialplanung render``): tables, comparisons, index, report; no map, and a sentence saying so."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from pypdf import PdfReader

from sozialplanung.data.datenpaket import load_datenpaket
from sozialplanung.publish import leaks

from conftest import REPO
from paramkit import table_only_kommune

pytestmark = pytest.mark.xdist_group("ohne_geodatei")  # all tests share the one render

SENTENCE = "liegt keine Geodatei der Gebiete vor: der Bericht zeigt Tabellen und Diagramme, keine Karten."


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, shared_data):
    folder = tmp_path_factory.mktemp("ohne_karten")
    params = table_only_kommune(folder, shared_data)
    run = subprocess.run([sys.executable, "-m", "sozialplanung.cli", "render", str(params), "--ausgabe",
                          str(folder / "output"), "--notebooks", str(REPO / "notebooks")],
                         capture_output=True, text=True, cwd=folder)
    assert run.returncode == 0, run.stdout + run.stderr
    return folder / "output" / "mitte-ohne-karten", params


def test_report_tables_and_index_without_maps(rendered):
    out, _ = rendered
    for name in ("bericht.html", "bericht.pdf", "kurzfassung.pdf", "ergebnisse.xlsx", "tabellen/vergleich.csv",
                 "tabellen/sozialindex.csv", "tabellen/cluster.csv"):
        assert (out / name).is_file(), name
    assert not (out / "ergebnisse.gpkg").exists()  # no geometry, no GeoPackage
    assert not (out / "notebooks" / "06_raeumliche_statistik.ipynb").exists()
    assert len(list((out / "steckbriefe").glob("*.pdf"))) == 49
    html = (out / "bericht.html").read_text(encoding="utf-8")
    assert html.count(SENTENCE) == 2  # Einleitung and Methodenanhang
    assert 'class="karte' not in html and "Lagekarte" not in html
    kurz = (out / "kurzfassung.html").read_text(encoding="utf-8")
    assert SENTENCE in kurz and ">Karten<" not in kurz
    text = " ".join(page.extract_text() for page in PdfReader(out / "bericht.pdf").pages)
    assert "keine Geodatei der Gebiete vor" in " ".join(text.split())


def test_index_classes_are_the_official_mss_classes(rendered, shared_data):
    """Second source: the Senatsverwaltung's published classes of the 49 Planungsräume of Mitte."""
    out, _ = rendered
    ours = pd.read_csv(out / "tabellen" / "sozialindex.csv", dtype={"gebiet_id": str}).set_index("gebiet_id")
    official = pd.read_csv(shared_data / "berlin_mss" / "mss_2021" / "mss_2021_indizes.csv",
                           dtype={"PLR_ID": str}).set_index("PLR_ID")
    both = ours[ours["bewertet"]].join(official[["SI_N", "DI_N"]], how="inner")
    assert len(both) == 49
    assert (both["status_klasse"] == both["SI_N"]).all() and (both["dynamik_klasse"] == both["DI_N"]).all()


def test_no_leak_in_the_table_only_report(rendered):
    out, params = rendered
    assert leaks.scan_outputs(out, load_datenpaket(params)) == []
