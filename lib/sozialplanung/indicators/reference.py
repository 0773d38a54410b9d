"""Indicator values of areas and their reference values (parent areas, Kommune).

Reference value of a group of areas (a Bezirk, the whole Kommune):

- from counts: ``Σ numerator / Σ denominator · factor`` — exact;
- from published rates: ``Σ (rate · weight) / Σ weight`` over the areas with a value — a
  weighted mean that is only **approximate** when the weight is not the rate's own denominator
  (e.g. all residents as weight for a rate per residents aged 15–65). Such values are flagged
  ``approx=True`` and shown with "≈".
Withheld (suppressed) values take no part in a reference value built from rates; with counts the
sums use all counts, since the total itself is published (secondary suppression protects it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialplanung.data.datenpaket import Datenpaket
from sozialplanung.indicators.published import published_value


def reference_value(dp: Datenpaket, indicator: str, ids, year: int | None = None) -> tuple[float, bool]:
    """Reference value of ``indicator`` over the areas ``ids``; returns ``(value, approx)``.

    The published total where ``data.totals`` says ``use: ersetzen`` and ``ids`` are exactly the areas of
    a unit with a total row (:func:`sozialplanung.indicators.published.published_value`; exact, not
    approx), else :func:`computed_value`.
    """
    own = published_value(dp, indicator, ids, year)
    return (own, False) if own is not None else computed_value(dp, indicator, ids, year)


def computed_value(dp: Datenpaket, indicator: str, ids, year: int | None = None) -> tuple[float, bool]:
    """Reference value of ``indicator`` computed from the areas ``ids``; returns ``(value, approx)``.

    Examples
    --------
    >>> from sozialplanung.config.params import find_params
    >>> from sozialplanung.data.datenpaket import load_datenpaket
    >>> dp = load_datenpaket(find_params("berlin/berlin.yaml"))
    >>> value, approx = computed_value(dp, "S1", dp.reference_ids)
    >>> round(value, 3), approx
    (5.196, True)
    """
    ind = dp.catalogue[indicator]
    column, pos = _columns(dp, year), _positions(dp, ids)
    if ind.from_counts:
        num, den = column(ind.numerator)[pos], column(ind.denominator)[pos]
        ok = ~np.isnan(num) & ~np.isnan(den)
        total = den[ok].sum()
        return (float(num[ok].sum() / total * ind.factor) if total > 0 else np.nan), False
    values = column(("wert", indicator))[pos]
    weights = column(ind.weight)[pos] if ind.weight else np.ones(len(pos))
    ok = ~np.isnan(values) & ~np.isnan(weights) & (weights > 0)
    if not ok.any():
        return np.nan, True
    return float(np.average(values[ok], weights=weights[ok])), True


def _columns(dp: Datenpaket, year: int | None):
    """``column(name)`` → the data table column of ``year`` as floats in area order (``("wert", id)``: the shown
    indicator value); each converted once per Datenpaket, since a report asks for hundreds of reference values."""
    year = dp.year if year is None else year
    cache = dp.__dict__.setdefault("_reference_columns", {})

    def column(name):
        if (year, name) not in cache:
            frame = dp.values(year) if isinstance(name, tuple) else dp.rows(year)
            cache[year, name] = frame[name[1] if isinstance(name, tuple) else name].to_numpy(dtype=float,
                                                                                            na_value=np.nan)
        return cache[year, name]
    return column


def _positions(dp: Datenpaket, ids) -> np.ndarray:
    """Row positions of ``ids`` in the area table (KeyError for an unknown id, as ``.loc`` would raise)."""
    ids = list(ids)
    pos = dp.areas.index.get_indexer(ids)
    if (pos < 0).any():
        raise KeyError(f"unknown areas: {[i for i, p in zip(ids, pos) if p < 0][:5]}")
    return pos


def reference_table(dp: Datenpaket, year: int | None = None, indicators: list[str] | None = None) -> pd.DataFrame:
    """Reference values per level: rows ``(ebene, id, name)``, one column per indicator.

    Contains the Kommune (over the Bezugsgesamtheit) and every parent area that holds a shown area.
    ``df.attrs["approx"]`` lists the indicators whose references are weighted means of rates.
    """
    indicators = indicators or list(dp.catalogue)
    rows = [("Kommune", "", dp.params.bezugsname or dp.params.kommune, dp.reference_ids)]
    shown = dp.areas.loc[dp.shown_ids]
    for parent in dp.params.areas.parents:
        for pid in sorted(shown[parent.level].dropna().unique()):  # verbandsfrei: no parent on that level
            names = dp.parents.get(parent.level)
            name = names.loc[pid, "name"] if names is not None and pid in names.index else pid
            rows.append((parent.level, pid, f"{parent.level} {name}", list(dp.areas.index[dp.areas[parent.level] == pid])))
    out = []
    for level, pid, name, ids in rows:
        vals = {ind: reference_value(dp, ind, ids, year)[0] for ind in indicators}
        out.append({"ebene": level, "id": pid, "name": name, **vals})
    df = pd.DataFrame(out)
    df.attrs["approx"] = [i for i in indicators if not dp.catalogue[i].from_counts]
    return df


def compare_with_reference(dp: Datenpaket, year: int | None = None,
                           indicators: list[str] | None = None, level: str | None = None) -> pd.DataFrame:
    """Each shown area against the reference value of its parent area at ``level`` and of the Kommune.

    Returns one row per shown area (``gebiet_id``) with, per indicator, the area's value, the
    parent's value, the Kommune's value and the difference to the Kommune in the indicator's unit.
    Columns are a MultiIndex (indicator, what).
    """
    indicators = indicators or list(dp.catalogue)
    level = level or top_level(dp)
    ids = dp.shown_ids
    values = dp.values(year).loc[ids, indicators]
    kommune = {ind: reference_value(dp, ind, dp.reference_ids, year)[0] for ind in indicators}
    parts = {}
    parent_of = dp.areas.loc[ids, level] if level else None
    for ind in indicators:
        block = pd.DataFrame({"wert": values[ind]})
        if level:
            refs = {pid: reference_value(dp, ind, dp.areas.index[dp.areas[level] == pid], year)[0]
                    for pid in parent_of.unique()}
            block[level] = parent_of.map(refs)
        block["Kommune"] = kommune[ind]
        block["abweichung"] = block["wert"] - kommune[ind]
        parts[ind] = block
    out = pd.concat(parts, axis=1)
    out.index.name = "gebiet_id"
    return out


def area_table(dp: Datenpaket, year: int | None = None) -> pd.DataFrame:
    """The shown areas with name, parent ids, residents and every indicator value (withheld = NaN)."""
    ids = dp.shown_ids
    levels = [p.level for p in dp.params.areas.parents]
    out = dp.areas.loc[ids, ["name", *levels]].copy()
    out["einwohner"] = dp.population(year).loc[ids]
    out = out.join(dp.values(year).loc[ids])
    out.index.name = "gebiet_id"
    return pd.DataFrame(out)


def comparison_levels(dp: Datenpaket) -> list[str]:
    """The parent levels each shown area is compared with, lowest first: from the level of the
    Berichtsgebiet up (a Kreis report: Kreis and Land), else the top level (e.g. Bezirk).

    The Bezugsgesamtheit (the Kommune, e.g. Germany) is compared with in any case.
    """
    levels = [p.level for p in dp.params.areas.parents]
    sel = dp.params.berichtsgebiet
    if sel is not None and sel.level in levels:
        return levels[levels.index(sel.level):]
    return levels[-1:]


def top_level(dp: Datenpaket) -> str | None:
    """The largest parent level below the Kommune (e.g. Bezirk), used for comparisons."""
    return dp.params.areas.parents[-1].level if dp.params.areas.parents else None
