"""German number formatting, table symbols and Excel formats."""

import datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sozialplanung.formatting as fm
from sozialplanung.errors import SozialplanungError


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.5, 1, "1.234,5"),
        (0, 1, "0,0"),
        (999.95, 1, "1.000,0"),
        (12.25, 1, "12,3"),  # half away from zero, not half-even
        (2.675, 2, "2,68"),  # shortest repr, as readers and Excel round
        (-0.04, 1, "0,0"),  # no negative zero
        (-1234567.891, 2, "\u22121.234.567,89"),
        (1e9, 0, "1.000.000.000"),
        (np.float32(3.5), 0, "4"),
        (np.int64(1234), 0, "1.234"),
    ],
)
def test_fmt_number(value, decimals, expected):
    assert fm.fmt_number(value, decimals) == expected


def test_percent_permille_int():
    assert fm.fmt_percent(12.5) == "12,5\u00a0%"
    assert fm.fmt_percent(7, 0) == "7\u00a0%"
    assert fm.fmt_permille(4.24) == "4,2\u00a0‰"
    assert fm.fmt_int(1234) == "1.234"
    assert fm.fmt_int(999.5) == "1.000"


def test_missing_and_infinite():
    assert fm.fmt_number(float("nan")) == fm.SYMBOL_UNBEKANNT == "."
    assert fm.fmt_percent(None) == "."
    assert fm.fmt_number(pd.NA, missing="x") == "x"
    assert fm.fmt_number(float("inf")) == fm.SYMBOL_NICHT_SINNVOLL


def test_symbols_follow_destatis():
    assert fm.SYMBOL_NICHTS == "–"
    assert fm.SYMBOL_GEHEIM == "."
    assert fm.SYMBOL_FAELLT_SPAETER_AN == "..."
    assert fm.SYMBOL_NICHT_SICHER == "/"
    assert fm.SYMBOL_NICHT_SINNVOLL == "x"
    assert "geheim" in fm.ZEICHENERKLAERUNG["."]


def test_fmt_cell():
    assert fm.fmt_cell(12.345, "percent") == "12,3\u00a0%"
    assert fm.fmt_cell(12.345, "number", 2) == "12,35"
    assert fm.fmt_cell(3, "int", suppressed=True) == "."
    assert fm.fmt_cell(None, missing=fm.SYMBOL_NICHT_SINNVOLL) == "x"
    assert fm.fmt_cell(0, "int", zero_as_dash=True) == "–"
    assert fm.fmt_cell(0, "int") == "0"
    assert fm.fmt_cell("Mitte", "text") == "Mitte"
    with pytest.raises(SozialplanungError, match="Unbekannte Formatart"):
        fm.fmt_cell(1, "prozent")


def test_fmt_date():
    assert fm.fmt_date("2020-12-31") == "31.12.2020"
    assert fm.fmt_date(datetime.date(2021, 1, 5)) == "05.01.2021"
    assert fm.fmt_date(pd.Timestamp("2019-12-31 00:00")) == "31.12.2019"
    assert fm.fmt_date(np.datetime64("2018-06-30")) == "30.06.2018"
    with pytest.raises(SozialplanungError, match="kein Datum"):
        fm.fmt_date("31.12.2020")


def test_fmt_count():
    assert fm.fmt_count(1, "Gebiet", "Gebiete") == "1 Gebiet"
    assert fm.fmt_count(1234, "Gebiet", "Gebiete") == "1.234 Gebiete"


def test_format_frame_keeps_shape_and_index():
    df = pd.DataFrame(
        {"name": ["A", "B", "C"], "ew": [100, 2500, 40], "s1": [1.25, np.nan, 3.0], "z": [-1.234, 0.5, 2.0]},
        index=pd.Index(["01", "02", "03"], name="gebiet_id"),
    )
    mask = pd.DataFrame({"ew": [False, False, True]}, index=df.index)
    out = fm.format_frame(df, {"s1": "percent", "z": ("number", 2), "name": str.upper}, suppressed=mask)
    assert out.index.equals(df.index) and list(out.columns) == list(df.columns)
    assert out.loc["01", "s1"] == "1,3\u00a0%"  # 1.25 → 1,3 (half up)
    assert out.loc["02", "s1"] == "."
    assert out.loc["03", "ew"] == "." and out.loc["02", "ew"] == "2.500"
    assert out.loc["01", "z"] == "\u22121,23"
    assert out.loc["01", "name"] == "A"
    assert df.loc["03", "ew"] == 40  # input untouched


def test_format_frame_unknown_column():
    with pytest.raises(SozialplanungError, match="fehlende Spalten: s9"):
        fm.format_frame(pd.DataFrame({"s1": [1.0]}), {"s9": "percent"})


def test_excel_number_format_roundtrip(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    assert fm.excel_number_format("number", 2) == "#,##0.00"
    assert fm.excel_number_format("int") == "#,##0"
    assert fm.excel_number_format("number", 0) == "#,##0"
    assert fm.excel_number_format("percent", 1) == '#,##0.0"\u00a0%"'
    assert fm.excel_number_format("text") == "@"
    wb = openpyxl.Workbook()
    cell = wb.active["A1"]
    cell.value = 12.5
    cell.number_format = fm.excel_number_format("percent")
    wb.save(tmp_path / "t.xlsx")
    again = openpyxl.load_workbook(tmp_path / "t.xlsx").active["A1"]
    assert again.value == 12.5 and again.number_format == fm.excel_number_format("percent")


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(0, 3))
def test_fmt_number_parses_back(x, decimals):
    text = fm.fmt_number(x, decimals)
    parsed = float(text.replace(".", "").replace(",", ".").replace("\u2212", "-"))
    assert abs(parsed - x) <= 0.5 * 10**-decimals * (1 + 1e-9) + abs(x) * 1e-15
    assert "e" not in text and " " not in text


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 6))
def test_fmt_plain_is_fmt_number_without_trailing_zeros(x, max_decimals):
    text = fm.fmt_plain(x, max_decimals)
    full = fm.fmt_number(x, max_decimals)
    assert text == (full.rstrip("0").rstrip(",") if "," in full else full)


@pytest.mark.parametrize(("x", "expected"), [(300, "300"), (0.25, "0,25"), (1e-7, "0,0000001"), (1234.5, "1.234,5"),
                                             (-2.0, "−2"), (0.1 + 0.2, "0,3")])  # at most 15 decimals
def test_fmt_plain_shows_the_decimals_a_number_has(x, expected):
    assert fm.fmt_plain(x) == expected
