"""Malformed Datenpakete and params: every user mistake ends in a German SozialplanungError.

Each case starts from a writable copy of the Eifelkreis Bitburg-Prüm demo package (ids with a
leading zero, counts, three years) or the Berlin-Mitte params, makes one small edit and checks the
German message with file, field and line. The edits are synthetic edge cases (see
tests/bad_inputs/README.md); the data themselves are the unchanged demo data.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

import sozialplanung as sp
from sozialplanung.errors import SozialplanungError
from sozialplanung.cli import main
from conftest import REPO, edit_yaml
from paramkit import copied_params

DEMO = REPO / "lib" / "sozialplanung" / "demo" / "bitburg_pruem"
BAD = Path(__file__).parents[1] / "bad_inputs"


class Paket:
    """A writable Datenpaket: params.yaml, daten.csv, gebiete.gpkg, indikatoren.yaml in one folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("daten.csv", "gebiete.gpkg", "indikatoren.yaml"):
            shutil.copy(DEMO / name, folder / name)
        self.params = folder / "params.yaml"
        self.params.write_text(copied_params(), encoding="utf-8")

    def edit(self, old: str, new: str, file: str = "params.yaml") -> Paket:
        edit_yaml(self.folder / file, old, new)
        return self

    def table(self) -> pd.DataFrame:
        return pd.read_csv(self.folder / "daten.csv", dtype={"gebiet_id": str})

    def write_table(self, df: pd.DataFrame, name: str = "daten.csv", **kwargs) -> Paket:
        path = self.folder / name
        if name.endswith(".parquet"):
            df.to_parquet(path)
        elif name.endswith(".xlsx"):
            df.to_excel(path, index=False, **kwargs)
        else:
            df.to_csv(path, index=False, **kwargs)
        if name != "daten.csv":
            self.edit("file: daten.csv", f"file: {name}")
        return self

    def areas(self, layer: str = "gemeinden") -> gpd.GeoDataFrame:
        return gpd.read_file(self.folder / "gebiete.gpkg", layer=layer)

    def write_areas(self, gdf: gpd.GeoDataFrame, layer: str = "gemeinden") -> Paket:
        path = self.folder / "gebiete2.gpkg"
        gdf.to_file(path, layer=layer, driver="GPKG")
        other = "verbandsgemeinden" if layer == "gemeinden" else "gemeinden"
        self.areas(other).to_file(path, layer=other, driver="GPKG")
        return self.edit("file: gebiete.gpkg", "file: gebiete2.gpkg")

    def load(self):
        return sp.load_datenpaket(self.params)


@pytest.fixture()
def paket(tmp_path) -> Paket:
    return Paket(tmp_path / "paket")


def fails(paket_or_path, match: str) -> SozialplanungError:
    """Loading raises a SozialplanungError matching ``match``; returns it for further checks."""
    target = paket_or_path.params if isinstance(paket_or_path, Paket) else paket_or_path
    with pytest.raises(SozialplanungError, match=match) as exc:
        sp.load_datenpaket(target)
    return exc.value


def finding(dp, check: str) -> pd.Series:
    table = sp.analysis.needs.findings(dp)
    rows = table[table["Prüfung"].str.contains(check, regex=False) & (table["Ergebnis"] != "ok")]
    assert len(rows), sp.data.checks.format_findings(table)
    return rows.iloc[0]


def test_the_unchanged_copy_loads(paket):
    dp = paket.load()
    assert len(dp.areas) == 234 and not sp.data.checks.failed(sp.analysis.needs.findings(dp), strict=True)


# -- params ------------------------------------------------------------------------------------------

def test_yaml_syntax_error_names_line(paket):
    paket.edit("slug: eifelkreis-bitburg-pruem", "slug: [eifelkreis")
    err = fails(paket, "YAML-Syntax ist fehlerhaft")
    assert err.file.endswith("params.yaml") and err.row is not None


def test_tab_indentation(paket):
    paket.edit("  layer: gemeinden", "\tlayer: gemeinden")
    assert "Tabulatoren" in str(fails(paket, "YAML-Syntax"))


