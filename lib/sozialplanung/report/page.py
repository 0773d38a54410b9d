"""What every document of the report shares: figures (drawn once per run and key, or once per batch), the
title-page facts.

Nothing here renders: the writers (:mod:`sozialplanung.report.html_writer`, :mod:`sozialplanung.report.typst_writer`)
turn the model into pages.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from importlib import metadata

from sozialplanung.data.datenpaket import Datenpaket
from sozialplanung.formatting import fmt_date
from sozialplanung.report.model import Document, Figure, Note, Paragraph, para, walk
from sozialplanung.viz import figures

STECKBRIEF_LIMIT = 80
"""Up to this many areas the Steckbriefe are an appendix of the report; above, a separate volume."""


# ----------------------------------------------------------------------------- figures
def figure(results: dict, key: str, factory, caption: str, source: str = "", role: str = "", *,
           same_for: tuple | None = None) -> Figure:
    """A model :class:`Figure` (standalone SVG with alt text); drawn once per run and key, used by both writers.

    The figure's own ``caption_notes`` (what a map draws beyond its legend, e.g. the numbers in the
    areas, see :mod:`sozialplanung.viz.maps`) follow ``caption``, so a caption never promises what is not drawn.

    ``same_for``: the figure is the same in every report whose analyses share the fingerprint
    (:mod:`sozialplanung.analysis.ergebnisse`: same inputs, same Bezugsgesamtheit) and whose values of
    ``same_for`` (what else the figure reads, e.g. a name it writes) are equal: it is drawn once per
    batch and kept in ``.ergebnisse/<fingerprint>/abbildungen/`` (:func:`_stored`), never in a report
    folder. None: the figure reads the report's view (Berichtsgebiet, names) and is drawn once per run.
    """
    cache = results.setdefault("figures", {})
    if key not in cache:
        path = _stored(results, key, same_for)
        cache[key] = _draw(factory) if path is None else _shared(path, factory)
    encoded = cache[key]
    notes = " ".join(encoded.caption_notes)
    text = f"{caption.rstrip()} {notes}" if notes else caption.rstrip()
    return Figure(svg=encoded.svg, alt=encoded.alt, caption=text, source=source, key=key, role=role)


def map_figure(dp: Datenpaket, results: dict, key: str, factory, caption: str, source: str = "",
               role: str = "karte", **kwargs) -> list[Figure]:
    """``[figure(...)]`` of a map, or ``[]`` without a geodata file (table-only mode: the report has no maps and
    says so once, see :func:`no_maps_note`)."""
    return [figure(results, key, factory, caption, source, role, **kwargs)] if dp.params.has_maps else []


def no_maps_text(dp: Datenpaket) -> str:
    """The sentence a report without maps carries (first chapter and Methodenanhang); ``""`` with maps."""
    if dp.params.has_maps:
        return ""
    return (f"Für {dp.params.kommune} liegt keine Geodatei der Gebiete vor: der Bericht zeigt Tabellen und "
            "Diagramme, keine Karten.")


def no_maps_note(dp: Datenpaket) -> list[Paragraph]:
    """:func:`no_maps_text` as a paragraph; ``[]`` with maps."""
    return [para(no_maps_text(dp), role="hinweis")] if not dp.params.has_maps else []


def _draw(factory) -> figures.EncodedFigure:
    fig = factory()
    try:
        return figures.encode(fig)
    finally:
        figures.close(fig)


FIGURE_FORMAT = 1
"""Version of the stored figure files; a new one makes every stored figure stale."""


def _stored(results: dict, key: str, same_for: tuple | None):
    """(file, determining text) of the figure ``key`` kept for the whole batch; None: not shared, or no
    results folder (a report computed in memory).

    The file is named after, and repeats, everything that determines the figure: the analyses'
    fingerprint (inputs, the params fields of the analyses, their code and packages), ``key``,
    ``same_for``, the code of ``viz`` and ``report`` and the matplotlib version.
    """
    from sozialplanung.analysis import ergebnisse as er

    store = results.get("ergebnisse")
    if same_for is None or store is None or store.folder is None:
        return None
    determined = {"format": FIGURE_FORMAT, "ergebnisse": store.fingerprint, "abbildung": key,
                  "bestimmt_durch": list(same_for), "code": er.code_hash(("viz", "report")),
                  "matplotlib": _matplotlib_version()}
    text = json.dumps(determined, sort_keys=True, default=str)
    name = re.sub(r"[^A-Za-z0-9_-]", "_", key)[:60] + "-" + hashlib.sha256(text.encode()).hexdigest()[:24]
    return store.folder / store.fingerprint[:32] / "abbildungen" / f"{name}.json", text


@functools.cache
def _matplotlib_version() -> str:
    """Read once per process: each lookup parses the package metadata (15 ms, 50 times per Mitte report)."""
    return metadata.version("matplotlib")


def _shared(stored, factory) -> figures.EncodedFigure:
    """The stored figure, or drawn now (under a lock, so reports running at once draw it once) and stored."""
    from sozialplanung.analysis.ergebnisse import locked, write_atomic

    path, determined = stored
    with locked(path):
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved.get("bestimmt") == determined:
                return figures.EncodedFigure(saved["svg"], saved["alt"], list(saved["caption_notes"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # missing, unreadable or stale: drawn again and replaced
        encoded = _draw(factory)
        write_atomic(path, json.dumps({"bestimmt": determined, "svg": encoded.svg, "alt": encoded.alt,
                                       "caption_notes": list(encoded.caption_notes)}, ensure_ascii=False).encode())
        return encoded


# ----------------------------------------------------------------------------- documents
def provenance(dp: Datenpaket) -> dict[str, str]:
    """The title-page facts of every document of this run (German labels → values)."""
    stichtage = sorted({ind.stichtag for ind in dp.catalogue.values()})
    out = {"Berichtsjahr": str(dp.params.report_year), "Datenstand": ", ".join(fmt_date(s) for s in stichtage),
           "Status": "Entwurf" if dp.params.status == "entwurf" else "Veröffentlichung"}
    if dp.params.edition == "intern":
        out["Ausgabe"] = "nur für den Dienstgebrauch"
    out["Erstellt am"] = dt.date.today().strftime("%d.%m.%Y")
    return out


def document(dp: Datenpaket, title: str, blocks: list, kind: str, **facts: str) -> Document:
    """A :class:`Document` of this run with the shared title-page facts (plus ``facts``)."""
    return Document(title=title, subtitle=f"{len(dp.shown_ids)} Gebiete der Ebene {dp.params.areas.level}",
                    lang="de", kommune=dp.params.kommune, blocks=blocks,
                    provenance={**provenance(dp), **{k.replace("_", " "): v for k, v in facts.items() if v}},
                    kind=kind)


def missing_text(blocks) -> bool:
    """Whether ``blocks`` hold a note that an authored text is still missing."""
    return any(isinstance(b, Note) and b.role == "fehlt" and b.key for b in walk(blocks))
