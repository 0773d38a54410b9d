"""The chapters of the Sozialbericht: each ``section_*(dp, results) -> list`` of report-model blocks.

Every figure and table carries its Quelle and Stichtag; every area is named with id and name.
Authored Markdown (:mod:`sozialplanung.report.texts`) is placed at the start of its chapter, or a note
says that it is still missing.
"""

from __future__ import annotations

import pandas as pd

from sozialplanung.viz import atlas
from sozialplanung.viz import charts
from sozialplanung.viz import analysis_plots
from sozialplanung.data import labels
from sozialplanung.report import tables
from sozialplanung.report import texts
from sozialplanung.formatting import fmt_date, fmt_int, fmt_number
from sozialplanung.indicators.reference import reference_table, reference_value, top_level
from sozialplanung.report.model import Group, Heading, Note, Paragraph, Run, bullets, para
from sozialplanung.report.page import figure, map_figure, no_maps_note

TABLE_COLUMNS = 4
"""At most this many indicators per table, so that a table fits the page width."""
MAX_BARS = 60
"""Up to this many areas a bar chart shows every area; above, the parent areas."""


def _source(dp, ind_ids) -> str:
    items = sorted({f"{dp.catalogue[i].source}, Stichtag {fmt_date(dp.catalogue[i].stichtag)}" for i in ind_ids})
    return "Quelle: " + "; ".join(items) + "."


def _authored(dp, results, chapter: str, title: str) -> list:
    return texts.authored(results.get("texts", {}), chapter, title)


def _left_out_table(dp, reasons: pd.Series, caption: str):
    """Areas of the Berichtsgebiet left out (of the report or of one analysis), with id, name, residents, reason."""
    ids = list(reasons.index)
    rows = pd.DataFrame({"Gebiet": dp.areas.loc[ids, "name"].astype(str),
                         "Einw.": dp.population().reindex(ids), "Grund": reasons.astype(str)})
    rows.index.name = "Nr."
    return tables.frame_table(rows, caption=caption, formats={"Gebiet": "text", "Einw.": "int", "Grund": "text"})


def left_out(dp, result, analysis: str) -> list:
    """The shown areas an analysis left out for a missing or withheld input (Datenschutz cases are listed in the
    Einleitung), with the reason; empty if none."""
    reasons = getattr(result, "not_rated_reasons_", None)
    if reasons is None or not len(reasons):
        return []
    reasons = reasons[reasons.index.isin(dp.shown_ids) & ~reasons.astype(str).str.startswith("Datenschutz")]
    if not len(reasons):
        return []
    return [para(f"{fmt_int(len(reasons))} Gebiete des Berichtsgebiets fehlen in der {analysis}, weil ein "
                 "Eingangswert fehlt oder geheim gehalten ist:"),
            _left_out_table(dp, reasons, f"Nicht in der {analysis} berücksichtigte Gebiete")]


def section_auf_einen_blick(dp, results) -> list:
    box = Group([bullets([f.text for f in results["findings"]], role="befunde")], role="kasten")
    note = para("Die Aussagen werden bei jedem Lauf aus den Ergebnissen erzeugt. Bewertet wird die soziale "
                "Lage im Vergleich der Gebiete, nicht die Menschen, die dort leben.")
    own = results.get("texts", {}).get("auf-einen-blick")
    return [box, note] + ([Group(list(own), keep_together=False, role="autorentext")] if own else [])


def section_einleitung(dp, results) -> list:
    p = dp.params
    shown, ref = len(dp.shown_ids), len(dp.reference_ids)
    text = [para(f"Dieser Bericht beschreibt die soziale Lage in {'einem Gebiet' if shown == 1 else f'{fmt_int(shown)} Gebieten'} der Ebene "
                      f"{p.areas.level} ({labels.berichtsgebiet(dp)}). Bezugswerte, Indizes und Klassen sind über "
                      f"{fmt_int(ref)} Gebiete berechnet (Bezugsgesamtheit: {labels.reference(dp)}). Jedes Gebiet "
                      "wird mit Nummer und Namen genannt, da Namen mehrfach vorkommen.")]
    single = labels.single_area_note(dp)
    text += ([para(single)] if single else []) + no_maps_note(dp)
    reasons = dp.not_assessed_reasons(dp.shown_ids)
    if len(reasons):
        text.append(para(f"{fmt_int(len(reasons))} Gebiete werden aus Datenschutzgründen nicht bewertet "
                              "(Zeichen „x“): Für sie werden nur Nummer, Name und Einwohnerzahl veröffentlicht, "
                              "keine Indikatorwerte."))
        text.append(_left_out_table(dp, reasons, "Nicht bewertete Gebiete (Datenschutz)"))
    if len(dp.years()) == 1:
        text.append(para(f"Zeitreihe: nur ein Berichtsjahr vorhanden ({dp.years()[0]})."))
    for note in results.get("hinweise", []):
        text.append(Note(f"Nicht berechnet – {note}", role="fehlt"))
    return _authored(dp, results, "einleitung", "Einleitung") + text


