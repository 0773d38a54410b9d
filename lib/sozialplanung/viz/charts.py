"""Charts that compare areas with reference values: ranked bars, Steckbrief profiles, time series.

The charts use the palette of :mod:`sozialplanung.viz.palettes`, German numbers on the axes
(:class:`GermanFormatter`) and set a German ``fig.alt_text``. Reference values (Bezirk,
Kommune, Land) are drawn as labelled lines that differ in colour *and* line style, so
they stay distinguishable in grey-scale print and with colour vision deficiencies.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import matplotlib.patheffects as pe
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

from sozialplanung.errors import SozialplanungError
from sozialplanung.formatting import NBSP, fmt_count, fmt_number, round_half_up
from sozialplanung.viz import palettes

__all__ = ["GermanFormatter", "compare_bar", "BAR_COLOR", "REFERENCE_STYLES"]

BAR_COLOR = palettes.BAR
"""Colour of the areas' own values."""
HIGHLIGHT_COLOR = palettes.HIGHLIGHT
REFERENCE_STYLES = [{"color": c, "linestyle": ls} for c, ls in
                    zip(palettes.REFERENCE_LINES, ["--", ":", "-.", (0, (5, 1, 1, 1, 1, 1))])]
"""Line styles for reference values, in the order of the ``reference`` mapping."""


class GermanFormatter(Formatter):
    """Axis tick labels with decimal comma and thousands point.

    With ``decimals=None`` the number of decimals is the fewest that keeps all ticks
    distinct (at most 3).

    Examples
    --------
    >>> f = GermanFormatter()
    >>> f.set_locs([0, 2.5, 5, 7.5]); f(2.5), f(5)
    ('2,5', '5,0')
    >>> GermanFormatter(0)(12345)
    '12.345'
    """

    def __init__(self, decimals: int | None = None, suffix: str = ""):
        self.decimals = decimals
        self.suffix = suffix
        self._auto = 0

    def set_locs(self, locs):
        finite = [x for x in locs if math.isfinite(x)]
        for d in range(4):
            if len({round(x, d) for x in finite}) == len(finite) and all(abs(x - round(x, d)) < 1e-9 for x in finite):
                break
        self._auto = d

    def __call__(self, x, pos=None):
        d = self._auto if self.decimals is None else self.decimals
        return fmt_number(x, d) + self.suffix


def _unit_suffix(unit: str | None) -> str:
    return f"{NBSP}{unit}" if unit else ""


def _fmt(x, decimals, unit):
    return fmt_number(x, decimals) + _unit_suffix(unit)


def _new(ax, figsize):
    if ax is None:
        fig = Figure(figsize=figsize, layout="constrained")
        return fig, fig.add_subplot()
    return ax.figure, ax


def _set_alt(fig, text):
    previous = getattr(fig, "alt_text", "")
    fig.alt_text = f"{previous} {text}".strip() if previous else text


def _note(ax, source_note, below=None):
    """Source line at the left, under ``below`` (an artist, default the x-axis label)."""
    if source_note:
        anchor = below if below is not None else ax.xaxis.label
        ax.annotate(source_note, xy=(0, 0), xycoords=(ax.transAxes, anchor), xytext=(0, -6),
                    textcoords="offset points", ha="left", va="top", fontsize=6.5, color=palettes.NOTE_TEXT, wrap=True)


