"""Sozialraum-Steckbriefe: one page per area in one uniform scheme.

Each Steckbrief shows the area's id and name, its parent areas, residents, Status/Dynamik class
and type, a small locator map, every indicator against the Bezugsgesamtheit (and the top parent
area) with deviation bars, and the trend where several years exist. The same model group is
an appendix of the report (or of the separate volume) and the separate file ``steckbriefe/<gebiet_id>.pdf``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sozialplanung.data import labels
from sozialplanung.viz import palettes, svg
from sozialplanung.viz.atlas import SteckbriefLocators
from sozialplanung.formatting import fmt_date, fmt_int, fmt_number
from sozialplanung.indicators.reference import comparison_levels, reference_value
from sozialplanung.report.model import Cell, Document, Figure, Group, Heading, Table, bullets, para
from sozialplanung.report.page import STECKBRIEF_LIMIT, document, map_figure

ANCHOR = "steckbrief-"
BETTER, WORSE, NEUTRAL = palettes.BETTER, palettes.WORSE, palettes.NEUTRAL


def _locators(dp, results) -> SteckbriefLocators:
    """The locator maps of the run (:class:`sozialplanung.viz.atlas.SteckbriefLocators`, one base per top parent)."""
    if "steckbrief_locators" not in results:
        results["steckbrief_locators"] = SteckbriefLocators(dp)
    return results["steckbrief_locators"]


def _refs(dp, results) -> dict:
    """Reference value per indicator (Bezugsgesamtheit and each top parent area), computed once per run."""
    if "steckbrief_refs" not in results:
        refs = {"bezug": {i: reference_value(dp, i, dp.reference_ids)[0] for i in dp.catalogue}, "eltern": {}}
        for level in _levels(dp, results):
            for pid in sorted(set(dp.areas.loc[dp.shown_ids, level].dropna())):
                ids = dp.areas.index[dp.areas[level] == pid]
                refs["eltern"][level, pid] = {i: reference_value(dp, i, ids)[0] for i in dp.catalogue}
        values = dp.values().loc[dp.reference_ids]
        refs["sd"] = values.std(ddof=1).to_dict()
        results["steckbrief_refs"] = refs
    return results["steckbrief_refs"]


def _levels(dp, results) -> list[str]:
    """The parent levels of the comparison: ``results["vergleichsebenen"]`` (the Rückmeldepaket: every level),
    else :func:`~sozialplanung.indicators.reference.comparison_levels`."""
    return results.get("vergleichsebenen") or comparison_levels(dp)


def _deviation_shapes(bars: list[tuple[str, float, str]]) -> tuple[float, float, tuple]:
    """Deviation bars (one row per indicator: label, share of ±3 standard deviations in [-1, 1], colour) as
    (width, height, shapes) for :func:`sozialplanung.viz.svg.shapes`."""
    row, label_w, bar_w = 13, 190, 150
    mid = label_w + bar_w / 2
    items = []
    for k, (label, share, color) in enumerate(bars):
        y = k * row + 2
        items.append(("text", 0, y + 9, label if len(label) <= 40 else label[:39] + "…", "start", 8))
        items.append(("rect", label_w, y, bar_w, row - 3, palettes.CONTEXT))
        if share:
            left = mid + min(share, 0) * bar_w / 2
            items.append(("rect", round(left, 1), y + 2, round(abs(share) * bar_w / 2, 1), row - 7, color))
    bottom = row * len(bars) + 2
    items.append(("line", mid, 0, mid, bottom, palettes.PARENT, 0.8))
    items += [("text", x, bottom + 11, text, "middle", 8) for x, text in ((label_w, "−3"), (mid, "0"),
                                                                           (label_w + bar_w, "+3"))]
    return label_w + bar_w + 10, row * len(bars) + 18, tuple(items)


def _share(diff: float, sd: float) -> float:
    if np.isnan(diff) or not sd or np.isnan(sd):
        return 0.0
    return float(np.clip(diff / sd / 3, -1, 1))  # ±3 standard deviations = the full half bar


def _color(diff: float, polarity: int) -> str:
    return NEUTRAL if polarity == 0 or diff == 0 else (WORSE if diff * polarity > 0 else BETTER)


NEIGHBOURS_SHOWN = 8
"""At most this many neighbours are named on a Steckbrief, then "und weitere" (no count: a bare number on a line
naming an area with a withheld Fallzahl could be read as that Fallzahl, and the leak scan rightly refuses it)."""


def _neighbours(dp, results) -> dict[str, list[str]]:
    """Adjacent shown areas per shown area (queen contiguity as in
    :class:`sozialplanung.analysis.spatial.SpatialAutocorrelation`), in id order; computed once per run."""
    if "steckbrief_nachbarn" not in results:
        out: dict[str, list[str]] = {}
        geo = dp.areas.geometry if "geometry" in dp.areas.columns else None
        if geo is not None and len(dp.areas) > 1 and not (geo.isna() | geo.is_empty).all():
            from libpysal.graph import Graph

            frame = dp.areas.loc[~(geo.isna() | geo.is_empty), ["geometry"]]
            shown = set(dp.shown_ids)
            for focal, around in Graph.build_contiguity(frame, rook=False).neighbors.items():
                ids = sorted({str(n) for n in around} & shown - {str(focal)})
                if str(focal) in shown and ids:
                    out[str(focal)] = ids
        results["steckbrief_nachbarn"] = out
    return results["steckbrief_nachbarn"]


def _class_label(dp, results, gid: str) -> str:
    """The Status class of an assessed area as its Steckbrief names it (else the Gebietstyp; "" without)."""
    index, typ = results.get("index"), results.get("typology")
    if gid in dp.assessed_ids([gid]) and index is not None:
        frame = _index_frame(results)
        if gid in frame.index and frame.at[gid, "bewertet"]:
            return str(frame.at[gid, "status_label"])
    if gid in dp.assessed_ids([gid]) and typ is not None and gid in typ.labels_.index:
        return typ.names_[int(typ.labels_[gid])]
    return ""


def _index_frame(results):
    if "index_frame" not in results:
        results["index_frame"] = results["index"].to_frame().set_index("gebiet_id")
    return results["index_frame"]


def _neighbour_fact(dp, results, gid: str) -> str | None:
    """"Nachbargebiete: 01100102 Wilhelmstraße (mittel), …" (at most :data:`NEIGHBOURS_SHOWN`), None without."""
    ids = _neighbours(dp, results).get(gid, [])
    if not ids:
        return None
    names = []
    for nid in ids[:NEIGHBOURS_SHOWN]:
        label = _class_label(dp, results, nid)
        names.append(labels.area(dp, nid) + (f" ({label})" if label else ""))
    return "Nachbargebiete: " + ", ".join(names) + (" und weitere" if len(ids) > NEIGHBOURS_SHOWN else "")


def _facts(dp, results, gid: str, not_rated: bool) -> list[str]:
    facts = [f"Einwohner/innen: {fmt_int(dp.population().get(gid))}"]
    facts += [labels.parent(dp, p.level, dp.areas.at[gid, p.level]) for p in dp.params.areas.parents
              if isinstance(dp.areas.at[gid, p.level], str)]  # a verbandsfreie Gemeinde has no Gemeindeverband
    index, typ = results.get("index"), results.get("typology")
    if not_rated:
        facts.append("nicht bewertet (weniger als "
                     f"{fmt_int(dp.params.datenschutz.min_population)} Einwohner/innen)")
    if index is not None:
        frame = _index_frame(results)
        if gid in frame.index and frame.at[gid, "bewertet"]:
            facts.append(f"Status: {frame.at[gid, 'status_label']}")
            if index.dynamik_ is not None:
                facts.append(f"Dynamik: {frame.at[gid, 'dynamik_label']}")
    if typ is not None and gid in typ.labels_.index:
        facts.append(f"Gebietstyp: {typ.title(int(typ.labels_[gid]), brackets=True)}")
    neighbours = _neighbour_fact(dp, results, gid)
    if neighbours:
        facts.append(neighbours)
    return facts


def _ranking(dp, results) -> dict[str, "np.ndarray"]:
    """Per indicator the published values of the Bezugsgesamtheit, sorted descending (rank 1 = highest): withheld
    and not-assessed areas are left out, so they neither get a rank nor count for the others; once per run."""
    if "steckbrief_raenge" not in results:
        hidden = dp.withheld() | dp.not_assessed()
        values = dp.values().mask(hidden).loc[dp.reference_ids]
        results["steckbrief_raenge"] = {i: np.sort(values[i].dropna().to_numpy())[::-1] for i in dp.catalogue}
    return results["steckbrief_raenge"]


def rank(dp, results, gid: str, ind_id: str, *, value: float | None = None,
         hidden: bool | None = None) -> tuple[int, int] | None:
    """(rank, areas ranked) of the area's published value among the Bezugsgesamtheit (1 = highest; equal values share
    the better rank); None where the value is withheld, not assessed or missing. ``value``/``hidden``: the masked
    value and whether it is withheld or not assessed, if the caller has them."""
    if hidden is None:
        hidden = bool(dp.withheld().at[gid, ind_id] or dp.not_assessed().at[gid, ind_id])
    v = dp.values().at[gid, ind_id] if value is None else value
    if hidden or np.isnan(v):
        return None
    ranked = _ranking(dp, results)[ind_id]
    if "steckbrief_bezug" not in results:
        results["steckbrief_bezug"] = frozenset(dp.reference_ids)
    inside = gid in results["steckbrief_bezug"]
    return int((ranked > v).sum()) + 1, len(ranked) + (0 if inside else 1)


def _comparison(dp, results, gid: str, not_rated: bool) -> tuple[Table, list]:
    """The indicator table of one area and its deviation bars (name, share, colour)."""
    refs = _refs(dp, results)
    levels = [lv for lv in _levels(dp, results) if isinstance(dp.areas.at[gid, lv], str)]
    values, withheld = dp.values(), dp.withheld()
    keys = set(dp.key_indicators)
    ranked = bool(dp.params.rangfolgen)  # a rank places the area in a league table: only where enabled
    rows, bars = [], []
    for ind_id, ind in dp.catalogue.items():
        v = values.at[gid, ind_id]
        secret = bool(withheld.at[gid, ind_id])
        shown = "x" if not_rated else "." if secret or np.isnan(v) else fmt_number(v, 1)
        ref = refs["bezug"][ind_id]
        pars = [refs["eltern"].get((lv, dp.areas.at[gid, lv]), {}).get(ind_id, np.nan) for lv in levels]
        diff = v - ref if not (secret or not_rated) else np.nan
        name = f"{ind.name} ({ind.unit})" + (" *" if ind_id in keys else "")
        cells = [shown, *(fmt_number(par, 1) for par in pars), fmt_number(ref, 1),
                 "" if np.isnan(diff) else fmt_number(diff, 1)]
        if ranked:
            place = rank(dp, results, gid, ind_id, value=v, hidden=secret or not_rated)
            cells.append("x" if not_rated else "." if place is None else f"{fmt_int(place[0])}/{fmt_int(place[1])}")
        rows.append([Cell(name, header=True), *(Cell(c, numeric=True) for c in cells)])
        bars.append((name, _share(diff, refs["sd"].get(ind_id, np.nan)), _color(diff, ind.polarity)))
    heads = ["Indikator", "Gebiet", *(labels.parent(dp, lv, dp.areas.at[gid, lv]) for lv in levels),
             labels.reference(dp), "Abweichung", *(["Rang"] if ranked else [])]
    caption = "Indikatoren im Vergleich (* Schlüsselindikator" + (
        f"; Rang: 1 = höchster Wert, gezählt unter den Gebieten mit veröffentlichtem Wert, {labels.reference(dp)})"
        if ranked else ")")
    table = Table(caption=caption,
                  header=[[Cell(h, numeric=k > 0) for k, h in enumerate(heads)]], rows=rows,
                  role="steckbrief-tabelle", key=f"steckbrief-{gid}")
    return table, bars


def steckbrief(dp, results, gid: str, level: int = 2) -> Group:
    """The Steckbrief of one area (one page) as a model :class:`Group` anchored ``steckbrief-<gebiet_id>``."""
    not_rated = bool(dp.not_assessed().loc[gid].any())
    table, bars = _comparison(dp, results, gid, not_rated)
    sources = sorted({f"{i.source}, Stichtag {fmt_date(i.stichtag)}" for i in dp.catalogue.values()})
    years = dp.years()
    trend = f"Zeitreihe: nur ein Berichtsjahr vorhanden ({years[0]}). " if len(years) == 1 else ""
    name = labels.area(dp, gid)
    ref = labels.reference(dp)
    said = [f"{label}: {'ungünstiger' if c == WORSE else 'günstiger' if c == BETTER else 'ohne Wertung'}"
            for label, share, c in bars if share]
    alt = (f"Abweichung der Indikatoren von {name} vom Wert {ref} in Standardabweichungen (bis ±3): "
           + ("; ".join(said) or "keine Abweichung darstellbar") + ".")
    width, height, shapes = _deviation_shapes(bars)
    bar_fig = Figure(svg=svg.shapes(width, height, shapes), alt=alt, shapes=shapes, key=f"abw-{gid}",
                     caption=f"Abweichung vom Wert {ref} in Standardabweichungen (bis ±3): blau günstiger, orange "
                     "ungünstiger, grau beschreibend.", role="abweichung")
    blocks = [Heading(level, f"Steckbrief {name}"),
              *map_figure(dp, results, f"lage-{gid}", lambda: _locators(dp, results)(gid), "Lagekarte.", "", "lage",
                          same_for=(_locators(dp, results).where(gid),)),  # same in every report showing it: drawn once
              bullets(_facts(dp, results, gid, not_rated), role="fakten"), table, bar_fig]
    if len(years) > 1:
        from sozialplanung.report import veraenderungen  # series Datenpaket: trend charts, interpolated values marked

        blocks += (veraenderungen.steckbrief_trend(dp, results, gid, not_rated) if veraenderungen.applies(dp, results)
                   else [_trend_table(dp, results, gid, years, not_rated)])
    blocks.append(para(f"{trend}Quelle: {'; '.join(sources)}. . = geheim gehalten oder keine Angabe, "
                       "x = nicht bewertet.", role="quelle"))
    return Group(blocks, keep_together=True, anchor=ANCHOR + gid, role="steckbrief")


def _trend_table(dp, results, gid: str, years: list[int], not_rated: bool) -> Table:
    """Key indicators of the area per year against the reference (withheld values stay ".", not rated "x")."""
    years = years[-5:]
    if "trend_refs" not in results:
        results["trend_refs"] = {(ind, y): reference_value(dp, ind, dp.reference_ids, y)[0]
                                 for ind in dp.key_indicators for y in years}
    refs = results["trend_refs"]
    if "trend_values" not in results:  # one frame per year, not one per cell
        results["trend_values"] = {y: (dp.values(y), dp.withheld(y)) for y in years}
    frames = results["trend_values"]
    rows = []
    for ind in dp.key_indicators:
        cells = []
        for y in years:
            v, w = frames[y][0].at[gid, ind], frames[y][1].at[gid, ind]
            own = "x" if not_rated else "." if w or np.isnan(v) else fmt_number(v, 1)
            cells.append(Cell(f"{own} ({fmt_number(refs[(ind, y)], 1)})", numeric=True))
        rows.append([Cell(dp.catalogue[ind].name, header=True), *cells])
    return Table(caption=f"Zeitreihe der Schlüsselindikatoren (in Klammern: {labels.reference(dp)})",
                 header=[[Cell("Indikator"), *(Cell(str(y), numeric=True) for y in years)]], rows=rows,
                 role="steckbrief-trend")


def overview(dp, results, linked: bool = True) -> Table:
    """"Übersicht der Steckbriefe": every shown area with its parent area, residents and class (Status, Gebietstyp
    where the report has them; ``x`` for an area not assessed), the number linked to its Steckbrief (``linked``)."""
    parent = dp.params.areas.parents[0].level if dp.params.areas.parents else None
    index, typ = results.get("index"), results.get("typology")
    population, assessed = dp.population(), set(dp.assessed_ids(dp.shown_ids))
    heads = ["Nr.", "Name", *([parent] if parent else []), "Einwohner/innen", *(["Status"] if index is not None else []),
             *(["Gebietstyp"] if typ is not None else [])]
    rows = []
    for gid in sorted(dp.shown_ids):
        cells = [Cell(gid, href=f"#{ANCHOR}{gid}" if linked else ""), Cell(str(dp.areas.at[gid, "name"]), header=True)]
        if parent:
            pid = dp.areas.at[gid, parent]
            name = labels.parent(dp, parent, pid).removeprefix(f"{parent} ") if isinstance(pid, str) else ""
            cells.append(Cell(name.removeprefix(f"{pid} ") or name))  # the name alone: the id repeats the area's
        cells.append(Cell(fmt_int(population.get(gid)), numeric=True))  # residents are published for every area
        if index is not None:
            frame = _index_frame(results)
            rated = gid in assessed and gid in frame.index and bool(frame.at[gid, "bewertet"])
            cells.append(Cell(str(frame.at[gid, "status_label"]) if rated else "x"))
        if typ is not None:
            cells.append(Cell(typ.names_[int(typ.labels_[gid])] if gid in assessed and gid in typ.labels_.index
                              else "x"))
        rows.append(cells)
    notes = []
    if typ is not None:
        notes.append("Gebietstypen: " + "; ".join(typ.title(t) for t in typ.names_) + ".")
    if len(assessed) < len(dp.shown_ids):
        notes.append("x = nicht bewertet.")
    return Table(caption="Übersicht der Steckbriefe", header=[[Cell(h, numeric=h == "Einwohner/innen") for h in heads]],
                 rows=rows, notes=notes,
                 role="steckbrief-uebersicht", key="steckbriefe-uebersicht")  # compact like a Steckbrief's tables


def section_steckbriefe(dp, results) -> list:
    intro = para("Ein Steckbrief je Gebiet im einheitlichen Schema, sortiert nach Gebietsnummer: Lage, Kennzahlen, "
                 "Nachbargebiete, die Indikatoren im Vergleich" + (" mit Rang" if dp.params.rangfolgen else "")
                 + " und, wo mehrere Jahre vorliegen, die Entwicklung. Jeder Steckbrief liegt auch als eigene Datei "
                 "vor (steckbriefe/<Gebietsnummer>.pdf); die Nummer in der Übersicht führt zum Steckbrief.")
    if len(dp.shown_ids) > STECKBRIEF_LIMIT:
        return [intro, para(f"Bei {fmt_int(len(dp.shown_ids))} Gebieten bilden die Steckbriefe einen eigenen "
                            "Band (steckbriefe.pdf), damit dieser Bericht handlich bleibt."), overview(dp, results)]
    return [intro, overview(dp, results), *(steckbrief(dp, results, gid) for gid in sorted(dp.shown_ids))]


def single_documents(volume: Document) -> dict[str, Document]:
    """One document per Steckbrief of ``volume`` (``{gebiet_id: Document}``), titled like the volume: a page footer
    naming the area next to "Seite 1" would read as a case number of that area to the leak scan."""
    return {g.anchor[len(ANCHOR):]: replace(volume, blocks=[g], kind="steckbrief")
            for g in volume.blocks if isinstance(g, Group) and g.anchor.startswith(ANCHOR)}


def volume(dp, results, groups: list[Group] | None = None) -> Document:
    """All Steckbriefe as one model document (the separate volume; one PDF per area is cut from its groups);
    ``groups``: the Steckbriefe already built (level 1), else built here."""
    blocks = groups if groups is not None else [steckbrief(dp, results, gid, level=1) for gid in sorted(dp.shown_ids)]
    return document(dp, f"Sozialraum-Steckbriefe {dp.params.kommune} {dp.params.report_year}", blocks, "steckbriefe")
