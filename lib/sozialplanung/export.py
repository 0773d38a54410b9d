"""Writing results: ``tabellen/*.csv`` (machine format), ``ergebnisse.xlsx`` (for people), ``ergebnisse.gpkg`` (GIS).

CSV tables are UTF-8, comma-separated with decimal points, one row per area with ``gebiet_id``
first (tables about indicators, e.g. factor loadings, start with ``indikator``). Floating point
values are rounded to :data:`DECIMALS` decimals so that re-runs give byte-identical tables.

Texts are spreadsheet-safe (OWASP "CSV Injection"): in a CSV a text cell or header beginning with
``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'`` (:func:`neutralise`), numbers
such as ``-1.5`` stay numbers, and a carriage return inside a text is written as a line feed (a quoted
line break; a bare CR would start a new row). In the XLSX every text is a string cell, never a
formula; the GeoPackage gets the original text.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

DECIMALS = 6
TABLES = "tabellen"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _formula_like(text: str) -> bool:
    """True for a text a spreadsheet could run as a formula (quotes in front do not help it)."""
    bare = text.lstrip("'")
    return bare[:1] in _FORMULA_START and not _NUMBER.fullmatch(bare)


def neutralise(value):
    """A text cell as written to a CSV: ``'`` in front of a formula-like text; anything else unchanged.

    The rule is reversible (:func:`restore`): a text that already starts with quotes before ``=`` etc.
    gets one quote more.

    >>> neutralise("=1+1"), neutralise("@SUMME(A1)"), neutralise("-1.5"), neutralise(-1.5)
    ("'=1+1", "'@SUMME(A1)", '-1.5', -1.5)
    >>> restore(neutralise("'@x")) == "'@x"
    True
    """
    return "'" + value if isinstance(value, str) and _formula_like(value) else value


def _csv_text(value):
    """A text for the CSV: line breaks as ``\\n`` (a bare CR would end the row for many readers), then
    :func:`neutralise`."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return neutralise(value)


def restore(value):
    """The original text of a :func:`neutralise`-d cell."""
    return value[1:] if isinstance(value, str) and value.startswith("'") and _formula_like(value) else value


def _texts(df: pd.DataFrame, convert) -> pd.DataFrame:
    """``df`` with ``convert`` applied to every text cell and header."""
    df = df.rename(columns=convert)
    for i, dtype in enumerate(df.dtypes):
        if dtype == object or isinstance(dtype, (pd.CategoricalDtype, pd.StringDtype)):
            df.isetitem(i, df.iloc[:, i].astype(object).map(convert))
    return df


def output_dir(dp, value: str | Path = "") -> Path:
    """The folder a notebook writes to: ``value`` if given (papermill passes the staging folder),
    else ``output/lab/<slug>`` in the project (interactive runs never touch a published report)."""
    if value:
        path = Path(value)
    else:
        here = Path.cwd()
        root = next((p for p in [here, *here.parents] if (p / "params").is_dir()), here)
        path = root / "output" / "lab" / dp.params.slug
    path.mkdir(parents=True, exist_ok=True)
    return path


class WrittenTables(list):
    """The paths written by :func:`write_tables`; shown in a notebook as a short German line."""

    def __repr__(self) -> str:
        return f"{len(self)} Tabellen geschrieben: " + ", ".join(f"tabellen/{p.name}" for p in self)


def write_tables(output_dir: str | Path, **tables: pd.DataFrame) -> WrittenTables:
    """Write each DataFrame as ``tabellen/<name>.csv``; an index named ``gebiet_id`` becomes the first column.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> df = pd.DataFrame({"wert": [1/3]}, index=pd.Index(["01"], name="gebiet_id"))
    >>> write_tables(d, beispiel=df)
    1 Tabellen geschrieben: tabellen/beispiel.csv
    >>> open(f"{d}/tabellen/beispiel.csv").read()
    'gebiet_id,wert\\n01,0.333333\\n'
    """
    folder = Path(output_dir) / TABLES
    folder.mkdir(parents=True, exist_ok=True)
    paths = WrittenTables()
    for name, df in tables.items():
        df = df.reset_index() if df.index.name else df.reset_index(drop=True)
        if isinstance(df.columns, pd.MultiIndex):
            df.columns = ["_".join(str(p) for p in col if str(p)) for col in df.columns]
        df = _texts(df.round(DECIMALS), _csv_text)
        path = folder / f"{name}.csv"
        df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths


def read_tables(output_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The tables written by :func:`write_tables`, with the original texts (see :func:`restore`); a column
    with leading zeros (ids of parent areas, ``072325005``) stays text."""
    folder = Path(output_dir) / TABLES
    return {p.stem: _texts(_read_csv(p), restore) for p in sorted(folder.glob("*.csv"))}


def _read_csv(path: Path) -> pd.DataFrame:
    df, text = pd.read_csv(path, dtype={"gebiet_id": str}), pd.read_csv(path, dtype=str)
    for i, dtype in enumerate(df.dtypes):
        if pd.api.types.is_numeric_dtype(dtype) and text.iloc[:, i].str.match(r"[+-]?0\d").any():
            df.isetitem(i, text.iloc[:, i])
    return df


def write_workbooks(output_dir: str | Path, areas: gpd.GeoDataFrame) -> None:
    """Collect ``tabellen/*.csv`` into ``ergebnisse.xlsx`` (one sheet each) and ``ergebnisse.gpkg``.

    Sheets get German-readable number formats (Excel shows the user's locale separators: 1.234,5 on
    a German system), a bold header and frozen first row. Tables keyed by ``gebiet_id`` become
    GeoPackage layers joined to the area geometry.
    """
    output_dir = Path(output_dir)
    tables = read_tables(output_dir)
    if not tables:
        return
    xlsx = output_dir / "ergebnisse.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        for name, df in tables.items():
            sheet = name[:31]
            df.to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            _no_formulas(ws)
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for j, col in enumerate(df.columns, start=1):
                letter = get_column_letter(j)
                ws.column_dimensions[letter].width = max(10, min(40, len(str(col)) + 2))
                if pd.api.types.is_float_dtype(df[col]):
                    for cell in ws[letter][1:]:
                        cell.number_format = "#,##0.00"
                elif pd.api.types.is_integer_dtype(df[col]):
                    for cell in ws[letter][1:]:
                        cell.number_format = "#,##0"
    gpkg = output_dir / "ergebnisse.gpkg"
    gpkg.unlink(missing_ok=True)
    geo = areas[["name", "geometry"]]
    for name, df in tables.items():
        if "gebiet_id" not in df.columns:
            continue
        layer = geo.join(df.set_index("gebiet_id").drop(columns=["name"], errors="ignore"), how="inner")
        layer.reset_index().to_file(gpkg, layer=name, driver="GPKG", engine="pyogrio")


def _no_formulas(ws) -> None:
    """Every text a string cell: openpyxl makes a text starting with "=" a formula (``data_type == "f"``)."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                cell.quotePrefix = _formula_like(cell.value)  # Excel keeps it text when the cell is edited
