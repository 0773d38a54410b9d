"""Trend charts: one indicator over the report years, an area against its parent area and the Kommune.

Written as SVG directly, like the bar charts of :mod:`sozialplanung.viz.charts`: one ``<circle>`` with a
``<title>`` per published value, lines that differ in colour *and* dash pattern (grey-scale print, colour vision
deficiencies), German numbers. Two things a reader must see are drawn, not only told:

* **interpolated values** (carried from an older Gebietsstand by a Gebietsschlüssel) are hollow markers;
* a **Zeitreihenbruch** (the definition changed between two years) is a vertical dotted line labelled „Bruch“,
  and no line joins the values across it.

A missing (withheld or not published) value leaves a gap; it is never bridged or drawn as zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.ticker import MaxNLocator

from sozialplanung.data.labels import value as fmt_value
from sozialplanung.errors import SozialplanungError
from sozialplanung.formatting import fmt_number
from sozialplanung.viz import palettes, svg
from sozialplanung.viz.figures import ShownAsSvg

__all__ = ["TrendFigure", "trend_chart", "side_by_side", "LINE_COLORS", "DASHES"]

LINE_COLORS = [palettes.BAR, *palettes.REFERENCE_LINES]
"""The first line (the area) in the bar colour, reference lines in the colours of the bar charts' lines."""
DASHES = ["", "6 3", "1.5 2", "6 2 1.5 2", "5 1 1 1 1 1"]


class TrendFigure(ShownAsSvg):
    """A trend chart: ``svg`` (standalone), ``alt_text``, ``caption_notes`` (what the markers mean)."""

    def __init__(self, svg_text: str, alt_text: str, caption_notes: list[str]):
        self.svg, self.alt_text, self.caption_notes = svg_text, alt_text, caption_notes


def _segments(years, values, breaks) -> list[list[int]]:
    """Runs of consecutive positions with a value, cut at every gap and every break."""
    runs, run = [], []
    for k, v in enumerate(values):
        cut = k and (years[k - 1], years[k]) in breaks
        if np.isnan(v) or cut:
            if len(run):
                runs.append(run)
            run = []
        if not np.isnan(v):
            run.append(k)
    return runs + ([run] if run else [])


def _legend(labels: list[str], height: float) -> tuple[str, float]:
    """One row of line samples with their labels at the bottom; returns the SVG and the width used."""
    out, x = [], 4.0
    for k, label in enumerate(labels):
        dash = f' stroke-dasharray="{DASHES[k]}"' if DASHES[k] else ""
        out.append(f'<path d="M{x:.1f} {height - 6:.1f}h16" stroke="{LINE_COLORS[k]}" stroke-width="1.5"{dash}/>'
                   + svg.text(x + 19, height - 3.5, label, 7.5))
        x += 26 + svg.text_width(label, 7.5)
    return "".join(out), x


def _alt(title, years, lines, unit, decimals, breaks) -> str:
    parts = []
    for label, vals in lines.items():
        shown = [(y, v) for y, v in zip(years, vals) if not np.isnan(v)]
        if not shown:
            parts.append(f"{label}: keine Werte")
            continue
        (y0, v0), (y1, v1) = shown[0], shown[-1]
        parts.append(f"{label} {fmt_value(v0, unit, decimals)} ({y0})"
                     + (f" bis {fmt_value(v1, unit, decimals)} ({y1})" if y1 != y0 else ""))
    text = f"Liniendiagramm: {title}, {years[0]}–{years[-1]}. " + "; ".join(parts) + "."
    if breaks:
        text += " Zeitreihenbruch " + ", ".join(f"{a}–{b}" for a, b in sorted(breaks)) + " (nicht verbunden)."
    return text


