"""``sozialplanung neu``: a params file and an indicator catalogue for a new Kommune, from its own files.

:func:`scaffold` looks at the user's geodata file and data table (:mod:`sozialplanung.publish.sniff`)
and writes two commented German YAML files into a folder: ``params.yaml`` (every detected decision
written out, every alternative – other id columns, parent levels by layer, column or id prefix,
other years – as a comment) and ``indikatoren.yaml`` (one entry per rate column and per count column
as a share of the residents, every other column listed as a comment). What only the user knows
(definition, Themenfeld, source, Stichtag of each indicator) is left empty, so ``sozialplanung
validate params.yaml`` names exactly what is still to fill in; after that the skeleton validates.
The user's files stay where they are; the params name them by a path relative to the folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sozialplanung.errors import SozialplanungError
from sozialplanung.publish import sniff


@dataclass
class Scaffold:
    params: Path
    catalogue: Path
    todo: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)

    def report(self, verbose: bool = False) -> str:
        """German summary for the terminal: what was written, what was found (verbose), what to do."""
        lines = [f"✓ {self.params} und {self.catalogue} angelegt."]
        if verbose:
            lines += ["Erkannt:", *(f"  - {f}" for f in self.found)]
        lines += ["Noch zu tun:", *(f"  {i}. {t}" for i, t in enumerate(self.todo, 1))]
        return "\n".join(lines)


def _q(value) -> str:
    """A YAML scalar (JSON strings are valid YAML and escape everything)."""
    return json.dumps(value, ensure_ascii=False)


def slug(text: str) -> str:
    """``Landkreis Musterstadt`` → ``landkreis-musterstadt`` (ä → ae, as the params' slug wants)."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:63] or "kommune"


def _rel(path: Path, folder: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), folder.resolve())).as_posix()


def scaffold(folder: str | Path, *, areas_file: str | Path, data_file: str | Path | None = None,
             kommune: str | None = None, level: str = "Sozialraum", force: bool = False) -> Scaffold:
    """Write ``folder/params.yaml`` and ``folder/indikatoren.yaml`` (see the module docstring)."""
    folder = Path(folder)
    out = Scaffold(folder / "params.yaml", folder / "indikatoren.yaml")
    existing = [p for p in (out.params, out.catalogue) if p.exists()]
    if existing and not force:
        raise SozialplanungError(f"„{existing[0]}“ gibt es schon.", file=str(existing[0]),
                                 hint="einen neuen Ordner wählen oder mit --force überschreiben")
    areas = sniff.read_areas(areas_file)
    kommune = kommune or folder.resolve().name
    table = sniff.read_table(data_file, areas, kommune=kommune) if data_file else None
    if table is not None and table.id_matches:
        areas.id = table.id_matches  # the areas' column the table's ids match (names: shown once in the report)
    folder.mkdir(parents=True, exist_ok=True)
    _findings(out, areas, table)
    out.params.write_text(params_text(folder, areas, table, kommune, level), encoding="utf-8")
    out.catalogue.write_text(catalogue_text(table), encoding="utf-8")
    out.todo = _todo(out, areas, table)
    return out


def _findings(out: Scaffold, areas, table) -> None:
    f = out.found
    f.append(f"Gebiete: {areas.n} in {areas.file.name}" + (f", Layer „{areas.layer}“" if areas.layer else "")
             + f", Koordinatensystem {areas.crs or 'unbekannt'}")
    f.append(f"Kennung „{areas.id}“, Name „{areas.name}“" if areas.id else "keine eindeutige Kennungsspalte")
    f += [f"übergeordnete Ebene möglich: Layer „{n}“ ({k} Einheiten)" for n, k in areas.layers]
    f += [f"übergeordnete Ebene möglich: Spalte „{c}“ ({k} Einheiten)" for c, k in areas.parent_columns]
    f += [f"übergeordnete Ebene möglich: die ersten {d} Stellen der Kennung ({k} Einheiten)" for d, k in areas.prefixes]
    if table is not None:
        f.append(f"Datentabelle {table.file.name}: Kopfzeile in Zeile {_rows(table.header_rows)}, {len(table.columns)} "
                 f"Spalten; „{table.id}“ trifft {table.matched} von {areas.n} Gebieten"
                 + (f" (über „{table.id_matches}“ der Gebiete)" if table.id_matches else ""))
        f.append(f"Jahre in „{table.year}“: {', '.join(map(str, table.years))}" if table.year else
                 f"eine Spalte je Jahr (layout: breit), {table.years[0]}–{table.years[-1]}" if table.wide
                 else "keine Jahresspalte")
        f.append(f"Quoten: {', '.join(table.rates) or '–'}; Fallzahlen: {', '.join(table.counts) or '–'}; "
                 f"Einwohnerspalte: {table.population or '–'}")
        if table.missing:
            f.append(f"Codes für fehlende Werte: {', '.join(table.missing)}")
        f += [f"Summenzeilen {lv}: {table.totals.why[lv]}, Zeile(n) {_rows(table.totals.lines[lv], 6)}"
              for lv in table.totals.levels()]
        f += table.notes + table.totals.notes


