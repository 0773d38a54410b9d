"""The rank chart: valid standalone SVG, one mark per Kreis, escaped names, alt text with the ranks."""

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from sozialplanung.viz import figures
from sozialplanung.viz.rankchart import position_text, rank_chart

NS = "{http://www.w3.org/2000/svg}"


def _chart(name="Kreis <A> & B"):
    values = pd.DataFrame({"a": np.arange(10.0), "b": np.r_[np.arange(9.0), np.nan]}, index=[f"k{i}" for i in range(10)])
    return rank_chart(values, {"a": "Indikator A (%)", "b": "Indikator B (€)"}, ["k2", "k3", "k9"], "k9", name,
                      {"a": position_text(1, 10, 1, 3), "b": "ohne Wert"})


def test_valid_svg_with_one_mark_per_kreis():
    chart = _chart()
    root = ET.fromstring(chart.svg)
    assert root.tag == f"{NS}svg"
    circles = root.findall(f".//{NS}circle")
    # legend: 2 circles; strip a: two ring dots + the Kreis; strip b: two ring dots (the Kreis has no value)
    assert len(circles) == 2 + 3 + 2
    ticks = [p.get("d") for p in root.findall(f".//{NS}path") if p.get("d", "").count("v12") >= 9]
    assert [d.count("v12") for d in ticks] == [10, 9]
    assert "Kreis <A> & B" in "".join(root.itertext())  # escaped in the source, intact as text
    assert "&lt;A&gt; &amp;" in chart.svg


def test_alt_text_and_encoding():
    chart = _chart("Eifelkreis")
    assert chart.alt_text.startswith("Rangdiagramm: Eifelkreis unter allen 10 Kreisen")
    assert "Rang 1 von 10 · im Vergleichsring 1 von 3" in chart.alt_text
    enc = figures.encode(chart)
    assert enc.svg.startswith("<svg") and enc.alt == chart.alt_text


def test_position_text_and_empty():
    assert position_text(1234, 2000, None, 0) == "Rang 1.234 von 2.000"
    assert position_text(None, 400, 2, 6) == "ohne Wert · im Vergleichsring 2 von 6"
    with pytest.raises(ValueError):
        rank_chart(pd.DataFrame({"a": [1.0]}), {}, [], "x", "x", {})
