"""A new Kommune's files as published (issue 13, items 2, 6, 7): loaded without editing them.

The spreadsheet tests/onboarding/prognoseraeume.{xlsx,ods,xls} is built from the Berlin demo data by
tests/onboarding/build.py: two title rows, a header in row 3, areas named by name, no year column,
„.“ for unpublished values, total rows of Berlin and of each Bezirk (Bezirk „Neukölln“ has the name
of a Prognoseraum). The INKAR sheets are the raw BBSR exports in ../shared/data.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

import sozialplanung as sp
from sozialplanung.errors import SozialplanungError
from sozialplanung.analysis import needs
from sozialplanung.data import checks
from sozialplanung.data import datenschutz
from sozialplanung.data.datenpaket import Datenpaket
from sozialplanung.data.inputs import read_inputs
from sozialplanung.data.tablefiles import read_table
from sozialplanung.config.validation import SeveralErrors
from conftest import REPO, edit_yaml

HERE = Path(__file__).parents[1] / "onboarding"
BERLIN = REPO / "lib" / "sozialplanung" / "demo" / "berlin"
KREISE = REPO / "lib" / "sozialplanung" / "demo" / "kreise"

CATALOGUE = """indicators:
{entries}"""
ENTRY = """  {key}:
    name: "{name}"
    definition: "{name}, Anteil in %"
    themenfeld: "Arbeit und Transferbezug"
    unit: "{unit}"
    rate: {key}
    weight: einwohner
    source: "Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen Berlin, MSS 2021"
    stichtag: "2020-12-31"
"""
PARAMS = """kommune: Berlin
slug: berlin-prognoseraeume
report_year: 2021
areas:
  file: prognoseraeume.gpkg
  id: name
  name: name
  level: Prognoseraum
  parents:
    - {{level: Bezirk, file: bezirke.gpkg, id: bez_name, name: bez_name, column: bezirk}}
data:
  file: {table}
  header_row: 3
  id: Gebiet
  rename: {{"Einwohner insgesamt": einwohner, "Arbeitslosigkeit (S1) in %": S1, "Transferbezug (S3) in %": S3,
           "Kinderarmut (S4) in %": S4}}
  missing: ["."]
  totals: {{column: Ebene, values: {{Bezirk: Bezirk, Kommune: Land}}}}
catalogue: katalog.yaml
analyses:
  run: [faktorenanalyse, raeumliche_statistik]
  spatial: {{indicator: S1}}