def test_wrong_type(paket):
    paket.edit("report_year: 2021", "report_year: zwanzig21")
    err = fails(paket, "Erwartet wird eine ganze Zahl. Gefunden: „zwanzig21“")
    assert err.field == "report_year" and err.row == 6


def test_unknown_key_with_typo_hint(paket):
    paket.edit("kommune:", "komune:")
    err = fails(paket, "Unbekanntes Feld „komune“")
    assert "Meinten Sie „kommune“" in str(err) and err.row == 4


def test_slug_outside_output(paket):
    paket.edit("slug: eifelkreis-bitburg-pruem", "slug: ../../x")
    err = fails(paket, "nicht die erwartete Form")
    assert err.field == "slug" and "ohne „/“" in err.hint


def test_literal_lists_allowed_in_german(paket):
    paket.edit("edition: oeffentlich", "edition: public")
    assert "'oeffentlich' oder 'intern'" in str(fails(paket, "„public“ ist nicht erlaubt"))


def test_empty_id_list(paket):
    paket.edit("berichtsgebiet: null", "berichtsgebiet: {level: Verbandsgemeinde, ids: []}")
    assert fails(paket, "Liste darf nicht leer").field == "berichtsgebiet.ids"


def test_numeric_id_in_params_hints_quotes(paket):
    paket.edit("berichtsgebiet: null", "berichtsgebiet: {level: Verbandsgemeinde, ids: [72325001]}")
    err = fails(paket, "Erwartet wird ein Text")
    assert err.field == "berichtsgebiet.ids.0" and "Anführungszeichen" in err.hint


def test_unknown_selection_id_lost_zero(paket):
    paket.edit("berichtsgebiet: null", 'berichtsgebiet: {level: Verbandsgemeinde, ids: ["72325001"]}')
    err = fails(paket, "„72325001“ gibt es auf der Ebene Verbandsgemeinde nicht")
    assert err.field == "berichtsgebiet.ids" and "Führende Nullen verloren" in err.hint


def test_non_text_key(paket):
    paket.edit("sources:", "2021: x\nsources:")
    line = paket.params.read_text(encoding="utf-8").splitlines().index("2021: x") + 1
    assert fails(paket, "Schlüssel „2021“ ist kein Text").row == line


def test_missing_data_file(paket):
    paket.edit("file: daten.csv", "file: daten_fehlen.csv")
    assert fails(paket, "„daten_fehlen.csv“ existiert nicht").field == "data.file"


def test_negative_min_count(paket):
    paket.edit("min_count: 3", "min_count: -1")
    assert fails(paket, "muss ≥ 0 sein").field == "datenschutz.min_count"


def test_section_not_a_mapping(paket):
    paket.edit("datenschutz:\n", "datenschutz: 5\nx_alt:\n")
    fails(paket, "datenschutz|Unbekanntes Feld")


def test_params_file_is_a_folder(paket):
    with pytest.raises(SozialplanungError, match="Ordner"):
        sp.load_datenpaket(paket.folder)


def test_unknown_indicator_in_params(paket):
    paket.edit("indicator: A1", "indicator: A9")
    assert fails(paket, "Indikator „A9“ steht nicht im Katalog").field == "analyses.spatial.indicator"


def test_reserved_key_path(paket):
    paket.edit("sources:", "path: x\nsources:")
    assert fails(paket, "„path“ ist reserviert").field == "path"


# -- catalogue and recipe --------------------------------------------------------------------------------

def test_catalogue_rate_and_numerator(paket):
    paket.edit("    numerator: arbeitslose", "    rate: arbeitslose\n    numerator: arbeitslose", "indikatoren.yaml")
    err = fails(paket, "nicht beides")
    assert err.file == "indikatoren.yaml" and err.field == "indicators.A1" and err.row


def test_catalogue_unit_not_allowed(paket):
    paket.edit('unit: "%"', 'unit: "Prozent"', "indikatoren.yaml")
    assert fails(paket, "„Prozent“ ist nicht erlaubt").field == "indicators.A1.unit"


def test_catalogue_polarity(paket):
    paket.edit("polarity: 1", "polarity: 2", "indikatoren.yaml")
    assert "-1, 0 oder 1" in str(fails(paket, "„2“ ist nicht erlaubt"))


