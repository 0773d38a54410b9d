"""Sozialraum-Steckbriefe: one page per area in one uniform scheme.

Each Steckbrief shows the area's id and name, its parent areas, residents, Status/Dynamik class
and type, a small locator map, every indicator against the Bezugsgesamtheit (and the top parent
area) with a deviation bar, and the trend where several years exist. The same HTML fragment is
an appendix of the report and a page of the separate files ``steckbriefe/<gebiet_id>.pdf``
(one layout of the whole volume, split by page, :func:`sozialplanung.report.pdf.write_pages`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sozialplanung.data import labels
from sozialplanung.viz import maps
from sozialplanung.viz import palettes
from sozialplanung.formatting import fmt_date, fmt_int, fmt_number
from sozialplanung.indicators.reference import reference_value, top_level
from sozialplanung.markup import Markup, join, paragraph
from sozialplanung.report.page import ENV, STECKBRIEF_LIMIT, figure, page_context

ANCHOR = "steckbrief-"
_HEADINGS = {"h2": Markup("h2"), "h3": Markup("h3")}
BETTER, WORSE, NEUTRAL = palettes.BETTER, palettes.WORSE, palettes.NEUTRAL


def _locator(dp, gid: str):
    """Locator map of the area within its top parent area (e.g. its Bezirk), with the outline level."""
    level = top_level(dp)
    areas = dp.areas
    if level is not None and len(dp.areas) > 60:
        areas = dp.areas[dp.areas[level] == dp.areas.at[gid, level]]
    outline = None
    for p in dp.params.areas.parents:
        if p.level in dp.parents and 2 <= areas[p.level].nunique() <= 30:
            outline = dp.parents[p.level].loc[sorted(set(areas[p.level]))]
            break
    where = labels.parent(dp, level, dp.areas.at[gid, level]) if level is not None else dp.params.kommune
    return maps.locator_map(areas, gid, outline, area_name=str(dp.areas.at[gid, "name"]), kommune=where,
                            figsize=(2.6, 2.4))


def _refs(dp, results) -> dict:
    """Reference value per indicator (Bezugsgesamtheit and each top parent area), computed once per run."""
    if "steckbrief_refs" not in results:
        level = top_level(dp)
        refs = {"bezug": {i: reference_value(dp, i, dp.reference_ids)[0] for i in dp.catalogue}, "eltern": {}}
        if level is not None:
            for pid in sorted(set(dp.areas.loc[dp.shown_ids, level])):
                ids = dp.areas.index[dp.areas[level] == pid]
                refs["eltern"][pid] = {i: reference_value(dp, i, ids)[0] for i in dp.catalogue}
        values = dp.values().loc[dp.reference_ids]
        refs["sd"] = values.std(ddof=1).to_dict()
        results["steckbrief_refs"] = refs
    return results["steckbrief_refs"]


def _bar(diff: float, sd: float, polarity: int) -> Markup:
    if np.isnan(diff) or not sd:
        return Markup("")
    share = float(np.clip(diff / sd / 3, -1, 1)) * 50  # ±3 standard deviations = half the cell
    color = NEUTRAL if polarity == 0 or diff == 0 else (WORSE if diff * polarity > 0 else BETTER)
    left = 50 + min(share, 0)
    return Markup('<span class="abw" aria-hidden="true"><span class="abw-null"></span><span class="abw-balken" '
                  'style="left:{:.1f}%;width:{:.1f}%;background:{}"></span></span>').format(left, abs(share), color)



def _row(head, cells, cls: str = "", tail: Markup = Markup("")) -> Markup:
    """``<tr>`` with a row header, data cells (text escaped, Markup kept) and ``tail`` (ready-made cells)."""
    return Markup('<tr{}><th scope="row">{}</th>{}{}</tr>').format(
        Markup(' class="{}"').format(cls) if cls else "", head, join(Markup("<td>{}</td>").format(c) for c in cells),
        tail)


def steckbrief_html(dp, results, gid: str, heading: str = "h3") -> Markup:
    """The Steckbrief of one area as an HTML fragment (one page)."""
    refs = _refs(dp, results)
    level = top_level(dp)
    values, withheld = dp.values(), dp.withheld()
    keys = set(dp.key_indicators)
    not_rated = bool(dp.not_assessed().loc[gid].any())
    facts = [f"Einwohner/innen: {fmt_int(dp.population().get(gid))}"]
    facts += [labels.parent(dp, p.level, dp.areas.at[gid, p.level]) for p in dp.params.areas.parents]
    index, typ = results.get("index"), results.get("typology")
    if not_rated:
        facts.append("nicht bewertet (weniger als "
                     f"{fmt_int(dp.params.datenschutz.min_population)} Einwohner/innen)")
    if index is not None:
        if "index_frame" not in results:
            results["index_frame"] = index.to_frame().set_index("gebiet_id")
        frame = results["index_frame"]
        if gid in frame.index and frame.at[gid, "bewertet"]:
            facts.append(f"Status: {frame.at[gid, 'status_label']}")
            if index.dynamik_ is not None:
                facts.append(f"Dynamik: {frame.at[gid, 'dynamik_label']}")
    if typ is not None and gid in typ.labels_.index:
        facts.append(f"Gebietstyp: {typ.title(int(typ.labels_[gid]), brackets=True)}")
    parent_name = labels.parent(dp, level, dp.areas.at[gid, level]) if level else None
    rows = []
    for ind_id, ind in dp.catalogue.items():
        v = values.at[gid, ind_id]
        if not_rated:
            shown = "x"
        elif withheld.at[gid, ind_id] or np.isnan(v):
            shown = "."
        else:
            shown = fmt_number(v, 1)
        ref = refs["bezug"][ind_id]
        par = refs["eltern"].get(dp.areas.at[gid, level], {}).get(ind_id, np.nan) if level else np.nan
        diff = v - ref if not (withheld.at[gid, ind_id] or not_rated) else np.nan
        head = Markup('{} <span class="einheit">{}</span>').format(ind.name, ind.unit)
        cells = [shown, *([fmt_number(par, 1)] if level else []), fmt_number(ref, 1),
                 "" if np.isnan(diff) else fmt_number(diff, 1)]
        bar = Markup('<td class="balken">{}</td>').format(_bar(diff, refs["sd"].get(ind_id, np.nan), ind.polarity))
        rows.append(_row(head, cells, "schluessel" if ind_id in keys else "", bar))
    heads = join(Markup('<th scope="col">{}</th>').format(h) for h in
                  ["Indikator", "Gebiet", *([parent_name] if level else []), labels.reference(dp), "Abweichung",
                   "Abweichung (Grafik)"])
    sources = sorted({f"{i.source}, Stichtag {fmt_date(i.stichtag)}" for i in dp.catalogue.values()})
    years = dp.years()
    trend = f"Zeitreihe: nur ein Berichtsjahr vorhanden ({years[0]})." if len(years) == 1 else ""
    lage = figure(results, f"lage-{gid}", lambda: _locator(dp, gid), "Lagekarte. ", "", "lage")
    name = labels.area(dp, gid)
    return Markup('<section class="steckbrief" id="{anchor}" aria-label="Steckbrief {name}">'
                  "<{h}>Steckbrief {name}</{h}>{lage}"
                  '<ul class="fakten">{facts}</ul><table class="daten steckbrief-tabelle"><caption>Indikatoren im '
                  "Vergleich (fett: Schlüsselindikatoren; Balken: blau günstiger, orange ungünstiger als {ref}, "
                  "Länge in Standardabweichungen bis ±3)</caption><thead><tr>{heads}</tr></thead>"
                  '<tbody>{rows}</tbody></table>{trend_table}<p class="quelle">{trend} Quelle: {sources}. '
                  ". = geheim gehalten oder keine Angabe, x = nicht bewertet.</p></section>").format(
        anchor=ANCHOR + gid, name=name, h=_HEADINGS[heading], lage=lage, ref=labels.reference(dp), heads=heads,
        facts=join(Markup("<li>{}</li>").format(f) for f in facts), rows=join(rows), trend=trend,
        trend_table=_trend_table(dp, results, gid, years) if len(years) > 1 else "", sources="; ".join(sources))


def _trend_table(dp, results, gid: str, years: list[int]) -> Markup:
    """Key indicators of the area per year against the reference (withheld values stay ".")."""
    from sozialplanung.indicators.reference import reference_value

    years = years[-5:]
    if "trend_refs" not in results:
        results["trend_refs"] = {(ind, y): reference_value(dp, ind, dp.reference_ids, y)[0]
                                 for ind in dp.key_indicators for y in years}
    refs = results["trend_refs"]
    if "trend_values" not in results:  # one frame per year, not one per cell
        results["trend_values"] = {y: (dp.values(y), dp.withheld(y)) for y in years}
    frames = results["trend_values"]
    heads = join(Markup('<th scope="col">{}</th>').format(y) for y in ["Indikator", *years])
    rows = []
    for ind in dp.key_indicators:
        cells = []
        for y in years:
            v, w = frames[y][0].at[gid, ind], frames[y][1].at[gid, ind]
            cells.append(Markup('{} <span class="einheit">({})</span>').format(
                "." if w or np.isnan(v) else fmt_number(v, 1), fmt_number(refs[(ind, y)], 1)))
        rows.append(_row(dp.catalogue[ind].name, cells))
    return Markup('<table class="daten steckbrief-trend"><caption>Zeitreihe der Schlüsselindikatoren (in Klammern: '
                  "{}</caption><thead><tr>{}</tr></thead><tbody>{}</tbody></table>").format(
        labels.reference(dp), heads, join(rows))


def section_steckbriefe(dp, results) -> Markup:
    intro = paragraph("Ein Steckbrief je Gebiet im einheitlichen Schema, sortiert nach Gebietsnummer. Jeder Steckbrief "
                      "liegt auch als eigene Datei vor (steckbriefe/<Gebietsnummer>.pdf).")
    if len(dp.shown_ids) > STECKBRIEF_LIMIT:
        return intro + paragraph(f"Bei {fmt_int(len(dp.shown_ids))} Gebieten bilden die Steckbriefe einen eigenen "
                                 "Band (steckbriefe.pdf), damit dieser Bericht handlich bleibt.")
    return intro + join(steckbrief_html(dp, results, gid) for gid in sorted(dp.shown_ids))


def render_volume(dp, results) -> str:
    """All Steckbriefe as one HTML document (the separate volume)."""
    body = join(steckbrief_html(dp, results, gid, heading="h2") for gid in sorted(dp.shown_ids))
    return ENV.get_template("steckbriefe.html.j2").render(
        **page_context(dp, f"Sozialraum-Steckbriefe {dp.params.kommune} {dp.params.report_year}"), body=body)


def write_steckbriefe(dp, results, output_dir) -> dict:
    """``steckbriefe/<gebiet_id>.pdf`` per area (and ``steckbriefe.pdf`` for a large Kommune)."""
    from sozialplanung.report import pdf

    output_dir = Path(output_dir)
    document = pdf.layout(render_volume(dp, results))
    files = pdf.write_pages(document, output_dir / "steckbriefe", ANCHOR)
    out = {"dateien": files, "seiten": len(document.pages)}
    if len(dp.shown_ids) > STECKBRIEF_LIMIT:
        out["band"] = pdf.write_pdf("", output_dir / "steckbriefe.pdf", document=document)
    return out
