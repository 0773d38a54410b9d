"""Chapter „Veränderungen seit dem letzten Bericht“ and the trend parts of the Steckbriefe (series Datenpakete).

For a Datenpaket with a series manifest (:mod:`sozialplanung.data.zeitreihe`) and several years:

* trend charts per key indicator (:mod:`sozialplanung.viz.trend`): the Berichtsgebiet against the Kommune, over the
  years; carried (interpolated) years and Zeitreihenbrüche drawn;
* the areas of the Berichtsgebiet that changed their official status class between the last two editions, with
  the indicators that drove the change: each indicator's contribution to the change of the status score
  (:func:`sozialplanung.analysis.zeitreihe.change_contributions`); an indicator with a Zeitreihenbruch between the
  two editions is named but never counted as a driver;
* the transition matrix of the official status classes (class then × class now) and a map of the direction of
  each area's change, areas with interpolated values of the earlier year dotted (:func:`change_map`);
* the Zeitreihenbrüche found (:func:`sozialplanung.data.zeitreihe.detect_breaks`);
* with a typology, also on a plain multi-year Datenpaket (the INKAR Kreis series): the Typwechsel between the last
  two editions, the report year's types applied to the earlier values (:mod:`sozialplanung.report.typwechsel`).

Every value comes from the series-masked values (a value withheld in any year, or of an area not assessed in the
report year, is never shown). :func:`series` computes the series once per run and keeps it in ``results``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialplanung.config.catalogue import GEBIET_ID
from sozialplanung.data import labels
from sozialplanung.formatting import fmt_int, fmt_number
from sozialplanung.report import tables, typwechsel
from sozialplanung.report.model import Cell, Heading, Table, para
from sozialplanung.report.page import figure, map_figure

STATUS = {1: "hoch", 2: "mittel", 3: "niedrig", 4: "sehr niedrig"}
TOP_DRIVERS = 2
"""Indicators named as drivers of one area's change (largest contributions in the direction of the change)."""


def applies(dp, results) -> bool:
    """A series Datenpaket with at least two years and a Sozialindex (the whole chapter, Steckbrief trends)."""
    from sozialplanung.data.zeitreihe import has_zeitreihe

    return len(dp.years()) > 1 and has_zeitreihe(dp) and results.get("index") is not None


def applies_trends(dp, results) -> bool:
    """Several years (any Datenpaket, e.g. the INKAR Kreis series): at least the trend charts of the chapter."""
    return len(dp.years()) > 1


def series(dp, results) -> dict:
    """``{"zr", "table", "res", "breaks"}``, computed once per run: the series table of the key indicators on the
    shown areas (:func:`~sozialplanung.indicators.zeitreihe.series_table`), the series results
    (:func:`~sozialplanung.analysis.zeitreihe.series_results`) and the set of (indicator, year before, year after)
    breaks."""
    if "zeitreihe" not in results:
        from sozialplanung.analysis.zeitreihe import series_results
        from sozialplanung.data.zeitreihe import read_zeitreihe
        from sozialplanung.indicators.zeitreihe import series_table

        zr = read_zeitreihe(dp)
        res = series_results(dp, results["index"].recipe_, zr)
        b = res["zeitreihenbrueche"]
        breaks = {(r.indikator, int(r.von_jahr), int(r.bis_jahr)) for r in b.itertuples() if r.bruch}
        table = series_table(dp, zr, indicators=dp.key_indicators)
        results["zeitreihe"] = {"zr": zr, "table": table, "res": res, "breaks": breaks}
    return results["zeitreihe"]


def _breaks_of(s, ind) -> set[tuple[int, int]]:
    return {(a, b) for i, a, b in s["breaks"] if i == ind}


def _aggregate(dp, s, ind, ids) -> list[float]:
    from sozialplanung.indicators.zeitreihe import series_reference, series_values

    if "werte" not in s:
        s["werte"] = series_values(dp, s["zr"])
    return [series_reference(dp, s["werte"], ind, ids, y) for y in dp.years()]


