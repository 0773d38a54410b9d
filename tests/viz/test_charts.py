"""Charts: reference lines, German axes, alt text; figures: self-contained HTML."""

import base64

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import sozialplanung.viz.charts as charts
import sozialplanung.viz.figures as figures
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


def test_profile_dots_zero_line_and_z_mode():
    v = pd.Series({"S1": 12.0, "S4": 20.0, "S3": np.nan})
    ref = pd.Series({"S1": 10.0, "S4": 25.0, "S3": 8.0})
    sd = pd.Series({"S1": 2.0, "S4": 10.0, "S3": 1.0})
    fig = charts.profile_dots(v, ref, spread=sd, polarity={"S1": 1, "S4": 1, "S3": 1}, reference_label="Kommune")
    ax = fig.axes[0]
    assert list(reference_lines(ax)["Kommune (Mittelwert)"]) == [0, 0]
    offsets = ax.collections[-1].get_offsets()
    assert np.allclose(np.asarray(offsets)[:, 0][~np.isnan(np.asarray(offsets)[:, 0])], [-0.5, 1.0])
    assert "Standardabweichungen" in ax.get_xlabel()
    assert "S1: 12,0 gegenüber 10,0 (+1,0, ungünstiger)" in fig.alt_text
    assert "S3: keine Angabe" in fig.alt_text


def test_profile_dots_already_relative():
    fig = charts.profile_dots(pd.Series({"a": 1.5, "b": -0.25}), unit=None, area_label="X")
    assert fig.alt_text == "Profil: X im Vergleich mit Kommune (Nulllinie). a: (+1,5); b: (\u22120,3)."


def test_trend_line_reference_and_years():
    area = pd.Series({2013: 6.4, 2015: 5.8, 2017: 5.0, 2019: 2.8, 2021: 4.2})
    berlin = pd.Series({2013: 8.1, 2015: 7.4, 2017: 6.2, 2019: 3.9, 2021: 5.0})
    fig = charts.trend_line(area, {"Berlin": berlin}, area_label="Stülerstraße", title="S1")
    ax = fig.axes[0]
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert labels == ["Stülerstraße", "Berlin"]
    assert ax.get_lines()[1].get_linestyle() == "--"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2013", "2015", "2017", "2019", "2021"]
    assert fig.alt_text == ("Liniendiagramm: S1, 2013 bis 2021. Stülerstraße: von 6,4 % auf 4,2 %. "
                            "Berlin: von 8,1 % auf 5,0 %.")


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


def test_figures_data_uri_and_img_tag(values):
    fig = charts.compare_bar(values, title="Anteil <unter> \"15\"")
    uri = figures.figure_to_data_uri(fig, "png", dpi=50)
    assert base64.b64decode(uri.split(",", 1)[1])[:4] == b"\x89PNG"
    svg = base64.b64decode(figures.figure_to_data_uri(fig, "svg").split(",", 1)[1]).decode()
    assert 'href="http' not in svg and "url(http" not in svg  # no external resources
    tag = figures.figure_to_img_tag(fig, dpi=50)
    assert tag.startswith('<img src="data:image/png;base64,')
    assert 'alt="Balkendiagramm: Anteil &lt;unter&gt; &#34;15&#34;.' in tag
    assert figures.alt_text(Figure()) == "Abbildung"
    with pytest.raises(SozialplanungError, match="Bildformat"):
        figures.figure_to_data_uri(fig, "jpg")
    figures.close(fig)
