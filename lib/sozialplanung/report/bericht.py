"""The Sozialbericht: self-contained HTML, tagged PDF, Kurzfassung and Steckbriefe from one run.

:func:`compute_results` takes every analysis from :class:`~sozialplanung.analysis.ergebnisse.Ergebnisse`
(saved by the notebooks, fitted once where missing);
every section is a small function ``(dp, results) -> html`` listed in :func:`_sections` (the
chapter functions live in :mod:`sozialplanung.report.chapters`). Figures are rendered once to PNG
data URIs (:func:`figure`) and the same ``<img>`` serves the HTML and the PDF. Opening
``bericht.html`` makes no network request (a Content-Security-Policy forbids it).

Outputs of :func:`write_bericht` in the output folder: ``bericht.html``, ``bericht.pdf``,
``kurzfassung.pdf`` (at most four pages) and ``steckbriefe/<gebiet_id>.pdf``; with more than
:data:`STECKBRIEF_LIMIT` areas the Steckbriefe also form a separate volume ``steckbriefe.pdf``
instead of an appendix of the main report.
"""

from __future__ import annotations

import os
from pathlib import Path

from sozialplanung.data.datenpaket import Datenpaket
from sozialplanung.report.page import ENV, page_context

def markdown_list(items):
    """Show sentences (or findings) as a Markdown list in a notebook."""
    from IPython.display import Markdown

    from sozialplanung.markup import escape_markdown

    return Markdown("\n".join("- " + escape_markdown(getattr(item, "text", item)) for item in items))


# ----------------------------------------------------------------------------- results
def compute_results(dp: Datenpaket, output_dir: str | Path | None = None) -> dict:
    """The analyses of the report (:class:`~sozialplanung.analysis.ergebnisse.Ergebnisse`: saved by the
    notebooks beside ``output_dir``, else fitted once here); those that do not apply (no recipe, one
    indicator) become None with their German note in ``hinweise``."""
    from sozialplanung.analysis.ergebnisse import Ergebnisse
    from sozialplanung.report import findings
    from sozialplanung.report import texts
    from sozialplanung.data.manifest import build_manifest, ensure_manifest

    results = {"hinweise": [], "figures": {}}
    results["manifest"] = (ensure_manifest(dp, Path(output_dir)) if output_dir is not None
                           else build_manifest(dp.params, dp.inputs))
    results.update(Ergebnisse(dp, output_dir, quiet=True).for_report())  # index, fa, typology, spatial, hinweise
    results["findings"] = findings.compute_findings(dp, results)
    results["texts"] = texts.load_texts(dp, results)
    return results


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


def render_html(dp: Datenpaket, results: dict | None = None) -> str:
    """The complete report as one HTML string."""
    results = results if results is not None else compute_results(dp)
    sections = [{"id": sid, "title": title, "html": func(dp, results)} for sid, title, func in _sections(dp, results)]
    missing = [t for t in sections if 'class="hinweis-fehlt" data-kapitel="' in t["html"]]
    return ENV.get_template("bericht.html.j2").render(
        **page_context(dp, f"Sozialbericht {dp.params.kommune} {dp.params.report_year}"),
        sections=sections, ohne_text=[s["title"] for s in missing])


def render_kurzfassung(dp: Datenpaket, results: dict) -> str:
    """The Kurzfassung for committees (at most four pages) as HTML."""
    from sozialplanung.report import chapters

    return ENV.get_template("kurzfassung.html.j2").render(
        **page_context(dp, f"Kurzfassung: Sozialbericht {dp.params.kommune} {dp.params.report_year}"),
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