def trend_figure(dp, results, ind: str):
    """The Berichtsgebiet (if the report is a view) and the Kommune over the years, for one indicator; on a plain
    multi-year Datenpaket from the reference values of each year (withheld values left out as in every year)."""
    from sozialplanung.indicators.reference import reference_value
    from sozialplanung.viz.trend import trend_chart

    s = series(dp, results) if applies(dp, results) else None
    item = dp.catalogue[ind]
    values = ((lambda ids: _aggregate(dp, s, ind, ids)) if s else
              (lambda ids: [reference_value(dp, ind, ids, y)[0] for y in dp.years()]))
    lines = {}
    if labels.is_view(dp):
        lines[labels.berichtsgebiet(dp)] = values(dp.shown_ids)
    lines[labels.reference(dp)] = values(dp.reference_ids)
    carried = [s["zr"].source_stand(y) != s["zr"].gebietsstand for y in dp.years()] if s else None
    return trend_chart(dp.years(), lines, title=item.name, unit=item.unit if item.unit in ("%", "‰") else None,
                       interpolated=carried, breaks=_breaks_of(s, ind) if s else ())


def _trends(dp, results, source: str) -> list:
    out = [Heading(2, "Entwicklung der Schlüsselindikatoren", "veraenderungen-trends")]
    for ind in dp.key_indicators:
        item = dp.catalogue[ind]
        out.append(figure(results, f"trend-{ind}", lambda i=ind: trend_figure(dp, results, i),
                          f"Diagramm: {item.name} {dp.years()[0]}–{dp.years()[-1]}. ", source or
                          f"Quelle: {item.source}.", "diagramm"))
    return out


def _intro(dp, s) -> list:
    zr = s["zr"]
    years = dp.years()
    carried = zr.carried_years()
    text = (f"Die Zeitreihe umfasst die Berichtsjahre {', '.join(zr.label(y) for y in years)}. Alle Jahre stehen auf "
            f"dem Gebietsstand {zr.gebietsstand}.")
    if carried:
        stands = sorted({zr.source_stand(y) for y in carried})
        text += (f" Die Jahre {', '.join(map(str, carried))} wurden auf {', '.join(stands)} veröffentlicht und mit "
                 "einem Gebietsschlüssel übertragen (Methodenanhang, Abschnitt „Gebietsschlüssel“); übertragene Werte "
                 "sind Schätzungen, keine amtlichen Werte, und in Diagrammen und Tabellen gekennzeichnet.")
    tab = s["table"]
    first = tab[tab.indikator == tab.indikator.iloc[0]]
    n_interp = first.loc[first.interpoliert, GEBIET_ID].nunique()
    out = [para(text)]
    if n_interp:
        out.append(para(f"{fmt_int(n_interp)} von {fmt_int(len(dp.shown_ids))} Gebieten des Berichtsgebiets haben "
                        "in den übertragenen Jahren interpolierte Werte: ihr Umriss entspricht keinem alten Gebiet."))
    return out


def _drivers(row, indicators, broken) -> str:
    sign = np.sign(row["delta"]) or 1.0
    parts = sorted(((row[f"beitrag_{i}"], i) for i in indicators if i not in broken), key=lambda t: -sign * t[0])
    named = [f"{i} ({'+' if c > 0 else '−'}{fmt_number(abs(c), 2)})" for c, i in parts[:TOP_DRIVERS] if c * sign > 0]
    return ", ".join(named) or "keiner allein"


def _changes(dp, s, then, now) -> list:
    """The areas of the Berichtsgebiet whose official status class changed, with the drivers of the change."""
    moved = s["res"]["statuswechsel_gebiete"]
    moved = moved[moved[GEBIET_ID].isin(dp.shown_ids)].sort_values(GEBIET_ID)
    indicators = [c[len("beitrag_"):] for c in moved.columns if c.startswith("beitrag_")]
    broken = set(moved.attrs.get("bruch", [])) | {i for i, a, b in s["breaks"] if (a, b) == (then, now)}
    if moved.empty:
        return [para(f"Kein Gebiet des Berichtsgebiets hat die amtliche Statusklasse zwischen {then} und {now} "
                     "gewechselt (unter den Gebieten, die in beiden Jahren eine eindeutige Klasse haben).")]
    rows = []
    for _, r in moved.iterrows():
        rows.append([Cell(labels.area(dp, r[GEBIET_ID]), header=True), Cell(STATUS.get(int(r.klasse_vorher), "")),
                     Cell(STATUS.get(int(r.klasse_jetzt), "")), Cell(fmt_number(r.delta, 2), numeric=True),
                     *(Cell(fmt_number(r[f"beitrag_{i}"], 2), numeric=True) for i in indicators),
                     Cell(_drivers(r, indicators, broken))])
    heads = ["Gebiet", f"Status {then}", f"Status {now}", "Δ Index", *(f"Beitrag {i}" for i in indicators),
             "getrieben von"]
    notes = ["Status-Index: höherer Wert = ungünstigere Lage. Δ Index = Summe der Beiträge (Beitrag eines Indikators "
             "= Änderung seines standardisierten Anteils am Index). Amtliche Klassen; für übertragene Jahre die "
             "Klasse des alten Gebiets mit den meisten Einwohner/innen."]
    if broken:
        notes.append("Mit Zeitreihenbruch, daher nicht als Ursache genannt: " + ", ".join(sorted(broken)) + ".")
    up = int((moved.klasse_jetzt > moved.klasse_vorher).sum())
    return [para(f"{fmt_int(len(moved))} Gebiete des Berichtsgebiets haben die amtliche Statusklasse zwischen {then} "
                 f"und {now} gewechselt: {fmt_int(up)} in eine ungünstigere, {fmt_int(len(moved) - up)} in eine "
                 "günstigere Klasse. Die Tabelle nennt je Gebiet die Indikatoren, die den Wechsel am stärksten "
                 "getragen haben."),
            Table(caption=f"Statuswechsel {then} → {now} und ihre Ursachen",
                  header=[[Cell(h, numeric=2 < k < len(heads) - 1) for k, h in enumerate(heads)]], rows=rows,
                  notes=notes, key="statuswechsel-gebiete")]


