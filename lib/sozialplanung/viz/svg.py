"""Writing SVG directly: geometry → compact path data, text in DejaVu Sans, legend, scale bar, north arrow.

Maps (:mod:`sozialplanung.viz.maps`) are written with these pieces instead of matplotlib: one ``<path>`` per
area, geometry simplified to what is visible and coordinates rounded to 1/10 pt (integers in a group scaled
by 0.1, written as relative moves), so a map is small, sharp at any zoom and drawn in milliseconds.
All text passes :func:`esc`; nothing outside the SVG is referenced.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import shapely

from sozialplanung.markup import escape
from sozialplanung.viz import palettes

FONT = "DejaVu Sans"
SCALE = 10
"""Path coordinates are integers in 1/SCALE pt (the map group is drawn with ``scale(0.1)``)."""
HATCH_ID = "sp-schraffur"
"""The one hatch pattern (same definition in every figure, so equal ids in one HTML page do not clash)."""
HATCH = (f'<pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="40" height="40">'
         f'<rect width="40" height="40" fill="{palettes.PAPER}"/><path d="M-10 10l20-20M0 40l40-40M30 50l20-20" '
         f'stroke="{palettes.SUPPRESSED_EDGE}" stroke-width="4"/></pattern>')

MARK_ID = "sp-markierung"
"""The overlay pattern of marked areas (e.g. values carried from an old Gebietsstand): dark dots on a transparent
ground, drawn on top of an area's fill, so the fill stays readable and the mark differs from the hatch."""
MARK = (f'<pattern id="{MARK_ID}" patternUnits="userSpaceOnUse" width="40" height="40">'
        f'<circle cx="10" cy="10" r="5.5" fill="{palettes.INK}"/><circle cx="30" cy="30" r="5.5" '
        f'fill="{palettes.INK}"/></pattern>')


def esc(text) -> str:
    """Text escaped for SVG (XML) content and attributes."""
    return str(escape(str(text)))


