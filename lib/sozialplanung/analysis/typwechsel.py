"""Typwechsel: the report year's typology applied to the previous edition's values.

The Gebietstypen of the report year (:func:`sozialplanung.analysis.pipeline.clusteranalyse`: factor scores of
:func:`~sozialplanung.analysis.factor.factor_indicators`, clustered) exist for that year only. To compare
editions, the whole typology of the report year is kept fixed and applied to the values of the earlier year
(:func:`types_in`):

1. the values ``dp.values(then)`` of the factor indicators of the areas assessed in that year
   (``dp.assessed_ids(year=then)``; withheld values are NaN there);
2. factor scores with the report year's standardisation and score weights
   (:meth:`FactorAnalysis.transform <sozialplanung.analysis.factor.FactorAnalysis.transform>`);
3. the type of the nearest type centre of the report year
   (:meth:`ClusterTypology.predict <sozialplanung.analysis.cluster.ClusterTypology.predict>`,
   nearest-centroid classification as in the k-means assignment step).

An area with any withheld or missing value in ``then`` gets no type („nicht zugeordnet“), never a guessed one.

:func:`transition_matrix` is ``tabellen/typwechsel.csv``: rows type then, columns type now (the typology of the
report year), counts, with „nicht zugeordnet“ where needed and „Summe“. :func:`agreement` is the noise floor:
nearest-centre assignment applied to the report year's own values does not put every area back into its Ward
type, so part of the changes in the matrix come from the assignment rule, not from the areas.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sozialplanung.analysis.factor import factor_indicators
from sozialplanung.config.catalogue import GEBIET_ID

__all__ = ["NOT_ASSIGNED", "Typwechsel", "types_in", "agreement", "transition_matrix", "typwechsel"]

NOT_ASSIGNED = "nicht zugeordnet"


def types_in(dp, fa, typology, year: int) -> pd.Series:
    """Type number (nearest centre of the report year's typology) of every area assessed in ``year`` among the
    areas of the Bezugsgesamtheit, from that year's values; ``<NA>`` where a value is withheld or missing."""
    ids = dp.assessed_ids(dp.reference_ids, year=year)
    values = dp.values(year).loc[ids, factor_indicators(dp)]
    return typology.predict(fa.transform(values)).reindex(dp.reference_ids).rename("typ")


def agreement(dp, fa, typology, ids=None) -> tuple[int, int]:
    """``(n, same)``: of the ``n`` typed areas of the report year (among ``ids``, default all typed areas), how
    many nearest-centre assignment of their own report-year values puts back into their own type (noise floor)."""
    own = typology.labels_ if ids is None else typology.labels_.reindex(ids).dropna()
    again = types_in(dp, fa, typology, dp.year).reindex(own.index)
    return len(own), int((again == own.astype("Int64")).sum())


def transition_matrix(then: pd.Series, now: pd.Series, names: dict, ids, years: tuple[int, int]) -> pd.DataFrame:
    """Counts of the areas ``ids`` by type in the earlier year (rows, ``typ_<then>``) and in the report year
    (columns), labelled with the neutral ``names`` in their order, „nicht zugeordnet“ where needed, „Summe“ row
    and column."""
    def label(types):
        return pd.Series(types).reindex(ids).map(names).fillna(NOT_ASSIGNED)

    a, b = label(then), label(now)
    order = [*names.values(), NOT_ASSIGNED]
    m = pd.crosstab(a, b).reindex(index=order, columns=order, fill_value=0)
    keep_rows = [r for r in order if r != NOT_ASSIGNED or m.loc[r].sum() > 0]
    keep_cols = [c for c in order if c != NOT_ASSIGNED or m[c].sum() > 0]
    m = m.loc[keep_rows, keep_cols]
    m["Summe"] = m.sum(axis=1)
    m.loc["Summe"] = m.sum(axis=0)
    m.index.name, m.columns.name = f"typ_{years[0]}", f"typ_{years[1]}"
    return m.reset_index()


@dataclass
class Typwechsel:
    """The types of two editions on the areas ``ids`` (the Berichtsgebiet) and the noise floor."""

    then: int
    now: int
    types_then: pd.Series
    types_now: pd.Series
    names: dict
    ids: list
    n_agreement: int
    same_agreement: int

    @property
    def assigned(self) -> int:
        """Areas of ``ids`` with a type in the earlier year."""
        return int(self.types_then.reindex(self.ids).notna().sum())

    @property
    def both(self) -> pd.Index:
        both = self.types_then.reindex(self.ids).notna() & self.types_now.reindex(self.ids).notna()
        return both.index[both]

    @property
    def changed(self) -> int:
        """Areas of ``ids`` with a type in both years and a different one now."""
        b = self.both
        return int((self.types_then[b].astype(int) != self.types_now[b].astype(int)).sum())

    def matrix(self) -> pd.DataFrame:
        return transition_matrix(self.types_then, self.types_now, self.names, self.ids, (self.then, self.now))


def typwechsel(dp, fa, typology, then: int | None = None) -> Typwechsel:
    """The Typwechsel between ``then`` (default: the year before the report year in the data) and the report year,
    on the shown areas (module docstring)."""
    years = [y for y in dp.years() if y < dp.year]
    then = years[-1] if then is None else then
    ids = list(dp.shown_ids)
    now = typology.labels_.astype("Int64").rename_axis(GEBIET_ID)
    n, same = agreement(dp, fa, typology, ids)
    return Typwechsel(then, dp.year, types_in(dp, fa, typology, then), now, dict(typology.names_), ids, n, same)
