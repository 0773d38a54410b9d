"""Fixtures of the report tests: the small report rendered once per session, and a synthetic Datenpaket.

``bericht_klein``: Prognoseraum 0110 of Berlin-Mitte (16 Planungsräume) through ``write_bericht`` once per test session
into a pytest temporary folder (removed by pytest), shared by test_report_render, test_pdf and test_browser.
``hostile_report``: the small report with every data string hostile (see test_escaping.py), as HTML pages.
``synthetic_dp``: six made-up areas in two parents, two indicators, one year – for sections and Steckbriefe without a
full render (synthetic data only in unit tests).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

import sozialplanung as sp

REPO = Path(__file__).resolve().parents[2]
SMALL = ('berichtsgebiet:\n  level: Bezirk\n  ids: ["01"]', 'berichtsgebiet:\n  level: Prognoseraum\n  ids: ["0110"]')


def edit_yaml(path: Path, old: str, new: str) -> Path:
    """Replace ``old`` by ``new`` once in ``path`` (as in tests/conftest.py, whose name this module shadows for
    ``from conftest import …`` in tests/report)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} nicht in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def small_params(root: Path) -> Path:
    """A copy of the Mitte params restricted to Prognoseraum 0110, inside ``root``."""
    shutil.copytree(REPO / "params" / "berlin", root / "params" / "berlin")
    shutil.copytree(REPO / "params" / "rezepte", root / "params" / "rezepte")
    path = root / "params" / "berlin" / "mitte.yaml"
    text = path.read_text(encoding="utf-8")
    assert SMALL[0] in text
    path.write_text(text.replace(*SMALL), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def bericht_klein(tmp_path_factory) -> tuple[Path, object, dict, float]:
    """The small report written once: (output folder, Datenpaket, write_bericht result, seconds)."""
    root = tmp_path_factory.mktemp("bericht-klein")
    dp = sp.load_datenpaket(small_params(root))
    start = time.perf_counter()
    out = sp.report.bericht.write_bericht(dp, root / "out")
    return root / "out", dp, out, time.perf_counter() - start


@pytest.fixture(scope="session")
def synthetic_dp(tmp_path_factory):
    """Six synthetic areas (two per row, parents T1/T2), indicators Q (from counts) and R (a rate), year 2021."""
    folder = tmp_path_factory.mktemp("synthetisch")
    ids = ["101", "102", "103", "201", "202", "203"]
    areas = gpd.GeoDataFrame({"gebiet_id": ids, "name": [f"Ort {i}" for i in ids],
                              "eltern_id": ["T" + i[0] for i in ids]},
                             geometry=[box(k % 3, k // 3, k % 3 + 1, k // 3 + 1) for k in range(len(ids))],
                             crs=25832)
    areas.to_file(folder / "gebiete.gpkg", layer="orte", driver="GPKG")
    outline = areas.dissolve(by="eltern_id").reset_index()[["eltern_id", "geometry"]]
    outline = outline.rename(columns={"eltern_id": "gebiet_id"})
    outline.insert(1, "name", ["Teil Nord", "Teil Süd"])
    outline.to_file(folder / "gebiete.gpkg", layer="teile", driver="GPKG")
    pd.DataFrame({"gebiet_id": ids, "jahr": 2021, "faelle": [40, 2, 90, 55, 120, 70],
                  "basis": [1000, 800, 1500, 1200, 2000, 900],
                  "rate": [3.5, 4.0, 7.5, 2.0, 9.0, 5.5]}).to_csv(folder / "daten.csv", index=False)
    (folder / "katalog.yaml").write_text("""indicators:
  Q:
    name: "Quote"
    definition: "Fälle je 100 Einwohner/innen"
    themenfeld: "Test"
    numerator: faelle
    denominator: basis
    polarity: 1
    source: "synthetisch"
    stichtag: "2021-12-31"
  R:
    name: "Rate"
    definition: "Veröffentlichte Rate"
    themenfeld: "Test"
    rate: rate
    weight: basis
    polarity: 1
    source: "synthetisch"
    stichtag: "2021-12-31"
""", encoding="utf-8")
    (folder / "p.yaml").write_text("""kommune: Testkreis
slug: test
report_year: 2021
areas:
  file: gebiete.gpkg
  layer: orte
  level: Ort
  parents:
    - {column: eltern_id, level: Teil, layer: teile}
data: {file: daten.csv, population: basis}
catalogue: katalog.yaml
bezugsgesamtheit: null
datenschutz: {min_count: 3, min_population: 0, secondary: true}
""", encoding="utf-8")
    return sp.load_datenpaket(folder / "p.yaml")


@pytest.fixture(scope="session")
def hostile_report(tmp_path_factory):
    """(params folder, Datenpaket, results, {"bericht" | "kurzfassung" | "steckbriefe": HTML})."""
    from test_escaping import BEZUG, HOSTILE, KOMMUNE, MARKDOWN, PLACEHOLDERS
    from sozialplanung.report import html_writer

    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(REPO / "params" / "berlin", root / "params" / "berlin")
    shutil.copytree(REPO / "params" / "rezepte", root / "params" / "rezepte")
    path = root / "params" / "berlin" / "mitte.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in [('berichtsgebiet:\n  level: Bezirk\n  ids: ["01"]',
                      'berichtsgebiet:\n  level: Prognoseraum\n  ids: ["0110"]'),
                     ('kommune: "Berlin-Mitte"', f"kommune: {json.dumps(KOMMUNE)}"),
                     ("bezugsname: Berlin", f"bezugsname: {json.dumps(BEZUG)}"),
                     ("sources:\n", f"sources:\n  - {json.dumps(HOSTILE[0])}\n  - {json.dumps(HOSTILE[4])}\n")]:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    (path.parent / "texte" / "einleitung.md").write_text(
        "\n\n".join(f"{name}: {{{{ {name} }}}}" for name in PLACEHOLDERS) + "\n", encoding="utf-8")
    dp = sp.load_datenpaket(path)
    for k, (ind_id, ind) in enumerate(list(dp.catalogue.items())):
        bad = HOSTILE[k % len(HOSTILE)]
        dp.catalogue[ind_id] = ind.model_copy(update={"name": f"{bad} {ind_id}", "definition": bad,
                                                      "source": HOSTILE[(k + 1) % len(HOSTILE)], "themenfeld": bad})
    names = HOSTILE + [MARKDOWN]
    for k, gid in enumerate(dp.shown_ids):
        dp.areas.at[gid, "name"] = names[k % len(names)]
    for k, frame in enumerate(dp.parents.values()):
        if "name" in frame.columns:
            frame["name"] = f"{MARKDOWN} {HOSTILE[k]}"
    results = sp.report.bericht.compute_results(dp)
    docs = sp.report.bericht.documents(dp, results)
    pages = {kind: html_writer.render(doc) for kind, doc in docs.items()}
    return path.parent, dp, results, pages
