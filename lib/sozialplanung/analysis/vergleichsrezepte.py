"""Further index recipes beside the report's own (``vergleichsrezepte`` in the params) and how far they agree.

:func:`fit` computes each comparison recipe over the same areas as the report's index (the Bezugsgesamtheit,
the same areas not assessed) and reads the published scores a comparison names (e.g. the RKI's GISD Kreis
scores). :func:`agreement` measures agreement of two scores over the areas both rate:

* Spearman's rank correlation ρ (:func:`scipy.stats.spearmanr`);
* quintile agreement: each score is cut into ``k`` classes of (almost) equal size by rank (ties broken by
  order, as ``pandas.qcut`` on ``rank(method="first")``); the share of areas in the same class and the share at
  most one class apart – the measures the RKI uses to compare GISD releases (Michalski et al. 2022, J Health
  Monit 7(S5), doi:10.25646/10640).

Higher scores mean more disadvantage in every recipe and published file compared here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sozialplanung.analysis.sozialindex import SozialIndex
from sozialplanung.config.catalogue import GEBIET_ID
from sozialplanung.config.recipes import read_recipe
from sozialplanung.errors import SozialplanungError

__all__ = ["Vergleichsrezepte", "agreement", "fit", "quantile_classes"]


def quantile_classes(scores: pd.Series, k: int = 5) -> pd.Series:
    """Class 1..k by rank (1 = lowest scores), ``k`` classes of (almost) equal size; NaN stays NaN."""
    s = scores.dropna()
    classes = pd.qcut(s.rank(method="first"), k, labels=False) + 1
    return classes.reindex(scores.index).astype("Int64")


def agreement(a: pd.Series, b: pd.Series, k: int = 5) -> dict:
    """``{"n", "spearman", "gleiche_klasse", "hoechstens_eine"}`` of two scores over the areas both have."""
    from scipy.stats import spearmanr

    both = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
    if len(both) < max(3, k):
        raise SozialplanungError(f"Nur {len(both)} Gebiete haben beide Werte; für einen Vergleich zu wenige.")
    qa, qb = quantile_classes(both["a"], k).to_numpy(int), quantile_classes(both["b"], k).to_numpy(int)
    return {"n": len(both), "spearman": float(spearmanr(both["a"], both["b"]).statistic),
            "gleiche_klasse": float((qa == qb).mean()), "hoechstens_eine": float((np.abs(qa - qb) <= 1).mean())}


@dataclass
class Vergleichsrezepte:
    """The fitted comparison recipes of one report.

    Attributes
    ----------
    indices : dict of name → SozialIndex
        Each comparison recipe, fitted over the areas of the report's index.
    published : dict of name → (label, pd.Series)
        Published scores per comparison that names them (``gebiet_id`` → score).
    agreement : pd.DataFrame
        One row per pair compared (``a``, ``b``, ``n``, ``spearman``, ``gleiche_klasse``, ``hoechstens_eine``):
        the report's index with each recipe and each published score, and each recipe with its published scores.
    """

    indices: dict[str, SozialIndex] = field(default_factory=dict)
    published: dict[str, tuple[str, pd.Series]] = field(default_factory=dict)
    agreement: pd.DataFrame = field(default_factory=pd.DataFrame)

    def extend(self, table: pd.DataFrame) -> pd.DataFrame:
        """``index.to_frame()`` with ``<name>_score`` and ``<name>_klasse`` of every comparison recipe added."""
        out = table.copy()
        for name, index in self.indices.items():
            ids = out[GEBIET_ID].astype(str)
            out[f"{name}_score"] = index.status_score_.reindex(ids).to_numpy()
            out[f"{name}_klasse"] = index.status_.reindex(ids).array
        return out


def _published(dp, spec) -> pd.Series:
    path = dp.params.resolve(spec.file)
    frame = pd.read_csv(path, dtype={spec.id: str})
    for column in (spec.id, spec.score):
        if column not in frame.columns:
            raise SozialplanungError(f"Spalte „{column}“ fehlt in „{spec.file}“.", file=str(path), field=column,
                                     hint="Vorhanden: " + ", ".join(map(str, frame.columns)))
    if frame[spec.id].duplicated().any():
        raise SozialplanungError(f"Kennung „{frame[spec.id][frame[spec.id].duplicated()].iloc[0]}“ kommt in "
                                 f"„{spec.file}“ mehrfach vor.", file=str(path), field=spec.id)
    return pd.to_numeric(frame.set_index(spec.id)[spec.score], errors="coerce").rename(spec.label)


def fit(dp, index: SozialIndex, k: int = 5) -> Vergleichsrezepte:
    """Fit every recipe of ``dp.params.vergleichsrezepte`` over the areas of ``index`` and compare."""
    ids = list(index.status_.index)
    out, rows = Vergleichsrezepte(), []
    own = index.status_score_
    for spec in dp.params.vergleichsrezepte:
        name = spec.name
        if name in out.indices or name == index.recipe_.name:
            raise SozialplanungError(f"Das Rezept „{name}“ steht mehrfach im Bericht.", file=dp.params.path,
                                     field="vergleichsrezepte")
        fitted = SozialIndex(read_recipe(dp.params.resolve(spec.recipe))).fit(
            dp.values().loc[ids], einwohner=dp.population().loc[ids], year=dp.year,
            excluded=dp.not_assessed_reasons(ids))
        out.indices[name] = fitted
        rows.append({"a": index.recipe_.name, "b": name, **agreement(own, fitted.status_score_, k)})
        if spec.published is not None:
            published = _published(dp, spec.published)
            out.published[name] = (spec.published.label, published)
            rows.append({"a": index.recipe_.name, "b": spec.published.label, **agreement(own, published, k)})
            rows.append({"a": name, "b": spec.published.label, **agreement(fitted.status_score_, published, k)})
    out.agreement = pd.DataFrame(rows, columns=["a", "b", "n", "spearman", "gleiche_klasse", "hoechstens_eine"])
    return out
