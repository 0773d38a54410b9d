"""Reading published artifacts into records for the leak scan (:mod:`sozialplanung.publish.leaks`).

A :class:`Record` is one table row – each cell with its column header, the row header and the
context the table stands in (section label, headings, caption) – or one line of running text with
its context. The leak scan decides from these which area and which indicator a printed number
belongs to.

- ``*.csv``, ``*.xlsx`` (by column codes, :func:`sozialplanung.publish.export.read_workbook`), ``*.gpkg`` (pyogrio, every layer): one record per row, keyed by
  the ``gebiet_id`` column;
- ``*.html``, ``*.svg``: table rows (headers from ``thead`` or leading header rows; row header = the
  first ``th`` of a body row) and lines of text; context = the open ``section``'s ``aria-label``,
  the headings above (a heading replaces those of its level and below) and the table caption;
- SVG figures (inline in HTML, ``*.svg``, notebook ``image/svg+xml``): every ``<text>``/``<tspan>`` and every
  ``<title>`` (a map's area titles "id name: value (class)") is a line of text; an inline figure's
  ``aria-label`` (its alt text, naming the indicator) is context;
- ``*.ipynb``: every output: ``text/html`` as HTML (then ``text/plain``, the same object, is skipped),
  ``text/plain`` and streams like PDF text (printed tables keep their columns);
- ``*.pdf``: the text layer in layout mode (:func:`sozialplanung.publish.pdftext.pdf_pages`), page by page: runs of lines with aligned columns
  become table rows (headers from the lines above, cells by column order or position), all other
  lines running text; context = the page. ``None`` if the PDF cannot be read (the scan fails closed).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from sozialplanung.publish.pdftext import pdf_pages


@dataclass
class Record:
    cells: list[tuple[str | None, str]]  # (column header or None, text)
    text: bool = False                   # running text (a line), not a table row
    key: str | None = None               # area id when known from a gebiet_id column
    row_head: int | None = None          # index of the row header cell (first th of a body row)
    context: tuple[str, ...] = ()        # section label, headings, caption – outermost first
    bracket_refs: bool = False           # caption says numbers in brackets are reference values


def read_records(path: Path):
    """The records of one artifact (``None`` once for an unreadable PDF)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from frame_records(pd.read_csv(path, dtype=str, keep_default_na=False))
    elif suffix == ".xlsx":
        yield from _xlsx_records(path)
    elif suffix == ".gpkg":
        import pyogrio

        for layer, _ in pyogrio.list_layers(path):
            df = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
            yield from frame_records(df.astype(str))
    elif suffix in (".html", ".htm", ".svg"):
        yield from html_records(path.read_text(encoding="utf-8", errors="replace"))
    elif suffix == ".ipynb":
        yield from _notebook_records(path)
    elif suffix == ".pdf":
        pages = pdf_pages(path)
        yield from ([None] if pages is None else (r for page in pages for r in layout_records(page)))
    elif suffix in (".txt", ".md", ".json", ".geojson", ".tex", ".yaml"):
        yield from text_records(path.read_text(encoding="utf-8", errors="replace"))


def frame_records(df: pd.DataFrame):
    heads = [str(c) for c in df.columns]
    key = "gebiet_id" if "gebiet_id" in heads else None
    for row in df.itertuples(index=False):
        cells = [(h, str(v)) for h, v in zip(heads, row)]
        yield Record(cells, key=str(row[heads.index(key)]) if key else None)


def _xlsx_records(path: Path):
    """Rows of every sheet, headed by the column codes (:func:`sozialplanung.publish.export.read_workbook`)."""
    from sozialplanung.publish.export import read_workbook

    for _, heads, rows in read_workbook(path):
        heads = [str(h) for h in heads]
        key = heads.index("gebiet_id") if "gebiet_id" in heads else None
        for row in rows:
            cells = [(heads[i] if i < len(heads) else None, "" if v is None else repr(v) if isinstance(v, float)
                      else str(v)) for i, v in enumerate(row)]
            yield Record(cells, key=cells[key][1] if key is not None and key < len(cells) else None)


