"""``sozialplanung neu`` on real raw files (issue 13, item 1): the skeleton names what to fill in, and
validates once it is filled in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from conftest import REPO
from onboardingkit import fill_in
from sozialplanung.config.yamlio import read_yaml
from sozialplanung.errors import SozialplanungError
from sozialplanung.publish.scaffold import scaffold, slug



def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sozialplanung.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd)


def test_mss_raw_files_validate_after_filling_in(shared_data, tmp_path):
    mss = shared_data / "berlin_mss"
    res = run("neu", tmp_path / "berlin", "--gebiete", mss / "geometry_lor2021_plr", "--daten",
              mss / "mss_2021" / "mss_2021_index_indikatoren.csv", "--kommune", "Berlin", "-v")
    assert res.returncode == 0, res.stderr
    assert "Koordinatensystem EPSG:25833" in res.stdout and "Codes für fehlende Werte: -9999" in res.stdout
    assert "die ersten 4 Stellen der Kennung (58 Einheiten)" in res.stdout and "Noch zu tun:" in res.stdout
    params, lines = read_yaml(tmp_path / "berlin" / "params.yaml")
    assert params["areas"]["id"] == "PLR_ID" and params["areas"]["name"] == "PLR_NAME"
    assert params["data"]["id"] == "PLR_ID" and params["data"]["year"] is None and params["data"]["population"] == "EW"
    assert params["data"]["missing"] == ["-9999"] and params["report_year"] == 2021 and params["slug"] == "berlin"
    catalogue, _ = read_yaml(tmp_path / "berlin" / "indikatoren.yaml")
    assert list(catalogue["indicators"]) == ["S1", "S3", "S4", "D1", "D3", "D4"]  # S2, D2 are empty in 2021
    assert catalogue["indicators"]["S1"]["rate"] == "S1" and catalogue["indicators"]["S1"]["weight"] == "EW"

    first = run("validate", tmp_path / "berlin" / "params.yaml")
    assert first.returncode == 2 and "Traceback" not in first.stderr
    assert "indikatoren.yaml: 24 Fehler" in first.stderr and "Feld „indicators.S1.definition“, Zeile 7" in first.stderr
    fill_in(tmp_path / "berlin" / "indikatoren.yaml")
    text = (tmp_path / "berlin" / "params.yaml").read_text(encoding="utf-8")
    text = text.replace("  parents: []", "  parents:").replace("  #  - {level: AUSFÜLLEN, prefix: 4}",
                                                                 "    - {level: Prognoseraum, prefix: 4}")
    (tmp_path / "berlin" / "params.yaml").write_text(text.replace("  #  - {level: AUSFÜLLEN, prefix: 2}",
                                                                  "    - {level: Bezirk, prefix: 2}"), encoding="utf-8")
    second = run("validate", "params.yaml", cwd=tmp_path / "berlin")
    assert second.returncode == 0, second.stderr
    assert "✓ params.yaml: 542 Gebiete, 6 Indikatoren, Jahre 2021" in second.stdout


def test_inkar_raw_sheet_with_kreis_geometry(shared_data, tmp_path):
    kreise = shared_data / "inkar_kreise"
    out = scaffold(tmp_path / "kreise", areas_file=kreise / "geometry_vg5000_2021",
                   data_file=kreise / "inkar_raw_kreise" / "A_ArbeitslosigkeitKreis.xls")
    params, _ = read_yaml(out.params)
    assert params["areas"]["layer"] == "VG5000_KRS" and params["areas"]["id"] == "ARS"
    assert params["areas"]["name"] == "GEN" and params["report_year"] == 2021
    assert {k: params["data"][k] for k in ("id", "layout", "year_row")} == {"id": "Kennziffer", "layout": "breit",
                                                                             "year_row": 2}
    text = out.params.read_text(encoding="utf-8")
    assert '#  - {level: AUSFÜLLEN, layer: "VG5000_LAN", column: SPALTE_MIT_DER_KENNUNG}' in text
    assert '#  - {level: AUSFÜLLEN, column: "SN_L"}   # 16 Einheiten' in text
    assert "Arbeitslose: Fallzahl (ohne Einwohnerspalte kein Anteil)" in out.catalogue.read_text(encoding="utf-8")
    assert any("trifft nur 400 von 401 Gebieten; ohne Zeile: 16056 (Eisenach)" in t for t in out.todo)


def test_spreadsheet_with_title_rows_and_areas_named_by_name(tmp_path):
    berlin = REPO / "lib" / "sozialplanung" / "demo" / "berlin"
    pgr = gpd.read_file(berlin / "gebiete.gpkg", layer="prognoseraeume")
    pgr[["name", "geometry"]].to_file(tmp_path / "prognoseraeume.gpkg", driver="GPKG")
    out = scaffold(tmp_path / "neu", areas_file=tmp_path / "prognoseraeume.gpkg",
                   data_file=REPO / "tests" / "onboarding" / "prognoseraeume.xlsx", kommune="Berlin (Prognoseräume)",
                   level="Prognoseraum")
    params, _ = read_yaml(out.params)
    assert params["data"]["header_row"] == 3 and params["data"]["id"] == "Gebiet" and params["data"]["missing"] == ["."]
    assert params["areas"]["id"] == "name" and params["areas"]["level"] == "Prognoseraum"
    assert params["slug"] == "berlin-prognoseraeume" and params["data"]["population"] == "Einwohner insgesamt"
    catalogue, _ = read_yaml(out.catalogue)
    assert [v["rate"] for v in catalogue["indicators"].values()] == ["Arbeitslosigkeit (S1) in %",
                                                                      "Transferbezug (S3) in %", "Kinderarmut (S4) in %"]


def test_existing_files_are_kept_and_bad_input_is_a_german_error(tmp_path):
    gebiete = REPO / "lib" / "sozialplanung" / "demo" / "berlin" / "gebiete.gpkg"
    assert run("neu", tmp_path / "k", "--gebiete", gebiete, "-q").returncode == 0
    again = run("neu", tmp_path / "k", "--gebiete", gebiete)
    assert again.returncode == 2 and "gibt es schon" in again.stderr and "--force" in again.stderr
    missing = run("neu", tmp_path / "m", "--gebiete", tmp_path / "fehlt.gpkg")
    assert missing.returncode == 2 and "Die Geodatei der Gebiete existiert nicht" in missing.stderr
    assert "Traceback" not in again.stderr + missing.stderr
    with pytest.raises(SozialplanungError, match="Datentabelle existiert nicht"):
        scaffold(tmp_path / "d", areas_file=gebiete, data_file=tmp_path / "fehlt.csv")
    params, _ = read_yaml(tmp_path / "k" / "params.yaml")
    assert params["areas"]["layer"] == "planungsraeume" and params["areas"]["id"] == "gebiet_id"


def test_slug():
    assert slug("Landkreis Südliche Weinstraße") == "landkreis-suedliche-weinstrasse"
    assert slug("!!!") == "kommune"


def validate(params: Path, capsys) -> tuple[int, str, str]:
    """``sozialplanung validate -v`` in this process (the readers are imported once for all tests)."""
    from sozialplanung.cli import main

    code = main(["validate", str(params), "-v"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_header_of_two_rows_and_totals_by_id_prefix_and_name(shared_data, tmp_path, capsys):
    """bezirksregionen.xlsx (tests/onboarding/build.py): a title row, a header of two rows, a Bezirk total
    with the 2-digit id after each Bezirk's regions, a last row „Berlin insgesamt“ without id."""
    out = scaffold(tmp_path / "bzr", areas_file=shared_data / "berlin_mss" / "geometry_lor2021_bzr",
                   data_file=REPO / "tests" / "onboarding" / "bezirksregionen.xlsx", kommune="Berlin",
                   level="Bezirksregion")
    params, _ = read_yaml(out.params)
    data = params["data"]
    assert data["header_row"] == [2, 3] and data["id"] == "Nr." and data["population"] == "Einwohner insgesamt"
    assert data["totals"] == {"column": "Bezirksregion", "values": {"Kommune": "Berlin insgesamt"},
                              "ids": {"Ebene 2 Stellen": [f"{b:02d}" for b in range(1, 13)]}, "use": "pruefen"}
    assert params["areas"]["parents"] == [{"level": "Ebene 2 Stellen", "prefix": 2}]
    catalogue, _ = read_yaml(out.catalogue)
    assert [v["rate"] for v in catalogue["indicators"].values()] == [
        "Arbeitslosigkeit (S1) in %", "Transferbezug (S3) in %", "Kinderarmut (S4) in %"]
    assert any("Name der Ebene „Ebene 2 Stellen“ prüfen" in t for t in out.todo)
    text = out.params.read_text(encoding="utf-8")
    assert "# Ebene 2 Stellen: Zeile(n) 14, 23, 40" in text and "# Kommune: Zeile(n) 159" in text
    fill_in(out.catalogue)
    code, stdout, stderr = validate(out.params, capsys)
    assert code == 0, stderr
    assert "143 Gebiete, 3 Indikatoren" in stdout
    assert "13 Summenzeile(n) nicht als Gebiete gelesen (Kommune: 1, Ebene 2 Stellen: 12)" in stdout
    # the one „.“ cell (Transferbezug of 011001) makes Mitte's published share differ from the computed one
    assert "Summenzeilen Ebene 2 Stellen: veröffentlicht = berechnet: 3 von 36 Werten weichen ab" in stdout
    assert "Transferbezug_S3_in 01: veröffentlicht 16,0, aus den Gebieten 16,3" in stdout


