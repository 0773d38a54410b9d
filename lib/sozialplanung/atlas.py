"""Sozialatlas: the maps of a Datenpaket, drawn with :mod:`sozialplanung.maps` in one uniform look."""

from __future__ import annotations

from sozialplanung.datenpaket import Datenpaket
from sozialplanung import maps
from sozialplanung.formatting import fmt_date


def attribution(dp: Datenpaket) -> str:
    """Sources as printed under every map and table."""
    return "Quelle: " + "; ".join(dp.params.sources) if dp.params.sources else ""


def outline_level(dp: Datenpaket) -> str | None:
    """The parent level whose outlines are drawn: the smallest that groups the shown areas into ≥ 3 parts."""
    shown = dp.areas.loc[dp.shown_ids]
    for parent in dp.params.areas.parents:
        if parent.level in dp.parents and shown[parent.level].nunique() >= 3:
            if shown[parent.level].nunique() <= 30:
                return parent.level
    return None


def _parents(dp: Datenpaket):
    level = outline_level(dp)
    if level is None:
        return None
    shown_parents = set(dp.areas.loc[dp.shown_ids, level])
    return dp.parents[level].loc[sorted(shown_parents)]


def indicator_map(dp: Datenpaket, indicator: str, *, year: int | None = None, **kwargs):
    """Choropleth of one indicator over the shown areas (others grey as context).

    Withheld values are hatched ("geheim gehalten"); class breaks use the shown areas.
    """
    ind = dp.catalogue[indicator]
    values = dp.values(year)[indicator]
    withheld = dp.withheld(year)[indicator]
    few = len(dp.shown_ids) <= 60
    return maps.choropleth(
        dp.areas.assign(nummer=[i[-3:] if len(i) > 3 else i for i in dp.areas.index]),
        values, title=f"{ind.name}, Stand {fmt_date(ind.stichtag)}", legend_title=ind.name,
        unit=ind.unit, polarity=ind.polarity or 1, parents=_parents(dp),
        highlight=dp.shown_ids, suppressed=list(withheld.index[withheld]),
        label_column="nummer" if few else None, attribution=attribution(dp), **kwargs)


def class_map(dp: Datenpaket, classes, labels: dict, *, title: str, legend_title: str, colors=None,
              not_rated=None):
    """Map of categories (index classes, types) over the shown areas."""
    return maps.class_map(dp.areas, classes, labels, colors, title=title, legend_title=legend_title,
                          parents=_parents(dp), highlight=dp.shown_ids, suppressed=not_rated,
                          attribution=attribution(dp))
