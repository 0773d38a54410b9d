"""Every colour of the report's maps, charts and legends, defined once.

Rules
-----
* **Ordered classes** (index classes, Handlungsbedarf, quantile or natural-break classes of an
  indicator map, classes of a score) use a *sequential* ramp that gets darker from class to
  class: darker always means more disadvantage (for a resource indicator, polarity −1, the ramp
  is reversed, so the lowest values are darkest). Lightness alone carries the order, so the
  order survives grey-scale print and every colour vision deficiency.
* **Categories** without an order (cluster types, which are named neutrally) use Okabe–Ito.
* **LISA clusters** are categorical but follow the GeoDa convention: warm for a high value
  (Hoch-Hoch dark, Hoch-Niedrig light), cool for a low one (Niedrig-Niedrig dark,
  Niedrig-Hoch light), greys for the rest.
* The **direction of a change** of class between two editions (günstiger, unverändert, ungünstiger) uses
  the blue and orange of better/worse deviations around a light grey.
* Continuous **diverging** values around zero (the z-value heatmap of the type profiles) use
  ColorBrewer RdBu.

Sources
-------
* ColorBrewer: Harrower, M. & Brewer, C. A. (2003): ColorBrewer.org: An Online Tool for Selecting
  Colour Schemes for Maps. *The Cartographic Journal* 40(1), 27–37 (https://colorbrewer2.org);
  the schemes YlGnBu, YlOrBr, Purples and RdBu as shipped with matplotlib. ColorBrewer marks its
  sequential schemes as colour-blind safe.
* Okabe, M. & Ito, K. (2008): Color Universal Design (CUD) – How to make figures and presentations
  that are friendly to colorblind people (https://jfly.uni-koeln.de/color/).
* GeoDa LISA cluster colours: Anselin, L. (2005): Exploring Spatial Data with GeoDa: A Workbook.
* Lightness: CIE 1976 L*a*b* (CIE 15:2004) from sRGB (IEC 61966-2-1), white point D65.
"""

from __future__ import annotations

import functools

import matplotlib
import matplotlib.colors as mcolors
import numpy as np

__all__ = [
    "NEED", "CHANGE", "DESCRIPTIVE", "DIVERGING", "OKABE_ITO", "CATEGORICAL", "LISA",
    "CONTEXT", "MISSING", "EDGE", "PARENT", "SUPPRESSED_EDGE", "LEGEND_EDGE", "NOTE_TEXT", "NEUTRAL",
    "BAND", "GRID", "BAR", "HIGHLIGHT", "BETTER", "WORSE", "UNCHANGED", "CHANGE_DIRECTION", "REFERENCE_LINES",
    "ordered", "class_colors", "categorical", "lab", "lightness", "describe",
]

# ----------------------------------------------------------------------------- ordered scales
NEED = "YlGnBu"
"""ColorBrewer YlGnBu (sequential): levels of disadvantage – Status classes, indicator and score classes."""
CHANGE = "YlOrBr"
"""ColorBrewer YlOrBr (sequential): classes of change (Dynamik-Index); darker = ungünstigere Entwicklung."""
DESCRIPTIVE = "Purples"
"""ColorBrewer Purples (sequential): descriptive indicators (polarity 0), where darker means only "higher"."""
DIVERGING = "RdBu_r"
"""ColorBrewer RdBu, reversed (blue below, red above zero): continuous values around zero."""
_RAMP_RANGE = {NEED: (0.12, 0.95), CHANGE: (0.12, 0.95), DESCRIPTIVE: (0.25, 0.95)}
"""Part of a ramp that is sampled: the lightest end is too close to white paper and to the grey of the
context areas, the darkest to the black outlines. Other matplotlib ramps use (0.12, 0.95)."""

# ----------------------------------------------------------------------------- categories
OKABE_ITO = {
    "orange": "#E69F00", "himmelblau": "#56B4E9", "blaugruen": "#009E73", "gelb": "#F0E442",
    "blau": "#0072B2", "zinnober": "#D55E00", "purpur": "#CC79A7", "schwarz": "#000000",
}
"""The Okabe–Ito palette, distinguishable with every common colour vision deficiency."""
CATEGORICAL = [OKABE_ITO[k] for k in ("blau", "orange", "blaugruen", "zinnober", "himmelblau", "purpur", "gelb",
                                      "schwarz")]
"""Colours for categories without an order (cluster types), in this order."""
LISA = {
    "Hoch-Hoch": OKABE_ITO["zinnober"], "Hoch-Niedrig": "#EAAE7F",
    "Niedrig-Niedrig": OKABE_ITO["blau"], "Niedrig-Hoch": "#7FB8D8",
    "nicht signifikant": "#d4d4d4", "ohne Nachbarn": "#8f8f8f",
}
"""LISA cluster → colour (GeoDa convention in Okabe–Ito tones; the light tones are the dark ones half mixed with white)."""

# ----------------------------------------------------------------------------- map furniture
PAPER = "#ffffff"
"""Background of figures, ground of the hatch, halo of text on maps."""
INK = "#000000"
"""Text and the scale bar."""
CONTEXT = "#f2f2f2"
"""Fill of areas outside the report (context only)."""
MISSING = "#b3b3b3"
"""Fill of areas without a value ("keine Angabe")."""
EDGE = "#ffffff"
"""Borders between areas."""
PARENT = "#333333"
"""Outlines of parent areas."""
SUPPRESSED_EDGE = "#808080"
"""Hatching and border of withheld or not assessed areas (drawn on white)."""
LEGEND_EDGE = "#999999"
"""Border of a legend patch."""
NOTE_TEXT = "#555555"
"""Source lines and small notes in figures."""
NEUTRAL = "#999999"
"""Neutral marks (stems of dot plots, deviations without polarity, cut-off lines of a dendrogram)."""
BAND = "#eeeeee"
"""Background band of the average range (−1 to 1) in profile charts."""
GRID = "#e5e5e5"
"""Grid lines of charts."""

