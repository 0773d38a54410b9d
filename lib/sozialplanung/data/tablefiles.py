"""Reading data tables: CSV (also German: ``;``, decimal comma, latin-1, UTF-16), XLSX, XLS, ODS and Parquet.

Ids are always read as text so leading zeros survive (``01100101``, AGS ``07232``). The row labels
of the returned frame are the 0-based data rows of the file, so ``label + df.attrs["erste_zeile"]``
is the line the user sees in Excel or an editor; blank rows are dropped but keep their place in the
count. Where the header is, which columns are which and what one column per year means is
:mod:`sozialplanung.data.layout`.

Numbers written as text follow :mod:`sozialplanung.data.numeric`: a column whose points could be
thousands points or decimal points (only ``1.152``-like values, no decimal comma in the file) stays
text until :func:`sozialplanung.data.tablechecks.check_table` knows whether it holds counts.
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
from sozialplanung.data import layout as _shape
from sozialplanung.data import numeric

FIRST_LINE = 2
"""Line of the first data row in the file the user sees with the header in line 1."""
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")


def read_table(path: str | Path, *, id_column: str, sheet: str | None = None, skip_rows: int = 0,
               header_row: int | list[int] = 1, rename: dict[str, str] | None = None, missing=(),
               missing_by_column: dict[str, list] | None = None, layout: str = "lang", year_row: int | None = None,
               year_column: str = "jahr", shown_as: str | None = None, text_columns=()) -> pd.DataFrame:
    """Read a data table with ``id_column`` (and ``text_columns``, e.g. parent ids) as text.

    The CSV dialect is detected: encoding UTF-16 with BOM, UTF-8 (with or without BOM), else
    latin-1 (cp1252); separator ``,``, ``;`` or tab; decimal comma and thousands point when a value
    has a decimal comma (``1.234,5``), see :mod:`sozialplanung.data.numeric`. Spreadsheets (XLSX,
    XLS, ODS) are read with python-calamine. ``df.attrs["format"]`` records what was detected.
    Infinite values and columns mixing ``6.25`` and ``6,25`` raise a German
    :class:`SozialplanungError` naming column and line.

    The shape (see the ``data:`` fields of :class:`sozialplanung.config.params.DataSpec`): the header is in
    line ``header_row`` (1-based; a list of lines is joined), ``skip_rows`` lines after it are
    skipped, ``rename`` renames columns (keys: names or spreadsheet letters), ``layout="breit"``
    with ``year_row`` melts one column per year into ``year_column``; ``missing`` (every column)
    and ``missing_by_column`` are codes read as empty cells, recorded in ``df.attrs["fehlend"]``
    (column → lines). ``id_column`` may be a spreadsheet letter; that column is then named by it.

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
    df = _shaped(path, shown, sheet=sheet, header_row=header_row, layout=layout, year_row=year_row,
                 year_column=year_column)
    if len(df.columns) == 0:
        raise SozialplanungError("Die Tabelle ist leer (keine Kopfzeile).", file=shown,
                                 hint="Die erste Zeile muss die Spaltennamen enthalten, sonst data.header_row angeben.")
    df = df.iloc[skip_rows:]
    head = df.attrs["erste_zeile"] - 1
    twice = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    if twice:
        raise SozialplanungError(f"Die Spalte „{twice[0]}“ steht mehrfach in der Kopfzeile.", file=shown,
                                 field=twice[0], row=head, hint="Jeder Spaltenname darf nur einmal vorkommen "
                                 "(sonst mit data.rename umbenennen).")
    df = _rename(df, rename or {}, shown, head)
    if id_column not in df.columns and layout_column(df, id_column) is not None:
        df.attrs["kennung_aus"] = layout_column(df, id_column)
        df = df.rename(columns={layout_column(df, id_column): id_column})
    if id_column not in df.columns:
        raise SozialplanungError(f"Die Kennungsspalte „{id_column}“ fehlt.", file=shown, field=id_column,
                                 hint=f"Vorhandene Spalten: {', '.join(map(str, df.columns))}"
                                 + ("" if head == 1 else f" (Kopfzeile: Zeile {head})"))
    blank = df.isna().all(axis=1)
    if blank.any():  # blank lines (Excel, trailing separators) keep their label, so lines stay right
        df = df[~blank]
    df.attrs["fehlend"] = _shape.blank_codes(df, missing, missing_by_column or {}, skip=id_column, file=shown)
    keys = [id_column, *(c for c in text_columns if c in df.columns and c != id_column)]
    df = _numbers(df.infer_objects(), keys, shown)
    for key in keys:
        df[key] = as_id(df[key])
    return df


def layout_column(df: pd.DataFrame, name: str) -> str | None:
    """The column at spreadsheet letter ``name`` (when no column has that name), else None."""
    index = _shape.letter_index(name)
    return df.columns[index] if name not in df.columns and index is not None and index < len(df.columns) else None


def _rename(df: pd.DataFrame, rename: dict[str, str], shown: str, head: int) -> pd.DataFrame:
    names = {_shape.column(df, old, file=shown, field=f"data.rename.{old}"): new for old, new in rename.items()}
    clash = [new for old, new in names.items() if new in df.columns and new not in names]
    if clash:
        raise SozialplanungError(f"Die Spalte „{clash[0]}“ gibt es schon; data.rename kann keine zweite so nennen.",
                                 file=shown, field="data.rename", row=head)
    return df.rename(columns=names)


