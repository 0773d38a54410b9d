"""The Sozialbericht: one report model per document, written as self-contained HTML and tagged PDF.

:func:`compute_results` takes every analysis from :class:`~sozialplanung.analysis.ergebnisse.Ergebnisse`
(saved by the notebooks, fitted once where missing); every section is a small function
``(dp, results) -> list`` of blocks of the report model (:mod:`sozialplanung.report.model`), listed in
:func:`_sections` (the chapter functions live in :mod:`sozialplanung.report.chapters`). :func:`documents` builds the
Bericht, the Kurzfassung and the Steckbrief volume once; the HTML writer (:mod:`sozialplanung.report.html_writer`) and
the PDF writer (:mod:`sozialplanung.report.typst_writer`) both write these same documents, so they cannot drift.
Figures are drawn once per run and key as SVG (:func:`sozialplanung.report.page.figure`). Opening ``bericht.html``
makes no network request (a Content-Security-Policy forbids it).

Outputs of :func:`write_bericht` in the output folder: ``bericht.html``, ``kurzfassung.html``, ``bericht.pdf``,
``kurzfassung.pdf`` (at most four pages) and ``steckbriefe/<gebiet_id>.pdf``; with more than
:data:`~sozialplanung.report.page.STECKBRIEF_LIMIT` areas the Steckbriefe also form a separate volume
``steckbriefe.html``/``steckbriefe.pdf`` instead of an appendix of the main report.
"""

from __future__ import annotations

from pathlib import Path

from dataclasses import replace

from sozialplanung.data.datenpaket import Datenpaket
from sozialplanung.report.model import Document, Group, Heading, Note
from sozialplanung.report.page import STECKBRIEF_LIMIT, document, missing_text

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
    if results.get("vergleich") is not None and results["vergleich"].indices:
        from sozialplanung.report import vergleichsrezepte

        out.append(("vergleichsrezepte", "Sozialindex im Vergleich mit anderen Verfahren",
                    vergleichsrezepte.section_vergleichsrezepte))
    from sozialplanung.report import veraenderungen

    if veraenderungen.applies_trends(dp, results):
        out.append(("veraenderungen", "Veränderungen seit dem letzten Bericht", veraenderungen.section_veraenderungen))
    if results.get("typology") is not None:
        out.append(("typologie", "Gebietstypen (Clusteranalyse)", chapters.section_typologie))
    if results.get("fa") is not None:
        out.append(("faktorenanalyse", "Faktorenanalyse", chapters.section_faktorenanalyse))
    if dp.params.vergleichsring is not None:
        from sozialplanung.report import vergleichsring

        title = ("Vergleichsring: der Kreis unter ähnlichen Kreisen" if dp.params.vergleichsring.kreis or dp.params.unit
                 else "Vergleichsringe: Gruppen ähnlicher Kreise")
        out.append(("vergleichsring", title, vergleichsring.section_vergleichsring))
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


def bericht_document(dp: Datenpaket, results: dict) -> Document:
    """The complete report: a level-1 heading per chapter, then its blocks."""
    blocks, missing = [], []
    for sid, title, func in _sections(dp, results):
        body = func(dp, results)
        if missing_text(body):
            missing.append(title)
        notes_only = all(isinstance(b, Note) for b in body)  # no page of its own for a sentence (#12)
        blocks += [Heading(1, title, sid, role="fortlaufend" if notes_only else ""), *body]
    return document(dp, f"Sozialbericht {dp.params.kommune} {dp.params.report_year}", blocks, "bericht",
                    Noch_ohne_redaktionellen_Text=", ".join(missing))


def kurzfassung_document(dp: Datenpaket, results: dict) -> Document:
    """The Kurzfassung for committees (at most four pages)."""
    from sozialplanung.report import chapters

    return document(dp, f"Kurzfassung: Sozialbericht {dp.params.kommune} {dp.params.report_year}",
                    chapters.kurzfassung_body(dp, results), "kurzfassung")


def documents(dp: Datenpaket, results: dict | None = None) -> dict[str, Document]:
    """``{"bericht", "kurzfassung", "steckbriefe"}`` → the model document, each built once (figures shared).

    Where the Steckbriefe are the Bericht's appendix, the volume reuses those groups (one chapter level up) instead
    of building every Steckbrief a second time.
    """
    from sozialplanung.report import steckbrief

    results = results if results is not None else compute_results(dp)
    bericht = bericht_document(dp, results)
    groups = [b for b in bericht.blocks if isinstance(b, Group) and b.anchor.startswith(steckbrief.ANCHOR)]
    volume = steckbrief.volume(dp, results, [_promoted(g) for g in groups] if groups else None)
    return {"bericht": bericht, "kurzfassung": kurzfassung_document(dp, results), "steckbriefe": volume}


def _promoted(group: Group) -> Group:
    """The group with every heading one level up (a Steckbrief of the appendix as a chapter of the volume)."""
    blocks = [replace(b, level=max(1, b.level - 1)) if isinstance(b, Heading) else b for b in group.blocks]
    return replace(group, blocks=blocks)


def _pdf(document: Document, path: Path, fits: dict | None = None) -> tuple[Path, int]:
    """Write one PDF; returns (path, pages). ``fits`` collects the fitted figure height of each Steckbrief."""
    from sozialplanung.report import typst_writer

    if fits is None:
        typst_writer.write_pdf(document, path)
    else:
        fits.update(typst_writer.write_pdf_fits(document, path)[1])
    return path, typst_writer.page_count(path)


def write_bericht(dp: Datenpaket, output_dir: str | Path, *, results: dict | None = None,
                  pdf: bool = True) -> dict[str, object]:
    """Write every report output; returns paths and page counts (``{"bericht.pdf": (path, pages), …}``)."""
    from sozialplanung.report import html_writer

    output_dir = Path(output_dir)
    results = results if results is not None else compute_results(dp, output_dir)
    docs = documents(dp, results)
    separate = len(dp.shown_ids) > STECKBRIEF_LIMIT
    volume = (docs["steckbriefe"], "steckbriefe.html" if separate else "bericht.html")  # where the search leads
    out = {"bericht.html": html_writer.write_html(docs["bericht"], output_dir / "bericht.html", volume),
           "kurzfassung.html": html_writer.write_html(docs["kurzfassung"], output_dir / "kurzfassung.html", volume)}
    if separate:
        out["steckbriefe.html"] = html_writer.write_html(docs["steckbriefe"], output_dir / "steckbriefe.html")
    if not pdf:
        return out
    from sozialplanung.report import steckbrief
    from sozialplanung.report import typst_writer

    fits: dict[str, float] = {}  # the Steckbriefe's figure heights, fitted once in the Bericht or the volume
    out["bericht.pdf"] = _pdf(docs["bericht"], output_dir / "bericht.pdf", None if separate else fits)
    out["kurzfassung.pdf"] = _pdf(docs["kurzfassung"], output_dir / "kurzfassung.pdf")
    band = _pdf(docs["steckbriefe"], output_dir / "steckbriefe.pdf", fits) if separate else None
    files = typst_writer.write_pdfs(steckbrief.single_documents(docs["steckbriefe"]), output_dir / "steckbriefe",
                                    fits=fits)
    out["steckbriefe"] = {"dateien": files, "seiten": len(files), **({"band": band} if band else {})}
    return out
