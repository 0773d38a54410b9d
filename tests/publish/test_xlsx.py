"""ergebnisse.xlsx opened with openpyxl: German headers, formats per indicator, text ids, symbols, extra sheets.

The tables are those of the real Charlottenburg-Wilmersdorf report (one area below 300 residents,
withheld cells), written by the functions the notebooks call.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import openpyxl
import pytest

import sozialplanung as sp
from sozialplanung.publish import leaks
from sozialplanung.publish.export import read_workbook, write_tables, write_workbooks
from sozialplanung.formatting import ZEICHENERKLAERUNG
from sozialplanung.publish.leaks_records import Record
from sozialplanung.publish.xlsx import DEMO_SOURCES, demo_sources

from conftest import PARAMS, REPO
from outputkit import write_report_tables

TABLES = ["indikatoren", "vergleich", "sozialindex", "sensitivitaet", "faktorladungen", "faktorwerte", "cluster",
          "raeumliche_statistik", "gebietsschluessel", "statuswechsel", "zeitreihe"]  # the series 2013–2021


@pytest.fixture(scope="module")
def dp():
    return sp.load_datenpaket(PARAMS / "berlin" / "charlottenburg-wilmersdorf.yaml")


@pytest.fixture(scope="module")
def out(dp, tmp_path_factory):
    return write_report_tables(dp, tmp_path_factory.mktemp("ausgabe"))


@pytest.fixture(scope="module")
def wb(out):
    return openpyxl.load_workbook(out / "ergebnisse.xlsx")


def codes(wb, sheet: str) -> dict[str, str]:
    """Column code → column letter, from the sheet „Spalten“."""
    return {code: letter for name, letter, _, code, _ in wb["Spalten"].iter_rows(min_row=2, values_only=True)
            if name == sheet}


def column(wb, sheet: str, code: str) -> list:
    """The data cells (row 2 on) of the column with this code."""
    return list(wb[sheet][codes(wb, sheet)[code]][1:])


def test_sheets_properties_and_no_schema_left(wb, out):
    assert wb.sheetnames == [*TABLES, "Spalten", "Zeichenerklärung", "Quellen"]
    assert wb.properties.title == "Sozialbericht Berlin-Charlottenburg-Wilmersdorf 2021: Ergebnistabellen"
    assert wb.properties.language == "de-DE" and wb.properties.creator == "sozialplanung"
    assert not (out / ".tabellen").exists()  # the column schema is not published


def test_author_is_the_herausgeber_of_the_impressum(dp, tmp_path):
    params = dp.params.model_copy(update={"impressum": {"herausgeber": "Bezirksamt Charlottenburg-Wilmersdorf"}})
    dp = dataclasses.replace(dp, params=params)
    write_tables(tmp_path, indikatoren=sp.indicators.reference.area_table(dp))
    write_workbooks(tmp_path, dp)
    wb = openpyxl.load_workbook(tmp_path / "ergebnisse.xlsx")
    assert wb.properties.creator == "Bezirksamt Charlottenburg-Wilmersdorf"
    cite = next(r[1] for r in wb["Quellen"].iter_rows(values_only=True) if r[0] == "Zitiervorschlag")
    assert cite.startswith("Bezirksamt Charlottenburg-Wilmersdorf (") and "Sozialbericht" in cite


def test_german_headers_with_units_and_codes_in_key_sheet(wb):
    ws = wb["indikatoren"]
    assert [c.value for c in ws[1]][:8] == ["Planungsraum-Nr.", "Name", "Bezirksregion-Nr.", "Prognoseraum-Nr.",
                                            "Bezirk-Nr.", "Einwohner/innen", "Arbeitslosigkeit in %",
                                            "Transferbezug in %"]
    assert "Veränderung Arbeitslosigkeit in Prozentpunkten" in [c.value for c in ws[1]]
    assert [c.value for c in wb["vergleich"][1]][1:5] == [
        "Arbeitslosigkeit in %", "Arbeitslosigkeit in %: Bezirk", "Arbeitslosigkeit in %: Berlin",
        "Arbeitslosigkeit: Abweichung von Berlin in Prozentpunkten"]
    key = codes(wb, "vergleich")
    assert key["gebiet_id"] == "A" and key["S1_wert"] == "B" and key["S1_abweichung"] == "E"
    assert all(cell.font.bold for cell in ws[1])


def test_number_formats_per_indicator_as_in_the_report(wb, dp):
    rate = '#,##0.0;"−"#,##0.0'  # one decimal as the report's tables, true minus sign
    for ind in dp.catalogue:
        cells = [c for c in column(wb, "indikatoren", ind) if isinstance(c.value, float)]
        assert cells and {c.number_format for c in cells} == {rate}, ind
    assert {c.number_format for c in column(wb, "indikatoren", "einwohner")} == {'#,##0;"−"#,##0;"–"'}
    assert {c.value for c in column(wb, "indikatoren", "einwohner")[:1]} == {11548}  # not "11.548,00"
    assert {c.number_format for c in column(wb, "sozialindex", "status_klasse")} == {'#,##0;"−"#,##0'}
    assert {c.number_format for c in column(wb, "sozialindex", "status_score")} == {'#,##0.00;"−"#,##0.00'}
    assert {c.number_format for c in column(wb, "raeumliche_statistik", "p_sim")} == {'#,##0.000;"−"#,##0.000'}
    assert {c.number_format for c in column(wb, "cluster", "typ")} == {'#,##0;"−"#,##0'}
    flags = dict(zip(wb["raeumliche_statistik"]["A"][1:], column(wb, "raeumliche_statistik", "signifikant")))
    assert {f.value for i, f in flags.items() if i.value != "04400725"} == {"ja", "nein"}
    # full precision is kept: the cell holds the CSV value, only the display is rounded
    s1 = column(wb, "indikatoren", "S1")[0].value
    assert s1 == pytest.approx(dp.values().at["04100101", "S1"], abs=1e-6) and round(s1, 1) != s1


def test_ids_are_text_with_leading_zeros_in_every_id_column(wb, dp):
    levels = [p.level for p in dp.params.areas.parents]
    checked = 0
    for sheet in TABLES:
        for code in {"gebiet_id", "indikator", *levels} & set(codes(wb, sheet)):
            cells = column(wb, sheet, code)
            assert all(c.data_type == "s" and c.number_format == "@" for c in cells), (sheet, code)
            values = [c.value for c in cells]
            if sheet == "zeitreihe":  # one row per area and year
                assert all(v.startswith("0") for v in values) and set(values) <= set(dp.areas.index)
            elif code == "gebiet_id":
                assert values == list(dp.shown_ids) and all(v.startswith("04") for v in values)
            elif code in levels:
                assert values == list(dp.areas.loc[dp.shown_ids, code]) and all(v.startswith("0") for v in values)
            checked += 1
    # gebiet_id everywhere but faktorladungen and the series tables gebietsschluessel (alt_id, neu_id), statuswechsel
    assert checked == len(TABLES) - 3 + len(levels) + 1


def test_withheld_and_not_assessed_cells_show_their_symbol(wb, dp):
    not_assessed = set(dp.shown_ids) - set(dp.assessed_ids())
    assert not_assessed == {"04400725"}
    withheld, values = dp.withheld().loc[dp.shown_ids], dp.values().loc[dp.shown_ids]  # "." see the reader test
    for ind in dp.catalogue:
        for gid, cell, other in zip(dp.shown_ids, column(wb, "indikatoren", ind), column(wb, "vergleich", f"{ind}_wert")):
            expected = "x" if gid in not_assessed else "." if withheld.at[gid, ind] or np.isnan(values.at[gid, ind]) \
                else pytest.approx(values.at[gid, ind], abs=1e-6)
            assert cell.value == expected and other.value == expected, (gid, ind)
            if isinstance(cell.value, str):
                assert cell.alignment.horizontal == "right"
    row = {c: cell.value for c, cell in zip(codes(wb, "sozialindex"), next(
        r for r in wb["sozialindex"].iter_rows(min_row=2) if r[0].value == "04400725"))}
    assert row["status_score"] == row["status_klasse"] == "x" and row["bewertet"] == "nein"


def test_autofilter_frozen_panes_and_widths(wb):
    for sheet in wb.sheetnames:
        ws = wb[sheet]
        assert ws.auto_filter.ref == ws.dimensions, sheet
    assert wb["indikatoren"].freeze_panes == "C2" and wb["faktorladungen"].freeze_panes == "B2"
    ws = wb["indikatoren"]
    names = [c.value for c in ws["B"][1:]]
    assert "Jungfernheide/Plötzensee" in names
    assert ws.column_dimensions["B"].width >= max(map(len, names)) + 1  # a 24-character name fits
    assert ws.column_dimensions["A"].width >= len("Planungsraum-Nr.")


def test_no_formula_cell(wb):
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert cells and not [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"]


def test_zeichenerklaerung(wb):
    rows = {r[0]: r for r in wb["Zeichenerklärung"].iter_rows(min_row=2, values_only=True) if r[0]}
    for sign in (".", "x", "–"):
        assert rows[sign][1] == ZEICHENERKLAERUNG[sign]
    assert "weniger als 300 Einwohner/innen" in rows["x"][2] and "geheim gehalten" in rows["."][2]


def test_quellen_lists_every_source_and_licence(wb, dp):
    rows = list(wb["Quellen"].iter_rows(min_row=2, values_only=True))
    texts = [r[1] for r in rows]
    assert set(dp.params.sources) <= set(texts)
    assert {i.source for i in dp.catalogue.values()} <= set(texts)
    catalogue = next(r for r in rows if r[0] == "Indikatorenkatalog")
    assert "S1 Arbeitslosigkeit" in catalogue[2] and catalogue[3] == "31.12.2020"
    assert DEMO_SOURCES["berlin"] == demo_sources(dp) and set(DEMO_SOURCES["berlin"]) <= set(texts)


def test_demo_sources_are_the_readme_attribution():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Daten und Lizenzen"):readme.index("## Entwicklung")]
    plain = " ".join(section.replace("**", "").split())
    for lines in DEMO_SOURCES.values():
        for line in lines:
            assert line in plain, line


# -- the reader for the Datenschutz leak scan -------------------------------------------------------------

@pytest.fixture(scope="module")
def bitburg():
    return sp.load_datenpaket(PARAMS / "eifelkreis" / "bitburg-pruem.yaml")


def scan(dp, folder):
    """The leak scan's checks on the rows :func:`read_workbook` gives (as leaks_records would call it)."""
    scanner = leaks._Scanner(dp, leaks._secrets(dp, [dp.year]))
    found = []
    for sheet, heads, rows in read_workbook(folder / "ergebnisse.xlsx"):
        key = heads.index("gebiet_id") if "gebiet_id" in heads else None
        for row in rows:
            cells = [(h, "" if v is None else repr(v) if isinstance(v, float) else str(v)) for h, v in zip(heads, row)]
            found += [(sheet, *hit) for hit in scanner.check(Record(cells, key=None if key is None else cells[key][1]))]
    return found