def test_catalogue_column_missing_in_data(paket):
    paket.edit("numerator: arbeitslose", "numerator: arbeitslos", "indikatoren.yaml")
    err = fails(paket, "Spalte „arbeitslos“ fehlt in der Datentabelle")
    assert err.file == "daten.csv" and "indicators.A1.numerator" in str(err)


def test_catalogue_entry_with_id_key(paket):
    paket.edit("    name:", "    id: A1\n    name:", "indikatoren.yaml")
    assert fails(paket, "Feld „id“").field == "indicators.A1.id"


def test_recipe_unknown_indicator(mitte_params):
    edit_yaml(mitte_params.parent.parent / "rezepte" / "mss.yaml", "{id: S3,", "{id: S33,")
    err = fails(mitte_params, "verwendet den Indikator „S33“")
    assert err.file == "../rezepte/mss.yaml" and err.field == "status.indicators.S33" and err.row == 26


def test_recipe_unknown_key(mitte_params):
    edit_yaml(mitte_params.parent.parent / "rezepte" / "mss.yaml", "aggregation: sum", "aggregaton: sum")
    # recipes.py reports the first pydantic error (the then missing „aggregation“), with field and line
    err = fails(mitte_params, "Pflichtangabe fehlt|Unbekanntes Feld")
    assert err.field.startswith("status.") and err.row


# -- data table --------------------------------------------------------------------------------------------

def test_empty_file(paket):
    (paket.folder / "daten.csv").write_text("", encoding="utf-8")
    assert fails(paket, "Die Datei ist leer").file == "daten.csv"


def test_header_only(paket):
    (paket.folder / "daten.csv").write_text("gebiet_id,jahr,arbeitslose,ew_15bis65\n", encoding="utf-8")
    fails(paket, "Berichtsjahr 2021 gibt es keine Zeilen")


