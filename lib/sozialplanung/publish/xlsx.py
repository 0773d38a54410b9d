"""``ergebnisse.xlsx``: the report's tables for people, usable in Excel without cleaning.

One sheet per table (named as ``tabellen/<name>.csv``): row 1 holds German headers with units, the
data start in row 2 under an autofilter, id and name columns are frozen, widths follow the content.
Keys (area and parent ids) are text cells with their leading zeros; numbers keep full precision and
are shown as in the report (:func:`sozialplanung.formatting.excel_number_format`: decimals per
indicator, integers for counts and classes, ``−`` for negatives, ``–`` for a count of exactly 0). An
empty value shows ``x`` in the row of an area that is not assessed and ``.`` elsewhere (withheld or
no value). The sheets „Spalten“ (column codes of the CSV and the GeoPackage), „Zeichenerklärung“ and
„Quellen“ follow the tables. Every text is a string cell, never a formula.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from sozialplanung.publish.columns import Column, TableInfo, formula_like
from sozialplanung.formatting import (MINUS, SYMBOL_GEHEIM, SYMBOL_NICHT_SINNVOLL, SYMBOL_NICHTS,
                                      ZEICHENERKLAERUNG, excel_number_format, fmt_number)

KEY_SHEET = "Spalten"
LEGEND_SHEET = "Zeichenerklärung"
SOURCES_SHEET = "Quellen"
DEMO_SOURCES = {
    "berlin": [
        "Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen Berlin, Monitoring Soziale Stadtentwicklung 2013, "
        "2015, 2017, 2019 und 2021 (Open Data, dl-de/zero-2.0 / CC BY 3.0 DE); die Reihe 2013–2019 in der "
        "Aufbereitung von Open Lifeworlds (CC BY 4.0).",
        "Geometrie: Amt für Statistik Berlin-Brandenburg, Lebensweltlich orientierte Räume (LOR) bis 2020 und 2021 "
        "(CC BY 3.0 DE), Daten verändert (Grenzen vereinfacht, übergeordnete Ebenen daraus gebildet; "
        "Gebietsschlüssel aus den Schnittflächen).",
    ],
    "kreise": [
        "„Laufende Raumbeobachtung des BBSR – INKAR, Ausgabe 03/2024“ (freie Nachnutzung mit Quellenangabe); "
        "Geometrie „© GeoBasis-DE / BKG 2021“ (dl-de/by-2-0), Daten verändert (umprojiziert, Grenzen "
        "vereinfacht, Eisenach dem Wartburgkreis zugeordnet).",
    ],
}
"""Attribution and licence of the demo packages, as in the README („Daten und Lizenzen“)."""
DEMO_SOURCES["bitburg_pruem"] = DEMO_SOURCES["kreise"]

_HEAD = {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="E8EEF4"),
         "alignment": Alignment(wrap_text=True, vertical="top"), "border": Border(bottom=Side("thin"))}
_TOP = Alignment(vertical="top")
_RIGHT = Alignment(horizontal="right", vertical="top")
_WRAP = Alignment(wrap_text=True, vertical="top")
_LINE = 15  # points per header line


def write_workbook(path: Path, infos: list[TableInfo], dp=None) -> None:
    """Write the tables (and, with a Datenpaket, the sheets „Spalten“, „Zeichenerklärung“, „Quellen“)."""
    wb = Workbook()
    wb.remove(wb.active)
    blocked = set(dp.areas.index) - set(dp.assessed_ids()) if dp is not None else set()
    for info in infos:
        ws = wb.create_sheet(info.name[:31])
        rows = [[_cell(v, c, gid in blocked) for v, c in zip(row, info.columns)]
                for gid, row in zip(_keys(info), info.frame.itertuples(index=False))]
        _table(ws, info.columns, rows, freeze=2 if [c.code for c in info.columns[1:2]] == ["name"] else 1)
    if dp is not None:
        _key_sheet(wb, infos)
        _legend_sheet(wb, dp)
        _sources_sheet(wb, dp)
        _properties(wb, dp)
    for ws in wb.worksheets:
        _no_formulas(ws)
    wb.save(path)


def _keys(info: TableInfo):
    return info.frame["gebiet_id"] if info.keyed else [None] * len(info.frame)


def _cell(value, column: Column, blocked: bool):
    """The value written for ``column``: text, number, ``ja``/``nein`` or a table symbol."""
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        if column.kind in ("id", "text", "date"):
            return None
        return SYMBOL_NICHT_SINNVOLL if blocked else SYMBOL_GEHEIM
    if column.kind == "bool":
        return "ja" if value else "nein"
    if column.kind in ("id", "text"):
        return str(value)
    if column.kind == "date":
        return pd.Timestamp(value).to_pydatetime()
    if column.kind in ("int", "count"):
        return int(value)
    return float(value) if math.isfinite(value) else SYMBOL_NICHT_SINNVOLL


def number_format(column: Column) -> str:
    """The Excel format of a column: text ``@``, dates, or the report's number format with a true minus."""
    if column.kind in ("id", "text", "bool"):
        return "@"
    if column.kind == "date":
        return "DD.MM.YYYY"
    base = excel_number_format("int" if column.kind in ("int", "count") else "number", column.decimals)
    zero = f';"{SYMBOL_NICHTS}"' if column.kind == "count" else ""
    return f'{base};"{MINUS}"{base}{zero}'


