"""The shape of a table as delivered: where the header is, which column is which, one column per year.

A file is first read as a grid of cells (no header); :func:`apply_header` takes the header from the
rows the user names (1-based, as in Excel: ``header_row: 3``; several rows are joined,
``header_row: [3, 4]``), :func:`melt_wide` turns a sheet with one column per year (the INKAR export:
indicator names in one row, years in the next) into one row per area and year. Columns can be
named by their spreadsheet letter (``B``: the second column of the file) where no column has that
name. Declared missing-value codes (``-9999``, ``.``) become empty cells in :func:`blank_codes`.

The row labels of a returned frame are 0-based from its first data row, so ``label +
df.attrs["erste_zeile"]`` is the line the user sees.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from sozialplanung.errors import SozialplanungError

_LETTERS = re.compile(r"[A-Z]{1,3}")


def letter_index(name: str) -> int | None:
    """0-based column index of a spreadsheet letter (``A`` → 0, ``AB`` → 27), None if ``name`` is none."""
    if not _LETTERS.fullmatch(name):
        return None
    index = 0
    for ch in name:
        index = index * 26 + ord(ch) - 64
    return index - 1


def letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index (27 → ``AB``)."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def column(df: pd.DataFrame, name: str, *, file: str, field: str) -> str:
    """The column ``name`` refers to: a column of that name, else the column at that spreadsheet letter."""
    if name in df.columns:
        return name
    index = letter_index(name)
    if index is not None and index < len(df.columns):
        return df.columns[index]
    where = f" (Spalte {name} gibt es nicht: die Datei hat {len(df.columns)} Spalten)" if index is not None else ""
    raise SozialplanungError(f"Die Spalte „{name}“ fehlt{where}.", file=file, field=field,
                             hint=f"Vorhandene Spalten: {', '.join(map(str, df.columns))}. Spalten lassen sich auch "
                                  "mit ihrem Buchstaben angeben (A = erste Spalte) oder mit „rename:“ umbenennen.")


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return " ".join(str(value).split())


def _header_rows(rows, n_rows: int, file: str) -> list[int]:
    rows = [rows] if isinstance(rows, int) else list(rows)
    if any(b != a + 1 for a, b in zip(rows, rows[1:])):
        raise SozialplanungError(f"Die Kopfzeilen {', '.join(map(str, rows))} folgen nicht aufeinander.", file=file,
                                 field="data.header_row", hint="Mehrzeilige Kopfzeilen als Liste direkt "
                                 "aufeinander folgender Zeilen angeben, z. B. header_row: [3, 4].")
    if rows[-1] > n_rows:
        raise SozialplanungError(f"Die Kopfzeile {rows[-1]} gibt es nicht: die Tabelle hat nur {n_rows} Zeilen.",
                                 file=file, field="data.header_row")
    return [r - 1 for r in rows]


def header_names(grid: pd.DataFrame, rows: list[int]) -> list[str]:
    """Column names from the grid rows ``rows`` (0-based): upper rows filled to the right (merged cells), joined."""
    parts = []
    for n, r in enumerate(rows):
        cells = pd.Series([_cell_text(v) for v in grid.iloc[r]], dtype=object)
        if n < len(rows) - 1:
            cells = cells.replace("", None).ffill().fillna("")
        parts.append(cells)
    return [" ".join(p[i] for p in parts if p[i]) for i in range(grid.shape[1])]


def _data_part(grid: pd.DataFrame, first: int, names: list[str]) -> pd.DataFrame:
    df = grid.iloc[first:].copy()
    df.columns = names
    df.index = pd.RangeIndex(len(df))
    df.attrs = dict(grid.attrs)
    df.attrs["erste_zeile"] = first + 1
    return df


def apply_header(grid: pd.DataFrame, rows, *, file: str) -> pd.DataFrame:
    """The data below the header rows ``rows`` (1-based, int or consecutive list) with their names."""
    rows = _header_rows(rows, len(grid), file)
    names = header_names(grid, rows)
    named = [bool(n) for n in names]
    data = grid.iloc[rows[-1] + 1:]
    keep = [i for i in range(grid.shape[1]) if named[i] or data.iloc[:, i].notna().any()]
    names = [names[i] or f"Spalte {letter(i)}" for i in keep]
    return _data_part(grid.iloc[:, keep], rows[-1] + 1, names)


def _year(value) -> int | None:
    text = _cell_text(value)
    return int(text) if re.fullmatch(r"(19|20|21)\d\d", text) else None


def melt_wide(grid: pd.DataFrame, header_row, year_row: int, *, year_column: str, file: str) -> pd.DataFrame:
    """One row per area and year from a sheet with one column per year (``layout: breit``).

    ``header_row`` names the indicators (repeated, or once over merged cells), ``year_row`` holds
    the years; columns without a year are the key columns (id, name …), named by the header row.
    Each indicator becomes one column; rows keep the label of their line in the sheet.
    """
    rows = _header_rows(header_row, len(grid), file)
    year_rows = _header_rows(year_row, len(grid), file)
    if set(rows) & set(year_rows):
        raise SozialplanungError("Die Jahreszeile darf nicht zugleich Kopfzeile sein.", file=file,
                                 field="data.year_row", hint="header_row: Zeile mit den Indikatornamen, year_row: "
                                 "Zeile mit den Jahren (z. B. header_row: 1, year_row: 2).")
    names = header_names(grid, rows)
    years = [_year(v) for v in grid.iloc[year_rows[0]]]
    year_cols = [i for i, y in enumerate(years) if y is not None]
    if not year_cols:
        raise SozialplanungError(f"In Zeile {year_rows[0] + 1} steht kein Jahr (erwartet: z. B. 2019, 2020, 2021).",
                                 file=file, field="data.year_row")
    keys = [i for i in range(grid.shape[1]) if i not in year_cols and names[i]]
    first = max(rows + year_rows) + 1
    data = _data_part(grid, first, [f"#{i}" for i in range(grid.shape[1])])
    pieces = []
    for year in dict.fromkeys(years[i] for i in year_cols):
        cols = [i for i in year_cols if years[i] == year]
        block = data[[f"#{i}" for i in keys]].set_axis([names[i] for i in keys], axis=1)
        block.insert(len(keys), year_column, year)
        for i in cols:
            name = names[i] or f"Spalte {letter(i)}"
            if name in block.columns:
                raise SozialplanungError(f"Die Spalte „{name}“ steht für das Jahr {year} mehrfach in der Tabelle.",
                                         file=file, field=name, row=rows[-1] + 1)
            block[name] = data[f"#{i}"]
        pieces.append(block)
    out = pd.concat(pieces)
    out = out.loc[out.drop(columns=[year_column]).notna().any(axis=1)]  # blank lines of the sheet
    out = out.reset_index(names="_zeile").sort_values(["_zeile", year_column], kind="stable").set_index("_zeile")
    out.index.name = None
    out.attrs = dict(data.attrs)
    fmt = out.attrs.setdefault("format", {})
    fmt["layout"] = f"breit ({len(set(years) - {None})} Jahresspalten je Indikator)"
    return out


def blank_codes(df: pd.DataFrame, codes, by_column: dict, *, skip: str, file: str) -> dict[str, list[int]]:
    """Replace declared missing-value codes by empty cells (in place); lines per column where it happened.

    ``codes`` apply to every column but ``skip`` (the id column), ``by_column`` to the columns it names.
    A code matches a text cell equal to it (blanks stripped) and a number cell equal to its value
    (``-9999`` also matches -9999.0 from Excel or Parquet).
    """
    for name in by_column:
        if name not in df.columns:
            raise SozialplanungError(f"Die Spalte „{name}“ (aus data.missing_by_column) fehlt in der Tabelle.",
                                     file=file, field=f"data.missing_by_column.{name}",
                                     hint=f"Vorhandene Spalten: {', '.join(map(str, df.columns))}")
    found = {}
    first = df.attrs.get("erste_zeile", 2)
    for col in df.columns:
        if col == skip:
            continue
        wanted = [str(c).strip() for c in [*codes, *by_column.get(col, [])]]
        if not wanted:
            continue
        hit = _matches(df[col], wanted)
        if hit.any():
            found[col] = [int(i) + first for i in df.index[hit]]
            df[col] = df[col].astype(object).where(~hit, None)
    return found


def _matches(col: pd.Series, codes: list[str]) -> np.ndarray:
    numbers = []
    for c in codes:
        try:
            numbers.append(float(c.replace(",", ".")))
        except ValueError:
            pass
    values = col.to_numpy(dtype=object)
    text = np.array([isinstance(v, str) and v.strip() in codes for v in values], dtype=bool)
    num = np.array([isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                    and float(v) in numbers for v in values], dtype=bool) if numbers else np.zeros(len(values), bool)
    return text | num
