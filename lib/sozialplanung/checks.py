"""Data checks of a Datenpaket: structural errors raise, everything else lands in a findings table."""

from __future__ import annotations

import pandas as pd

from sozialplanung.errors import SozialplanungError


def check_table(table: pd.DataFrame, areas, catalogue, params) -> None:
    """Raise a German error for problems that make the data unusable.

    Checked: the year column exists; every column the catalogue names exists; ids are unique per
    year; every area of the geometry has data in the report year.
    """
    file = params.data.file
    if "jahr" not in table.columns:
        raise SozialplanungError(f"Die Jahresspalte „{params.data.year}“ fehlt.", file=file, field=params.data.year,
                                 hint=f"Vorhandene Spalten: {', '.join(map(str, table.columns))}")
    needed = {params.data.population: "data.population"} if params.data.population else {}
    for ind in catalogue.values():
        for attr in ("numerator", "denominator", "rate", "weight"):
            col = getattr(ind, attr)
            if col is not None:
                needed.setdefault(col, f"indicators.{ind.id}.{attr}")
    for col, where in needed.items():
        if col not in table.columns:
            raise SozialplanungError(
                f"Die Spalte „{col}“ fehlt in der Datentabelle (verlangt von „{where}“ in {params.catalogue}).",
                file=file, field=col, hint=f"Vorhandene Spalten: {', '.join(map(str, table.columns))}")
        if not pd.api.types.is_numeric_dtype(table[col]):
            bad = pd.to_numeric(table[col], errors="coerce").isna() & table[col].notna()
            row = int(bad.to_numpy().nonzero()[0][0]) + 2
            raise SozialplanungError(
                f"Die Spalte „{col}“ enthält keinen Zahlenwert: „{table[col][bad].iloc[0]}“.", file=file, field=col,
                row=row, hint="Zahlen mit Dezimalkomma bitte in einer Datei mit „;“ als Trennzeichen liefern.")
    dup = table.duplicated(["gebiet_id", "jahr"], keep="first")
    if dup.any():
        first = int(dup.to_numpy().nonzero()[0][0])
        raise SozialplanungError(f"Das Gebiet „{table['gebiet_id'].iloc[first]}“ steht für das Jahr "
                                 f"{table['jahr'].iloc[first]} mehrfach in der Tabelle.", file=file,
                                 field=params.data.id, row=first + 2)
    present = set(table.loc[table["jahr"] == params.report_year, "gebiet_id"])
    if not present:
        raise SozialplanungError(f"Für das Berichtsjahr {params.report_year} gibt es keine Zeilen.", file=file,
                                 field=params.data.year,
                                 hint=f"Vorhandene Jahre: {', '.join(map(str, sorted(table['jahr'].unique())))}")
    missing = [i for i in areas.index if i not in present]
    if missing:
        raise SozialplanungError(
            f"{len(missing)} Gebiete der Geometrie haben keine Daten für {params.report_year}, "
            f"z. B. „{missing[0]}“.", file=file, field=params.data.id,
            hint="Fehlende führende Nullen? Kennungen müssen in Geometrie und Tabelle gleich geschrieben sein.")


def summary(dp) -> pd.DataFrame:
    """What was loaded: files, sizes, years, detected formats, selections, Datenschutz."""
    p = dp.params
    fmt = dp.table.attrs.get("format", {})
    fmt_text = ", ".join(f"{k}: {v}" for k, v in fmt.items())
    withheld = int(dp.suppressed.to_numpy().sum()) if not dp.suppressed.empty else 0
    rows = [
        ("Gebiete", p.areas.file, f"{len(dp.areas)} {p.areas.level}e, KBS {dp.areas.crs.to_string()}"
         + (f", Ebenen: {', '.join(x.level for x in p.areas.parents)}" if p.areas.parents else "")),
        ("Datentabelle", p.data.file, f"{len(dp.table)} Zeilen, Jahre {', '.join(map(str, dp.years()))}; {fmt_text}"),
        ("Indikatorenkatalog", p.catalogue, f"{len(dp.catalogue)} Indikatoren in {len(dp.catalogue.themenfelder())} Themenfeldern"),
        ("Bezugsgesamtheit", "", f"{len(dp.reference_ids)} Gebiete"
         + (f" ({p.bezugsgesamtheit.level} {', '.join(p.bezugsgesamtheit.ids)})" if p.bezugsgesamtheit else " (alle)")),
        ("Berichtsgebiet", "", f"{len(dp.shown_ids)} Gebiete"
         + (f" ({p.berichtsgebiet.level} {', '.join(p.berichtsgebiet.ids)})" if p.berichtsgebiet else " (alle)")),
        ("Datenschutz", "", f"{len(dp.not_rated.get(p.report_year, []))} Gebiete unter {p.datenschutz.min_population} "
         f"Einwohner/innen nicht bewertet; {withheld} Werte geheim gehalten (Fallzahl unter {p.datenschutz.min_count})"),
    ]
    return pd.DataFrame(rows, columns=["Inhalt", "Datei", "Befund"])


def findings(dp) -> pd.DataFrame:
    """Checks with severity (``ok``, ``Hinweis``, ``Warnung``), one row per check."""
    out = []

    def add(check, severity, detail):
        out.append({"Prüfung": check, "Ergebnis": severity, "Details": detail})

    add("Kennungen eindeutig", "ok", f"{len(dp.areas)} Gebiete, keine doppelte Kennung")
    add("Jedes Gebiet hat Daten im Berichtsjahr", "ok", f"Berichtsjahr {dp.params.report_year}")
    repaired = dp.areas.attrs.get("repariert", [])
    add("Gültige Geometrien", "Hinweis" if repaired else "ok",
        f"{len(repaired)} repariert: {', '.join(repaired[:5])}" if repaired else "alle gültig")
    for ind in dp.catalogue.values():
        if ind.from_counts:
            num, den = dp.table[ind.numerator], dp.table[ind.denominator]
            bad = (num > den) | (num < 0) | (den < 0)
            add(f"{ind.id}: Zähler ≤ Nenner, keine negativen Fallzahlen", "Warnung" if bad.any() else "ok",
                f"{int(bad.sum())} Zeilen auffällig" if bad.any() else "")
    values = dp.values()
    missing = values.loc[dp.reference_ids].isna().sum()
    for ind, n in missing[missing > 0].items():
        add(f"{ind}: fehlende Werte", "Hinweis", f"{n} Gebiete ohne Wert (z. B. nicht bewertet oder geheim gehalten)")
    return pd.DataFrame(out)


def check_references(params, catalogue) -> None:
    """Every indicator the params name must be in the catalogue (German error with the field)."""
    a = params.analyses
    named = {"key_indicators": params.key_indicators or [], "indicators": params.indicators or [],
             "analyses.factor.indicators": a.factor.indicators or [],
             "analyses.factor.marker": [a.factor.marker] if a.factor.marker else [],
             "analyses.spatial.indicator": [a.spatial.indicator] if a.spatial.indicator else []}
    for field, ids in named.items():
        unknown = [i for i in ids if i not in catalogue]
        if unknown:
            raise SozialplanungError(f"Der Indikator „{unknown[0]}“ steht nicht im Katalog {params.catalogue}.",
                                     file=params.path, field=field,
                                     hint=f"Vorhandene Indikatoren: {', '.join(catalogue)}")
