"""Indikatorenblätter: one page per indicator (definition, formula, source, Stichtag, distribution, map,
limitations grouped at the end of the chapter), generated from the catalogue and the data of this run."""

from __future__ import annotations

import numpy as np

from sozialplanung.viz import atlas
from sozialplanung.data import labels
from sozialplanung.formatting import fmt_date, fmt_int, fmt_number
from sozialplanung.indicators.reference import reference_value
from sozialplanung.report.model import Cell, Group, Heading, Note, Table, bullets, para
from sozialplanung.report.page import map_figure

_POLARITY = {1: "höherer Wert = stärkere Belastung", -1: "höherer Wert = Ressource (günstiger)",
             0: "beschreibend, ohne Wertung"}


def formula(ind) -> str:
    """German formula of an indicator: ``Zähler / Nenner × 100`` or the published rate."""
    factor = fmt_number(ind.factor, 0)
    if ind.from_counts:
        return f"{ind.numerator} / {ind.denominator} × {factor} (aus Fallzahlen; Bezugswerte exakt: Σ Zähler / Σ Nenner × {factor})"
    weight = f", gewichtet mit „{ind.weight}“" if ind.weight else ""
    return (f"veröffentlichte Quote (Spalte „{ind.rate}“); Bezugswerte als gewichtetes Mittel der Quoten{weight} "
            "(Näherung, mit „≈“ gekennzeichnet)")


def limitations(dp, ind) -> list[str]:
    """What limits the indicator's meaning (its own notes; the Kommune-wide ones are in :func:`common_limitations`)."""
    out = [ind.limitations] if ind.limitations else []
    if not ind.from_counts:
        out.append("Nur die Quote ist veröffentlicht: Fallzahlen und exakte Bezugswerte sind nicht verfügbar.")
    if ind.age_band:
        out.append(f"Altersgruppe: {ind.age_band}.")
    return out


def common_limitations(dp) -> list[str]:
    """Limits that hold for every indicator of this report."""
    if not dp.params.datenschutz.min_population:
        return []
    return [f"Gebiete unter {fmt_int(dp.params.datenschutz.min_population)} Einwohner/innen werden nicht "
            "bewertet; kleine Gebiete schwanken zufällig stärker."]


def distribution(dp, ind_id) -> list[tuple[str, str]]:
    ind = dp.catalogue[ind_id]
    col = dp.values().loc[dp.shown_ids, ind_id].dropna()
    ref, approx = reference_value(dp, ind_id, dp.reference_ids)
    own, _ = reference_value(dp, ind_id, dp.shown_ids)
    if col.empty:
        return [("Gebiete mit Wert", "0")]
    q = col.quantile([0.25, 0.5, 0.75])
    ranked = dp.params.rangfolgen  # off: the extremes without the names of their areas (no league table)
    rows = [("Gebiete mit Wert", fmt_int(len(col))),
            ("Minimum", labels.value(col.min(), ind.unit) + (f" ({labels.area(dp, col.idxmin())})" if ranked else "")),
            ("unteres Quartil", labels.value(q[0.25], ind.unit)), ("Median", labels.value(q[0.5], ind.unit)),
            ("oberes Quartil", labels.value(q[0.75], ind.unit)),
            ("Maximum", labels.value(col.max(), ind.unit) + (f" ({labels.area(dp, col.idxmax())})" if ranked else "")),
            ("Streuung (Standardabweichung)", labels.value(float(np.std(col, ddof=1)), ind.unit) if len(col) > 1 else "x")]
    if labels.is_view(dp):
        rows.append((labels.berichtsgebiet(dp), labels.value(own, ind.unit, approx=approx)))
    rows.append((labels.reference(dp), labels.value(ref, ind.unit, approx=approx)))
    return rows


def _pairs(pairs, caption: str) -> Table:
    return Table(caption=caption, rows=[[Cell(k, header=True), Cell(str(v))] for k, v in pairs])


def indikatorblatt(dp, results, ind_id: str) -> Group:
    """The sheet of one indicator (its limitations are grouped at the end of the chapter)."""
    ind = dp.catalogue[ind_id]
    facts = [("Kennung", ind_id), ("Definition", ind.definition), ("Formel", formula(ind)),
             ("Einheit", ind.unit), ("Polarität", _POLARITY[ind.polarity]), ("Themenfeld", ind.themenfeld),
             ("Quelle", ind.source), ("Stichtag", fmt_date(ind.stichtag))]
    src = f"Quelle: {ind.source}, Stichtag {fmt_date(ind.stichtag)}."
    karte = map_figure(dp, results, f"karte-{ind_id}", lambda: atlas.indicator_map(dp, ind_id),
                       f"Karte: {ind.name} in {ind.unit}. ", src, "karte klein")
    return Group([Heading(2, f"Indikatorenblatt {ind_id}: {ind.name}"),
                  _pairs(facts, "Steckbrief des Indikators"), *karte,
                  _pairs(distribution(dp, ind_id), "Verteilung im Berichtsgebiet"), para(src, role="quelle")],
                 keep_together=True, anchor=f"blatt-{ind_id}", role="indikatorblatt")


def grenzen(dp) -> list:
    """"Grenzen der Aussagekraft" of every indicator on one page at the end of the chapter."""
    items = [f"{i} {ind.name}: " + " ".join(limitations(dp, ind)) for i, ind in dp.catalogue.items()
             if limitations(dp, ind)]
    blocks = [Heading(2, "Grenzen der Aussagekraft", "grenzen-indikatoren")]
    blocks += [Note(text, kind="grenzen") for text in common_limitations(dp)]
    if items:
        blocks.append(bullets(items))
    return [Group(blocks, keep_together=True, role="grenzen")] if len(blocks) > 1 else []


def overview(dp) -> list:
    """The chapter's first page: what a sheet holds and every indicator in one table (so the chapter heading
    never stands alone on a page before the first sheet, which is kept together)."""
    rows = [[Cell(i, header=True), Cell(ind.name), Cell(ind.themenfeld), Cell(_POLARITY[ind.polarity]),
             Cell(fmt_date(ind.stichtag))] for i, ind in dp.catalogue.items()]
    return [para("Ein Blatt je Indikator: Definition, Formel, Quelle und Stichtag, die Karte und die Verteilung im "
                 "Berichtsgebiet; die Grenzen der Aussagekraft aller Indikatoren stehen gesammelt am Ende."),
            Table(caption="Übersicht der Indikatoren",
                  header=[[Cell("Kennung"), Cell("Indikator"), Cell("Themenfeld"), Cell("Polarität"),
                           Cell("Stichtag")]], rows=rows, role="uebersicht")]


def section_indikatorenblaetter(dp, results) -> list:
    return [*overview(dp), *(indikatorblatt(dp, results, i) for i in dp.catalogue), *grenzen(dp)]
