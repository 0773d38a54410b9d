"""The one figure encoder of notebooks and reports: every figure becomes a standalone SVG with its alt text.

:func:`encode` takes a matplotlib ``Figure`` (charts; text stays text: ``svg.fonttype`` "none", font DejaVu
Sans, the font matplotlib bundles and the PDF writer is given) or an SVG map of
:mod:`sozialplanung.viz.svgmap` and returns an :class:`EncodedFigure`. The output is reproducible: no date,
no creator, fixed ids (``svg.hashsalt``), coordinates rounded, so the same input gives byte-identical reports.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field

from sozialplanung.errors import SozialplanungError
from sozialplanung.markup import Markup, join

__all__ = ["EncodedFigure", "encode", "img_tag", "alt_text", "close", "Gallery", "FONT", "RC"]

FONT = "DejaVu Sans"
"""The one font of figures and PDF text (bundled with matplotlib: ``matplotlib.get_data_path()/fonts/ttf``)."""
RC = {"svg.hashsalt": "sozialplanung", "svg.fonttype": "none", "font.family": "sans-serif",
      "font.sans-serif": [FONT], "svg.id": None}
"""matplotlib settings while a figure is written as SVG."""

_PROLOGUE = re.compile(r"\A\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_ID = re.compile(r' id="([^"]+)"')
_NUMBER = re.compile(r"-?\d+\.\d{3,}")
_COORDS = re.compile(r'( (?:d|x|y|points)=")([^"]*)(")')


class ShownAsSvg:
    """Mixin of the SVG figure classes: a notebook shows the ``svg``; the text form names only the class and size.

    Without it, a dataclass's generated ``repr`` would put the whole SVG, with thousands of coordinates, into the
    notebook's ``text/plain`` output, where the leak scan reads every number as a possible value.

    >>> EncodedFigure("<svg/>", "Karte")
    <EncodedFigure: SVG, 6 Zeichen>
    """

    svg: str

    def _repr_svg_(self) -> str:  # notebooks show the same SVG as the report
        return self.svg

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: SVG, {len(self.svg)} Zeichen>"


@dataclass(frozen=True, repr=False)
class EncodedFigure(ShownAsSvg):
    """A figure ready for both report writers: ``svg`` (standalone ``<svg>`` text, no XML prologue),
    ``alt`` (German alt text) and ``caption_notes`` (sentences the caption must add, e.g. what the
    numbers in a map's areas are)."""

    svg: str
    alt: str
    caption_notes: list[str] = field(default_factory=list)

    def inline(self) -> Markup:
        """The SVG for inline HTML, with ``role="img"`` and the escaped alt text as ``aria-label``."""
        head, rest = self.svg.split("<svg", 1)
        return Markup(head) + Markup('<svg role="img" aria-label="{}"').format(self.alt) + Markup(rest)


def _round(match: re.Match) -> str:
    return f"{float(match.group()):.2f}".rstrip("0").rstrip(".")


def _tidy(svg: str) -> str:
    """Drop prologue, metadata and unreferenced ids; round coordinates to 1/100 pt."""
    svg = _METADATA.sub("", _PROLOGUE.sub("", svg))
    used = set(re.findall(r"url\(#([^)]+)\)", svg)) | set(re.findall(r'href="#([^"]+)"', svg))
    svg = _ID.sub(lambda m: m.group() if m.group(1) in used else "", svg)
    svg = _COORDS.sub(lambda m: m.group(1) + _NUMBER.sub(_round, m.group(2)) + m.group(3), svg)
    return _renumber(svg, [i for i in dict.fromkeys(_ID.findall(svg)) if i in used])


def _renumber(svg: str, ids: list[str]) -> str:
    """Ids from the drawn content: equal figures get equal ids, different figures (inline in one page) never share one."""
    if not ids:
        return svg
    pattern = re.compile("|".join(rf"(?<=[#\"]){re.escape(i)}(?=[)\"])" for i in ids))
    digest = hashlib.sha256(pattern.sub("", svg).encode()).hexdigest()[:8]
    names = {old: f"f{digest}-{n}" for n, old in enumerate(ids)}
    return pattern.sub(lambda m: names[m.group()], svg)


def _matplotlib_svg(fig) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, facecolor="white",
                    bbox_inches="tight", pad_inches=0.05)
    return _tidy(buffer.getvalue())


def encode(fig_or_svg, alt: str | None = None) -> EncodedFigure:
    """Encode a matplotlib ``Figure``, an SVG map (anything with ``.svg``/``.alt_text``) or SVG text.

    ``alt`` overrides the figure's own alt text (:func:`alt_text`); SVG text needs ``alt``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(1, 1)); fig.alt_text = 'Karte: "S1" < 5 %'
    >>> enc = encode(fig)
    >>> enc.svg.startswith("<svg"), enc.alt, enc == encode(fig)   # reproducible
    (True, 'Karte: "S1" < 5 %', True)
    >>> encode("<svg></svg>", alt="Leer").caption_notes
    []
    """
    if isinstance(fig_or_svg, EncodedFigure):
        return fig_or_svg if alt is None else EncodedFigure(fig_or_svg.svg, alt, list(fig_or_svg.caption_notes))
    if isinstance(fig_or_svg, str):
        if not fig_or_svg.lstrip().startswith(("<svg", "<?xml")):
            raise SozialplanungError("Abbildung ist kein SVG-Text.", hint="SVG beginnt mit „<svg“.")
        if not alt:
            raise SozialplanungError("Abbildung ohne Alternativtext.", hint="encode(svg, alt=\"…\") angeben.")
        return EncodedFigure(_tidy(fig_or_svg), alt, [])
    notes = list(getattr(fig_or_svg, "caption_notes", []))
    if hasattr(fig_or_svg, "savefig"):
        return EncodedFigure(_matplotlib_svg(fig_or_svg), alt or alt_text(fig_or_svg), notes)
    svg = getattr(fig_or_svg, "svg", None)
    if isinstance(svg, str):
        return EncodedFigure(svg, alt or getattr(fig_or_svg, "alt_text", "") or "Abbildung", notes)
    raise SozialplanungError(f"Unbekannte Abbildung: {type(fig_or_svg).__name__}.",
                             hint="Erwartet: matplotlib-Figure, SVG-Karte oder SVG-Text.")


def alt_text(fig) -> str:
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
    for ax in getattr(fig, "axes", []):
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


def close(fig) -> None:
    """Free a figure (also one created through pyplot); SVG maps hold no resources.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> close(Figure())
    """
    if hasattr(fig, "savefig"):
        import matplotlib.pyplot as plt

        plt.close(fig)


class Gallery(list):
    """Several figures shown one below the other in a notebook (inline SVG with alt texts)."""

    def _repr_html_(self) -> str:
        return join(Markup("<figure>{}</figure>").format(encode(fig).inline()) for fig in self)
