"""Reading data tables: CSV (also German: ``;``, decimal comma, latin-1, UTF-16), XLSX and Parquet.

Ids are always read as text so leading zeros survive (``01100101``, AGS ``07232``). The row labels
of the returned frame are the 0-based data rows of the file, so ``label + df.attrs["erste_zeile"]``
is the line the user sees in Excel or an editor (header = line 1); blank rows are dropped but keep
their place in the count.

Numbers written as text follow :mod:`sozialplanung.io.numeric`: a column whose points could be
thousands points or decimal points (only ``1.152``-like values, no decimal comma in the file) stays
text until :func:`sozialplanung.checks.check_table` knows whether it holds counts.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from sozialplanung.errors import SozialplanungError
from sozialplanung.io import numeric

FIRST_LINE = 2
"""Line of the first data row in the file the user sees (header = line 1)."""


def read_table(path: str | Path, *, id_column: str, sheet: str | None = None, skip_rows: int = 0,
               shown_as: str | None = None) -> pd.DataFrame:
    """Read a data table with ``id_column`` as text.

    The CSV dialect is detected: encoding UTF-16 with BOM, UTF-8 (with or without BOM), else
    latin-1 (cp1252); separator ``,``, ``;`` or tab; decimal comma and thousands point when a value
    has a decimal comma (``1.234,5``), see :mod:`sozialplanung.io.numeric`. ``df.attrs["format"]``
    records what was detected. Infinite values and columns mixing ``6.25`` and ``6,25`` raise a
    German :class:`SozialplanungError` naming column and line.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(p, "w", encoding="latin-1").write("AGS;Name;Quote\\n07232001;Ähnlich;1.234,5\\n")
    >>> df = read_table(p, id_column="AGS")
    >>> df.loc[0, "AGS"], float(df.loc[0, "Quote"]), df.attrs["format"]["decimal"]
    ('07232001', 1234.5, ',')
    """
    path = Path(path)
    shown = shown_as or str(path)
    if not path.exists():
        raise SozialplanungError("Die Datei existiert nicht.", file=shown)
    if not path.is_file():
        raise SozialplanungError("Erwartet wird eine Datei, gefunden wurde ein Ordner.", file=shown)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        df = _read_csv(path, id_column, shown)
    elif suffix in (".xlsx", ".xlsm"):
        df = _read_excel(path, id_column, sheet, shown)
    elif suffix == ".parquet":
        df = _read_parquet(path, shown)
    else:
        raise SozialplanungError(f"Das Dateiformat „{suffix}“ wird nicht unterstützt.", file=shown,
                                 hint="Erlaubt sind CSV, XLSX und Parquet.")
    if len(df.columns) == 0:
        raise SozialplanungError("Die Tabelle ist leer (keine Kopfzeile).", file=shown,
                                 hint="Die erste Zeile muss die Spaltennamen enthalten.")
    df.attrs["erste_zeile"] = FIRST_LINE
    df = df.iloc[skip_rows:]
    df.columns = [str(c).strip() for c in df.columns]
    twice = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    if twice:
        raise SozialplanungError(f"Die Spalte „{twice[0]}“ steht mehrfach in der Kopfzeile.", file=shown,
                                 field=twice[0], row=1, hint="Jeder Spaltenname darf nur einmal vorkommen.")
    if id_column not in df.columns:
        raise SozialplanungError(f"Die Kennungsspalte „{id_column}“ fehlt.", file=shown, field=id_column,
                                 hint=f"Vorhandene Spalten: {', '.join(df.columns)}")
    blank = df.isna().all(axis=1)
    if blank.any():  # blank lines (Excel, trailing separators) keep their label, so lines stay right
        df = df[~blank]
    df = _numbers(df.copy(), id_column, shown)
    df[id_column] = as_id(df[id_column])
    return df


def _numbers(df: pd.DataFrame, id_column: str, shown: str) -> pd.DataFrame:
    """Convert the columns that hold numbers (all but ``id_column``); record the decimal separator."""
    fmt = df.attrs["format"]
    found = {c: numeric.kinds(df[c], comma_is_text=fmt.get("trennzeichen") == ",")
             for c in df.columns if c != id_column}
    if fmt["typ"] == "CSV":
        fmt["decimal"], fmt["beleg"] = numeric.file_decimal(found, fmt["trennzeichen"], FIRST_LINE)
    for c, k in found.items():
        df[c] = numeric.to_numbers(df[c], fmt, name=c, file=shown, first_line=FIRST_LINE, strict=False, known=k)
    return df


def as_id(col: pd.Series) -> pd.Series:
    """Ids as text (object dtype, None where missing); whole floats lose their ``.0``.

    >>> as_id(pd.Series([1100101.0, None])).tolist()
    ['1100101', None]
    """
    if pd.api.types.is_bool_dtype(col):
        col = col.astype(object)
    elif pd.api.types.is_float_dtype(col):
        values = col.to_numpy(dtype=float)
        finite = np.isfinite(values)
        if np.all(np.isnan(values) | (finite & (values == np.round(values)))):
            col = col.astype("Int64")
    out = col.astype("string").str.strip()
    out = out.where(out != "", None)
    return out.astype(object).where(out.notna(), None)


def _read_csv(path: Path, id_column: str, shown: str) -> pd.DataFrame:
    text, encoding = _decode(path.read_bytes(), shown)
    if not text.strip():
        raise SozialplanungError("Die Datei ist leer.", file=shown,
                                 hint="Erwartet wird eine Kopfzeile mit Spaltennamen und eine Zeile je Gebiet und Jahr.")
    head = "\n".join(text.splitlines()[:20])
    try:
        sep = csv.Sniffer().sniff(head, delimiters=",;\t").delimiter
    except csv.Error:
        sep = ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise SozialplanungError("Die Datei enthält keine Spalten.", file=shown) from None
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        quote = re.search(r"EOF inside string starting at row (\d+)", str(exc))
        if quote:
            raise SozialplanungError("Die CSV-Datei ist nicht lesbar: ein Anführungszeichen wird nicht geschlossen.",
                                     file=shown, row=int(quote.group(1)) + 1,
                                     hint="Jedes „\"“ in einer Zelle braucht ein schließendes „\"“.") from None
        raise SozialplanungError("Die CSV-Datei ist nicht lesbar: eine Zeile hat mehr Felder als die Kopfzeile.",
                                 file=shown, row=int(line.group(1)) if line else None,
                                 hint=f"Erkanntes Trennzeichen: „{sep}“. Prüfen Sie Anführungszeichen und Trennzeichen "
                                      "(z. B. „12,5“ in einer Datei mit Komma als Trennzeichen).") from None
    df.attrs["format"] = {"typ": "CSV", "kodierung": encoding, "trennzeichen": sep}
    return df


def _decode(raw: bytes, shown: str) -> tuple[str, str]:
    """The text of a CSV file: UTF-16 with byte order mark, UTF-8 (with or without BOM), else latin-1."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise SozialplanungError("Die Datei beginnt wie eine UTF-16-Datei, ist aber nicht lesbar.", file=shown,
                                     hint=_UTF8_HINT) from None
    if b"\x00" in raw[:4096]:
        even, odd = (raw[i:4096:2].count(0) / max(1, len(raw[i:4096:2])) for i in (0, 1))
        if min(even, odd) < 0.1 < 0.9 < max(even, odd):  # every other byte zero: ASCII letters in UTF-16
            raise SozialplanungError("Die Datei ist UTF-16-kodiert, aber ohne Byte-Order-Mark (BOM).", file=shown,
                                     hint=_UTF8_HINT)
        raise SozialplanungError("Die Datei ist keine Textdatei (CSV).", file=shown,
                                 hint="Ist es eine Excel-Datei? Dann mit der Endung .xlsx angeben.")
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "latin-1 (Windows-1252)"


