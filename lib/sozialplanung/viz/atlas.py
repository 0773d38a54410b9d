"""Sozialatlas: the maps of a Datenpaket, drawn with :mod:`sozialplanung.viz.maps` in one uniform look."""

from __future__ import annotations

import functools
import textwrap

from sozialplanung.data import labels as names
from sozialplanung.viz import locator, maps, palettes
from sozialplanung.data.datenpaket import Datenpaket
from sozialplanung.formatting import fmt_date
from sozialplanung.indicators.reference import top_level

LABEL_MEANING = "letzte drei Stellen der Gebietsnummer"
"""What the numbers written in the areas of an indicator map are."""


def attribution(dp: Datenpaket) -> str:
    """Sources as printed under every map and table."""
    return "Quelle: " + "; ".join(dp.params.sources) if dp.params.sources else ""


def needs_geometry(draw):
    """Maps need the areas' outlines: without a geodata file (``areas.file``, table-only mode) the map function
    returns a German note instead (shown in the notebook; the report leaves its maps out, see
    :func:`sozialplanung.report.page.map_figure`)."""
    @functools.wraps(draw)
    def wrapper(dp, *args, **kwargs):
        if not dp.params.has_maps:
            from IPython.display import Markdown

            return Markdown("*Keine Karte: für diese Kommune liegt keine Geodatei vor (areas.file).*")
        return draw(dp, *args, **kwargs)
    return wrapper


OUTLINE_PARTS = (2, 30)
"""Parent outlines are drawn when they divide the areas into this many parts (fewer: nothing to see; more:
the lines hide the areas)."""


def outline_level(dp: Datenpaket, ids=None) -> str | None:
    """The one outline rule: the parent level whose outlines are drawn over the areas ``ids`` (default: the
    shown areas) – the smallest level that divides them into 2 to 30 parts (:data:`OUTLINE_PARTS`), or None.

    Maps, locator maps and the report's grouping by parent area all use it.
    """
    shown = dp.areas.loc[dp.shown_ids if ids is None else list(ids)]
    lo, hi = OUTLINE_PARTS
    for parent in dp.params.areas.parents:
        if parent.level in dp.parents and lo <= shown[parent.level].nunique() <= hi:
            return parent.level
    return None


def _parents(dp: Datenpaket) -> dict:
    """``parents`` (outlines) and ``parents_label`` (their caption note) for the maps of ``dp``."""
    level = outline_level(dp)
    if level is None:
        return {"parents": None}
    shown_parents = set(dp.areas.loc[dp.shown_ids, level].dropna())  # verbandsfrei: none
    return {"parents": dp.parents[level].loc[sorted(shown_parents)],
            "parents_label": f"Grenzen der {names.level_plural(level)}"}


class SteckbriefLocators:
    """Locator maps of the Steckbriefe of a Datenpaket: each area within its top parent area (e.g. its Bezirk,
    when the Kommune has more than 60 areas), with the parent outlines of :func:`outline_level`;
    one base per top parent area."""

    LIMIT = 60
    FIGSIZE = (2.6, 2.4)

    def __init__(self, dp):
        self.dp, self._bases = dp, {}

    def __call__(self, gid: str) -> maps.SvgMap:
        dp = self.dp
        level = top_level(dp)
        key = dp.areas.at[gid, level] if level is not None and len(dp.areas) > self.LIMIT else None
        if key not in self._bases:
            areas = dp.areas if key is None else dp.areas[dp.areas[level] == key]
            outline = outline_level(dp, areas.index)
            parents = dp.parents[outline].loc[sorted(set(areas[outline].dropna()))] if outline else None
            self._bases[key] = locator.LocatorBase(areas, parents, figsize=self.FIGSIZE)
        return self._bases[key].draw(gid, area_name=str(dp.areas.at[gid, "name"]), kommune=self.where(gid))

    def where(self, gid: str) -> str:
        """What the locator map of ``gid`` names as its surroundings: its top parent area, else the Kommune."""
        level = top_level(self.dp)
        return names.parent(self.dp, level, self.dp.areas.at[gid, level]) if level is not None else self.dp.params.kommune


@needs_geometry
def indicator_map(dp: Datenpaket, indicator: str, *, year: int | None = None, **kwargs):
    """Choropleth of one indicator over the shown areas (others grey as context).

    Withheld values are hatched ("geheim gehalten"); class breaks use the shown areas. Up to 60
    shown areas carry the last three digits of their id (``show_labels`` overrides); the figure's
    ``caption_notes`` say so only when they are drawn. Descriptive indicators (polarity 0) get
    their own ramp (:data:`sozialplanung.viz.palettes.DESCRIPTIVE`), since darker does not mean more need.
    """
    ind = dp.catalogue[indicator]
    values = dp.values(year)[indicator]
    withheld = dp.withheld(year)[indicator]
    kwargs.setdefault("cmap", palettes.NEED if ind.polarity else palettes.DESCRIPTIVE)
    return maps.choropleth(
        dp.areas.assign(nummer=[i[-3:] if len(i) > 3 else i for i in dp.areas.index]),
        values, title=f"{ind.name}, Stand {fmt_date(ind.stichtag)}", legend_title=ind.name,
        unit=ind.unit, polarity=ind.polarity or 1, **_parents(dp),
        highlight=dp.shown_ids, suppressed=list(withheld.index[withheld]),
        label_column="nummer", label_meaning=LABEL_MEANING, attribution=attribution(dp), **kwargs)


