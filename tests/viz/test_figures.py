"""The one figure encoder: matplotlib figures and SVG maps → standalone, reproducible SVG with alt text."""

import re

import pandas as pd
import pytest
from matplotlib.figure import Figure

import sozialplanung.viz.charts as charts
import sozialplanung.viz.figures as figures
from sozialplanung.errors import SozialplanungError


@pytest.fixture
def bar():
    values = pd.Series([10.0, 20.0, 30.0], index=["01", "02", "03"])
    return charts.compare_bar(values, title='Anteil <unter> "15"')


def test_encode_matplotlib_figure(bar):
    enc = figures.encode(bar)
    assert enc.svg.startswith("<svg") and enc.svg.rstrip().endswith("</svg>")
    assert "<?xml" not in enc.svg and "<metadata" not in enc.svg and "DOCTYPE" not in enc.svg
    assert 'href="http' not in enc.svg and "url(http" not in enc.svg  # no external resources
    assert "<text" in enc.svg and "DejaVu Sans" in enc.svg  # text stays text, in the one font
    assert "Verdana" not in enc.svg and "Arial" not in enc.svg
    assert "&lt;unter&gt;" in enc.svg and "<unter>" not in enc.svg  # title escaped as SVG text
    assert enc.alt.startswith('Balkendiagramm: Anteil <unter> "15".')
    assert figures.encode(bar) == enc  # reproducible: no dates, fixed ids
    assert not re.search(r"\d\.\d{3,}", re.sub(r'(width|height|viewBox|transform)="[^"]*"', "", enc.svg))
    figures.close(bar)


def test_encode_ids_referenced_only(bar):
    svg = figures.encode(bar).svg
    ids = re.findall(r' id="([^"]+)"', svg)
    assert all(f"#{i}" in svg for i in ids)  # no figure_1/axes_1 that collide between inline figures


def test_encode_inline_and_notebook(bar):
    enc = figures.encode(bar, alt='Karte: "S1" < 5 %')
    assert enc.alt == 'Karte: "S1" < 5 %'
    assert enc.inline().startswith('<svg role="img" aria-label="Karte: &#34;S1&#34; &lt; 5 %"')
    assert enc._repr_svg_() == enc.svg
    assert figures.Gallery([bar])._repr_html_().startswith("<figure><svg role=\"img\"")


def test_encode_svg_text_and_errors():
    enc = figures.encode('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>', alt="Leer")
    assert enc.svg.startswith("<svg") and enc.alt == "Leer" and enc.caption_notes == []
    with pytest.raises(SozialplanungError, match="Alternativtext"):
        figures.encode("<svg></svg>")
    with pytest.raises(SozialplanungError, match="kein SVG"):
        figures.encode("hallo", alt="x")
    with pytest.raises(SozialplanungError, match="Unbekannte Abbildung"):
        figures.encode(42)
    assert figures.alt_text(Figure()) == "Abbildung"


def test_img_tag_escapes():
    tag = figures.img_tag("data:image/png;base64,AAAA", 'a "b" <c>')
    assert 'alt="a &#34;b&#34; &lt;c&gt;"' in tag
