"""HTML writer of the report model (:mod:`sozialplanung.report.model`): self-contained, accessible pages.

Every text of the model is escaped exactly once here (markupsafe ``Markup`` templates, Jinja autoescape); the model
never holds markup. Figures are inline SVG with ``role="img"`` and the alt text as ``aria-label``; a figure shown twice
in one page (e.g. a map in its Themenfeld and on its Indikatorenblatt) is sent once and shown again with ``<use>``. Opening a page
makes no network request: a Content-Security-Policy forbids it.

The digital report (issue #12) works without JavaScript: every map area is a link to its Steckbrief (SVG ``<a>``,
reached with Tab, opened with Enter or a click; an area without a Steckbrief in the page is focusable on its own),
its ``<title>`` ("id name: value (class)") is the tooltip, and a map's values are also a table
(``<details class="kartenwerte">``). The one inline script (``templates/bericht.js``, allowed by its hash in the
CSP) adds the conveniences: a search box for an area by id or name (the areas are JSON in a
``<script type="application/json">``, ``<`` ``>`` ``&`` escaped), the map titles as a tooltip on hover and focus,
and sortable tables.

:func:`render` gives the page of a :class:`~sozialplanung.report.model.Document` (template per ``kind``:
``bericht.html.j2``, ``kurzfassung.html.j2``, ``steckbriefe.html.j2``), :func:`blocks_html` the HTML of a list of
blocks (chapters are ``<section class="kapitel">`` from their level-1 heading; model level *n* is ``<h{n+1}>``,
the page title is the ``<h1>``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
from importlib import resources
from pathlib import Path

import jinja2

from sozialplanung.markup import Markup, css_string, join
from sozialplanung.report.model import (BulletList, Cell, Document, Figure, Group, Heading, Note, PageBreak,
                                        Paragraph, Run, Table, walk)

ENV = jinja2.Environment(loader=jinja2.PackageLoader("sozialplanung.report", "templates"),
                         autoescape=jinja2.select_autoescape(["html", "j2"]))
ENV.filters["css_string"] = css_string

SCRIPT = resources.files("sozialplanung.report").joinpath("templates", "bericht.js").read_text(encoding="utf-8")
"""The one inline script of a page (search, map tooltips, sortable tables)."""
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
CSP = f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{_SCRIPT_HASH}'"
"""Content-Security-Policy of every HTML output: nothing may be loaded from anywhere; only the page's own script runs."""
TEMPLATES = {"bericht": "bericht.html.j2", "kurzfassung": "kurzfassung.html.j2", "steckbriefe": "steckbriefe.html.j2"}
_LINK = re.compile(r"(#[A-Za-z0-9_.:-]+|https?://[^\s\"'<>]+|mailto:[^\s\"'<>]+)\Z")
_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
_SIZE = re.compile(r'\s([a-zA-Z]+)="([^"]*)"')
_KEEP = {"width", "height", "viewBox"}
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_-]")
_AREA = re.compile(r"<path ([^>]*)><title>([^<]*)</title></path>")
"""One area of a map (:func:`sozialplanung.viz.mapdraw.area_layer`): its path and escaped title."""
STECKBRIEF = "steckbrief-"
"""Anchor prefix of a Steckbrief (:data:`sozialplanung.report.steckbrief.ANCHOR`)."""


