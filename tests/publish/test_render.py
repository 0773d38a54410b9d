"""End to end: one Bezirk rendered through papermill; outputs as the README promises."""

import json
import os
import re
import shutil
import subprocess
import sys

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest

import sozialplanung as sp
from sozialplanung.data.manifest import read_manifest, sha256
from sozialplanung.publish.render import NOTEBOOKS, output_folder, publish, render_one

from conftest import PARAMS, REPO, edit_yaml

pytestmark = pytest.mark.xdist_group("mitte")  # all tests share the one rendered Mitte report


def test_outputs_complete(rendered_mitte):
    for name in ("bericht.html", "ergebnisse.xlsx", "ergebnisse.gpkg", "manifest.json"):
        assert (rendered_mitte / name).is_file(), name
    assert sorted(p.name for p in (rendered_mitte / "notebooks").glob("*.ipynb")) == sorted(NOTEBOOKS)
    assert (rendered_mitte.parent / "index.html").is_file()
    assert "Berlin-Mitte" in (rendered_mitte.parent / "index.html").read_text(encoding="utf-8")


def test_tables_machine_format(rendered_mitte):
    tables = sorted((rendered_mitte / "tabellen").glob("*.csv"))
    names = {t.stem for t in tables}
    assert {"indikatoren", "vergleich", "sozialindex", "faktorladungen", "faktorwerte", "cluster"} <= names
    for path in tables:
        text = path.read_text(encoding="utf-8")
        first = text.split("\n", 1)[0].split(",")[0]
        if path.stem in ("zeitreihe", "statuswechsel", "gebietsschluessel", "typwechsel"):  # own shape (test_export)
            continue
        assert first == ("indikator" if path.stem == "faktorladungen" else "gebiet_id"), path.name
        df = pd.read_csv(path, dtype={"gebiet_id": str})
        if first == "gebiet_id":
            assert df["gebiet_id"].is_unique and df["gebiet_id"].str.fullmatch(r"01\d{6}").all()
            assert len(df) == 49  # the 49 Planungsräume of Mitte


def test_real_values_in_tables_and_report(rendered_mitte, shared_data):
    """The published S1 of every Mitte Planungsraum appears unchanged (MSS 2021 original file)."""
    original = pd.read_csv(shared_data / "berlin_mss" / "mss_2021" / "mss_2021_index_indikatoren.csv",
                           dtype={"PLR_ID": str}, na_values=[-9999]).set_index("PLR_ID")
    ours = pd.read_csv(rendered_mitte / "tabellen" / "indikatoren.csv", dtype={"gebiet_id": str}).set_index("gebiet_id")
    pd.testing.assert_series_equal(ours["S1"], original.loc[ours.index, "S1"], check_names=False)
    html = (rendered_mitte / "bericht.html").read_text(encoding="utf-8")
    row = re.search(r"<th scope=\"row\">01100101</th>(.*?)</tr>", html, re.S).group(1)
    assert "Stülerstraße" in row and "4,2" in row  # S1 = 4.22594 → "4,2"


def test_comparison_with_bezirk_and_berlin(rendered_mitte):
    df = pd.read_csv(rendered_mitte / "tabellen" / "vergleich.csv", dtype={"gebiet_id": str})
    assert {"S1_wert", "S1_Bezirk", "S1_Kommune", "S1_abweichung"} <= set(df.columns)
    dp = sp.load_datenpaket(PARAMS / "berlin" / "mitte.yaml")
    values = dp.values()
    pop = dp.population()
    mitte = dp.areas.index[dp.areas["Bezirk"] == "01"]
    ok = values["S1"].notna()
    bezirk = (values.loc[mitte, "S1"][ok] * pop.loc[mitte][ok]).sum() / pop.loc[mitte][ok].sum()
    berlin = (values["S1"][ok] * pop[ok]).sum() / pop[ok].sum()
    assert df["S1_Bezirk"].iloc[0] == pytest.approx(bezirk, abs=1e-6)
    assert df["S1_Kommune"].iloc[0] == pytest.approx(berlin, abs=1e-6)