def _rows(lines: list[int], most: int = 0) -> str:
    shown = lines[:most] if most else lines
    return ", ".join(map(str, shown)) + (f" … ({len(lines)})" if most and len(lines) > most else "")


def _report_year(table) -> int:
    if table is not None and table.years:
        return table.years[-1]
    digits = re.findall(r"(?<!\d)(19[9]\d|20\d\d)(?!\d)", table.file.stem if table is not None else "")
    return int(digits[-1]) if digits else dt.date.today().year - 1


def params_text(folder: Path, areas, table, kommune: str, level: str) -> str:
    """The commented params file."""
    lines = [f"# Parameter für {kommune}, angelegt mit „sozialplanung neu“ am {dt.date.today():%d.%m.%Y}.",
             "# Prüfen mit: sozialplanung validate params.yaml – es nennt, was noch fehlt. Pfade relativ zu dieser Datei.",
             f"kommune: {_q(kommune)}", f"slug: {slug(kommune)}   # Ordnername des Berichts unter output/",
             f"report_year: {_report_year(table)}   # PRÜFEN: Berichtsjahr", "", "areas:",
             f"  file: {_q(_rel(areas.file, folder))}"]
    if areas.layer:
        lines.append(f"  layer: {_q(areas.layer)}   # {areas.n} Gebiete; weitere Layer: "
                     + ", ".join(f"{n} ({k})" for n, k in areas.layers))
    others = [c for c in areas.columns if c not in (areas.id, areas.name)]
    proven = _proven_parents(areas, table)
    lines += [f"  id: {_q(areas.id or 'AUSFÜLLEN')}   # eindeutige Kennung; Spalten: {', '.join(areas.columns)}",
              f"  name: {_q(areas.name or areas.id or 'AUSFÜLLEN')}", f"  level: {_q(level)}   # Name der Gebietsebene",
              "  parents:" + ("" if proven else " []") + "   # übergeordnete Ebenen, von klein nach groß; Vorschläge "
              "zum Einkommentieren:"]
    lines += [f"    - {{level: {_q(lv)}, prefix: {d}}}   # PRÜFEN: Name der Ebene; belegt durch die Summenzeilen der "
              "Datentabelle (data.totals)" for lv, d in proven]
    lines += [f"  #  - {{level: AUSFÜLLEN, layer: {_q(n)}, column: SPALTE_MIT_DER_KENNUNG}}   # {k} Einheiten"
              for n, k in areas.layers]
    lines += [f"  #  - {{level: AUSFÜLLEN, column: {_q(c)}}}   # {k} Einheiten" for c, k in areas.parent_columns]
    lines += [f"  #  - {{level: AUSFÜLLEN, prefix: {d}}}   # die ersten {d} Stellen der Kennung: {k} Einheiten"
              for d, k in areas.prefixes if d not in {p for _, p in proven}]
    lines += ["  #  - {level: Bezirk, file: bezirke.gpkg, id: bez_id, name: bez_name, column: bezirk_id}   "
              "# eigene Datei", "", *_data_lines(folder, table, others), "catalogue: indikatoren.yaml",
              "recipe: null   # Sozialindex: Name eines mitgelieferten Rezepts (sozialformel, mss, rang, "
              "kreise_sozialformel) oder Pfad; siehe README „Rezepte“", "analyses:",
              f"  run: {_q(_analyses(table))}   # möglich: sozialindex (mit recipe), faktorenanalyse, "
              "clusteranalyse, raeumliche_statistik", "datenschutz:",
              "  min_population: 0   # Gebiete mit weniger Einwohner/innen werden nicht bewertet (z. B. 300)",
              "  min_count: 3        # kleinere Fallzahlen werden geheim gehalten",
              "sources: []   # Quellen für das Impressum, z. B. [\"Amt für Statistik …, Einwohnerregister 2023\"]",
              "impressum: {herausgeber: null, kontakt: null}", ""]
    return "\n".join(lines)


