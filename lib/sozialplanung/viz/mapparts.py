"""Building blocks of the maps in :mod:`sozialplanung.viz.maps`: look, roles of areas, legend, scale bar, labels."""

from __future__ import annotations

import textwrap
import warnings

import geopandas as gpd
import mapclassify
import matplotlib.patheffects as pe
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from sozialplanung.viz import palettes
from sozialplanung.errors import SozialplanungError, SozialplanungWarning
from sozialplanung.formatting import fmt_count, fmt_int, fmt_number


SEQUENTIAL_CMAP = palettes.NEED
"""Ramp of ordered classes (see :mod:`sozialplanung.viz.palettes`); dark = more need."""
OKABE_ITO = palettes.OKABE_ITO
CATEGORICAL_COLORS = palettes.CATEGORICAL
"""Default colours for categories without an order, in this order."""
CONTEXT_COLOR = palettes.CONTEXT
MISSING_COLOR = palettes.MISSING
EDGE_COLOR = palettes.EDGE
PARENT_COLOR = palettes.PARENT
SUPPRESSED_HATCH = "////"

SCHEMES = {
    "quantiles": mapclassify.Quantiles,
    "natural_breaks": mapclassify.FisherJenks,
    "equal_interval": mapclassify.EqualInterval,
    "sd": mapclassify.StdMean,
}
"""Scheme name → mapclassify class. ``natural_breaks`` is Fisher–Jenks (deterministic);
``sd`` is mapclassify's StdMean (ddof=1, cut-offs at mean ± 1 and 2 SD), not the MSS rule."""
_SCHEME_DE = {
    "quantiles": "Quantile, etwa gleich viele Gebiete je Klasse",
    "natural_breaks": "natürliche Brüche nach Fisher-Jenks",
    "equal_interval": "gleich breite Klassen",
    "sd": "Mittelwert ± Standardabweichungen",
    None: "vorgegebene Klassengrenzen",
}



# ----------------------------------------------------------------------------- helpers
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


def _id_set(ids, all_ids: pd.Index, what: str) -> pd.Index:
    if ids is None:
        return pd.Index([], dtype=str)
    ids = pd.Index([str(i) for i in ids])
    unknown = ids.difference(all_ids)
    if len(unknown):
        warnings.warn(f"{what}: {len(unknown)} IDs nicht in der Geometrie, z. B. {', '.join(unknown[:3])}.",
                      SozialplanungWarning, stacklevel=3)
    return ids.intersection(all_ids)


def _new_axes(ax, figsize):
    if ax is None:
        fig = Figure(figsize=figsize, layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ax.set_axis_off()
    ax.set_aspect("equal")
    return fig, ax


def _draw(ax, geo, facecolor: pd.Series, *, context, suppressed, parents, linewidth=0.3):
    """Draw context, coloured, missing and suppressed areas, then parent outlines."""
    if len(context):
        # only the context areas inside the view: a Bezirk map need not draw all of Berlin
        others = geo.index.difference(context)
        xmin, ymin, xmax, ymax = geo.loc[others].total_bounds if len(others) else geo.total_bounds
        dx, dy = (xmax - xmin) * 0.1, (ymax - ymin) * 0.1
        near = geo[context].cx[xmin - dx:xmax + dx, ymin - dy:ymax + dy]
        if len(near):
            near.plot(ax=ax, color=CONTEXT_COLOR, edgecolor=EDGE_COLOR, linewidth=linewidth)
    shown = facecolor.dropna()
    if len(shown):
        geo[shown.index].plot(ax=ax, color=list(shown), edgecolor=EDGE_COLOR, linewidth=linewidth)
    if len(suppressed):
        geo[suppressed].plot(ax=ax, facecolor="white", edgecolor=palettes.SUPPRESSED_EDGE, hatch=SUPPRESSED_HATCH,
                             linewidth=linewidth)
    if parents is not None:
        parents.boundary.plot(ax=ax, color=PARENT_COLOR, linewidth=0.8)


def _zoom(ax, geo, area_ids, pad=0.04):
    xmin, ymin, xmax, ymax = geo[area_ids].total_bounds if len(area_ids) else geo.total_bounds
    dx, dy = (xmax - xmin) * pad, (ymax - ymin) * pad
    ax.set_xlim(xmin - dx, xmax + dx)
    ax.set_ylim(ymin - dy, ymax + dy)


def _scale_bar(ax, crs) -> str | None:
    """A two-segment scale bar in map units (metres), bottom left. Returns its label."""
    if crs is None or not crs.is_projected or crs.axis_info[0].unit_name not in ("metre", "meter"):
        warnings.warn("Koordinatensystem unbekannt oder nicht in Metern: Karte ohne Maßstabsleiste.",
                      SozialplanungWarning, stacklevel=3)
        return None
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    width, height = x1 - x0, y1 - y0
    nice = [m * 10.0**e for e in range(0, 7) for m in (1, 2, 2.5, 5)]
    length = max([n for n in nice if n <= width / 4] or [nice[0]])
    xs, ys, h = x0 + 0.03 * width, y0 + 0.035 * height, 0.012 * height
    for i, fill in enumerate(("black", "white")):
        ax.add_patch(Rectangle((xs + i * length / 2, ys), length / 2, h, facecolor=fill,
                               edgecolor="black", linewidth=0.6, zorder=5))
    km = length / 1000
    label = f"{fmt_number(km, 0 if km >= 1 and km == int(km) else 1)} km"
    halo = [pe.withStroke(linewidth=2, foreground="white")]
    for x, text in ((xs, "0"), (xs + length, label)):
        ax.text(x, ys + 1.6 * h, text, ha="center", va="bottom", fontsize=7, zorder=6, path_effects=halo)
    return label


def _north_arrow(ax):
    ax.annotate("N", xy=(0.96, 0.97), xytext=(0.96, 0.88), xycoords="axes fraction",
                ha="center", va="center", fontsize=9, fontweight="bold",
                arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.2})


