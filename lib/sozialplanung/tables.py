"""Report tables as accessible HTML: real header cells, German numbers, official symbols, footnotes."""

from __future__ import annotations

import html

import pandas as pd

from sozialplanung.formatting import SYMBOL_GEHEIM, SYMBOL_NICHT_SINNVOLL, fmt_cell, fmt_int

UNIT_KIND = {"%": "number", "‰": "number", "Prozentpunkte": "number", "je 100": "number",
             "Index": "number", "€": "number", "Anzahl": "int"}


def _count_columns(dp, indicators, ids, year):
    """Numerator counts of the indicators computed from counts (case numbers next to the rates)."""
    rows = dp.rows(year).loc[ids]
    return {i: rows[dp.catalogue[i].numerator] for i in indicators if dp.catalogue[i].from_counts}


def indicator_table(dp, indicators: list[str], *, year=None, caption: str = "", references=None) -> str:
    """Areas × indicators with reference rows (parent areas and Bezugsgesamtheit) at the bottom.

    Withheld cells show ``.`` (geheim gehalten), areas not rated ``x``; reference values computed as
    weighted means of rates carry ``≈``. Indicators computed from counts get a column with the case
    number (numerator) next to the rate, withheld like the rate.
    """
    from sozialplanung import labels
    from sozialplanung.formatting import fmt_date
    from sozialplanung.indicators import reference_table

    ids = dp.shown_ids
    values = dp.values(year).loc[ids, indicators]
    withheld = dp.withheld(year).loc[ids, indicators]
    pop = dp.population(year).loc[ids]
    counts = _count_columns(dp, indicators, ids, year)
    not_rated = set(dp.not_rated.get(dp.year if year is None else year, []))
    refs = references if references is not None else reference_table(dp, year, indicators)
    refs = refs[refs["ebene"].isin(["Kommune", _top(dp)])]
    heads = ""
    for i in indicators:
        heads += (f'<th scope="col">{html.escape(dp.catalogue[i].name)}<br><span class="einheit">'
                  f'{html.escape(dp.catalogue[i].unit)}</span></th>')
        if i in counts:
            heads += '<th scope="col">Fälle<br><span class="einheit">Anzahl</span></th>'
    body = []
    for gid in ids:
        cells = ""
        for i in indicators:
            secret = bool(withheld.at[gid, i])
            cells += f"<td>{fmt_cell(values.at[gid, i], UNIT_KIND[dp.catalogue[i].unit], 1, suppressed=secret, missing=SYMBOL_NICHT_SINNVOLL)}</td>"
            if i in counts:
                cells += f"<td>{fmt_cell(counts[i].at[gid], 'int', suppressed=secret, zero_as_dash=True)}</td>"
        mark = ' class="nicht-bewertet"' if gid in not_rated else ""
        body.append(f'<tr{mark}><th scope="row">{html.escape(gid)}</th><td class="text">{html.escape(str(dp.areas.at[gid, "name"]))}</td>'
                    f"<td>{fmt_int(pop.at[gid])}</td>{cells}</tr>")
    approx = set(refs.attrs.get("approx", []))
    foot = []
    for _, row in refs.iloc[::-1].iterrows():
        name = labels.reference(dp) if row["ebene"] == "Kommune" else str(row["name"])
        cells = ""
        for i in indicators:
            cells += f"<td>{'≈ ' if i in approx else ''}{fmt_cell(row[i], UNIT_KIND[dp.catalogue[i].unit], 1)}</td>"
            if i in counts:
                cells += "<td></td>"
        foot.append(f'<tr class="bezug"><th scope="row" colspan="3">{html.escape(name)}</th>{cells}</tr>')
    notes = [f"{SYMBOL_GEHEIM} = geheim gehalten (Datenschutz), {SYMBOL_NICHT_SINNVOLL} = nicht bewertet "
             "(zu wenige Einwohner/innen oder ausgeschlossen), – = nichts vorhanden."]
    if approx:
        notes.append("≈ Bezugswert als einwohnergewichtetes Mittel der veröffentlichten Quoten (Näherung).")
    sources = sorted({f"{dp.catalogue[i].source}, Stichtag {fmt_date(dp.catalogue[i].stichtag)}" for i in indicators})
    notes.append("Quelle: " + "; ".join(sources))
    return (f'<table class="daten"><caption>{html.escape(caption)}</caption><thead><tr><th scope="col">Nr.</th>'
            f'<th scope="col">Gebiet</th><th scope="col">Einw.</th>{heads}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody><tfoot>{''.join(foot)}</tfoot></table>"
            f'<p class="quelle">{"<br>".join(html.escape(n) for n in notes)}</p>')


def frame_table(df: pd.DataFrame, *, caption: str = "", formats: dict | None = None, note: str = "") -> str:
    """A plain DataFrame as an HTML table with German numbers (index as row headers if named)."""
    from sozialplanung.formatting import format_frame

    shown = format_frame(df, formats or {}) if formats is not None else format_frame(df)
    index = df.index.name is not None
    heads = (f'<th scope="col">{html.escape(str(df.index.name))}</th>' if index else "") + "".join(
        f'<th scope="col">{html.escape(str(c))}</th>' for c in df.columns)
    rows = []
    for key, row in shown.iterrows():
        first = f'<th scope="row">{html.escape(str(key))}</th>' if index else ""
        rows.append("<tr>" + first + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>")
    out = (f'<table class="daten"><caption>{html.escape(caption)}</caption><thead><tr>{heads}</tr></thead>'
           f"<tbody>{''.join(rows)}</tbody></table>")
    return out + (f'<p class="quelle">{html.escape(note)}</p>' if note else "")


def _top(dp):
    return dp.params.areas.parents[-1].level if dp.params.areas.parents else "Kommune"