class _Writer:
    """Writes blocks; remembers which figures were already shown (for fresh SVG ids)."""

    def __init__(self, steckbriefe: dict[str, str] | None = None):
        self.shown: dict[str, int] = {}
        self.steckbriefe = steckbriefe or {}

    # ------------------------------------------------------------------ inline
    def runs(self, runs: list[Run]) -> Markup:
        out = []
        for r in runs:
            text = Markup("<br>").join(r.text.split("\n"))
            if r.strong:
                text = Markup("<strong>{}</strong>").format(text)
            if r.emph:
                text = Markup("<em>{}</em>").format(text)
            if r.href and _LINK.match(r.href):
                text = Markup('<a href="{}">{}</a>').format(r.href, text)
            out.append(text)
        return join(out)

    # ------------------------------------------------------------------ blocks
    def blocks(self, blocks) -> Markup:
        out, open_section = [], False
        for b in blocks:
            if isinstance(b, Heading) and b.level == 1:
                if open_section:
                    out.append(Markup("</section>"))
                out.append(Markup('<section id="{}" class="kapitel">').format(b.anchor) if b.anchor
                           else Markup('<section class="kapitel">'))
                out.append(Markup("<h2>{}</h2>").format(b.text))
                open_section = True
            else:
                out.append(self.block(b))
        if open_section:
            out.append(Markup("</section>"))
        return join(out)

    def block(self, b) -> Markup:
        if isinstance(b, Heading):
            level = min(b.level + 1, 6)
            attrs = _attrs(id=b.anchor, cls=getattr(b, "role", ""))
            return Markup("<h{0}{1}>{2}</h{0}>").format(level, attrs, b.text)
        if isinstance(b, Paragraph):
            return Markup("<p{}>{}</p>").format(_attrs(cls=b.role), self.runs(b.runs))
        if isinstance(b, BulletList):
            items = join(Markup("<li>{}</li>").format(self.runs(i)) for i in b.items)
            return Markup("<ul{}>{}</ul>").format(_attrs(cls=b.role), items)
        if isinstance(b, Figure):
            return self.figure(b)
        if isinstance(b, Table):
            return self.table(b)
        if isinstance(b, Note):
            return _note(b)
        if isinstance(b, PageBreak):
            return Markup("")
        if isinstance(b, Group):
            tag = Markup("section") if b.anchor else Markup("div")
            label = _attrs(aria_label=_first_heading(b)) if b.anchor else ""
            return Markup("<{0}{1}{2}>{3}</{0}>").format(tag, _attrs(cls=b.role, id=b.anchor), label,
                                                         self.blocks(b.blocks))
        raise TypeError(f"not part of the report model: {type(b).__name__}")

    def figure(self, f: Figure) -> Markup:
        """Inline SVG; a figure shown again in this page reuses the first copy (``<use>``), so it is sent once.
        A map (two or more titled areas) gets links to the Steckbriefe and its values as a table."""
        source = Markup('<span class="quelle">{}</span>').format(f.source) if f.source else ""
        areas = _AREA.findall(f.svg)
        interactive = len(areas) > 1
        label = Markup('<svg role="{}" aria-label="{}"').format("group" if interactive else "img", f.alt)
        ident = "abb-" + _UNSAFE_ID.sub("-", f.key) if f.key else ""
        if ident and ident in self.shown:
            root = _SVG_ROOT.search(f.svg)
            size = join(Markup(' {}="{}"').format(k, v) for k, v in _SIZE.findall(root.group()) if k in _KEEP)
            tag = label + size + Markup('><use href="#{}" width="100%" height="100%"/></svg>').format(ident)
        else:
            if ident:
                self.shown[ident] = 1
            head, rest = f.svg.split("<svg", 1)
            if interactive:
                rest = _AREA.sub(self._area, rest)
            tag = label + (Markup(' id="{}"').format(ident) if ident else "") + Markup(rest)
        values = _values_table(areas, f.alt) if interactive else ""
        return Markup("<figure{}>{}<figcaption>{}{}</figcaption>{}</figure>").format(
            _attrs(cls=f.role), tag, f.caption, source, values)

    def _area(self, match: re.Match) -> str:
        """An area as a link to its Steckbrief (or focusable on its own); the title moves to the link."""
        path, title = match.groups()
        anchor = self.steckbriefe.get(html.unescape(title).split(" ", 1)[0])
        path, title = Markup(path), Markup(title)  # written by the SVG encoder, already escaped
        if anchor:
            return Markup('<a href="{}" class="gebiet"><title>{}</title><path {}/></a>').format(anchor, title, path)
        return Markup('<g class="gebiet" tabindex="0"><title>{}</title><path {}/></g>').format(title, path)

    def _cell_link(self, href: str) -> str:
        """Where a cell's ``href`` leads: a Steckbrief through :attr:`steckbriefe` (perhaps another page), another
        anchor as it is; "" (no link) for a Steckbrief not in the report or an unsafe address."""
        if href.startswith("#" + STECKBRIEF):
            return self.steckbriefe.get(href[len(STECKBRIEF) + 1:], "")
        return href if _LINK.match(href) else ""

    def table(self, t: Table) -> Markup:
        n_foot = getattr(t, "footer_rows", 0)
        body, foot = (t.rows[:-n_foot], t.rows[-n_foot:]) if n_foot else (t.rows, [])
        head = join(Markup("<tr>{}</tr>").format(join(_cell(c, "col") for c in row)) for row in t.header)
        rows = join(_row(row, link=self._cell_link) for row in body)
        foot = (Markup("<tfoot>{}</tfoot>").format(join(_row(row, "bezug", self._cell_link) for row in foot))
                if foot else "")
        thead = Markup("<thead>{}</thead>").format(head) if t.header else ""
        notes = Markup('<p class="quelle">{}</p>').format(Markup("<br>").join(t.notes)) if t.notes else ""
        return Markup('<table class="{}"><caption>{}</caption>{}<tbody>{}</tbody>{}</table>{}').format(
            " ".join(["daten", *([t.role] if t.role else [])]), t.caption, thead, rows, foot, notes)