"""


def load(path) -> Datenpaket:
    """What load_datenpaket does once it calls read_inputs (the change proposed for datenpaket.py)."""
    params = sp.read_params(path)
    areas, parents, table, totals, catalogue = read_inputs(params)
    dp = Datenpaket(params=params, areas=areas, parents=parents, table=table, catalogue=catalogue, inputs={})
    dp.totals = totals
    datenschutz.protect(dp)
    dp.__dict__.pop("_values_cache", None)
    return dp


def finding(dp, check: str) -> pd.Series:
    table = needs.findings(dp)
    rows = table[table["Prüfung"] == check]
    assert len(rows) == 1, checks.format_findings(table)
    return rows.iloc[0]


@pytest.fixture()
def kommune(tmp_path) -> Path:
    """Prognoseräume (named by name) and Bezirke in their own GeoPackage, the spreadsheet, a catalogue."""
    pgr = gpd.read_file(BERLIN / "gebiete.gpkg", layer="prognoseraeume")
    bez = gpd.read_file(BERLIN / "gebiete.gpkg", layer="bezirke")
    names = dict(zip(bez["gebiet_id"], bez["name"]))
    pgr.assign(bezirk=pgr["gebiet_id"].str[:2].map(names))[["name", "bezirk", "geometry"]].to_file(
        tmp_path / "prognoseraeume.gpkg", driver="GPKG")
    bez.rename(columns={"gebiet_id": "bez_nr", "name": "bez_name"}).to_file(tmp_path / "bezirke.gpkg", driver="GPKG")
    for suffix in ("xlsx", "ods", "xls"):
        (tmp_path / f"prognoseraeume.{suffix}").write_bytes((HERE / f"prognoseraeume.{suffix}").read_bytes())
    entries = [ENTRY.format(key=k, name=n, unit="%") for k, n in
               [("S1", "Arbeitslosigkeit"), ("S3", "Transferbezug"), ("S4", "Kinderarmut")]]
    (tmp_path / "katalog.yaml").write_text(CATALOGUE.format(entries="".join(entries)), encoding="utf-8")
    path = tmp_path / "params.yaml"
    path.write_text(PARAMS.format(table="prognoseraeume.xlsx"), encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", ["xlsx", "ods", "xls"])
def test_published_spreadsheet_loads_unedited(kommune, suffix):
    edit_yaml(kommune, "prognoseraeume.xlsx", f"prognoseraeume.{suffix}")
    dp = load(kommune)
    assert len(dp.areas) == 58 and len(dp.table) == 58 and dp.years() == [2021]
    assert dp.parents["Bezirk"].loc["Neukölln", "name"] == "Neukölln"
    assert dp.areas.loc["Neukölln", "Bezirk"] == "Neukölln"  # the Prognoseraum, in the Bezirk of that name
    totals = dp.totals.set_index(["ebene", "gebiet_id"])
    assert len(totals) == 13 and totals.loc[("Kommune", "Berlin"), "einwohner"] == 3769962
    assert dp.table.set_index("gebiet_id").loc["Neukölln", "einwohner"] < totals.loc[("Bezirk", "Neukölln"), "einwohner"]
    assert pd.isna(dp.table.set_index("gebiet_id").loc["Zentrum", "S3"])
    assert not checks.failed(needs.findings(dp))


def test_unpublished_cells_are_missing_data_not_not_assessed(kommune):
    dp = load(kommune)
    source = checks.missing_in_source(dp)
    assert source.loc["Zentrum", "S3"] and source.loc["Buch", "S4"] and source.to_numpy().sum() == 2
    assert "Zentrum" not in dp.not_rated.get(2021, []) and dp.assessed_ids(["Zentrum"]) == ["Zentrum"]
    assert not dp.withheld().loc["Zentrum", "S3"]  # not withheld by this report's Datenschutz
    row = finding(dp, "Fehlende Werte im Berichtsjahr")
    assert row["Details"] == "S3, S4: je 1 Gebiete (in der Quelle als fehlend markiert 1)"
    table = needs.findings(dp)
    rows = table[table["Prüfung"] == "Eingelesen: Fehlende Werte (Codes)"]
    assert rows[["Feld", "Zeile"]].values.tolist() == [["S3", "6"], ["S4", "17"]]
    assert rows["Details"].str.contains("in der Quelle nicht veröffentlicht, kein Datenschutz dieses Berichts").all()


def test_every_reading_decision_is_a_finding(kommune):
    dp = load(kommune)
    table = needs.findings(dp)
    shown = dict(zip(table["Prüfung"] + " | " + table["Details"], table["Zeile"]))
    assert "Eingelesen: Kopfzeile | Kopfzeile in Zeile 3; Daten ab Zeile 4" in shown
    assert "Eingelesen: Jahr | keine Jahresspalte: alle Zeilen gelten für das Berichtsjahr 2021" in shown
    assert "Eingelesen: Spalten | „Einwohner insgesamt“ umbenannt in „einwohner“" in shown
    assert ("Eingelesen: Summenzeilen | 13 Summenzeile(n) nicht als Gebiete gelesen (Bezirk: 12, Kommune: 1); sie "
            "werden mit den berechneten Bezugswerten verglichen") in shown
    assert ("Eingelesen: Kennungen | die Kennungen der Gebiete sind ihre Namen; der Bericht nennt jedes Gebiet nur "
            "einmal") in shown
    lines = next(v for k, v in shown.items() if k.startswith("Eingelesen: Summenzeilen"))
    assert lines.startswith("4, 5, 10, ")  # Berlin in line 4, Mitte in line 5, Friedrichshain-Kreuzberg after 4 PGR


def test_published_totals_are_compared_with_both_numbers(kommune):
    dp = load(kommune)
    row = finding(dp, "Summenzeilen Bezirk: veröffentlicht = berechnet")
    # Zentrum's S3 is not published: the Bezirk value computed from the other Prognoseräume differs
    assert row["Ergebnis"] == "Warnung"
    assert re.search(r"S3 Mitte: veröffentlicht 16,0, aus den Gebieten \d+,\d", row["Details"])
    assert row["Details"].endswith("der Bericht zeigt die aus den Gebieten berechneten Werte")
    kommune_row = finding(dp, "Summenzeilen Kommune: veröffentlicht = berechnet")
    assert kommune_row["Zeile"] == "4"
    from sozialplanung.indicators import totals

    published = totals.published(dp).set_index(["ebene", "id"])
    assert published.loc[("Bezirk", "Mitte"), "S3"] == pytest.approx(15.95)
    assert not totals.replaced(dp)
    edit_yaml(kommune, "values: {Bezirk: Bezirk, Kommune: Land}}", "values: {Bezirk: Bezirk, Kommune: Land}, "
              "use: ersetzen}")
    dp = load(kommune)
    assert totals.replaced(dp)
    assert finding(dp, "Summenzeilen Bezirk: veröffentlicht = berechnet")["Ergebnis"] == "Hinweis"


def test_without_totals_the_duplicate_name_points_at_its_own_rows(kommune):
    edit_yaml(kommune, "  totals: {column: Ebene, values: {Bezirk: Bezirk, Kommune: Land}}\n", "")
    with pytest.raises(SozialplanungError) as exc:
        load(kommune)
    err = exc.value
    neukoelln = [i + 1 for i, r in enumerate(pd.read_excel(HERE / "prognoseraeume.xlsx", header=None).itertuples())
                 if r[3] == "Neukölln"]
    assert len(neukoelln) == 2
    assert f"Das Gebiet „Neukölln“ steht für das Jahr 2021 mehrfach und mit verschiedenen Werten in der Tabelle " \
           f"(Zeilen {neukoelln[0]}, {neukoelln[1]})." in str(err)
    assert err.row == neukoelln[1] and "data.totals" in err.hint


def test_undeclared_dots_report_every_column(kommune):
    edit_yaml(kommune, '  missing: ["."]\n', "")
    with pytest.raises(SeveralErrors) as exc:
        load(kommune)
    errors = exc.value.errors
    assert [(e.field, e.row) for e in errors] == [("S3", 6), ("S4", 17)]
    assert all(e.message.endswith("enthält keinen Zahlenwert: „.“.") for e in errors)
    assert 'data: {missing: ["."]}' in errors[0].hint
    assert str(exc.value).startswith("Datei prognoseraeume.xlsx: 2 Fehler:\n  1. Feld „S3“, Zeile 6:")


def test_columns_by_letter(kommune):
    edit_yaml(kommune, "  id: Gebiet\n", "  id: C\n  population: D\n")
    edit_yaml(kommune, '"Einwohner insgesamt": einwohner, ', "")
    text = (kommune.parent / "katalog.yaml").read_text(encoding="utf-8").replace("weight: einwohner", "weight: D")
    (kommune.parent / "katalog.yaml").write_text(text, encoding="utf-8")
    dp = load(kommune)
    assert dp.population().loc["Moabit"] == 86828
    details = needs.findings(dp)["Details"].tolist()
    assert "Spalte C („Gebiet“) als Kennung (data.id)" in details
    assert "Spalte D („Einwohner insgesamt“) als data.population" in details


def test_letter_beyond_the_last_column(kommune):
    edit_yaml(kommune, "  id: Gebiet\n", "  id: Q\n")
    with pytest.raises(SozialplanungError, match=re.escape("Die Kennungsspalte „Q“ fehlt.")) as exc:
        load(kommune)
    assert "(Kopfzeile: Zeile 3)" in exc.value.hint


def test_parent_layer_without_its_columns_says_so(kommune):
    edit_yaml(kommune, "id: bez_name, name: bez_name", "name: bez_name")
    with pytest.raises(SozialplanungError) as exc:
        load(kommune)
    err = exc.value
    assert err.message == "Die Kennungsspalte „gebiet_id“ fehlt im Layer der übergeordneten Ebene Bezirk " \
                          "(areas.parents.0)."
    assert err.file == "bezirke.gpkg" and "Vorhandene Spalten: bez_nr, bez_name" in err.hint
    assert "{level: Bezirk, file: bezirke.gpkg, id: bez_id, name: bez_name, column: bezirk_id}" in err.hint


def test_parent_id_missing_in_parent_file(kommune):
    bez = gpd.read_file(kommune.parent / "bezirke.gpkg")
    bez[bez["bez_name"] != "Spandau"].to_file(kommune.parent / "bezirke.gpkg", driver="GPKG")
    with pytest.raises(SozialplanungError, match="1 Kennung\\(en\\) der Ebene Bezirk fehlen im Layer der Ebene, "
                                                 "z. B. „Spandau“"):
        load(kommune)


def test_analyses_needs_are_validated(kommune):
    text = (kommune.parent / "katalog.yaml").read_text(encoding="utf-8")
    (kommune.parent / "katalog.yaml").write_text(text[:text.index("  S4:")], encoding="utf-8")
    dp = load(kommune)
    row = finding(dp, "Voraussetzungen: Faktorenanalyse")
    assert row["Ergebnis"] == "Fehler" and checks.failed(needs.findings(dp))
    assert row["Details"].startswith("Faktorenanalyse: Mindestens 3 Indikatoren werden gebraucht, gefunden: 2. Die Analyse würde beim ")
    assert finding(dp, "Voraussetzungen: Räumliche Statistik")["Ergebnis"] == "ok"


def test_the_thresholds_are_those_of_the_estimators():
    """needs.py checks the numbers the analyses enforce: fewer fail there, exactly that many pass."""
    import numpy as np

    from sozialplanung.analysis import needs
    from sozialplanung.analysis.factor import FactorAnalysis
    from sozialplanung.analysis.spatial import SpatialAutocorrelation
    from shapely.geometry import box

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(60, needs.FACTOR_MIN_INDICATORS)), columns=list("abc"))
    FactorAnalysis(1).fit(frame)
    with pytest.raises(SozialplanungError, match=f"Mindestens {needs.FACTOR_MIN_INDICATORS} Indikatoren"):
        FactorAnalysis(1).fit(frame.iloc[:, :needs.FACTOR_MIN_INDICATORS - 1])
    n = needs.SPATIAL_MIN_AREAS
    gdf = gpd.GeoDataFrame({"v": [1.0, 2.0, 4.0, 3.0][:n]}, geometry=[box(i, 0, i + 1, 1) for i in range(n)],
                           index=[str(i) for i in range(n)], crs=25833)
    SpatialAutocorrelation(permutations=99).fit(gdf, "v")
    with pytest.raises(SozialplanungError, match="Zu wenige benachbarte Gebiete"):
        SpatialAutocorrelation(permutations=99).fit(gdf.iloc[:n - 1], "v")


# -- the INKAR sheets as delivered ------------------------------------------------------------------------------

def test_inkar_raw_sheet_with_layout_breit(shared_data):
    raw = shared_data / "inkar_kreise" / "inkar_raw_kreise" / "A_ArbeitslosigkeitKreis.xls"
    df = read_table(raw, id_column="Kennziffer", sheet="Daten", layout="breit", header_row=1, year_row=2)
    assert list(df.columns) == ["Kennziffer", "Raumeinheit", "Aggregat", "jahr", "Arbeitslose"]
    assert len(df) == 400 * 27 and df["jahr"].min() == 1995 and df["jahr"].max() == 2021
    long = pd.read_csv(shared_data / "inkar_kreise" / "inkar_kreise_long.csv", dtype={"kreis_id": str})
    long = long[long["indicator"] == "arbeitslose_anzahl"].set_index(["kreis_id", "year"])["value"]
    got = df.set_index(["Kennziffer", "jahr"])["Arbeitslose"]
    assert got.loc[("01001", 1995)] == 4691 and got.loc[("16077", 2021)] == long.loc[("16077", 2021)]
    assert got.reindex(long.index).tolist() == long.tolist()
    assert df.attrs["erste_zeile"] == 3 and df.attrs["format"]["layout"] == "breit (27 Jahresspalten je Indikator)"


def test_inkar_two_header_rows_joined(shared_data):
    raw = shared_data / "inkar_kreise" / "inkar_raw_kreise" / "A_ArbeitslosigkeitKreis.xls"
    df = read_table(raw, id_column="Kennziffer", header_row=[1, 2])
    assert list(df.columns[:5]) == ["Kennziffer", "Raumeinheit", "Aggregat", "Arbeitslose 1995", "Arbeitslose 1996"]
    assert df.loc[0, "Arbeitslose 1995"] == 4691 and df.attrs["erste_zeile"] == 3


def test_inkar_raw_sheet_as_datenpaket(shared_data, tmp_path):
    """The raw INKAR sheet with the Kreis geometry: a Datenpaket, no edit of the sheet."""
    raw = shared_data / "inkar_kreise" / "inkar_raw_kreise" / "A_ArbeitslosigkeitKreis.xls"
    (tmp_path / "katalog.yaml").write_text("""indicators:
  AL:
    name: "Arbeitslose"
    definition: "Arbeitslose im Jahresdurchschnitt"
    themenfeld: "Arbeit"
    unit: "Personen"
    rate: Arbeitslose
    source: "Laufende Raumbeobachtung des BBSR – INKAR, Ausgabe 03/2024"
    stichtag: "2021-12-31"
