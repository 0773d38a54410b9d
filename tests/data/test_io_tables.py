"""Reading data tables: German CSV, latin-1, XLSX, Parquet; ids keep their leading zeros."""

import pandas as pd
import pytest

from sozialplanung.errors import SozialplanungError
from sozialplanung.data.tablefiles import read_table


def test_german_csv_latin1_decimal_comma(tmp_path):
    p = tmp_path / "daten.csv"
    p.write_bytes("AGS;Gemeinde;Quote;Einwohner\n07232001;Bitburg;12,5;1.234\n07232002;Prüm;3,0;5.678\n".encode("latin-1"))
    df = read_table(p, id_column="AGS")
    assert df["AGS"].tolist() == ["07232001", "07232002"]
    assert df["Quote"].tolist() == [12.5, 3.0]
    assert df["Einwohner"].tolist() == [1234, 5678]
    assert df.loc[1, "Gemeinde"] == "Prüm"
    assert df.attrs["format"]["decimal"] == ","


def test_real_iris_csv(shared_data):
    p = shared_data / "inkar_gemeinden" / "inkar_raw_gemeinden" / "IRIS_Einkommenssteuer_Gemeindeverbaende_2022.csv"
    df = read_table(p, id_column="gemeindeve22", skip_rows=1)  # second German header row
    assert df["gemeindeve22"].str.len().eq(9).all()
    assert df.attrs["format"]["decimal"] == "," and df.attrs["format"]["kodierung"].startswith("latin-1")
    assert pd.api.types.is_float_dtype(df["q_einkst_bev22"])
    assert df["gemeindeve22"].str.startswith("0").any()


def test_xlsx_and_parquet_keep_ids(tmp_path):
    df = pd.DataFrame({"gebiet_id": ["01100101", "01100102"], "wert": [1.5, 2.5]})
    df.to_excel(tmp_path / "t.xlsx", index=False)
    df.to_parquet(tmp_path / "t.parquet")
    for name in ("t.xlsx", "t.parquet"):
        assert read_table(tmp_path / name, id_column="gebiet_id")["gebiet_id"].tolist() == ["01100101", "01100102"]


