"""Chapter „Vergleichsring“: where the Kreis stands among all Kreise and among structurally similar Kreise.

Built from report-model blocks (:mod:`sozialplanung.report.model`). With ``vergleichsring.kreis`` (or a batch
unit) the chapter places that Kreis: a sentence on what its Vergleichsring is and how it was found, a table
of the key indicators (value, median of the ring and of all Kreise, ranks) and a rank chart
(:mod:`sozialplanung.viz.rankchart`). Without a Kreis (the report of all Kreise) it lists the rings.
The ring is fitted once per run (:func:`fitted`, kept in ``results["vergleichsring"]``).
"""

from __future__ import annotations

import pandas as pd

from sozialplanung.analysis.vergleichsring import ring_table, vergleichsring
from sozialplanung.formatting import fmt_date, fmt_int, fmt_number
from sozialplanung.report import tables
from sozialplanung.report.model import para
from sozialplanung.report.page import figure
from sozialplanung.viz import rankchart

__all__ = ["fitted", "section_vergleichsring"]


def fitted(dp, results: dict):
    """``(Vergleichsring, Kreise-Datenpaket)`` of this report, fitted at most once per run."""
    if "vergleichsring" not in results:
        results["vergleichsring"] = vergleichsring(dp)
    return results["vergleichsring"]


def _source(kreise, ids) -> str:
    items = sorted({f"{kreise.catalogue[i].source}, Stichtag {fmt_date(kreise.catalogue[i].stichtag)}" for i in ids})
    return "Quelle: " + "; ".join(items) + "."


def _names(kreise, ids) -> list[str]:
    return [f"{kreise.areas.at[i, 'name']} ({i})" for i in ids]


def how_found(ring, kreise, indicators) -> str:
    """The sentence on how the Vergleichsringe were formed."""
    if ring.method_ == "liste":
        return "Der Vergleichsring ist in der Parameterdatei festgelegt (vergleichsring.members)."
    names = ", ".join(kreise.catalogue[i].name for i in indicators)
    return (f"Die Vergleichsringe sind Gruppen strukturähnlicher Kreise: Alle {fmt_int(len(ring.ranks_))} Kreise "
            f"und kreisfreien Städte wurden mit einer hierarchischen Clusteranalyse nach Ward über die "
            f"z-standardisierten Kreisindikatoren ({names}; Berichtsjahr {kreise.year}) in "
            f"{fmt_int(ring.n_groups)} Gruppen eingeteilt. Die Kreise einer Gruppe liegen bei allen diesen "
            "Indikatoren zugleich nahe beieinander; Lage, Siedlungsstruktur und Größe gehen nicht ein, weil die "
            "Kreistypen des BBSR nicht in den Daten sind.")


def _rank(rank, n: int) -> str:
    return "ohne Wert" if rank is None else f"{fmt_int(rank)} von {fmt_int(n)}"


def _position_table(ring, kreise, ids):
    values = kreise.values(kreise.year)
    rows = []
    for i in ids:
        ind, pos = kreise.catalogue[i], ring.position(i)
        rows.append({"Indikator": f"{ind.name} ({ind.unit})", "Kreis": fmt_number(values.at[ring.kreis_, i], ind.decimals),
                     "Median Vergleichsring": fmt_number(values.loc[ring.peers_, i].median(), ind.decimals),
                     "Median aller Kreise": fmt_number(values[i].median(), ind.decimals),
                     "Rang unter allen Kreisen": _rank(pos["rang"], pos["von"]),
                     "Rang im Vergleichsring": _rank(pos["rang_ring"], pos["von_ring"])})
    frame = pd.DataFrame(rows).set_index("Indikator")
    formats = dict.fromkeys(frame.columns, "text")
    return tables.frame_table(frame, caption="Schlüsselindikatoren: der Kreis, sein Vergleichsring und alle Kreise",
                              formats=formats, note="Rang 1 = höchster Wert. " + _source(kreise, ids))


def _chart(ring, kreise, ids):
    name = str(kreise.areas.at[ring.kreis_, "name"])
    titles = {i: f"{kreise.catalogue[i].name} ({kreise.catalogue[i].unit})" for i in ids}
    positions = {}
    for i in ids:
        pos = ring.position(i)
        positions[i] = rankchart.position_text(pos["rang"], pos["von"], pos["rang_ring"], pos["von_ring"])
    return rankchart.rank_chart(kreise.values(kreise.year), titles, ring.peers_, ring.kreis_, name, positions)


def section_vergleichsring(dp, results) -> list:
    ring, kreise = fitted(dp, results)
    spec = dp.params.vergleichsring
    indicators = spec.indicators or [i for i, ind in kreise.catalogue.items() if ind.polarity != 0]
    out = [para(how_found(ring, kreise, indicators))]
    if ring.kreis_ is None:
        table = ring_table(ring, kreise.areas["name"].astype(str) + " (" + kreise.areas.index.astype(str) + ")")
        out.append(para("Jeder Kreisbericht stellt den Kreis in seinen Vergleichsring: Rang unter allen Kreisen und "
                        "unter den Kreisen seiner Gruppe je Schlüsselindikator. Die Gruppen:"))
        out.append(tables.frame_table(table, caption="Vergleichsringe: strukturähnliche Kreise (Clusteranalyse)",
                                      formats={"Kreise": "int", "Mitglieder": "text"},
                                      note="Die Nummern der Ringe ordnen nicht. "
                                           + _source(kreise, indicators)))
        return out
    name = f"{kreise.areas.at[ring.kreis_, 'name']} ({ring.kreis_})"
    others = [n for n, i in zip(_names(kreise, ring.peers_), ring.peers_) if i != ring.kreis_]
    out.append(para(f"Der Vergleichsring von {name} umfasst {fmt_int(len(ring.peers_))} Kreise: den Kreis selbst und "
                    + ", ".join(others) + ". Der Rang zählt vom höchsten Wert an (Rang 1 = höchster Wert); ob ein "
                    "hoher Wert günstig ist, hängt vom Indikator ab (beim Haushaltseinkommen etwa ist er günstig)."))
    ids = kreise.key_indicators
    out.append(_position_table(ring, kreise, ids))
    out.append(figure(results, "vergleichsring", lambda: _chart(ring, kreise, ids),
                      f"Diagramm: {name} unter allen Kreisen (graue Striche) und im Vergleichsring (blaue Punkte). ",
                      _source(kreise, ids), "diagramm"))
    return out