""", encoding="utf-8")
    (tmp_path / "params.yaml").write_text(f"""kommune: Deutschland
slug: inkar
report_year: 2021
areas: {{file: {KREISE / 'gebiete.gpkg'}, layer: kreise, level: Kreis,
         parents: [{{column: land_id, level: Land, layer: laender}}]}}
data: {{file: {raw}, sheet: Daten, layout: breit, header_row: 1, year_row: 2, id: Kennziffer, population: null}}
catalogue: katalog.yaml
analyses: {{run: [raeumliche_statistik]}}
""", encoding="utf-8")
    dp = load(tmp_path / "params.yaml")
    assert dp.years() == list(range(1995, 2022)) and dp.catalogue["AL"].decimals == 0
    long = pd.read_csv(shared_data / "inkar_kreise" / "inkar_kreise_long.csv", dtype={"kreis_id": str})
    assert dp.values().loc["01001", "AL"] == long.query("kreis_id == '01001' and year == 2021 and "
                                                        "indicator == 'arbeitslose_anzahl'")["value"].item()
    details = needs.findings(dp)["Details"].tolist()
    assert "eine Spalte je Jahr (Jahre in Zeile 2: 1995–2021) in eine Zeile je Gebiet und Jahr umgeformt" in details


# -- format fields ----------------------------------------------------------------------------------------------

def test_year_null_and_year_column_present(kommune, tmp_path):
    edit_yaml(kommune, "  id: Gebiet\n", "  id: Gebiet\n  year: null\n")
    assert load(kommune).years() == [2021]
    edit_yaml(kommune, '"Kinderarmut (S4) in %": S4', '"Kinderarmut (S4) in %": S4, Nr.: jahr')
    with pytest.raises(SozialplanungError, match="Ohne Jahresspalte \\(year: null\\) darf die Tabelle keine Spalte"):
        load(kommune)


def test_units_and_decimals(kommune):
    text = (kommune.parent / "katalog.yaml").read_text(encoding="utf-8")
    (kommune.parent / "katalog.yaml").write_text(text.replace('unit: "%"', 'unit: "Jahre"\n    decimals: 2', 1),
                                                 encoding="utf-8")
    dp = load(kommune)
    assert (dp.catalogue["S1"].unit, dp.catalogue["S1"].decimals, dp.catalogue["S3"].decimals) == ("Jahre", 2, 1)
    (kommune.parent / "katalog.yaml").write_text(text.replace('unit: "%"', 'unit: "Jahr"', 1), encoding="utf-8")
    with pytest.raises(SozialplanungError, match="Der Wert „Jahr“ ist nicht erlaubt. Erlaubt sind: .*'Jahre'.*"
                                                 "'€ je Einwohner/in'"):
        load(kommune)


def test_builtin_recipe_name(mitte_params):
    edit_yaml(mitte_params, "recipe: ../rezepte/mss.yaml", "recipe: sozialformel")
    params = sp.read_params(mitte_params)
    assert params.resolve(params.recipe) == REPO / "params" / "rezepte" / "sozialformel.yaml"
    edit_yaml(mitte_params, "recipe: sozialformel", "recipe: sozialformal")
    with pytest.raises(SozialplanungError, match="„sozialformal“ existiert nicht") as exc:
        sp.read_params(mitte_params)
    assert "Mitgelieferte Rezepte (nur der Name, z. B. recipe: sozialformel): gisd, kreise_sozialformel, mss, rang, " \
           "sozialformel." in exc.value.hint


def test_parents_by_id_prefix(mitte_params):
    edit_yaml(mitte_params, """    - {column: bezirksregion_id, level: Bezirksregion, layer: bezirksregionen}
    - {column: prognoseraum_id, level: Prognoseraum, layer: prognoseraeume}
    - {column: bezirk_id, level: Bezirk, layer: bezirke}""", """    - {prefix: 6, level: Bezirksregion}
    - {prefix: 4, level: Prognoseraum, layer: prognoseraeume}
    - {prefix: 2, level: Bezirk}""")
    params = sp.read_params(mitte_params)
    from sozialplanung.data.geometry import read_geometry

    areas, parents = read_geometry(params)
    assert areas.loc["01100101", ["Bezirksregion", "Prognoseraum", "Bezirk"]].tolist() == ["011001", "0110", "01"]
    assert len(parents["Bezirk"]) == 12 and parents["Bezirk"].loc["01", "name"] == "01"
    assert parents["Prognoseraum"].loc["0110", "name"] == "Zentrum"  # from its layer


def test_every_params_error_at_once(mitte_params, capsys):
    edit_yaml(mitte_params, "paket:berlin/daten.csv", "paket:berlin/fehlt.csv")
    edit_yaml(mitte_params, "catalogue: paket:berlin/indikatoren.yaml", "catalogue: katalog_fehlt.yaml")
    edit_yaml(mitte_params, "level: Bezirk\n  ids", "level: Bezrik\n  ids")
    with pytest.raises(SeveralErrors) as exc:
        sp.read_params(mitte_params)
    assert [e.field for e in exc.value.errors] == ["data.file", "catalogue", "berichtsgebiet.level"]
    from sozialplanung.cli import main

    assert main(["validate", str(mitte_params)]) == 2
    err = capsys.readouterr().err
    assert "3 Fehler:" in err and "„paket:berlin/fehlt.csv“" in err and "„katalog_fehlt.yaml“" in err \
        and "Die Ebene „Bezrik“ gibt es nicht." in err


def test_geometry_and_table_errors_together(kommune):
    edit_yaml(kommune, "  id: name\n", "  id: nummer\n")
    edit_yaml(kommune, "  id: Gebiet\n", "  id: Gebeit\n")
    with pytest.raises(SeveralErrors) as exc:
        load(kommune)
    assert [(e.file, e.field) for e in exc.value.errors] == [("prognoseraeume.gpkg", "nummer"),
                                                             ("prognoseraeume.xlsx", "Gebeit")]


# -- the MSS raw table as published (−9999 = missing, parents by id prefix) ----------------------------------------

MSS_PARAMS = """kommune: Berlin
slug: berlin-mss
report_year: 2021
areas:
  file: {shapes}
  id: PLR_ID
  name: PLR_NAME
  level: Planungsraum
  parents:
    - {{prefix: 6, level: Bezirksregion}}
    - {{prefix: 4, level: Prognoseraum}}
    - {{prefix: 2, level: Bezirk}}