def _analyses(table) -> list[str]:
    n = len(table.rates) + len(table.counts) - bool(table.population) if table is not None else 0
    return (["faktorenanalyse", "clusteranalyse"] if n >= 3 else []) + ["raeumliche_statistik"]


def _data_lines(folder: Path, table, others) -> list[str]:
    if table is None:
        return ["data:", "  file: AUSFÜLLEN   # Datentabelle (CSV, XLSX, XLS, ODS, Parquet): eine Zeile je Gebiet "
                "(und Jahr)", "  id: gebiet_id", "  year: null   # Jahresspalte; null: alle Zeilen gelten für "
                "report_year", "  population: einwohner", ""]
    lines = ["data:", f"  file: {_q(_rel(table.file, folder))}"]
    heads = table.header_rows
    if len(heads) > 1:
        lines.append(f"  header_row: {heads}   # mehrzeilige Kopfzeile: die Namen der Zeilen werden verbunden"
                     + ("; Zeilen darüber sind Titelzeilen" if heads[0] > 1 else ""))
    elif heads[0] != 1:
        lines.append(f"  header_row: {heads[0]}   # Zeilen darüber sind Titelzeilen")
    lines += [f"  id: {_q(table.id)}   # trifft {table.matched} Gebiete; Spalten: {', '.join(table.columns)}",
              *([] if table.wide else [f"  year: {_q(table.year) if table.year else 'null'}   # " + (
                  f"Jahre {', '.join(map(str, table.years))}" if table.year else "keine Jahresspalte: report_year gilt")]),
              f"  population: {_q(table.population) if table.population else 'null'}   # Einwohnerspalte"
              + ("" if table.population else ": AUSFÜLLEN, wenn es eine gibt")]
    if table.missing:
        lines.append(f"  missing: {_q(table.missing)}   # Codes für fehlende Werte (PRÜFEN)")
    if table.wide:
        lines.append(f"  layout: breit   # eine Spalte je Jahr (INKAR-Export); Jahre in Zeile {table.year_row}")
        lines.append(f"  year_row: {table.year_row}")
    return [*lines, *_totals_lines(table), *(f"  # Hinweis: {n}" for n in table.notes + table.totals.notes), ""]


def _proven_parents(areas, table) -> list[tuple[str, int]]:
    """Parent levels by id prefix that total rows of the table prove: (level, digits), small to large."""
    if table is None:
        return []
    return sorted(table.totals.prefix.items(), key=lambda item: -item[1])


def _totals_lines(table) -> list[str]:
    """``data.totals``: the total rows found (kept out of the areas, compared with the computed values)."""
    found = table.totals
    if not found:
        return []
    lines = ["  totals:   # Summenzeilen (übergeordnete Ebenen, Kommune): nicht als Gebiete gelesen; validate "
             "vergleicht sie mit den aus den Gebieten berechneten Werten"]
    if found.column:
        lines.append(f"    column: {_q(found.column)}   # an ihrem Wert sind die Summenzeilen zu erkennen")
        lines.append("    values: {" + ", ".join(f"{_q(lv)}: {_q(v)}" for lv, v in found.values.items()) + "}")
    if found.ids:
        lines.append("    ids: {" + ", ".join(f"{_q(lv)}: {_q(v)}" for lv, v in found.ids.items()) + "}")
    lines += [f"    # {lv}: Zeile(n) {_rows(found.lines[lv], 8)}: {found.why[lv]}" for lv in found.levels()]
    lines.append("    use: pruefen   # oder ersetzen: der Bericht zeigt dann die veröffentlichten Summen")
    return lines


ENTRY = """  {key}:
    name: {name}   # PRÜFEN: Name im Bericht
    definition:    # AUSFÜLLEN: wie der Wert gebildet wird, z. B. „Arbeitslose je 100 Einwohner/innen 15–65“
    themenfeld:    # AUSFÜLLEN, z. B. „Arbeit und Transferbezug“
    unit: "{unit}"   # erlaubt: %, ‰, Prozentpunkte, je 100, je 1.000 Einwohner/innen, Anzahl, Personen, Jahre, €, € je Einwohner/in, Index
    polarity: 1    # 1: höher = mehr Belastung, -1: Ressource, 0: beschreibend
{columns}
    source:        # AUSFÜLLEN: Quelle
    stichtag:      # AUSFÜLLEN, z. B. "2023-12-31"
"""


