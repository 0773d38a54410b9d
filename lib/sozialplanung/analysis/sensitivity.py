"""Sensitivity of Sozialindex classes to the choice of indicators and weights.

Two experiments on a fitted recipe part (by default the status index), both vectorised with numpy:

* **Weglassen** (leave one out): one run per indicator, with that indicator's weight set to 0.
* **Gewichte** (weight perturbation): ``n_draws`` runs in which every weight is multiplied by an
  independent factor drawn uniformly from ``[1 − perturbation, 1 + perturbation]`` (default ±20 %).

For each area the result is the share of runs in which its class differs from the class under the
recipe's own weights. The standardised indicator values and the set of rated areas stay fixed;
aggregation, re-standardisation and classification are repeated in every run, exactly as in
:class:`sozialplanung.analysis.sozialindex.SozialIndex`. The weights perturbed are the weights the index used
(``index.weights_``): the recipe's fixed weights, or for ``weighting: pca`` the principal-component weights.

A fitted :class:`~sozialplanung.analysis.sozialindex.SozialIndex` may be passed instead of a recipe ("prefit",
as ``sklearn.feature_selection.SelectFromModel(prefit=True)``): :meth:`Sensitivity.fit` then starts from it
and fits no index of its own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialplanung.errors import SozialplanungError
from sozialplanung.analysis.classify import classify_columns
from sozialplanung.analysis.sozialindex import SozialIndex, compute_scores
from sozialplanung.config.catalogue import GEBIET_ID

__all__ = ["Sensitivity"]


class Sensitivity:
    """How stable is each area's class when indicators are left out or weights change?

    Parameters
    ----------
    recipe : Recipe, str, path or fitted SozialIndex
        As for :class:`~sozialplanung.analysis.sozialindex.SozialIndex`; a fitted index is used as it is.
    part : {"status", "dynamik"}, default="status"
    n_draws : int, default=1000
        Number of weight draws.
    perturbation : float, default=0.2
        Half-width of the uniform factor on each weight (0.2 = ±20 %).
    random_state : int or None, default=0
        Seed of ``numpy.random.default_rng``; the same seed gives the same result.

    Attributes
    ----------
    index_ : SozialIndex
        The fitted index the experiments start from.
    base_classes_ : pd.Series
        Class number 1..k per rated area under the recipe's weights.
    leave_out_ : pd.DataFrame
        Rated areas × indicators: True where leaving that indicator out changes the class.
    weight_draws_ : ndarray of shape (n_indicators, n_draws)
        The drawn weights.
    share_leave_out_, share_weights_ : pd.Series
        Share of runs with a changed class per rated area.

    Examples
    --------
    >>> s = Sensitivity("mss", n_draws=1000, random_state=0).fit(daten, einwohner="EW", year=2021)  # doctest: +SKIP
    >>> s.to_frame().head()  # doctest: +SKIP
    >>> Sensitivity(fitted_index).fit()  # doctest: +SKIP
    """

    def __init__(self, recipe, *, part="status", n_draws=1000, perturbation=0.2, random_state=0):
        self.recipe = recipe
        self.part = part
        self.n_draws = n_draws
        self.perturbation = perturbation
        self.random_state = random_state

    def fit(self, frame=None, einwohner=None, year=None) -> "Sensitivity":
        """Fit the index on ``frame`` (see ``SozialIndex.fit``), or take the fitted index given as ``recipe``
        (then without ``frame``), and run both experiments."""
        if not (isinstance(self.n_draws, (int, np.integer)) and self.n_draws >= 1):
            raise SozialplanungError(f"n_draws muss eine ganze Zahl ≥ 1 sein, erhalten: {self.n_draws!r}.", field="n_draws")
        if not (0 <= self.perturbation < 1):
            raise SozialplanungError(f"perturbation muss zwischen 0 und 1 liegen, erhalten: {self.perturbation!r}.",
                                     field="perturbation")
        index = self._index(frame, einwohner, year)
        parts = index.recipe_.parts()
        if self.part not in parts:
            raise SozialplanungError(f"Das Rezept hat keinen Teil „{self.part}“.", field="part",
                                     hint="Vorhanden: " + ", ".join(parts))
        part = parts[self.part]
        specs = part.indicators_for(index.year_)
        z_frame = index.standardized_[self.part]
        z = z_frame.to_numpy()
        pop = index.rated_population_
        w0 = index.weights_[self.part]["weight"].reindex([i.id for i in specs]).to_numpy(dtype=float)
        p = len(w0)
        rule = part.classification.rule, part.classification.rule_kwargs()

        def classes(weights):
            return classify_columns(compute_scores(part, z, weights, pop), rule[0], **rule[1])

        base = classes(w0[:, None])[:, 0]
        if p > 1:
            leave = np.repeat(w0[:, None], p, axis=1)
            np.fill_diagonal(leave, 0.0)
            changed_leave = classes(leave) != base[:, None]
        else:  # leaving out the only indicator leaves no index
            changed_leave = np.full((len(base), 0), False)
        rng = np.random.default_rng(self.random_state)
        factors = rng.uniform(1 - self.perturbation, 1 + self.perturbation, size=(p, self.n_draws))
        draws = w0[:, None] * factors
        changed_w = classes(draws) != base[:, None]

        ids = z_frame.index
        self.index_ = index
        self.base_classes_ = pd.Series(base, index=ids, name="klasse")
        self.leave_out_ = pd.DataFrame(changed_leave, index=ids, columns=[i.id for i in specs][: changed_leave.shape[1]])
        self.weight_draws_ = draws
        self.share_leave_out_ = pd.Series(changed_leave.mean(axis=1) if p > 1 else np.nan, index=ids)
        self.share_weights_ = pd.Series(changed_w.mean(axis=1), index=ids)
        self._all_ids = index.status_.index
        return self

    def _index(self, frame, einwohner, year) -> SozialIndex:
        if not isinstance(self.recipe, SozialIndex):
            return SozialIndex(self.recipe).fit(frame, einwohner=einwohner, year=year)
        self.recipe.check_fitted()
        if frame is not None:
            raise SozialplanungError("Der Sensitivitätsanalyse wurde ein berechneter Sozialindex übergeben; sie "
                                     "rechnet ihn nicht mit neuen Daten nach.", field="frame",
                                     hint="Entweder Sensitivity(index).fit() oder Sensitivity(rezept).fit(daten, …).")
        return self.recipe

    def to_frame(self) -> pd.DataFrame:
        """``gebiet_id, anteil_wechsel_weglassen, anteil_wechsel_gewichte, wechsel_ohne_<id>…`` (NaN: not rated)."""
        if not hasattr(self, "share_weights_"):
            raise SozialplanungError("Die Sensitivitätsanalyse ist noch nicht berechnet.", hint="Zuerst fit(daten, …) aufrufen.")
        out = pd.DataFrame({GEBIET_ID: self._all_ids})
        out["anteil_wechsel_weglassen"] = self.share_leave_out_.reindex(self._all_ids).to_numpy()
        out["anteil_wechsel_gewichte"] = self.share_weights_.reindex(self._all_ids).to_numpy()
        for col in self.leave_out_.columns:
            out[f"wechsel_ohne_{col}"] = self.leave_out_[col].astype("boolean").reindex(self._all_ids).to_numpy()
        return out

    def __repr__(self) -> str:
        if not hasattr(self, "share_weights_"):
            return f"Sensitivity(n_draws={self.n_draws}, perturbation={self.perturbation}, random_state={self.random_state})"
        n = len(self.share_weights_)
        lines = [f"Sensitivität „{self.index_.recipe_.name}“ ({self.part}), {n} bewertete Gebiete",
                 f"  Klassenwechsel beim Weglassen eines Indikators: {int(self.leave_out_.any(axis=1).sum())} Gebiete",
                 f"  Klassenwechsel in mindestens 10 % der {self.n_draws} Gewichtsziehungen (±{self.perturbation * 100:g} %): "
                 f"{int((self.share_weights_ >= 0.1).sum())} Gebiete"]
        return "\n".join(lines)