def _notebook_records(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            html_text = data.get("text/html")
            plain = [None if html_text else data.get("text/plain"), output.get("text")]  # plain: same as html
            if html_text:
                yield from html_records("".join(html_text))
            if data.get("image/svg+xml"):  # figures: text and one <title> per area of a map
                yield from html_records("".join(data["image/svg+xml"]))
            for text in filter(None, plain):
                yield from layout_records("".join(text))  # printed tables keep their columns


def text_records(text: str, context: tuple[str, ...] = ()):
    for line in text.splitlines():
        if line.strip():
            yield Record([(None, line)], text=True, context=context)


# -- PDF text in layout mode -------------------------------------------------------------------------

_CHUNK = re.compile(r"\S+(?: \S+)*")  # a run of words separated by single spaces


def _chunks(line: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _CHUNK.finditer(line)]


def layout_records(page: str):
    """Records of one PDF page: rows of aligned tables as table rows, every other line as text.

    Header lines have several chunks (runs of words) and no value (years do not count); the rows
    below them (several chunks, some a value) form a table until the next header line. Up to three
    header lines make the columns; a row's cells go to them by order when their numbers agree,
    else each cell to the column whose right edge is nearest (numbers and headers are right-aligned).
    """
    context = (page,)
    heads: list[list[tuple[int, int, str]]] = []
    in_block, caption = False, ""
    for line in page.splitlines():
        parts = _chunks(line)
        if not parts:
            continue
        values = [p for p in parts if _VALUE.fullmatch(p[2]) and not _YEAR.fullmatch(p[2])]
        if len(parts) >= 2 and not values:
            heads = [*([] if in_block else heads[-2:]), parts]
            in_block = False
        elif len(parts) >= 2 and heads:
            in_block = True
            yield Record(_assign(parts, _columns(heads)), row_head=0, context=context,
                         bracket_refs="in Klammern" in caption)
            continue
        elif " " in parts[0][2]:  # a sentence or caption ends a header; "gebiet_id" (index name) does not
            heads = heads if in_block else []
            caption = line
        yield Record([(None, line.strip())], text=True, context=context)


_VALUE = re.compile(r"(?:[+−\-]?\d+(?:[.,]\d+)*(?: ?%)?|[.x–-])(?: \([^)]*\))?")
_YEAR = re.compile(r"(?:19|20)\d\d")


def _columns(heads) -> list[tuple[int, int, str]]:
    """Header columns from up to three header lines: chunks that overlap horizontally are joined
    (a word broken at a hyphen – "Ge‐" / "biet", "Bitburg-" / "Prüm" – is joined again)."""
    columns: list[list] = []
    for start, end, text in (c for line in heads for c in line):
        for col in columns:
            if start < col[1] and end > col[0]:
                head = col[2]
                joined = (head[:-1] + text if head.endswith(("\u2010", "\u00ad")) else
                          head + text if head.endswith("-") else f"{head} {text}")
                col[0], col[1], col[2] = min(col[0], start), max(col[1], end), joined
                break
        else:
            columns.append([start, end, text])
    return [tuple(c) for c in sorted(columns)]


def _assign(parts, columns):
    if len(parts) == len(columns):
        return [(col[2], text) for col, (_, _, text) in zip(columns, parts)]
    if not columns:
        return None
    return [(min(columns, key=lambda c: abs(c[1] - end))[2], text) for _, end, text in parts]


# -- HTML --------------------------------------------------------------------------------------------

class _HtmlRows(HTMLParser):
    """Table rows (with header labels per column) and lines of running text, each with its context."""

    _BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "caption", "figcaption", "section",
               "text", "tspan", "title", "table", "tr", "article", "dt", "dd"}
    _SCOPES = {"section", "article", "svg"}  # an inline figure's aria-label (its alt text) is context

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.records: list[Record] = []
        self.tables: list[dict] = []
        self.scopes: list[dict] = [{"label": None, "heads": {}}]
        self.skip = 0
        self.line: list[str] = []

    def context(self) -> tuple[str, ...]:
        out = []
        for scope in self.scopes:
            out += [scope["label"]] if scope["label"] else []
            out += [scope["heads"][k] for k in sorted(scope["heads"])]
        if self.tables and self.tables[-1]["caption"]:
            out.append(self.tables[-1]["caption"])
        return tuple(out)

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self.skip += 1
            return
        if tag in self._BLOCKS:
            self._flush()
        if tag in self._SCOPES:
            self.scopes.append({"label": dict(attrs).get("aria-label"), "heads": {}})
        if tag == "table":
            self.tables.append({"head": [], "row": None, "cell": None, "in_head": False, "body": False,
                                "caption": ""})
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
                self._flush()
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
            text = self._flush()
            if tag == "caption" and self.tables:
                self.tables[-1]["caption"] = text
            elif re.fullmatch(r"h[1-6]", tag) and text:
                heads = self.scopes[-1]["heads"]
                for level in [k for k in heads if k >= int(tag[1])]:
                    del heads[level]
                heads[int(tag[1])] = text
        if tag in self._SCOPES and len(self.scopes) > 1:
            self.scopes.pop()

    def handle_data(self, data):
        if self.skip:
            return
        if self.tables and self.tables[-1]["cell"] is not None:
            self.tables[-1]["cell"][2].append(data)
        else:
            self.line.append(data)

    def _row(self, t, row):
        cells = [text for _, span, text in row for _ in range(span)]
        kinds = [kind for kind, span, _ in row for _ in range(span)]
        if t["in_head"] or (not t["body"] and len(row) > 1 and all(kind == "th" for kind, _, _ in row)):
            t["head"].append(cells)
            return
        t["body"] = True
        heads = [" ".join(h[i] for h in t["head"] if i < len(h) and h[i]) for i in range(len(cells))]
        caption = t["caption"]
        self.records.append(Record([(heads[i] or None, c) for i, c in enumerate(cells)],
                                   row_head=kinds.index("th") if "th" in kinds else None, context=self.context(),
                                   bracket_refs="in Klammern" in caption))

    def _flush(self) -> str:
        text = " ".join("".join(self.line).split())
        if text:
            self.records.append(Record([(None, text)], text=True, context=self.context()))
        self.line = []
        return text

    def close(self):
        super().close()
        self._flush()


