"""Report tables as model tables (:class:`~sozialplanung.report.model.Table`): header cells, German numbers,
official symbols, footnotes."""

from __future__ import annotations

import pandas as pd

from sozialplanung.formatting import SYMBOL_GEHEIM, SYMBOL_NICHT_SINNVOLL, fmt_cell, fmt_int
from sozialplanung.report.model import Cell, Table


def value_format(ind) -> tuple[str, int]:
    """``(kind, decimals)`` for :func:`~sozialplanung.formatting.fmt_cell` of an indicator's values: from the
    catalogue's ``decimals`` (default per unit, see :data:`sozialplanung.config.catalogue.UNITS`).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> value_format(SimpleNamespace(unit="Jahre", decimals=1)), value_format(SimpleNamespace(unit="Personen", decimals=0))
    (('number', 1), ('int', 0))
    """
    return ("int", 0) if ind.decimals == 0 else ("number", ind.decimals)


def _count_columns(dp, indicators, ids, year):
    """Numerator counts of the indicators computed from counts (case numbers next to the rates)."""
    rows = dp.rows(year).loc[ids]
    return {i: rows[dp.catalogue[i].numerator] for i in indicators if dp.catalogue[i].from_counts}


def indicator_block(dp, indicators: list[str], *, year=None, caption: str = "", references=None) -> Table:
    """Areas × indicators with reference rows (parent areas and Bezugsgesamtheit) at the bottom.

    Withheld cells show ``.`` (geheim gehalten), areas not rated ``x``; reference values computed as
    weighted means of rates carry ``≈``. Indicators computed from counts get a column with the case
    number (numerator) next to the rate, withheld like the rate.
    """
    from sozialplanung.data import labels
    from sozialplanung.formatting import fmt_date
    from sozialplanung.indicators.reference import comparison_levels, reference_table

    ids = dp.shown_ids
    values = dp.values(year).loc[ids, indicators]
    withheld = dp.withheld(year).loc[ids, indicators]
    pop = dp.population(year).loc[ids]
    counts = _count_columns(dp, indicators, ids, year)
    small = dp.not_assessed(year).loc[ids, indicators]
    refs = references if references is not None else reference_table(dp, year, indicators)
    refs = refs[refs["ebene"].isin(["Kommune", _top(dp), *comparison_levels(dp)])]
    heads = [Cell("Nr."), Cell("Gebiet"), Cell("Einw.", numeric=True)]
    for i in indicators:
        heads.append(Cell(f"{dp.catalogue[i].name} ({dp.catalogue[i].unit})", numeric=True))
        if i in counts:
            heads.append(Cell("Fälle (Anzahl)", numeric=True))
    body = []
    for gid in ids:
        cells = []
        for i in indicators:
            if small.at[gid, i]:  # not assessed (Datenschutz): "x", neither rate nor count
                cells += [SYMBOL_NICHT_SINNVOLL] * (2 if i in counts else 1)
                continue
            secret = bool(withheld.at[gid, i])
            cells.append(fmt_cell(values.at[gid, i], *value_format(dp.catalogue[i]), suppressed=secret,
                                  missing=SYMBOL_NICHT_SINNVOLL))
            if i in counts:
                cells.append(fmt_cell(counts[i].at[gid], "int", suppressed=secret, zero_as_dash=True))
        body.append([Cell(str(gid), header=True), Cell(str(dp.areas.at[gid, "name"])),
                     *_numeric([fmt_int(pop.at[gid]), *cells])])
    approx = set(refs.attrs.get("approx", []))
    foot = []
    for _, row in _summary_order(refs).iterrows():
        name = labels.reference(dp) if row["ebene"] == "Kommune" else str(row["name"])
        cells = []
        for i in indicators:
            cells.append(("≈ " if i in approx else "") + fmt_cell(row[i], *value_format(dp.catalogue[i])))
            if i in counts:
                cells.append("")
        foot.append([Cell(name, header=True, colspan=3), *_numeric(cells)])
    notes = [f"{SYMBOL_GEHEIM} = geheim gehalten (Datenschutz), {SYMBOL_NICHT_SINNVOLL} = nicht bewertet "
             "(zu wenige Einwohner/innen oder ausgeschlossen), – = nichts vorhanden."]
    if approx:
        notes.append("≈ Bezugswert als einwohnergewichtetes Mittel der veröffentlichten Quoten (Näherung).")
    sources = sorted({f"{dp.catalogue[i].source}, Stichtag {fmt_date(dp.catalogue[i].stichtag)}" for i in indicators})
    notes.append("Quelle: " + "; ".join(sources))
    return Table(caption=caption, header=[heads], rows=body + foot, notes=notes, footer_rows=len(foot),
                 key="tabelle-" + "-".join(indicators))


def indicator_table(dp, indicators: list[str], **kwargs):
    """:func:`indicator_block` as an HTML fragment (``<table>`` and its notes), for pages built outside the report
    (the leak-scan tests in tests/publish build a report folder with it)."""
    from sozialplanung.report.html_writer import blocks_html

    return blocks_html(indicator_block(dp, indicators, **kwargs))


def _summary_order(refs: pd.DataFrame) -> pd.DataFrame:
    """Summary rows under a table: the parent areas, lowest level first and in id order within a level (the order
    of :func:`~sozialplanung.indicators.reference.reference_table`), then the Bezugsgesamtheit (Kommune) last."""
    parents = refs[refs["ebene"] != "Kommune"]
    return pd.concat([parents, refs[refs["ebene"] == "Kommune"]])


def _numeric(texts) -> list[Cell]:
    return [Cell(str(t), numeric=True) for t in texts]


def frame_table(df: pd.DataFrame, *, caption: str = "", formats: dict | None = None, note: str = "") -> Table:
    """A plain DataFrame as a model table with German numbers (index as row headers if named); columns formatted
    as ``"text"`` are text cells, all others numeric."""
    from sozialplanung.formatting import format_frame

    shown = format_frame(df, formats or {}) if formats is not None else format_frame(df)
    index = df.index.name is not None
    text = {c for c, f in (formats or {}).items() if f == "text"}
    numeric = [c not in text and (formats is not None or pd.api.types.is_numeric_dtype(df[c])) for c in df.columns]
    heads = [Cell(str(c)) for c in ([df.index.name] if index else []) + list(df.columns)]
    rows = []
    for key, row in shown.iterrows():
        first = [Cell(str(key), header=True)] if index else []
        rows.append(first + [Cell(str(v), numeric=n) for v, n in zip(row, numeric)])
    return Table(caption=caption, header=[heads], rows=rows, notes=[note] if note else [])


def _top(dp):
    return dp.params.areas.parents[-1].level if dp.params.areas.parents else "Kommune"
