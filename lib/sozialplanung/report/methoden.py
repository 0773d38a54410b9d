"""The Methodenanhang, generated from the parameters, the recipe and the fitted analyses of this run.

Nothing here is written by hand: change a class cut-off in the recipe and the formulas, class
limits and legends change with it. Sections: parameters of the run, reference values, maps,
Sozialindex (every recipe step, class limits), factor analysis and cluster analysis (settings and
diagnostics), spatial statistics, Datenschutz (what was withheld), the indicator catalogue.
"""

from __future__ import annotations

import pandas as pd

from sozialplanung.data import labels
from sozialplanung.report import tables
from sozialplanung.report.recipe_text import describe_index
from sozialplanung.formatting import fmt_int, fmt_number
from sozialplanung.report.model import Heading, para


def _p(sentences) -> list:
    return [para(s) for s in sentences]


def _sel(sel) -> str:
    return "alle Gebiete der Datei" if sel is None else f"{sel.level} {', '.join(sel.ids)}"


def parameter_rows(dp) -> list[tuple[str, str]]:
    p = dp.params
    ds = p.datenschutz
    return [("Parameterdatei", str(p.path).split("/params/")[-1]), ("Berichtsjahr", str(p.report_year)),
            ("Gebietsebene", p.areas.level), ("Bezugsgesamtheit", f"{_sel(p.bezugsgesamtheit)} "
                                                               f"({fmt_int(len(dp.reference_ids))} Gebiete)"),
            ("Berichtsgebiet", f"{_sel(p.berichtsgebiet)} ({fmt_int(len(dp.shown_ids))} Gebiete)"),
            ("Mindesteinwohnerzahl für eine Bewertung", fmt_int(ds.min_population)),
            ("Geheimhaltungsgrenze für Fallzahlen", fmt_int(ds.min_count)),
            ("Sekundäre Geheimhaltung", "ja" if ds.secondary else "nein"),
            ("Ausgabe", "öffentlich" if p.edition == "oeffentlich" else "intern (nur für den Dienstgebrauch)"),
            ("Status", "Entwurf" if p.status == "entwurf" else "Veröffentlichung"),
            ("Index-Rezept", p.recipe or "keines"), ("Schlüsselindikatoren", ", ".join(dp.key_indicators)),
            ("Zufallsstartwert", str(p.analyses.random_state))]


def _table(rows, caption):
    frame = pd.DataFrame(rows, columns=["Angabe", "Wert"]).set_index("Angabe")
    return tables.frame_table(frame, caption=caption, formats={"Wert": "text"})


def describe_references(dp) -> list[str]:
    out = [f"Jedes Gebiet wird mit dem Wert der Bezugsgesamtheit ({labels.reference(dp)}, "
           f"{fmt_int(len(dp.reference_ids))} Gebiete) und der übergeordneten Gebiete verglichen."]
    if any(i.from_counts for i in dp.catalogue.values()):
        out.append("Indikatoren aus Fallzahlen: Bezugswert = Σ Zähler / Σ Nenner × Faktor (exakt).")
    if any(not i.from_counts for i in dp.catalogue.values()):
        out.append("Indikatoren aus veröffentlichten Quoten: Bezugswert = Σ (Quote × Gewicht) / Σ Gewicht über die "
                   "Gebiete mit Wert; das ist eine Näherung und wird mit „≈“ gekennzeichnet.")
    return out


def describe_maps(dp) -> list[str]:
    from sozialplanung.report.page import no_maps_text
    from sozialplanung.viz import palettes

    if not dp.params.has_maps:
        return [no_maps_text(dp)]
    return [f"Indikatorkarten: 5 Klassen nach Quantilen (etwa gleich viele Gebiete je Klasse), berechnet aus den "
            f"{fmt_int(len(dp.shown_ids))} Gebieten des Berichts ohne geheim gehaltene Werte. Klassen sind rechts "
            "geschlossen („bis b1“, „über b1 bis b2“); Werte und Grenzen werden vor der Zuordnung auf eine "
            "Nachkommastelle gerundet, so dass Karte und Tabelle übereinstimmen. Die Grenzen stehen in jeder Legende.",
            palettes.describe() + " Geheim gehaltene Werte sind schraffiert, nicht bewertete Gebiete grau. Ohne "
            "Hintergrundkarte: übergeordnete Gebiete als Linien, Gebietsnummern, Maßstabsleiste."]


