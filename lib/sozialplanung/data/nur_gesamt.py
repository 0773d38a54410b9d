"""``nur_gesamt: [ids]``: parent areas whose sub-areas are shown only as the parent's total.

A Gemeinde (or a Verbandsgemeinde for all of its Gemeinden) may ask not to be shown on its own. Each
listed parent area (e.g. the Verbandsgemeinde Speicher, ``072325007``) replaces its members in the
areas and in the data table when the Datenpaket is loaded (:func:`merge`), before the Datenschutz
rules and before any notebook sees a value: one area with the parent's id, named "<art> <name>" of
its layer, the union of the members' outlines, and per year

- counts (numerators, denominators, the population column) summed exactly – missing where a member
  with residents has no value, so a total over part of the members is never shown as the whole;
- published rates (catalogue ``rate:``) as the weighted mean over the members with both values
  (weight: the indicator's ``weight``, else the population column) – approximate, as every
  reference value from rates.

Since the members are gone from the Datenpaket, no table, map, Steckbrief, XLSX or GeoPackage can
show them. The leak scan (:mod:`sozialplanung.publish.leaks`) checks it from the outside: no member
id may appear in any artifact, and no member's own value next to it (:func:`hidden_members`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from sozialplanung.config.catalogue import GEBIET_ID
from sozialplanung.errors import SozialplanungError


def merge(params, areas: gpd.GeoDataFrame, parents: dict, table: pd.DataFrame, catalogue):
    """``(areas, table)`` with the members of every ``params.nur_gesamt`` parent replaced by that parent."""
    if not params.nur_gesamt:
        return areas, table
    members = hidden_members(params, areas)
    merged_areas = [areas.drop(index=[m for ms in members.values() for m in ms])]
    merged_rows = [table[~table[GEBIET_ID].isin([m for ms in members.values() for m in ms])]]
    for (level, pid), ids in members.items():
        merged_areas.append(_area(areas, parents, level, pid, ids))
        merged_rows.append(_rows(params, table[table[GEBIET_ID].isin(ids)], catalogue, pid))
    out = gpd.GeoDataFrame(pd.concat(merged_areas), crs=areas.crs).sort_index()
    rows = pd.concat(merged_rows, ignore_index=True).sort_values([GEBIET_ID, "jahr"], kind="stable")
    rows.attrs = table.attrs
    return out, rows.reset_index(drop=True)


def hidden_members(params, areas: pd.DataFrame) -> dict[tuple[str, str], list[str]]:
    """``(level, parent id) → member ids`` of every ``nur_gesamt`` entry (German error for an unknown id)."""
    out: dict[tuple[str, str], list[str]] = {}
    levels = [p.level for p in params.areas.parents]
    for pid in params.nur_gesamt:
        level = next((lv for lv in levels if (areas[lv] == pid).any()), None)
        if level is None:
            raise SozialplanungError(f"„{pid}“ ist keine Kennung eines übergeordneten Gebiets.", file=params.path,
                                     field="nur_gesamt", hint=f"Erlaubt sind Kennungen der Ebenen {', '.join(levels)}.")
        ids = sorted(areas.index[areas[level] == pid])
        taken = [m for ms in out.values() for m in ms if m in ids]
        if taken:
            raise SozialplanungError(f"„{pid}“ überschneidet sich mit einem anderen Eintrag von nur_gesamt "
                                     f"(z. B. {taken[0]}).", file=params.path, field="nur_gesamt",
                                     hint="Jedes Gebiet darf nur in einer Summe aufgehen.")
        out[level, pid] = ids
    return out


def _area(areas: gpd.GeoDataFrame, parents: dict, level: str, pid: str, ids: list[str]) -> gpd.GeoDataFrame:
    """The parent as one area: its own id, "<art> <name>", the members' higher levels, their union."""
    first = areas.loc[ids[0]]
    layer = parents.get(level)
    name = pid
    if layer is not None and pid in layer.index:
        art = str(layer.at[pid, "art"]) + " " if "art" in layer.columns and pd.notna(layer.at[pid, "art"]) else ""
        name = f"{art}{layer.at[pid, 'name']}"
    row = {c: first[c] for c in areas.columns if c not in ("name", "geometry")}
    row.update(name=name, geometry=areas.loc[ids].geometry.union_all())
    return gpd.GeoDataFrame([row], index=pd.Index([pid], name=areas.index.name), geometry="geometry", crs=areas.crs)


def _rows(params, rows: pd.DataFrame, catalogue, pid: str) -> pd.DataFrame:
    """One row per year for the parent: counts summed, rates as weighted means, other columns empty."""
    pop = params.data.population
    counts = {c for i in catalogue.values() if i.from_counts for c in (i.numerator, i.denominator)} | ({pop} - {None})
    rates = {i.rate: i.weight or pop for i in catalogue.values() if not i.from_counts}
    out = []
    for year, part in rows.groupby("jahr", sort=True):
        inhabited = part[pop].astype(float) > 0 if pop else pd.Series(True, index=part.index)
        row = {c: np.nan for c in rows.columns}
        row.update({GEBIET_ID: pid, "jahr": year})
        for col in counts & set(rows.columns):
            values = part[col].astype(float)
            row[col] = np.nan if values[inhabited].isna().any() else float(values.sum(min_count=1))
        for col, weight in rates.items():
            r = part[col].astype(float)
            w = part[weight].astype(float) if weight else pd.Series(1.0, index=part.index)
            ok = r.notna() & (w > 0)
            row[col] = float(np.average(r[ok], weights=w[ok])) if ok.any() else np.nan
        out.append(row)
    return pd.DataFrame(out, columns=rows.columns).astype({c: rows[c].dtype for c in (GEBIET_ID, "jahr")})


def member_values(dp, years: list[int]):
    """``(member id, column, value, kind, indicator ids, year)`` of every own value of a member merged away
    (``kind``: ``"rate"`` per indicator, ``"count"`` per numerator column) – what the leak scan must not find."""
    rows = dp.merged_rows
    out = []
    if rows.empty:
        return out
    for _, row in rows[rows["jahr"].isin(years)].iterrows():
        for ind in dp.catalogue.values():
            if ind.from_counts:
                num, den = float(row[ind.numerator]), float(row[ind.denominator])
                if not np.isnan(num):
                    out.append((row[GEBIET_ID], ind.numerator, num, "count", frozenset([ind.id]), int(row["jahr"])))
                rate = num / den * ind.factor if den > 0 else np.nan
            else:
                rate = float(row[ind.rate])
            if not np.isnan(rate):
                out.append((row[GEBIET_ID], ind.id, rate, "rate", frozenset([ind.id]), int(row["jahr"])))
    return out