def _shown(value, column: Column) -> str:
    """About what a cell displays, for the column width."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt_number(value, column.decimals if column.kind == "number" else 0)
    return "" if value is None else str(value)


def _width(column: Column, cells: list) -> tuple[int, bool]:
    """Column width in characters from header words and content (at most 60), and whether texts must wrap."""
    content = max((len(_shown(v, column)) for v in cells), default=0)
    header = max(len(w) for w in column.header.split()) if column.header.strip() else 0
    width = min(60, max(6, content, header, math.ceil(len(column.header) / 3)))
    return width, content > width


def _lines(text, width: int) -> int:
    return len(textwrap.wrap(str(text), width)) or 1


def _table(ws, columns: list[Column], rows: list[list], freeze: int = 1) -> None:
    """Header row, data rows, formats, widths, autofilter, frozen panes and print setup of one sheet."""
    ws.append([c.header for c in columns])
    for row in rows:
        ws.append(row)
    sizes = [_width(c, [row[j] for row in rows]) for j, c in enumerate(columns)]
    for j, (column, (width, wrap)) in enumerate(zip(columns, sizes), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width + 2
        fmt = number_format(column)
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            cell.number_format = fmt
            if isinstance(cell.value, str) and fmt != "@":
                cell.alignment = _RIGHT  # a symbol in a number column
            else:
                cell.alignment = _WRAP if wrap else _TOP  # a long text (sources, descriptions) wraps
    for cell in ws[1]:
        for key, value in _HEAD.items():
            setattr(cell, key, value)
    ws.row_dimensions[1].height = _LINE * max(_lines(c.header, w) for c, (w, _) in zip(columns, sizes)) + 3
    for i, row in enumerate(rows, start=2):  # spreadsheet programs do not grow rows with wrapped text
        lines = max([_lines(v, w) for v, (w, wrap) in zip(row, sizes) if wrap and v is not None] or [1])
        if lines > 1:
            ws.row_dimensions[i].height = _LINE * lines
    ws.freeze_panes = ws.cell(row=2, column=freeze + 1).coordinate
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _text_sheet(wb, title: str, headers: list[str], rows: list[list]) -> None:
    _table(wb.create_sheet(title), [Column(h, h, "text") for h in headers], rows)


def _key_sheet(wb, infos: list[TableInfo]) -> None:
    """Sheet „Spalten“: per table column its letter, German header, code and description."""
    rows = [[info.name[:31], get_column_letter(j), c.header, c.code, c.description]
            for info in infos for j, c in enumerate(info.columns, start=1)]
    _text_sheet(wb, KEY_SHEET, ["Blatt", "Spalte", "Überschrift", "Kennung (CSV, GeoPackage)", "Beschreibung"], rows)


def _legend_sheet(wb, dp) -> None:
    """Sheet „Zeichenerklärung“: the table symbols as in the official statistics, and how to read the sheets."""
    from sozialplanung.formatting import fmt_int

    limit = fmt_int(dp.params.datenschutz.min_population)
    rows = [
        [SYMBOL_GEHEIM, ZEICHENERKLAERUNG[SYMBOL_GEHEIM],
         "geheim gehalten (Datenschutz: kleine Fallzahl oder ihr Schutz vor Rückrechnung) oder kein Wert"],
        [SYMBOL_NICHT_SINNVOLL, ZEICHENERKLAERUNG[SYMBOL_NICHT_SINNVOLL],
         f"nicht bewertet: Gebiet mit weniger als {limit} Einwohner/innen"],
        [SYMBOL_NICHTS, ZEICHENERKLAERUNG[SYMBOL_NICHTS], "bei Anzahlen: die Zelle enthält die Zahl 0"],
        [None, None, None],
        ["Hinweis", "Kennungen", "Gebiets-Nr. und Nr. der übergeordneten Gebiete sind Text und behalten führende "
                                 "Nullen; die Spaltenkennungen (wie in tabellen/*.csv und ergebnisse.gpkg) stehen im "
                                 f"Blatt „{KEY_SHEET}“."],
        ["Hinweis", "Zahlen", "gespeichert mit bis zu 6 Nachkommastellen, angezeigt gerundet wie im Bericht, mit den "
                              "Trennzeichen der Ländereinstellung (z. B. 1.234,5)."],
        ["Hinweis", "Zeichen", f"„{SYMBOL_GEHEIM}“ und „{SYMBOL_NICHT_SINNVOLL}“ sind Text: SUMME, MITTELWERT und "
                               "Filter nach Zahlen lassen diese Zellen aus."],
    ]
    _text_sheet(wb, LEGEND_SHEET, ["Zeichen", "Bedeutung", "In dieser Arbeitsmappe"], rows)


def _sources_sheet(wb, dp) -> None:
    """Sheet „Quellen“: the report's sources, every catalogue source with its indicators, demo licences."""
    from sozialplanung import __version__
    from sozialplanung.report import impressum
    from sozialplanung.formatting import fmt_date

    rows = [["Quellenangabe des Berichts", s, None, None] for s in dp.params.sources]
    by_source: dict[str, list] = {}
    for ind in dp.catalogue.values():
        by_source.setdefault(ind.source, []).append(ind)
    for source, inds in by_source.items():
        dates = sorted({fmt_date(i.stichtag) for i in inds}, key=lambda d: d[-4:] + d[3:5] + d[:2])
        rows.append(["Indikatorenkatalog", source, "; ".join(f"{i.id} {i.name}" for i in inds), ", ".join(dates)])
    rows += [["Demodaten: Herkunft und Lizenz", line, None, None] for line in demo_sources(dp)]
    rows.append(["Zitiervorschlag", impressum.zitiervorschlag(dp), None, None])
    rows.append(["Software", f"Erstellt mit sozialplanung {__version__} (MIT-Lizenz)", None, None])
    _text_sheet(wb, SOURCES_SHEET, ["Art", "Quelle und Lizenz", "Indikatoren", "Stichtag"], rows)