@needs_geometry
def class_map(dp: Datenpaket, classes, labels: dict, *, title: str, legend_title: str, colors=None,
              not_rated=None, **kwargs):
    """Map of categories (index classes, types) over the shown areas (``kwargs``: ``suppressed_label``,
    ``marked``, ``marked_label`` of :func:`sozialplanung.viz.maps.class_map`)."""
    return maps.class_map(dp.areas, classes, labels, colors, title=title, legend_title=legend_title,
                          **_parents(dp), highlight=dp.shown_ids, suppressed=not_rated,
                          attribution=attribution(dp), **kwargs)


@needs_geometry
def change_map(dp: Datenpaket, change, *, title: str, legend_title: str, not_rated_label: str, marked=(),
               marked_label: str = "", details: dict | None = None):
    """Map of the direction of a class change per shown area („günstiger“, „unverändert“, „ungünstiger“,
    :func:`sozialplanung.analysis.zeitreihe.class_change`; the diverging triple
    :data:`~sozialplanung.viz.palettes.CHANGE_DIRECTION`); areas without a class in either year hatched as
    ``not_rated_label``, ``marked`` areas with the dot overlay on their fill; ``details``: id → text in the area's
    title (the classes, „mittel → niedrig“)."""
    change = change.reindex(dp.shown_ids)
    labels = {k: k for k in palettes.CHANGE_DIRECTION}
    return class_map(dp, change.dropna(), labels, title=title, legend_title=legend_title,
                     colors=palettes.CHANGE_DIRECTION, not_rated=list(change.index[change.isna()]),
                     suppressed_label=not_rated_label, marked=list(marked), marked_label=marked_label,
                     details=details)


INDEX_RAMPS = {"status": palettes.NEED, "dynamik": palettes.CHANGE}
"""Sequential ramp per index part; the recipe's classes run from least to most disadvantage."""


@needs_geometry
def index_map(dp: Datenpaket, index, part: str = "status"):
    """Map of the Status- or Dynamik-Index classes of a fitted :class:`SozialIndex`.

    Returns a German note instead of a map when the recipe has no such part (e.g. no Dynamik-Index).
    """
    if part not in index.recipe_.parts():
        from IPython.display import Markdown

        from sozialplanung.markup import escape_markdown

        name, part_name = escape_markdown(index.recipe_.name), escape_markdown(part)
        return Markdown(f"*Das Rezept „{name}“ hat keinen Teil „{part_name}“.*")
    spec = index.recipe_.parts()[part]
    classes = getattr(index, f"{part}_")
    codes = [c.code for c in spec.classification.classes]
    intervals = index.classifications_[part].intervals()
    labels = {c.code: f"{c.label} ({iv})" for c, iv in zip(spec.classification.classes, intervals)}
    colors = palettes.class_colors(codes, INDEX_RAMPS.get(part, palettes.NEED))
    return class_map(dp, classes.dropna().astype(int), labels, title=f"{spec.label} {index.year_ or ''}".strip(),
                     legend_title=spec.label, colors=colors,
                     not_rated=[i for i in index.not_rated_ if i in set(dp.shown_ids)])


@needs_geometry
def typology_map(dp: Datenpaket, typology):
    """Map of the types of a fitted :class:`ClusterTypology`: neutral names with profile lines, in the
    typology's order (by the Sozialindex where one exists), categorical colours (types have no order)."""
    rated = set(typology.labels_.index)
    legend = {t: "\n".join(textwrap.wrap(title, 42)) for t, title in typology.titles().items()}
    return class_map(dp, typology.labels_, legend, title="Gebietstypen der Clusteranalyse",
                     legend_title="Typ", colors=palettes.categorical(typology.names_),
                     not_rated=[i for i in dp.shown_ids if i not in rated])


LISA_ORDER = ["Hoch-Hoch", "Niedrig-Niedrig", "Hoch-Niedrig", "Niedrig-Hoch", "nicht signifikant", "ohne Nachbarn"]
"""Legend order of the LISA clusters."""


@needs_geometry
def lisa_map(dp: Datenpaket, spatial):
    """Map of the local Moran (LISA) clusters after FDR correction."""
    lisa = spatial.lisa_.set_index("gebiet_id")["cluster"]
    labels = {o: o for o in LISA_ORDER if o in set(lisa)}
    return class_map(dp, lisa, labels, title=f"Lokale räumliche Cluster: {dp.catalogue[spatial.column_].name}"
                     if hasattr(spatial, "column_") else "Lokale räumliche Cluster (LISA)",
                     legend_title="Cluster (FDR 5 %)", colors={k: palettes.LISA[k] for k in labels})


@needs_geometry
def score_map(dp: Datenpaket, values, title: str):
    """Choropleth of a score (e.g. a factor score) over the shown areas."""
    return maps.choropleth(dp.areas, values, title=title, legend_title=title, unit=None, decimals=2,
                           **_parents(dp), highlight=dp.shown_ids, attribution=attribution(dp))


@needs_geometry
def key_maps(dp: Datenpaket):
    """Maps of all Schlüsselindikatoren (``params.key_indicators``), shown together in a notebook."""
    from sozialplanung.viz.figures import Gallery

    return Gallery(indicator_map(dp, ind) for ind in dp.key_indicators)