def _key(column: str) -> str:
    key = re.sub(r"\W+", "_", column).strip("_")
    return key if re.match(r"[A-Za-z]", key) else f"i_{key}"


def catalogue_text(table) -> str:
    """The commented indicator catalogue: rate columns, and count columns as a share of the residents."""
    head = ["# Indikatorenkatalog: eine Definition je Indikator. Leere Felder (AUSFÜLLEN) meldet validate.",
            "# Entweder rate + weight (veröffentlichte Quote, gewichtet gemittelt) oder numerator + denominator",
            "# (Fallzahlen, exakt summiert). Nicht gebrauchte Einträge löschen.", "indicators:"]
    if table is None:
        return "\n".join([*head[:3], "indicators: {}   # AUSFÜLLEN, siehe README „Eigene Kommune anlegen“", ""])
    entries = []
    for col in table.rates:
        weight = f"    weight: {_q(table.population)}" if table.population else "    # weight: EINWOHNERSPALTE"
        entries.append(ENTRY.format(key=_key(col), name=_q(col), unit="%", columns=f"    rate: {_q(col)}\n{weight}"))
    for col in (c for c in table.counts if c != table.population):
        if table.population:
            cols = f"    numerator: {_q(col)}\n    denominator: {_q(table.population)}   # PRÜFEN: Bezugsgruppe"
            entries.append(ENTRY.format(key=_key(col), name=_q(col), unit="%", columns=cols))
    rest = [f"#   {c}: Fallzahl (ohne Einwohnerspalte kein Anteil)" for c in table.counts
            if c != table.population and not table.population]
    rest += [f"#   {c}: Code oder Klasse" for c in table.codes] + [f"#   {c}: Text" for c in table.texts if c != table.id]
    body = "".join(entries) if entries else "  {}   # AUSFÜLLEN: keine Zahlenspalte erkannt\n"
    return "\n".join(head) + "\n" + body + ("# Weitere Spalten der Tabelle:\n" + "\n".join(rest) + "\n" if rest else "")


def _todo(out: Scaffold, areas, table) -> list[str]:
    todo = []
    if not areas.id:
        todo.append(f"areas.id: keine eindeutige Spalte gefunden; Spalten: {', '.join(areas.columns)}")
    if table is None:
        todo.append("data.file: die Datentabelle eintragen (oder: sozialplanung neu … --daten DATEI)")
    elif table.matched < areas.n:
        missing = ", ".join(table.unmatched[:5]) + (f" … ({len(table.unmatched)})" if len(table.unmatched) > 5 else "")
        todo.append(f"data.id „{table.id}“ trifft nur {table.matched} von {areas.n} Gebieten; ohne Zeile: {missing}. "
                    "validate bricht sonst ab: Kennungsspalte prüfen, oder Geometrie und Tabelle auf denselben "
                    "Gebietsstand bringen (z. B. ein aufgelöstes Gebiet mit dem aufnehmenden zusammenlegen)")
    if table is not None:
        unproven = [lv for lv in table.totals.levels() if lv != "Kommune" and lv not in table.totals.prefix]
        todo += [f"data.totals: für die Summenzeilen der Ebene „{lv}“ diese Ebene in areas.parents angeben (Spalte, "
                 "Präfix oder eigene Datei), sonst die Ebene aus data.totals löschen und die Zeilen aus der Tabelle"
                 for lv in unproven]
        todo += [f"areas.parents: Name der Ebene „{lv}“ prüfen (belegt durch Summenzeilen mit {d} Stellen)"
                 for lv, d in table.totals.prefix.items() if lv.startswith("Ebene ")]
    todo += [f"{out.catalogue.name}: je Indikator name, definition, themenfeld, unit, source, stichtag ausfüllen",
             f"{out.params.name}: report_year, übergeordnete Ebenen (parents), datenschutz, recipe prüfen",
             f"sozialplanung validate {out.params}   # nennt, was noch fehlt",
             f"sozialplanung render {out.params}"]
    return todo
