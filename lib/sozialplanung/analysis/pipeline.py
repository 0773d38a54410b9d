"""The analyses of a Datenpaket: each function fits one estimator over the Bezugsgesamtheit.

These are the only places where a Datenpaket meets the estimators (:mod:`sozialindex`, :mod:`factor`,
:mod:`cluster`, :mod:`spatial`); notebooks and the report call them, so both show the same numbers.
Areas that are not assessed (``dp.assessed_ids``: below ``datenschutz.min_population``) take part in no
analysis. Every result carries ``not_rated_reasons_``: a German reason per area of the
Bezugsgesamtheit it leaves out (not assessed, a missing input, excluded in the recipe), indexed by
``gebiet_id`` – so text, tables and maps can list them instead of dropping them silently.
"""

from __future__ import annotations

import pandas as pd

from sozialplanung.analysis.cluster import ClusterTypology
from sozialplanung.data.datenpaket import Datenpaket
from sozialplanung.errors import SozialplanungError
from sozialplanung.analysis.factor import FactorAnalysis, factor_indicators
from sozialplanung.analysis.sozialindex import SozialIndex, recipe
from sozialplanung.analysis.sensitivity import Sensitivity
from sozialplanung.analysis.spatial import SpatialAutocorrelation


def left_out(dp: Datenpaket, used, inputs: list[str]) -> pd.Series:
    """German reason per area of the Bezugsgesamtheit not in ``used``: not assessed, or the missing inputs."""
    rest = [i for i in dp.reference_ids if i not in set(used)]
    reasons = dp.not_assessed_reasons(rest).to_dict()
    values = dp.values().loc[rest, inputs].isna()
    withheld = dp.withheld().loc[rest, inputs]
    for gid in (g for g in rest if g not in reasons):
        gone = [f"{i} (geheim gehalten)" if withheld.at[gid, i] else i for i in inputs if values.at[gid, i]]
        reasons[gid] = f"fehlender Wert: {', '.join(gone)}" if gone else "ausgeschlossen"
    return pd.Series([reasons[g] for g in rest], index=pd.Index(rest, name="gebiet_id"), dtype=object, name="grund")


def sozialindex(dp: Datenpaket) -> SozialIndex:
    """The Sozialindex of the params' recipe, computed over the Bezugsgesamtheit."""
    ids = dp.reference_ids
    return SozialIndex(recipe(dp)).fit(dp.values().loc[ids], einwohner=dp.population().loc[ids], year=dp.year,
                                       excluded=dp.not_assessed_reasons(ids))


def sensitivity(dp: Datenpaket, n_draws: int = 1000, index: SozialIndex | None = None) -> Sensitivity:
    """How stable each area's status class is (leave one indicator out; weights ±20 %), starting from the
    fitted ``index`` (else the report's index, fitted here)."""
    return Sensitivity(index or sozialindex(dp), n_draws=n_draws, random_state=dp.params.analyses.random_state).fit()


def faktorenanalyse(dp: Datenpaket) -> FactorAnalysis:
    """Exploratory factor analysis of the chosen indicators over the rated areas."""
    spec = dp.params.analyses.factor
    inputs = factor_indicators(dp)
    fa = FactorAnalysis(spec.n_factors, method=spec.method, rotation=spec.rotation, marker=spec.marker,
                        random_state=dp.params.analyses.random_state).fit(
        dp.values().loc[dp.assessed_ids(dp.reference_ids), inputs])
    fa.not_rated_reasons_ = left_out(dp, fa.scores_.index, inputs)
    return fa


def need_score(dp: Datenpaket, ids) -> pd.Series:
    """Handlungsbedarf per area: mean z-value (ddof=1) of the polarity-aligned indicators (polarity ≠ 0)."""
    cols = [i for i in factor_indicators(dp) if dp.catalogue[i].polarity != 0]
    values = dp.values().loc[list(ids), cols]
    z = (values - values.mean()) / values.std(ddof=1)
    signs = pd.Series({c: dp.catalogue[c].polarity for c in cols})
    return (z * signs).mean(axis=1).rename("handlungsbedarf")