def _bar(dp, ind_id, results):
    ind = dp.catalogue[ind_id]
    ref, _ = reference_value(dp, ind_id, dp.reference_ids)
    refs = {labels.reference(dp): ref}
    if labels.is_view(dp):
        refs[labels.berichtsgebiet(dp)] = reference_value(dp, ind_id, dp.shown_ids)[0]
    if len(dp.shown_ids) <= MAX_BARS:
        values = dp.values().loc[dp.shown_ids, ind_id]
        names = dp.areas.loc[dp.shown_ids, "name"]
    else:
        level = atlas.outline_level(dp) or top_level(dp)
        rows = reference_table(dp, indicators=[ind_id])
        rows = rows[rows["ebene"] == level].set_index("id")
        values, names = rows[ind_id], rows["name"].str.replace(f"{level} ", "", regex=False)
    n = len(values)
    return charts.compare_bar(values, names, refs, unit=ind.unit if ind.unit in ("%", "‰") else None,
                              title=f"{ind.name} im Vergleich", figsize=(7.0, min(9.0, 1.4 + 0.17 * n)))


def section_themenfelder(dp, results) -> list:
    parts = []
    refs = reference_table(dp)
    single = labels.single_area_note(dp)  # one area: no map or bars of the areas in comparison
    for feld in dp.catalogue.themenfelder():
        ids = [i for i, ind in dp.catalogue.items() if ind.themenfeld == feld]
        chapter = f"themenfeld-{texts.slug(feld)}"
        parts += [Heading(2, feld, chapter), *_authored(dp, results, chapter, feld)]
        for ind_id in ids:
            ind = dp.catalogue[ind_id]
            src = _source(dp, [ind_id])
            parts += [Heading(3, f"{ind.name} ({ind_id})", f"ind-{ind_id}", role="indikator"),
                      para(f"{ind.definition}.")]
            if single:
                parts.append(para(single))
                continue
            parts += map_figure(dp, results, f"karte-{ind_id}", lambda i=ind_id: atlas.indicator_map(dp, i),
                                f"Karte: {ind.name} in {ind.unit}; Klassengrenzen in der Legende. ", src)
            if ind.polarity != 0 and dp.params.rangfolgen:  # sorted bars rank the areas: only where enabled
                parts.append(figure(results, f"balken-{ind_id}", lambda i=ind_id: _bar(dp, i, results),
                                    f"Diagramm: {ind.name} je Gebiet mit den Vergleichswerten. ", src, "diagramm"))
        groups = [ids[k:k + TABLE_COLUMNS] for k in range(0, len(ids), TABLE_COLUMNS)]
        for n, group in enumerate(groups, start=1):
            part = f" (Teil {n} von {len(groups)})" if len(groups) > 1 else ""
            parts.append(tables.indicator_block(dp, group, caption=f"{feld}: Gebiete im Vergleich{part}",
                                                references=refs))
    return parts


def _index_source(dp) -> str:
    return _source(dp, [i for i in dp.catalogue if dp.catalogue[i].polarity != 0][:1])


