"""Aggregation up a hierarchy of areas: exact sums of counts, weighted means of rates (approximate).

Levels may be any number deep (Land → Kreis → Gemeindeverband → Gemeinde → Sozialraum). Each step
upwards is given as an id prefix (``AGS[:5]`` is the Kreis), a parent column of the geometry or a key
table (both as a mapping child id → parent id); :func:`ancestors` turns the steps into one table of
ancestor ids per base area, and :func:`aggregate` sums every level directly from the base areas.

Missing values are never dropped silently: a parent's sum is the sum of its **known** members, and
``<column>_missing`` counts the members without a value, so a total with a withheld member is
recognisable (``_missing > 0``) instead of a silently lower number. Rates given as published rates
(not as counts) can only be averaged, weighted by a count column: that mean is approximate
(``<rate>_approximate``), except where a parent has a single member.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sozialplanung.errors import SozialplanungError

Step = tuple[str, int | Mapping | pd.Series]


def ancestors(ids: Sequence[str], steps: Sequence[Step]) -> pd.DataFrame:
    """Ancestor ids of each base area, one column per level, from the lowest parent level upwards.

    Parameters
    ----------
    ids : sequence of str
        The base areas (e.g. Gemeinden or Sozialräume).
    steps : sequence of ``(level, how)``
        From the lowest parent level to the highest. ``how`` gives each unit of the previous level
        (the base areas for the first step) its parent: an ``int`` n takes the first n characters of
        its id (id prefix), a mapping or Series maps its id to the parent id (a parent column of
        the geometry or a key table).

    Returns
    -------
    DataFrame
        Indexed by the base ids (``gebiet_id``), one text column per level.

    Raises
    ------
    SozialplanungError
        If a unit has no parent on some level (it would silently be left out of every total).

    Examples
    --------
    >>> tree = ancestors(["07232001", "07232002"], [("Gemeindeverband", {"07232001": "072325001",
    ...     "07232002": "072325001"}), ("Kreis", 5), ("Land", 2)])
    >>> tree.loc["07232002"].to_dict()
    {'Gemeindeverband': '072325001', 'Kreis': '07232', 'Land': '07'}
    """
    current = pd.Series(list(ids), index=pd.Index(list(ids), name="gebiet_id"), dtype=object)
    out = pd.DataFrame(index=current.index)
    for level, how in steps:
        if isinstance(how, (int, np.integer)):
            parent = current.str[: int(how)]
        else:
            parent = current.map(pd.Series(how, dtype=object) if isinstance(how, Mapping) else how.astype(object))
        orphans = current[parent.isna()].drop_duplicates()
        if len(orphans):
            raise SozialplanungError(
                f"{len(orphans)} Einheit(en) ohne übergeordnete Einheit der Ebene {level}, z. B. „{orphans.iloc[0]}“.",
                field=level, hint="Jede Einheit braucht eine übergeordnete Einheit, sonst fehlt sie in allen Summen.")
        out[level] = current = parent.astype(object)
    return out


def sum_counts(table: pd.DataFrame, parent: pd.Series, columns: Sequence[str],
               by: Sequence[str] = ()) -> pd.DataFrame:
    """Exact sums of count columns per parent: the sum of known members and how many are missing.

    Parameters
    ----------
    table : DataFrame
        One row per member (and per value of ``by``), indexed by the member id.
    parent : Series
        Member id → parent id.
    columns : sequence of str
        Count columns to sum.
    by : sequence of str
        Further grouping columns of ``table``, e.g. ``["jahr"]``.

    Returns
    -------
    DataFrame
        Indexed by the parent id (and ``by``): ``members`` (rows summed), per column the sum of
        the known values (NaN if none is known) and ``<column>_missing`` (members without a value).

    Examples
    --------
    >>> t = pd.DataFrame({"arbeitslose": [4, None, 10]}, index=["a1", "a2", "b1"])
    >>> sums = sum_counts(t, pd.Series({"a1": "A", "a2": "A", "b1": "B"}), ["arbeitslose"])
    >>> sums.loc["A"].to_dict()
    {'members': 2.0, 'arbeitslose': 4.0, 'arbeitslose_missing': 1.0}
    """
    grouped = _grouped(table, parent, by)
    out = pd.DataFrame({"members": grouped.size()})
    for col in columns:
        values = grouped[col]
        out[col] = values.sum(min_count=1).astype(float)
        out[f"{col}_missing"] = (grouped.size() - values.count()).astype(int)
    return out


def weighted_rates(table: pd.DataFrame, parent: pd.Series, rates: Mapping[str, str],
                   by: Sequence[str] = ()) -> pd.DataFrame:
    """Weighted means of published rates per parent (approximate), with the missing members counted.

    Parameters
    ----------
    table, parent, by
        As in :func:`sum_counts`.
    rates : mapping
        Rate column → weight column (a count, e.g. residents).

    Returns
    -------
    DataFrame
        Per rate: ``Σ rate·weight / Σ weight`` over the members with both values and a positive
        weight (NaN if none), ``<rate>_missing`` (members left out) and ``<rate>_approximate``
        (False only where a single member makes up the parent: then the value is that member's).

    Examples
    --------
    >>> t = pd.DataFrame({"steuer": [300.0, 600.0, None], "ew": [100, 200, 50]}, index=["a", "b", "c"])
    >>> weighted_rates(t, pd.Series({"a": "K", "b": "K", "c": "K"}), {"steuer": "ew"}).loc["K"].to_dict()
    {'steuer': 500.0, 'steuer_missing': 1, 'steuer_approximate': True}
    """
    grouped = _grouped(table, parent, by)
    out = pd.DataFrame(index=grouped.size().index)
    for rate, weight in rates.items():
        r, w = table[rate].to_numpy(dtype=float, na_value=np.nan), table[weight].to_numpy(dtype=float, na_value=np.nan)
        ok = ~np.isnan(r) & (w > 0)
        frame = table[list(by)].assign(_rw=np.where(ok, r * w, np.nan), _w=np.where(ok, w, np.nan), _ok=ok)
        sums = _grouped(frame, parent, by)
        out[rate] = sums["_rw"].sum(min_count=1) / sums["_w"].sum(min_count=1)
        out[f"{rate}_missing"] = (grouped.size() - sums["_ok"].sum()).astype(int)
        out[f"{rate}_approximate"] = grouped.size() > 1
    return out


def aggregate(table: pd.DataFrame, tree: pd.DataFrame, counts: Sequence[str] = (),
              rates: Mapping[str, str] | None = None, by: Sequence[str] = ()) -> dict[str, pd.DataFrame]:
    """Counts and rates of the base areas for every level of ``tree``, each summed from the base areas.

    Parameters
    ----------
    table : DataFrame
        Base areas, indexed by their id (several rows per id with ``by``, e.g. one per year).
    tree : DataFrame
        From :func:`ancestors`: one column of ancestor ids per level.
    counts, rates, by
        As in :func:`sum_counts` and :func:`weighted_rates`.

    Returns
    -------
    dict
        Level → DataFrame indexed by the level's ids (and ``by``), columns of :func:`sum_counts`
        followed by those of :func:`weighted_rates`.

    Examples
    --------
    >>> tree = ancestors(["0100101", "0100102", "0100201"], [("Kreis", 5), ("Land", 2)])
    >>> t = pd.DataFrame({"n": [1, 2, 3]}, index=tree.index)
    >>> aggregate(t, tree, counts=["n"])["Kreis"].to_dict("index")
    {'01001': {'members': 2, 'n': 3.0, 'n_missing': 0}, '01002': {'members': 1, 'n': 3.0, 'n_missing': 0}}
    """
    missing = sorted(set(table.index) - set(tree.index))
    if missing:
        raise SozialplanungError(f"{len(missing)} Gebiet(e) der Tabelle fehlen in der Gebietshierarchie, "
                                 f"z. B. „{missing[0]}“.", field="gebiet_id")
    out = {}
    for level in tree.columns:
        parts = [sum_counts(table, tree[level], counts, by)]
        if rates:
            parts.append(weighted_rates(table, tree[level], rates, by))
        out[level] = pd.concat(parts, axis=1)
    return out


def rate_from_counts(sums: pd.DataFrame, numerator: str, denominator: str, factor: float = 100.0) -> pd.Series:
    """``numerator / denominator · factor`` of summed counts: exact where neither sum has a missing member,
    NaN where one has (a rate over part of the members would not be the parent's rate).

    Examples
    --------
    >>> s = pd.DataFrame({"a": [5.0, 4.0], "a_missing": [0, 1], "e": [100.0, 80.0], "e_missing": [0, 0]})
    >>> rate_from_counts(s, "a", "e").tolist()
    [5.0, nan]
    """
    complete = (sums[f"{numerator}_missing"] == 0) & (sums[f"{denominator}_missing"] == 0)
    den = sums[denominator].where(sums[denominator] > 0)
    return (sums[numerator] / den * factor).where(complete)


def _grouped(table: pd.DataFrame, parent: pd.Series, by: Sequence[str]):
    """``table`` grouped by the parent id of each row's member (and ``by``)."""
    keys = table.index.map(parent)
    if keys.isna().any():
        raise SozialplanungError(f"Das Gebiet „{table.index[keys.isna()][0]}“ hat keine übergeordnete Einheit.",
                                 field="gebiet_id")
    return table.set_axis(pd.Index(keys, name="gebiet_id")).groupby(["gebiet_id", *by], sort=True)
