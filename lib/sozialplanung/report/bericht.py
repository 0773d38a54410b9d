"""The Sozialbericht: self-contained HTML, tagged PDF, Kurzfassung and Steckbriefe from one run.

:func:`compute_results` fits every analysis once (the same functions the notebooks call);
every section is a small function ``(dp, results) -> html`` listed in :data:`SECTIONS` (the
chapter functions live in :mod:`sozialplanung.report.chapters`). Figures are rendered once to PNG
data URIs (:func:`figure`) and the same ``<img>`` serves the HTML and the PDF. Opening
``bericht.html`` makes no network request (a Content-Security-Policy forbids it).

Outputs of :func:`write_bericht` in the output folder: ``bericht.html``, ``bericht.pdf``,
``kurzfassung.pdf`` (at most four pages) and ``steckbriefe/<gebiet_id>.pdf``; with more than
:data:`STECKBRIEF_LIMIT` areas the Steckbriefe also form a separate volume ``steckbriefe.pdf``
instead of an appendix of the main report.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from pathlib import Path

import jinja2

from sozialplanung.analysis import pipeline
from sozialplanung.viz import figures
from sozialplanung.data.datenpaket import Datenpaket
from sozialplanung.errors import SozialplanungError, SozialplanungWarning
from sozialplanung.formatting import fmt_date
from sozialplanung.markup import Markup, css_string

_ENV = jinja2.Environment(loader=jinja2.PackageLoader("sozialplanung.report", "templates"),
                          autoescape=jinja2.select_autoescape(["html", "j2"]))
_ENV.filters["css_string"] = css_string

STECKBRIEF_LIMIT = 80
"""Up to this many areas the Steckbriefe are an appendix of the report; above, a separate volume."""
DPI = 110
"""Resolution of the embedded figures (legible in print, small files)."""
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""Content-Security-Policy of every HTML output: nothing may be loaded from anywhere."""


def markdown_list(items):
    """Show sentences (or findings) as a Markdown list in a notebook."""
    from IPython.display import Markdown

    from sozialplanung.report.texts import escape_markdown

    return Markdown("\n".join("- " + escape_markdown(getattr(item, "text", item)) for item in items))


# ----------------------------------------------------------------------------- results
def _try(results: dict, key: str, func, *args):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SozialplanungWarning)
            results[key] = func(*args)
    except SozialplanungError as exc:
        results[key] = None
        results["hinweise"].append(f"{key}: {exc.message if hasattr(exc, 'message') else exc}")


def compute_results(dp: Datenpaket, output_dir: str | Path | None = None) -> dict:
    """Fit every analysis once; analyses that do not apply (no recipe, one indicator) become None."""
    from sozialplanung.report import findings
    from sozialplanung.report import texts
    from sozialplanung.publish.manifest import build_manifest, ensure_manifest

    results = {"hinweise": [], "figures": {}}
    results["manifest"] = (ensure_manifest(dp, Path(output_dir)) if output_dir is not None
                           else build_manifest(dp.params, dp.inputs))
    run = dp.params.analyses_run()  # the analyses chosen in the params (pipeline.run)
    results.update(index=None, fa=None, typology=None, spatial=None)
    if "sozialindex" in run:
        _try(results, "index", pipeline.sozialindex, dp)
    if "faktorenanalyse" in run:
        _try(results, "fa", pipeline.faktorenanalyse, dp)
    if "clusteranalyse" in run and results["fa"] is not None:
        _try(results, "typology", pipeline.clusteranalyse, dp, results["fa"], results["index"])
    if "raeumliche_statistik" in run:
        _try(results, "spatial", pipeline.raeumliche_statistik, dp)
    results["findings"] = findings.compute_findings(dp, results)
    results["texts"] = texts.load_texts(dp, results)
    return results


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


