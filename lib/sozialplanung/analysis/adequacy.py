"""Is a correlation matrix fit for factor analysis? KMO, Bartlett's test, parallel analysis.

All three functions work on a correlation matrix (``pd.DataFrame`` with indicator names,
or a square ``np.ndarray``), so they can be checked against matrices printed in the
literature. :class:`sozialplanung.analysis.factor.FactorAnalysis` calls them on the standardised
area indicators.

References
----------
Bartlett, M. S. (1950). Tests of significance in factor analysis. *British Journal of
Psychology, Statistical Section* 3, 77–85.
Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
*Psychometrika* 30, 179–185.
Kaiser, H. F. (1970). A second generation little jiffy. *Psychometrika* 35, 401–415.
Kaiser, H. F. & Rice, J. (1974). Little Jiffy, Mark IV. *Educational and Psychological
Measurement* 34, 111–117.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from sozialplanung.errors import SozialplanungError

__all__ = [
    "BartlettResult",
    "ParallelAnalysis",
    "compute_bartlett",
    "compute_kmo",
    "compute_parallel_analysis",
    "kmo_rating",
]


class BartlettResult(NamedTuple):
    """Bartlett's test of sphericity: statistic, degrees of freedom, p-value."""

    statistic: float
    df: int
    p_value: float


@dataclass(frozen=True)
class ParallelAnalysis:
    """Result of Horn's parallel analysis.

    Attributes
    ----------
    table : pd.DataFrame
        One row per position ``1..p`` with the observed eigenvalue (``beobachtet``), the mean
        of the random eigenvalues (``zufall_mittel``) and their percentile (``zufall_perzentil``).
    n_factors : int
        Number of leading observed eigenvalues that exceed the chosen random threshold.
    threshold : str
        ``"mean"`` or ``"percentile"``: which random column was compared.
    """

    table: pd.DataFrame
    n_factors: int
    threshold: str


def _as_corr(corr) -> tuple[np.ndarray, list[str]]:
    """Validate a correlation matrix and return it as an array plus indicator names."""
    if isinstance(corr, pd.DataFrame):
        names = [str(c) for c in corr.columns]
        values = corr.to_numpy(dtype=float)
    else:
        values = np.asarray(corr, dtype=float)
        names = [f"V{i + 1}" for i in range(values.shape[0])] if values.ndim == 2 else []
    if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] < 2:
        raise SozialplanungError(
            f"Erwartet wurde eine quadratische Korrelationsmatrix, gefunden: Form {values.shape}."
        )
    if not np.all(np.isfinite(values)):
        raise SozialplanungError(
            "Die Korrelationsmatrix enthält fehlende oder unendliche Werte.",
            hint="Indikatoren ohne Streuung oder mit fehlenden Werten vorher entfernen.",
        )
    if not np.allclose(values, values.T, atol=1e-8):
        raise SozialplanungError("Die Korrelationsmatrix ist nicht symmetrisch.")
    return values, names


def _inverse(values: np.ndarray, names: list[str]) -> np.ndarray:
    """Inverse of a correlation matrix; a singular matrix is a data problem, not a bug."""
    cond = np.linalg.cond(values)
    if not np.isfinite(cond) or cond > 1e12:
        raise SozialplanungError(
            "Die Korrelationsmatrix ist (nahezu) singulär: mindestens ein Indikator lässt sich "
            "aus den anderen exakt berechnen.",
            field=", ".join(names),
            hint="Doppelte oder linear abhängige Indikatoren entfernen (z. B. Anteile, die sich "
            "zu 100 % ergänzen).",
        )
    return np.linalg.inv(values)


def compute_kmo(corr) -> tuple[float, pd.Series]:
    r"""Kaiser–Meyer–Olkin measure of sampling adequacy, overall and per indicator.

    With :math:`Q = S R^{-1} S`, :math:`S = \operatorname{diag}(R^{-1})^{-1/2}`, the
    anti-image correlations are :math:`-q_{ij}` (the partial correlations given all other
    indicators). Summing over off-diagonal elements only (Kaiser & Rice 1974, eq. 3 and 4):

    .. math::

        \mathrm{KMO} = \frac{\sum_{i \ne j} r_{ij}^2}{\sum_{i \ne j} r_{ij}^2 + \sum_{i \ne j} q_{ij}^2},
        \qquad
        \mathrm{MSA}_j = \frac{\sum_{i \ne j} r_{ij}^2}{\sum_{i \ne j} r_{ij}^2 + \sum_{i \ne j} q_{ij}^2}.

    This is the "Mark IV" version used by SPSS and R ``psych::KMO`` (Kaiser 1970 used
    :math:`1 - \sum q^2 / \sum r^2`).

    Parameters
    ----------
    corr : pd.DataFrame or np.ndarray
        Correlation matrix.

    Returns
    -------
    overall : float
    per_indicator : pd.Series
        Indexed by indicator name, named ``"MSA"``.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])
    >>> round(compute_kmo(r)[0], 3)
    0.628
    """
    values, names = _as_corr(corr)
    inv = _inverse(values, names)
    scale = 1.0 / np.sqrt(np.diag(inv))
    q = inv * np.outer(scale, scale)
    off = ~np.eye(len(values), dtype=bool)
    r2 = np.where(off, values**2, 0.0)
    q2 = np.where(off, q**2, 0.0)
    overall = float(r2.sum() / (r2.sum() + q2.sum()))
    per = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    return overall, pd.Series(per, index=names, name="MSA")