def test_inkar_sheet_with_laender_and_bund_rows(shared_data, tmp_path):
    """inkar_laender.xlsx: the raw INKAR sheet with 16 Länder („Bundesländer“) and Germany („Bund“) below."""
    out = scaffold(tmp_path / "kreise", areas_file=shared_data / "inkar_kreise" / "geometry_vg5000_2021",
                   data_file=REPO / "tests" / "onboarding" / "inkar_laender.xlsx", kommune="Deutschland", level="Kreis")
    params, _ = read_yaml(out.params)
    assert params["data"]["layout"] == "breit" and params["data"]["year_row"] == 2
    assert "header_row" not in params["data"]
    assert params["data"]["totals"]["column"] == "Aggregat"
    assert params["data"]["totals"]["values"] == {"Kommune": "Bund", "Bundesländer": "Bundesländer"}
    assert params["areas"]["parents"] == [{"level": "Bundesländer", "prefix": 2}]
    assert "# Bundesländer: Zeile(n) 403, 404" in out.params.read_text(encoding="utf-8")


def test_level_column_with_a_bezirk_named_like_an_area(tmp_path, capsys):
    """prognoseraeume.xlsx: „Ebene“ marks Land and Bezirk rows; Bezirk „Neukölln“ has a Prognoseraum's name."""
    berlin = REPO / "lib" / "sozialplanung" / "demo" / "berlin"
    pgr = gpd.read_file(berlin / "gebiete.gpkg", layer="prognoseraeume")
    pgr[["name", "geometry"]].to_file(tmp_path / "namen.gpkg", driver="GPKG")
    pgr.to_file(tmp_path / "kennungen.gpkg", driver="GPKG")
    table = REPO / "tests" / "onboarding" / "prognoseraeume.xlsx"
    by_name = scaffold(tmp_path / "namen", areas_file=tmp_path / "namen.gpkg", data_file=table, kommune="Berlin")
    params, _ = read_yaml(by_name.params)
    assert params["data"]["totals"]["values"] == {"Bezirk": "Bezirk", "Kommune": "Land"}
    assert params["areas"]["parents"] == []  # names only: nothing says which Bezirk a Prognoseraum is in
    assert any("Summenzeilen der Ebene „Bezirk“ diese Ebene in areas.parents angeben" in t for t in by_name.todo)
    by_id = scaffold(tmp_path / "ids", areas_file=tmp_path / "kennungen.gpkg", data_file=table, kommune="Berlin",
                     level="Prognoseraum")
    params, _ = read_yaml(by_id.params)
    assert params["data"]["id"] == "Nr." and params["areas"]["parents"] == [{"level": "Bezirk", "prefix": 2}]
    fill_in(by_id.catalogue)
    code, stdout, stderr = validate(by_id.params, capsys)
    assert code == 0, stderr
    assert "13 Summenzeile(n) nicht als Gebiete gelesen (Bezirk: 12, Kommune: 1)" in stdout


@pytest.mark.parametrize("rows, expected", [
    ([["Titel der Tabelle", "", ""], ["Nr.", "Name", "Quote"], ["01", "A", "1,5"]], ([1], None, 2)),
    ([["Titel", "", "", ""], ["", "", "Arbeitslose", ""], ["Nr.", "Name", "Anzahl", "in %"], ["01", "A", "3", "1,5"]],
     ([1, 2], None, 3)),
    ([["Kennziffer", "Raumeinheit", "X", "X", "X"], ["", "", "2019", "2020", "2021"], ["01001", "F", "1", "2", "3"]],
     ([0], 1, 2)),
    ([["Jahr", "Nr.", "Wert"], ["2021", "01", "7"]], ([0], None, 1)),
    ([["a", "b"], ["c", "d"]], ([0], None, 1)),
])
def test_shape_finds_title_rows_header_rows_and_the_year_row(rows, expected):
    import pandas as pd

    from sozialplanung.publish.sniff_rows import shape

    assert shape(pd.DataFrame(rows)) == expected