_UTF8_HINT = "In Excel „Speichern unter“ → „CSV UTF-8 (durch Trennzeichen getrennt)“ wählen."


def _read_excel(path: Path, id_column: str, sheet: str | None, shown: str) -> pd.DataFrame:
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        df = pd.read_excel(path, sheet_name=sheet or 0, dtype={id_column: str}, engine="openpyxl")
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        raise SozialplanungError("Die Datei ist keine lesbare Excel-Datei (XLSX).", file=shown,
                                 hint="In Excel öffnen und als „Excel-Arbeitsmappe (*.xlsx)“ speichern.") from None
    except ValueError as exc:
        if "Worksheet" in str(exc) or "not found" in str(exc):
            import openpyxl

            sheets = openpyxl.load_workbook(path, read_only=True).sheetnames
            raise SozialplanungError(f"Das Tabellenblatt „{sheet}“ fehlt.", file=shown, field="data.sheet",
                                     hint=f"Vorhandene Blätter: {', '.join(sheets)}") from None
        raise
    df.attrs["format"] = {"typ": "XLSX", "blatt": sheet or "erstes"}
    return df


def _read_parquet(path: Path, shown: str) -> pd.DataFrame:
    import pyarrow

    try:
        df = pd.read_parquet(path)
    except (pyarrow.ArrowException, OSError):
        raise SozialplanungError("Die Datei ist keine lesbare Parquet-Datei.", file=shown) from None
    df = df.reset_index(drop=True)
    df.attrs["format"] = {"typ": "Parquet"}
    return df