def _area_labels(ax, geo, label_ids, texts: pd.Series, show: bool | None) -> bool:
    """Write ``texts`` at the areas (by default only up to 60 areas); returns whether they were drawn."""
    if show is False or (show is None and len(label_ids) > 60) or not len(label_ids):
        return False
    halo = [pe.withStroke(linewidth=1.5, foreground="white")]
    points = geo[label_ids].representative_point()
    for area_id, pt in points.items():
        ax.text(pt.x, pt.y, str(texts.get(area_id, area_id)), ha="center", va="center",
                fontsize=5.5 if len(label_ids) > 30 else 7, path_effects=halo, zorder=7, gid="gebietsbeschriftung")
    return True


def _label_note(drawn: bool, meaning: str | None) -> list[str]:
    """The caption and alt-text sentence on the area labels, only if they were drawn."""
    return [f"Beschriftung der Flächen: {meaning or 'Gebietsnummer'}."] if drawn else []


def _parent_note(parents, label: str | None) -> list[str]:
    """The caption sentence on the parent outlines, only if they were drawn."""
    return [f"Dunkle Linien: {label or 'übergeordnete Gebiete'}."] if parents is not None else []


def _finish(fig, ax, *, handles, legend_title, title, attribution, crs, north_arrow, alt_text, notes=()):
    """Title, legend, scale bar, source; ``fig.alt_text`` and ``fig.caption_notes`` (what the caption must say)."""
    if title:
        ax.set_title(title, fontsize=11, loc="left")
    if handles:
        if legend_title:
            legend_title = textwrap.fill(legend_title, 30)
        ax.legend(handles=handles, title=legend_title, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                  frameon=False, fontsize=8, title_fontsize=8.5, alignment="left")
    scale = _scale_bar(ax, crs)
    if north_arrow:
        _north_arrow(ax)
    if attribution:
        ax.annotate(attribution, xy=(0, 0), xycoords="axes fraction", xytext=(0, -4),
                    textcoords="offset points", ha="left", va="top", fontsize=6.5, color=palettes.NOTE_TEXT,
                    wrap=True)
    if scale:
        alt_text += f" Maßstabsleiste: {scale}."
    fig.caption_notes = list(getattr(fig, "caption_notes", [])) + list(notes)
    previous = getattr(fig, "alt_text", "")
    fig.alt_text = f"{previous} {alt_text}".strip() if previous else alt_text
    return fig


def _roles(geo, values, highlight, suppressed):
    all_ids = geo.index
    report = _id_set(highlight, all_ids, "highlight") if highlight is not None else all_ids
    context = all_ids.difference(report)
    supp = _id_set(suppressed, all_ids, "suppressed").intersection(report)
    rated = report.difference(supp)
    missing = rated[values.reindex(rated).isna().to_numpy()]
    return report, context, supp, rated.difference(missing), missing


def _special_entries(missing, supp, context, parents, suppressed_label):
    """Legend handles and alt-text sentences for missing, suppressed and context areas."""
    handles, sentences = [], []
    if len(missing):
        handles.append(Patch(facecolor=MISSING_COLOR, label=f"keine Angabe ({fmt_int(len(missing))})"))
        sentences.append(f"{fmt_count(len(missing), 'Gebiet', 'Gebiete')} ohne Angabe.")
    if len(supp):
        handles.append(Patch(facecolor="white", edgecolor=palettes.SUPPRESSED_EDGE, hatch=SUPPRESSED_HATCH,
                             label=f"{suppressed_label} ({fmt_int(len(supp))})"))
        sentences.append(f"{fmt_count(len(supp), 'Gebiet', 'Gebiete')} schraffiert: {suppressed_label}.")
    if len(context):
        handles.append(Patch(facecolor=CONTEXT_COLOR, edgecolor=palettes.LEGEND_EDGE, linewidth=0.4,
                             label="übrige Gebiete"))
        sentences.append("Übrige Gebiete grau zur Orientierung.")
    if parents is not None:
        sentences.append("Übergeordnete Gebiete als Linien.")
    return handles, sentences