def test_ragged_rows(paket):
    lines = (paket.folder / "daten.csv").read_text(encoding="utf-8").splitlines()
    lines[4] += ",7"
    (paket.folder / "daten.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert fails(paket, "mehr Felder als die Kopfzeile").row == 5


def test_unclosed_quote(paket):
    lines = (paket.folder / "daten.csv").read_text(encoding="utf-8").splitlines()
    lines[9] = lines[9].replace(",", ',"', 1)
    (paket.folder / "daten.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert fails(paket, "Anführungszeichen wird nicht geschlossen").row == 10


def test_xlsx_without_sheet(paket):
    paket.write_table(paket.table(), "daten.xlsx", sheet_name="Daten")
    paket.edit("  id: gebiet_id\n  year", "  sheet: Tabelle1\n  id: gebiet_id\n  year")
    err = fails(paket, "Tabellenblatt „Tabelle1“ fehlt")
    assert err.field == "data.sheet" and "Daten" in err.hint


def test_xlsx_that_is_not_excel(paket):
    shutil.copy(paket.folder / "daten.csv", paket.folder / "daten.xlsx")
    paket.edit("file: daten.csv", "file: daten.xlsx")
    fails(paket, "keine lesbare Excel-Datei")


def test_parquet_with_integer_ids(paket):
    df = paket.table()
    paket.write_table(df.assign(gebiet_id=df["gebiet_id"].astype(int)), "daten.parquet")
    err = fails(paket, "234 Gebiete der Geometrie .* haben keine Daten für 2021")
    assert "Führende Nullen verloren? Kennungen als Text speichern" in err.hint


def test_parquet_broken(paket):
    (paket.folder / "daten.parquet").write_bytes(b"PAR1 kaputt")
    paket.edit("file: daten.csv", "file: daten.parquet")
    fails(paket, "keine lesbare Parquet-Datei")


def test_year_with_text(paket):
    df = paket.table().astype({"jahr": object})
    df.loc[6, "jahr"] = "2021a"
    err = fails(paket.write_table(df), "Jahresspalte enthält kein Jahr, sondern „2021a“")
    assert (err.field, err.row) == ("jahr", 8)


def test_row_without_year(paket):
    df = paket.table().astype({"jahr": "Int64"})
    df.loc[3, "jahr"] = pd.NA
    err = fails(paket.write_table(df), "Jahresspalte enthält kein Jahr")
    assert err.row == 5


def test_row_without_id(paket):
    df = paket.table()
    df.loc[10, "gebiet_id"] = None
    err = fails(paket.write_table(df), "1 Zeile\\(n\\) ohne Kennung")
    assert (err.field, err.row) == ("gebiet_id", 12)


def test_decimal_comma_in_comma_separated_file(paket):
    df = paket.table().astype({"arbeitslose": object})
    df.loc[20, "arbeitslose"] = "12,5"
    err = fails(paket.write_table(df), "Spalte „arbeitslose“ enthält keinen Zahlenwert: „12,5“")
    assert err.row == 22 and "Dezimalkomma" in err.hint


def test_placeholder_for_withheld_value(paket):
    df = paket.table().astype({"arbeitslose": object})
    df.loc[2, "arbeitslose"] = "."
    assert "Platzhalter" in fails(paket.write_table(df), "keinen Zahlenwert: „.“").hint


def test_conflicting_duplicates(paket):
    df = paket.table()
    extra = df.iloc[[5]].assign(arbeitslose=99)
    err = fails(paket.write_table(pd.concat([df, extra])), "mehrfach und mit verschiedenen Werten")
    assert err.row == len(df) + 2 and "Zeilen 7, 704" in str(err)


def test_year_column_named_wrong(paket):
    paket.edit("year: jahr", "year: Jahr")  # the table has „jahr“, the params name „Jahr“
    err = fails(paket, "Jahresspalte „Jahr“ fehlt")
    assert "Vorhandene Spalten" in err.hint


def test_year_column_missing(paket):
    (paket.folder / "daten.csv").write_text("gebiet_id,arbeitslose,ew_15bis65\n07232001,1,16\n", encoding="utf-8")
    fails(paket, "Jahresspalte „jahr“ fehlt")


def test_id_column_clash(paket):
    df = paket.table()
    paket.write_table(df.assign(ags=df["gebiet_id"])).edit("  id: gebiet_id\n  year", "  id: ags\n  year")
    fails(paket, "Spalte „gebiet_id“ gibt es schon")


def test_id_column_missing(paket):
    paket.edit("  id: gebiet_id\n  year", "  id: AGS\n  year")
    fails(paket, "Kennungsspalte „AGS“ fehlt")


def test_duplicate_header(paket):
    text = (paket.folder / "daten.csv").read_text(encoding="utf-8").replace("ew_15bis65\n", "arbeitslose \n", 1)
    (paket.folder / "daten.csv").write_text(text, encoding="utf-8")
    assert fails(paket, "„arbeitslose“ steht mehrfach in der Kopfzeile").row == 1


def test_binary_file_as_csv(paket):
    shutil.copy(paket.folder / "gebiete.gpkg", paket.folder / "daten.csv")
    fails(paket, "keine Textdatei")


def test_area_without_data(paket):
    df = paket.table()
    paket.write_table(df[df["gebiet_id"] != "07232018"])
    err = fails(paket, "1 Gebiete der Geometrie .* keine Daten für 2021, z. B. „07232018“")
    assert err.field == "gebiet_id"


# -- geometry -----------------------------------------------------------------------------------------------

def test_not_a_geometry_file(paket):
    (paket.folder / "gebiete.gpkg").write_text("kein GeoPackage", encoding="utf-8")
    assert fails(paket, "keine lesbare Geodatei").file == "gebiete.gpkg"


def test_table_given_as_geometry(paket):
    paket.edit("file: gebiete.gpkg", "file: daten.csv").edit("  layer: gemeinden\n", "")
    fails(paket, "keine Geometrien|Geodatei")


def test_layer_missing(paket):
    paket.edit("layer: gemeinden", "layer: gemeinde")
    err = fails(paket, "Layer „gemeinde“ fehlt")
    assert err.field == "areas.layer" and "gemeinden, verbandsgemeinden" in err.hint


def test_parent_layer_missing(paket):
    paket.edit("layer: verbandsgemeinden", "layer: vg")
    assert fails(paket, "Layer „vg“ fehlt").field == "areas.parents.0.layer"


def test_geometry_without_crs(paket):
    gdf = paket.areas()
    gdf.crs = None
    fails(paket.write_areas(gdf), "kein Koordinatenreferenzsystem")


def test_lonlat_coordinates_in_projected_crs(paket):
    gdf = paket.areas().to_crs(4326).set_crs(25832, allow_override=True)
    row = finding(paket.write_areas(gdf).load(), "Koordinatenreferenzsystem")
    assert row["Ergebnis"] == "Warnung" and "sehen nach Längen-/Breitengraden aus, EPSG:25832" in row["Details"]


def test_metres_in_geographic_crs(paket):
    gdf = paket.areas().set_crs(4326, allow_override=True)
    assert fails(paket.write_areas(gdf), "keine Längen-/Breitengrade.*EPSG:4326").field == "crs"


def test_duplicate_geometry_ids(paket):
    gdf = paket.areas()
    gdf.loc[1, "gebiet_id"] = gdf.loc[0, "gebiet_id"]
    err = fails(paket.write_areas(gdf), "Kennung „07232001“ kommt mehrfach vor")
    assert (err.file, err.field) == ("gebiete2.gpkg", "gebiet_id")


def test_points_instead_of_areas(paket):
    gdf = paket.areas()
    gdf = gdf.set_geometry(gdf.geometry.representative_point())
    fails(paket.write_areas(gdf), "Erwartet werden Flächen.*Point")


def test_geometry_id_column_missing(paket):
    paket.edit("  id: gebiet_id\n  name", "  id: ags\n  name")
    fails(paket, "Spalte „ags“ fehlt in den Geometrien")


def test_geometry_with_integer_ids(paket):
    gdf = paket.areas()
    paket.write_areas(gdf.assign(gebiet_id=gdf["gebiet_id"].astype(int)))
    assert "Führende Nullen verloren" in fails(paket, "keine Daten für 2021").hint


# -- findings (the package loads, the check reports) ------------------------------------------------------------

def test_numerator_above_denominator_is_an_error_finding(paket):
    df = paket.table()
    df.loc[4, "arbeitslose"] = df.loc[4, "ew_15bis65"] + 5
    row = finding(paket.write_table(df).load(), "Zähler ≤ Nenner")
    assert (row["Ergebnis"], row["Feld"], row["Zeile"]) == ("Fehler", "arbeitslose", "6")


def test_negative_count(paket):
    df = paket.table()
    df.loc[7, "ew_15bis65"] = -3
    row = finding(paket.write_table(df).load(), "negativen Fallzahlen")
    assert (row["Ergebnis"], row["Feld"], row["Zeile"]) == ("Fehler", "ew_15bis65", "9")


def test_jump_between_years(paket):
    df = paket.table()
    big = (df["gebiet_id"] == "07232018") & (df["jahr"] == 2021)
    df.loc[big, "ew_15bis65"] = 30000
    row = finding(paket.write_table(df).load(), "Entwicklung zwischen den Jahren")
    assert row["Ergebnis"] == "Warnung" and "ew_15bis65 in „07232018“ 2020→2021" in row["Details"]
    assert "10 Prozentpunkte" in row["Details"]


def test_missing_year(paket):
    df = paket.table()
    df = pd.concat([df[df["jahr"] != 2020], df[df["jahr"] == 2021].assign(jahr=2022)])  # 2019, 2021, 2022
    row = finding(paket.write_table(df).load(), "Lückenlose Jahresfolge")
    assert row["Ergebnis"] == "Warnung" and "es fehlen 2020" in row["Details"]


def test_biennial_years_are_no_gap(paket):
    df = paket.table()
    df = pd.concat([df[df["jahr"] != 2020], df[df["jahr"] == 2021].assign(jahr=2023)])
    table = sp.analysis.needs.findings(paket.write_table(df).load())
    assert table.set_index("Prüfung").loc["Lückenlose Jahresfolge", "Ergebnis"] == "ok"


def test_crs_in_degrees(paket):
    row = finding(paket.write_areas(paket.areas().to_crs(4326)).load(), "Koordinatenreferenzsystem")
    assert row["Ergebnis"] == "Warnung" and "nicht in Metern" in row["Details"]


def test_wrong_crs_assigned(paket):
    gdf = paket.areas().to_crs(31466).set_crs(25832, allow_override=True)  # Gauß-Krüger labelled as UTM
    row = finding(paket.write_areas(gdf).load(), "Koordinatenreferenzsystem")
    assert "außerhalb des Gültigkeitsbereichs" in row["Details"]


def test_invalid_geometry_repaired(paket):
    gdf = paket.areas()
    x, y = gdf.geometry.iloc[3].representative_point().coords[0]
    gdf.loc[3, "geometry"] = Polygon([(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100)])  # bow-tie
    dp = paket.write_areas(gdf).load()
    row = finding(dp, "Gültige Geometrien")
    assert row["Ergebnis"] == "Warnung" and gdf.loc[3, "gebiet_id"] in row["Details"]
    assert dp.areas.geometry.is_valid.all()


def test_exact_duplicate_rows_are_dropped(paket):
    df = paket.table()
    dp = paket.write_table(pd.concat([df, df.iloc[[3, 8]]])).load()
    row = finding(dp, "Doppelte Zeilen")
    assert row["Zeile"] == f"{len(df) + 2}, {len(df) + 3}" and len(dp.table) == len(df)


def test_mojibake_in_area_names(paket):
    gdf = paket.areas()
    gdf.loc[0, "name"] = "MÃ¼hlenbach"
    row = finding(paket.write_areas(gdf).load(), "Zeichenkodierung")
    assert "„MÃ¼hlenbach“ (gemeint: „Mühlenbach“?)" in row["Details"]


def test_mojibake_in_table(paket):
    df = paket.table().assign(bemerkung="")
    df.loc[5, "bemerkung"] = "GrÃ¶ÃŸe geschätzt"
    row = finding(paket.write_table(df).load(), "Zeichenkodierung")
    assert (row["Feld"], row["Zeile"]) == ("bemerkung", "7")


def test_text_column_with_decimal_comma(paket):
    df = paket.table().assign(quote=lambda d: (d["arbeitslose"] / d["ew_15bis65"]).round(3).astype(str)
                              .str.replace(".", ",", regex=False))
    row = finding(paket.write_table(df).load(), "Zahlenformat")
    assert row["Feld"] == "quote" and "Dezimalkomma" in row["Details"]


def test_thousands_point_read_as_decimal(paket):
    df = paket.table()
    df["ew_15bis65"] = df["ew_15bis65"].where(df["ew_15bis65"] < 1000, df["ew_15bis65"] / 1000)
    row = finding(paket.write_table(df).load(), "Zahlenformat der Fallzahlen")
    assert row["Ergebnis"] == "Fehler"  # validate exits 2: no silently wrong count
    assert row["Feld"] == "ew_15bis65" and "drei Nachkommastellen" in row["Details"] and 'decimal: "."' in row["Details"]


def test_decimal_counts_confirmed_by_setting(paket):
    df = paket.table()
    df["ew_15bis65"] = df["ew_15bis65"].where(df["ew_15bis65"] < 1000, df["ew_15bis65"] / 1000)
    paket.write_table(df).edit("  population:", '  decimal: "."\n  population:')
    assert finding(paket.load(), "Zahlenformat der Fallzahlen")["Ergebnis"] == "Hinweis"


def test_table_ids_not_in_geometry(paket):
    df = paket.table()
    extra = df.iloc[[0]].assign(gebiet_id="07232", arbeitslose=1500, ew_15bis65=60000)
    row = finding(paket.write_table(pd.concat([df, extra])).load(), "Kennung der Tabelle in der Geometrie")
    assert row["Ergebnis"] == "Warnung" and "„07232“" not in row["Details"] and "07232" in row["Details"]
    assert row["Zeile"] == str(len(df) + 2)


def test_ids_lost_leading_zeros_in_one_year(paket):
    df = paket.table()
    old = df["jahr"] == 2019
    df.loc[old, "gebiet_id"] = df.loc[old, "gebiet_id"].str.lstrip("0")
    dp = paket.write_table(df).load()
    assert "Führende Nullen verloren? Kennungen als Text speichern" in finding(dp, "in der Geometrie")["Details"]
    assert "7 und 8 Stellen" in finding(dp, "Kennungen gleich lang")["Details"]


def test_area_missing_in_one_year(paket):
    df = paket.table()
    df = df[~((df["gebiet_id"] == "07232018") & (df["jahr"] == 2019))]
    row = finding(paket.write_table(df).load(), "Jedes Gebiet der Geometrie mit Daten")
    assert row["Ergebnis"] == "Hinweis" and "2019: 1" in row["Details"]


CORPUS = {  # file in tests/bad_inputs/ → None (loads, counts as in the demo) or (message, field, line)
    "deutsch_latin1.csv": None,
    "excel_unicode_text.csv": None,
    "tausenderpunkt_semikolon.csv": None,
    "tausenderpunkt_komma.csv": None,
    "tausenderpunkt_dezimalkomma.csv": None,
    "excel_ohne_nullen.csv": ("234 Gebiete der Geometrie (gebiete.gpkg) haben keine Daten für 2021", "gebiet_id", None),
    "fussnote.csv": ("Die Jahresspalte enthält kein Jahr.", "jahr", 704),
    "nur_kopfzeile.csv": ("Für das Berichtsjahr 2021 gibt es keine Zeilen.", "jahr", None),
    "platzhalter.csv": ("Die Spalte „arbeitslose“ enthält keinen Zahlenwert: „.“.", "arbeitslose", 5),
    "gemischte_dezimalzeichen.csv": ("Die Spalte „quote“ mischt Dezimalpunkt und Dezimalkomma: „6.25“ in Zeile(n) "
                                     "5, 11, „6,25“ in Zeile(n) 2, 3, 4, 6, 7 … (700 insgesamt).", "quote", 5),
    "dezimalpunkt_in_deutscher_datei.csv": ("Die Spalte „anteil“ hat Zahlen mit Dezimalpunkt (", "anteil", 2),
    "unendlich_nenner.csv": ("Die Spalte „ew_15bis65“ enthält einen unendlichen Wert („inf“).", "ew_15bis65", 42),
    "unendlich_zaehler_semikolon.csv": ("Die Spalte „arbeitslose“ enthält einen unendlichen Wert („-Infinity“).",
                                        "arbeitslose", 14),
    "utf16_ohne_bom.csv": ("Die Datei ist UTF-16-kodiert, aber ohne Byte-Order-Mark (BOM).", None, None),
    "leerzeichen_tausender.csv": ("Die Spalte „ew_15bis65“ enthält keinen Zahlenwert: „10 190“.", "ew_15bis65", 53),
}


def test_corpus_is_complete():
    assert sorted(CORPUS) == sorted(p.name for p in BAD.glob("*.csv"))


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_files_in_bad_inputs_folder(paket, name):
    """The small files in tests/bad_inputs/ (German CSV quirks): the exact German message, or loaded right."""
    shutil.copy(BAD / name, paket.folder / "daten.csv")
    if CORPUS[name] is None:
        dp = paket.load()
        demo = pd.read_csv(DEMO / "daten.csv", dtype={"gebiet_id": str})
        assert dp.table[["arbeitslose", "ew_15bis65"]].to_numpy().tolist() == \
            demo[["arbeitslose", "ew_15bis65"]].to_numpy().tolist()  # 10.190 read as 10190
        assert not sp.data.checks.failed(sp.analysis.needs.findings(dp), strict=True)
        return
    message, field, row = CORPUS[name]
    err = fails(paket, re.escape(message))
    assert (err.file, err.field, err.row) == ("daten.csv", field, row)


RATE = """  Q1:
    name: "Quote"
    definition: "veröffentlichte Quote"
    themenfeld: "Arbeit"
    source: "synthetisch"
    stichtag: "2021-12-31"
    rate: quote
    weight: ew_15bis65
"""


def _semicolon_with_rate(paket, rates: list[str]) -> Paket:
    """A „;“ table without any decimal comma and a published rate column, catalogue entry Q1."""
    df = paket.table()
    df["quote"] = [rates[i % len(rates)] for i in range(len(df))]
    paket.write_table(df, sep=";")
    with open(paket.folder / "indikatoren.yaml", "a", encoding="utf-8") as f:
        f.write(RATE)
    return paket


def test_rate_with_three_decimals_asks_for_decimal_setting(paket):
    err = fails(_semicolon_with_rate(paket, ["12.345", "7.891"]), "ob der Punkt in „12.345“ ein Dezimalpunkt oder ein "
                "Tausendertrennzeichen ist: die Datei enthält keine Zahl mit Dezimalkomma oder Dezimalpunkt")
    assert (err.file, err.field, err.row) == ("daten.csv", "quote", 2)
    assert err.hint.startswith('In der Parameterdatei unter „data:“ angeben: decimal: "."')


@pytest.mark.parametrize(("setting", "expected"), [(".", 12.345), (",", 12345.0)])
def test_decimal_setting_decides(paket, setting, expected):
    _semicolon_with_rate(paket, ["12.345", "7.891"]).edit("  population:", f'  decimal: "{setting}"\n  population:')
    assert paket.load().table["quote"].iloc[0] == expected


def test_decimal_setting_must_agree_with_file(paket):
    shutil.copy(BAD / "tausenderpunkt_dezimalkomma.csv", paket.folder / "daten.csv")
    paket.edit("  population:", '  decimal: "."\n  population:')
    err = fails(paket, "In den Parametern steht decimal: „.“, die Datei verwendet aber das Dezimalkomma.")
    assert (err.field, err.row) == ("quote", 2)


def test_decimal_setting_typo(paket):
    paket.edit("  population:", '  decimal: ";"\n  population:')
    err = fails(paket, "Der Wert „;“ ist nicht erlaubt. Erlaubt sind: '.' oder ','")
    assert err.field == "data.decimal"


def test_infinite_denominator_is_no_rate_of_zero(paket):
    """The issue: „inf“ as a denominator gave a rate of 0.0 and exit code 0."""
    df = paket.table().astype({"ew_15bis65": object})
    df.loc[7, "ew_15bis65"] = "inf"
    err = fails(paket.write_table(df), re.escape("Die Spalte „ew_15bis65“ enthält einen unendlichen Wert („inf“)."))
    assert (err.field, err.row) == ("ew_15bis65", 9)


def test_infinite_value_in_parquet(paket):
    df = paket.table().astype({"ew_15bis65": float})
    df.loc[3, "ew_15bis65"] = float("-inf")
    err = fails(paket.write_table(df, "daten.parquet"), re.escape("enthält einen unendlichen Wert („-inf“)"))
    assert (err.field, err.row) == ("ew_15bis65", 5)


def test_validate_mixed_decimals_exits_2(paket, capsys):
    shutil.copy(BAD / "gemischte_dezimalzeichen.csv", paket.folder / "daten.csv")
    assert main(["validate", str(paket.params)]) == 2
    assert "Datei daten.csv, Feld „quote“, Zeile 5: Die Spalte „quote“ mischt" in capsys.readouterr().err


# -- command line ------------------------------------------------------------------------------------------------

def test_cli_exit_codes(paket, capsys):
    assert main(["validate", str(paket.params)]) == 0
    df = paket.table()
    df = pd.concat([df[df["jahr"] != 2020], df[df["jahr"] == 2021].assign(jahr=2022)])  # a Warnung: 2020 fehlt
    paket.write_table(df)
    assert main(["validate", str(paket.params)]) == 0
    out = capsys.readouterr().out
    assert "Warnung  Lückenlose Jahresfolge" in out
    assert main(["validate", "--streng", str(paket.params)]) == 2
    out = capsys.readouterr().out
    assert "ok       Kennungen eindeutig" in out  # the full table
    df.loc[df.index[0], "ew_15bis65"] = -1  # a Fehler: exit 2 also without --streng
    paket.write_table(df)
    assert main(["validate", str(paket.params)]) == 2


def test_cli_user_mistake_exit_2_without_traceback(paket):
    paket.edit("report_year: 2021", "report_year: [2021")
    (paket.folder / "daten.csv").write_text("", encoding="utf-8")
    other = Paket(paket.folder.parent / "zwei")
    (other.folder / "daten.csv").write_text("", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "sozialplanung.cli", "validate", str(paket.params),
                          str(other.params)], capture_output=True, text=True)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "YAML-Syntax" in res.stderr and "Datei daten.csv: Die Datei ist leer" in res.stderr
