"""Which rows of a user's table are what, for ``sozialplanung neu`` (:mod:`sozialplanung.publish.sniff`).

:func:`shape` finds the header rows (title rows above them, a header of several rows, the year row
of a sheet with one column per year) and the first data row; :func:`total_rows` finds the rows that
are totals of a parent level or of the whole Kommune: rows marked by a level column (``Ebene``:
„Bezirk“, „Land“, also where a Bezirk has the name of an area), rows whose id is a shorter prefix
of the area ids (``01`` above ``01100101``) and rows named „Insgesamt“, „Summe“ or after the
Kommune. Proposals only: the scaffold writes them into ``data.totals`` with comments, and
``validate`` reports each of them with the real reader (:func:`sozialplanung.data.inputs.split_totals`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

NUMBER = re.compile(r"[-+]?(\d+([.,]\d+)*|[.,]\d+)([eE][-+]?\d+)?")
YEAR = re.compile(r"(19|20)\d\d")
TOTAL_WORDS = re.compile(r"^(?:insgesamt|gesamt|summe|zusammen|total|gesamtstadt|deutschland|bundesgebiet|bund)$|"
                         r"\b(?:insgesamt|summe|gesamt)\b", re.I)
LEVEL_NAME = re.compile(r"ebene|aggregat|level|typ|art$|stufe", re.I)


def _kind(row: list[str]) -> str:
    """``daten`` (a number that is no year), ``jahre`` (only years as numbers), ``text`` or ``leer``."""
    filled = [v for v in row if v]
    numbers = [v for v in filled if NUMBER.fullmatch(v)]
    if not filled:
        return "leer"
    if numbers and all(YEAR.fullmatch(v) for v in numbers):
        return "jahre"
    return "daten" if numbers else "text"


def shape(cells: pd.DataFrame) -> tuple[list[int], int | None, int]:
    """(header rows, year row or None, first data row), all 0-based, of a grid of stripped texts.

    The first data row is the first row with a number that is no year. Directly above it: the year
    row, if that row holds at least 3 years and nothing else (INKAR), then the header rows: every
    row above with no number but years and either two filled cells or an empty first cell (a group
    over merged cells), up to a blank row or a row with one cell in the first column (a title). Without any number in the grid: the first row with half of the columns
    filled is the header.
    """
    kinds = [_kind(list(cells.iloc[i])) for i in range(len(cells))]
    filled = [int((cells.iloc[i] != "").sum()) for i in range(len(cells))]
    first = next((i for i, k in enumerate(kinds) if k == "daten"), None)
    if not first:  # no data row, or data in the first row: the old rule
        need = max(2, cells.shape[1] // 2)
        head = next((i for i, n in enumerate(filled) if n >= need), 0)
        return [head], None, head + 1
    above = first - 1
    year_row = None
    if kinds[above] == "jahre" and sum(bool(YEAR.fullmatch(v)) for v in cells.iloc[above]) >= 3 and above > 0:
        year_row, above = above, above - 1
    rows = []
    while above >= 0 and kinds[above] in ("text", "jahre") and (filled[above] >= 2 or cells.iloc[above, 0] == ""):
        rows.insert(0, above)
        above -= 1
    return rows or [max(above, 0)], year_row, first


@dataclass
class TotalRows:
    """Total rows found: per level the values in ``column`` or the ids marking them, and their lines."""

    column: str | None = None
    values: dict[str, str] = field(default_factory=dict)  # level → value in column
    ids: dict[str, list[str]] = field(default_factory=dict)  # level → ids of its total rows
    lines: dict[str, list[int]] = field(default_factory=dict)  # level → lines in the file (1-based)
    prefix: dict[str, int] = field(default_factory=dict)  # parent level → digits of the area id it is
    why: dict[str, str] = field(default_factory=dict)  # level → how its rows were recognised (German)
    notes: list[str] = field(default_factory=list)

    def levels(self) -> list[str]:
        return list(dict.fromkeys([*self.values, *self.ids]))

    def __bool__(self) -> bool:
        return bool(self.values or self.ids)


def _norm(value: str) -> str:
    return value[:-2] if value.endswith(".0") else value


def total_rows(cells: pd.DataFrame, id_col: str, area_ids: set[str], first_line: int, *, texts: list[str],
               kommune: str | None = None, width: int = 0) -> TotalRows:
    """The total rows of ``cells`` (the table's body as stripped text; see the module docstring).

    ``area_ids``: the values of the areas' key column the table's ``id_col`` matches; ``width``: the
    length of the areas' digit ids (0: not digit ids); ``texts``: the table's text columns (level
    column candidates); ``first_line``: the file line of the body's first row.
    """
    ids = cells[id_col].map(_norm)
    padded = ids.map(lambda v: v.zfill(width) if width and v.isdigit() else v)
    matched = padded.isin(area_ids)
    twice = ids.duplicated(keep=False) & (ids != "")
    out = TotalRows()
    line = {i: int(i) + first_line for i in cells.index}
    level_col = _level_column(cells, [c for c in texts if c != id_col], matched, twice)
    if level_col is not None:
        col, area_value = level_col
        for value, rows in cells.groupby(cells[col]).groups.items():
            if value in ("", area_value):
                continue
            level = _level_of(cells.loc[rows], id_col, area_ids, width, value)
            out.values[level[0]] = value
            out.lines[level[0]] = [line[i] for i in rows]
            out.why[level[0]] = f"„{col}“ = „{value}“" + (f" (Kennungen mit {level[1]} Stellen)" if level[1] else "")
            if level[1]:
                out.prefix[level[0]] = level[1]
        out.column = col
        return out
    rest = cells[~matched]
    _by_prefix(out, rest[ids[~matched] != ""], id_col, area_ids, width, line)
    _by_word(out, rest.drop(index=[i for lv in out.ids.values() for i in rest.index if ids[i] in lv]), id_col,
             texts, kommune, line)
    if twice.any() and not out:
        first = ids[twice].iloc[0]
        where = [line[i] for i in ids.index[ids == first]]
        out.notes.append(f"„{first}“ steht mehrmals in „{id_col}“ (Zeilen {', '.join(map(str, where))}): steht dort "
                         "auch eine Summenzeile (z. B. ein Bezirk mit dem Namen eines Gebiets)? Dann eine Spalte mit "
                         "der Ebene in data.totals angeben")
    return out


def _level_column(cells, candidates, matched, twice) -> tuple[str, str] | None:
    """A text column naming each row's level: one value for (nearly) all area rows, other values on rows whose
    ids are no area's or repeat one (a Bezirk named like an area). Columns named like „Ebene“ first."""
    for col in sorted(candidates, key=lambda c: not LEVEL_NAME.search(c)):
        values = cells[col]
        distinct = set(values) - {""}
        if not 2 <= len(distinct) <= 8 or not matched.any():
            continue
        counts = values[matched].value_counts()
        area_value = counts.index[0]
        if counts.iloc[0] < 0.9 * matched.sum():
            continue
        other = (values != area_value) & (values != "")
        if other.sum() > (values == area_value).sum() or (~matched | twice)[other].mean() < 0.5:
            continue
        return col, area_value
    return None


def _level_of(rows, id_col, area_ids, width, value) -> tuple[str, int]:
    """(level name, prefix digits or 0) of total rows marked ``value`` in the level column."""
    ids = rows[id_col].map(_norm)
    if ids.nunique() == 1:  # one unit (a row per year at most): the whole Kommune
        return "Kommune", 0
    lengths = set(ids.str.len())
    if width and ids.str.fullmatch(r"\d+").all() and len(lengths) == 1 and (d := lengths.pop()) < width:
        parents = {a[:d] for a in area_ids}
        if set(ids) <= parents and len(parents) > 1:
            return value, d
    return value, 0


def _by_prefix(out: TotalRows, rest, id_col, area_ids, width, line) -> None:
    """Rows whose id is a shorter digit prefix of the area ids: totals of the level of that prefix."""
    if not width or rest.empty:
        return
    ids = rest[id_col].map(_norm)
    for d in sorted({len(v) for v in ids if v.isdigit() and len(v) < width}, reverse=True):
        parents = {a[:d] for a in area_ids}
        hit = ids.str.fullmatch(r"\d{%d}" % d) & ids.isin(parents)
        if not hit.any():
            continue
        level = "Kommune" if len(parents) == 1 else f"Ebene {d} Stellen"
        out.ids[level] = sorted(set(ids[hit]))
        out.lines[level] = [line[i] for i in ids.index[hit]]
        out.why[level] = f"Kennungen mit {d} Stellen, Anfang der Gebietskennungen"
        if level != "Kommune":
            out.prefix[level] = d


def _by_word(out: TotalRows, rest, id_col, texts, kommune, line) -> None:
    """Rows named „Insgesamt“, „Summe“, „Deutschland“ … or after the Kommune: totals of the Kommune."""
    if rest.empty or "Kommune" in out.levels():
        return
    own = re.compile(rf"^{re.escape(kommune)}$", re.I) if kommune else None
    for col in [id_col, *(c for c in texts if c != id_col)]:
        values = rest[col]
        hit = values.str.contains(TOTAL_WORDS) | (values.str.fullmatch(own) if own else False)
        if hit.any():
            out.lines["Kommune"] = [line[i] for i in values.index[hit]]
            out.why["Kommune"] = f"„{col}“ = „{values[hit].iloc[0]}“"
            if col == id_col:
                out.ids["Kommune"] = sorted(set(values[hit].map(_norm)))
            else:
                out.column, out.values["Kommune"] = col, values[hit].iloc[0]
            return