def _index_part(index, name):
    spec = index.recipe_.parts()[name]
    cl = index.classifications_[name]
    rows = pd.DataFrame({"Klasse": [f"{c.code} {c.label}" for c in spec.classification.classes],
                         "Bereich des standardisierten Werts": cl.intervals(),
                         "Gebiete (Bezugsgesamtheit)": [int(n) for n in cl.counts()]})
    return tables.frame_table(rows.set_index("Klasse"), caption=f"{spec.label}: Klassengrenzen (aus dem Rezept)",
                              formats={"Bereich des standardisierten Werts": "text",
                                       "Gebiete (Bezugsgesamtheit)": "int"})


def describe_vergleichsrezepte(vergleich) -> list:
    """Per comparison recipe (``vergleichsrezepte``): its steps as fitted, and where it departs from the published
    method it reproduces (the recipe's ``deviations``), with the measured agreement with the published scores."""
    from sozialplanung.formatting import fmt_percent
    from sozialplanung.report.model import bullets

    out = []
    for name, index in vergleich.indices.items():
        out += [Heading(3, f"Vergleichsrezept „{name}“"), *_p(describe_index(index))]
        rows = vergleich.agreement[(vergleich.agreement["a"] == name)]
        for row in rows.itertuples():
            out.append(para(f"Abgleich mit „{row.b}“ über {fmt_int(row.n)} Gebiete: Rangkorrelation nach Spearman "
                            f"ρ = {fmt_number(row.spearman, 3)}; im gleichen Quintil {fmt_percent(100 * row.gleiche_klasse)}, "
                            f"höchstens ein Quintil auseinander {fmt_percent(100 * row.hoechstens_eine)}."))
        if index.recipe_.deviations:
            out += [para(f"Abweichungen vom veröffentlichten Verfahren – Schritte, die das Rezept „{name}“ mit den "
                         "vorhandenen Daten nicht nachbildet, und warum:"), bullets(index.recipe_.deviations)]
    return out


def describe_factor(dp, fa) -> list[str]:
    spec = dp.params.analyses.factor
    pa = fa.parallel_
    out = [f"Faktorenanalyse ({'Hauptachsen-Faktorenanalyse' if spec.method == 'pa' else 'Maximum-Likelihood'}, "
           f"Rotation {spec.rotation or 'keine'}) über {fmt_int(fa.n_obs_)} bewertete Gebiete und "
           f"{fmt_int(len(fa.indicators_))} Indikatoren ({', '.join(fa.indicators_)}), z-standardisiert (ddof = 1).",
           f"Eignung: KMO = {fmt_number(fa.kmo_, 3)}; Bartlett-Test χ² = {fmt_number(fa.bartlett_.statistic, 1)}, "
           f"df = {fmt_int(fa.bartlett_.df)}, p = {fmt_number(fa.bartlett_.p_value, 4)}.",
           f"Faktorenzahl: {fmt_int(fa.n_factors_)} "
           + ("(vorgegeben)" if spec.n_factors else f"(Parallelanalyse nach Horn: {fmt_int(pa.n_factors)})")
           + f"; erklärte Varianz zusammen {fmt_number(100 * fa.explained_variance_['kumuliert'].iloc[-1], 1)} %.",
           "Faktorwerte: Regressionsmethode (Thurstone)."
           + (f" Markierindikator {spec.marker} lädt positiv." if spec.marker else "")]
    if getattr(fa, "heywood_", None):
        out.append(f"Heywood-Fall (Kommunalität ≥ 0,995): {', '.join(fa.heywood_)}.")
    return out