def _style_axes(ax):
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def compare_bar(
    values: pd.Series,
    names: pd.Series | Mapping | None = None,
    reference: Mapping[str, float] | None = None,
    *,
    unit: str | None = "%",
    decimals: int = 1,
    title: str | None = None,
    xlabel: str | None = None,
    source_note: str | None = None,
    highlight=None,
    ascending: bool = False,
    ax=None,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Horizontal bars of one indicator per area, sorted, with labelled reference lines.

    Parameters
    ----------
    values : Series
        Indicator value per area, indexed by gebiet_id.
    names : Series or mapping, optional
        Area name per id; bars are labelled ``"id name"``.
    reference : mapping label → value, optional
        E.g. ``{"Bezirk Mitte": 12.1, "Berlin": 10.3}``; one labelled line each.
    unit : str, default="%"
    decimals : int, default=1
    highlight : iterable of ids, optional
        Bars drawn in a contrasting colour (e.g. the area of a Steckbrief).
    ascending : bool, default=False
        False: the highest value on top.
    source_note : str, optional
        Source printed under the chart.

    Returns
    -------
    matplotlib.figure.Figure
        With ``fig.alt_text``.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.Series({"0101": 12.5, "0102": 8.25, "0103": None})
    >>> fig = compare_bar(v, {"0101": "Mitte", "0102": "Tiergarten"}, {"Berlin": 10.3},
    ...                   title="Arbeitslosigkeit")
    >>> print(fig.alt_text)  # doctest: +NORMALIZE_WHITESPACE
    Balkendiagramm: Arbeitslosigkeit. 3 Gebiete, von 8,3 % (0102 Tiergarten) bis 12,5 % (0101 Mitte);
    1 Gebiet ohne Angabe. Vergleichswerte: Berlin 10,3 %. 1 Gebiet liegt über dem Wert für Berlin.
    """
    values = pd.to_numeric(pd.Series(values), errors="coerce")
    if values.empty:
        raise SozialplanungError("Keine Werte für das Balkendiagramm.")
    values.index = values.index.astype(str)
    names = {} if names is None else {str(k): v for k, v in dict(names).items()}
    reference = dict(reference or {})
    if len(reference) > len(REFERENCE_STYLES):
        raise SozialplanungError(f"Höchstens {len(REFERENCE_STYLES)} Vergleichswerte, erhalten: {len(reference)}.")
    order = values.sort_values(ascending=not ascending, na_position="first").index  # barh draws bottom-up
    labels = [f"{i} {names[i]}" if names.get(i) else i for i in order]
    highlight = {str(h) for h in (highlight or [])}
    n = len(order)
    fig, ax = _new(ax, figsize or (7.0, 1.2 + 0.22 * n + 0.25 * len(reference)))
    y = np.arange(n)
    shown = values[order].fillna(0).to_numpy()
    colors = [HIGHLIGHT_COLOR if i in highlight else BAR_COLOR for i in order]
    ax.barh(y, shown, color=colors, height=0.7)
    ax.set_yticks(y, labels, fontsize=7 if n > 25 else 8)
    ax.set_ylim(-0.6, n - 0.4)
    span = np.nanmax(np.abs(np.r_[values.to_numpy(dtype=float), list(reference.values()), 0]))
    for yi, area_id in zip(y, order):
        v = values[area_id]
        text = "keine Angabe" if pd.isna(v) else _fmt(v, decimals, unit)
        ax.text((0 if pd.isna(v) else v) + 0.01 * span * (1 if (pd.isna(v) or v >= 0) else -1), yi, text,
                va="center", ha="left" if pd.isna(v) or v >= 0 else "right", fontsize=6.5,
                path_effects=[pe.withStroke(linewidth=2, foreground="white")], zorder=4)
    for k, ((label, ref), style) in enumerate(zip(reference.items(), REFERENCE_STYLES)):
        ax.axvline(ref, linewidth=1.4, zorder=3, label=f"{label}: {_fmt(ref, decimals, unit)}", **style)
    legend = None
    if reference:
        legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0), ncols=min(3, len(reference)),
                           frameon=False, fontsize=8)
    ax.xaxis.set_major_formatter(GermanFormatter())
    ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlim(min(0, np.nanmin(shown)) * 1.15, max(span, 1e-9) * 1.15)
    if xlabel or unit:
        ax.set_xlabel(xlabel or f"in {unit}", fontsize=8)
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    _style_axes(ax)
    ax.spines["bottom"].set_visible(False)
    ax.spines["top"].set_visible(True)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    _note(ax, source_note, below=legend if legend is not None else ax)
    valid = values.dropna().sort_values()
    lo, hi = valid.index[0], valid.index[-1]
    alt = (f"Balkendiagramm: {title or values.name or 'Vergleich'}. {fmt_count(n, 'Gebiet', 'Gebiete')}, "
           f"von {_fmt(valid[lo], decimals, unit)} ({lo} {names.get(lo, '')}".rstrip() + ") bis "
           f"{_fmt(valid[hi], decimals, unit)} ({hi} {names.get(hi, '')}".rstrip() + ")")
    if values.isna().any():
        alt += f"; {fmt_count(int(values.isna().sum()), 'Gebiet', 'Gebiete')} ohne Angabe"
    alt += "."
    if reference:
        alt += " Vergleichswerte: " + ", ".join(f"{k} {_fmt(r, decimals, unit)}" for k, r in reference.items()) + "."
        first, ref = next(iter(reference.items()))
        above = int((valid.map(lambda v: round_half_up(v, decimals)) > round_half_up(ref, decimals)).sum())
        alt += f" {fmt_count(above, 'Gebiet liegt', 'Gebiete liegen')} über dem Wert für {first}."
    _set_alt(fig, alt.replace(f"{NBSP}", " "))
    return fig