def transition_table(dp, s, then, now) -> Table:
    from sozialplanung.analysis.zeitreihe import transition_matrix

    status = s["res"]["status_zeitreihe"]
    m = transition_matrix(status[status[GEBIET_ID].isin(dp.shown_ids)], then, now).set_index(f"klasse_{then}")
    m.index.name = f"Status {then} \\ {now}"
    return tables.frame_table(m, caption=f"Übergänge der amtlichen Statusklassen {then} → {now} (Zahl der Gebiete)",
                              formats={c: "int" for c in m.columns},
                              note="„nicht eindeutig“: kein altes Gebiet stellt mindestens 80 % der Einwohner/innen; "
                                   "„nicht bewertet“: unter der Mindesteinwohnerzahl oder ohne gültigen Wert.")


def interpolated_ids(dp, s, year: int) -> list[str]:
    """The shown areas whose values of ``year`` are interpolated (``interpoliert`` in the series table: the outline
    matches no area of the old Gebietsstand)."""
    tab = s["table"]
    hit = set(tab.loc[(tab.jahr == year) & tab.interpoliert.astype(bool), GEBIET_ID])
    return [g for g in dp.shown_ids if g in hit]


def change_map(dp, results, s, then, now) -> list:
    """Map of the direction of each shown area's official status change ``then`` → ``now``, areas with
    interpolated values of ``then`` dotted on top of their fill (:func:`sozialplanung.viz.atlas.change_map`);
    ``[]`` in table-only mode."""
    from sozialplanung.analysis.zeitreihe import class_change
    from sozialplanung.viz import atlas

    status = s["res"]["status_zeitreihe"]
    change = class_change(status, then, now)
    wide = status[status.jahr.isin([then, now])].pivot(index=GEBIET_ID, columns="jahr", values="status_amtlich")
    details = {g: f"{STATUS[int(wide.at[g, then])]} → {STATUS[int(wide.at[g, now])]}" for g in change.dropna().index}
    marked = interpolated_ids(dp, s, then)
    label = f"Werte {then} übertragen (Umriss ohne altes Gebiet)"
    caption = (f"Karte: Veränderung der amtlichen Statusklasse {then} → {now} je Gebiet (günstiger, unverändert, "
               "ungünstiger; Klassen von hoch bis sehr niedrig). Schraffiert: in einem der Jahre ohne eindeutige oder "
               f"ohne Klasse." + (f" Gepunktet: {label}, die Klasse {then} ist die des alten Gebiets mit den meisten "
                                  "Einwohner/innen." if marked else ""))
    return map_figure(dp, results, "statuswechsel-karte",
                      lambda: atlas.change_map(dp, change, title=f"Statuswechsel {then} → {now}",
                                               legend_title="Statusklasse", marked=marked, marked_label=label,
                                               details=details,
                                               not_rated_label="nicht eindeutig oder nicht bewertet"),
                      caption, _series_source(s))