def describe_cluster(dp, typ, typwechsel: bool = False) -> list[str]:
    """The clustering, its stability and, with ``typwechsel`` (the chapter shows a Typwechsel), how the types of the
    report year were applied to the previous edition."""
    spec = dp.params.analyses.cluster
    stab = "; ".join(f"{typ.names_[k]}: {fmt_number(typ.stability_[k], 2)}" for k in typ.names_)
    return [f"Clusteranalyse ({'Ward' if spec.method == 'ward' else 'k-Means'}) auf den Faktorwerten; "
            f"k = {fmt_int(typ.k_)} " + ("(vorgegeben)" if spec.k else "(höchste Silhouette)")
            + f", Vorschlag nach Silhouette: k = {fmt_int(typ.k_suggested_)}.",
            "Typnummern (Spalte „typ“) nach dem mittleren z-Wert (ddof = 1) der gepolten Indikatoren; Namen neutral "
            "(Typ A …), Buchstaben nach dem mittleren Status-Index je Typ, wo ein Sozialindex vorliegt; Profilzeile: "
            "bis zu drei Indikatoren mit einem mittleren z-Wert von mindestens ±0,5.",
            f"Stabilität ({fmt_int(spec.n_bootstrap)} Bootstrap-Stichproben, mittlere Jaccard-Ähnlichkeit): {stab}.",
            *([f"Typwechsel (Kapitel „Veränderungen seit dem letzten Bericht“): die Typisierung von {dp.year} auf die "
               "Werte des Vorjahrs angewandt – Standardisierung und Gewichte der Faktorwerte aus dem Berichtsjahr, "
               "dann der Typ des nächstgelegenen Typzentrums (euklidisch, Zuordnungsschritt des k-Means-Verfahrens); "
               "ein Gebiet mit einem geheim gehaltenen oder fehlenden Wert bleibt „nicht zugeordnet“. Dieselbe Regel "
               f"auf die Werte von {dp.year} selbst angewandt zeigt, wie viele Gebiete schon das Verfahren selbst einem "
               "anderen Typ zuordnet (Grundrauschen)."] if typwechsel else [])]


def describe_spatial(dp, sa) -> list[str]:
    ind = dp.catalogue.get(sa.column_)
    out = [f"Räumliche Autokorrelation von „{ind.name if ind else sa.column_}“: Moran's I = {fmt_number(sa.I_, 3)} "
           f"(Erwartungswert {fmt_number(sa.EI_, 3)}, Pseudo-p = {fmt_number(sa.p_sim_, 3)}, "
           f"{fmt_int(dp.params.analyses.spatial.permutations)} Permutationen; Nachbarschaft: gemeinsame Grenze "
           "(Queen), zeilenstandardisiert). Lokale Cluster (LISA) mit FDR-Korrektur nach Benjamini-Hochberg (5 %)."]
    if sa.islands_:
        out.append(f"Ohne Nachbarn und daher ausgeschlossen: {', '.join(sa.islands_)}.")
    return out


def describe_datenschutz(dp) -> list[str]:
    from sozialplanung.data import datenschutz

    describe = getattr(datenschutz, "describe_suppression", None)
    out = list(describe(dp)) if describe else []
    return out or list(dp.protocol) or ["Es wurden keine Werte geheim gehalten."]


def describe_gis(dp) -> list[str]:
    """What ``ergebnisse.gpkg`` and ``ergebnisse.xlsx`` hold and how they join (the README's "Für GIS")."""
    if not dp.params.has_maps:
        return ["Ohne Geodatei der Gebiete gibt es kein „ergebnisse.gpkg“. „ergebnisse.xlsx“ und „tabellen/*.csv“ "
                "enthalten alle Tabellen; verknüpft wird über „gebiet_id“ (Text, führende Nullen bleiben erhalten), "
                "z. B. in QGIS mit einer eigenen Gebietsdatei."]
    levels = ", ".join(p.level for p in dp.params.areas.parents) or "keine"
    crs = dp.areas.crs.to_string() if dp.areas.crs is not None else "ohne Angabe"
    return [f"„ergebnisse.gpkg“ enthält je Ergebnistabelle mit einer Zeile je Gebiet einen Layer, mit der Geometrie "
            f"und dem Koordinatenreferenzsystem der Gebietsdatei ({crs}). Verknüpft wird über „gebiet_id“, die "
            f"{dp.params.areas.level}-Nr. der Gebietsdatei als Text; die übergeordneten Gebiete stehen als Textspalten "
            f"mit dem Namen ihrer Ebene ({levels}). Kennungen bleiben Text, damit führende Nullen erhalten bleiben. "
            "Anzahlen und Klassen sind ganze Zahlen, Ja/Nein-Angaben boolesch; ein leerer Wert (NULL) bedeutet geheim "
            "gehalten, nicht bewertet oder ohne Angabe (in „ergebnisse.xlsx“ „.“ bzw. „x“).",
            "Jeder Layer öffnet in QGIS mit der zugehörigen Karte dieses Berichts als Stil – gleiche Klassen, Grenzen "
            "und Farben wie in der Legende. Wie im Bericht werden die Werte vor der Klasseneinteilung gerundet. "
            "Deutsche Spaltennamen sind als Aliasse hinterlegt; die Beschreibung jedes Layers nennt Inhalt, "
            "Schlüssel und Quelle. „ergebnisse.xlsx“ enthält dieselben Tabellen mit deutschen Überschriften; die "
            "Spaltenkennungen stehen im Blatt „Spalten“."]