def kmo_rating(value: float) -> str:
    """Kaiser's (1974) verbal rating of a KMO value, in German.

    >>> kmo_rating(0.81)
    'verdienstvoll (0,8–0,9)'
    """
    bands = [
        (0.9, "hervorragend (≥ 0,9)"),
        (0.8, "verdienstvoll (0,8–0,9)"),
        (0.7, "mittelmäßig (0,7–0,8)"),
        (0.6, "mäßig (0,6–0,7)"),
        (0.5, "schlecht (0,5–0,6)"),
    ]
    for lower, text in bands:
        if value >= lower:
            return text
    return "inakzeptabel (< 0,5)"


def compute_bartlett(corr, n_obs: int) -> BartlettResult:
    r"""Bartlett's (1950) test that the correlation matrix is an identity matrix.

    .. math::

        \chi^2 = -\left(n - 1 - \frac{2p + 5}{6}\right) \ln |R|, \qquad
        \mathit{df} = \frac{p (p - 1)}{2}.

    Parameters
    ----------
    corr : pd.DataFrame or np.ndarray
        Correlation matrix of ``p`` indicators.
    n_obs : int
        Number of areas the correlations were computed from.

    Examples
    --------
    >>> compute_bartlett(np.eye(4), n_obs=50).statistic
    0.0
    """
    values, names = _as_corr(corr)
    p = values.shape[0]
    if int(n_obs) != n_obs or n_obs <= p:
        raise SozialplanungError(
            f"Für den Bartlett-Test werden mehr Gebiete als Indikatoren gebraucht "
            f"(Gebiete: {n_obs}, Indikatoren: {p})."
        )
    sign, logdet = np.linalg.slogdet(values)
    if sign <= 0:
        _inverse(values, names)  # raises the German singularity message
        raise SozialplanungError("Die Korrelationsmatrix ist nicht positiv definit.")
    statistic = float(-(n_obs - 1 - (2 * p + 5) / 6) * logdet)
    if abs(statistic) < 1e-12:  # identity matrix: avoid printing -0.0
        statistic = 0.0
    df = p * (p - 1) // 2
    return BartlettResult(statistic, df, float(stats.chi2.sf(statistic, df)))


def _eigenvalues(corr: np.ndarray, reduced: bool) -> np.ndarray:
    """Eigenvalues in descending order, optionally of the SMC-reduced matrix."""
    if reduced:
        corr = corr.copy()
        np.fill_diagonal(corr, 1.0 - 1.0 / np.diag(np.linalg.inv(corr)))
    return np.sort(np.linalg.eigvalsh(corr))[::-1]


def compute_parallel_analysis(
    corr,
    n_obs: int,
    *,
    n_iter: int = 100,
    percentile: float = 95.0,
    threshold: str = "percentile",
    reduced: bool = False,
    random_state: int = 0,
) -> ParallelAnalysis:
    """Horn's (1965) parallel analysis on a correlation matrix.

    The observed eigenvalues are compared with eigenvalues of correlation matrices of
    ``n_iter`` seeded samples of ``n_obs`` × ``p`` independent standard normal values.
    The suggested number of factors is the number of *leading* observed eigenvalues that
    exceed the random mean (``threshold="mean"``, Horn's original rule) or the random
    ``percentile`` (``threshold="percentile"``, Glorfeld 1995).

    Parameters
    ----------
    corr : pd.DataFrame or np.ndarray
        Observed correlation matrix.
    n_obs : int
        Number of areas.
    n_iter : int, default=100
        Number of random data sets.
    percentile : float, default=95.0
    threshold : {"percentile", "mean"}, default="percentile"
    reduced : bool, default=False
        True: eigenvalues of the reduced matrix (squared multiple correlations on the
        diagonal), the variant for principal-axis factoring (Humphreys & Ilgen 1969).
    random_state : int, default=0

    Returns
    -------
    ParallelAnalysis
    """
    values, names = _as_corr(corr)
    if threshold not in ("percentile", "mean"):
        raise SozialplanungError(
            f"Unbekannte Schwelle „{threshold}“ für die Parallelanalyse.",
            field="threshold",
            hint="Erlaubt sind „percentile“ und „mean“.",
        )
    if not 0 < percentile < 100:
        raise SozialplanungError(
            f"Das Perzentil muss zwischen 0 und 100 liegen, gefunden: {percentile}.",
            field="percentile",
        )
    p = values.shape[0]
    if n_obs <= p:
        raise SozialplanungError(
            f"Für die Parallelanalyse werden mehr Gebiete als Indikatoren gebraucht "
            f"(Gebiete: {n_obs}, Indikatoren: {p})."
        )
    if reduced:
        _inverse(values, names)
    observed = _eigenvalues(values, reduced)
    rng = np.random.default_rng(random_state)
    random = np.empty((n_iter, p))
    for i in range(n_iter):
        sample = rng.standard_normal((int(n_obs), p))
        random[i] = _eigenvalues(np.corrcoef(sample, rowvar=False), reduced)
    table = pd.DataFrame(
        {
            "beobachtet": observed,
            "zufall_mittel": random.mean(axis=0),
            "zufall_perzentil": np.percentile(random, percentile, axis=0),
        },
        index=pd.RangeIndex(1, p + 1, name="position"),
    )
    column = "zufall_perzentil" if threshold == "percentile" else "zufall_mittel"
    above = (table["beobachtet"] > table[column]).to_numpy()
    n_factors = int(np.argmin(above)) if not above.all() else p
    return ParallelAnalysis(table=table, n_factors=n_factors, threshold=threshold)