def _attrs(cls: str = "", id: str = "", aria_label: str = "") -> Markup:
    out = []
    if id:
        out.append(Markup(' id="{}"').format(id))
    if cls:
        out.append(Markup(' class="{}"').format(cls))
    if aria_label:
        out.append(Markup(' aria-label="{}"').format(aria_label))
    return join(out)


def _span(c: Cell) -> Markup:
    return join([Markup(' colspan="{}"').format(c.colspan) if c.colspan > 1 else "",
                 Markup(' rowspan="{}"').format(c.rowspan) if c.rowspan > 1 else ""])


def _cell(c: Cell, scope: str | None = None, link=None) -> Markup:
    """``<th scope=…>`` for header cells (``scope``, or a cell marked ``header``), else ``<td>``; a cell with
    ``href`` holds a link where ``link`` (href → address or "") resolves it."""
    href = link(c.href) if link and getattr(c, "href", "") else ""
    text = Markup('<a href="{}">{}</a>').format(href, c.text) if href else c.text
    if scope or getattr(c, "header", False):
        return Markup('<th scope="{}"{}>{}</th>').format(scope or "row", _span(c), text)
    cls = "" if c.numeric or not c.text else Markup(' class="text"')
    return Markup("<td{}{}>{}</td>").format(cls, _span(c), text)


def _row(row: list[Cell], cls: str = "", link=None) -> Markup:
    return Markup("<tr{}>{}</tr>").format(_attrs(cls=cls), join(_cell(c, link=link) for c in row))


def _note(n: Note) -> Markup:
    if getattr(n, "role", "") == "fehlt":
        key = getattr(n, "key", "")
        return Markup('<p class="hinweis-fehlt"{}>{}</p>').format(
            Markup(' data-kapitel="{}"').format(key) if key else "", n.text)
    if n.kind == "grenzen":
        return Markup('<div class="kasten grenzen"><p><strong>Grenzen der Aussagekraft:</strong> {}</p></div>').format(
            n.text)
    return Markup('<p class="hinweis">{}</p>').format(n.text)


