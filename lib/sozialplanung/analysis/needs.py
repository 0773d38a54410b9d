"""What the chosen analyses need, checked by ``validate`` so that a render never fails on it; and
:func:`findings`, the complete findings table that ``validate`` prints.

One finding per analysis of ``analyses.run`` (:meth:`Params.analyses_run`): ``Fehler`` with every
unmet requirement, else ``ok``. The requirements are those the estimators enforce, on the same
data the analyses get (:mod:`sozialplanung.analysis.pipeline`: assessed areas of the Bezugsgesamtheit, values
after the Datenschutz rules):

- Faktorenanalyse: at least :data:`FACTOR_MIN_INDICATORS` indicators, numeric, none constant, more
  complete areas than indicators, ``n_factors`` below the number of indicators (``pa``) or within
  the Ledermann bound (``ml``), the ``marker`` among the indicators — checked with
  :func:`sozialplanung.analysis.factor.prepare_indicators`, the function the factor analysis calls;
- Clusteranalyse: ``k`` ≥ :data:`CLUSTER_MIN_K` and below the number of areas with factor scores;
- räumliche Statistik: at least :data:`SPATIAL_MIN_AREAS` areas with a value and a neighbour, the
  indicator not constant;
- Sozialindex: population figures where the recipe weights by residents.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sozialplanung.data import checks
from sozialplanung.errors import SozialplanungError
from sozialplanung.indicators import totals

FACTOR_MIN_INDICATORS = 3
"""As :meth:`sozialplanung.analysis.factor.FactorAnalysis.fit` (``prepare_indicators(min_columns=3)``)."""
CLUSTER_MIN_K = 2
"""As :class:`sozialplanung.analysis.cluster.ClusterTypology` (``k ≥ 2``, and ``k`` below the number of areas)."""
SPATIAL_MIN_AREAS = 3
"""As :meth:`sozialplanung.analysis.spatial.SpatialAutocorrelation.fit` (three areas with a neighbour)."""
NAMES = {"sozialindex": "Sozialindex", "faktorenanalyse": "Faktorenanalyse", "clusteranalyse": "Clusteranalyse",
         "raeumliche_statistik": "Räumliche Statistik"}


def findings(dp) -> pd.DataFrame:
    """All checks after loading, one row each (columns :data:`sozialplanung.data.checks.COLUMNS`).

    The data stage's rules (:func:`sozialplanung.data.checks.data_rules`), the comparison with the
    published totals (:func:`sozialplanung.indicators.totals.cross_check`), the missing values and
    what the chosen analyses need (:func:`check`). Details never show a data value, so the table may
    be published.
    """
    rows = checks.Findings()
    checks.data_rules(dp, rows.add)
    totals.cross_check(dp, rows.add)
    checks.missing_values(dp, rows.add)
    check(dp, rows.add)
    return rows.frame()


def check(dp, add) -> None:
    """Add one finding per chosen analysis (see the module docstring)."""
    rules = {"sozialindex": _sozialindex, "faktorenanalyse": _factor, "clusteranalyse": _cluster,
             "raeumliche_statistik": _spatial}
    for name in dp.params.analyses_run():
        problems, detail = rules[name](dp)
        add(f"Voraussetzungen: {NAMES[name]}", "Fehler" if problems else "ok",
            "; ".join(problems) + ". Die Analyse würde beim Rendern scheitern: die Daten ergänzen oder die Analyse "
            "aus analyses.run streichen" if problems else detail, dp.params.path, _field(name))


def _field(name: str) -> str:
    return {"sozialindex": "recipe", "faktorenanalyse": "analyses.factor", "clusteranalyse": "analyses.cluster",
            "raeumliche_statistik": "analyses.spatial"}[name]


def _complete(dp):
    """The factor analysis' indicators and the areas it would use (complete values), or the problem."""
    from sozialplanung.analysis.factor import factor_indicators, prepare_indicators

    chosen = factor_indicators(dp)
    values = dp.values().loc[dp.assessed_ids(dp.reference_ids), chosen]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return chosen, prepare_indicators(values, min_columns=FACTOR_MIN_INDICATORS)[0], None
        except SozialplanungError as exc:
            return chosen, None, exc.message.rstrip(".")