def demo_sources(dp) -> list[str]:
    """Attribution lines of the demo packages among the inputs (:data:`DEMO_SOURCES`)."""
    demo = Path(__file__).parents[1] / "demo"
    used = {p.resolve().relative_to(demo.resolve()).parts[0] for p in dp.inputs.values()
            if Path(p).resolve().is_relative_to(demo.resolve())}
    return list(dict.fromkeys(line for name in sorted(used) for line in DEMO_SOURCES.get(name, [])))


def _properties(wb, dp) -> None:
    from sozialplanung.report import impressum
    from sozialplanung.data import labels

    props = wb.properties
    props.title = f"Sozialbericht {dp.params.kommune} {dp.year}: Ergebnistabellen"
    props.subject = f"Indikatoren und Analysen je {dp.params.areas.level}, {labels.berichtsgebiet(dp)}"
    props.creator = impressum._impressum(dp.params).get("herausgeber") or "sozialplanung"  # the Impressum's
    props.lastModifiedBy = "sozialplanung"
    props.description = "Quellen: " + "; ".join(dp.params.sources) if dp.params.sources else None
    props.keywords = f"Sozialplanung; Sozialbericht; {dp.params.kommune}"
    props.category = "öffentlich" if dp.params.edition == "oeffentlich" else "intern (nur für den Dienstgebrauch)"
    props.language = "de-DE"


def _no_formulas(ws) -> None:
    """Every text a string cell: openpyxl makes a text starting with "=" a formula (``data_type == "f"``)."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                cell.quotePrefix = formula_like(cell.value)  # Excel keeps it text when the cell is edited