def test_workbooks(rendered_mitte):
    wb = openpyxl.load_workbook(rendered_mitte / "ergebnisse.xlsx")
    assert "indikatoren" in wb.sheetnames
    ws = wb["indikatoren"]
    assert ws["A1"].value == "Planungsraum-Nr." and ws["A2"].value == "01100101"
    assert any(c.number_format.startswith("#,##0.0;") for c in ws[2])
    layers = [name for name, _ in pyogrio.list_layers(rendered_mitte / "ergebnisse.gpkg")]
    assert "sozialindex" in layers
    gdf = gpd.read_file(rendered_mitte / "ergebnisse.gpkg", layer="sozialindex")
    assert len(gdf) == 49 and gdf.crs is not None


def test_manifest_hashes(rendered_mitte):
    m = read_manifest(rendered_mitte)
    assert m["parameter"]["slug"] == "berlin-mitte"
    assert set(m["eingaben"]) >= {"params", "areas", "data", "catalogue", "recipe"}
    for rel, digest in m["ausgaben"].items():
        assert sha256(rendered_mitte / rel) == digest, rel
    assert m["versionen"]["pandas"] and m["zeitpunkt"]


def test_html_self_contained(rendered_mitte):
    html = (rendered_mitte / "bericht.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html
    assert html.count('<svg role="img" aria-label="') >= 3 and 'aria-label=""' not in html  # inline SVG figures
    assert "Monitoring Soziale Stadtentwicklung 2021" in html  # attribution


def test_notebook_defaults_reproduce_report(rendered_mitte, tmp_path):
    """Run in JupyterLab with no parameters set = the default report (Mitte)."""
    import papermill as pm

    pm.execute_notebook(str(REPO / "notebooks" / "02_sozialraumanalyse.ipynb"), str(tmp_path / "nb.ipynb"),
                        kernel_name="python3", cwd=str(REPO / "notebooks"), progress_bar=False)
    lab = REPO / "output" / "lab" / "berlin-mitte" / "tabellen"
    for name in ("indikatoren.csv", "vergleich.csv"):
        assert (lab / name).read_bytes() == (rendered_mitte / "tabellen" / name).read_bytes()


def test_failed_run_keeps_old_report(rendered_mitte, tmp_path):
    """A notebook that fails with a user error: the German message, the old report untouched,
    the failed notebooks kept in output/.fehler/<slug>/, no staging folder left behind."""
    import nbformat

    root = tmp_path / "output"
    shutil.copytree(rendered_mitte, root / "berlin-mitte")
    before = read_manifest(root / "berlin-mitte")
    notebooks = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks", notebooks)
    nb = nbformat.read(notebooks / "01_datenpruefung.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        'raise sp.SozialplanungError("Absichtlicher Fehler im Test.", field="test")'))
    nbformat.write(nb, notebooks / "01_datenpruefung.ipynb")
    with pytest.raises(sp.SozialplanungError, match="Absichtlicher Fehler im Test.*01_datenpruefung"):
        render_one(PARAMS / "berlin" / "mitte.yaml", output_root=root, notebooks=notebooks)
    assert read_manifest(root / "berlin-mitte") == before
    assert (root / ".fehler" / "berlin-mitte" / "notebooks" / "01_datenpruefung.ipynb").is_file()
    assert not list(root.glob(".berlin-mitte.*"))


def test_publish_swaps_complete_folders(tmp_path):
    old, new = tmp_path / "bericht", tmp_path / ".neu"
    old.mkdir(); (old / "a.txt").write_text("alt")
    new.mkdir(); (new / "a.txt").write_text("neu"); (new / "b.txt").write_text("neu")
    publish(new, old)
    assert sorted(p.name for p in old.iterdir()) == ["a.txt", "b.txt"] and not new.exists()


@pytest.mark.parametrize("slug", ["../x", "..", "a/../../b"])
def test_output_folder_cannot_escape(tmp_path, slug):
    with pytest.raises(sp.SozialplanungError):
        output_folder(tmp_path, slug)
