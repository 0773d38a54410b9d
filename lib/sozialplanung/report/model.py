"""The report model: one document, written by the HTML writer and the Typst/PDF writer.

Plain frozen dataclasses, no rendering library imported. Every text field is a plain, unescaped string; each writer
escapes (HTML through :mod:`sozialplanung.markup`; Typst receives the model only as JSON data, never as source).

A :class:`Document` is a list of blocks: :class:`Heading`, :class:`Paragraph`, :class:`BulletList`,
:class:`Figure`, :class:`Table`, :class:`Note`, :class:`PageBreak` and :class:`Group` (blocks kept together, e.g.
one Steckbrief, or one chapter's "Grenzen der Aussagekraft"). Headings give the outline and bookmarks.

``role`` (where present) is a presentation hint for the HTML writer (a CSS class such as ``"steckbrief"`` or
``"kennzahlen"``); the PDF writer may ignore it. It never carries data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

KINDS = ("bericht", "kurzfassung", "steckbriefe", "steckbrief", "indikatorblatt", "methoden")
NOTE_KINDS = ("hinweis", "grenzen")


@dataclass(frozen=True)
class Run:
    """A piece of text inside a paragraph or list item; ``href`` is ``"#anchor"`` or an http(s)/mailto address."""

    text: str
    strong: bool = False
    emph: bool = False
    href: str | None = None


@dataclass(frozen=True)
class Heading:
    """A heading; level 1 = chapter. ``anchor`` is its id (link target, bookmark)."""

    level: int
    text: str
    anchor: str = ""
    role: str = ""


@dataclass(frozen=True)
class Paragraph:
    runs: list[Run] = field(default_factory=list)
    role: str = ""


@dataclass(frozen=True)
class BulletList:
    """A list; each item is a list of runs."""

    items: list[list[Run]] = field(default_factory=list)
    role: str = ""


@dataclass(frozen=True)
class Figure:
    """A figure: ``svg`` is a complete standalone ``<svg>`` document (from :func:`sozialplanung.viz.figures.encode`)."""

    svg: str
    alt: str
    caption: str
    source: str = ""
    key: str = ""
    role: str = ""
    shapes: tuple = ()
    """Optional: the same figure as simple shapes in the SVG's coordinates (:func:`sozialplanung.viz.svg.shapes`),
    for a writer that draws it itself (the PDF sets each text in one run; Typst places SVG text glyph by glyph)."""


@dataclass(frozen=True)
class Cell:
    """A table cell; ``header`` marks a row header (``<th scope="row">``) in a body row; ``href`` (``"#anchor"``) makes
    its text a link inside the document."""

    text: str
    numeric: bool = False
    colspan: int = 1
    rowspan: int = 1
    header: bool = False
    href: str = ""


@dataclass(frozen=True)
class Table:
    """A table; ``header`` rows become header cells (``<th>``, Typst ``table.header``). The last ``footer_rows``
    rows are summary rows (reference values; HTML ``<tfoot>``)."""

    caption: str
    header: list[list[Cell]] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    key: str = ""
    role: str = ""
    footer_rows: int = 0


@dataclass(frozen=True)
class Note:
    """A boxed note: ``"hinweis"`` or ``"grenzen"`` (Grenzen der Aussagekraft, grouped per chapter).

    ``role="fehlt"`` marks a note that something is still missing (e.g. an authored chapter; ``key`` = its id)."""

    text: str
    kind: str = "hinweis"
    role: str = ""
    key: str = ""


@dataclass(frozen=True)
class PageBreak:
    """A page break (PDF); the HTML writer ignores it."""


@dataclass(frozen=True)
class Group:
    """Blocks that belong together (one Steckbrief, one box); ``anchor`` makes it a link target."""

    blocks: list = field(default_factory=list)
    keep_together: bool = True
    anchor: str = ""
    role: str = ""


Block = Union[Heading, Paragraph, BulletList, Figure, Table, Note, PageBreak, Group]


@dataclass(frozen=True)
class Document:
    """One output document (Bericht, Kurzfassung, Steckbriefe, Indikatorenblatt, Methodenanhang)."""

    title: str
    subtitle: str = ""
    lang: str = "de"
    kommune: str = ""
    blocks: list = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)
    kind: str = "bericht"


# ----------------------------------------------------------------------------- small constructors
def para(*parts: str | Run, role: str = "") -> Paragraph:
    """A paragraph from strings and runs (strings become plain runs)."""
    return Paragraph([p if isinstance(p, Run) else Run(str(p)) for p in parts], role=role)


def bullets(items, role: str = "") -> BulletList:
    """A bullet list from strings (or lists of runs)."""
    return BulletList([list(i) if isinstance(i, (list, tuple)) else [Run(str(i))] for i in items], role=role)


def walk(blocks):
    """Every block in document order (a group first, then its content)."""
    for block in blocks:
        yield block
        if isinstance(block, Group):
            yield from walk(block.blocks)


def plain_text(blocks) -> str:
    """All visible text of ``blocks`` (for tests, the leak scan and search indexes)."""
    out: list[str] = []
    for b in walk(blocks):
        if isinstance(b, Heading):
            out.append(b.text)
        elif isinstance(b, Paragraph):
            out.append("".join(r.text for r in b.runs))
        elif isinstance(b, BulletList):
            out += ["".join(r.text for r in item) for item in b.items]
        elif isinstance(b, Figure):
            out += [b.alt, b.caption, b.source]
        elif isinstance(b, Table):
            out.append(b.caption)
            out += [c.text for row in b.header + b.rows for c in row]
            out += b.notes
        elif isinstance(b, Note):
            out.append(b.text)
    return "\n".join(t for t in out if t)
