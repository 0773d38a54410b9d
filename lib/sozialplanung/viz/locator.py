"""Locator maps: where one area lies in its Kommune, drawn on a shared base.

The base (all areas grey, the parent outlines, scale bar) is written once per map extent; each Steckbrief
adds only its highlighted area (and a ring around a small one). :class:`sozialplanung.viz.atlas.SteckbriefLocators`
holds one base per top parent area (e.g. per Bezirk) for the Steckbriefe of a report.
"""

from __future__ import annotations

import shapely

from sozialplanung.errors import SozialplanungError
from sozialplanung.viz import mapdraw, palettes, svg
from sozialplanung.viz.mapparts import SvgMap, _prepare, area_title
from sozialplanung.viz.svg import SCALE, View

RING_SHARE = 0.05
"""An area narrower than this share of the map is ringed, so it can be found."""
TOLERANCE = 0.6
"""Simplification in pt (maps: 0.3): a locator map is printed small (in a Steckbrief at about 70 %)."""


class LocatorBase:
    """The shared part of the locator maps of ``gdf`` (areas, optional parent outlines)."""

    def __init__(self, gdf, parents=None, *, id_column: str | None = None, attribution: str | None = None,
                 figsize: tuple[float, float] = (3.2, 3.0)):
        geo, par = _prepare(gdf, id_column, parents)
        width, height = figsize[0] * 72, figsize[1] * 72
        lines = svg.wrap(attribution, 6.5, width - 4) if attribution else []
        view = View.fit(geo.total_bounds, width - 4, height - 4 - 7.8 * len(lines), left=2, top=2)
        self.geo, self.view = geo, view
        self._paths = dict(zip(geo.index, svg.path_data(geo.values, view, tolerance=TOLERANCE)))
        # the grey base is the union of the areas (their shared edges are invisible anyway): in a PDF every point
        # is written out, and the union's outline is a fraction of all the areas' outlines
        base = svg.path_data([shapely.union_all(shapely.make_valid(geo.values))], view, tolerance=TOLERANCE)[0]
        self._bottom = (f'<g transform="scale({1 / SCALE:g})"><path d="{base}" '
                        f'fill="{palettes.CONTEXT}" stroke="{palettes.CONTEXT}" stroke-width="3"/>')  # no seams
        bar, self.scale = mapdraw.scale_bar(view, geo.crs, halo=False)  # white boxes: smaller in a PDF
        note = svg.text(2, view.top + view.height + 9, "\n".join(lines), 6.5, fill=palettes.NOTE_TEXT) if lines else ""
        self._top = mapdraw.outline_layer(par, view, edges=True, tolerance=TOLERANCE) + "</g>" + bar + note
        self.size = (view.width + 4, view.top + view.height + 4 + 7.8 * len(lines))

    def draw(self, area_id, *, area_name: str | None = None, kommune: str | None = None) -> SvgMap:
        """The locator map of ``area_id`` (highlighted), with its German alt text."""
        area_id = str(area_id)
        if area_id not in self._paths:
            raise SozialplanungError(f"Gebiet „{area_id}“ ist nicht in der Geometrie.",
                                     hint=f"z. B. {', '.join(self.geo.index[:5])}")
        label = f"{area_id} {area_name}" if area_name else area_id
        area = (f'<path d="{self._paths[area_id]}" fill="{palettes.HIGHLIGHT}">'
                f"<title>{svg.esc(area_title(area_id, area_name or '', ''))}</title></path>")
        xmin, ymin, xmax, ymax = self.geo[[area_id]].total_bounds
        if max(xmax - xmin, ymax - ymin) * self.view.scale < RING_SHARE * self.view.width:
            pt = self.geo[[area_id]].representative_point().iloc[0]
            x, y = self.view.point(pt.x, pt.y)
            area += (f'<circle cx="{x * SCALE:.0f}" cy="{y * SCALE:.0f}" r="70" fill="none" '
                     f'stroke="{palettes.HIGHLIGHT}" stroke-width="20"/>')
        where = f" innerhalb von {kommune}" if kommune else ""
        alt = f"Lagekarte: Gebiet {label} (farbig hervorgehoben){where}."
        if self.scale:
            alt += f" Maßstabsleiste: {self.scale}."
        return SvgMap(svg.document(*self.size, self._bottom + area + self._top), alt,
                      fills={area_id: palettes.HIGHLIGHT})