@functools.lru_cache(maxsize=1)
def _font():
    from pathlib import Path

    import matplotlib
    from matplotlib.ft2font import FT2Font

    return FT2Font(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"))


def text_width(text: str, size: float) -> float:
    """Width in pt of ``text`` set in DejaVu Sans at ``size`` pt (the longest line)."""
    return max(_width_100(line) for line in text.split("\n")) * size / 100


@functools.lru_cache(maxsize=8192)
def _width_100(line: str) -> float:
    font = _font()  # measured at 100 pt: small sizes are hinted to whole pixels
    font.set_size(100, 72)
    font.set_text(line, 0.0)
    return font.get_width_height()[0] / 64


def wrap(text: str, size: float, width: float) -> list[str]:
    """Greedy word wrap of ``text`` to lines no wider than ``width`` pt."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and text_width(candidate, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return lines + ([line] if line else [])


def text(x: float, y: float, content: str, size: float, *, anchor: str = "start", fill: str = palettes.INK,
         halo: float = 0.0, weight: str = "") -> str:
    """``<text>`` (several lines as ``<tspan>``); ``halo`` draws a white outline under the letters."""
    lines = content.split("\n")
    style = f' font-size="{size:g}"' + (f' text-anchor="{anchor}"' if anchor != "start" else "")
    style += f' fill="{fill}"' if fill != palettes.INK else ""
    style += f' font-weight="{weight}"' if weight else ""
    if halo:
        style += f' stroke="{palettes.PAPER}" stroke-width="{halo:g}" stroke-linejoin="round" paint-order="stroke"'
    if len(lines) == 1:
        return f'<text x="{x:.1f}" y="{y:.1f}"{style}>{esc(content)}</text>'
    spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else 1.2 * size:.1f}">{esc(line)}</tspan>'
                    for i, line in enumerate(lines))
    return f'<text x="{x:.1f}" y="{y:.1f}"{style}>{spans}</text>'


@dataclass(frozen=True)
class View:
    """Map units (metres) → SVG pt: the map box at ``(left, top)`` of ``width`` × ``height`` pt."""

    x0: float
    y1: float
    scale: float  # pt per metre
    left: float
    top: float
    width: float
    height: float

    @classmethod
    def fit(cls, bounds, max_width: float, max_height: float, left: float = 0.0, top: float = 0.0,
            pad: float = 0.04) -> "View":
        xmin, ymin, xmax, ymax = bounds
        dx, dy = max(xmax - xmin, 1e-9) * pad, max(ymax - ymin, 1e-9) * pad
        xmin, xmax, ymin, ymax = xmin - dx, xmax + dx, ymin - dy, ymax + dy
        scale = min(max_width / (xmax - xmin), max_height / (ymax - ymin))
        return cls(xmin, ymax, scale, left, top, (xmax - xmin) * scale, (ymax - ymin) * scale)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """The map box in map units (xmin, ymin, xmax, ymax)."""
        return (self.x0, self.y1 - self.height / self.scale, self.x0 + self.width / self.scale, self.y1)

    def point(self, x: float, y: float) -> tuple[float, float]:
        return self.left + (x - self.x0) * self.scale, self.top + (self.y1 - y) * self.scale


_NEG = re.compile(r" -")


def path_data(geoms, view: View, *, clip: bool = True, tolerance: float = 0.3) -> list[str]:
    """SVG path data per geometry (polygons or lines), simplified below ``tolerance`` pt and clipped to the view.

    Coordinates are integers in 1/:data:`SCALE` pt, relative after the first point of each ring.
    """
    geoms = np.asarray(geoms, dtype=object)
    out = [""] * len(geoms)
    if not len(geoms):
        return out
    geoms = shapely.simplify(geoms, tolerance / view.scale, preserve_topology=True)
    if clip:
        xmin, ymin, xmax, ymax = view.bounds
        pad = 2 / view.scale
        geoms = shapely.clip_by_rect(geoms, xmin - pad, ymin - pad, xmax + pad, ymax + pad)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    is_poly = shapely.get_type_id(parts) == 3
    rings, ring_of = shapely.get_rings(parts[is_poly], return_index=True)
    ring_owner = part_of[is_poly][ring_of]
    lines = parts[~is_poly]
    pieces = np.concatenate([rings, lines]) if len(lines) else rings
    owners = np.concatenate([ring_owner, part_of[~is_poly]]) if len(lines) else ring_owner
    closed = np.r_[np.ones(len(rings), bool), np.zeros(len(pieces) - len(rings), bool)]
    coords, coord_of = shapely.get_coordinates(pieces, return_index=True)
    if not len(coords):
        return out
    xs = np.rint((view.left + (coords[:, 0] - view.x0) * view.scale) * SCALE).astype(np.int64)
    ys = np.rint((view.top + (view.y1 - coords[:, 1]) * view.scale) * SCALE).astype(np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(coord_of)) + 1]
    ends = np.r_[starts[1:], len(coords)]
    texts: dict[int, list[str]] = {}
    for s, e in zip(starts, ends):
        k = coord_of[s]
        x, y = xs[s:e], ys[s:e]
        dx, dy = np.diff(x), np.diff(y)
        keep = (dx != 0) | (dy != 0)
        if closed[k]:
            keep[-1:] = False  # the closing segment is "z"
        if closed[k] and keep.sum() < 2:
            continue  # a ring smaller than the rounding
        moves = np.column_stack([dx[keep], dy[keep]]).ravel()
        d = f"M{x[0]} {y[0]}l" + _NEG.sub("-", " ".join(map(str, moves.tolist()))) + ("z" if closed[k] else "")
        texts.setdefault(int(owners[k]), []).append(d)
    for owner, ds in texts.items():
        out[owner] = "".join(ds)
    return out


def _bar_label(x: float, y: float, content: str, halo: bool) -> str:
    """A scale bar label, on a white outline of its letters (``halo``) or on a white box (in a PDF an outline
    becomes the letters' outlines as paths, a box one rectangle)."""
    if halo:
        return text(x, y, content, 7, anchor="middle", halo=2)
    w = text_width(content, 7) + 2
    return (f'<rect x="{x - w / 2:.1f}" y="{y - 6:.1f}" width="{w:.1f}" height="7.5" fill="{palettes.PAPER}"/>'
            + text(x, y, content, 7, anchor="middle"))


def scale_bar(view: View, *, halo: bool = True) -> tuple[str, str]:
    """A two-segment scale bar in kilometres, bottom left of the map box; (svg, label). ``halo``: see
    :func:`_bar_label`."""
    from sozialplanung.formatting import fmt_number

    width_m = view.width / view.scale
    nice = [m * 10.0**e for e in range(0, 7) for m in (1, 2, 2.5, 5)]
    length = max([n for n in nice if n <= width_m / 4] or [nice[0]])
    x, y = view.left + 0.03 * view.width, view.top + view.height * (1 - 0.035)
    w, h = length * view.scale, max(2.5, 0.012 * view.height)
    km = length / 1000
    label = f"{fmt_number(km, 0 if km >= 1 and km == int(km) else 1)} km"
    bar = (f'<g stroke="{palettes.INK}" stroke-width="0.6"><rect x="{x:.1f}" y="{y - h:.1f}" width="{w / 2:.1f}" '
           f'height="{h:.1f}" fill="{palettes.INK}"/><rect x="{x + w / 2:.1f}" y="{y - h:.1f}" width="{w / 2:.1f}" '
           f'height="{h:.1f}" fill="{palettes.PAPER}"/></g>'
           + _bar_label(x, y - h - 2, "0", halo) + _bar_label(x + w, y - h - 2, label, halo))
    return bar, label


def north_arrow(view: View) -> str:
    """An arrow with "N", top right of the map box."""
    x, y = view.left + 0.96 * view.width, view.top + 0.03 * view.height
    return (f'<path d="M{x:.1f} {y + 4:.1f}l-4 9h8z" fill="{palettes.INK}"/>'
            f'<path d="M{x:.1f} {y + 12:.1f}v10" stroke="{palettes.INK}" stroke-width="1.2"/>'
            + text(x, y + 32, "N", 9, anchor="middle", weight="bold"))


@dataclass(frozen=True)
class LegendEntry:
    """One legend entry: label (with count), fill, edge colour, hatched or not."""

    label: str
    fill: str
    edge: str = palettes.LEGEND_EDGE
    hatch: bool = False
    mark: bool = False
    """The swatch gets the dot overlay of :data:`MARK` on top of its fill."""


def legend(entries: list[LegendEntry], title: str | None, x: float, y: float) -> tuple[str, float, float]:
    """The legend at ``(x, y)`` (top left); returns (svg, width, height)."""
    out, swatches, height, width = [], [], 0.0, 0.0
    if title:
        out.append(text(x, y + 8.5, title, 8.5))
        lines = title.count("\n") + 1
        height += 1.2 * 8.5 * lines + 4
        width = text_width(title, 8.5)
    for e in entries:
        fill = f"url(#{HATCH_ID})" if e.hatch else e.fill
        sx, sy = round((x + 2) * SCALE), round((y + height + 1) * SCALE)
        swatches.append(f'<rect x="{sx}" y="{sy}" width="140" height="90" fill="{fill}" stroke="{e.edge}" '
                        f'stroke-width="{8 if e.hatch else 4}"/>')
        if e.mark:
            swatches.append(f'<rect x="{sx}" y="{sy}" width="140" height="90" fill="url(#{MARK_ID})"/>')
        out.append(text(x + 21, y + height + 8.5, e.label, 8))
        width = max(width, 21 + text_width(e.label, 8))
        height += 1.2 * 8 * (e.label.count("\n") + 1) + 2.5
    if swatches:
        out.append('<g transform="scale(0.1)">' + "".join(swatches) + "</g>")
    return "".join(out), width, height


def document(width: float, height: float, body: str, *, hatch: bool = False, mark: bool = False) -> str:
    """The standalone ``<svg>`` of a figure (pt units, white background, DejaVu Sans); ``hatch`` and ``mark`` define
    the patterns :data:`HATCH` and :data:`MARK`."""
    patterns = (HATCH if hatch else "") + (MARK if mark else "")
    defs = f"<defs>{patterns}</defs>" if patterns else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.1f}pt" height="{height:.1f}pt" '
            f'viewBox="0 0 {width:.1f} {height:.1f}" font-family="{FONT}">{defs}'
            f'<rect width="100%" height="100%" fill="{palettes.PAPER}"/>{body}</svg>')


