"""Class rules for index scores, with the interval closure of every boundary stated explicitly.

A rule turns scores into classes 1..k (class 1 = lowest scores; NaN stays missing) and returns the
inner boundaries ``b₁ < … < b_{k−1}`` with, per boundary, the class a value lying exactly on it
belongs to: ``"lower"`` (the class below is closed at ``b``: ``… < x ≤ b``) or ``"upper"`` (the class
above is closed: ``b ≤ x < …``).

The Berlin MSS status rule “hoch x < −1; mittel −1 ≤ x ≤ 1; niedrig 1 < x ≤ 1,5; sehr niedrig x > 1,5”
is ``sd_cutoffs(z, cutoffs=[-1, 1, 1.5], belongs_to=["upper", "lower", "lower"])``. Note that
``mapclassify.StdMean`` is a different rule (sample SD with ``ddof=1``, every class right-closed).

``RULES`` maps the names used in recipes to the functions.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sozialplanung.errors import SozialplanungError
from sozialplanung.formatting import fmt_plain

__all__ = [
    "RULES",
    "Classification",
    "apply_cutoffs",
    "classify_columns",
    "equal_interval",
    "mapclassify_scheme",
    "natural_breaks",
    "quantiles",
    "sd_cutoffs",
]

CLOSURES = ("lower", "upper")


@dataclass(frozen=True)
class Classification:
    """Result of a class rule.

    Attributes
    ----------
    classes : pd.Series of dtype Int64
        Class 1..k per area, ``<NA>`` where the score is missing.
    breaks : tuple of float
        Inner boundaries in ascending order (k − 1 values); the legend's class limits.
    belongs_to : tuple of {"lower", "upper"}
        For each boundary, the class that contains a value exactly equal to it.
    """

    classes: pd.Series
    breaks: tuple[float, ...]
    belongs_to: tuple[str, ...]

    @property
    def k(self) -> int:
        """Number of classes."""
        return len(self.breaks) + 1

    def counts(self) -> pd.Series:
        """Number of areas per class 1..k (empty classes show 0)."""
        return self.classes.value_counts().reindex(range(1, self.k + 1), fill_value=0)

    def intervals(self, var: str = "x") -> list[str]:
        """German interval text per class, e.g. ``["x < −1", "−1 ≤ x ≤ 1", "1 < x ≤ 1,5", "x > 1,5"]``."""
        out = []
        for j in range(self.k):
            parts = []
            if j > 0:
                parts.append(f"{fmt_plain(self.breaks[j - 1], 4)} {'<' if self.belongs_to[j - 1] == 'lower' else '≤'} ")
            parts.append(var)
            if j < self.k - 1:
                parts.append(f" {'≤' if self.belongs_to[j] == 'lower' else '<'} {fmt_plain(self.breaks[j], 4)}")
            text = "".join(parts)
            if j == self.k - 1 and j > 0:  # "x > b" reads better than "b < x"
                op = ">" if self.belongs_to[j - 1] == "lower" else "≥"
                text = f"{var} {op} {fmt_plain(self.breaks[j - 1], 4)}"
            out.append(text)
        return out


def apply_cutoffs(values, breaks, belongs_to) -> np.ndarray:
    """Class numbers for an array of any shape: ``1 + #{j : x > b_j, or x = b_j and b_j belongs to the upper class}``.

    Missing values give 0. Works on 2-D arrays (e.g. areas × simulation runs) at numpy speed.

    Examples
    --------
    >>> apply_cutoffs([-1.2, -1.0, 1.0, 1.2, 1.5, 2.0], [-1, 1, 1.5], ["upper", "lower", "lower"]).tolist()
    [1, 2, 2, 3, 3, 4]
    """
    x = np.asarray(values, dtype=float)
    b = np.asarray(breaks, dtype=float)
    upper = np.asarray([c == "upper" for c in belongs_to], dtype=bool)
    xe = x[..., None]
    above = (xe > b) | ((xe == b) & upper)
    cls = 1 + above.sum(axis=-1)
    return np.where(np.isnan(x), 0, cls)


def _check_breaks(breaks, belongs_to) -> tuple[tuple[float, ...], tuple[str, ...]]:
    breaks = tuple(float(b) for b in breaks)
    belongs_to = tuple(belongs_to)
    if len(breaks) != len(belongs_to):
        raise SozialplanungError(
            f"Für {len(breaks)} Grenzen wurden {len(belongs_to)} Angaben zur Zugehörigkeit gemacht.",
            hint="Je Grenze angeben, ob ein Wert genau auf ihr zur unteren („lower“) oder oberen („upper“) Klasse gehört.",
        )
    bad = [c for c in belongs_to if c not in CLOSURES]
    if bad:
        raise SozialplanungError(f"Unbekannte Zugehörigkeit „{bad[0]}“; erlaubt sind „lower“ und „upper“.")
    if any(not np.isfinite(b) for b in breaks) or any(b2 <= b1 for b1, b2 in zip(breaks, breaks[1:])):
        raise SozialplanungError(f"Die Klassengrenzen müssen endlich und streng aufsteigend sein, erhalten: {list(breaks)}.")
    return breaks, belongs_to


def _series(values) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.astype(float)
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise SozialplanungError(f"Eine Klasseneinteilung erwartet eine Spalte von Werten, erhalten: {arr.ndim} Dimensionen.")
    return pd.Series(arr)


def _result(s: pd.Series, breaks, belongs_to) -> Classification:
    breaks, belongs_to = _check_breaks(breaks, belongs_to)
    cls = apply_cutoffs(s.to_numpy(), breaks, belongs_to)
    classes = pd.Series(cls, index=s.index, name=s.name).astype("Int64").mask(cls == 0)
    return Classification(classes=classes, breaks=breaks, belongs_to=belongs_to)


def _valid(s: pd.Series) -> np.ndarray:
    y = s.to_numpy(dtype=float)
    y = y[np.isfinite(y)]
    if y.size == 0:
        raise SozialplanungError("Es gibt keine gültigen Werte, die in Klassen eingeteilt werden könnten.")
    return y


def sd_cutoffs(values, *, cutoffs, belongs_to) -> Classification:
    """Fixed cut-offs on a standardised score (e.g. in units of the standard deviation).

    Parameters
    ----------
    values : pd.Series or array-like of shape (n,)
        Usually a z-score; the rule does not standardise.
    cutoffs : sequence of float
        Inner boundaries, strictly ascending.
    belongs_to : sequence of {"lower", "upper"}
        Per boundary, the class a value exactly on it belongs to (see module docstring).

    Examples
    --------
    >>> r = sd_cutoffs([-2.0, -1.0, 1.0, 1.5, 1.6], cutoffs=[-1, 1, 1.5], belongs_to=["upper", "lower", "lower"])
    >>> r.classes.tolist()
    [1, 2, 2, 3, 4]
    >>> r.intervals()
    ['x < −1', '−1 ≤ x ≤ 1', '1 < x ≤ 1,5', 'x > 1,5']
    """
    return _result(_series(values), cutoffs, belongs_to)


def quantiles(values, *, k: int) -> Classification:
    """k classes of (about) equal size: boundaries at the j/k quantiles (linear interpolation, numpy's
    default), classes right-closed (``b_{j−1} < x ≤ b_j``) as in ``mapclassify.Quantiles``.

    ``k = 1`` (e.g. a Kreis that is a single Gemeinde, or areas that all share one value) gives one
    class without boundaries: there is nothing to compare.

    Examples
    --------
    >>> quantiles([1.0, 2.0, 3.0, 4.0, 5.0], k=5).classes.tolist()
    [1, 2, 3, 4, 5]
    >>> quantiles([6.4], k=1).breaks, quantiles([6.4], k=1).classes.tolist()
    ((), [1])
    """
    s = _series(values)
    if int(k) < 1:
        raise SozialplanungError(f"Für Quantilsklassen wird mindestens 1 Klasse gebraucht, erhalten: k = {k}.")
    qs = np.quantile(_valid(s), np.arange(1, k) / k)
    breaks = np.unique(qs)  # tied values can make boundaries coincide; then fewer classes result
    return _result(s, breaks, ["lower"] * len(breaks))


def mapclassify_scheme(values, *, scheme: str, **kwargs) -> Classification:
    """Any mapclassify scheme (e.g. ``"FisherJenks"``, ``"EqualInterval"``, ``"HeadTailBreaks"``).

    mapclassify's classes are right-closed (``C_{j−1} < y ≤ C_j``, Slocum 2009), so every boundary
    belongs to the lower class. Missing values are left out and stay missing.
    """
    import mapclassify

    s = _series(values)
    y = _valid(s)
    if np.unique(y).size == 1 or kwargs.get("k") == 1:  # one value or one class: mapclassify fails, nothing to split
        return _result(s, (), ())
    try:
        cls = getattr(mapclassify, scheme)
    except AttributeError:
        raise SozialplanungError(f"Unbekanntes mapclassify-Verfahren „{scheme}“.", hint="z. B. FisherJenks, EqualInterval, Quantiles") from None
    with warnings.catch_warnings():  # "Numba not installed": only slower, same result
        warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)
        bins = np.asarray(cls(y, **kwargs).bins, dtype=float)
    breaks = np.unique(bins[bins < y.max()])
    return _result(s, breaks, ["lower"] * len(breaks))


def natural_breaks(values, *, k: int) -> Classification:
    """Natural breaks by the Fisher–Jenks algorithm (optimal, ``mapclassify.FisherJenks``), right-closed."""
    return mapclassify_scheme(values, scheme="FisherJenks", k=int(k))


def equal_interval(values, *, k: int) -> Classification:
    """k classes of equal width between minimum and maximum (``mapclassify.EqualInterval``), right-closed."""
    return mapclassify_scheme(values, scheme="EqualInterval", k=int(k))


def classify_columns(scores, rule: str, **kwargs) -> np.ndarray:
    """Class numbers 1..k (0 = missing) for each column of an n × r matrix, e.g. r simulation runs.

    ``sd_cutoffs`` runs at numpy speed on the whole matrix; other rules are applied column by column.
    """
    scores = np.asarray(scores, dtype=float)
    if rule == "sd_cutoffs":
        return apply_cutoffs(scores, kwargs["cutoffs"], kwargs["belongs_to"])
    return np.column_stack([RULES[rule](col, **kwargs).classes.to_numpy(int, na_value=0) for col in scores.T])


#: Name in a recipe → class rule.
RULES = {
    "sd_cutoffs": sd_cutoffs,
    "quantiles": quantiles,
    "natural_breaks": natural_breaks,
    "equal_interval": equal_interval,
    "mapclassify": mapclassify_scheme,
}
