"""Looking at a new user's own files for ``sozialplanung neu`` (:mod:`sozialplanung.publish.scaffold`).

Only proposals, never decisions: which column is the id and which the name, which layers and id
prefixes could be parent levels, where the header row is, which column holds the year, which codes
mark missing values, which columns are counts and which rates. ``validate`` checks the result with the
project's real readers; these guesses only fill in a skeleton the user reviews.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sozialplanung.data import layout
from sozialplanung.errors import SozialplanungError
from sozialplanung.publish import sniff_rows

ID_NAME = re.compile(r"(^|[_\s])(id|nr|nummer|schl(ue|ü)ssel|ags|ars|kennung|code|key|gkz|krs)($|[_\s])|id$", re.I)
NAME_NAME = re.compile(r"name|bez(eichnung)?$|titel|gebiet$", re.I)
YEAR_NAME = re.compile(r"^(jahr|year|zeit|stichtag|berichtsjahr)$", re.I)
POPULATION_NAME = re.compile(r"^(einwohner|ew|ew_ges|einwohner_insgesamt|bev(oe|ö)lkerung|population|insgesamt)",
                             re.I)
RATE_NAME = re.compile(r"anteil|quote|%|rate|je\s|pro\s|dichte", re.I)
MISSING_CODES = ["-9999", "-999", "-99", ".", "-", "–", "x", "X", "k.A.", "/", "*"]
SPREADSHEETS = {".xlsx", ".xlsm", ".xls", ".ods"}


@dataclass
class Areas:
    file: Path
    layer: str | None
    layers: list[tuple[str, int]]  # the file's other layers (possible parent levels): (name, features)
    columns: list[str]
    crs: str | None
    n: int
    id: str | None
    name: str | None
    ids: pd.Series
    names: pd.Series | None
    keys: dict[str, set] = field(default_factory=dict)  # every unique column (and the name column): its values
    prefixes: list[tuple[int, int]] = field(default_factory=list)  # (digits, units)
    parent_columns: list[tuple[str, int]] = field(default_factory=list)  # (column, units)
    label: dict[str, dict[str, str]] = field(default_factory=dict)  # key column → its value → the area's name


@dataclass
class Table:
    file: Path
    header_rows: list[int]  # 1-based, as in Excel (several: a header of several rows)
    columns: list[str]
    id: str | None
    id_matches: str  # the areas' column the ids match (the name column: areas named by name)
    matched: int
    year: str | None
    years: list[int]
    population: str | None
    missing: list[str]
    counts: list[str]
    rates: list[str]
    codes: list[str]
    texts: list[str]
    wide: bool = False
    year_row: int | None = None
    first_line: int = 2
    unmatched: list[str] = field(default_factory=list)  # areas without a row: "16056 (Eisenach)"
    totals: sniff_rows.TotalRows = field(default_factory=sniff_rows.TotalRows)
    notes: list[str] = field(default_factory=list)


def _unique_key(col: pd.Series) -> bool:
    return col.notna().all() and col.astype(str).str.strip().is_unique


def _is_float(col: pd.Series) -> bool:
    return pd.api.types.is_float_dtype(col) and not (col.dropna() % 1 == 0).all()


def read_areas(path: str | Path) -> Areas:
    """Layers, columns, CRS and the proposed id/name columns of a geodata file (first the largest layer)."""
    import pyogrio

    path = Path(path)
    if not path.exists():
        raise SozialplanungError("Die Geodatei der Gebiete existiert nicht.", file=str(path), field="--gebiete")
    try:
        layers = [(str(name), pyogrio.read_info(path, layer=str(name))["features"])
                  for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio raises its own DataSourceError etc. for files it cannot open
        raise SozialplanungError(f"Die Geodatei lässt sich nicht lesen ({type(exc).__name__}).", file=str(path),
                                 field="--gebiete", hint="GeoPackage, Shapefile (oder sein Ordner), GeoJSON, FlatGeobuf"
                                 ) from None
    layer = max(layers, key=lambda item: item[1])[0]
    info = pyogrio.read_info(path, layer=layer)
    table = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
    keys = [c for c in table.columns if _unique_key(table[c]) and not _is_float(table[c])]
    id_col = next((c for c in keys if ID_NAME.search(c)), None) or next(
        (c for c in keys if table[c].astype(str).str.fullmatch(r"\d+").all()), None) or (keys[0] if keys else None)
    texts = [c for c in table.columns if c != id_col and not pd.api.types.is_numeric_dtype(table[c])
             and table[c].astype(str).str.contains(r"[A-Za-zÄÖÜäöüß]").mean() > 0.9]
    name_col = next((c for c in texts if NAME_NAME.search(c) and table[c].nunique() > 0.8 * len(table)), None) or \
        next((c for c in texts if table[c].nunique() > 0.8 * len(table)), None)
    ids = table[id_col].astype(str).str.strip() if id_col else pd.Series(dtype=str)
    layers = [item for item in layers if item[0] != layer] if len(layers) > 1 else []  # the others
    out = Areas(path, layer if layers else None, layers, list(table.columns), info["crs"], len(table),
                id_col, name_col, ids, table[name_col].astype(str) if name_col else None)
    out.keys = {c: set(table[c].astype(str).str.strip()) for c in [*keys, *([name_col] if name_col else [])]}
    if name_col:
        out.label = {c: dict(zip(table[c].astype(str).str.strip(), table[name_col].astype(str))) for c in out.keys}
    out.prefixes = _prefixes(ids)
    out.parent_columns = [(c, table[c].nunique()) for c in table.columns if c not in (id_col, name_col)
                          and not _is_float(table[c]) and 1 < table[c].nunique() < 0.5 * len(table)
                          and table[c].astype(str).str.fullmatch(r"\d+").all()]  # parent ids: digits only
    return out


def _prefixes(ids: pd.Series) -> list[tuple[int, int]]:
    """Id prefixes that group the areas into fewer units (digit ids of one length): (digits, units)."""
    if ids.empty or not ids.str.fullmatch(r"\d+").all() or ids.str.len().nunique() != 1:
        return []
    longest = {}  # units → the longest prefix giving them (PLR 01100101: 4 digits, not 3, for 58 Prognoseräume)
    for digits in range(1, int(ids.str.len().iloc[0])):
        n = ids.str[:digits].nunique()
        if 1 < n < len(ids):
            longest[n] = digits
    return sorted((digits, n) for n, digits in longest.items())


def _decode(raw: bytes) -> str:
    for bom, enc in ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"), (b"\xef\xbb\xbf", "utf-8-sig")):
        if raw.startswith(bom):
            return raw.decode(enc)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _grid(path: Path) -> pd.DataFrame:
    """All cells as text, no header."""
    suffix = path.suffix.lower()
    try:
        if suffix in SPREADSHEETS:
            return pd.read_excel(path, header=None, dtype=str, engine="calamine").fillna("")
        if suffix == ".parquet":
            df = pd.read_parquet(path)
            return pd.DataFrame([list(map(str, df.columns)), *df.astype(str).to_numpy().tolist()])
        text = _decode(path.read_bytes())
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t|")
        rows = list(csv.reader(io.StringIO(text), dialect))
    except (OSError, ValueError, csv.Error) as exc:
        raise SozialplanungError(f"Die Datentabelle lässt sich nicht lesen: {exc}.", file=str(path),
                                 field="--daten", hint="CSV, XLSX, XLS, ODS oder Parquet") from None
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows]).fillna("")


def _number(col: pd.Series, missing: list[str]) -> pd.Series:
    text = col.astype(str).str.strip().replace(dict.fromkeys(["", *missing], None))
    both = text.str.contains(r"\.", na=False) & text.str.contains(",", na=False)
    german = text.str.contains(",", na=False).any() and not both.any()
    text = text.str.replace(",", ".", regex=False) if german else text.str.replace(",", "", regex=False)
    return pd.to_numeric(text, errors="coerce").where(text.notna())


def read_table(path: str | Path, areas: Areas, kommune: str | None = None) -> Table:
    """Header rows, columns and their kinds, the id column (matched against the areas) and the total rows
    (:mod:`sozialplanung.publish.sniff_rows`) of a data table."""
    path = Path(path)
    if not path.exists():
        raise SozialplanungError("Die Datentabelle existiert nicht.", file=str(path), field="--daten")
    grid = _grid(path)
    cells_all = grid.astype(str).apply(lambda c: c.str.strip())
    heads, year_row, first = sniff_rows.shape(cells_all)
    names = [n or f"Spalte {layout.letter(i)}" for i, n in enumerate(layout.header_names(cells_all, heads))]
    below = list(cells_all.iloc[year_row]) if year_row is not None else []
    years = sorted({int(v) for v in below if re.fullmatch(r"(19|20)\d\d", v)})
    wide = year_row is not None  # INKAR: indicator names in the header row, one column per year in the row below
    if wide:  # per indicator its last year's column, for the kinds below
        names = [n if not below[i] or i == max(j for j, m in enumerate(names) if m == n) else f"{n} ({below[i]})"
                 for i, n in enumerate(names)]
    cells = cells_all.iloc[first:].set_axis(names, axis=1).reset_index(drop=True)
    cells = cells.loc[:, ~pd.Index(names).duplicated()]
    missing = [m for m in MISSING_CODES if (cells == m).to_numpy().any()]
    t = Table(path, [h + 1 for h in heads], list(cells.columns), None, "", 0, None, [], None, missing, [], [], [], [])
    t.wide, t.year_row, t.years, t.first_line = wide, (year_row + 1 if wide else None), years, first + 1
    _match_id(t, cells, areas)
    for col in t.columns:
        if col == t.id or re.search(r" \((19|20)\d\d\)$", col):
            continue
        values = _number(cells[col], missing)
        ok = values.notna().sum() >= 0.8 * cells[col].replace(dict.fromkeys(["", *missing], None)).notna().sum() > 0
        if not ok or cells[col].str.fullmatch(r"0\d+").any():
            (t.texts if not ok else t.codes).append(col)
        elif _year_like(col, values):
            t.year, t.years = (t.year or col), sorted({int(v) for v in values.dropna()})
        elif re.fullmatch(r"\d{6}", cells[col].iloc[0] if len(cells) else "") and YEAR_NAME.match(col):
            t.notes.append(f"„{col}“ sieht nach Jahr und Monat aus (JJJJMM), nicht nach einer Jahresspalte: ohne "
                           "Jahresspalte gilt report_year für alle Zeilen")
            t.codes.append(col)
        elif (values.dropna() % 1 == 0).all() and values.nunique() <= 10 and values.max() <= 10:
            t.codes.append(col)
        elif (values.dropna() % 1 == 0).all() and not RATE_NAME.search(col):
            t.counts.append(col)
        else:
            t.rates.append(col)
    t.columns = [c for c in t.columns if not re.search(r" \((19|20)\d\d\)$", c)]
    t.population = next((c for c in t.counts if POPULATION_NAME.match(c)), None)
    keys = areas.keys.get(t.id_matches, set())
    if t.id:
        _unmatched(t, cells, keys, areas.label.get(t.id_matches, {}))
        t.totals = sniff_rows.total_rows(cells, t.id, keys, t.first_line, texts=[*t.texts, *t.codes], kommune=kommune,
                                         width=max(map(len, keys)) if keys and all(v.isdigit() for v in keys) else 0)
    return t


def _unmatched(t: Table, cells: pd.DataFrame, keys: set[str], label: dict[str, str]) -> None:
    """The areas the table has no row for (validate stops on them): id and name."""
    seen = {v[:-2] if v.endswith(".0") else v for v in cells[t.id]}
    width = max(map(len, keys)) if keys and all(v.isdigit() for v in keys) else 0
    seen |= {v.zfill(width) for v in seen if v.isdigit()} if width else set()
    t.unmatched = [f"{k} ({label[k]})" if label.get(k, k) != k else k for k in sorted(keys - seen)]


def _year_like(col: str, values: pd.Series) -> bool:
    v = values.dropna()
    return bool(len(v)) and (v % 1 == 0).all() and v.between(1990, 2100).all() and \
        (bool(YEAR_NAME.match(col)) or v.nunique() <= 30)


def _match_id(t: Table, cells: pd.DataFrame, areas: Areas) -> None:
    """The column whose values are one of the areas' key columns (or names); leading zeros restored where needed.

    ``t.id_matches`` is that column of the areas (the proposed ``areas.id``), the id column before the name column.
    """
    best = (0, None, "", False)
    for key, ids in sorted(areas.keys.items(), key=lambda item: item[0] == areas.name):
        width = max(map(len, ids)) if ids and all(v.isdigit() for v in ids) else 0
        for col in cells.columns:
            values = {v[:-2] if v.endswith(".0") else v for v in cells[col]}
            padded = {v.zfill(width) for v in values if v.isdigit()} if width else set()
            for hits, zeros in ((len(values & ids), False), (len(padded & ids), True)):
                if hits > best[0]:
                    best = (hits, col, key, zeros)
    t.matched, t.id, t.id_matches, zeros = best
    if zeros:
        t.notes.append(f"in „{best[1]}“ fehlen führende Nullen der Kennungen (Excel?): validate nennt die Zeilen; "
                       "die Spalte in der Quelle als Text speichern")
