"""Standardisation of area indicators: z-scores, percentile ranks, min–max, the IMD exponential transform.

Every function works column by column on a 1-D or 2-D input (``pd.Series``, ``pd.DataFrame`` or
``np.ndarray``; a 2-D array is a matrix of areas × indicators) and returns the same kind of object.
Missing values (NaN) stay missing and take no part in the reference statistics. Sums are taken over
sorted values, so the result for an area does not depend on the order of the areas.

``METHODS`` maps the names used in recipes (``params/rezepte/*.yaml``) to the functions.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sozialplanung.errors import SozialplanungError, SozialplanungWarning

__all__ = ["METHODS", "imd_exp", "minmax", "rank", "zscore"]

#: Constant of the IMD exponential transform (English Indices of Deprivation).
IMD_LAMBDA = 23.0


def _as_matrix(values):
    """Return (float matrix n × m, wrapper turning a matrix back into the input's kind)."""
    if isinstance(values, pd.DataFrame):
        arr = values.to_numpy(dtype=float, na_value=np.nan)
        return arr, lambda out: pd.DataFrame(out, index=values.index, columns=values.columns)
    if isinstance(values, pd.Series):
        arr = values.to_numpy(dtype=float, na_value=np.nan)[:, None]
        return arr, lambda out: pd.Series(out[:, 0], index=values.index, name=values.name)
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 1:
        return arr[:, None], lambda out: out[:, 0]
    if arr.ndim == 2:
        return arr, lambda out: out
    raise SozialplanungError(f"Erwartet wurden Werte in einer oder zwei Dimensionen, erhalten: {arr.ndim}.")


def _sorted_sum(values: np.ndarray) -> np.ndarray:
    """Column sums over sorted values, ignoring NaN: independent of the order of the rows."""
    return np.nansum(np.sort(values, axis=0), axis=0)


def _weights_matrix(weights, shape) -> np.ndarray:
    w = weights.to_numpy(dtype=float, na_value=np.nan) if isinstance(weights, pd.Series) else np.asarray(weights, float)
    if w.shape != (shape[0],):
        raise SozialplanungError(
            f"Die Gewichte haben die Länge {w.size}, erwartet wurden {shape[0]} (ein Gewicht je Gebiet)."
        )
    if np.any(w[np.isfinite(w)] < 0):
        raise SozialplanungError("Gewichte (z. B. Einwohnerzahlen) dürfen nicht negativ sein.")
    return np.broadcast_to(w[:, None], shape)


def zscore(values, *, ddof: int, weights=None):
    """z-standardise each column: ``z = (x − m) / s``.

    Parameters
    ----------
    values : pd.Series, pd.DataFrame or ndarray of shape (n,) or (n, m)
        Indicator values per area; NaN is ignored and stays NaN.
    ddof : int
        Delta degrees of freedom of the standard deviation, always to be given explicitly:
        ``s² = Σ wᵢ (xᵢ − m)² / (Σ wᵢ − ddof)``. ``ddof=0`` is the population standard deviation
        used by the Berlin MSS (Indikatorenheft MSS 2021, Abschnitt 4), ``ddof=1`` the sample one.
    weights : array-like of shape (n,), optional
        Frequency weights, e.g. residents per area. Then ``m = Σ wᵢ xᵢ / Σ wᵢ``; without weights
        every area counts once (``wᵢ = 1``). Areas with a missing weight are ignored like NaN values.

    Returns
    -------
    Same kind as ``values``. A column without spread gives 0 and a ``SozialplanungWarning``.

    Examples
    --------
    >>> zscore([1.0, 2.0, 3.0], ddof=0).round(4).tolist()
    [-1.2247, 0.0, 1.2247]
    """
    x, wrap = _as_matrix(values)
    w = np.ones_like(x) if weights is None else _weights_matrix(weights, x.shape)
    valid = np.isfinite(x) & np.isfinite(w)
    xv, wv = np.where(valid, x, np.nan), np.where(valid, w, np.nan)
    sum_w = _sorted_sum(wv)
    mean = _sorted_sum(wv * xv) / sum_w
    dev = xv - mean
    var = _sorted_sum(wv * dev**2) / (sum_w - ddof)
    sd = np.sqrt(var)
    flat = ~(sd > 0)
    if np.any(flat & (sum_w > ddof)):
        warnings.warn(
            "Mindestens ein Indikator hat keine Streuung (alle Werte gleich); seine z-Werte werden auf 0 gesetzt.",
            SozialplanungWarning,
            stacklevel=2,
        )
    z = np.where(flat, 0.0, dev / np.where(flat, 1.0, sd))
    return wrap(np.where(valid, z, np.nan))


def rank(values, *, ties: str = "average"):
    """Percentile rank of each column: ``R = rang / n`` in (0, 1], the smallest value has rank 1.

    Parameters
    ----------
    values : pd.Series, pd.DataFrame or ndarray of shape (n,) or (n, m)
        NaN is ignored (n counts the non-missing values) and stays NaN.
    ties : {"average", "min", "max", "first", "dense"}, default="average"
        Rank given to equal values (pandas/scipy naming); "average" is the mid-rank.

    Examples
    --------
    >>> rank([10.0, 30.0, 20.0, 20.0]).tolist()
    [0.25, 1.0, 0.625, 0.625]
    """
    x, wrap = _as_matrix(values)
    ranked = pd.DataFrame(x).rank(method=ties, pct=True, na_option="keep", axis=0)
    return wrap(ranked.to_numpy(dtype=float))


def minmax(values):
    """Rescale each column to [0, 1]: ``(x − min) / (max − min)``.

    A column without spread gives 0 and a ``SozialplanungWarning``.

    Examples
    --------
    >>> minmax([2.0, 4.0, 6.0]).tolist()
    [0.0, 0.5, 1.0]
    """
    x, wrap = _as_matrix(values)
    all_nan = np.all(np.isnan(x), axis=0)
    safe = np.where(all_nan, 0.0, x)
    lo, hi = np.nanmin(safe, axis=0), np.nanmax(safe, axis=0)
    span = hi - lo
    flat = ~(span > 0) & ~all_nan
    if np.any(flat):
        warnings.warn(
            "Mindestens ein Indikator hat keine Streuung (alle Werte gleich); seine Werte werden auf 0 gesetzt.",
            SozialplanungWarning,
            stacklevel=2,
        )
    out = np.where(flat, 0.0, (x - lo) / np.where(span > 0, span, 1.0))
    return wrap(np.where(np.isnan(x), np.nan, out))


def imd_exp(values, *, ties: str = "average"):
    """Exponential transform of the English Indices of Deprivation (range 0 to 100).

    ``X = −23 · ln(1 − R · (1 − exp(−100/23)))`` with ``R = rang / n`` in (0, 1] the percentile rank
    (:func:`rank`, the least deprived area has the smallest rank). The transform stretches the most
    deprived end (the constant 23 puts about 10 % of the areas above 50), so that in a later sum a high
    value on one domain is only partly offset by a low value on another.

    Source: McLennan, D., Noble, S., Noble, M., Plunkett, E., Wright, G., Gutacker, N. (2019):
    *The English Indices of Deprivation 2019. Technical report*. Ministry of Housing, Communities
    and Local Government, London (exponential transformation of the domain scores).

    Examples
    --------
    >>> imd_exp([1.0, 2.0, 3.0, 4.0]).round(2).tolist()
    [6.52, 15.65, 31.01, 100.0]
    """
    r = rank(values, ties=ties)
    scale = 1.0 - np.exp(-100.0 / IMD_LAMBDA)
    return -IMD_LAMBDA * np.log(1.0 - r * scale)


#: Name in a recipe → standardisation function.
METHODS = {"zscore": zscore, "rank": rank, "minmax": minmax, "imd_exp": imd_exp}
