"""Reading data tables: CSV (also German: ``;``, decimal comma, latin-1), XLSX and Parquet.

Ids are always read as text so leading zeros survive (``01100101``, AGS ``07232``).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from sozialplanung.errors import SozialplanungError

_GERMAN_DECIMAL = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d+$|^-?\d+,\d+$")


def read_table(path: str | Path, *, id_column: str, sheet: str | None = None, skip_rows: int = 0,
               shown_as: str | None = None) -> pd.DataFrame:
    """Read a data table with ``id_column`` as text.

    The CSV dialect is detected: encoding UTF-8 (with or without BOM), else latin-1 (cp1252);
    separator ``,``, ``;`` or tab; decimal comma and thousands point when the values look German
    (``1.234,5``). ``df.attrs["format"]`` records what was detected.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(p, "w", encoding="latin-1").write("AGS;Name;Quote\\n07232001;Ähnlich;1.234,5\\n")
    >>> df = read_table(p, id_column="AGS")
    >>> df.loc[0, "AGS"], df.loc[0, "Quote"], df.attrs["format"]["decimal"]
    ('07232001', 1234.5, ',')
    """
    path = Path(path)
    shown = shown_as or str(path)
    if not path.exists():
        raise SozialplanungError("Die Datei existiert nicht.", file=shown)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        df = _read_csv(path, id_column, shown)
    elif suffix in (".xlsx", ".xlsm"):
        df = _read_excel(path, id_column, sheet, shown)
    elif suffix == ".parquet":
        df = pd.read_parquet(path)
        df.attrs["format"] = {"typ": "Parquet"}
    else:
        raise SozialplanungError(f"Das Dateiformat „{suffix}“ wird nicht unterstützt.", file=shown,
                                 hint="Erlaubt sind CSV, XLSX und Parquet.")
    if skip_rows:
        df = df.iloc[skip_rows:].reset_index(drop=True)
        df = df.apply(lambda col: _numeric_if_possible(col, df.attrs.get("format", {})) if col.name != id_column else col)
    df.columns = [str(c).strip() for c in df.columns]
    if id_column not in df.columns:
        raise SozialplanungError(f"Die Kennungsspalte „{id_column}“ fehlt.", file=shown, field=id_column,
                                 hint=f"Vorhandene Spalten: {', '.join(df.columns)}")
    df[id_column] = _as_id(df[id_column])
    return df


def _numeric_if_possible(col: pd.Series, fmt: dict) -> pd.Series:
    """Convert a column that was text only because of skipped extra header rows."""
    if pd.api.types.is_numeric_dtype(col):
        return col
    text = col.astype("string").str.strip()
    if fmt.get("decimal") == ",":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    num = pd.to_numeric(text, errors="coerce")
    return num if num.notna().sum() == col.notna().sum() else col


def _as_id(col: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(col):
        col = col.astype("Int64")
    out = col.astype("string").str.strip()
    return out.astype(object).where(out.notna(), None)


def _read_csv(path: Path, id_column: str, shown: str) -> pd.DataFrame:
    raw = path.read_bytes()
    try:
        text, encoding = raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("cp1252", errors="replace"), "latin-1 (Windows-1252)"
    head = "\n".join(text.splitlines()[:20])
    try:
        sep = csv.Sniffer().sniff(head, delimiters=",;\t").delimiter
    except csv.Error:
        sep = ","
    sample = [cell.strip().strip('"') for line in text.splitlines()[1:200] for cell in line.split(sep)]
    german = sep != "," and any(_GERMAN_DECIMAL.match(c) for c in sample)
    options = {"decimal": ",", "thousands": "."} if german else {}
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype={id_column: str}, **options)
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise SozialplanungError("Die CSV-Datei ist nicht lesbar: eine Zeile hat zu viele Felder.", file=shown,
                                 row=int(line.group(1)) if line else None,
                                 hint=f"Erkanntes Trennzeichen: „{sep}“. Prüfen Sie Anführungszeichen und Trennzeichen.") from None
    df.attrs["format"] = {"typ": "CSV", "kodierung": encoding, "trennzeichen": sep,
                          "decimal": "," if german else "."}
    return df


def _read_excel(path: Path, id_column: str, sheet: str | None, shown: str) -> pd.DataFrame:
    try:
        df = pd.read_excel(path, sheet_name=sheet or 0, dtype={id_column: str}, engine="openpyxl")
    except ValueError as exc:
        if "Worksheet" in str(exc) or "not found" in str(exc):
            raise SozialplanungError(f"Das Tabellenblatt „{sheet}“ fehlt.", file=shown, field="data.sheet") from None
        raise
    df.attrs["format"] = {"typ": "XLSX", "blatt": sheet or "erstes"}
    return df