def html_records(text: str) -> list[Record]:
    parser = _HtmlRows()
    parser.feed(text)
    parser.close()
    return parser.records


# -- recomputation from totals: which withheld cell is a published total minus its published parts ---

def own_cells(groups, n_cells: int):
    """Groups × cells (sparse, 0/1): the members of each group that lie in none of its proper sub-groups;
    and per group whether it has a proper sub-group.

    ``groups`` are arrays of cell positions (any family: nested or overlapping). A group's total minus
    the totals of its proper sub-groups (all published) and its published own cells leaves the sum of
    its withheld own cells: one such cell alone is recomputable. Decided for all groups at once with
    two sparse products (intersection sizes, then the cells covered by sub-groups): about linear in the
    memberships for a hierarchy, where comparing every pair of groups as sets was quadratic (17 s per
    Kreis report over the 4.600 Gemeindeverbände).

    Examples
    --------
    >>> own, has_sub = own_cells([np.array([0, 1]), np.array([0, 1, 2]), np.array([1, 2])], 3)
    >>> own.toarray().tolist(), has_sub.tolist()
    ([[1, 1, 0], [0, 0, 0], [0, 1, 1]], [False, True, False])
    """
    from scipy import sparse

    rows = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    cols = np.concatenate([np.asarray(g, dtype=np.int64) for g in groups]) if len(groups) else np.array([], int)
    member = sparse.csr_matrix((np.ones(len(cols), dtype=np.int64), (rows, cols)), shape=(len(groups), n_cells))
    member.data[:] = 1  # a cell listed twice in a group is one member
    size = np.asarray(member.sum(axis=1)).ravel()
    inter = (member @ member.T).tocoo()  # |h ∩ g| for every pair of groups that share a cell
    proper = (inter.data == size[inter.row]) & (size[inter.row] < size[inter.col])  # h ⊊ g
    sub = sparse.csr_matrix((np.ones(int(proper.sum()), dtype=np.int64), (inter.row[proper], inter.col[proper])),
                            shape=(len(groups), len(groups)))
    covered = (sub.T @ member) > 0
    return (member - member.multiply(covered)).tocsr(), np.asarray(sub.sum(axis=0)).ravel() > 0


def recomputable(own, has_sub: np.ndarray, hidden: np.ndarray, valued: np.ndarray) -> list[tuple[int, int, bool]]:
    """``(group, cell, alone)`` for every group with exactly one withheld own cell that has a value;
    ``alone``: the group has no published own cell and no sub-group (its total is that cell itself).

    ``own`` and ``has_sub`` from :func:`own_cells`; ``hidden`` and ``valued`` are bool per cell.
    """
    secret = own @ (hidden & valued).astype(np.int64)
    shown = own @ (~hidden & valued).astype(np.int64)
    out = []
    for g in np.flatnonzero(secret == 1):
        cells = own.indices[own.indptr[g]:own.indptr[g + 1]]
        cell = int(cells[hidden[cells] & valued[cells]][0])
        out.append((int(g), cell, bool(shown[g] == 0 and not has_sub[g])))
    return out
