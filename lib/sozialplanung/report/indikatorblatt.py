"""Indikatorenblätter: one page per indicator (definition, formula, source, Stichtag, distribution, map,
limitations), generated from the catalogue and the data of this run."""

from __future__ import annotations

import numpy as np

from sozialplanung.viz import atlas
from sozialplanung.data import labels
from sozialplanung.formatting import fmt_date, fmt_int, fmt_number
from sozialplanung.indicators.reference import reference_value
from sozialplanung.markup import Markup, join
from sozialplanung.report.page import figure

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
    out = [ind.limitations] if ind.limitations else []
    if not ind.from_counts:
        out.append("Nur die Quote ist veröffentlicht: Fallzahlen und exakte Bezugswerte sind nicht verfügbar.")
    if dp.params.datenschutz.min_population:
        out.append(f"Gebiete unter {fmt_int(dp.params.datenschutz.min_population)} Einwohner/innen werden nicht "
                   "bewertet; kleine Gebiete schwanken zufällig stärker.")
    if ind.age_band:
        out.append(f"Altersgruppe: {ind.age_band}.")
    return out


def distribution(dp, ind_id) -> list[tuple[str, str]]:
    ind = dp.catalogue[ind_id]
    col = dp.values().loc[dp.shown_ids, ind_id].dropna()
    ref, approx = reference_value(dp, ind_id, dp.reference_ids)
    own, _ = reference_value(dp, ind_id, dp.shown_ids)
    if col.empty:
        return [("Gebiete mit Wert", "0")]
    q = col.quantile([0.25, 0.5, 0.75])
    rows = [("Gebiete mit Wert", fmt_int(len(col))),
            ("Minimum", f"{labels.value(col.min(), ind.unit)} ({labels.area(dp, col.idxmin())})"),
            ("unteres Quartil", labels.value(q[0.25], ind.unit)), ("Median", labels.value(q[0.5], ind.unit)),
            ("oberes Quartil", labels.value(q[0.75], ind.unit)),
            ("Maximum", f"{labels.value(col.max(), ind.unit)} ({labels.area(dp, col.idxmax())})"),
            ("Streuung (Standardabweichung)", labels.value(float(np.std(col, ddof=1)), ind.unit) if len(col) > 1 else "x")]
    if labels.is_view(dp):
        rows.append((labels.berichtsgebiet(dp), labels.value(own, ind.unit, approx=approx)))
    rows.append((labels.reference(dp), labels.value(ref, ind.unit, approx=approx)))
    return rows


def _rows(pairs) -> Markup:
    return join(Markup('<tr><th scope="row">{}</th><td>{}</td></tr>').format(k, v) for k, v in pairs)


def indikatorblatt_html(dp, results, ind_id: str) -> Markup:
    ind = dp.catalogue[ind_id]
    facts = [("Kennung", ind_id), ("Definition", ind.definition), ("Formel", formula(ind)),
             ("Einheit", ind.unit), ("Polarität", _POLARITY[ind.polarity]), ("Themenfeld", ind.themenfeld),
             ("Quelle", ind.source), ("Stichtag", fmt_date(ind.stichtag))]
    src = f"Quelle: {ind.source}, Stichtag {fmt_date(ind.stichtag)}."
    karte = figure(results, f"karte-{ind_id}", lambda: atlas.indicator_map(dp, ind_id),
                   f"Karte: {ind.name} in {ind.unit}. ", src, "karte klein")
    return Markup('<section class="indikatorblatt" id="blatt-{id}"><h3>Indikatorenblatt {id}: {name}</h3>'
                  '<table class="daten steckbrief-tabelle"><caption>Steckbrief des Indikators</caption><tbody>{facts}'
                  '</tbody></table>{karte}<table class="daten steckbrief-tabelle"><caption>Verteilung im '
                  'Berichtsgebiet</caption><tbody>{dist}</tbody></table><p class="quelle">{src}</p>'
                  "<h4>Grenzen der Aussagekraft</h4><ul>{lim}</ul></section>").format(
        id=ind_id, name=ind.name, facts=_rows(facts), karte=karte, dist=_rows(distribution(dp, ind_id)), src=src,
        lim=join(Markup("<li>{}</li>").format(t) for t in limitations(dp, ind)))


def section_indikatorenblaetter(dp, results) -> Markup:
    return join(indikatorblatt_html(dp, results, i) for i in dp.catalogue)