# ----------------------------------------------------------------------------- charts
BAR = OKABE_ITO["blau"]
"""The areas' own values in bar, dot and line charts."""
HIGHLIGHT = OKABE_ITO["zinnober"]
"""A highlighted area (bars, dots, locator maps)."""
BETTER, WORSE = OKABE_ITO["blau"], OKABE_ITO["orange"]
"""Deviation from the reference: more favourable, less favourable."""
UNCHANGED = LISA["nicht signifikant"]
"""A class that did not change (between the two colours of a change, lighter than both)."""
CHANGE_DIRECTION = {"günstiger": BETTER, "unverändert": UNCHANGED, "ungünstiger": WORSE}
"""Direction of a class change between two editions (Statuswechsel map): a diverging triple, blue and orange as
:data:`BETTER` and :data:`WORSE` around a light grey; not an ordered ramp (the middle is lightest)."""
REFERENCE_LINES = [OKABE_ITO["orange"], OKABE_ITO["schwarz"], OKABE_ITO["blaugruen"], OKABE_ITO["purpur"]]
"""Colours of reference lines (each also has its own line style, see :mod:`sozialplanung.viz.charts`)."""


def ordered(n: int, ramp: str = NEED, *, reverse: bool = False) -> list[str]:
    """``n`` colours of a sequential ramp, from light (first class) to dark (last class), in equal steps of
    CIE lightness L* (so that every class boundary is equally visible).

    ``reverse=True`` runs from dark to light (a resource indicator: the lowest values are darkest).

    Examples
    --------
    >>> ordered(4)
    ['#eef8b3', '#4cbac2', '#216bae', '#13266f']
    >>> ordered(1)
    ['#2094c0']
    """
    if n < 1:
        return []
    cmap = matplotlib.colormaps[ramp]
    t, light = _lightness_profile(ramp)
    targets = np.linspace(light[0], light[-1], n) if n > 1 else [(light[0] + light[-1]) / 2]
    stops = np.interp(targets, light[::-1], t[::-1])  # equal steps in lightness, not in the ramp parameter
    colors = [mcolors.to_hex(cmap(x)) for x in stops]
    return colors[::-1] if reverse else colors


@functools.lru_cache(maxsize=None)
def _lightness_profile(ramp: str) -> tuple[np.ndarray, np.ndarray]:
    """Ramp parameter and L* at 256 points of the sampled part (L* falls along a sequential ramp)."""
    lo, hi = _RAMP_RANGE.get(ramp, (0.12, 0.95))
    t = np.linspace(lo, hi, 256)
    cmap = matplotlib.colormaps[ramp]
    return t, np.array([lightness(cmap(x)) for x in t])


def class_colors(codes, ramp: str = NEED) -> dict:
    """Class code → colour for ordered classes, in the given order (first code lightest).

    >>> class_colors([1, 3, 5], CHANGE)
    {1: '#fff7be', 3: '#ee7617', 5: '#792b05'}
    """
    codes = list(codes)
    return dict(zip(codes, ordered(len(codes), ramp)))


def categorical(keys) -> dict:
    """Key → Okabe–Ito colour for categories without an order (repeats after eight keys)."""
    keys = list(keys)
    return {k: CATEGORICAL[i % len(CATEGORICAL)] for i, k in enumerate(keys)}


# ----------------------------------------------------------------------------- colour science
_SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                         [0.2126729, 0.7151522, 0.0721750],
                         [0.0193339, 0.1191920, 0.9503041]])
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def linear_rgb(color) -> np.ndarray:
    """sRGB colour (any matplotlib colour) → linear RGB in 0..1 (IEC 61966-2-1 transfer function)."""
    rgb = np.asarray(mcolors.to_rgb(color), dtype=float)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def lab(color) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour.

    >>> [round(float(v), 1) for v in lab("#0072B2")]
    [46.0, -2.7, -41.4]
    """
    return lab_from_linear(linear_rgb(color))


def lab_from_linear(lin) -> np.ndarray:
    """CIE L*a*b* (D65) of a linear RGB triple."""
    xyz = _SRGB_TO_XYZ @ np.clip(np.asarray(lin, dtype=float), 0, 1) / _WHITE_D65
    delta = 6 / 29
    f = np.where(xyz > delta**3, np.cbrt(xyz), xyz / (3 * delta**2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])]) 


def lightness(color) -> float:
    """CIE L* (0 = black, 100 = white) of an sRGB colour.

    >>> round(lightness("#ffffff"), 1), round(lightness("#000000"), 1)
    (100.0, 0.0)
    """
    return float(lab(color)[0])


def describe() -> str:
    """The colour rules as one German sentence for the Methodenanhang."""
    return (f"Farben: geordnete Klassen in sequenziellen ColorBrewer-Verläufen mit gleichen Helligkeitsstufen "
            f"({NEED} für Status, Indikatoren und Faktorwerte, {CHANGE} für die Dynamik, {DESCRIPTIVE} für "
            "beschreibende Indikatoren ohne Polung); dunkler = ungünstiger, bei Ressourcen-Indikatoren sind "
            "niedrigere Werte dunkler. Gebietstypen (ohne Rangfolge) in Okabe-Ito-Farben, LISA-Cluster nach der "
            "GeoDa-Konvention (warm = hoher, kalt = niedriger Wert); alle Farben sind für Farbsehschwächen geeignet.")
