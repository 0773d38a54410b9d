"""Building blocks of the maps in :mod:`sozialplanung.viz.maps`: roles of areas, class breaks, the SVG map.

A map is written as SVG directly (:mod:`sozialplanung.viz.svg`): context areas (grey, one path, no values),
then one ``<path>`` per report area with its ``<title>`` ("id name: value (class)"), withheld areas hatched
(their values are never written, not even in a title), parent outlines, area labels, scale bar, legend,
title and source line.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from sozialplanung.analysis import classify
from sozialplanung.errors import SozialplanungError, SozialplanungWarning
from sozialplanung.formatting import fmt_count, fmt_int
from sozialplanung.viz import palettes
from sozialplanung.viz.figures import ShownAsSvg
from sozialplanung.viz.svg import LegendEntry

SEQUENTIAL_CMAP = palettes.NEED
"""Ramp of ordered classes (see :mod:`sozialplanung.viz.palettes`); dark = more need."""
OKABE_ITO = palettes.OKABE_ITO
CATEGORICAL_COLORS = palettes.CATEGORICAL
"""Default colours for categories without an order, in this order."""
CONTEXT_COLOR = palettes.CONTEXT
MISSING_COLOR = palettes.MISSING
EDGE_COLOR = palettes.EDGE
PARENT_COLOR = palettes.PARENT

SCHEMES = {
    "quantiles": lambda y, k: classify.quantiles(y, k=k),
    "natural_breaks": lambda y, k: classify.natural_breaks(y, k=k),
    "equal_interval": lambda y, k: classify.equal_interval(y, k=k),
    "sd": lambda y, k: classify.mapclassify_scheme(y, scheme="StdMean"),
}
"""Scheme name → class rule of :mod:`sozialplanung.analysis.classify` (the one class-break path).
``natural_breaks`` is Fisher–Jenks (deterministic); ``sd`` is mapclassify's StdMean (ddof=1, cut-offs at
mean ± 1 and 2 SD), not the MSS rule."""
_SCHEME_DE = {
    "quantiles": "Quantile, etwa gleich viele Gebiete je Klasse",
    "natural_breaks": "natürliche Brüche nach Fisher-Jenks",
    "equal_interval": "gleich breite Klassen",
    "sd": "Mittelwert ± Standardabweichungen",
    None: "vorgegebene Klassengrenzen",
}


@dataclass(repr=False)
class SvgMap(ShownAsSvg):
    """A map written as SVG: ``svg`` (standalone), ``alt_text``, ``caption_notes``, the legend
    (``legend_entries``, ``legend_title``) and, for choropleths, ``class_labels`` (legend label per area id),
    ``class_breaks`` (rounded upper bounds) and ``class_colors`` (fill per class, in legend order).
    ``fills`` is the fill drawn per report area (hatched areas: the hatch)."""

    svg: str
    alt_text: str
    caption_notes: list[str] = field(default_factory=list)
    legend_entries: list[LegendEntry] = field(default_factory=list)
    legend_title: str | None = None
    fills: dict = field(default_factory=dict)
    class_labels: pd.Series | None = None
    class_breaks: list | None = None
    class_colors: list | None = None


# ----------------------------------------------------------------------------- input
def _ids(gdf: gpd.GeoDataFrame, id_column: str | None) -> pd.Index:
    if id_column is None and "gebiet_id" in gdf.columns:
        id_column = "gebiet_id"
    if id_column is None:
        return gdf.index.astype(str)
    if id_column not in gdf.columns:
        raise SozialplanungError("Spalte mit Gebiets-IDs fehlt.", field=id_column,
                                 hint=f"Vorhandene Spalten: {', '.join(map(str, gdf.columns))}")
    return pd.Index(gdf[id_column].astype(str))


def _prepare(gdf, id_column, parents):
    """Geometry indexed by str id, parents in the same CRS, geographic → EPSG:3035."""
    geo = gpd.GeoSeries(gdf.geometry.values, index=_ids(gdf, id_column), crs=gdf.crs)
    if geo.index.has_duplicates:
        dup = geo.index[geo.index.duplicated()].unique()[:5]
        raise SozialplanungError(f"Gebiets-IDs sind nicht eindeutig: {', '.join(dup)}.")
    if geo.crs is not None and geo.crs.is_geographic:
        geo = geo.to_crs(3035)  # metres, so the scale bar is true
    par = None
    if parents is not None:
        par = parents.geometry if geo.crs is None or parents.crs is None else parents.geometry.to_crs(geo.crs)
    return geo, par


def _values(gdf, column, ids: pd.Index) -> pd.Series:
    if isinstance(column, pd.Series):
        values = column.copy()
        values.index = values.index.astype(str)
        return values.reindex(ids)
    if column not in gdf.columns:
        raise SozialplanungError("Spalte für die Karte fehlt.", field=str(column),
                                 hint=f"Vorhandene Spalten: {', '.join(map(str, gdf.columns))}")
    return pd.Series(gdf[column].to_numpy(), index=ids)


def _names(gdf, name_column: str | None, ids: pd.Index) -> pd.Series:
    if name_column is None or name_column not in gdf.columns:
        return pd.Series("", index=ids)
    return pd.Series(gdf[name_column].astype(str).to_numpy(), index=ids)


def _id_set(ids, all_ids: pd.Index, what: str) -> pd.Index:
    if ids is None:
        return pd.Index([], dtype=str)
    ids = pd.Index([str(i) for i in ids])
    unknown = ids.difference(all_ids)
    if len(unknown):
        warnings.warn(f"{what}: {len(unknown)} IDs nicht in der Geometrie, z. B. {', '.join(unknown[:3])}.",
                      SozialplanungWarning, stacklevel=3)
    return ids.intersection(all_ids)


def _roles(geo, values, highlight, suppressed):
    all_ids = geo.index
    report = _id_set(highlight, all_ids, "highlight") if highlight is not None else all_ids
    context = all_ids.difference(report)
    supp = _id_set(suppressed, all_ids, "suppressed").intersection(report)
    rated = report.difference(supp)
    missing = rated[values.reindex(rated).isna().to_numpy()]
    return report, context, supp, rated.difference(missing), missing


def class_breaks(y: np.ndarray, scheme: str, k: int, bins, decimals: int) -> list[float]:
    """Upper class bounds (right-closed), rounded to ``decimals``; the last is the maximum or the last of ``bins``."""
    from sozialplanung.formatting import round_half_up

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # mapclassify's "not enough unique values"
        inner = sorted(bins) if bins is not None else SCHEMES[scheme](y, min(k, len(np.unique(y)))).breaks
    breaks = np.unique([round_half_up(b, decimals) for b in inner])
    if bins is None:  # data-driven: the last class ends at the maximum
        breaks = breaks[breaks < y.max()]
    breaks = breaks.tolist()
    if not breaks or breaks[-1] < y.max():
        breaks.append(float(y.max()))
    return breaks


# ----------------------------------------------------------------------------- notes and legend
def _label_note(drawn: bool, meaning: str | None) -> list[str]:
    """The caption and alt-text sentence on the area labels, only if they were drawn."""
    return [f"Beschriftung der Flächen: {meaning or 'Gebietsnummer'}."] if drawn else []


def _parent_note(parents, label: str | None) -> list[str]:
    """The caption sentence on the parent outlines, only if they were drawn."""
    return [f"Dunkle Linien: {label or 'übergeordnete Gebiete'}."] if parents is not None else []


def _special_entries(missing, supp, context, parents, suppressed_label, marked=(), marked_label: str = ""):
    """Legend entries and alt-text sentences for missing, suppressed, marked (dot overlay on their own fill) and
    context areas."""
    entries, sentences = [], []
    if len(missing):
        entries.append(LegendEntry(f"keine Angabe ({fmt_int(len(missing))})", MISSING_COLOR, MISSING_COLOR))
        sentences.append(f"{fmt_count(len(missing), 'Gebiet', 'Gebiete')} ohne Angabe.")
    if len(supp):
        entries.append(LegendEntry(f"{suppressed_label} ({fmt_int(len(supp))})", palettes.PAPER,
                                   palettes.SUPPRESSED_EDGE, hatch=True))
        sentences.append(f"{fmt_count(len(supp), 'Gebiet', 'Gebiete')} schraffiert: {suppressed_label}.")
    if len(marked):
        entries.append(LegendEntry(f"{marked_label} ({fmt_int(len(marked))})", palettes.PAPER, mark=True))
        sentences.append(f"{fmt_count(len(marked), 'Gebiet', 'Gebiete')} zusätzlich gepunktet: {marked_label}.")
    if len(context):
        entries.append(LegendEntry("übrige Gebiete", CONTEXT_COLOR))
        sentences.append("Übrige Gebiete grau zur Orientierung.")
    if parents is not None:
        sentences.append("Übergeordnete Gebiete als Linien.")
    return entries, sentences


def area_title(area_id: str, name: str, what: str) -> str:
    """The ``<title>`` of an area: "id name: what" (``what`` never holds a withheld value)."""
    return f"{area_id} {name}".strip() + (f": {what}" if what else "")
