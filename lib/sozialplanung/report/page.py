"""What every page of the report shares: the template environment, page context, and embedded figures."""

from __future__ import annotations

import datetime as dt

import jinja2

from sozialplanung.data.datenpaket import Datenpaket
from sozialplanung.formatting import fmt_date
from sozialplanung.markup import Markup, css_string
from sozialplanung.viz import figures

ENV = jinja2.Environment(loader=jinja2.PackageLoader("sozialplanung.report", "templates"),
                          autoescape=jinja2.select_autoescape(["html", "j2"]))
ENV.filters["css_string"] = css_string

STECKBRIEF_LIMIT = 80
"""Up to this many areas the Steckbriefe are an appendix of the report; above, a separate volume."""
DPI = 110
"""Resolution of the embedded figures (legible in print, small files)."""
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""Content-Security-Policy of every HTML output: nothing may be loaded from anywhere."""



# ----------------------------------------------------------------------------- figures
def figure(results: dict, key: str, factory, caption: str, source: str = "", css_class: str = "") -> Markup:
    """``<figure>`` with the embedded PNG, caption and source line; drawn once per run and key.

    The figure's own ``caption_notes`` (what a map draws beyond its legend, e.g. the numbers in the
    areas, see :mod:`sozialplanung.viz.maps`) follow ``caption``, so a caption never promises what is not drawn.
    """
    cache = results.setdefault("figures", {})
    if key not in cache:
        fig = factory()
        cache[key] = (_img_tag(fig), " ".join(getattr(fig, "caption_notes", [])))
        figures.close(fig)
    tag, notes = cache[key]
    cls = Markup(' class="{}"').format(css_class) if css_class else ""
    src = Markup('<span class="quelle">{}</span>').format(source) if source else ""
    text = f"{caption.rstrip()} {notes} " if notes else caption
    return Markup("<figure{}>{}<figcaption>{}{}</figcaption></figure>").format(cls, tag, text, src)


def _img_tag(fig) -> Markup:
    """``<img>`` of ``fig`` with its alt text; ``bbox_inches="tight"`` keeps legends outside the axes whole."""
    import base64
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.05, facecolor="white",
                metadata={"Software": None})
    png = _small_png(buffer.getvalue())
    return figures.img_tag("data:image/png;base64," + base64.b64encode(png).decode("ascii"), figures.alt_text(fig))


def _small_png(png: bytes) -> bytes:
    """Re-encode a PNG with an adaptive 256-colour palette (a third of the size, same look)."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    buffer = io.BytesIO()
    image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(buffer, "PNG", optimize=True)
    return buffer.getvalue() if buffer.tell() < len(png) else png


def page_context(dp: Datenpaket, title: str) -> dict:
    stichtage = sorted({ind.stichtag for ind in dp.catalogue.values()})
    entwurf = dp.params.status == "entwurf"
    return dict(title=title, kommune=dp.params.kommune, jahr=dp.params.report_year,
                datenstand=", ".join(fmt_date(s) for s in stichtage), csp=CSP,
                untertitel=f"{len(dp.shown_ids)} Gebiete der Ebene {dp.params.areas.level}",
                entwurf=entwurf, status_text="Entwurf" if entwurf else "Veröffentlichung",
                intern=dp.params.edition == "intern", erstellt=dt.date.today().strftime("%d.%m.%Y"))
