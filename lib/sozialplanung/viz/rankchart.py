"""Rank chart of a Vergleichsring: one strip per indicator with every Kreise's value, the ring and the Kreis.

Each strip is a value axis from the lowest to the highest value of all Kreise: every Kreis is a thin grey
tick, the members of the Vergleichsring are blue dots, the Kreis of the report a larger vermilion dot with a
black ring (Okabe–Ito colours, :mod:`sozialplanung.viz.palettes`; the three marks also differ in shape and
size, so the chart reads without colour). Above the strip: indicator, unit, and the Kreis's rank among all
Kreise and within its ring. Written directly as SVG (:mod:`sozialplanung.viz.svg`), like the maps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sozialplanung.formatting import fmt_int, fmt_number
from sozialplanung.viz import palettes
from sozialplanung.viz import svg

__all__ = ["RankChart", "rank_chart"]

WIDTH = 480.0
LEFT, RIGHT = 8.0, 8.0
ROW = 58.0
"""Height of one indicator strip in pt."""


@dataclass(frozen=True)
class RankChart:
    """A drawn rank chart: ``svg`` (standalone) and ``alt_text`` (read by :func:`sozialplanung.viz.figures.encode`)."""

    svg: str
    alt_text: str

    def _repr_svg_(self) -> str:  # notebooks show the same SVG as the report
        return self.svg


def _x(value: float, lo: float, hi: float) -> float:
    share = 0.5 if hi == lo else (value - lo) / (hi - lo)
    return LEFT + share * (WIDTH - LEFT - RIGHT)


def _strip(y: float, values: pd.Series, peers, kreis: str, title: str, position: str, decimals: int) -> str:
    """One indicator: title and rank line, the ticks of all Kreise, the ring's dots, the Kreis's dot."""
    v = values.dropna()
    lo, hi = float(v.min()), float(v.max())
    base = y + 30
    out = [svg.text(LEFT, y + 10, title, 9, weight="bold"),
           svg.text(WIDTH - RIGHT, y + 10, position, 8, anchor="end"),
           f'<line x1="{LEFT:.1f}" y1="{base:.1f}" x2="{WIDTH - RIGHT:.1f}" y2="{base:.1f}" '
           f'stroke="{palettes.GRID}" stroke-width="1"/>']
    ticks = "".join(f"M{_x(x, lo, hi):.1f} {base - 6:.1f}v12" for x in v.to_numpy())
    out.append(f'<path d="{ticks}" stroke="{palettes.NEUTRAL}" stroke-width="0.6" stroke-opacity="0.7"/>')
    for gid in (p for p in peers if p != kreis and p in v.index):
        out.append(f'<circle cx="{_x(v[gid], lo, hi):.1f}" cy="{base:.1f}" r="3.2" fill="{palettes.BAR}" '
                   f'stroke="{palettes.PAPER}" stroke-width="0.6"/>')
    if kreis in v.index:
        out.append(f'<circle cx="{_x(v[kreis], lo, hi):.1f}" cy="{base:.1f}" r="5" fill="{palettes.HIGHLIGHT}" '
                   f'stroke="{palettes.INK}" stroke-width="1.2"/>')
    out += [svg.text(LEFT, base + 17, fmt_number(lo, decimals), 7.5, fill=palettes.NOTE_TEXT),
            svg.text(WIDTH - RIGHT, base + 17, fmt_number(hi, decimals), 7.5, anchor="end", fill=palettes.NOTE_TEXT)]
    return "".join(out)


def _legend(y: float, kreis_name: str) -> str:
    x, out = LEFT, []
    for mark, label in ((f'<path d="M{{x:.1f}} {y - 6:.1f}v12" stroke="{palettes.NEUTRAL}" stroke-width="1"/>',
                         "alle Kreise"),
                        (f'<circle cx="{{x:.1f}}" cy="{y:.1f}" r="3.2" fill="{palettes.BAR}"/>', "Vergleichsring"),
                        (f'<circle cx="{{x:.1f}}" cy="{y:.1f}" r="5" fill="{palettes.HIGHLIGHT}" '
                         f'stroke="{palettes.INK}" stroke-width="1.2"/>', kreis_name)):
        out.append(mark.format(x=x + 4) + svg.text(x + 12, y + 3, label, 8))
        x += 24 + svg.text_width(label, 8)
    return "".join(out)


def rank_chart(values: pd.DataFrame, titles: dict[str, str], peers, kreis: str, kreis_name: str,
               positions: dict[str, str], decimals: int = 1) -> RankChart:
    """The rank chart of ``kreis`` (values: gebiet_id × indicator of all Kreise; ``peers``: ids of the ring;
    ``titles`` and ``positions``: per indicator the title and the rank sentence shown above its strip)."""
    cols = list(titles)
    if not cols:
        raise ValueError("rank_chart braucht mindestens einen Indikator.")
    body = [_legend(12.0, kreis_name)]
    for row, col in enumerate(cols):
        body.append(_strip(26 + row * ROW, values[col], list(peers), kreis, titles[col], positions[col], decimals))
    height = 26 + len(cols) * ROW
    alt = (f"Rangdiagramm: {kreis_name} unter allen {fmt_int(int(values[cols[0]].notna().sum()))} Kreisen und im "
           f"Vergleichsring ({fmt_int(len(list(peers)))} Kreise); "
           + "; ".join(f"{titles[c]}: {positions[c]}" for c in cols) + ".")
    return RankChart(svg.document(WIDTH, height, "".join(body)), alt)


def position_text(rank, n: int, ring_rank, ring_n: int) -> str:
    """``Rang 12 von 400 · im Vergleichsring 3 von 6`` (``–`` without a value)."""
    first = f"Rang {fmt_int(rank)} von {fmt_int(n)}" if rank is not None and not np.isnan(rank) else "ohne Wert"
    ring = f"im Vergleichsring {fmt_int(ring_rank)} von {fmt_int(ring_n)}" if ring_rank is not None else ""
    return f"{first} · {ring}" if ring else first
