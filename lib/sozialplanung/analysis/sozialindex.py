"""The Sozialindex after a recipe (:class:`SozialIndex`, scikit-learn style): standardise, aggregate, classify.

The recipe (:mod:`sozialplanung.config.recipes`) names every step; the steps are looked up in
:data:`sozialplanung.analysis.standardize.METHODS` and :data:`sozialplanung.analysis.classify.RULES`.
German sentences describing a fitted index are in :mod:`sozialplanung.report.recipe_text`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialplanung.analysis.classify import RULES, Classification
from sozialplanung.analysis.standardize import METHODS
from sozialplanung.config.catalogue import GEBIET_ID
from sozialplanung.config.recipes import PartSpec, Recipe, StandardizationSpec, read_recipe
from sozialplanung.errors import SozialplanungError

__all__ = ["SCORE_DECIMALS", "SozialIndex", "classify_scores", "compute_scores", "part_weights"]

#: Scores are rounded to this many decimals before classification, so that floating-point noise
#: (order of summation, rescaled input) cannot move an area across a class boundary.
SCORE_DECIMALS = 10


def _standardize(spec: StandardizationSpec, values, population=None):
    return METHODS[spec.method](values, **spec.options(population))


def part_weights(part: PartSpec, specs, z: pd.DataFrame) -> pd.DataFrame:
    """Weight per indicator (rows: indicator ids; columns ``dimension``, ``loading``, ``weight``).

    ``weighting.method: fixed`` takes each indicator's ``weight``. ``pca`` follows the RKI's GISD
    (Michalski et al. 2022, J Health Monit 7(S5), doi:10.25646/10640; syntax ``GISD_Generate_Release.R``,
    ``prcomp(center = TRUE, scale. = TRUE, rank. = 1)`` per dimension): per dimension, the weights are the
    coefficients of the first principal component of the correlation matrix of ``z`` (proportional to the
    loadings), signed so that the loadings sum to a positive value. ``loading`` is eigenvector × √eigenvalue,
    i.e. the correlation of the indicator with the component. ``dimension_scaling: minmax`` divides each
    dimension's weights by the range of its score, which with a sum equals rescaling each dimension score
    to 0–1 (the RKI's ``rescale``) up to a constant that a following ``minmax`` re-standardisation removes.
    """
    ids = [i.id for i in specs]
    dims = pd.Series([i.dimension or "" for i in specs], index=ids)
    out = pd.DataFrame({"dimension": dims, "loading": np.nan, "weight": [float(i.weight) for i in specs]}, index=ids)
    for dim in dict.fromkeys(dims):
        cols = dims.index[dims == dim]
        if part.weighting.method == "pca":
            if len(cols) == 1:
                vec, load = np.ones(1), np.ones(1)
            else:
                values, vectors = np.linalg.eigh(np.corrcoef(z[cols].to_numpy(dtype=float), rowvar=False))
                vec = vectors[:, -1] * (1.0 if vectors[:, -1].sum() >= 0 else -1.0)
                load = vec * np.sqrt(values[-1])
            out.loc[cols, "loading"], out.loc[cols, "weight"] = load, vec
        if part.weighting.dimension_scaling == "minmax":
            score = z[cols].to_numpy(dtype=float) @ out.loc[cols, "weight"].to_numpy()
            spread = score.max() - score.min()
            if spread > 0:
                out.loc[cols, "weight"] = out.loc[cols, "weight"] / spread
    return out


def compute_scores(part: PartSpec, z: np.ndarray, weights: np.ndarray, population=None) -> np.ndarray:
    """Scores for r weight vectors at once: ``z`` (n × p standardised, polarity-aligned) and ``weights``
    (p × r) → n × r. Aggregation ``sum``: ``Σⱼ wⱼ zⱼ``; ``mean``: ``Σⱼ wⱼ zⱼ / Σⱼ wⱼ``; then the optional
    re-standardisation per column and rounding to :data:`SCORE_DECIMALS` decimals.
    """
    w = np.asarray(weights, dtype=float)
    s = np.zeros((z.shape[0], w.shape[1]))
    for j in range(z.shape[1]):  # fixed order over indicators: each area's sum is order-independent
        s = s + z[:, j, None] * w[j, None, :]
    if part.aggregation == "mean":
        s = s / w.sum(axis=0)
    if part.restandardization is not None:
        s = _standardize(part.restandardization, s, population)
    return np.round(s, SCORE_DECIMALS)


def classify_scores(part: PartSpec, scores: pd.Series) -> Classification:
    """Apply the part's class rule to one score column."""
    spec = part.classification
    return RULES[spec.rule](scores, **spec.rule_kwargs())


class SozialIndex:
    """Sozialindex after a recipe, in scikit-learn style.

    Parameters
    ----------
    recipe : Recipe or str or path
        A :class:`Recipe`, a recipe name (``"mss"``) or a YAML path; read in :meth:`fit`.

    Attributes
    ----------
    recipe_ : Recipe
    year_ : int or None
    indicators_ : dict of part → list of str
        Indicators used per part (``"status"``, ``"dynamik"``) in this report year.
    n_areas_ : int
        Number of areas passed to :meth:`fit` (rated or not).
    not_rated_ : pd.Index
        Areas “nicht bewertet”: not assessed by the Datenschutz rule (``excluded`` in :meth:`fit`),
        population below the recipe's ``min_population``, a missing indicator, or excluded in the recipe.
        They take no part in any standardisation (the reference are the rated areas).
    not_rated_reasons_ : pd.Series
        German reason per not-rated area.
    rated_population_ : pd.Series or None
        Residents of the rated areas (None without ``einwohner``).
    standardized_ : dict of part → pd.DataFrame
        Standardised, polarity-aligned indicator values of the rated areas.
    weights_ : dict of part → pd.DataFrame
        Weight used per indicator, with its ``dimension`` and (``weighting: pca``) ``loading``; see :func:`part_weights`.
    status_score_, dynamik_score_ : pd.Series
        Final score per area (NaN if not rated); ``dynamik_*`` is None without a dynamics part.
    status_, dynamik_ : pd.Series of Int64
        Class code per area as defined in the recipe (e.g. MSS Dynamik 1/3/5).
    classifications_ : dict of part → Classification
    breaks_ : dict of part → tuple of float
        Class boundaries for legends (closures in ``classifications_[part].belongs_to``).
    """

    def __init__(self, recipe):
        self.recipe = recipe

    def fit(self, frame: pd.DataFrame, einwohner=None, year: int | None = None,
            excluded: pd.Series | None = None) -> "SozialIndex":
        """Compute the index for the areas in ``frame`` (index or column ``gebiet_id``, one column per indicator).

        ``einwohner`` is a Series of residents per area or the name of a column in ``frame``.
        ``excluded`` gives a German reason per area that must not be rated whatever its values – the
        areas a Datenpaket does not assess (``dp.not_assessed_reasons()``). A ``Datenpaket`` may be
        passed instead of a frame: its values, population and areas not assessed of ``year`` are used.
        """
        recipe = self.recipe if isinstance(self.recipe, Recipe) else read_recipe(self.recipe)
        if not isinstance(frame, pd.DataFrame) and hasattr(frame, "population"):  # a Datenpaket
            year = frame.year if year is None else year
            einwohner = frame.population(year) if einwohner is None else einwohner
            excluded = frame.not_assessed_reasons(year=year) if excluded is None else excluded
            frame = frame.values(year)
        frame = _prepare_frame(frame)
        if recipe.needs_year() and year is None:
            raise SozialplanungError(f"Das Rezept „{recipe.name}“ unterscheidet Berichtsjahre.", field="year",
                                     hint="year=… angeben, z. B. SozialIndex(rezept).fit(daten, year=2021).")
        pop = _population(frame, einwohner)
        self.recipe_, self.year_ = recipe, year
        self.indicators_ = _indicators(recipe, year, frame)
        used = list(dict.fromkeys(c for ids in self.indicators_.values() for c in ids))
        data = frame[used].apply(pd.to_numeric, errors="coerce")
        reasons = _not_rated(recipe, year, frame, data, pop, excluded)
        rated = reasons == ""
        if rated.sum() < 2:
            raise SozialplanungError(f"Nur {int(rated.sum())} Gebiet(e) bewertbar; ein Index braucht mindestens zwei.")
        self.not_rated_ = frame.index[~rated]
        self.not_rated_reasons_ = reasons[~rated]
        self.n_areas_ = len(frame)
        rated_pop = self.rated_population_ = pop[rated] if pop is not None else None
        self.standardized_, self.weights_, self.classifications_, self.breaks_, scores, classes = {}, {}, {}, {}, {}, {}
        for name, part in recipe.parts().items():
            specs = part.indicators_for(year)
            x = data.loc[rated, [i.id for i in specs]] * np.array([i.polarity for i in specs], dtype=float)
            z = _standardize(part.standardization, x, rated_pop)
            self.standardized_[name] = z
            self.weights_[name] = weights = part_weights(part, specs, z)
            w = weights[["weight"]].to_numpy()
            s = pd.Series(compute_scores(part, z.to_numpy(), w, rated_pop)[:, 0], index=z.index)
            cl = classify_scores(part, s)
            codes = {j + 1: c.code for j, c in enumerate(part.classification.classes)}
            self.classifications_[name], self.breaks_[name] = cl, cl.breaks
            scores[name] = s.reindex(frame.index).rename(f"{name}_score")
            classes[name] = cl.classes.map(codes).astype("Int64").reindex(frame.index).rename(name)
        self.status_score_, self.status_ = scores["status"], classes["status"]
        self.dynamik_score_, self.dynamik_ = scores.get("dynamik"), classes.get("dynamik")
        return self

    def check_fitted(self) -> None:
        """Raise a German error unless :meth:`fit` has run."""
        if not hasattr(self, "status_"):
            raise SozialplanungError("Der Sozialindex ist noch nicht berechnet.", hint="Zuerst fit(daten, …) aufrufen.")

    def _labels(self, name: str) -> pd.Series:
        part = self.recipe_.parts()[name]
        labels = {c.code: c.label for c in part.classification.classes}
        return getattr(self, f"{name}_").map(labels, na_action="ignore").astype(object)

    def to_frame(self) -> pd.DataFrame:
        """One row per area: scores, class codes and labels, the combined code, and ``bewertet``."""
        self.check_fitted()
        out = pd.DataFrame({GEBIET_ID: self.status_.index})
        for name in ("status", "dynamik"):
            cls = getattr(self, f"{name}_")
            has = cls is not None
            out[f"{name}_score"] = getattr(self, f"{name}_score_").to_numpy() if has else np.nan
            out[f"{name}_klasse"] = cls.array if has else pd.array([pd.NA] * len(out), dtype="Int64")
            out[f"{name}_label"] = self._labels(name).array if has else None
        both = out["status_klasse"] * 10 + out["dynamik_klasse"]  # published MSS convention SDI_N = 10·SI + DI
        out["status_dynamik"] = both.astype("Int64")
        out["status_dynamik_label"] = np.where(both.notna(), out["status_label"] + "/" + out["dynamik_label"].astype(str), None)
        out["bewertet"] = ~out[GEBIET_ID].isin(self.not_rated_)
        return out

    def __repr__(self) -> str:
        if not hasattr(self, "status_"):
            name = self.recipe.name if isinstance(self.recipe, Recipe) else str(self.recipe)
            return f"SozialIndex(Rezept „{name}“, noch nicht berechnet)"
        year = f", Berichtsjahr {self.year_}" if self.year_ is not None else ""
        n_rated = self.n_areas_ - len(self.not_rated_)
        lines = [f"SozialIndex „{self.recipe_.name}“{year}: {n_rated} von {self.n_areas_} Gebieten bewertet"]
        for name, part in self.recipe_.parts().items():
            counts = getattr(self, f"{name}_").value_counts()
            classes, texts = part.classification.classes, self.classifications_[name].intervals()
            wl = max([len(part.label) - 4] + [len(c.label) for c in classes]) + 2
            wt = max([7] + [len(t) for t in texts]) + 2
            lines.append(f"{part.label:<{wl + 4}}{'Bereich':<{wt}}{'Anzahl':>7}")
            for c, text in zip(classes, texts):
                lines.append(f"  {c.code:>1} {c.label:<{wl}}{text:<{wt}}{int(counts.get(c.code, 0)):>7}")
        return "\n".join(lines)


def _indicators(recipe: Recipe, year: int | None, frame: pd.DataFrame) -> dict[str, list[str]]:
    """Indicator ids per part for ``year``; every one must be a column of ``frame``."""
    out = {n: [i.id for i in p.indicators_for(year)] for n, p in recipe.parts().items()}
    for name, ids in out.items():
        if not ids:
            raise SozialplanungError(f"Das Rezept sieht für das Berichtsjahr {year} keine Indikatoren vor.",
                                     file=recipe._file, field=f"{name}.indicators")
    used = list(dict.fromkeys(c for ids in out.values() for c in ids))
    absent = [c for c in used if c not in frame.columns]
    if absent:
        raise SozialplanungError(f"Spalte „{absent[0]}“ fehlt in den Daten.", field=absent[0],
                                 hint="Vorhandene Spalten: " + ", ".join(map(str, frame.columns)))
    return out


def _not_rated(recipe: Recipe, year, frame: pd.DataFrame, data: pd.DataFrame, pop, excluded) -> pd.Series:
    """German reason per area why it is not rated ("" for a rated area), in the order of precedence:
    population, Datenschutz (``excluded``), missing indicator value, excluded by the recipe."""
    reasons = pd.Series("", index=frame.index, dtype=object)
    if recipe.min_population is not None:
        if pop is None:
            raise SozialplanungError(f"Das Rezept verlangt mindestens {recipe.min_population:g} Einwohner je Gebiet.",
                                     field="einwohner", hint="einwohner=… (Spalte oder Series) an fit übergeben.")
        reasons[pop.isna()] = "Einwohnerzahl fehlt"
        reasons[pop < recipe.min_population] = f"weniger als {recipe.min_population:g} Einwohner"
    if excluded is not None:
        given = excluded.rename(index=str).reindex(frame.index)
        reasons = reasons.mask((reasons == "") & given.notna(), given)
    reasons[(reasons == "") & data.isna().any(axis=1)] = "fehlender Indikatorwert"
    for ex in recipe.excluded_areas:
        if (ex.years is None or year in ex.years) and ex.gebiet_id in reasons.index:
            reasons[ex.gebiet_id] = f"ausgeschlossen: {ex.reason}"
    return reasons


def _prepare_frame(frame) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise SozialplanungError(f"Erwartet wurde eine Tabelle (DataFrame), erhalten: {type(frame).__name__}.")
    if GEBIET_ID in frame.columns:
        frame = frame.set_index(GEBIET_ID)
    frame = frame.copy()
    frame.index = frame.index.astype(str).rename(GEBIET_ID)
    dup = frame.index[frame.index.duplicated()]
    if len(dup):
        raise SozialplanungError(f"Gebiets-ID „{dup[0]}“ kommt mehrfach vor.", field=GEBIET_ID)
    return frame


def _population(frame: pd.DataFrame, einwohner) -> pd.Series | None:
    if einwohner is None:
        return None
    if isinstance(einwohner, str):
        if einwohner not in frame.columns:
            raise SozialplanungError(f"Spalte „{einwohner}“ fehlt in den Daten.", field=einwohner)
        return pd.to_numeric(frame[einwohner], errors="coerce")
    pop = pd.Series(einwohner).copy()
    pop.index = pop.index.astype(str)
    return pd.to_numeric(pop.reindex(frame.index), errors="coerce")


def recipe(dp):
    """The recipe named by the params file (``recipe:``), read and validated."""
    if not dp.params.recipe:
        raise SozialplanungError("Für den Sozialindex ist kein Rezept angegeben.", file=dp.params.path,
                                 field="recipe", hint="z. B. recipe: ../rezepte/sozialformel.yaml")
    return read_recipe(dp.params.resolve(dp.params.recipe))