def section_sozialindex(dp, results) -> list:
    index = results["index"]
    out = [*_authored(dp, results, "sozialindex", "Sozialindex"),
           para(f"{index.recipe_.title}. Der Status-Index fasst die Lage, der Dynamik-Index die Veränderung "
                     "zusammen; beide werden über die Bezugsgesamtheit standardisiert. Die Klassen beschreiben die "
                     "Lage relativ zu allen Gebieten, nicht absolut.")]
    for part in index.recipe_.parts():
        spec = index.recipe_.parts()[part]
        out += map_figure(dp, results, f"index-{part}", lambda p=part: atlas.index_map(dp, index, p),
                          f"Karte: {spec.label}, Klassen mit Grenzen des standardisierten Werts in der Legende. ",
                          _index_source(dp))
        classes = getattr(index, f"{part}_").reindex(dp.shown_ids)
        intervals = index.classifications_[part].intervals()
        rows = pd.DataFrame({"Klasse": [c.label for c in spec.classification.classes], "Bereich": intervals,
                             "Gebiete": [int((classes == c.code).sum()) for c in spec.classification.classes]})
        out.append(tables.frame_table(rows, caption=f"{spec.label}: Gebiete je Klasse (Berichtsgebiet)",
                                      formats={"Gebiete": "int", "Klasse": "text", "Bereich": "text"},
                                      note=_index_source(dp)))
    if index.dynamik_ is not None:
        frame = index.to_frame().set_index("gebiet_id").reindex(dp.shown_ids)
        from sozialplanung.analysis.pipeline import crosstab

        tab = crosstab(frame["status_label"], frame["dynamik_label"], rows="Status", columns="Dynamik")
        order = {part: [c.label for c in spec.classification.classes] for part, spec in index.recipe_.parts().items()}
        tab = tab.reindex(index=[c for c in order["status"] + ["Summe"] if c in tab.index],  # class order, not A–Z
                          columns=[c for c in order["dynamik"] + ["Summe"] if c in tab.columns])
        tab.index.name = "Status \\ Dynamik"
        out.append(tables.frame_table(tab, caption="Status × Dynamik: Zahl der Gebiete",
                                      formats={c: "int" for c in tab.columns}, note=_index_source(dp)))
    out += left_out(dp, index, "Sozialindex-Berechnung")
    return out


def _type_order_text(typ) -> str:
    if getattr(typ, "order_score_", None) is not None:
        return ("Die Buchstaben folgen dem mittleren Wert des Status-Index der Gebiete eines Typs (Typ A = "
                "niedrigster Mittelwert); die Namen bewerten nicht, sie nennen die auffälligsten Indikatoren.")
    return "Die Namen bewerten nicht, sie nennen die auffälligsten Indikatoren."


def section_typologie(dp, results) -> list:
    typ = results["typology"]
    shown = typ.labels_.reindex(dp.shown_ids)
    out = [*_authored(dp, results, "typologie", "Gebietstypen"),
           para("Die Clusteranalyse fasst Gebiete mit ähnlichem Profil der Faktorwerte zu Typen zusammen. "
                     "Jeder Typ ist nach den Indikatoren beschrieben, deren Mittelwert im Typ am stärksten vom "
                     "Durchschnitt aller Gebiete abweicht (mindestens eine halbe Standardabweichung). "
                     + _type_order_text(typ)),
           *map_figure(dp, results, "typen", lambda: atlas.typology_map(dp, typ),
                       "Karte: Gebietstypen der Clusteranalyse. ", _index_source(dp))]
    order = list(typ.names_)
    rows = pd.DataFrame({"Gebiete (Bezugsgesamtheit)": [int(typ.sizes_.get(k, 0)) for k in order],
                         "davon im Berichtsgebiet": [int((shown == k).sum()) for k in order],
                         "Stabilität (Jaccard)": [float(typ.stability_.get(k, float("nan"))) for k in order]},
                        index=pd.Index([typ.title(k) for k in order], name="Typ und Profil"))
    out.append(tables.frame_table(rows, caption="Gebietstypen: Profil, Größe und Stabilität",
                                  formats={"Gebiete (Bezugsgesamtheit)": "int",
                                           "davon im Berichtsgebiet": "int", "Stabilität (Jaccard)": ("number", 2)},
                                  note="Stabilität: mittlere Jaccard-Ähnlichkeit im Bootstrap (ab 0,75 stabil, "
                                       "unter 0,6 instabil). " + _index_source(dp)))
    out.append(figure(results, "typprofile", lambda: analysis_plots.type_profiles(typ), "Abbildung: mittlere z-Werte der Faktoren je Typ. ",
                      _index_source(dp), "diagramm", same_for=()))  # the typology's alone: drawn once per batch
    out += left_out(dp, typ, "Clusteranalyse")
    return out