def _factor(dp):
    from sozialplanung.analysis.factor import _ledermann_bound

    spec = dp.params.analyses.factor
    chosen, values, problem = _complete(dp)
    problems = [f"Faktorenanalyse: {problem}"] if problem else []
    p = len(chosen)
    if values is not None and len(values) <= p:
        problems.append(f"nur {len(values)} Gebiete mit allen Werten für {p} Indikatoren (es werden deutlich mehr "
                        "Gebiete als Indikatoren gebraucht)")
    bound = p - 1 if spec.method == "pa" else _ledermann_bound(p)
    if spec.n_factors is not None and spec.n_factors > bound:
        problems.append(f"mit {p} Indikatoren lassen sich höchstens {bound} Faktoren schätzen, verlangt: "
                        f"{spec.n_factors} (analyses.factor.n_factors)")
    if spec.marker and spec.marker not in chosen:
        problems.append(f"der Marker-Indikator „{spec.marker}“ gehört nicht zu den Indikatoren der Faktorenanalyse")
    n = len(values) if values is not None else 0
    return problems, f"{p} Indikatoren (mindestens {FACTOR_MIN_INDICATORS}), {n} Gebiete mit allen Werten"


def _cluster(dp):
    k = dp.params.analyses.cluster.k
    _, values, problem = _complete(dp)
    if problem:
        return [f"die Clusteranalyse braucht die Faktorwerte, die Faktorenanalyse aber: {problem}"], ""
    n = len(values)
    problems = []
    if n <= CLUSTER_MIN_K:
        problems.append(f"nur {n} Gebiete mit Faktorwerten, für {CLUSTER_MIN_K} Typen werden mehr gebraucht")
    elif k is not None and k >= n:
        problems.append(f"k = {k} Typen, aber nur {n} Gebiete mit Faktorwerten (analyses.cluster.k)")
    return problems, f"{n} Gebiete mit Faktorwerten" + (f", k = {k}" if k else "")


def _spatial(dp):
    indicator = dp.params.analyses.spatial.indicator or next(iter(dp.catalogue))
    if not dp.params.has_maps:
        return ["Nachbarschaften brauchen Gebietsgrenzen: ohne Geodatei (areas.file) keine räumliche Statistik; "
                "areas.file angeben oder „raeumliche_statistik“ aus analyses.run streichen"], ""
    ids = dp.assessed_ids(dp.reference_ids)
    values = dp.values().loc[ids, indicator].dropna()
    if len(values) < SPATIAL_MIN_AREAS:
        return [f"nur {len(values)} Gebiete mit einem Wert für „{indicator}“, gebraucht werden mindestens "
                f"{SPATIAL_MIN_AREAS}"], ""
    frame = dp.areas.loc[values.index, ["geometry"]]
    islands = _isolates(frame)
    linked = [i for i in values.index if i not in islands]
    problems = []
    if len(linked) < SPATIAL_MIN_AREAS:
        problems.append(f"nur {len(linked)} Gebiete mit Wert für „{indicator}“ haben Nachbarn, gebraucht werden "
                        f"mindestens {SPATIAL_MIN_AREAS} mit gemeinsamen Grenzen")
    elif np.ptp(values.loc[linked].to_numpy(dtype=float)) == 0:
        problems.append(f"„{indicator}“ hat in allen Gebieten denselben Wert")
    return problems, f"„{indicator}“: {len(linked)} Gebiete mit Wert und Nachbarn" + \
        (f" ({len(islands)} ohne Nachbarn)" if islands else "")


def _isolates(frame) -> set[str]:
    """Areas that share no boundary point with another (queen contiguity, as libpysal's
    ``Graph.build_contiguity(rook=False)``; computed with the spatial index of geopandas, so that
    ``validate`` does not load libpysal)."""
    left, right = frame.sindex.query(frame.geometry, predicate="intersects")
    linked = {frame.index[i] for i, j in zip(left, right) if i != j}
    return {str(i) for i in frame.index if i not in linked}


def _spec_weighted(spec) -> bool:
    return spec is not None and spec.population_weights


def _sozialindex(dp):
    from sozialplanung.analysis.sozialindex import recipe

    parts = recipe(dp).parts()
    weighted = any(_spec_weighted(p.standardization) or _spec_weighted(p.restandardization) for p in parts.values())
    if weighted and not dp.params.data.population:
        return ["das Rezept standardisiert nach Einwohnern gewichtet, data.population nennt aber keine "
                "Einwohnerspalte"], ""
    return [], f"Rezept „{dp.params.recipe}“: {', '.join(parts)}"
