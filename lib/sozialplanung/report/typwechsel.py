"""The part „Typwechsel {then} → {now}“ of the chapter „Veränderungen seit dem letzten Bericht“.

For a multi-year Datenpaket with a typology: the types of the report year applied to the values of the previous
edition (:mod:`sozialplanung.analysis.typwechsel`), one paragraph (what was done, how many areas changed type, the
agreement of nearest-centre assignment with the typology itself as the noise floor) and the transition matrix on
the shown areas. Where no area of the earlier year can be assigned (the Berlin series: the context indicators of the
clustering are missing in the old editions) a note says so instead.
"""

from __future__ import annotations

from dataclasses import replace

from sozialplanung.formatting import fmt_count, fmt_int, fmt_number
from sozialplanung.report import tables
from sozialplanung.report.model import Heading, Note, para


def applies(dp, results) -> bool:
    """Several years and a typology with its factor analysis in the results."""
    return len(dp.years()) > 1 and results.get("typology") is not None and results.get("fa") is not None


def compute(dp, results):
    """The :class:`~sozialplanung.analysis.typwechsel.Typwechsel` of the report, computed once per run."""
    if "typwechsel" not in results:
        from sozialplanung.analysis.typwechsel import typwechsel

        results["typwechsel"] = typwechsel(dp, results["fa"], results["typology"])
    return results["typwechsel"]


def _text(tw) -> str:
    then, now = tw.then, tw.now
    n_both = len(tw.both)
    text = (f"Gebietstypen werden nur für {now} gebildet. Für den Vergleich wurde die Typisierung von {now} "
            f"unverändert auf die Werte von {then} angewandt: dieselbe Standardisierung und dieselben Gewichte der "
            "Faktorwerte, dann je Gebiet der Typ mit dem nächstgelegenen Typzentrum. "
            f"Danach haben {fmt_int(tw.changed)} von {fmt_count(n_both, 'Gebiet', 'Gebieten')} mit einem Typ in "
            "beiden Jahren den Typ gewechselt.")
    missing = len(tw.ids) - tw.assigned
    if missing:
        text += (f" {fmt_count(missing, 'Gebiet ist', 'Gebiete sind')} für {then} „nicht zugeordnet“ (geheim "
                 "gehaltene oder fehlende Werte).")
    if tw.n_agreement:
        off = tw.n_agreement - tw.same_agreement
        share = fmt_number(100 * tw.same_agreement / tw.n_agreement, 1)
        text += (f" Zum Vergleich das Grundrauschen des Verfahrens: Auf die Werte von {now} selbst angewandt, ordnet "
                 f"dieselbe Regel {fmt_int(tw.same_agreement)} von {fmt_int(tw.n_agreement)} typisierten Gebieten "
                 f"({share} %) wieder ihrem eigenen Typ zu; {fmt_count(off, 'Abweichung entsteht', 'Abweichungen entstehen')} "
                 "also schon ohne jede Veränderung der Werte. Ein einzelner Typwechsel ist daher ein Hinweis, kein Befund.")
    return text


def blocks(dp, results) -> list:
    """Heading, paragraph and matrix; a note where no area of the earlier year has a type (module docstring)."""
    if not applies(dp, results):
        return []
    tw = compute(dp, results)
    if not tw.assigned:
        return [Note(f"Gebietstypen liegen nur für {tw.now} vor: auf die Werte von {tw.then} lässt sich die "
                     "Typisierung nicht anwenden (die Indikatoren der Clusteranalyse fehlen dort); ein Typwechsel ist "
                     "daher nicht darstellbar.")]
    from sozialplanung.analysis.typwechsel import NOT_ASSIGNED

    m = tw.matrix().set_index(f"typ_{tw.then}")
    m.index.name, m.columns.name = f"Typ {tw.then} \\ {tw.now}", None
    table = tables.frame_table(m, caption=f"Typwechsel {tw.then} → {tw.now} (Zahl der Gebiete)",
                               formats={c: "int" for c in m.columns},
                               note=f"Zeilen: Typ {tw.then} (Typisierung von {tw.now}, nächstgelegenes Typzentrum); "
                                    f"Spalten: Typ {tw.now}." + (" „nicht zugeordnet“: nicht bewertet, geheim "
                                                                "gehaltener oder fehlender Wert." if NOT_ASSIGNED in
                                                                m.index or NOT_ASSIGNED in m.columns else ""))
    return [Heading(2, f"Typwechsel {tw.then} → {tw.now}", "veraenderungen-typen"), para(_text(tw)),
            replace(table, key="typwechsel")]