def section_faktorenanalyse(dp, results) -> list:
    from sozialplanung.analysis.pipeline import loadings_table

    fa = results["fa"]
    ev = fa.explained_variance_
    p = "< 0,001" if fa.bartlett_.p_value < 0.001 else "= " + fmt_number(fa.bartlett_.p_value, 3)
    text = para(f"{fmt_int(len(fa.indicators_))} Indikatoren über {fmt_int(fa.n_obs_)} bewertete Gebiete; "
                     f"{fmt_int(fa.n_factors_)} Faktoren erklären zusammen "
                     f"{fmt_number(100 * ev['kumuliert'].iloc[-1], 1)} % der Varianz. Eignung: KMO = "
                     f"{fmt_number(fa.kmo_, 2)}, Bartlett-Test χ² = {fmt_number(fa.bartlett_.statistic, 1)} "
                     f"(df = {fmt_int(fa.bartlett_.df)}, p {p}).")
    load = loadings_table(fa)
    load.index = [f"{i} {dp.catalogue[i].name}" if i in dp.catalogue else i for i in load.index]
    load.index.name = "Indikator"
    load = load.rename(columns={"kommunalitaet": "Kommunalität"})
    table = tables.frame_table(load, caption="Faktorladungen (rotiert) und Kommunalitäten",
                               formats={c: ("number", 2) for c in load.columns},
                               note="Ladungen ab |0,5| prägen einen Faktor. " + _index_source(dp))
    return [*_authored(dp, results, "faktorenanalyse", "Faktorenanalyse"), text, table,
            *left_out(dp, fa, "Faktorenanalyse")]


def section_handlungsempfehlungen(dp, results) -> list:
    return _authored(dp, results, "handlungsempfehlungen", "Handlungsempfehlungen")


def section_quellen(dp, results) -> list:
    cat = sorted({f"{i.source} (Stichtag {fmt_date(i.stichtag)})" for i in dp.catalogue.values()})
    items = dp.params.sources + [s for s in cat if s.split(" (")[0] not in " ".join(dp.params.sources)]
    return [bullets(items), para(
        "Die Gebietsgrenzen sind für die Darstellung vereinfacht (Daten verändert). Karten ohne Hintergrundkarte; "
        "alle Karten und Diagramme sind mit der Bibliothek „sozialplanung“ erstellt. Bezugswerte aus "
        "veröffentlichten Quoten sind einwohnergewichtete Mittel und daher Näherungswerte (≈).")]


def section_provenienz(dp, results) -> list:
    m = results.get("manifest") or {}
    lines = [f"Parameterdatei: {dp.params.path}", f"Git-Commit: {m.get('git_commit')}",
             f"Erstellt: {m.get('zeitpunkt')}"]
    lines += [f"Eingabe {k}: {v['pfad']} (SHA-256 {v['sha256'][:16]}…)" for k, v in m.get("eingaben", {}).items()]
    lines += [f"{k} {v}" for k, v in m.get("versionen", {}).items()]
    return [Paragraph([Run("\n".join(lines))], role="provenienz")]


def kurzfassung_body(dp, results) -> list:
    """Findings and the two key maps: the Kurzfassung's content."""
    out = [Heading(1, "Auf einen Blick", "auf-einen-blick"), *section_auf_einen_blick(dp, results)]
    index = results.get("index")
    key = dp.key_indicators[0]
    ind = dp.catalogue[key]
    maps = []
    if index is not None:
        spec = index.recipe_.parts()["status"]
        maps += map_figure(dp, results, "index-status", lambda: atlas.index_map(dp, index, "status"),
                           f"Karte: {spec.label}. ", _index_source(dp), "karte klein")
    maps += map_figure(dp, results, f"karte-{key}", lambda: atlas.indicator_map(dp, key),
                       f"Karte: {ind.name} in {ind.unit}; Klassengrenzen in der Legende. ", _source(dp, [key]),
                       "karte klein")
    # the pointer to the full report closes the findings: after the maps it can be left alone on a page
    out.append(para("Ausführliche Ergebnisse, Steckbriefe aller Gebiete und der Methodenanhang stehen im "
                    "Sozialbericht (bericht.pdf / bericht.html)."))
    out += [Heading(1, "Karten", "karten"), *maps] if maps else no_maps_note(dp)
    return out