def _values_table(areas: list[tuple[str, str]], alt: str) -> Markup:
    """The values of a map as a table (from its area titles "id name: value (class)"), folded away."""
    rows = []
    for _, title in areas:
        area, _, what = html.unescape(title).partition(": ")
        gid, _, name = area.partition(" ")
        rows.append(Markup('<tr><td class="text">{}</td><th scope="row">{}</th><td>{}</td></tr>').format(
            gid, name, what))
    return Markup('<details class="kartenwerte"><summary>Werte der Karte als Tabelle</summary>'
                  '<table class="daten"><caption>{}</caption><thead><tr><th scope="col">Nr.</th>'
                  '<th scope="col">Gebiet</th><th scope="col">Wert</th></tr></thead><tbody>{}</tbody></table>'
                  '</details>').format(alt, join(rows))


def steckbrief_anchors(blocks, page: str = "") -> dict[str, str]:
    """Area id → link to its Steckbrief (``#steckbrief-<id>``, or ``<page>#…`` when the Steckbriefe are another
    page of the report, e.g. ``steckbriefe.html``), for every Steckbrief in ``blocks``."""
    return {b.anchor[len(STECKBRIEF):]: f"{page}#{b.anchor}" for b in walk(blocks)
            if isinstance(b, Group) and b.anchor.startswith(STECKBRIEF)}


def areas_json(document: Document, page: str = "") -> Markup:
    """The searchable areas ``[[id, name, link], …]`` (link as in :func:`steckbrief_anchors`) as JSON safe inside
    ``<script type="application/json">`` (``<``, ``>`` and ``&`` as ``\\u`` escapes, so no data closes the
    element)."""
    out = []
    for b in walk(document.blocks):
        if isinstance(b, Group) and b.anchor.startswith(STECKBRIEF):
            gid = b.anchor[len(STECKBRIEF):]
            name = _first_heading(b).removeprefix("Steckbrief ").removeprefix(gid).strip()
            out.append([gid, name, f"{page}#{b.anchor}"])
    text = json.dumps(out, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _first_heading(group: Group) -> str:
    return next((b.text for b in group.blocks if isinstance(b, Heading)), "")


def blocks_html(blocks) -> Markup:
    """The HTML of a block or a list of blocks (a fragment, e.g. for tests and notebooks)."""
    blocks = blocks if isinstance(blocks, (list, tuple)) else [blocks]
    return _Writer(steckbrief_anchors(blocks)).blocks(blocks)


def chapters(document: Document) -> list[dict]:
    """The table of contents: ``{"id", "title"}`` of every level-1 heading."""
    return [{"id": b.anchor, "title": b.text} for b in document.blocks if isinstance(b, Heading) and b.level == 1]


def render(document: Document, steckbriefe: tuple[Document, str] | None = None) -> str:
    """The complete HTML page of ``document``. ``steckbriefe``: (document, file name) of the page that holds the
    Steckbriefe when ``document`` has none (a separate volume): the search and the map areas link there."""
    p = document.provenance
    own = steckbrief_anchors(document.blocks)
    where, page = (document, "") if own or steckbriefe is None else steckbriefe
    links = own or steckbrief_anchors(where.blocks, page)
    return ENV.get_template(TEMPLATES.get(document.kind, "bericht.html.j2")).render(
        title=document.title, kommune=document.kommune, untertitel=document.subtitle, csp=CSP,
        jahr=p.get("Berichtsjahr", ""), datenstand=p.get("Datenstand", ""), status_text=p.get("Status", ""),
        entwurf=p.get("Status") == "Entwurf", intern=bool(p.get("Ausgabe")), ausgabe=p.get("Ausgabe", ""),
        erstellt=p.get("Erstellt am", ""), ohne_text=p.get("Noch ohne redaktionellen Text", ""),
        sections=chapters(document), body=_Writer(links).blocks(document.blocks),
        gebiete=areas_json(where, page) if links else "", script=Markup(SCRIPT))


def write_html(document: Document, path: str | Path, steckbriefe: tuple[Document, str] | None = None) -> Path:
    """Write the page of ``document`` (via a temporary file; ``steckbriefe`` as in :func:`render`); returns the
    path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render(document, steckbriefe), encoding="utf-8")
    os.replace(tmp, path)
    return path
