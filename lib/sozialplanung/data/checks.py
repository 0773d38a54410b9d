"""The findings table of a Datenpaket: every check after loading, one row with a severity each.

Severities: ``Fehler`` (certainly wrong, e.g. more cases than population), ``Warnung`` (probably
wrong, please check), ``Hinweis`` (for information) or ``ok``. Columns: :data:`COLUMNS` – Prüfung,
Ergebnis, Details, Datei, Feld (column or field), Zeile (lines as seen in an editor, header = 1).
Details never show a data value, so the table may be published.

This module adds the rows of the data stage (:func:`data_rules`, the rules themselves are in
:mod:`sozialplanung.data.plausibility`; :func:`missing_values`). The complete table, which also
compares with the published totals and checks what the chosen analyses need, is
:func:`sozialplanung.analysis.needs.findings` – what ``sozialplanung validate`` prints. Problems that
make the data unusable raise at load time instead (:mod:`sozialplanung.data.tablechecks`).

Plausibility rules (documented in the Details column of each row):

- **Jumps between years** (consecutive years present in the table): a rate given in % or ‰ (or
  „je 100“) that changes by more than ``JUMP_POINTS`` percentage points, or a count (population,
  numerator, denominator) that changes by more than the factor ``JUMP_FACTOR`` *and* by at least
  ``JUMP_MIN_COUNT`` persons (:mod:`sozialplanung.data.tablechecks`). Withheld values are not compared.
- **Missing years**: the years should form a sequence with a constant step (yearly, or every two
  years as in the MSS); a year missing from it is reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialplanung.data import plausibility
from sozialplanung.data.tablechecks import show

SEVERITIES = ("Fehler", "Warnung", "Hinweis", "ok")
COLUMNS = ["Prüfung", "Ergebnis", "Details", "Datei", "Feld", "Zeile"]


class Findings:
    """Collects rows: pass :meth:`add` to the rules, then take the table with :meth:`frame`."""

    def __init__(self):
        self.rows: list[dict] = []

    def add(self, check, severity, detail="", file="", field="", lines=()) -> None:
        """One row; ``lines`` are editor lines (shown abbreviated)."""
        self.rows.append(dict(zip(COLUMNS, [check, severity, detail, file, field, show(lines)])))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=COLUMNS)


def failed(table: pd.DataFrame, strict: bool = False) -> bool:
    """True if a findings table has a Fehler, or with ``strict`` also a Warnung."""
    bad = {"Fehler", "Warnung"} if strict else {"Fehler"}
    return bool(table["Ergebnis"].isin(bad).any())


def data_rules(dp, add) -> None:
    """Add the rows of the data stage's rules, in the order of the published table."""
    p, table, areas = dp.params, dp.table, dp.areas
    where = "in der Geometrie" if p.has_maps else "aus der Datentabelle (keine Geodatei)"
    add("Kennungen eindeutig", "ok", f"{len(areas)} Gebiete {where}, je Gebiet und Jahr eine Zeile",
        p.areas.file or p.data.file, p.areas.id if p.has_maps else p.data.id)
    dropped = table.attrs.get("doppelte_zeilen", [])
    add("Doppelte Zeilen", "Warnung" if dropped else "ok",
        f"{len(dropped)} exakt doppelte Zeile(n) ignoriert" if dropped else "keine", p.data.file, "", dropped)
    plausibility.coverage(dp, add)
    plausibility.leading_zeros(dp, add)
    plausibility.counts(dp, add)
    plausibility.jumps(dp, add)
    plausibility.year_gaps(dp, add)
    if p.has_maps:
        plausibility.crs(dp, add)
        repaired = areas.attrs.get("repariert", [])
        add("Gültige Geometrien", "Warnung" if repaired else "ok",
            f"{len(repaired)} ungültige Geometrie(n) repariert: {show(repaired)}" if repaired else "alle gültig",
            p.areas.file, "geometry")
    plausibility.encoding(dp, add)
    plausibility.number_format(dp, add)
    plausibility.code_like(dp, add)
    plausibility.decisions(dp, add)


