"""Exploratory factor analysis of area indicators (:class:`FactorAnalysis`)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sozialplanung.analysis.adequacy import (
    compute_bartlett,
    compute_kmo,
    compute_parallel_analysis,
    kmo_rating,
)
from sozialplanung.config.catalogue import GEBIET_ID
from sozialplanung.errors import SozialplanungError, SozialplanungWarning

__all__ = ["FactorAnalysis", "GEBIET_ID"]

METHODS = ("pa", "ml")
ROTATIONS = ("varimax", "promax", "oblimin", None)
OBLIQUE = ("promax", "oblimin")
HEYWOOD_LIMIT = 0.995


def prepare_indicators(frame: pd.DataFrame, *, min_columns: int = 2) -> tuple[pd.DataFrame, pd.Index]:
    """Check an indicator table and drop areas with missing values (explicitly).

    Returns the complete rows and the index of the dropped areas; warns with
    :class:`SozialplanungWarning` naming them. Shared by factor and cluster analysis.
    """
    if not isinstance(frame, pd.DataFrame):
        raise SozialplanungError(
            "Erwartet wurde eine Tabelle (pandas DataFrame) mit einer Zeile je Gebiet "
            f"und einer Spalte je Indikator, gefunden: {type(frame).__name__}."
        )
    if frame.index.has_duplicates:
        doubles = frame.index[frame.index.duplicated()].unique()[:5]
        raise SozialplanungError(
            "Gebiets-IDs kommen mehrfach vor: " + ", ".join(map(str, doubles)) + ".",
            field=GEBIET_ID,
        )
    non_numeric = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_numeric:
        raise SozialplanungError(
            "Nicht-numerische Indikatorspalten: " + ", ".join(map(str, non_numeric)) + ".",
            field=str(non_numeric[0]),
            hint="Nur Indikatorwerte übergeben; Namen und IDs gehören in den Index.",
        )
    if frame.shape[1] < min_columns:
        raise SozialplanungError(
            f"Mindestens {min_columns} Indikatoren werden gebraucht, gefunden: {frame.shape[1]}."
        )
    values = frame.astype(float)
    incomplete = values.isna().any(axis=1)
    dropped = values.index[incomplete]
    if len(dropped):
        shown = ", ".join(map(str, dropped[:10])) + (" …" if len(dropped) > 10 else "")
        warnings.warn(
            f"{len(dropped)} Gebiete mit fehlenden Werten werden ausgeschlossen: {shown}",
            SozialplanungWarning,
            stacklevel=3,
        )
    values = values.loc[~incomplete]
    constant = [c for c in values.columns if values[c].nunique() < 2]
    if constant:
        raise SozialplanungError(
            "Indikatoren ohne Streuung: " + ", ".join(map(str, constant)) + ".",
            field=str(constant[0]),
            hint="Konstante Indikatoren tragen nichts bei; bitte entfernen.",
        )
    return values, dropped


class FactorAnalysis:
    r"""Exploratory factor analysis of area indicators.

    The indicators are z-standardised (ddof=1); factors are extracted from their
    correlation matrix with :class:`statsmodels.multivariate.factor.Factor`, either by
    iterated principal-axis factoring with squared multiple correlations as start
    communalities (``"pa"``) or by maximum likelihood (``"ml"``), and rotated with
    statsmodels' rotation routines after Kaiser row normalisation (as SPSS and R ``psych``):
    varimax (Kaiser 1958), promax with power 4 (Hendrickson & White 1964) or direct oblimin with :math:`\gamma = 0` (quartimin, Jennrich & Sampson 1966).

    Factor scores are regression (Thurstone) scores :math:`F = Z R^{-1} P \Phi` with the
    pattern matrix :math:`P` and the factor correlations :math:`\Phi` (:math:`\Phi = I` for
    orthogonal rotations).

    Sign and order: factors are sorted by their sum of squared loadings; each factor is
    turned so that its largest absolute loading is positive, and the factor on which the
    ``marker`` indicator loads most strongly is turned so that the marker loads positively.

    Parameters
    ----------
    n_factors : int or None, default=None
        None: the number suggested by parallel analysis (Horn 1965, 95th percentile).
    method : {"pa", "ml"}, default="pa"
    rotation : {"varimax", "promax", "oblimin", None}, default="varimax"
    marker : str or None, default=None
        Indicator that must load positively on its factor (e.g. the unemployment rate,
        so that high scores mean high disadvantage).
    random_state : int, default=0
        Seed of the parallel analysis and of the ML start values.

    Attributes
    ----------
    indicators_ : list of str
    dropped_ : pd.Index
        Areas excluded because of missing values.
    n_obs_ : int
    corr_ : pd.DataFrame
        Correlation matrix of the indicators.
    kmo_ : float
        Kaiser–Meyer–Olkin measure, overall.
    kmo_per_indicator_ : pd.Series
    bartlett_ : BartlettResult
        statistic, df, p_value.
    eigenvalues_ : pd.Series
        Eigenvalues of the (unreduced) correlation matrix.
    parallel_ : ParallelAnalysis
    n_factors_ : int
    loadings_ : pd.DataFrame
        Indicator × factor ("Faktor 1", …), rotated (pattern matrix if oblique).
    unrotated_loadings_ : pd.DataFrame
    factor_correlations_ : pd.DataFrame
        :math:`\Phi`; the identity for orthogonal rotations.
    communalities_ : pd.Series
    uniquenesses_ : pd.Series
    explained_variance_ : pd.DataFrame
        Per factor: ``Eigenwert`` (sum of squared loadings), ``Anteil``, ``kumuliert``.
    heywood_ : list of str
        Indicators with a communality ≥ 0.995 (warned about).
    scores_ : pd.DataFrame
        gebiet_id × factor.
    score_weights_ : pd.DataFrame
        Indicator × factor: the weights :math:`W = R^{-1} P \Phi` of the regression scores.
    mean_, scale_ : pd.Series
        Mean and standard deviation (ddof=1) of each indicator over the fitted areas: the
        standardisation :meth:`transform` applies to new rows.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.standard_normal((200, 1))
    >>> x = pd.DataFrame(f @ [[.8, .7, .6, .5]] + rng.standard_normal((200, 4)) * .5,
    ...                  columns=list("abcd"))
    >>> fa = FactorAnalysis(1).fit(x)
    >>> fa.loadings_.shape
    (4, 1)
    """

    def __init__(self, n_factors=None, *, method="pa", rotation="varimax", marker=None,
                 random_state=0):
        self.n_factors = n_factors
        self.method = method
        self.rotation = rotation
        self.marker = marker
        self.random_state = random_state

    # ------------------------------------------------------------------ validation
    def _validate_params(self, columns) -> None:
        if self.method not in METHODS:
            raise SozialplanungError(
                f"Unbekannte Extraktionsmethode „{self.method}“.", field="method",
                hint="Erlaubt sind „pa“ (Hauptachsen) und „ml“ (Maximum Likelihood).",
            )
        if self.rotation not in ROTATIONS:
            raise SozialplanungError(
                f"Unbekannte Rotation „{self.rotation}“.", field="rotation",
                hint="Erlaubt sind „varimax“, „promax“, „oblimin“ oder None.",
            )
        if self.n_factors is not None and (
            isinstance(self.n_factors, bool) or not isinstance(self.n_factors, (int, np.integer))
            or self.n_factors < 1
        ):
            raise SozialplanungError(
                f"Die Faktorenzahl muss eine positive ganze Zahl oder None sein, gefunden: "
                f"{self.n_factors!r}.", field="n_factors",
            )
        if self.marker is not None and self.marker not in columns:
            raise SozialplanungError(
                f"Der Marker-Indikator „{self.marker}“ fehlt in den Daten.", field="marker",
                hint="Vorhandene Indikatoren: " + ", ".join(map(str, columns)),
            )

    # ------------------------------------------------------------------ fit
    def fit(self, frame: pd.DataFrame) -> "FactorAnalysis":
        """Estimate the factor model on ``frame`` (gebiet_id × indicator)."""
        self._validate_params(list(frame.columns) if isinstance(frame, pd.DataFrame) else [])
        values, self.dropped_ = prepare_indicators(frame, min_columns=3)
        self.indicators_ = [str(c) for c in values.columns]
        p = len(self.indicators_)
        self.n_obs_ = len(values)
        if self.n_obs_ <= p:
            raise SozialplanungError(
                f"Zu wenige Gebiete für eine Faktorenanalyse: {self.n_obs_} Gebiete, {p} Indikatoren.",
                hint="Es werden deutlich mehr Gebiete als Indikatoren gebraucht.",
            )
        self.mean_, self.scale_ = values.mean(), values.std(ddof=1)
        z = (values - self.mean_) / self.scale_
        corr = np.corrcoef(z.to_numpy(), rowvar=False)
        self.corr_ = pd.DataFrame(corr, index=self.indicators_, columns=self.indicators_)
        self.kmo_, self.kmo_per_indicator_ = compute_kmo(self.corr_)
        self.bartlett_ = compute_bartlett(self.corr_, self.n_obs_)
        self.eigenvalues_ = pd.Series(
            np.sort(np.linalg.eigvalsh(corr))[::-1],
            index=pd.RangeIndex(1, p + 1, name="position"), name="Eigenwert",
        )
        self.parallel_ = compute_parallel_analysis(
            self.corr_, self.n_obs_, reduced=False, random_state=self.random_state
        )
        self.n_factors_ = int(self.n_factors or max(self.parallel_.n_factors, 1))
        max_factors = p - 1 if self.method == "pa" else _ledermann_bound(p)
        if self.n_factors_ > max_factors:
            raise SozialplanungError(
                f"Mit {p} Indikatoren lassen sich höchstens {max_factors} Faktoren schätzen, "
                f"verlangt: {self.n_factors_}.", field="n_factors",
            )
        self._extract(z)
        self._scores(z)
        return self

    def _extract(self, z: pd.DataFrame) -> None:
        k = self.n_factors_
        from statsmodels.multivariate.factor import Factor  # deferred: validate must stay light

        model = Factor(z.to_numpy(), n_factor=k, method=self.method, smc=True,
                       endog_names=self.indicators_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Heywood cases are reported below, in German
            if self.method == "pa":
                result = model.fit(maxiter=1000, tol=1e-9)
            else:
                result = model.fit(rng=self.random_state)
        unrotated = np.asarray(result.loadings, dtype=float)
        if self.rotation is not None and k > 1:
            loadings, phi = _rotate(unrotated, self.rotation)
        else:
            loadings, phi = unrotated.copy(), np.eye(k)
        # order by sum of squared loadings, then orient signs
        order = np.argsort(-(loadings**2).sum(axis=0), kind="stable")
        loadings, phi = loadings[:, order], phi[np.ix_(order, order)]
        signs = np.sign(loadings[np.abs(loadings).argmax(axis=0), np.arange(k)])
        signs[signs == 0] = 1.0
        if self.marker is not None:
            row = self.indicators_.index(self.marker)
            col = int(np.abs(loadings[row]).argmax())
            signs[col] = 1.0 if loadings[row, col] >= 0 else -1.0
        loadings, phi = loadings * signs, phi * np.outer(signs, signs)
        names = [f"Faktor {i + 1}" for i in range(k)]
        unrot_signs = np.sign(unrotated.sum(axis=0))
        unrot_signs[unrot_signs == 0] = 1.0
        self.unrotated_loadings_ = pd.DataFrame(unrotated * unrot_signs, index=self.indicators_,
                                                columns=names)
        self.loadings_ = pd.DataFrame(loadings, index=self.indicators_, columns=names)
        self.factor_correlations_ = pd.DataFrame(phi, index=names, columns=names)
        communal = (unrotated**2).sum(axis=1)
        self.communalities_ = pd.Series(communal, index=self.indicators_, name="Kommunalität")
        self.uniquenesses_ = pd.Series(1 - communal, index=self.indicators_, name="Einzelrestvarianz")
        self.heywood_ = [n for n, c in zip(self.indicators_, communal) if c >= HEYWOOD_LIMIT]
        if self.heywood_:
            warnings.warn(
                "Heywood-Fall: Kommunalität ≥ 0,995 bei " + ", ".join(self.heywood_)
                + ". Die Lösung ist unzuverlässig; weniger Faktoren oder andere Indikatoren prüfen.",
                SozialplanungWarning, stacklevel=3,
            )
        ss = (loadings**2).sum(axis=0)
        self.explained_variance_ = pd.DataFrame(
            {"Eigenwert": ss, "Anteil": ss / len(self.indicators_),
             "kumuliert": np.cumsum(ss) / len(self.indicators_)},
            index=names,
        )

    def _scores(self, z: pd.DataFrame) -> None:
        weights = np.linalg.solve(self.corr_.to_numpy(),
                                  self.loadings_.to_numpy() @ self.factor_correlations_.to_numpy())
        scores = z.to_numpy() @ weights
        self.score_weights_ = pd.DataFrame(weights, index=self.indicators_,
                                           columns=self.loadings_.columns)
        self.scores_ = pd.DataFrame(scores, index=z.index.rename(GEBIET_ID),
                                    columns=self.loadings_.columns)

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        r"""Factor scores of the rows of ``frame`` (gebiet_id × indicator) with the *fitted* model.

        Regression (Thurstone) scores as in :meth:`fit`: :math:`F = Z W` with
        :math:`Z = (X - \bar x) / s` standardised by the fitted ``mean_`` and ``scale_`` (not by the
        new rows) and the fitted ``score_weights_`` :math:`W = R^{-1} P \Phi` (Thurstone 1935;
        scikit-learn's ``transform`` convention: the fit is applied, never refitted). On the
        fitted data this reproduces ``scores_``. A row with a missing value of any indicator gets
        no score: all its factors are NaN (the row is kept, so the index is that of ``frame``).
        """
        self._check_fitted()
        missing = [c for c in self.indicators_ if c not in frame.columns]
        if missing:
            raise SozialplanungError("Indikatoren der Faktorenanalyse fehlen: " + ", ".join(missing) + ".")
        values = frame[self.indicators_].astype(float)
        z = (values - self.mean_) / self.scale_
        scores = z.to_numpy() @ self.score_weights_.to_numpy()
        return pd.DataFrame(scores, index=values.index.rename(GEBIET_ID), columns=self.loadings_.columns)

    # ------------------------------------------------------------------ output
    def _check_fitted(self) -> None:
        if not hasattr(self, "loadings_"):
            raise SozialplanungError("Die Faktorenanalyse ist noch nicht geschätzt.",
                                     hint="Zuerst .fit(daten) aufrufen.")

    def to_frame(self) -> pd.DataFrame:
        """Factor scores with ``gebiet_id`` as first column."""
        self._check_fitted()
        return self.scores_.reset_index()

    def __repr__(self) -> str:
        if not hasattr(self, "loadings_"):
            return (f"FactorAnalysis(n_factors={self.n_factors!r}, method={self.method!r}, "
                    f"rotation={self.rotation!r}, marker={self.marker!r})")
        b = self.bartlett_
        head = [
            f"Faktorenanalyse ({'Hauptachsen' if self.method == 'pa' else 'Maximum Likelihood'}, "
            f"Rotation: {self.rotation or 'keine'})",
            f"Gebiete: {self.n_obs_} (ausgeschlossen: {len(self.dropped_)}), "
            f"Indikatoren: {len(self.indicators_)}, Faktoren: {self.n_factors_}",
            f"KMO: {self.kmo_:.3f} – {kmo_rating(self.kmo_)}".replace(".", ",", 1),
            f"Bartlett: χ² = {b.statistic:.1f}, df = {b.df}, p = {b.p_value:.3g}",
            "",
        ]
        table = self.loadings_.round(2).to_string()
        return "\n".join(head) + table


def _rotate(unrotated: np.ndarray, rotation: str) -> tuple[np.ndarray, np.ndarray]:
    r"""Rotate with Kaiser normalisation; return the pattern matrix and :math:`\Phi`.

    Rows are scaled to unit length before rotating and scaled back afterwards (Kaiser
    1958), as in SPSS and R ``stats::varimax``/``psych``. statsmodels returns
    :math:`L = A T` (orthogonal) or :math:`L = A (T')^{-1}` (oblique) with factor
    correlations :math:`\Phi = T'T`.
    """
    h = np.sqrt((unrotated**2).sum(axis=1))
    h[h == 0] = 1.0
    normed = unrotated / h[:, None]
    from statsmodels.multivariate.factor_rotation import promax, rotate_factors

    if rotation == "promax":
        rotated, rot = promax(normed, k=4)
    elif rotation == "oblimin":
        rotated, rot = rotate_factors(normed, "quartimin")
    else:
        rotated, rot = rotate_factors(normed, rotation)
    phi = rot.T @ rot if rotation in OBLIQUE else np.eye(rot.shape[0])
    return rotated * h[:, None], phi


def _ledermann_bound(p: int) -> int:
    """Largest k with a non-negative number of ML degrees of freedom, (p-k)² ≥ p+k."""
    k = 0
    while (p - (k + 1)) ** 2 >= p + (k + 1):
        k += 1
    return max(k, 1)


def factor_indicators(dp) -> list[str]:
    """The indicators of the factor analysis: ``analyses.factor.indicators`` or all with a polarity."""
    spec = dp.params.analyses.factor
    chosen = spec.indicators or [i for i, ind in dp.catalogue.items() if ind.polarity != 0]
    unknown = [i for i in chosen if i not in dp.catalogue]
    if unknown:
        raise SozialplanungError(f"Der Indikator „{unknown[0]}“ steht nicht im Katalog.", file=dp.params.path,
                                 field="analyses.factor.indicators", hint=f"Vorhanden: {', '.join(dp.catalogue)}")
    return chosen
