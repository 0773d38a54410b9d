"""Figures as self-contained HTML: base64 data URIs and ``<img>`` tags with alt text.

Reports embed every figure, so a ``bericht.html`` makes no network request and can be
mailed as one file. SVG output is made reproducible (fixed ids, no date), so the same
input gives byte-identical reports.
"""

from __future__ import annotations

import base64
import io

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from sozialplanung.errors import SozialplanungError
from sozialplanung.markup import Markup, join

__all__ = ["figure_to_data_uri", "figure_to_img_tag", "img_tag", "alt_text", "close"]

_MIME = {"png": "image/png", "svg": "image/svg+xml"}


def figure_to_data_uri(fig: Figure, format: str = "png", dpi: int = 150) -> str:
    """Render ``fig`` to a ``data:`` URI (base64).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(1, 1))
    >>> figure_to_data_uri(fig).startswith("data:image/png;base64,iVBOR")
    True
    >>> figure_to_data_uri(fig, "svg") == figure_to_data_uri(fig, "svg")  # reproducible
    True
    """
    if format not in _MIME:
        raise SozialplanungError(f"Unbekanntes Bildformat „{format}“.", hint="Erlaubt: png, svg.")
    buffer = io.BytesIO()
    metadata = {"Date": None} if format == "svg" else {"Software": None}
    with matplotlib.rc_context({"svg.hashsalt": "sozialplanung", "svg.fonttype": "path"}):
        fig.savefig(buffer, format=format, dpi=dpi, metadata=metadata, facecolor="white", bbox_inches="tight")
    return f"data:{_MIME[format]};base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"


def alt_text(fig: Figure) -> str:
    """``fig.alt_text``, else "Abbildung: <title>" from the first titled axes.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(); _ = fig.add_subplot().set_title("Arbeitslosigkeit")
    >>> alt_text(fig)
    'Abbildung: Arbeitslosigkeit'
    """
    text = getattr(fig, "alt_text", None)
    if text:
        return text
    for ax in fig.axes:
        for loc in ("center", "left", "right"):
            if ax.get_title(loc):
                return f"Abbildung: {ax.get_title(loc)}"
    return "Abbildung"


def img_tag(uri: str, alt: str, css_class: str | None = None) -> Markup:
    """``<img>`` of a data URI with its alt text, both escaped (the one place that builds it).

    Examples
    --------
    >>> print(img_tag("data:image/png;base64,AAAA", 'Karte: "S1" < 5 %'))
    <img src="data:image/png;base64,AAAA" alt="Karte: &#34;S1&#34; &lt; 5 %" style="max-width:100%;height:auto">
    """
    cls = Markup(' class="{}"').format(css_class) if css_class else ""
    return Markup('<img src="{}" alt="{}"{} style="max-width:100%;height:auto">').format(uri, alt, cls)


def figure_to_img_tag(fig: Figure, format: str = "png", dpi: int = 150, css_class: str | None = None) -> Markup:
    """An ``<img>`` with the embedded figure and its escaped alt text.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(1, 1)); fig.alt_text = 'Karte: "S1" < 5 %'
    >>> tag = figure_to_img_tag(fig)
    >>> tag.startswith('<img src="data:image/png;base64,'), 'alt="Karte: &#34;S1&#34; &lt; 5 %"' in tag
    (True, True)
    """
    return img_tag(figure_to_data_uri(fig, format=format, dpi=dpi), alt_text(fig), css_class)


def close(fig: Figure) -> None:
    """Free a figure (also one created through pyplot).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> close(Figure())
    """
    plt.close(fig)


class Gallery(list):
    """Several figures shown one below the other in a notebook (embedded PNGs with alt texts)."""

    def _repr_html_(self) -> str:
        return join(Markup("<figure>{}</figure>").format(figure_to_img_tag(fig)) for fig in self)
