"""What every document of the report shares: figures (drawn once per run and key), the title-page facts.

Nothing here renders: the writers (:mod:`sozialplanung.report.html_writer`, :mod:`sozialplanung.report.typst_writer`)
turn the model into pages.
"""

from __future__ import annotations

import datetime as dt

from sozialplanung.data.datenpaket import Datenpaket
from sozialplanung.formatting import fmt_date
from sozialplanung.report.model import Document, Figure, Note, walk
from sozialplanung.viz import figures

STECKBRIEF_LIMIT = 80
"""Up to this many areas the Steckbriefe are an appendix of the report; above, a separate volume."""


# ----------------------------------------------------------------------------- figures
def figure(results: dict, key: str, factory, caption: str, source: str = "", role: str = "") -> Figure:
    """A model :class:`Figure` (standalone SVG with alt text); drawn once per run and key, used by both writers.

    The figure's own ``caption_notes`` (what a map draws beyond its legend, e.g. the numbers in the
    areas, see :mod:`sozialplanung.viz.maps`) follow ``caption``, so a caption never promises what is not drawn.
    """
    cache = results.setdefault("figures", {})
    if key not in cache:
        fig = factory()
        try:
            cache[key] = figures.encode(fig)
        finally:
            figures.close(fig)
    encoded = cache[key]
    notes = " ".join(encoded.caption_notes)
    text = f"{caption.rstrip()} {notes}" if notes else caption.rstrip()
    return Figure(svg=encoded.svg, alt=encoded.alt, caption=text, source=source, key=key, role=role)


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
