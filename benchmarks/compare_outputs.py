"""Compare two render output folders file by file: which files differ, and where first.

Made for the check "the tables of a render are byte-identical for the same inputs" (#9): render the same
parameter file with two versions of the code, then

    python benchmarks/compare_outputs.py ALT NEU                 # tabellen/, every .csv, .xlsx and .gpkg
    python benchmarks/compare_outputs.py ALT NEU --muster '**/*'  # every file
    python benchmarks/compare_outputs.py ALT NEU --muster '*.gpkg' --muster 'tabellen/**/*'

Every file that matches a pattern (``pathlib`` glob, relative to the folder) in either folder is compared byte for
byte. For a differing file the first differences are shown:

- text (CSV, HTML, JSON, QML, SVG, …): the first differing lines (unified diff, long lines cut around the change);
- XLSX (a zip): which members differ, then the first differing cells per sheet (openpyxl);
- GeoPackage (SQLite): the first differing rows, each table's rows sorted (geometry blobs as their length);
- anything else: the offset of the first differing byte.

A differing file whose text (XLSX: its members; GeoPackage: its rows) is the same once ISO timestamps are masked
is listed as ``NUR ZEITSTEMPEL`` (XLSX ``dcterms:created``, GeoPackage ``last_change``: the time of writing).
Exit status 0 when no file differs beyond timestamps, 1 otherwise. Standard library and openpyxl only.
"""

from __future__ import annotations

import argparse
import difflib
import io
import re
import sqlite3
import sys
import zipfile
from pathlib import Path

DEFAULT_PATTERNS = ["tabellen/**/*", "**/*.csv", "**/*.xlsx", "**/*.gpkg"]
TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".md", ".html", ".json", ".yaml", ".yml", ".qml", ".svg", ".xml", ".typ",
                 ".geojson"}
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?")
MAX_LINES = 8    # diff lines shown per file (or per member)
WIDTH = 160      # characters shown of a long line, around its first difference


def files(root: Path, patterns: list[str]) -> set[str]:
    """Relative paths (POSIX) of the files below ``root`` that match one of ``patterns``."""
    return {p.relative_to(root).as_posix() for pattern in patterns for p in root.glob(pattern) if p.is_file()}