# ----------------------------------------------------------------------------- sections
def _sections(dp: Datenpaket, results: dict) -> list[tuple[str, str, object]]:
    from sozialplanung.report import chapters
    from sozialplanung.report import impressum
    from sozialplanung.report import indikatorblatt
    from sozialplanung.report import methoden
    from sozialplanung.report import steckbrief

    out = [
        ("auf-einen-blick", "Auf einen Blick", chapters.section_auf_einen_blick),
        ("einleitung", "Einleitung", chapters.section_einleitung),
        ("themenfelder", "Sozialraumanalyse nach Themenfeldern", chapters.section_themenfelder),
    ]
    if results.get("index") is not None:
        out.append(("sozialindex", "Sozialindex: Status und Dynamik", chapters.section_sozialindex))
    if results.get("typology") is not None:
        out.append(("typologie", "Gebietstypen (Clusteranalyse)", chapters.section_typologie))
    if results.get("fa") is not None:
        out.append(("faktorenanalyse", "Faktorenanalyse", chapters.section_faktorenanalyse))
    out += [
        ("handlungsempfehlungen", "Handlungsempfehlungen", chapters.section_handlungsempfehlungen),
        ("steckbriefe", "Anhang A: Sozialraum-Steckbriefe", steckbrief.section_steckbriefe),
        ("indikatorenblaetter", "Anhang B: Indikatorenblätter", indikatorblatt.section_indikatorenblaetter),
        ("methoden", "Anhang C: Methodenanhang", methoden.section_methoden),
        ("quellen", "Anhang D: Datenquellen und Lizenzen", chapters.section_quellen),
        ("provenienz", "Anhang E: Provenienz", chapters.section_provenienz),
        ("impressum", "Impressum und Zitiervorschlag", impressum.section_impressum),
    ]
    return out


SECTIONS = ["auf-einen-blick", "einleitung", "themenfelder", "sozialindex", "typologie", "faktorenanalyse",
            "handlungsempfehlungen", "steckbriefe", "indikatorenblaetter", "methoden", "quellen", "provenienz",
            "impressum"]
"""Section ids in report order (sections whose analysis does not apply are left out)."""


def _page_context(dp: Datenpaket, title: str) -> dict:
    stichtage = sorted({ind.stichtag for ind in dp.catalogue.values()})
    entwurf = dp.params.status == "entwurf"
    return dict(title=title, kommune=dp.params.kommune, jahr=dp.params.report_year,
                datenstand=", ".join(fmt_date(s) for s in stichtage), csp=CSP,
                untertitel=f"{len(dp.shown_ids)} Gebiete der Ebene {dp.params.areas.level}",
                entwurf=entwurf, status_text="Entwurf" if entwurf else "Veröffentlichung",
                intern=dp.params.edition == "intern", erstellt=dt.date.today().strftime("%d.%m.%Y"))


def render_html(dp: Datenpaket, results: dict | None = None) -> str:
    """The complete report as one HTML string."""
    results = results if results is not None else compute_results(dp)
    sections = [{"id": sid, "title": title, "html": func(dp, results)} for sid, title, func in _sections(dp, results)]
    missing = [t for t in sections if 'class="hinweis-fehlt" data-kapitel="' in t["html"]]
    return _ENV.get_template("bericht.html.j2").render(
        **_page_context(dp, f"Sozialbericht {dp.params.kommune} {dp.params.report_year}"),
        sections=sections, ohne_text=[s["title"] for s in missing])


def render_kurzfassung(dp: Datenpaket, results: dict) -> str:
    """The Kurzfassung for committees (at most four pages) as HTML."""
    from sozialplanung.report import chapters

    return _ENV.get_template("kurzfassung.html.j2").render(
        **_page_context(dp, f"Kurzfassung: Sozialbericht {dp.params.kommune} {dp.params.report_year}"),
        body=chapters.kurzfassung_body(dp, results))


def _write_text(path: Path, text: str) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_html(dp: Datenpaket, output_dir: str | Path, results: dict | None = None) -> Path:
    """Write only ``bericht.html`` (no PDF)."""
    output_dir = Path(output_dir)
    results = results if results is not None else compute_results(dp, output_dir)
    return _write_text(output_dir / "bericht.html", render_html(dp, results))


def write_bericht(dp: Datenpaket, output_dir: str | Path, *, results: dict | None = None,
                  pdf: bool = True) -> dict[str, object]:
    """Write every report output; returns paths and page counts (``{"bericht.pdf": (path, pages), …}``)."""
    from sozialplanung.report import pdf as pdfmod
    from sozialplanung.report import steckbrief

    output_dir = Path(output_dir)
    results = results if results is not None else compute_results(dp, output_dir)
    page = render_html(dp, results)
    out = {"bericht.html": _write_text(output_dir / "bericht.html", page)}
    if not pdf:
        return out
    out["bericht.pdf"] = pdfmod.write_pdf(page, output_dir / "bericht.pdf")
    out["kurzfassung.pdf"] = pdfmod.write_pdf(render_kurzfassung(dp, results), output_dir / "kurzfassung.pdf")
    out["steckbriefe"] = steckbrief.write_steckbriefe(dp, results, output_dir)
    return out