def test_reader_gives_codes_and_finds_a_planted_withheld_value(bitburg, tmp_path):
    dp = bitburg
    gid = next(g for g in dp.shown_ids if dp.withheld().at[g, "A1"] and not np.isnan(dp.raw_values().at[g, "A1"]))
    rate = float(dp.raw_values().at[gid, "A1"])
    werte = sp.indicators.reference.area_table(dp)
    write_tables(tmp_path, indikatoren=werte, vergleich=sp.indicators.reference.compare_with_reference(dp))
    write_workbooks(tmp_path, dp)
    assert scan(dp, tmp_path) == []  # the clean workbook: withheld cells read "."
    sheets = {sheet: (heads, rows) for sheet, heads, rows in read_workbook(tmp_path / "ergebnisse.xlsx")}
    heads, rows = sheets["indikatoren"]
    assert heads[:3] == ["gebiet_id", "name", "Verbandsgemeinde"] and "A1" in heads
    assert next(r for r in rows if r[0] == gid)[heads.index("A1")] == "."
    assert sheets["Quellen"][0][:2] == ["Art", "Quelle und Lizenz"]  # other sheets: their own headers

    werte.loc[gid, "A1"] = rate  # a bug that would publish the withheld rate
    write_tables(tmp_path, indikatoren=werte)
    write_workbooks(tmp_path, dp)
    heads, rows = next((h, r) for s, h, r in read_workbook(tmp_path / "ergebnisse.xlsx") if s == "indikatoren")
    assert next(r for r in rows if r[0] == gid)[heads.index("A1")] == pytest.approx(rate, abs=1e-6)
    found = scan(dp, tmp_path)
    assert [(sheet, g, col) for sheet, g, col, _ in found] == [("indikatoren", gid, "A1")]
    assert re.search(r"Quote „\d+\.\d+“ in Spalte „A1“", found[0][3])
