"""Charts: reference lines, German axes, alt text."""


import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import sozialplanung.viz.charts as charts
from sozialplanung.errors import SozialplanungError


def reference_lines(ax):
    """Vertical/horizontal lines with a label: (label, x data)."""
    return {ln.get_label(): ln.get_xdata() for ln in ax.get_lines() if not ln.get_label().startswith("_")}


@pytest.fixture
def values():
    return pd.Series({"0101": 12.5, "0102": 8.25, "0103": 3.0, "0104": np.nan})


def test_compare_bar_reference_lines_and_order(values):
    fig = charts.compare_bar(values, {"0101": "Mitte", "0102": "Tiergarten"},
                             {"Bezirk Mitte": 12.1, "Berlin": 10.3}, title="Arbeitslosigkeit")
    ax = fig.axes[0]
    lines = reference_lines(ax)
    assert set(lines) == {"Bezirk Mitte: 12,1\u00a0%", "Berlin: 10,3\u00a0%"}
    assert list(lines["Berlin: 10,3\u00a0%"]) == [10.3, 10.3]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "0101 Mitte" and labels[0] == "0104"  # highest on top, missing at the bottom
    assert "keine Angabe" in [t.get_text() for t in ax.texts]
    assert "12,5\u00a0%" in [t.get_text() for t in ax.texts]
    assert fig.alt_text.startswith("Balkendiagramm: Arbeitslosigkeit. 4 Gebiete, von 3,0 % (0103) bis 12,5 %")
    assert "1 Gebiet liegt über dem Wert für Bezirk Mitte" in fig.alt_text


def test_compare_bar_german_ticks(values):
    fig = charts.compare_bar(values * 1000, reference={"Kreis": 5000.0}, unit=None)
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert any("." in t for t in ticks) and not any("," in t for t in ticks)  # 10.000, integer ticks


def test_compare_bar_highlight_and_limits(values):
    fig = charts.compare_bar(values, highlight=["0102"])
    colors = {tuple(p.get_facecolor()) for p in fig.axes[0].patches}
    assert len(colors) == 2
    with pytest.raises(SozialplanungError, match="Höchstens 4 Vergleichswerte"):
        charts.compare_bar(values, reference={str(i): i for i in range(5)})


def test_german_formatter():
    f = charts.GermanFormatter()
    f.set_locs([0, 0.25, 0.5])
    assert [f(x) for x in (0, 0.25, 0.5)] == ["0,00", "0,25", "0,50"]
    f.set_locs([-2000, 0, 2000])
    assert f(-2000) == "\u22122.000"
    assert charts.GermanFormatter(1, suffix="\u00a0%")(3) == "3,0\u00a0%"


def test_axes_argument_reuses_figure(values):
    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    charts.compare_bar(values, ax=ax1, title="A")
    out = charts.compare_bar(values, ax=ax2, title="B")
    assert out is fig and "Balkendiagramm: A" in fig.alt_text and "Balkendiagramm: B" in fig.alt_text