def shapes(width: float, height: float, items) -> str:
    """A standalone ``<svg>`` (pt units, transparent) of simple shapes, the form a model figure can also carry
    (:attr:`sozialplanung.report.model.Figure.shapes`): ``("text", x, y, text, anchor, size)`` (``y`` the baseline,
    ``anchor`` ``"start"`` or ``"middle"``), ``("rect", x, y, width, height, fill)``,
    ``("line", x1, y1, x2, y2, stroke, stroke_width)``."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}pt" height="{height:g}pt" '
           f'viewBox="0 0 {width:g} {height:g}" font-family="{FONT}">']
    for kind, *a in items:
        if kind == "text":
            anchor = f' text-anchor="{a[3]}"' if a[3] != "start" else ""
            out.append(f'<text x="{a[0]:g}" y="{a[1]:g}" font-size="{a[4]:g}"{anchor}>{esc(a[2])}</text>')
        elif kind == "rect":
            out.append(f'<rect x="{a[0]:g}" y="{a[1]:g}" width="{a[2]:g}" height="{a[3]:g}" fill="{a[4]}"/>')
        else:
            out.append(f'<line x1="{a[0]:g}" y1="{a[1]:g}" x2="{a[2]:g}" y2="{a[3]:g}" stroke="{a[4]}" '
                       f'stroke-width="{a[5]:g}"/>')
    return "".join(out) + "</svg>"
