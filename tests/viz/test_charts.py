"""Charts: reference lines, German axes, alt text."""


import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

import sozialplanung.viz.charts as charts
from sozialplanung.errors import SozialplanungError


NS = "{http://www.w3.org/2000/svg}"


def texts(fig):
    return [t.text for t in ET.fromstring(fig.svg).iter(NS + "text")]


@pytest.fixture
def values():
    return pd.Series({"0101": 12.5, "0102": 8.25, "0103": 3.0, "0104": np.nan})


def test_compare_bar_reference_lines_and_order(values):
    fig = charts.compare_bar(values, {"0101": "Mitte", "0102": "Tiergarten"},
                             {"Bezirk Mitte": 12.1, "Berlin": 10.3}, title="Arbeitslosigkeit")
    shown = texts(fig)
    assert "Bezirk Mitte: 12,1\u00a0%" in shown and "Berlin: 10,3\u00a0%" in shown
    assert len(re.findall(r'stroke-dasharray="[^"]*"', fig.svg)) == 4  # two lines, two legend samples
    labels = [t for t in shown if t.startswith("01")]
    assert labels[0] == "0101 Mitte" and labels[-1] == "0104"  # highest on top, missing at the bottom
    assert "keine Angabe" in shown and "12,5\u00a0%" in shown
    assert "<title>0101 Mitte: 12,5\u00a0%</title>" in fig.svg
    assert fig.alt_text.startswith("Balkendiagramm: Arbeitslosigkeit. 4 Gebiete, von 3,0 % (0103) bis 12,5 %")
    assert "1 Gebiet liegt über dem Wert für Bezirk Mitte" in fig.alt_text


def test_compare_bar_german_ticks(values):
    fig = charts.compare_bar(values * 1000, reference={"Kreis": 5000.0}, unit=None)
    shown = texts(fig)
    ticks = shown[:shown.index("0101")]  # the axis comes first
    assert any("." in t for t in ticks) and not any("," in t for t in ticks)  # 10.000, integer ticks


def test_compare_bar_highlight_and_limits(values):
    fig = charts.compare_bar(values, highlight=["0102"])
    colors = set(re.findall(r'<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="([^"]+)"', fig.svg))
    assert colors == {charts.BAR_COLOR, charts.HIGHLIGHT_COLOR}
    with pytest.raises(SozialplanungError, match="Höchstens 4 Vergleichswerte"):
        charts.compare_bar(values, reference={str(i): i for i in range(5)})


def test_compare_bar_is_encoded_as_it_is(values):
    from sozialplanung.viz import figures

    fig = charts.compare_bar(values, title="A <b>")
    enc = figures.encode(fig)
    assert enc.svg == fig.svg and enc.alt == fig.alt_text and fig._repr_svg_() == fig.svg
    assert "A &lt;b&gt;" in fig.svg


def test_german_formatter():
    f = charts.GermanFormatter()
    f.set_locs([0, 0.25, 0.5])
    assert [f(x) for x in (0, 0.25, 0.5)] == ["0,00", "0,25", "0,50"]
    f.set_locs([-2000, 0, 2000])
    assert f(-2000) == "\u22122.000"
    assert charts.GermanFormatter(1, suffix="\u00a0%")(3) == "3,0\u00a0%"