def _pct(x: float) -> str:
    return fmt_number(100 * x, 1 if 100 * x >= 0.1 or x == 0 else 3) + " %"


def describe_crosswalk(dp) -> list:
    """How older Gebietsstände were carried onto the current one (series Datenpaket), with the key's measured error
    against areal weighting (``fehler`` of the series manifest); empty for a plain Datenpaket."""
    from sozialplanung.data.zeitreihe import has_zeitreihe, read_zeitreihe

    if len(dp.years()) < 2 or not has_zeitreihe(dp):
        return []
    zr = read_zeitreihe(dp)
    out = [para(f"Alle Berichtsjahre stehen auf dem Gebietsstand {zr.gebietsstand}. Ein Gebietsschlüssel "
                "(tabellen/gebietsschluessel.csv: alt_id, neu_id, gewicht) gibt je altem Gebiet den Anteil seiner "
                "Fallzahlen, der auf ein neues Gebiet übergeht; die Gewichte eines alten Gebiets summieren sich zu 1. "
                "Zählwerte werden summiert (Σ gewicht · Wert), Quoten als mit gewicht · Einwohner/innen gewichtete "
                "Mittel übertragen. Ein neues Gebiet, das genau einem alten mit gleichem Umriss entspricht, behält "
                "den veröffentlichten Wert (interpoliert = nein). Fehlen in einem alten Jahr Gebiete, die mehr als "
                "20 % der Einwohner/innen eines neuen stellen, bleibt dessen Wert leer. Eine amtliche Klasse eines "
                "alten Jahres kommt vom alten Gebiet mit den meisten Einwohner/innen; unter 80 % „nicht eindeutig“.")]
    for stand, method in zr.methods.items():
        years = ", ".join(str(y) for y in zr.carried_years() if zr.source_stand(y) == stand)
        out.append(para(f"{stand} → {zr.gebietsstand} (Jahre {years}): {method}."))
        err = zr.errors.get(stand) or {}
        if not err:
            out.append(para("Für diesen Gebietsschlüssel ist kein Fehler gemessen."))
            continue
        out += _crosswalk_error(err)
    return out


