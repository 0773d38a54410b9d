"""Leak scan: does any published file show a withheld (geheim gehaltener) value?

:func:`scan_outputs` reads every artifact of a rendered report and looks, **in the row or line of the
area concerned**, for the withheld value:

- ``tabellen/*.csv``, ``ergebnisse.xlsx`` (openpyxl), ``ergebnisse.gpkg`` (pyogrio, every layer): the
  record of the area (column ``gebiet_id``);
- ``*.html`` and ``*.svg``: table rows that name the area (its id, ``id name`` or a unique name) – with
  the column headers when the table has them – and, outside tables, each line of text naming the area;
- ``notebooks/*.ipynb``: every output (``text/html`` as HTML, ``text/plain`` and streams as text);
- ``*.pdf``: the text layer (pypdf if installed, else the ``pdftotext`` program; if neither exists the
  PDF is reported as not checkable – the scan fails closed).

A number *t* written with *d* decimals ("12,5", "12.5", "12.512345"; also "1.234" as thousands)
reveals a withheld rate *r* if ``|t − r| ≤ ½·10⁻ᵈ``, i.e. it is *r* at that precision. Where a column
header names the indicator, any precision counts; in columns without a known header three decimals
are required and in running text one, so that an unrelated "2" or "3,1" elsewhere is not flagged.
Columns of reference values (header naming the Kommune or a parent level) are skipped, deviation
columns (``abweichung``) are checked as ``r − Kommune``. A withheld **count** is a leak where a
column header (or the line of text) names its count column or indicator and shows the count.

Recomputation: for every published total (each parent area and the Kommune) the withheld cells not
covered by a smaller published total ("residual") must not be exactly one – else
``total − published parts − sub-totals`` is that cell (checked on the raw counts). This residual rule
is complete for nested totals; a Bezugsgesamtheit cutting across parents is covered by the exact
linear test of :mod:`sozialplanung.datenschutz`. Images (PNG maps) cannot be scanned: maps draw
withheld areas hatched from the same masked values.

Scanned is the report year (``years`` to widen).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from sozialplanung.errors import SozialplanungError

_WORD = "0-9A-Za-zÄÖÜäöüß"  # letters and digits; "_" and spaces separate words
_NUMBER = re.compile(r"[−\-]?\d+(?:[.,]\d+)*")
COUNT_WORDS = ("Fälle", "Fallzahl", "Fallzahlen", "Anzahl")
"""Header words that mark a column of case numbers (a withheld count there is a leak)."""
_IMAGES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
_SKIP = {"manifest.json"}  # parameters and SHA-256 hashes, no values


@dataclass(frozen=True)
class Leak:
    """One finding: ``file`` (relative to the output folder), area, indicator or column, what was found."""

    file: str
    gebiet_id: str
    spalte: str
    found: str

    def __str__(self) -> str:
        return f"{self.file}: Gebiet {self.gebiet_id}, „{self.spalte}“: {self.found}"


@dataclass(frozen=True)
class _Secret:
    gebiet_id: str
    spalte: str          # indicator id or count column
    value: float
    kind: str            # "rate" or "count"
    names: tuple[str, ...]  # words that refer to it in headers/text (id, name, column)
    deviation: float | None = None  # value − Kommune reference, for "abweichung" columns


def scan_outputs(folder: str | Path, dp, years: list[int] | None = None) -> list[Leak]:
    """Every leak of a withheld value in the published files of ``folder`` (empty list: none found)."""
    folder = Path(folder)
    secrets = _secrets(dp, years or [dp.year])
    areas = _Areas(dp)
    leaks: list[Leak] = _recomputation(dp, years or [dp.year])
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if path.name in _SKIP or path.suffix.lower() in _IMAGES or any(part.startswith(".") for part in path.parts[len(folder.parts):]):
            continue
        if not secrets:
            break  # nothing withheld, nothing to find
        for record in _records(path, rel):
            if record is None:
                leaks.append(Leak(rel, "", "", "Datei nicht prüfbar (für PDF: pypdf oder pdftotext installieren)"))
                continue
            leaks.extend(_check_record(record, rel, secrets, areas))
    return sorted(set(leaks), key=lambda x: (x.file, x.gebiet_id, x.spalte, x.found))


def check_outputs(folder: str | Path, dp, years: list[int] | None = None) -> None:
    """Raise a German :class:`SozialplanungError` listing every leak found by :func:`scan_outputs`."""
    leaks = scan_outputs(folder, dp, years)
    if leaks:
        shown = "\n".join(f"- {leak}" for leak in leaks[:20])
        more = f"\n… und {len(leaks) - 20} weitere" if len(leaks) > 20 else ""
        raise SozialplanungError(
            f"Datenschutz-Prüfung fehlgeschlagen: {len(leaks)} geheim gehaltene Werte sind in den Ausgaben "
            f"sichtbar oder rückrechenbar.\n{shown}{more}", file=str(folder),
            hint="Der Bericht wurde nicht veröffentlicht. Geheim gehaltene Werte nur über dp.values() lesen.")


# -- what must not appear --------------------------------------------------------------------------

def _secrets(dp, years: list[int]) -> dict[str, list[_Secret]]:
    """Withheld cells by area id, with their true values from the unmasked table."""
    out: dict[str, list[_Secret]] = {}
    for year in years:
        rows = dp.rows(year)
        withheld = dp.withheld(year)
        counts = getattr(dp, "suppressed_counts", pd.DataFrame())
        counts = counts.xs(year, level="jahr") if not counts.empty else pd.DataFrame()
        for ind in dp.catalogue.values():
            if not ind.from_counts:
                continue
            num, den = rows[ind.numerator].astype(float), rows[ind.denominator].astype(float)
            ref = num[dp.reference_ids].sum() / den[dp.reference_ids].sum() * ind.factor
            for gid in withheld.index[withheld[ind.id]]:
                if den[gid] > 0:
                    rate = num[gid] / den[gid] * ind.factor
                    out.setdefault(gid, []).append(_Secret(gid, ind.id, rate, "rate", (ind.id, ind.name), rate - ref))
        for col in counts.columns:
            ind_names = tuple(i.name for i in dp.catalogue.values() if i.from_counts and i.numerator == col)
            for gid in counts.index[counts[col]]:
                out.setdefault(gid, []).append(
                    _Secret(gid, col, float(rows.at[gid, col]), "count", (col, *ind_names, *COUNT_WORDS)))
    return out


class _Areas:
    """Text that identifies an area → its id: the id, ``id name``, and names that are unique."""

    def __init__(self, dp):
        self.keys = {gid: gid for gid in dp.areas.index}
        names = dp.areas["name"].astype(str)
        parent_names = {str(n) for layer in dp.parents.values() if "name" in layer for n in layer["name"]}
        unique = []
        for gid, name in names.items():
            self.keys[f"{gid} {name}"] = gid
            if (names == name).sum() == 1 and name not in parent_names and name != dp.params.kommune:
                self.keys[name] = gid
                unique.append(name)
        pattern = "|".join(re.escape(n) for n in sorted(unique, key=len, reverse=True))
        self.names = re.compile(rf"(?<![{_WORD}])(?:{pattern})(?![{_WORD}])") if unique else None
        self.reference_words = (*dp.params.levels()[1:], "Bezug", "Bezugswert")

    def __getitem__(self, text: str) -> str:
        return self.keys[text]


# -- reading artifacts into records -------------------------------------------------------------------

@dataclass
class _Record:
    cells: list[tuple[str | None, str]]  # (header or None, text)
    text: bool = False                   # running text (a line), not a table row
    key: str | None = None               # area id when known from a gebiet_id column


def _records(path: Path, rel: str):
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from _frame_records(pd.read_csv(path, dtype=str, keep_default_na=False))
    elif suffix == ".xlsx":
        yield from _xlsx_records(path)
    elif suffix == ".gpkg":
        import pyogrio

        for layer, _ in pyogrio.list_layers(path):
            df = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
            yield from _frame_records(df.astype(str))
    elif suffix in (".html", ".htm", ".svg"):
        yield from _html_records(path.read_text(encoding="utf-8", errors="replace"))
    elif suffix == ".ipynb":
        yield from _notebook_records(path)
    elif suffix == ".pdf":
        text = _pdf_text(path)
        yield from ([None] if text is None else _text_records(text))
    elif suffix in (".txt", ".md", ".json", ".geojson", ".tex", ".yaml"):
        yield from _text_records(path.read_text(encoding="utf-8", errors="replace"))


def _frame_records(df: pd.DataFrame):
    heads = [str(c) for c in df.columns]
    key = "gebiet_id" if "gebiet_id" in heads else None
    for row in df.itertuples(index=False):
        cells = [(h, str(v)) for h, v in zip(heads, row)]
        yield _Record(cells, key=str(row[heads.index(key)]) if key else None)


def _xlsx_records(path: Path):
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    for ws in wb.worksheets:
        rows = ws.iter_rows(values_only=True)
        heads = [str(h) for h in next(rows, ())]
        key = heads.index("gebiet_id") if "gebiet_id" in heads else None
        for row in rows:
            cells = [(heads[i] if i < len(heads) else None, "" if v is None else repr(v) if isinstance(v, float)
                      else str(v)) for i, v in enumerate(row)]
            yield _Record(cells, key=cells[key][1] if key is not None and key < len(cells) else None)
    wb.close()


def _notebook_records(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            html_text, plain = data.get("text/html"), [data.get("text/plain"), output.get("text")]
            if html_text:
                yield from _html_records("".join(html_text))
            for text in filter(None, plain):
                yield from _text_records("".join(text))


def _text_records(text: str):
    for line in text.splitlines():
        if line.strip():
            yield _Record([(None, line)], text=True)


def _pdf_text(path: Path) -> str | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        tool = shutil.which("pdftotext")
        if tool is None:
            return None
        done = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True)
        return done.stdout
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


class _HtmlRows(HTMLParser):
    """Table rows (with header labels per column) and lines of running text (also captions)."""

    _BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "caption", "figcaption", "section",
               "text", "tspan", "title", "table", "tr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.records: list[_Record] = []
        self.tables: list[dict] = []
        self.skip = 0
        self.line: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self.skip += 1
            return
        if tag in self._BLOCKS:
            self._flush()
        if tag == "table":
            self.tables.append({"head": [], "row": None, "cell": None, "in_head": False, "body": False})
        elif self.tables:
            t = self.tables[-1]
            if tag == "thead":
                t["in_head"] = True
            elif tag == "tr":
                t["row"] = []
            elif tag in ("td", "th") and t["row"] is not None:
                span = dict(attrs).get("colspan") or "1"
                t["cell"] = [tag, int(span) if span.isdigit() else 1, []]
            elif tag == "br" and t["cell"] is not None:
                t["cell"][2].append(" ")

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skip = max(0, self.skip - 1)
            return
        if self.tables:
            t = self.tables[-1]
            if tag == "table":
                self.tables.pop()
            elif tag == "thead":
                t["in_head"] = False
            elif tag in ("td", "th") and t["cell"] is not None and t["row"] is not None:
                kind, span, parts = t["cell"]
                t["row"].append((kind, span, " ".join("".join(parts).split())))
                t["cell"] = None
            elif tag == "tr" and t["row"] is not None:
                self._row(t, t["row"])
                t["row"] = None
        if tag in self._BLOCKS:
            self._flush()

    def handle_data(self, data):
        if self.skip:
            return
        if self.tables and self.tables[-1]["cell"] is not None:
            self.tables[-1]["cell"][2].append(data)
        else:
            self.line.append(data)

    def _row(self, t, row):
        cells = [text for _, span, text in row for _ in range(span)]
        if t["in_head"] or (not t["body"] and len(row) > 1 and all(kind == "th" for kind, _, _ in row)):
            t["head"].append(cells)
            return
        t["body"] = True
        heads = [" ".join(h[i] for h in t["head"] if i < len(h) and h[i]) for i in range(len(cells))]
        self.records.append(_Record([(heads[i] or None, c) for i, c in enumerate(cells)]))

    def _flush(self):
        text = " ".join("".join(self.line).split())
        if text:
            self.records.append(_Record([(None, text)], text=True))
        self.line = []

    def close(self):
        super().close()
        self._flush()


def _html_records(text: str):
    parser = _HtmlRows()
    parser.feed(text)
    parser.close()
    return parser.records


# -- matching -------------------------------------------------------------------------------------

def _numbers(text: str) -> list[tuple[float, int]]:
    """Every reading of the numbers in ``text`` as (value, decimals): German and machine forms."""
    out = []
    for token in _NUMBER.findall(text.replace("\u202f", "").replace("\u00a0", " ")):
        sign = -1 if token[0] in "−-" else 1
        body = token.lstrip("−-")
        readings = []
        if "," in body and body.count(",") == 1:
            readings.append(body.replace(".", "").replace(",", "."))      # German 1.234,5
        if "," not in body and body.count(".") <= 1:
            readings.append(body)                                         # machine 12.5 / 12
        if "," not in body and re.fullmatch(r"\d{1,3}(\.\d{3})+", body):
            readings.append(body.replace(".", ""))                        # German thousands 1.234
        for r in readings:
            try:
                d = Decimal(r)
            except InvalidOperation:
                continue
            out.append((sign * float(d), max(0, -d.as_tuple().exponent)))
    return out


def _reveals(text: str, value: float, min_decimals: int) -> str | None:
    for number, decimals in _numbers(text):
        if decimals >= min_decimals and abs(number - value) <= 0.5 * 10 ** -decimals + 1e-9:
            return text
    return None


def _mentions(header: str | None, names: tuple[str, ...]) -> bool:
    """True if ``header`` contains one of ``names`` as a word (``_`` and spaces separate words)."""
    return header is not None and any(
        re.search(rf"(?<![{_WORD}]){re.escape(n)}(?![{_WORD}])", header, re.I) for n in names)


def _check_record(record: _Record, rel: str, secrets, areas) -> list[Leak]:
    if record.text:
        found = _areas_in_text(record.cells[0][1], areas)
    elif record.key is not None:
        found = [record.key]
    else:
        found = [areas[text.strip()] for _, text in record.cells if text.strip() in areas.keys][:1]
    leaks = []
    for gid in found:
        for secret in secrets.get(gid, []):
            for header, text in record.cells:
                if not text or text in ("nan", "None", "NaN", ".", "<NA>"):
                    continue
                hit = _match(secret, header, text, record.text, areas.reference_words)
                if hit:
                    leaks.append(Leak(rel, gid, secret.spalte, hit))
    return leaks


def _match(secret: _Secret, header, text: str, running: bool, reference_words) -> str | None:
    """What in ``text`` (a cell under ``header``, or a line of running text) reveals ``secret``."""
    what = "Quote" if secret.kind == "rate" else "Fallzahl"
    if running or header is None:  # running text, or a table without column headers
        named = secret.kind == "rate" or _mentions(text, secret.names)
        hit = named and _reveals(text, secret.value, 1 if secret.kind == "rate" else 0)
        return f"{what} im Text: „{text[:120]}“" if hit else None
    if _mentions(header, ("abweichung",)):
        ours = _mentions(header, secret.names) or header.strip().lower() == "abweichung"
        hit = ours and secret.deviation is not None and _reveals(text, secret.deviation, 0)
        return f"Abweichung zur Kommune „{text}“ in Spalte „{header}“" if hit else None
    if _mentions(header, reference_words):
        return None  # a reference value (parent area, Kommune) – published on purpose
    if _mentions(header, secret.names):
        return f"{what} „{text}“ in Spalte „{header}“" if _reveals(text, secret.value, 0) else None
    if secret.kind == "rate" and _reveals(text, secret.value, 3):
        return f"{what} „{text}“ in Spalte „{header or '?'}“"
    return None


def _areas_in_text(text: str, areas: "_Areas") -> list[str]:
    """Areas a line of running text names: by id (a run of digits) or by a unique name."""
    out = [areas[t] for t in re.findall(r"(?<![\d.,])\d{2,12}(?!\d|[.,]\d)", text) if t in areas.keys]
    if areas.names is not None:
        out += [areas[m] for m in areas.names.findall(text)]
    return list(dict.fromkeys(out))


# -- recomputation from totals ---------------------------------------------------------------------

def _recomputation(dp, years: list[int]) -> list[Leak]:
    """Withheld cells that equal a published total minus its published parts and sub-totals."""
    groups = []
    for parent in dp.params.areas.parents:
        for pid, members in dp.areas.groupby(parent.level).groups.items():
            groups.append((f"{parent.level} {pid}", frozenset(members)))
    groups.append((dp.params.kommune, frozenset(dp.reference_ids)))
    leaks = []
    for year in years:
        rows, withheld = dp.rows(year), dp.withheld(year)
        for ind in dp.catalogue.values():
            if not ind.from_counts:
                continue
            hidden = set(withheld.index[withheld[ind.id]])
            num = rows[ind.numerator].astype(float)
            for label, members in groups:
                subs = [m for _, m in groups if m < members]
                maximal = [m for m in subs if not any(m < o for o in subs)]
                covered = frozenset().union(*maximal) if maximal else frozenset()
                residual = [g for g in members - covered if g in hidden and not np.isnan(num[g])]
                if len(residual) == 1:
                    shown = [g for g in members - covered if g not in hidden]
                    value = num[list(members - covered)].sum() - num[shown].sum()
                    leaks.append(Leak("(Summen)", residual[0], ind.id,
                                      f"rückrechenbar: {label} minus veröffentlichte Teile = {value:g}"))
    return leaks
