"""Trend charts: gaps and Zeitreihenbrüche are never bridged, interpolated values are hollow markers."""

from __future__ import annotations

import doctest
import re

import pytest

from sozialplanung.errors import SozialplanungError
from sozialplanung.viz import trend
from sozialplanung.viz.trend import side_by_side, trend_chart

NAN = float("nan")
YEARS = [2013, 2015, 2017, 2019, 2021]


def test_doctests():
    assert doctest.testmod(trend).failed == 0


def _lines(svg: str) -> list[int]:
    """Number of points of each drawn line (``<path d="M…L…">`` with fill none)."""
    return [d.count("L") + 1 for d in re.findall(r'<path d="(M[^"]*)" fill="none"', svg)]


def test_gap_and_break_cut_the_line_and_markers_say_what_they_are():
    fig = trend_chart(YEARS, {"0101 Mitte": [1, 2, NAN, 4, 5], "Berlin": [2, 2, 2, 2, 2]}, title="S1",
                      interpolated=[True, True, False, True, False], breaks=[(2019, 2021)])
    # area: 2013–2015 (2017 missing), 2019 alone before the break, 2021 alone after it: one line of 2 points;
    # Berlin: 2013–2019 joined, 2021 cut off by the break
    assert sorted(_lines(fig.svg)) == [2, 4]
    circles = re.findall(r'<circle [^>]*fill="([^"]+)"[^>]*><title>([^<]*)</title>', fig.svg)
    area = [(fill, t) for fill, t in circles if t.startswith("0101")]
    assert len(area) == 4  # no marker for the missing 2017
    assert [fill == "#ffffff" for fill, _ in area] == [True, True, True, False]
    assert all("(übertragen)" in t for fill, t in area if fill == "#ffffff")
    assert fig.svg.count(">Bruch<") == 1 and "Zeitreihenbruch 2019–2021" in fig.alt_text
    assert len(fig.caption_notes) == 2


def test_no_interpolated_value_no_note_and_side_by_side_keeps_every_panel():
    a = trend_chart([2019, 2021], {"x": [1.5, 2.5]}, title="S1", width=170)
    b = trend_chart([2019, 2021], {"x": [NAN, NAN]}, title="S3", width=170)
    assert a.caption_notes == [] and "x: keine Werte" in b.alt_text
    both = side_by_side([a, b])
    assert both.svg.count("<svg") == 3 and "S1" in both.alt_text and "S3" in both.alt_text


def test_bad_input_in_german():
    with pytest.raises(SozialplanungError, match="je Linie ein Wert je Jahr"):
        trend_chart([2019, 2021], {"x": [1.0]}, title="S1")