def _crosswalk_error(err: dict) -> list:
    a, b = err["flaeche"], err["ipf"]
    rows = [("Median (alle)", _pct(a["median"]), _pct(b["median"])),
            (f"Median ({fmt_int(err['n_interpoliert'])} interpolierte Gebiete)", _pct(a["median_interpoliert"]),
             _pct(b["median_interpoliert"])),
            ("90. Perzentil", _pct(a["p90"]), _pct(b["p90"])),
            ("Maximum", f"{_pct(a['max'])} ({a['max_id']})", f"{_pct(b['max'])} ({b['max_id']})"),
            ("Anteil über 20 %", _pct(a["anteil_ueber_20"]), _pct(b["anteil_ueber_20"]))]
    frame = pd.DataFrame(rows, columns=["Relativer Fehler", "Flächengewichtung", "dieser Schlüssel"])
    table = tables.frame_table(frame.set_index("Relativer Fehler"),
                               caption=f"Fehler beim Übertragen der Einwohner/innen ({fmt_int(err['n'])} Gebiete "
                                       "mit mindestens 300 Einwohner/innen)",
                               formats={"Flächengewichtung": "text", "dieser Schlüssel": "text"})
    out = [table, para("Die Gewichte dieses Schlüssels sind an dieselben Einwohner/innen angepasst, die hier "
                       "übertragen werden: sein Fehler misst die Anpassung, nicht die Güte für andere Größen. Die "
                       "Flächengewichtung nimmt an, dass die Einwohner/innen in jedem alten Gebiet gleich verteilt sind.")]
    small, out_of = err.get("klein") or {}, err.get("ausserhalb") or {}
    if small:
        fa, fb = small["flaeche"], small["ipf"]
        empty = small.get("ohne_einwohner") or {}
        out.append(para(f"Kleine Gebiete ({fmt_int(small['n'])} mit 1 bis 299 Einwohner/innen) trifft die "
                        f"Flächengewichtung am härtesten: {fb['max_id']} hat {fmt_int(fa['einwohner'])} Einwohner/innen, "
                        f"nach Fläche kämen {fmt_int(round(fa['uebertragen']))} an (relativer Fehler "
                        f"{_pct(fa['max'])}); dieser Schlüssel überträgt {fmt_int(round(fb['uebertragen']))}. "
                        + (f"{fmt_int(len(empty))} Gebiete ohne Einwohner/innen ({', '.join(empty)}) erhielten nach "
                           f"Fläche {', '.join(fmt_int(v) for v in empty.values())} Einwohner/innen, mit diesem "
                           "Schlüssel keine. " if empty else "")
                        + "Im Bericht werden Gebiete unter der Mindesteinwohnerzahl in keinem Jahr bewertet; "
                        "übertragene Werte sind in Tabellen (Spalte „interpoliert“, „*“ in den Steckbriefen) und "
                        "Diagrammen (hohle Punkte) gekennzeichnet."))
    if out_of:
        out.append(para(f"Außerhalb der Anpassung (SGB-II-Quoten vom 31.12.2018 auf {fmt_int(out_of['n'])} "
                        "interpolierten Gebieten, verglichen mit den auf dem neuen Gebietsstand veröffentlichten): "
                        f"mittlerer absoluter Fehler {fmt_number(out_of['ipf'], 2)} Prozentpunkte mit diesem "
                        f"Schlüssel, {fmt_number(out_of['flaeche'], 2)} nach Fläche."))
    return out


def _h3(title: str) -> Heading:
    return Heading(2, title)


def section_methoden(dp, results) -> list:
    out = [_h3("Parameter dieses Laufs"), _table(parameter_rows(dp), "Parameter des Berichts"),
           _h3("Bezugswerte"), *_p(describe_references(dp)), _h3("Karten und Farben"), *_p(describe_maps(dp))]
    index = results.get("index")
    if index is not None:
        out += [_h3("Sozialindex"), *_p(describe_index(index))]
        out += [_index_part(index, name) for name in index.recipe_.parts()]
    if results.get("vergleich") is not None and results["vergleich"].indices:
        out += describe_vergleichsrezepte(results["vergleich"])
    if results.get("fa") is not None:
        out += [_h3("Faktorenanalyse"), *_p(describe_factor(dp, results["fa"]))]
    if results.get("typology") is not None:
        typ = results["typology"]
        from sozialplanung.report import typwechsel

        shown = typwechsel.applies(dp, results) and typwechsel.compute(dp, results).assigned > 0
        out += [_h3("Clusteranalyse"), *_p(describe_cluster(dp, typ, shown))]
        ks = typ.k_scores_.copy()
        ks.index.name = "k"
        out.append(tables.frame_table(ks, caption="Gütemaße je Typenzahl k",
                                      formats={c: ("number", 2) for c in ks.columns}))
    if results.get("spatial") is not None:
        out += [_h3("Räumliche Statistik"), *_p(describe_spatial(dp, results["spatial"]))]
    crosswalk = describe_crosswalk(dp)
    out += [_h3("Gebietsschlüssel und Zeitreihe"), *crosswalk] if crosswalk else []
    out += [_h3("Datenschutz: was geheim gehalten wurde"), *_p(describe_datenschutz(dp))]
    out += [_h3("Für GIS"), *_p(describe_gis(dp))]
    out += [para(f"Nicht berechnet: {note}") for note in results.get("hinweise", [])]
    cat = dp.catalogue.table().drop(columns=["Definition", "Quelle"]).set_index("Kennung")
    out += [_h3("Indikatorenkatalog"),
            tables.frame_table(cat, caption="Indikatoren (Definitionen und Quellen in den Indikatorenblättern)",
                               formats={c: "text" for c in cat.columns})]
    return out