def test_missing_id_column_lists_columns(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id,wert\n1,2\n", encoding="utf-8")
    with pytest.raises(SozialplanungError, match="Kennungsspalte „gebiet_id“ fehlt") as exc:
        read_table(p, id_column="gebiet_id")
    assert "Vorhandene Spalten: id, wert" in str(exc.value)


def test_unsupported_format(tmp_path):
    p = tmp_path / "t.sav"
    p.write_text("x", encoding="utf-8")
    with pytest.raises(SozialplanungError, match="Dateiformat „.sav“") as exc:
        read_table(p, id_column="gebiet_id")
    assert exc.value.hint == "Erlaubt sind CSV, XLSX, XLS, ODS und Parquet."


def test_ods_that_is_not_a_spreadsheet(tmp_path):
    p = tmp_path / "t.ods"
    p.write_text("x", encoding="utf-8")
    with pytest.raises(SozialplanungError, match=r"keine lesbare OpenDocument-Datei \(ODS\)"):
        read_table(p, id_column="gebiet_id")


# -- numbers written as text (sozialplanung.data.numeric) ----------------------------------------------------------

import math  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sozialplanung.data.numeric import to_numbers  # noqa: E402


def _csv(tmp_path, text: str, name: str = "t.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_mixed_decimal_styles_in_one_column_name_the_rows(tmp_path):
    p = _csv(tmp_path, "id;quote\n1;6,25\n2;6.25\n3;7,5\n4;1.5\n")
    with pytest.raises(SozialplanungError) as exc:
        read_table(p, id_column="id")
    assert str(exc.value).startswith(f"Datei {p}, Feld „quote“, Zeile 3: Die Spalte „quote“ mischt Dezimalpunkt und "
                                     "Dezimalkomma: „6.25“ in Zeile(n) 3, 5, „6,25“ in Zeile(n) 2, 4.")


def test_decimal_point_in_a_file_with_decimal_comma(tmp_path):
    p = _csv(tmp_path, "id;quote;anteil\n1;6,25;0.5\n2;3,5;0.25\n")
    with pytest.raises(SozialplanungError, match="Die Spalte „anteil“ hat Zahlen mit Dezimalpunkt \\(„0.5“ in "
                       "Zeile\\(n\\) 2, 3\\), die Datei verwendet aber das Dezimalkomma \\(z. B. Spalte „quote“, "
                       "Zeile 2\\)") as exc:
        read_table(p, id_column="id")
    assert (exc.value.field, exc.value.row) == ("anteil", 2)


@pytest.mark.parametrize("cell", ["inf", "-inf", "+inf", "Infinity", "-Infinity", "INF", "∞"])
@pytest.mark.parametrize("sep", [",", ";"])
def test_infinite_text_is_an_error(tmp_path, cell, sep):
    p = _csv(tmp_path, f"id{sep}ew\n1{sep}10\n2{sep}{cell}\n")
    with pytest.raises(SozialplanungError, match=f"Die Spalte „ew“ enthält einen unendlichen Wert \\(„\\{cell}“\\)"
                       if cell.startswith("+") else f"unendlichen Wert \\(„{cell}“\\)") as exc:
        read_table(p, id_column="id")
    assert (exc.value.field, exc.value.row) == ("ew", 3)


def test_infinite_float_in_parquet(tmp_path):
    pd.DataFrame({"id": ["1", "2", "3"], "ew": [1.0, math.inf, 2.0]}).to_parquet(tmp_path / "t.parquet")
    with pytest.raises(SozialplanungError, match="unendlichen Wert \\(„inf“\\)") as exc:
        read_table(tmp_path / "t.parquet", id_column="id")
    assert exc.value.row == 3


def test_nan_text_is_missing(tmp_path):
    df = read_table(_csv(tmp_path, "id,ew\n1,NaN\n2,5\n3,\n"), id_column="id")
    assert df["ew"].isna().tolist() == [True, False, True]


def test_utf16_with_bom_is_read(tmp_path):
    p = tmp_path / "unicode.txt"
    p.write_bytes("AGS\tName\tQuote\n07232001\tPrüm\t12,5\n".encode("utf-16"))
    df = read_table(p, id_column="AGS")
    assert df.loc[0, "Name"] == "Prüm" and df.loc[0, "Quote"] == 12.5
    assert df.attrs["format"]["kodierung"] == "UTF-16"


def test_utf16_without_bom_says_utf16(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes("AGS,Quote\n07232001,12.5\n".encode("utf-16-le"))
    with pytest.raises(SozialplanungError, match="UTF-16-kodiert, aber ohne Byte-Order-Mark"):
        read_table(p, id_column="AGS")


def test_points_that_may_be_thousands_stay_text_until_known(tmp_path):
    """„12.345“ in a file without any other decimal: count or rate decides (tablechecks.check_table)."""
    df = read_table(_csv(tmp_path, "id;ew;quote\n1;1.152;12.345\n2;980;7\n"), id_column="id")
    assert df["ew"].tolist() == ["1.152", "980"] and "decimal" not in {k for k, v in df.attrs["format"].items() if v}
    fmt = df.attrs["format"]
    assert to_numbers(df["ew"], fmt, name="ew", file="t.csv", first_line=2, count=True).tolist() == [1152, 980]
    with pytest.raises(SozialplanungError, match="ob der Punkt in „12.345“ ein Dezimalpunkt oder ein "
                       "Tausendertrennzeichen ist") as exc:
        to_numbers(df["quote"], fmt, name="quote", file="t.csv", first_line=2, count=False)
    assert exc.value.row == 2 and 'decimal: "."' in exc.value.hint
    assert to_numbers(df["quote"], fmt, name="quote", file="t.csv", first_line=2, count=False,
                      decimal=".").tolist() == [12.345, 7]
    assert to_numbers(df["quote"], fmt, name="quote", file="t.csv", first_line=2, count=False,
                      decimal=",").tolist() == [12345, 7]


FMT_SEMI = {"typ": "CSV", "trennzeichen": ";"}
FMT_COMMA = {"typ": "CSV", "trennzeichen": ",", "decimal": "."}


@pytest.mark.parametrize(("cells", "fmt", "options", "expected"), [
    (["1.152", "12"], {**FMT_SEMI, "decimal": ","}, {}, [1152, 12]),             # German file: thousands
    (["1.234,5", "0,5"], {**FMT_SEMI, "decimal": ","}, {}, [1234.5, 0.5]),
    (["1.152", "12"], FMT_COMMA, {"count": True}, [1152, 12]),                   # counts: thousands
    (["1.152", "12"], FMT_COMMA, {"count": False}, [1.152, 12]),                 # a rate in an English file
    (["1.152", "6.25"], FMT_COMMA, {"count": False}, [1.152, 6.25]),
    (["1.152", "12"], FMT_COMMA, {"count": True, "decimal": "."}, [1.152, 12]),  # the params say: decimal point
    (["12.345.678", "1"], FMT_COMMA, {"count": True}, [12345678, 1]),
    (["-1.5", "+2", ".5", "1e3", " 7 "], FMT_COMMA, {}, [-1.5, 2, 0.5, 1000, 7]),
    (["12,5", "3,0"], {"typ": "XLSX"}, {}, [12.5, 3.0]),                          # text cells in Excel
    ([1.5, "2,5"], {"typ": "XLSX"}, {}, [1.5, 2.5]),
    (["1.152", "6.25"], FMT_COMMA, {"count": True}, [1.152, 6.25]),              # decimals: plausibility reports it
])
def test_to_numbers(cells, fmt, options, expected):
    col = pd.Series(cells, dtype=object)
    assert to_numbers(col, fmt, name="x", file="t.csv", first_line=2, **options).tolist() == pytest.approx(expected)


@pytest.mark.parametrize(("cells", "fmt", "options", "message"), [
    (["12,5", "3"], FMT_COMMA, {}, "keinen Zahlenwert: „12,5“"),
    (["6,25"], FMT_SEMI, {"decimal": "."}, "„6,25“ mit Dezimalkomma, in den Parametern steht aber decimal: „.“"),
    (["6.25"], FMT_SEMI, {"decimal": ","}, "Dezimalpunkt \\(„6.25“ in Zeile\\(n\\) 2\\), in den Parametern steht aber"),
    (["12.345.678"], FMT_COMMA, {"count": False}, "keinen Zahlenwert: „12.345.678“"),
    ([True, False], {"typ": "Parquet"}, {}, "Wahrheitswerte"),
    (["12 %"], FMT_SEMI, {}, "keinen Zahlenwert: „12 %“"),
    (["k. A."], FMT_SEMI, {}, "keinen Zahlenwert: „k. A.“"),
])
def test_to_numbers_errors(cells, fmt, options, message):
    with pytest.raises(SozialplanungError, match=message):
        to_numbers(pd.Series(cells), fmt, name="x", file="t.csv", first_line=2, **options)


def _german(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}".replace(",", "X").replace(".", ",").replace("X", ".")


@settings(max_examples=150, deadline=None)
@given(counts=st.lists(st.integers(0, 2_000_000), min_size=1, max_size=8),
       rates=st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=8),
       decimals=st.sampled_from([2, 3]), sep=st.sampled_from([",", ";", "\t"]), thousands=st.booleans(),
       german=st.booleans(), mixed=st.booleans())
def test_numbers_are_read_exactly_or_not_at_all(tmp_path_factory, counts, rates, decimals, sep, thousands, german,
                                                mixed):
    """Whatever the style, a count or rate is read as written or the reader raises: never another number.

    „As written“ follows the documented rule: where a column has a decimal comma, a point is a thousands
    point (an odd „1.000“ among „0,5“ is 1000); a mixed „6.25“ cannot be read so and raises."""
    n = min(len(counts), len(rates))
    counts, rates = counts[:n], [round(v, decimals) for v in rates[:n]]
    comma_decimal = german and sep != ","
    show_count = (lambda v: f"{v:,}".replace(",", ".")) if thousands else str
    show_rate = (lambda v: _german(v, decimals)) if comma_decimal else (lambda v: f"{v:.{decimals}f}")
    shown = [show_rate(v) for v in rates]
    if mixed and n > 1:  # one rate in the other style
        shown[-1] = f"{rates[-1]:.{decimals}f}" if comma_decimal else _german(rates[-1], decimals)
    lines = [sep.join(["id", "ew", "quote"])]
    lines += [sep.join([str(i), show_count(c), r]) for i, (c, r) in enumerate(zip(counts, shown))]
    path = tmp_path_factory.mktemp("zahlen") / "t.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        df = read_table(path, id_column="id")
        fmt = df.attrs["format"]
        ew = to_numbers(df["ew"], fmt, name="ew", file="t.csv", first_line=2, count=True)
        quote = to_numbers(df["quote"], fmt, name="quote", file="t.csv", first_line=2, count=False)
    except SozialplanungError as exc:
        assert exc.file in (str(path), "t.csv") and exc.message
        return
    assert ew.tolist() == counts
    if any("," in r for r in shown):  # a decimal comma in the column: every point is a thousands point
        rates = [float(r.replace(".", "").replace(",", ".")) for r in shown]  # e.g. 1.000 next to 0,000: 1000
    assert quote.tolist() == pytest.approx(rates)