def _shaped(path: Path, shown: str, *, sheet, header_row, layout: str, year_row, year_column) -> pd.DataFrame:
    """The table with its header applied (or melted from one column per year)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        if header_row != 1 or layout != "lang":
            raise SozialplanungError("Parquet-Dateien haben ihre Spaltennamen eingebaut: header_row, year_row und "
                                     "layout gelten nur für CSV- und Tabellendateien.", file=shown, field="data.layout")
        df = _read_parquet(path, shown)
        df.attrs["erste_zeile"] = FIRST_LINE
        return df
    first = min(header_row) if isinstance(header_row, list) else header_row
    if layout == "breit":
        first = min(first, year_row or first)
    if suffix in (".csv", ".txt"):
        grid, offset = _read_csv(path, shown, first - 1)
    elif suffix in SPREADSHEETS:
        grid, offset = _read_spreadsheet(path, sheet, shown), 0
    else:
        raise SozialplanungError(f"Das Dateiformat „{suffix}“ wird nicht unterstützt.", file=shown,
                                 hint="Erlaubt sind CSV, XLSX, XLS, ODS und Parquet.")
    rows = [r - offset for r in header_row] if isinstance(header_row, list) else header_row - offset
    if layout == "breit":
        if year_row is None:
            raise SozialplanungError("Für layout: breit fehlt die Zeile mit den Jahren.", file=shown,
                                     field="data.year_row", hint="z. B. year_row: 2 (die Zeile unter den Namen).")
        df = _shape.melt_wide(grid, rows, year_row - offset, year_column=year_column, file=shown)
    else:
        df = _shape.apply_header(grid, rows, file=shown)
    df.attrs["erste_zeile"] += offset
    return df


def _numbers(df: pd.DataFrame, keys: list[str], shown: str) -> pd.DataFrame:
    """Convert the columns that hold numbers (all but the id columns ``keys``); record the decimal separator."""
    fmt = df.attrs["format"]
    found = {c: numeric.kinds(df[c], comma_is_text=fmt.get("trennzeichen") == ",")
             for c in df.columns if c not in keys}
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


def _read_csv(path: Path, shown: str, skip: int = 0) -> tuple[pd.DataFrame, int]:
    """The cells of a CSV file from line ``skip + 1`` on (title lines above the header are left out), as text."""
    text, encoding = _decode(path.read_bytes(), shown)
    if not text.strip():
        raise SozialplanungError("Die Datei ist leer.", file=shown,
                                 hint="Erwartet wird eine Kopfzeile mit Spaltennamen und eine Zeile je Gebiet und Jahr.")
    lines = text.splitlines(keepends=True)
    if skip >= len(lines):
        raise SozialplanungError(f"Die Kopfzeile {skip + 1} gibt es nicht: die Datei hat nur {len(lines)} Zeilen.",
                                 file=shown, field="data.header_row")
    text = "".join(lines[skip:])
    try:
        sep = csv.Sniffer().sniff("".join(lines[skip:skip + 20]), delimiters=",;\t").delimiter
    except csv.Error:
        sep = ","
    try:
        grid = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, header=None, skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise SozialplanungError("Die Datei enthält keine Spalten.", file=shown) from None
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        quote = re.search(r"EOF inside string starting at row (\d+)", str(exc))
        if quote:
            raise SozialplanungError("Die CSV-Datei ist nicht lesbar: ein Anführungszeichen wird nicht geschlossen.",
                                     file=shown, row=int(quote.group(1)) + 1 + skip,
                                     hint="Jedes „\"“ in einer Zelle braucht ein schließendes „\"“.") from None
        raise SozialplanungError("Die CSV-Datei ist nicht lesbar: eine Zeile hat mehr Felder als die Kopfzeile.",
                                 file=shown, row=int(line.group(1)) + skip if line else None,
                                 hint=f"Erkanntes Trennzeichen: „{sep}“. Prüfen Sie Anführungszeichen und Trennzeichen "
                                      "(z. B. „12,5“ in einer Datei mit Komma als Trennzeichen).") from None
    grid.attrs["format"] = {"typ": "CSV", "kodierung": encoding, "trennzeichen": sep}
    return grid, skip


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


def _read_spreadsheet(path: Path, sheet: str | None, shown: str) -> pd.DataFrame:
    """The cells of one sheet of an XLSX, XLS or ODS file (python-calamine), row 0 = line 1 in Excel."""
    from python_calamine import CalamineError

    kind = path.suffix.lower().lstrip(".").upper()
    unreadable = SozialplanungError(
        f"Die Datei ist keine lesbare {'OpenDocument' if kind == 'ODS' else 'Excel'}-Datei ({kind}).", file=shown,
        hint="In Excel oder LibreOffice öffnen und als „Excel-Arbeitsmappe (*.xlsx)“ speichern.")
    try:
        book = pd.ExcelFile(path, engine="calamine")
    except (CalamineError, zipfile.BadZipFile, OSError, ValueError):
        raise unreadable from None
    sheets = [str(s) for s in book.sheet_names]
    if sheet is not None and sheet not in sheets:
        raise SozialplanungError(f"Das Tabellenblatt „{sheet}“ fehlt.", file=shown, field="data.sheet",
                                 hint=f"Vorhandene Blätter: {', '.join(sheets)}")
    try:
        grid = pd.read_excel(book, sheet_name=sheet or 0, header=None, dtype=object)
    except (CalamineError, OSError, ValueError):
        raise unreadable from None
    grid.attrs["format"] = {"typ": kind, "blatt": sheet or sheets[0]}
    return grid


def _read_parquet(path: Path, shown: str) -> pd.DataFrame:
    import pyarrow

    try:
        df = pd.read_parquet(path)
    except (pyarrow.ArrowException, OSError):
        raise SozialplanungError("Die Datei ist keine lesbare Parquet-Datei.", file=shown) from None
    df = df.reset_index(drop=True)
    df.attrs["format"] = {"typ": "Parquet"}
    return df
