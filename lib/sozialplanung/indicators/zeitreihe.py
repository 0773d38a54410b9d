"""Indicator values over the report years of a series Datenpaket (:mod:`sozialplanung.data.zeitreihe`).

:func:`series_table` is ``tabellen/zeitreihe.csv``: one row per area, indicator and year with the value
as a report may show it (NaN where :func:`~sozialplanung.data.zeitreihe.series_marks` withholds it, the
mark in ``zeichen``), whether it was carried from an older Gebietsstand (``herkunft``,
``interpoliert``), the change since the previous year of the series (NaN across a Zeitreihenbruch
or where either value is withheld) and the reference values of the Kommune and of the area's parent at
the top level (e.g. Bezirk).

Reference values of rate indicators are weighted means ``Σ w·r / Σ w`` of the values the series marks
leave published – the same rule as :func:`sozialplanung.indicators.reference.computed_value`, but with
the stricter mask over years, so no reference contains a value withheld in any year. Count-based
indicators use :func:`~sozialplanung.indicators.reference.reference_value` of that year (see the
limitation in :mod:`sozialplanung.data.zeitreihe`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialplanung.config.catalogue import GEBIET_ID
from sozialplanung.data.zeitreihe import SHOWN, Zeitreihe, detect_breaks, read_zeitreihe, series_marks
from sozialplanung.indicators.reference import reference_value, top_level

__all__ = ["series_table", "series_values", "series_reference", "withheld_cells"]

COLUMNS = [GEBIET_ID, "jahr", "datenstand", "gebietsstand", "herkunft", "interpoliert", "abdeckung", "einwohner",
           "indikator", "wert", "zeichen", "veraenderung", "bruch", "bezugswert_kommune", "bezug_id", "bezugswert_bezug"]


def series_values(dp, zr: Zeitreihe | None = None, marks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Indicator values per (``gebiet_id``, ``jahr``), NaN wherever the series marks withhold them."""
    zr = read_zeitreihe(dp) if zr is None else zr
    marks = series_marks(dp, zr) if marks is None else marks
    frames = {year: dp.raw_values(year) for year in dp.years()}
    values = pd.concat(frames, names=["jahr", GEBIET_ID]).swaplevel().sort_index()
    return values[marks.columns].where(marks == SHOWN)


def withheld_cells(dp, years=None, zr: Zeitreihe | None = None) -> list[tuple[str, str, int, float, tuple]]:
    """Every cell the series marks withhold that has a value, as (``gebiet_id``, indicator, year, true value,
    differences): the differences ``± (value − published value)`` to the neighbouring years of the series with a
    published value – what a table of changes between years must not show. Empty for a plain Datenpaket."""
    from sozialplanung.data.zeitreihe import has_zeitreihe

    if len(dp.years()) < 2 or not has_zeitreihe(dp):
        return []
    zr = read_zeitreihe(dp) if zr is None else zr
    marks = series_marks(dp, zr)
    shown = series_values(dp, zr, marks)
    order = dp.years()
    out = []
    for year in years or order:
        raw, m = dp.raw_values(year), marks.xs(year, level="jahr")
        pos = order.index(year)
        near = [order[p] for p in (pos - 1, pos + 1) if 0 <= p < len(order)]
        for ind in m.columns:
            for gid in m.index[(m[ind] != SHOWN) & raw[ind].notna()]:
                value = float(raw.at[gid, ind])
                diffs = [value - shown.at[(gid, y), ind] for y in near]
                diffs = tuple(float(d) for d in diffs if not np.isnan(d))
                out.append((gid, ind, int(year), value, diffs + tuple(-d for d in diffs)))
    return out


def series_reference(dp, values: pd.DataFrame, indicator: str, ids, year: int) -> float:
    """Reference value of ``indicator`` over ``ids`` in ``year`` from the series-masked ``values``
    (indexed (``gebiet_id``, ``jahr``), or by ``gebiet_id`` for that year alone)."""
    ind = dp.catalogue[indicator]
    if ind.from_counts:
        return reference_value(dp, indicator, ids, year)[0]
    if isinstance(values.index, pd.MultiIndex):
        values = values.xs(year, level="jahr")
    v = values.loc[list(ids), indicator]
    rows = dp.rows(year).loc[list(ids)]
    w = rows[ind.weight].astype(float) if ind.weight else pd.Series(1.0, index=rows.index)
    ok = v.notna() & w.notna() & (w > 0)
    return float(np.average(v[ok], weights=w[ok])) if ok.any() else np.nan


def series_table(dp, zr: Zeitreihe | None = None, indicators=None, ids=None) -> pd.DataFrame:
    """``tabellen/zeitreihe.csv`` (module docstring) for the areas ``ids`` (default: the shown areas)."""
    zr = read_zeitreihe(dp) if zr is None else zr
    indicators = list(dp.catalogue) if indicators is None else list(indicators)
    ids = dp.shown_ids if ids is None else list(ids)
    marks = series_marks(dp, zr, indicators)
    values = series_values(dp, zr, marks)
    level = top_level(dp)
    parent = dp.areas[level] if level else pd.Series("", index=dp.areas.index)
    breaks = detect_breaks(dp, zr)
    broken = {(r.indikator, r.bis_jahr) for r in breaks.itertuples() if r.bruch}
    years = dp.years()
    out = []
    for pos, year in enumerate(years):
        rows = dp.rows(year)
        base = pd.DataFrame({GEBIET_ID: ids, "jahr": year, "datenstand": zr.datenstand(year)})
        base["gebietsstand"] = zr.source_stand(year)
        carried = zr.source_stand(year) != zr.gebietsstand
        interp = rows["interpoliert"].astype(str).eq("True") if "interpoliert" in rows else pd.Series(False, rows.index)
        base["interpoliert"] = interp.reindex(ids).fillna(False).to_numpy() & carried
        base["herkunft"] = np.where(not carried, "original", np.where(base["interpoliert"], "übertragen (interpoliert)",
                                                                  "übertragen (gleicher Umriss)"))
        base["abdeckung"] = rows["abdeckung"].reindex(ids).to_numpy() if "abdeckung" in rows else 1.0
        base["einwohner"] = dp.population(year).reindex(ids).to_numpy()
        here = values.xs(year, level="jahr")
        kommune = {i: series_reference(dp, here, i, dp.reference_ids, year) for i in indicators}
        groups = {g: list(parent.index[parent == g]) for g in parent.reindex(ids).unique()}
        by_parent = {(i, g): series_reference(dp, here, i, m, year) for i in indicators for g, m in groups.items()}
        prev = years[pos - 1] if pos else None
        for ind in indicators:
            part = base.copy()
            part["indikator"] = ind
            part["wert"] = here.loc[ids, ind].to_numpy()
            part["zeichen"] = marks.xs(year, level="jahr").loc[ids, ind].to_numpy()
            before = values.xs(prev, level="jahr").loc[ids, ind].to_numpy() if prev else np.nan
            part["bruch"] = (ind, year) in broken
            part["veraenderung"] = np.nan if part["bruch"].iat[0] else part["wert"] - before
            part["bezugswert_kommune"] = kommune[ind]
            part["bezug_id"] = parent.reindex(ids).to_numpy()
            part["bezugswert_bezug"] = [by_parent[ind, g] for g in part["bezug_id"]]
            out.append(part)
    table = pd.concat(out, ignore_index=True)[COLUMNS]
    table.attrs["bezug_ebene"] = level
    return table.sort_values([GEBIET_ID, "indikator", "jahr"]).reset_index(drop=True)
