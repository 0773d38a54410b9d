"""Maps for every report: choropleths with documented class breaks, class maps, locator maps.

All maps share one look: a colour-blind-safe palette, white area borders, parent areas
as dark outlines, a scale bar in kilometres, the data source under the map, and a
German alt text on ``fig.alt_text`` for the HTML report. Nothing is downloaded (no
basemap tiles), so a report renders offline.

Class breaks (choropleth)
-------------------------
Breaks come from mapclassify and are right-closed, as there: the first class holds
``y ≤ b1`` ("bis b1"), class j holds ``b(j-1) < y ≤ bj`` ("über b(j-1) bis bj").
Breaks and values are rounded to the shown decimals (half away from zero, see
:mod:`sozialplanung.formatting`) *before* assigning classes, so an area whose table
value reads "4,2" is never in the class "über 4,2". Breaks are computed from the
areas of the report only (``highlight``), without suppressed and missing values;
pass explicit ``bins`` for breaks that are comparable across reports.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from sozialplanung.analysis.classify import apply_cutoffs
from sozialplanung.data.labels import value as fmt_value
from sozialplanung.errors import SozialplanungError
from sozialplanung.formatting import fmt_count, fmt_int, fmt_number, round_half_up
from sozialplanung.viz import mapdraw, palettes
from sozialplanung.viz.mapparts import (  # noqa: F401 (constants re-exported)
    _id_set,
    CATEGORICAL_COLORS,
    CONTEXT_COLOR,
    EDGE_COLOR,
    MISSING_COLOR,
    OKABE_ITO,
    PARENT_COLOR,
    SCHEMES,
    SEQUENTIAL_CMAP,
    _SCHEME_DE,
    LegendEntry,
    SvgMap,
    _label_note,
    _names,
    _parent_note,
    _prepare,
    _roles,
    _special_entries,
    _values,
    area_title,
    class_breaks,
)

__all__ = [
    "SEQUENTIAL_CMAP", "OKABE_ITO", "CATEGORICAL_COLORS", "CONTEXT_COLOR", "MISSING_COLOR",
    "SCHEMES", "SvgMap", "choropleth", "class_map", "locator_map",
]


def _labels(geo, report, texts: pd.Series, show: bool | None):
    """``(ids, texts, size)`` of the area labels (by default only up to 60 areas), or None."""
    if show is False or (show is None and len(report) > 60) or not len(report):
        return None
    return report, texts, 5.5 if len(report) > 30 else 7


def _size(figsize) -> tuple[float, float]:
    return figsize[0] * 72, figsize[1] * 72


# ----------------------------------------------------------------------------- public
def choropleth(
    gdf: gpd.GeoDataFrame,
    column: str | pd.Series,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    bins: list[float] | None = None,
    decimals: int = 1,
    title: str | None = None,
    legend_title: str | None = None,
    unit: str | None = None,
    polarity: int = 1,
    parents: gpd.GeoDataFrame | None = None,
    label_column: str | None = None,
    show_labels: bool | None = None,
    label_meaning: str | None = None,
    parents_label: str | None = None,
    highlight=None,
    suppressed=None,
    suppressed_label: str = "geheim gehalten",
    attribution: str | None = None,
    id_column: str | None = None,
    cmap: str = SEQUENTIAL_CMAP,
    north_arrow: bool = False,
    name_column: str | None = "name",
    figsize: tuple[float, float] = (8.0, 6.0),
) -> SvgMap:
    """Choropleth map of one indicator with German class legend.

    Parameters
    ----------
    gdf : GeoDataFrame
        Areas in a projected CRS in metres (EPSG:25833, 3035, 31467, …); geographic
        coordinates are drawn in EPSG:3035.
    column : str or Series
        Column of ``gdf``, or a Series indexed by area id (e.g. ``index.score_``).
    scheme : {"quantiles", "natural_breaks", "equal_interval", "sd"}, default="quantiles"
        mapclassify scheme, see :data:`SCHEMES`. Ignored when ``bins`` is given.
    k : int, default=5
        Number of classes (not used by ``"sd"``).
    bins : list of float, optional
        Explicit upper class bounds (right-closed); values above the last bound form
        a last class up to the maximum.
    decimals : int, default=1
        Decimals of the legend; values and breaks are rounded to them before classing.
    title, legend_title, unit : str, optional
        Legend title reads ``"{legend_title} in {unit}"``.
    polarity : {1, -1}, default=1
        1: higher values are more disadvantage and drawn darker; -1: lower values darker.
    parents : GeoDataFrame, optional
        Outlines drawn on top (e.g. Bezirksregionen or Bezirke).
    label_column : str, optional
        Column written at each report area (small font); with more than 60 areas only
        if ``show_labels=True``.
    label_meaning, parents_label : str, optional
        What the area labels and the parent outlines show, for the caption notes
        (``fig.caption_notes``), which name only what is actually drawn.
    highlight : iterable of ids, optional
        The areas of the report; all others are drawn light grey as context, and the
        map zooms to the report areas. Class breaks use the report areas only.
    suppressed : iterable of ids, optional
        Areas drawn hatched, without a value class, labelled ``suppressed_label``
        (e.g. "geheim gehalten" or "nicht bewertet").
    attribution : str, optional
        Data source and licence, printed under the map.
    id_column : str, optional
        Column with area ids; default ``"gebiet_id"`` if present, else the index.
    name_column : str, optional
        Column with area names for the areas' titles ("id name: value (class)"); default ``"name"``.
    figsize : (float, float)
        Largest size in inches (the map keeps its aspect ratio).

    Returns
    -------
    SvgMap
        With ``svg``, ``alt_text`` (German description), ``caption_notes`` (sentences for
        the caption), ``class_labels`` (legend label per area id), ``class_breaks``
        (rounded upper bounds) and ``class_colors`` (fill per class, in legend order).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame({"id": list("abcd"), "s1": [1.0, 2.0, 3.0, 4.0]},
    ...     geometry=[box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(4)], crs=25833)
    >>> fig = choropleth(gdf, "s1", k=2, unit="%", id_column="id", title="Arbeitslosigkeit")
    >>> fig.class_labels.to_dict()
    {'a': 'bis 2,5', 'b': 'bis 2,5', 'c': 'über 2,5 bis 4,0', 'd': 'über 2,5 bis 4,0'}
    >>> print(fig.alt_text)  # doctest: +NORMALIZE_WHITESPACE
    Karte: Arbeitslosigkeit. 4 Gebiete in 2 Klassen (Quantile, etwa gleich viele Gebiete je Klasse),
    Werte in %: bis 2,5 (2 Gebiete); über 2,5 bis 4,0 (2 Gebiete). Dunklere Flächen zeigen höhere
    Werte. Maßstabsleiste: 1 km.
    """
    if polarity not in (1, -1):
        raise SozialplanungError(f"polarity muss 1 oder -1 sein, erhalten: {polarity!r}.")
    if bins is None and scheme not in SCHEMES:
        raise SozialplanungError(f"Unbekanntes Klassifikationsverfahren „{scheme}“.",
                                 hint=f"Erlaubt: {', '.join(SCHEMES)} oder bins=[...].")
    geo, par = _prepare(gdf, id_column, parents)
    values = pd.to_numeric(_values(gdf, column, geo.index), errors="coerce")
    report, context, supp, rated, missing = _roles(geo, values, highlight, suppressed)
    y, breaks, cls, labels = _classes(values[rated], scheme, k, bins, decimals, _column_name(column))
    counts = np.bincount(cls, minlength=len(breaks))
    colors = palettes.ordered(len(breaks), cmap, reverse=polarity == -1)
    face = pd.concat([pd.Series(np.array(colors, dtype=object)[cls], index=rated),
                      pd.Series(MISSING_COLOR, index=missing)])
    shown = [fmt_value(v, unit or "", decimals) for v in y]
    titles = _titles(gdf, name_column, geo, {i: f"{v} ({labels[c]})" for i, v, c in zip(rated, shown, cls)},
                     missing, supp, suppressed_label)
    area_labels, labelled = _area_labels(gdf, geo, report, label_column, show_labels, label_meaning)
    entries = [LegendEntry(f"{lab} ({fmt_int(m)})", c) for c, lab, m in zip(colors, labels, counts)]
    more, extra = _special_entries(missing, supp, context, par, suppressed_label)
    col_name = _column_name(column)
    name = legend_title or ("Wert" if col_name is None else str(col_name))
    alt = _choropleth_alt(title or name, len(report), labels, counts, _SCHEME_DE[None if bins is not None else scheme],
                          unit, polarity, extra + labelled)
    out = _finish(geo, report, face, titles, context, supp, par, entries + more, f"{name} in {unit}" if unit else name,
                  title, attribution, north_arrow, area_labels, figsize, alt, labelled + _parent_note(par, parents_label))
    out.class_labels = pd.Series(np.array(labels, dtype=object)[cls], index=rated)
    out.class_breaks, out.class_colors = list(breaks), list(colors)
    return out


def _choropleth_alt(title: str, n_areas: int, labels, counts, scheme_text: str, unit, polarity: int, notes) -> str:
    """Alt text of a choropleth (before the scale bar): classes with their counts, which way is darker, notes."""
    unit_text = f", Werte in {unit}" if unit else ""
    classes_text = "; ".join(f"{lab} ({fmt_count(m, 'Gebiet', 'Gebiete')})" for lab, m in zip(labels, counts))
    alt = (f"Karte: {title}. {fmt_count(n_areas, 'Gebiet', 'Gebiete')} in "
           f"{fmt_count(len(labels), 'Klasse', 'Klassen')} ({scheme_text}){unit_text}: {classes_text}. "
           f"Dunklere Flächen zeigen {'höhere' if polarity == 1 else 'niedrigere'} Werte. " + " ".join(notes))
    return alt.strip()


def _column_name(column):
    return column.name if isinstance(column, pd.Series) else column


def _classes(rated_values: pd.Series, scheme, k, bins, decimals, column_name):
    """``(y, breaks, cls, labels)`` of a choropleth: the rated values rounded to ``decimals`` (so a value is
    classed as printed), the upper class bounds, the class per value (0-based) and the German class labels."""
    y = np.array([round_half_up(v, decimals) for v in rated_values], dtype=float)
    if len(y) == 0:
        raise SozialplanungError("Keine Werte für die Karte: alle Gebiete fehlen oder sind geheim.",
                                 field=str(column_name))
    breaks = class_breaks(y, scheme, k, bins, decimals)
    cls = apply_cutoffs(y, breaks[:-1], ["lower"] * (len(breaks) - 1)) - 1  # right-closed: b[i-1] < y <= b[i]
    labels = [f"bis {fmt_number(breaks[0], decimals)}"] + [
        f"über {fmt_number(lo, decimals)} bis {fmt_number(hi, decimals)}" for lo, hi in zip(breaks, breaks[1:])
    ]
    return y, breaks, cls, labels


def _titles(gdf, name_column, geo, rated: dict, missing, supp, suppressed_label) -> dict:
    """The ``<title>`` per report area: ``rated`` (id → what is shown), "keine Angabe", or the suppressed label
    (never the value)."""
    area_names = _names(gdf, name_column, geo.index)
    titles = {i: area_title(i, area_names[i], what) for i, what in rated.items()}
    titles.update({i: area_title(i, area_names[i], "keine Angabe") for i in missing})
    titles.update({i: area_title(i, area_names[i], suppressed_label) for i in supp})
    return titles


def _area_labels(gdf, geo, report, label_column, show_labels, label_meaning):
    """``(area_labels, caption notes)``: the labels drawn in the areas (or None) and the sentence naming them."""
    area_labels = _labels(geo, report, _values(gdf, label_column, geo.index), show_labels) if label_column else None
    return area_labels, _label_note(area_labels is not None, label_meaning)


def _finish(geo, report, face, titles, context, supp, par, entries, legend_title, title, attribution,
            north_arrow, area_labels, figsize, alt, notes, marked=()) -> SvgMap:
    """Draw the map (:func:`sozialplanung.viz.mapdraw.draw`); the alt text names the scale bar."""
    text, scale = mapdraw.draw(geo, report, fills=face, titles=titles, context=context, suppressed=list(supp),
                               parents=par, entries=entries, legend_title=legend_title, title=title,
                               attribution=attribution, crs=geo.crs, north_arrow=north_arrow, labels=area_labels,
                               size=_size(figsize), marked=list(marked))
    if scale:
        alt += f" Maßstabsleiste: {scale}."
    fills = {**face.to_dict(), **{i: "hatch" for i in supp}}
    return SvgMap(text, alt, list(notes), entries, legend_title, fills)


def class_map(
    gdf: gpd.GeoDataFrame,
    column: str | pd.Series,
    labels: dict,
    colors: dict | None = None,
    *,
    title: str | None = None,
    legend_title: str | None = None,
    parents: gpd.GeoDataFrame | None = None,
    label_column: str | None = None,
    show_labels: bool | None = None,
    label_meaning: str | None = None,
    parents_label: str | None = None,
    highlight=None,
    suppressed=None,
    suppressed_label: str = "nicht bewertet",
    marked=None,
    marked_label: str = "markiert",
    details: dict | None = None,
    attribution: str | None = None,
    id_column: str | None = None,
    north_arrow: bool = False,
    name_column: str | None = "name",
    figsize: tuple[float, float] = (8.0, 6.0),
) -> SvgMap:
    """Map of categories (index classes, cluster types) with a legend in the order of ``labels``.

    Parameters
    ----------
    column : str or Series
        Category per area (e.g. Status-Index 1–4 or a cluster number).
    labels : dict
        Category → German legend label, in legend order. Every value must be a key.
    colors : dict, optional
        Category → colour; default :data:`CATEGORICAL_COLORS` in order. For ordered
        classes pass colours from a sequential palette.
    marked : iterable of ids, optional
        Report areas that keep their fill (or hatch) and get a dot overlay on top
        (:data:`sozialplanung.viz.svg.MARK`, distinct from the hatch of withheld areas), with a legend
        entry and an alt-text sentence ``marked_label`` (e.g. values carried from an old Gebietsstand);
        their ``<title>`` adds ``marked_label``.
    details : dict, optional
        Area id → text added in brackets to the ``<title>`` of a rated area (e.g. „mittel → niedrig“);
        never used for suppressed areas.
    Other parameters
        As in :func:`choropleth`.

    Returns
    -------
    SvgMap
        With ``svg``, ``alt_text``, ``caption_notes`` and ``legend_entries``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame({"si": [1, 2, 2, None]},
    ...     geometry=[box(i * 500, 0, (i + 1) * 500, 500) for i in range(4)], crs=3035)
    >>> fig = class_map(gdf, "si", {1: "hoch", 2: "mittel"}, title="Status-Index")
    >>> print(fig.alt_text)  # doctest: +NORMALIZE_WHITESPACE
    Karte: Status-Index. 4 Gebiete: hoch (1 Gebiet); mittel (2 Gebiete). 1 Gebiet ohne Angabe.
    Maßstabsleiste: 0,5 km.
    >>> fig = class_map(gdf, "si", {1: "hoch", 2: "mittel"}, title="Status-Index", marked=["1", "2"],
    ...                 marked_label="Werte übertragen")
    >>> print(fig.alt_text)  # doctest: +NORMALIZE_WHITESPACE
    Karte: Status-Index. 4 Gebiete: hoch (1 Gebiet); mittel (2 Gebiete). 1 Gebiet ohne Angabe.
    2 Gebiete zusätzlich gepunktet: Werte übertragen. Maßstabsleiste: 0,5 km.
    >>> fig.fills["1"] == fig.fills["2"], fig.svg.count('fill="url(#sp-markierung)"')
    (True, 3)
    """
    geo, par = _prepare(gdf, id_column, parents)
    values = _values(gdf, column, geo.index)
    report, context, supp, rated, missing = _roles(geo, values, highlight, suppressed)
    mark = _id_set(marked, geo.index, "marked").intersection(report)
    unknown = set(values[rated]) - set(labels)
    if unknown:
        raise SozialplanungError(
            f"Werte ohne Beschriftung: {', '.join(map(str, sorted(unknown, key=str)))}.",
            field=str(_column_name(column)), hint="Bitte in labels ergänzen.")
    if colors is None:
        colors = palettes.categorical(labels)
    face = pd.concat([values[rated].map(colors), pd.Series(MISSING_COLOR, index=missing)])
    details = {str(k): v for k, v in (details or {}).items()}
    shown = {i: str(labels[values[i]]).replace("\n", " ") + (f" ({details[i]})" if i in details else "") for i in rated}
    titles = _titles(gdf, name_column, geo, shown, missing, supp, suppressed_label)
    titles.update({i: f"{titles[i]}; {marked_label}" for i in mark})
    area_labels, labelled = _area_labels(gdf, geo, report, label_column, show_labels, label_meaning)
    counts = values[rated].value_counts()
    parts, entries = [], []
    for key, lab in labels.items():
        m = int(counts.get(key, 0))
        entries.append(LegendEntry(f"{lab} ({fmt_int(m)})", colors[key]))
        parts.append(f"{lab} ({fmt_count(m, 'Gebiet', 'Gebiete')})")
    more, extra = _special_entries(missing, supp, context, par, suppressed_label, mark, marked_label)
    col_name = _column_name(column)
    name = title or legend_title or ("Klassen" if col_name is None else str(col_name))
    alt = f"Karte: {name}. {fmt_count(len(report), 'Gebiet', 'Gebiete')}: {'; '.join(parts)}. " + " ".join(extra + labelled)
    return _finish(geo, report, face, titles, context, supp, par, entries + more, legend_title, title,
                   attribution, north_arrow, area_labels, figsize, alt.strip(), labelled + _parent_note(par, parents_label),
                   mark)


def locator_map(
    gdf: gpd.GeoDataFrame,
    area_id,
    parents: gpd.GeoDataFrame | None = None,
    *,
    area_name: str | None = None,
    kommune: str | None = None,
    id_column: str | None = None,
    attribution: str | None = None,
    figsize: tuple[float, float] = (3.2, 3.0),
) -> SvgMap:
    """Small map showing where one area lies in its Kommune (for Steckbriefe).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> gdf = gpd.GeoDataFrame(geometry=[box(i * 2000, 0, (i + 1) * 2000, 2000) for i in range(3)],
    ...     index=["01", "02", "03"], crs=25833)
    >>> locator_map(gdf, "02", area_name="Mitte", kommune="Musterstadt").alt_text
    'Lagekarte: Gebiet 02 Mitte (farbig hervorgehoben) innerhalb von Musterstadt. Maßstabsleiste: 1 km.'
    """
    from sozialplanung.viz.locator import LocatorBase

    base = LocatorBase(gdf, parents, id_column=id_column, attribution=attribution, figsize=figsize)
    return base.draw(area_id, area_name=area_name, kommune=kommune)