def _cut(line: str, at: int) -> str:
    """``line`` shortened to :data:`WIDTH` characters around position ``at``."""
    if len(line) <= WIDTH:
        return line
    start = max(0, at - WIDTH // 3)
    return ("…" if start else "") + line[start:start + WIDTH] + ("…" if start + WIDTH < len(line) else "")


def _first_change(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def text_diff(old: str, new: str, limit: int = MAX_LINES) -> list[str]:
    """The first ``limit`` lines of a line diff of two texts (``@@ line numbers``, ``-`` old, ``+`` new); a changed
    line and its replacement are cut at the same place, so both show the difference."""
    a, b = old.splitlines(), new.splitlines()
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        out.append(f"@@ ALT {i1 + 1}–{i2}, NEU {j1 + 1}–{j2} @@")
        for k in range(max(i2 - i1, j2 - j1)):
            x = a[i1 + k] if i1 + k < i2 else None
            y = b[j1 + k] if j1 + k < j2 else None
            at = _first_change(x, y) if x is not None and y is not None else 0
            out += [f"-{_cut(x, at)}"] if x is not None else []
            out += [f"+{_cut(y, at)}"] if y is not None else []
        if len(out) >= limit:
            break
    return out[:limit]


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def xlsx_diff(old: bytes, new: bytes) -> list[str]:
    """Differing zip members of two XLSX files, then the first differing cells of each sheet."""
    out = []
    with zipfile.ZipFile(io.BytesIO(old)) as za, zipfile.ZipFile(io.BytesIO(new)) as zb:
        a, b = set(za.namelist()), set(zb.namelist())
        for name in sorted(a ^ b):
            out.append(f"  Teil nur in {'ALT' if name in a else 'NEU'}: {name}")
        for name in sorted(a & b):
            if za.read(name) != zb.read(name):
                out.append(f"  Teil verschieden: {name}")
                out += ["    " + line for line in text_diff(_decode(za.read(name)), _decode(zb.read(name)), 4)]
    out += cell_diff(old, new)
    return out


def cell_diff(old: bytes, new: bytes, limit: int = MAX_LINES) -> list[str]:
    """First differing cells (value or number format) of two workbooks, per sheet."""
    import openpyxl

    wa = openpyxl.load_workbook(io.BytesIO(old))
    wb = openpyxl.load_workbook(io.BytesIO(new))
    out = []
    if wa.sheetnames != wb.sheetnames:
        out.append(f"  Blätter: {wa.sheetnames} → {wb.sheetnames}")
    for name in [n for n in wa.sheetnames if n in wb.sheetnames]:
        sa, sb = wa[name], wb[name]
        rows, cols = max(sa.max_row, sb.max_row), max(sa.max_column, sb.max_column)
        shown = 0
        for r in range(1, rows + 1):
            for c in range(1, cols + 1):
                ca, cb = sa.cell(r, c), sb.cell(r, c)
                if (ca.value, ca.number_format) != (cb.value, cb.number_format):
                    if shown < limit:
                        out.append(f"  Blatt „{name}“ {ca.coordinate}: {ca.value!r} [{ca.number_format}] → "
                                   f"{cb.value!r} [{cb.number_format}]")
                    shown += 1
        if shown > limit:
            out.append(f"  Blatt „{name}“: {shown} Zellen verschieden")
    return out


def sql_dump(path: Path) -> str:
    """The rows of every table of an SQLite file (a GeoPackage), sorted (row order carries no meaning there),
    blobs replaced by their length."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    con.text_factory = lambda b: b.decode("utf-8", errors="replace")
    lines = []
    try:
        for table, in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            quoted = '"' + table.replace('"', '""') + '"'
            rows = [" | ".join(f"<{len(v)} Bytes>" if isinstance(v, bytes) else repr(v) for v in row)
                    for row in con.execute(f"SELECT * FROM {quoted}")]
            lines += [f"{table}: {row}" for row in sorted(rows)]
    finally:
        con.close()
    return "\n".join(lines)


def comparable_text(path: Path) -> str | None:
    """The text of a file as compared with timestamps masked (XLSX: its members, GeoPackage: its rows), or None
    for a binary file."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            text = "\n".join(f"{name}\n{_decode(z.read(name))}" for name in sorted(z.namelist()))
    elif suffix == ".gpkg":
        text = sql_dump(path)
    elif suffix in TEXT_SUFFIXES:
        text = _decode(path.read_bytes())
    else:
        return None
    return TIMESTAMP.sub("<Zeitstempel>", text)


def describe(old: Path, new: Path) -> list[str]:
    """Lines that say where two differing files first differ."""
    a, b = old.read_bytes(), new.read_bytes()
    suffix = old.suffix.lower()
    if suffix == ".xlsx":
        return xlsx_diff(a, b)
    if suffix == ".gpkg":
        return ["  " + line for line in text_diff(sql_dump(old), sql_dump(new))]
    if suffix in TEXT_SUFFIXES:
        return ["  " + line for line in text_diff(_decode(a), _decode(b))]
    at = _first_change(a, b)
    return [f"  {len(a)} → {len(b)} Bytes, erster Unterschied bei Byte {at}"]


def compare(old_root: Path, new_root: Path, patterns: list[str]) -> tuple[list[str], list[str]]:
    """``(identical paths, report lines)``; the report lists every differing or one-sided file."""
    paths = sorted(files(old_root, patterns) | files(new_root, patterns))
    same, report = [], []
    for rel in paths:
        old, new = old_root / rel, new_root / rel
        if not old.is_file() or not new.is_file():
            report.append(f"NUR {'NEU' if new.is_file() else 'ALT'}: {rel}")
        elif old.read_bytes() == new.read_bytes():
            same.append(rel)
        else:
            masked = comparable_text(old)
            only_time = masked is not None and masked == comparable_text(new)
            report.append(f"{'NUR ZEITSTEMPEL' if only_time else 'VERSCHIEDEN'}: {rel}")
            report += describe(old, new)[:3 if only_time else None]
    return same, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Zwei Ausgabeordner eines Renders Datei für Datei vergleichen.")
    parser.add_argument("alt", type=Path, help="Ausgabeordner der alten Fassung")
    parser.add_argument("neu", type=Path, help="Ausgabeordner der neuen Fassung")
    parser.add_argument("--muster", action="append", help=f"Glob relativ zum Ordner (mehrfach; Vorgabe: "
                        f"{' '.join(DEFAULT_PATTERNS)})")
    args = parser.parse_args(argv)
    for root in (args.alt, args.neu):
        if not root.is_dir():
            parser.error(f"Ordner nicht gefunden: {root}")
    same, report = compare(args.alt, args.neu, args.muster or DEFAULT_PATTERNS)
    print("\n".join(report))
    heads = [line for line in report if not line.startswith(" ")]
    n_time = sum(1 for line in heads if line.startswith("NUR ZEITSTEMPEL"))
    n_diff = len(heads) - n_time
    print(f"{len(same)} Dateien byte-gleich, {n_time} nur im Zeitstempel verschieden, "
          f"{n_diff} verschieden oder nur auf einer Seite.")
    return 1 if n_diff else 0


if __name__ == "__main__":
    sys.exit(main())
