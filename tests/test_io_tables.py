"""Reading data tables: German CSV, latin-1, XLSX, Parquet; ids keep their leading zeros."""

import pandas as pd
import pytest

from sozialplanung import SozialplanungError
from sozialplanung.io import read_table


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
    p = tmp_path / "t.ods"
    p.write_text("x", encoding="utf-8")
    with pytest.raises(SozialplanungError, match="Dateiformat „.ods“"):
        read_table(p, id_column="gebiet_id")
