"""Authored Markdown as report-model blocks (:mod:`sozialplanung.report.model`), never as markup.

markdown-it parses (CommonMark plus tables; raw HTML stays text); the token stream becomes headings (one level below
the chapter), paragraphs with strong/emphasised/linked runs, lists, tables and figures (an image, already a ``data:``
URI, wrapped in a standalone SVG so that both writers show it). Each writer escapes the text itself.
"""

from __future__ import annotations

import base64
import io

from sozialplanung.markup import escape
from sozialplanung.report.model import BulletList, Cell, Figure, Heading, Paragraph, Run, Table


def _image_svg(uri: str, alt: str) -> str:
    """A standalone SVG showing the raster image ``uri`` at its natural size (in pt at 96 dpi)."""
    width, height = 400, 300
    try:
        from PIL import Image

        head, data = uri.split(",", 1)
        with Image.open(io.BytesIO(base64.b64decode(data))) as image:
            width, height = image.size
    except Exception:  # SVG images and unreadable headers keep the default box
        pass
    w, h = round(width * 0.75, 2), round(height * 0.75, 2)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{w}pt" '
            f'height="{h}pt" viewBox="0 0 {width} {height}"><title>{escape(alt)}</title>'
            f'<image width="{width}" height="{height}" xlink:href="{escape(uri)}"/></svg>')


def _inline(token) -> tuple[list[Run], list[Figure]]:
    """Runs of an inline token and the images it holds (as figures after the paragraph)."""
    runs, images = [], []
    strong = emph = 0
    href = None
    for child in token.children or []:
        kind = child.type
        if kind in ("text", "code_inline"):
            runs.append(Run(child.content, strong=strong > 0, emph=emph > 0, href=href))
        elif kind == "softbreak":
            runs.append(Run(" ", strong=strong > 0, emph=emph > 0, href=href))
        elif kind == "hardbreak":
            runs.append(Run("\n"))
        elif kind in ("strong_open", "strong_close"):
            strong += 1 if kind.endswith("open") else -1
        elif kind in ("em_open", "em_close"):
            emph += 1 if kind.endswith("open") else -1
        elif kind == "link_open":
            href = child.attrGet("href")
        elif kind == "link_close":
            href = None
        elif kind == "image":
            alt = "".join(c.content for c in child.children or []) or "Abbildung"
            src = child.attrGet("src") or ""
            images.append(Figure(svg=_image_svg(src, alt), alt=alt, caption=child.attrGet("title") or alt))
    return _merge(runs), images


def _merge(runs: list[Run]) -> list[Run]:
    """Neighbouring runs of the same style as one."""
    out: list[Run] = []
    for r in runs:
        if out and (out[-1].strong, out[-1].emph, out[-1].href) == (r.strong, r.emph, r.href) and r.text != "\n" \
                and out[-1].text != "\n":
            out[-1] = Run(out[-1].text + r.text, r.strong, r.emph, r.href)
        else:
            out.append(r)
    return out


def _text(runs: list[Run]) -> str:
    return "".join(r.text for r in runs)


def _table(tokens, start: int) -> tuple[Table, int]:
    header, rows, row, in_head = [], [], None, False
    i = start
    while tokens[i].type != "table_close":
        t = tokens[i]
        if t.type == "thead_open":
            in_head = True
        elif t.type == "thead_close":
            in_head = False
        elif t.type == "tr_open":
            row = []
        elif t.type == "tr_close":
            (header if in_head else rows).append(row)
        elif t.type == "inline" and row is not None:
            row.append(Cell(_text(_inline(t)[0])))
        i += 1
    return Table(caption="", header=header, rows=rows), i


def to_blocks(tokens, heading_offset: int = 1) -> list:
    """Model blocks from markdown-it block tokens (``#`` becomes level ``1 + heading_offset``)."""
    out: list = []
    item: list[Run] | None = None
    items: list[list[Run]] = []
    depth = 0
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.type == "heading_open":
            runs, _ = _inline(tokens[i + 1])
            out.append(Heading(min(int(t.tag[1]) + heading_offset, 5), _text(runs)))
            i += 2
        elif t.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            if depth == 1:
                items = []
        elif t.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            if depth == 0:
                out.append(BulletList(items))
        elif t.type == "list_item_open" and depth == 1:
            item = []
            items.append(item)
        elif t.type == "inline":
            runs, images = _inline(t)
            if depth and item is not None:
                item.extend(([Run(" ")] if item else []) + runs)
            elif runs and _text(runs).strip():
                out.append(Paragraph(runs))
            out.extend(images)
        elif t.type in ("code_block", "fence"):
            out.append(Paragraph([Run(t.content.rstrip("\n"))], role="code"))
        elif t.type == "table_open":
            table, i = _table(tokens, i)
            out.append(table)
        i += 1
    return out