data:
  file: {table}
  id: PLR_ID
  year: null
  population: EW
  missing: [-9999]
catalogue: katalog.yaml
analyses: {{run: [raeumliche_statistik], spatial: {{indicator: S1}}}}
"""


@pytest.fixture()
def mss(shared_data, tmp_path) -> Path:
    entries = [ENTRY.format(key=k, name=n, unit="%").replace("weight: einwohner", "weight: EW") for k, n in
               [("S1", "Arbeitslosigkeit"), ("S3", "Transferbezug"), ("S4", "Kinderarmut")]]
    (tmp_path / "katalog.yaml").write_text(CATALOGUE.format(entries="".join(entries)), encoding="utf-8")
    root = shared_data / "berlin_mss"
    path = tmp_path / "params.yaml"
    path.write_text(MSS_PARAMS.format(shapes=root / "geometry_lor2021_plr" / "lor_planungsraeume_2021.shp",
                                      table=root / "mss_2021" / "mss_2021_index_indikatoren.csv"), encoding="utf-8")
    return path


def test_mss_raw_table_with_minus_9999(mss):
    dp = load(mss)
    assert len(dp.areas) == 542 and len(dp.parents["Bezirk"]) == 12 and len(dp.parents["Bezirksregion"]) == 143
    source = checks.missing_in_source(dp)
    assert source["S1"].sum() == 6 and dp.values()["S1"].isna().sum() == 6  # the six invalid PLR
    assert finding(dp, "Codes für fehlende Werte")["Ergebnis"] == "ok"
    assert not checks.failed(needs.findings(dp))


def test_mss_undeclared_minus_9999_is_a_warning(mss):
    edit_yaml(mss, "  missing: [-9999]\n", "")
    row = finding(load(mss), "Codes für fehlende Werte")
    assert row["Ergebnis"] == "Warnung" and row["Feld"] == "S1, S3, S4"
    assert row["Details"] == ("Zellen mit -9999 oder ähnlichen Werten in Spalte „S1“ 6, „S3“ 6, „S4“ 6: ein Code für "
                              "fehlende Werte? Dann in der Parameterdatei angeben: data: {missing: [-9999]} (sonst wird "
                              "er als Zahl gerechnet)")
    assert row["Zeile"].startswith("101, 117, 171")


def test_published_totals_replace_the_reference_values_with_use_ersetzen(kommune):
    """``use: ersetzen``: the reference table, the comparisons and every reference_value show the published totals."""
    from sozialplanung.indicators import totals
    from sozialplanung.indicators.reference import compare_with_reference, computed_value, reference_table, \
        reference_value

    dp = load(kommune)
    before = reference_table(dp).set_index(["ebene", "id"])
    mitte = list(dp.areas.index[dp.areas["Bezirk"] == "Mitte"])
    assert before.loc[("Bezirk", "Mitte"), "S3"] != pytest.approx(15.95)  # computed without Zentrum's S3
    edit_yaml(kommune, "values: {Bezirk: Bezirk, Kommune: Land}}", "values: {Bezirk: Bezirk, Kommune: Land}, "
              "use: ersetzen}")
    dp = load(kommune)
    published = totals.published(dp).set_index(["ebene", "id"])
    after = reference_table(dp).set_index(["ebene", "id"])
    assert after.loc[("Bezirk", "Mitte"), "S3"] == pytest.approx(15.95)
    for ind in ("S1", "S3", "S4"):
        assert after.loc[("Kommune", ""), ind] == pytest.approx(published.loc[("Kommune", ""), ind])
        assert after.loc[("Bezirk", "Neukölln"), ind] == pytest.approx(published.loc[("Bezirk", "Neukölln"), ind])
    assert reference_value(dp, "S3", mitte) == (pytest.approx(15.95), False)  # published: exact, not „≈“
    assert computed_value(dp, "S3", mitte)[0] == pytest.approx(before.loc[("Bezirk", "Mitte"), "S3"])
    assert reference_value(dp, "S3", mitte[:3]) == computed_value(dp, "S3", mitte[:3])  # no total for these
    compared = compare_with_reference(dp, level="Bezirk")
    assert compared.loc[mitte[0], ("S3", "Bezirk")] == pytest.approx(15.95)
    assert compared.loc[mitte[0], ("S1", "Kommune")] == pytest.approx(published.loc[("Kommune", ""), "S1"])
    row = finding(dp, "Summenzeilen Bezirk: veröffentlicht = berechnet")
    assert row["Details"].endswith("der Bericht zeigt die veröffentlichten Werte")