def _breaks_table(s) -> list:
    b = s["res"]["zeitreihenbrueche"]
    b = b[b.bruch]
    if b.empty:
        return [para("Zeitreihenbrüche: keine gefunden (veröffentlichte Veränderungen und Differenzen der Werte "
                     "stimmen überein).")]
    rows = pd.DataFrame({"Indikator": b.indikator.to_numpy(), "von": b.von_jahr.astype(str).to_numpy(),
                         "bis": b.bis_jahr.astype(str).to_numpy(), "Median |Abweichung| (Pp.)": b.median_abweichung.to_numpy(),
                         "Gebiete": b.n.to_numpy()}).set_index("Indikator")
    return [para("Zeitreihenbrüche: Wo die veröffentlichte Veränderung D(t) nicht der Differenz der veröffentlichten "
                 "Werte S(t) − S(t − 2) entspricht, hat sich die Definition geändert. Solche Veränderungen stehen in "
                 "keiner Aussage dieses Kapitels; Diagramme verbinden die Werte über einen Bruch nicht."),
            tables.frame_table(rows, caption="Gefundene Zeitreihenbrüche",
                               formats={"von": "text", "bis": "text", "Median |Abweichung| (Pp.)": ("number", 2),
                                        "Gebiete": "int"})]


def _series_source(s) -> str:
    zr = s["zr"]
    return "Quelle: " + "; ".join(zr.years[y].get("quelle", str(y)) for y in sorted(zr.years)) + "."


def section_veraenderungen(dp, results) -> list:
    """The chapter „Veränderungen seit dem letzten Bericht“ (module docstring); on a plain multi-year Datenpaket
    only the trend charts and the Typwechsel (status changes need the official classes of a series manifest)."""
    then, now = dp.years()[-2:]
    if not applies(dp, results):
        return [para(f"Die Datentabelle enthält die Jahre {', '.join(map(str, dp.years()))} auf einem Gebietsstand. "
                     "Die Diagramme zeigen die Bezugswerte je Jahr; Werte einzelner Gebiete stehen in den "
                     "Steckbriefen."), *_trends(dp, results, ""), *typwechsel.blocks(dp, results)]
    s = series(dp, results)
    out = [*_intro(dp, s), *_trends(dp, results, _series_source(s))]
    out += [Heading(2, f"Statuswechsel {then} → {now}", "veraenderungen-status"), *_changes(dp, s, then, now),
            transition_table(dp, s, then, now), *change_map(dp, results, s, then, now),
            Heading(2, "Zeitreihenbrüche", "veraenderungen-brueche"),
            *_breaks_table(s), *typwechsel.blocks(dp, results)]
    return out


# ----------------------------------------------------------------------------- Steckbrief
def steckbrief_trend(dp, results, gid: str, not_rated: bool) -> list:
    """The trend of the key indicators of one area: a chart (area, its top parent area, Kommune) per indicator,
    side by side, and the table with interpolated values marked ``*``. Empty for a not-rated area."""
    from sozialplanung.viz.trend import side_by_side, trend_chart

    if not_rated:
        return [para("Zeitreihe: für nicht bewertete Gebiete werden auch für frühere Jahre keine Werte gezeigt.")]
    s = series(dp, results)
    tab = s["table"].set_index([GEBIET_ID, "indikator"]).sort_index()
    years = dp.years()
    panels, rows = [], []
    for ind in dp.key_indicators:
        part = tab.loc[(gid, ind)].sort_values("jahr")
        item = dp.catalogue[ind]
        level = s["table"].attrs.get("bezug_ebene")
        parent = labels.parent(dp, level, part.bezug_id.iloc[0]) if level else None
        lines = {gid: part.wert.to_numpy(float)}
        if parent:
            lines[parent] = part.bezugswert_bezug.to_numpy(float)
        lines[labels.reference(dp)] = part.bezugswert_kommune.to_numpy(float)
        unit = item.unit if item.unit in ("%", "‰") else None
        panels.append(trend_chart(years, lines, title=ind, unit=unit, interpolated=part.interpoliert.tolist(),
                                  breaks=_breaks_of(s, ind), width=175, height=120))
        cells = ["." if np.isnan(v) else fmt_number(v, 1) + ("*" if i else "")
                 for v, i in zip(part.wert, part.interpoliert)]
        rows.append([Cell(f"{item.name} ({ind})", header=True), *(Cell(c, numeric=True) for c in cells)])
    fig = side_by_side(panels)
    chart = figure(results, f"trend-{gid}", lambda: fig, "Zeitreihe der Schlüsselindikatoren: Gebiet, übergeordnetes "
                   f"Gebiet und {labels.reference(dp)}. ", "", "trend")
    table = Table(caption="Zeitreihe der Schlüsselindikatoren (* übertragen aus einem älteren Gebietsstand)",
                  header=[[Cell("Indikator"), *(Cell(str(y), numeric=True) for y in years)]], rows=rows,
                  role="steckbrief-trend", key=f"zeitreihe-{gid}")
    return [chart, table]