def clusteranalyse(dp: Datenpaket, fa: FactorAnalysis | None = None,
                   index: SozialIndex | None = None) -> ClusterTypology:
    """Typology of the rated areas on the factor scores (Aachen chain): numbered by Handlungsbedarf, named
    neutrally „Typ A …“ with a profile line, lettered by the Status-Index where a recipe exists (``index``:
    an already fitted one, else fitted here)."""
    spec = dp.params.analyses.cluster
    fa = fa or faktorenanalyse(dp)
    scores = fa.scores_
    typology = ClusterTypology(spec.k, method=spec.method, n_bootstrap=spec.n_bootstrap, standardize=False,
                               random_state=dp.params.analyses.random_state).fit(
        scores, need=need_score(dp, scores.index))
    typology.not_rated_reasons_ = left_out(dp, typology.labels_.dropna().index, factor_indicators(dp))
    columns = factor_indicators(dp)  # names „Typ A: … hoch“, letters by the mean Status-Index score
    if index is None and dp.params.recipe:
        try:
            index = sozialindex(dp)
        except SozialplanungError:  # no usable index: letters follow the type numbers
            index = None
    return typology.describe(dp.values().loc[typology.labels_.index, columns],
                             {c: dp.catalogue[c].name for c in columns},
                             order_by=None if index is None else index.status_score_)


def raeumliche_statistik(dp: Datenpaket, indicator: str | None = None) -> SpatialAutocorrelation:
    """Moran's I and LISA clusters of one indicator over the Bezugsgesamtheit (neighbours within it)."""
    spec = dp.params.analyses.spatial
    indicator = indicator or spec.indicator or next(iter(dp.catalogue))
    ids = dp.assessed_ids(dp.reference_ids)
    gdf = dp.areas.loc[ids, ["geometry"]].assign(**{indicator: dp.values().loc[ids, indicator]})
    spatial = SpatialAutocorrelation(permutations=spec.permutations,
                                     random_state=dp.params.analyses.random_state).fit(gdf, indicator)
    spatial.not_rated_reasons_ = left_out(dp, [i for i in ids if i not in set(spatial.dropped_)], [indicator])
    return spatial


def for_report(dp: Datenpaket, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the shown areas (Berichtsgebiet) of a result table, indexed by ``gebiet_id``, with names."""
    frame = frame.set_index("gebiet_id") if "gebiet_id" in frame.columns else frame
    out = frame.reindex(dp.shown_ids)
    out.insert(0, "name", dp.areas.loc[dp.shown_ids, "name"])
    out.index.name = "gebiet_id"
    return out


def status_dynamik(index) -> pd.DataFrame:
    """Cross-table Status × Dynamik (the MSS 4 × 3 matrix); empty when the recipe has no Dynamik part."""
    if index.dynamik_ is None:
        return pd.DataFrame()
    parts = index.recipe_.parts()
    return crosstab(index.status_, index.dynamik_, rows=parts["status"].label, columns=parts["dynamik"].label)


def typology_crosstab(dp: Datenpaket, typology: ClusterTypology, index=None) -> pd.DataFrame | None:
    """Types against an official classification (``analyses.cluster.compare_column``) or else the
    status classes of the Sozialindex; None with neither (no compare column, no recipe)."""
    column = dp.params.analyses.cluster.compare_column
    if column:
        if column not in dp.table.columns:
            raise SozialplanungError(f"Die Vergleichsspalte „{column}“ fehlt in der Datentabelle.",
                                     file=dp.params.data.file, field="analyses.cluster.compare_column")
        other = dp.rows()[column].rename(column)
        if pd.api.types.is_float_dtype(other) and (other.dropna() % 1 == 0).all():
            other = other.astype("Int64")
    elif index is None and not dp.params.recipe:
        return None
    else:
        other = (index or sozialindex(dp)).status_.rename("Status")
    return crosstab(typology.labels_, other, rows="Typ", columns=other.name)


def crosstab(a: pd.Series, b: pd.Series, *, rows: str, columns: str) -> pd.DataFrame:
    """Cross-table of two classifications of the same areas (with totals)."""
    both = pd.concat([a.rename(rows), b.rename(columns)], axis=1, join="inner").dropna()
    return pd.crosstab(both[rows], both[columns], margins=True, margins_name="Summe")


def loadings_table(fa: FactorAnalysis) -> pd.DataFrame:
    """Loadings with communalities, one row per indicator (``indikator`` first)."""
    out = fa.loadings_.assign(kommunalitaet=fa.communalities_)
    out.index.name = "indikator"
    return out