def trend_chart(years: Sequence[int], lines: Mapping[str, Sequence[float]], *, title: str, unit: str | None = "%",
                decimals: int = 1, interpolated: Sequence[bool] | None = None, breaks=(), width: float = 340.0,
                height: float = 150.0) -> TrendFigure:
    """Lines of one indicator over ``years``: the first of ``lines`` is the area (solid, markers), the others
    reference values (dashed). ``interpolated`` (per year, for the first line) draws hollow markers; ``breaks``
    are pairs ``(year before, year after)`` not joined.

    >>> fig = trend_chart([2019, 2021], {"0101 Mitte": [4.0, float("nan")], "Berlin": [5.5, 5.0]},
    ...                   title="Arbeitslosigkeit", interpolated=[True, False])
    >>> print(fig.alt_text.replace("\u00a0", " "))  # numbers and units joined by a no-break space
    Liniendiagramm: Arbeitslosigkeit, 2019–2021. 0101 Mitte 4,0 % (2019); Berlin 5,5 % (2019) bis 5,0 % (2021).
    >>> fig.caption_notes
    ['Hohle Punkte: aus einem älteren Gebietsstand übertragene (interpolierte) Werte.']
    """
    years = [int(y) for y in years]
    lines = {k: np.asarray(v, dtype=float) for k, v in lines.items()}
    if not years or not lines or any(len(v) != len(years) for v in lines.values()):
        raise SozialplanungError("Trenddiagramm: je Linie ein Wert je Jahr nötig.")
    if len(lines) > len(LINE_COLORS):
        raise SozialplanungError(f"Trenddiagramm: höchstens {len(LINE_COLORS)} Linien, erhalten: {len(lines)}.")
    breaks = {(int(a), int(b)) for a, b in breaks}
    interp = list(interpolated) if interpolated is not None else [False] * len(years)
    allv = np.concatenate(list(lines.values()))
    if np.isnan(allv).all():
        allv = np.array([0.0, 1.0])
    ticks = MaxNLocator(nbins=4).tick_values(float(np.nanmin(allv)), float(np.nanmax(allv)))
    lo, hi = float(ticks[0]), float(ticks[-1]) if ticks[-1] > ticks[0] else float(ticks[0]) + 1
    tick_dec = next((d for d in range(4) if np.allclose(np.round(ticks, d), ticks)), 3)
    left, right, top = 44.0, width - 10, 30.0
    bottom = height - 28
    span = (years[-1] - years[0]) or 1
    px = lambda y: left + (y - years[0]) / span * (right - left) if len(years) > 1 else (left + right) / 2  # noqa: E731
    py = lambda v: bottom - (v - lo) / (hi - lo) * (bottom - top)  # noqa: E731
    out = [svg.text(2, 12, title + (f" (in {unit})" if unit else ""), 9)]
    for t in ticks:
        out.append(f'<path d="M{left:.1f} {py(t):.1f}H{right:.1f}" stroke="{palettes.GRID}" stroke-width="0.6"/>'
                   + svg.text(left - 4, py(t) + 2.8, fmt_number(float(t), tick_dec), 7.5, anchor="end"))
    for y in years:
        out.append(svg.text(px(y), bottom + 11, str(y), 7.5, anchor="middle"))
    for a, b in sorted(breaks):
        if a in years and b in years:
            x = (px(a) + px(b)) / 2
            out.append(f'<path d="M{x:.1f} {top - 3:.1f}V{bottom:.1f}" stroke="{palettes.NEUTRAL}" '
                       f'stroke-width="1" stroke-dasharray="1.5 2"/>'
                       + svg.text(x, top - 6, "Bruch", 7, anchor="middle", fill=palettes.NOTE_TEXT))  # below the title
    for k, (label, vals) in enumerate(lines.items()):
        color, dash = LINE_COLORS[k], DASHES[k]
        style = f' stroke-dasharray="{dash}"' if dash else ""
        for run in _segments(years, vals, breaks):
            if len(run) > 1:
                d = "M" + "L".join(f"{px(years[i]):.1f} {py(vals[i]):.1f}" for i in run)
                out.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="{1.8 if k == 0 else 1.3}"{style}/>')
        for i, v in enumerate(vals):
            if np.isnan(v):
                continue
            hollow = k == 0 and interp[i]
            note = " (übertragen)" if hollow else ""
            fill = palettes.PAPER if hollow else color
            out.append(f'<circle cx="{px(years[i]):.1f}" cy="{py(v):.1f}" r="{2.6 if k == 0 else 1.8}" fill="{fill}" '
                       f'stroke="{color}" stroke-width="1.2"><title>'
                       f'{svg.esc(f"{label} {years[i]}: {fmt_value(v, unit, decimals)}{note}")}</title></circle>')
    legend, x = _legend(list(lines), height)
    out.append(legend)
    notes = (["Hohle Punkte: aus einem älteren Gebietsstand übertragene (interpolierte) Werte."]
             if any(interp[i] and not np.isnan(v) for i, v in enumerate(next(iter(lines.values())))) else [])
    if breaks:
        notes.append("„Bruch“: die Definition hat sich zwischen den Jahren geändert; die Werte sind nicht verbunden.")
    return TrendFigure(svg.document(max(width, x), height, "".join(out)),
                       _alt(title, years, lines, unit, decimals, breaks), notes)


def side_by_side(figs: Sequence[TrendFigure], gap: float = 6.0) -> TrendFigure:
    """Several trend charts in one row (each as a nested ``<svg>``); alt texts and notes joined."""
    import re

    parts, x, height = [], 0.0, 0.0
    for fig in figs:
        head = re.match(r'<svg[^>]*viewBox="0 0 ([\d.]+) ([\d.]+)"[^>]*>', fig.svg)
        w, h = float(head.group(1)), float(head.group(2))
        body = fig.svg[head.end():-len("</svg>")]
        parts.append(f'<svg x="{x:.1f}" y="0" width="{w:.1f}" height="{h:.1f}" viewBox="0 0 {w:.1f} {h:.1f}">{body}</svg>')
        x, height = x + w + gap, max(height, h)
    notes = list(dict.fromkeys(n for f in figs for n in f.caption_notes))
    return TrendFigure(svg.document(max(x - gap, 1.0), height, "".join(parts)), " ".join(f.alt_text for f in figs), notes)