def missing_values(dp, add) -> None:
    values = dp.values().loc[dp.reference_ids]
    source = missing_in_source(dp).loc[dp.reference_ids]
    withheld = dp.withheld().loc[dp.reference_ids]
    groups: dict[str, list[str]] = {}
    for ind in values.columns:
        n = int(values[ind].isna().sum())
        if n:
            why = {"in der Quelle als fehlend markiert": int(source[ind].sum()),
                   "geheim gehalten oder nicht bewertet": int((withheld[ind] & ~source[ind]).sum())}
            why["sonst ohne Wert"] = n - sum(why.values())
            text = f"{n} Gebiete (" + ", ".join(f"{k} {v}" for k, v in why.items() if v > 0) + ")"
            groups.setdefault(text, []).append(ind)
    parts = [f"{show(inds, 4)}: {'je ' if len(inds) > 1 else ''}{text}" for text, inds in groups.items()]
    add("Fehlende Werte im Berichtsjahr", "Hinweis" if parts else "ok", "; ".join(parts) or "keine",
        dp.params.data.file)


def missing_in_source(dp, year: int | None = None) -> pd.DataFrame:
    """Boolean frame (gebiet_id × indicator): True where an input of the indicator (numerator,
    denominator or rate) holds a declared missing-value code (``data.missing``): the source did not
    publish it. Such a cell is missing data, not "nicht bewertet" and not withheld by this report."""
    year = dp.year if year is None else year
    table = dp.table
    first = table.attrs.get("erste_zeile", 2)
    line = pd.Series(table.index.to_numpy() + first, index=table.index)
    rows = (table["jahr"] == year).to_numpy()
    coded = {col: set(lines) for col, lines in table.attrs.get("fehlend", {}).items()}
    out = pd.DataFrame(False, index=dp.areas.index, columns=list(dp.catalogue))
    for ind in dp.catalogue.values():
        cols = [ind.numerator, ind.denominator] if ind.from_counts else [ind.rate]
        hit = np.zeros(len(table), dtype=bool)
        for col in cols:
            if col in coded:
                hit |= line.isin(coded[col]).to_numpy()
        ids = set(table.loc[hit & rows, "gebiet_id"])
        out[ind.id] = out.index.isin(ids)
    return out


def format_findings(table: pd.DataFrame, *, all_rows: bool = True) -> str:
    """Plain-text rendering of a findings table for the command line."""
    rows = table if all_rows else table[table["Ergebnis"].isin(["Fehler", "Warnung"])]
    lines = []
    for r in rows.itertuples(index=False):
        where = ", ".join(x for x in (f"Datei {r.Datei}" if r.Datei else "", f"Feld „{r.Feld}“" if r.Feld else "",
                                      f"Zeile {r.Zeile}" if r.Zeile else "") if x)
        lines.append(f"  {r.Ergebnis:<8} {r.Prüfung}: {r.Details}" + (f" [{where}]" if where else ""))
    return "\n".join(lines)


def summary(dp) -> pd.DataFrame:
    """What was loaded: files, sizes, years, detected formats, selections, Datenschutz."""
    p = dp.params
    fmt = dp.table.attrs.get("format", {})
    fmt_text = ", ".join(f"{k}: {v}" for k, v in fmt.items() if k != "beleg" and v is not None)
    withheld = int(dp.suppressed.to_numpy().sum()) if not dp.suppressed.empty else 0
    rows = [
        ("Gebiete", p.areas.file or p.data.file, f"{len(dp.areas)} {p.areas.level}e, "
         + (f"KBS {dp.areas.crs.to_string()}" if p.has_maps else "aus der Datentabelle, ohne Geodatei (keine Karten)")
         + (f", Ebenen: {', '.join(x.level for x in p.areas.parents)}" if p.areas.parents else "")),
        ("Datentabelle", p.data.file, f"{len(dp.table)} Zeilen, Jahre {', '.join(map(str, dp.years()))}; {fmt_text}"),
        ("Indikatorenkatalog", p.catalogue, f"{len(dp.catalogue)} Indikatoren in {len(dp.catalogue.themenfelder())} Themenfeldern"),
        ("Bezugsgesamtheit", "", f"{len(dp.reference_ids)} Gebiete"
         + (f" ({p.bezugsgesamtheit.level} {', '.join(p.bezugsgesamtheit.ids)})" if p.bezugsgesamtheit else " (alle)")),
        ("Berichtsgebiet", "", f"{len(dp.shown_ids)} Gebiete"
         + (f" ({p.berichtsgebiet.level} {', '.join(p.berichtsgebiet.ids)})" if p.berichtsgebiet else " (alle)")),
        ("Datenschutz", "", f"{len(dp.areas) - len(dp.assessed_ids())} Gebiete nicht bewertet (unter "
         f"{p.datenschutz.min_population} Einwohner/innen oder ohne Einwohnerzahl); {withheld} Werte geheim gehalten "
         f"(Fallzahl unter {p.datenschutz.min_count})"),
    ]
    return pd.DataFrame(rows, columns=["Inhalt", "Datei", "Befund"])
