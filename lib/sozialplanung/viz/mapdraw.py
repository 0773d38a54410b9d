"""The layout of one SVG map: title, map box, legend to the right, source line below.

:func:`draw` writes context areas (one grey path, no titles), the report areas (one ``<path>`` each with its
``<title>``), hatched areas, parent outlines, area labels, scale bar and north arrow. Locator maps reuse
:func:`base_layers` for the part that is the same for every Steckbrief.
"""

from __future__ import annotations

import textwrap
import warnings

import pandas as pd
import shapely

from sozialplanung.errors import SozialplanungWarning
from sozialplanung.viz import palettes, svg
from sozialplanung.viz.svg import SCALE, View

EDGE_WIDTH = 0.3
"""Area borders in pt (white)."""
PARENT_WIDTH = 0.8
"""Parent outlines in pt."""


def _stroke(color: str, width: float) -> str:
    return f'stroke="{color}" stroke-width="{width * SCALE:g}" stroke-linejoin="round"'


def near(geo, ids, view: View) -> pd.Index:
    """The ``ids`` whose bounding box meets the map box (a Bezirk map need not draw all of Berlin)."""
    if not len(ids):
        return pd.Index([], dtype=str)
    xmin, ymin, xmax, ymax = view.bounds
    return geo[ids].cx[xmin:xmax, ymin:ymax].index


def context_layer(geo, ids, view: View, edge_width: float = EDGE_WIDTH) -> str:
    """Grey areas for orientation, as one path (no titles, no values)."""
    data = "".join(svg.path_data(geo[near(geo, ids, view)].values, view))
    return f'<path d="{data}" fill="{palettes.CONTEXT}" {_stroke(palettes.EDGE, edge_width)}/>' if data else ""


def outline_layer(parents, view: View, *, edges: bool = False, tolerance: float = 0.3) -> str:
    """Parent outlines (dark lines, drawn on top of the areas); ``edges``: each edge once (the outlines as lines
    with round caps), not each parent's ring, so an edge two parents share is written once."""
    if parents is None or not len(parents):
        return ""
    geoms = parents.values
    if edges:
        geoms = [shapely.line_merge(shapely.union_all(shapely.boundary(shapely.make_valid(geoms))))]
    data = "".join(svg.path_data(geoms, view, tolerance=tolerance))
    cap = ' stroke-linecap="round"' if edges else ""
    return f'<path d="{data}" fill="none" {_stroke(palettes.PARENT, PARENT_WIDTH)}{cap}/>' if data else ""


def area_layer(geo, fills: pd.Series, titles: dict, view: View, *, hatched=(), marked=()) -> str:
    """One ``<path>`` per area with its fill and escaped ``<title>``; ``hatched`` areas get the hatch; ``marked``
    areas keep their fill (or hatch) and get a second path on top with the dot overlay (:data:`svg.MARK`), which
    lets the pointer through to the area and its title."""
    out = []
    marked = set(marked)
    ids = list(fills.index) + [i for i in hatched if i not in fills.index]
    data = svg.path_data(geo[ids].values, view)
    hatched = set(hatched)
    for area_id, d in zip(ids, data):
        if not d:
            continue
        if area_id in hatched:
            paint = f'fill="url(#{svg.HATCH_ID})" stroke="{palettes.SUPPRESSED_EDGE}"'
        else:
            paint = f'fill="{fills[area_id]}"'
        out.append(f'<path d="{d}" {paint}><title>{svg.esc(titles.get(area_id, area_id))}</title></path>')
        if area_id in marked:
            out.append(f'<path d="{d}" fill="url(#{svg.MARK_ID})" stroke="none" pointer-events="none" '
                       'class="markiert"/>')
    return f'<g {_stroke(palettes.EDGE, EDGE_WIDTH)}>' + "".join(out) + "</g>" if out else ""


def label_layer(geo, ids, texts: pd.Series, view: View, size: float) -> str:
    """Area labels (e.g. the last digits of the id) at a point inside each area, with a white halo."""
    points = geo[ids].representative_point()
    out = []
    for area_id, pt in points.items():
        x, y = view.point(pt.x, pt.y)
        out.append(svg.text(x, y + 0.35 * size, str(texts.get(area_id, area_id)), size, anchor="middle", halo=1.5))
    return '<g class="gebietsbeschriftung">' + "".join(out) + "</g>"


def scale_bar(view: View, crs, *, halo: bool = True) -> tuple[str, str | None]:
    if crs is None or not crs.is_projected or crs.axis_info[0].unit_name not in ("metre", "meter"):
        warnings.warn("Koordinatensystem unbekannt oder nicht in Metern: Karte ohne Maßstabsleiste.",
                      SozialplanungWarning, stacklevel=4)
        return "", None
    return svg.scale_bar(view, halo=halo)


def draw(geo, zoom_ids, *, fills: pd.Series, titles: dict, context, suppressed, parents, entries,
         legend_title: str | None, title: str | None, attribution: str | None, crs, north_arrow: bool,
         labels: tuple | None = None, size: tuple[float, float] = (576.0, 432.0),
         marked=()) -> tuple[str, str | None]:
    """The standalone SVG of a map and the label of its scale bar (None without one).

    ``labels`` is ``(ids, texts, font_size)`` or None; ``marked`` areas get the dot overlay (:func:`area_layer`).
    """
    width, height = size
    top = 20.0 if title else 4.0
    legend_title = textwrap.fill(legend_title, 30) if legend_title else None
    _, legend_w, legend_h = svg.legend(entries, legend_title, 0, 0) if entries else ("", 0.0, 0.0)
    map_w = width - (legend_w + 14 if entries else 0) - 4
    bounds = geo[zoom_ids].total_bounds if len(zoom_ids) else geo.total_bounds
    view = View.fit(bounds, map_w, height - top - 24, left=2, top=top)
    body = [f'<g transform="scale({1 / SCALE:g})">', context_layer(geo, context, view),
            area_layer(geo, fills, titles, view, hatched=suppressed, marked=marked), outline_layer(parents, view), "</g>"]
    if labels is not None:
        body.append(label_layer(geo, labels[0], labels[1], view, labels[2]))
    bar, scale = scale_bar(view, crs)
    body.append(bar)
    if north_arrow:
        body.append(svg.north_arrow(view))
    if title:
        body.append(svg.text(2, 14, title, 11))
    right = view.left + view.width
    if entries:
        leg, _, _ = svg.legend(entries, legend_title, right + 12, top)
        body.append(leg)
        right += 12 + legend_w
    bottom = top + max(view.height, legend_h)
    total_w = max(right + 4, 120.0)
    if attribution:
        lines = svg.wrap(attribution, 6.5, total_w - 4)
        body.append(svg.text(2, bottom + 9, "\n".join(lines), 6.5, fill=palettes.NOTE_TEXT))
        bottom += 4 + 7.8 * len(lines)
    return svg.document(total_w, bottom + 4, "".join(body), hatch=len(suppressed) > 0,
                        mark=len(marked) > 0), scale
