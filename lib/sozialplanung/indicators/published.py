"""Published totals (``data.totals``) as values: per unit of a parent level or the Kommune, per indicator.

The total rows of the data table (:func:`sozialplanung.data.inputs.split_totals`) are kept out of the
areas. :func:`published` computes each indicator from them as the report would from the areas
(numerator / denominator · factor, or the published rate). With ``use: ersetzen`` (:func:`replaced`)
:func:`sozialplanung.indicators.reference.reference_value` returns the published value for exactly the
areas of such a unit (:func:`published_value`), so every table, text, Steckbrief and chart of the report
shows it; :mod:`sozialplanung.indicators.totals` compares both (``validate``). Published figures are
the source's own, so showing them reveals nothing the source did not publish.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _rows(dp) -> pd.DataFrame:
    return getattr(dp, "totals", None) if getattr(dp, "totals", None) is not None else pd.DataFrame()


def match_id(dp, level: str, given: str) -> str | None:
    """The id of the unit of ``level`` a total row names (by id or by name); ``""`` for the Kommune."""
    if level == "Kommune":
        return ""
    if given in set(dp.areas[level]):
        return given
    layer = dp.parents.get(level)
    if layer is not None and "name" in layer.columns:
        hit = layer.index[layer["name"].astype(str) == given]
        if len(hit) == 1:
            return str(hit[0])
    return None


def published(dp, year: int | None = None) -> pd.DataFrame:
    """Indicator values of the total rows of ``year``: columns ``ebene``, ``id`` (None: no such unit),
    ``angabe`` (the id or name as in the table), ``zeile`` and one column per indicator."""
    year = dp.year if year is None else year
    rows = _rows(dp)
    if rows.empty:
        return pd.DataFrame(columns=["ebene", "id", "angabe", "zeile", *dp.catalogue])
    rows = rows[rows["jahr"] == year]
    first = rows.attrs.get("erste_zeile", 2)
    out = pd.DataFrame({"ebene": rows["ebene"], "id": [match_id(dp, lv, g) for lv, g in
                                                        zip(rows["ebene"], rows["gebiet_id"])],
                        "angabe": rows["gebiet_id"], "zeile": [int(i) + first for i in rows.index]})
    for ind in dp.catalogue.values():
        if ind.from_counts:
            den = rows[ind.denominator].astype(float)
            out[ind.id] = rows[ind.numerator].astype(float) / den.where(den > 0) * ind.factor
        else:
            out[ind.id] = rows[ind.rate].astype(float)
    return out.reset_index(drop=True)


def replaced(dp) -> bool:
    """Whether the published totals replace the computed reference values (``data.totals.use: ersetzen``)."""
    spec = dp.params.data.totals
    return spec is not None and spec.use == "ersetzen"


def members(dp, level: str, unit: str) -> pd.Index:
    """The areas of one unit of ``level`` (all areas for the Kommune)."""
    return dp.areas.index if level == "Kommune" else dp.areas.index[dp.areas[level] == unit]


def published_value(dp, indicator: str, ids, year: int | None = None) -> float | None:
    """With ``use: ersetzen``: the published value of ``indicator`` for the unit whose areas are exactly
    ``ids``; None if the totals are only cross-checked, no unit has these areas, or its value is missing."""
    if not replaced(dp):
        return None
    year = dp.year if year is None else year
    cache = dp.__dict__.setdefault("_published_cache", {})
    if year not in cache:
        table = published(dp, year)
        cache[year] = {frozenset(members(dp, row["ebene"], row["id"])): row for _, row in table.iterrows()
                       if row["id"] is not None}
    row = cache[year].get(frozenset(ids))
    if row is None or indicator not in row or np.isnan(float(row[indicator])):
        return None
    return float(row[indicator])
