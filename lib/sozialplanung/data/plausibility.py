"""The rules behind :func:`sozialplanung.data.checks.data_rules`: each adds rows to the findings table.

Every function takes the Datenpaket and ``add(check, severity, detail, file, field, lines)``.
Details name ids, columns, years and lines, never a data value (the table is published in the
Datenprüfung notebook, and values may be withheld).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialplanung.config.catalogue import RATE_UNITS
from sozialplanung.data import numeric
from sozialplanung.data.tablechecks import (JUMP_FACTOR, JUMP_MIN_COUNT, JUMP_POINTS, MOJIBAKE, count_columns,
                                            editor_lines, needed_columns, show, zero_hint)


def _count_columns(dp) -> dict[str, str]:
    return count_columns(dp.catalogue, dp.params)


def coverage(dp, add) -> None:
    """Every area in geometry and table, and vice versa."""
    p, table = dp.params, dp.table
    known = set(dp.areas.index)
    extra = ~table["gebiet_id"].isin(known)
    if extra.any():
        ids = list(dict.fromkeys(table.loc[extra, "gebiet_id"]))
        hint = zero_hint(ids, known) or "Summen- oder Gebietszeilen anderer Ebenen? Sie werden nicht verwendet."
        add("Jede Kennung der Tabelle in der Geometrie", "Warnung",
            f"{len(ids)} Kennung(en) ohne Gebiet {_areas_where(p)}, z. B. {show(ids, 3)}. {hint}",
            p.data.file, p.data.id, editor_lines(table, extra))
    else:
        add("Jede Kennung der Tabelle in der Geometrie", "ok", f"alle Kennungen {_areas_where(p)}", p.data.file,
            p.data.id)
    gaps = []
    for year in dp.years():
        absent = known - set(table.loc[table["jahr"] == year, "gebiet_id"])
        if absent:
            gaps.append(f"{year}: {len(absent)} (z. B. „{sorted(absent)[0]}“)")
    add("Jedes Gebiet der Geometrie mit Daten", "Hinweis" if gaps else "ok",
        f"Berichtsjahr {p.report_year} vollständig; Gebiete ohne Daten in {'; '.join(gaps)}" if gaps
        else f"{len(known)} Gebiete in allen Jahren", p.data.file, p.data.id)


def _areas_where(p) -> str:
    return f"in {p.areas.file}" if p.has_maps else f"unter den Gebieten des Berichtsjahrs {p.report_year}"


def leading_zeros(dp, add) -> None:
    """Digit-only ids of unequal length: typically leading zeros lost in Excel or a numeric column."""
    p = dp.params
    sources = [(p.areas.file, p.areas.id, list(dp.areas.index))] if p.has_maps else []
    sources.append((p.data.file, p.data.id, list(dict.fromkeys(dp.table["gebiet_id"]))))
    found = False
    for file, field, ids in sources:
        lengths = sorted({len(i) for i in ids})
        if len(lengths) > 1 and all(i.isdigit() for i in ids):
            short = [i for i in ids if len(i) < lengths[-1]]
            found = True
            add("Kennungen gleich lang", "Warnung",
                f"Kennungen mit {' und '.join(map(str, lengths))} Stellen, z. B. {show(short, 3)}. "
                "Führende Nullen verloren? Kennungen als Text speichern.", file, field)
    if not found:
        add("Kennungen gleich lang", "ok", "keine Hinweise auf verlorene führende Nullen", p.data.file, p.data.id)


def counts(dp, add) -> None:
    """No negative counts; numerator ≤ denominator; no thousands point read as decimal point (a Fehler
    unless ``data.decimal: "."`` confirms decimal numbers)."""
    p, table = dp.params, dp.table
    cols = _count_columns(dp)
    negative = {c: table[c] < 0 for c in cols}
    bad = [c for c, m in negative.items() if m.any()]
    for c in bad:
        add("Keine negativen Fallzahlen", "Fehler", f"Spalte „{c}“ ({cols[c]}): {int(negative[c].sum())} negative "
            "Werte", p.data.file, c, editor_lines(table, negative[c]))
    if not bad:
        add("Keine negativen Fallzahlen", "ok", f"Spalten {', '.join(cols)}" if cols else "keine Fallzahlen",
            p.data.file)
    for ind in dp.catalogue.values():
        if ind.from_counts:
            over = table[ind.numerator] > table[ind.denominator]
            add(f"{ind.id}: Zähler ≤ Nenner", "Fehler" if over.any() else "ok",
                f"„{ind.numerator}“ größer als „{ind.denominator}“ in {int(over.sum())} Zeilen" if over.any()
                else f"„{ind.numerator}“ ≤ „{ind.denominator}“", p.data.file, ind.numerator, editor_lines(table, over))
    for c in cols:
        v = table[c].dropna().to_numpy(dtype=float)
        frac = v[np.abs(v - np.round(v)) > 1e-9]
        three = np.abs(frac * 100 - np.round(frac * 100)) > 1e-6  # a third decimal
        if len(frac) and np.all(np.abs(frac * 1000 - np.round(frac * 1000)) < 1e-6) and three.mean() >= 0.5:
            confirmed = p.data.decimal == "."  # the params say: the point is a decimal point
            add("Zahlenformat der Fallzahlen", "Hinweis" if confirmed else "Fehler",
                f"Spalte „{c}“: {len(frac)} Werte mit bis zu drei Nachkommastellen"
                + (" (laut data.decimal: „.“ Dezimalzahlen)." if confirmed else
                   " (z. B. „1.234“ als 1,234 gelesen?). Tausenderpunkte entfernen oder die Datei als deutsches CSV "
                   "mit „;“ und Dezimalkomma liefern; sind es wirklich Dezimalzahlen, in der Parameterdatei "
                   "data: {decimal: \".\"} angeben."), p.data.file, c, editor_lines(table, table[c].isin(frac)))


def jumps(dp, add) -> None:
    """Implausible changes between consecutive years (thresholds in :mod:`sozialplanung.data.tablechecks`)."""
    p, table = dp.params, dp.table
    years = dp.years()
    rule = (f"Regel: Quote ändert sich um mehr als {JUMP_POINTS:g} Prozentpunkte oder Fallzahl um mehr als den "
            f"Faktor {JUMP_FACTOR:g} und mindestens {JUMP_MIN_COUNT}")
    if len(years) < 2:
        add("Plausible Entwicklung zwischen den Jahren", "ok", f"nur ein Jahr ({years[0]}); {rule}", p.data.file)
        return
    flagged = []
    rates = [ind for ind in dp.catalogue.values() if ind.unit in RATE_UNITS]
    values = {y: dp.values(y) for y in years}
    for a, b in zip(years, years[1:]):
        for ind in rates:
            delta = (values[b][ind.id] - values[a][ind.id]).abs() / ind.factor * 100
            for gid in delta.index[delta > JUMP_POINTS]:
                flagged.append((ind.id, gid, a, b))
    wide = {c: table.pivot_table(index="gebiet_id", columns="jahr", values=c, aggfunc="first")
            for c in _count_columns(dp)}
    for c, w in wide.items():
        for a, b in zip(years, years[1:]):
            if a not in w or b not in w:
                continue
            lo, hi = np.minimum(w[a], w[b]), np.maximum(w[a], w[b])
            jump = (hi > JUMP_FACTOR * lo) & (hi - lo >= JUMP_MIN_COUNT)
            flagged.extend((c, gid, a, b) for gid in w.index[jump.fillna(False)])
    if flagged:
        shown = [f"{col} in „{gid}“ {a}→{b}" for col, gid, a, b in flagged]
        lines = editor_lines(table, pd.Series(list(zip(table["gebiet_id"], table["jahr"]))).isin(
            [(g, b) for _, g, _, b in flagged]).to_numpy())
        add("Plausible Entwicklung zwischen den Jahren", "Warnung",
            f"{len(flagged)} auffällige Sprünge: {show(shown, 4)}. Bitte prüfen (Gebietsreform, Neubaugebiet, "
            f"Erfassungsfehler?). {rule}.", p.data.file, show(sorted({f[0] for f in flagged}), 3), lines)
    else:
        add("Plausible Entwicklung zwischen den Jahren", "ok", f"{', '.join(map(str, years))}; {rule}", p.data.file)


def year_gaps(dp, add) -> None:
    """Years form a sequence with a constant step (1 or, e.g., 2 for a biennial monitoring)."""
    p, years = dp.params, dp.years()
    if len(years) < 2:
        add("Lückenlose Jahresfolge", "ok", f"ein Jahr ({years[0]})", p.data.file, p.data.year or "")
        return
    step = int(np.min(np.diff(years)))
    expected = list(range(years[0], years[-1] + 1, step))
    gaps = [y for y in expected if y not in years]
    irregular = [y for y in years if y not in expected]
    if gaps or irregular:
        add("Lückenlose Jahresfolge", "Warnung",
            f"Jahre {', '.join(map(str, years))}: es fehlen {', '.join(map(str, gaps)) or '–'}"
            + (f"; unregelmäßig: {', '.join(map(str, irregular))}" if irregular else ""), p.data.file, p.data.year or "")
    else:
        add("Lückenlose Jahresfolge", "ok", f"{years[0]}–{years[-1]}" + (f" (alle {step} Jahre)" if step > 1 else ""),
            p.data.file, p.data.year or "")


def crs(dp, add) -> None:
    """The CRS is in metres, and the coordinates lie in its area of use."""
    p, areas = dp.params, dp.areas
    c = areas.crs
    name = c.to_string()
    unit = c.axis_info[0].unit_name if c.axis_info else ""
    problems = []
    if unit not in ("metre", "meter"):
        problems.append(f"{name} rechnet in „{unit}“, nicht in Metern: Flächen, Abstände und Maßstab sind ungenau; "
                        "für Karten bitte nach EPSG:25832/25833 umprojizieren")
    xmin, ymin, xmax, ymax = areas.total_bounds
    if c.is_projected and -180 <= xmin and xmax <= 180 and -90 <= ymin and ymax <= 90:
        problems.append(f"die Koordinaten ({xmin:.3f} … {xmax:.3f}, {ymin:.3f} … {ymax:.3f}) sehen nach Längen-/"
                        f"Breitengraden aus, {name} rechnet aber in Metern: in QGIS EPSG:4326 zuweisen (nicht "
                        "umprojizieren) und danach nach EPSG:25832/25833 umprojizieren")
    aou = c.area_of_use
    if aou is not None:
        lon0, lat0, lon1, lat1 = areas.geometry.to_crs(4326).total_bounds  # inf for impossible coordinates
        w, s, e, n = aou.bounds
        margin = 2.0
        if not (np.isfinite([lon0, lat0, lon1, lat1]).all() and lon1 >= w - margin and lon0 <= e + margin
                and lat1 >= s - margin and lat0 <= n + margin):
            problems.append(f"die Koordinaten liegen außerhalb des Gültigkeitsbereichs von {name} ({aou.name}); "
                            "falsches KBS zugewiesen (z. B. Gauß-Krüger statt UTM)?")
    add("Koordinatenreferenzsystem", "Warnung" if problems else "ok",
        "; ".join(problems) if problems else f"{name}, Meter", p.areas.file, "crs")


def _mojibake(series: pd.Series) -> pd.Series:
    text = series.astype(object).where(series.notna(), "").astype(str)
    return text.str.contains(MOJIBAKE)


def _repaired(text: str) -> str:
    try:
        return text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def encoding(dp, add) -> None:
    """Mojibake such as „Ã¼“ for „ü“ (UTF-8 read as latin-1) or „�“ in names and column names."""
    p, table, areas = dp.params, dp.table, dp.areas
    found = False
    headers = [c for c in table.columns if MOJIBAKE.search(str(c))]
    if headers:
        found = True
        add("Zeichenkodierung", "Warnung", f"Spaltennamen mit kaputten Umlauten: „{headers[0]}“ (gemeint: "
            f"„{_repaired(headers[0])}“?)", p.data.file, headers[0], [1])
    for col in [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]:
        bad = _mojibake(table[col])
        if bad.any():
            found = True
            first = str(table.loc[bad, col].iloc[0])
            add("Zeichenkodierung", "Warnung", f"Spalte „{col}“: {int(bad.sum())} Texte mit kaputten Umlauten, z. B. "
                f"„{first}“ (gemeint: „{_repaired(first)}“?). Datei als UTF-8 speichern.", p.data.file, col,
                editor_lines(table, bad))
    text_columns = [c for c in areas.columns if c != "geometry" and not pd.api.types.is_numeric_dtype(areas[c])]
    for col in text_columns if p.has_maps else []:  # without a geodata file the names are a table column
        bad = _mojibake(areas[col])
        if bad.any():
            found = True
            first = str(areas.loc[bad, col].iloc[0])
            add("Zeichenkodierung", "Warnung", f"Spalte „{col}“ der Geometrie: {int(bad.sum())} Texte mit kaputten "
                f"Umlauten, z. B. „{first}“ (gemeint: „{_repaired(first)}“?) bei {show(areas.index[bad], 3)}. "
                "Beim Shapefile die Kodierung in der .cpg-Datei prüfen.", p.areas.file, col)
    if not found:
        add("Zeichenkodierung", "ok", f"Datentabelle: {table.attrs.get('format', {}).get('kodierung', 'UTF-8')}",
            p.data.file)


def number_format(dp, add) -> None:
    """Columns left as text although they hold numbers (decimal comma in a ``,`` file, ``1.152`` unclear)."""
    p, table = dp.params, dp.table
    found = False
    for col in table.columns:
        if col in ("gebiet_id", "jahr") or pd.api.types.is_numeric_dtype(table[col]):
            continue
        k = numeric.kinds(table[col])
        looks = k.isin([*numeric.COMMA_KINDS, "group"])
        if looks.any() and k.isin(["int", "dot", "group", *numeric.COMMA_KINDS]).sum() >= 0.9 * k.notna().sum():
            found = True
            if k.isin(numeric.COMMA_KINDS).any():
                what = ("Zahlen mit Dezimalkomma oder Tausendertrennzeichen (Dezimalkomma in einer Datei mit Komma als "
                        "Trennzeichen?). Als deutsches CSV mit „;“ speichern.")
            else:
                what = ("Zahlen wie „1.152“, bei denen nicht zu erkennen ist, ob der Punkt ein Dezimalpunkt oder ein "
                        "Tausendertrennzeichen ist. " + numeric.DECIMAL_HINT)
            add("Zahlenformat", "Warnung", f"Spalte „{col}“ wurde als Text gelesen, enthält aber {int(looks.sum())} "
                + what, p.data.file, col, editor_lines(table, looks))
    if not found:
        fmt = table.attrs.get("format", {})
        add("Zahlenformat", "ok", f"Dezimaltrennzeichen „{fmt.get('decimal') or p.data.decimal}“"
            if fmt.get("typ") == "CSV" and (fmt.get("decimal") or p.data.decimal) else "alle Zahlenspalten numerisch",
            p.data.file)


def decisions(dp, add) -> None:
    """What the reader decided on the user's behalf (header row, letters, layout, missing codes, year,
    total rows; :mod:`sozialplanung.data.inputs`) and whether names serve as ids."""
    for check, detail, file, field, lines in dp.table.attrs.get("entscheidungen", []):
        add(f"Eingelesen: {check}", "Hinweis", detail, file, field, lines)
    names = dp.areas["name"].astype(str)
    same = names.index == names.to_numpy()
    if same.all():
        add("Eingelesen: Kennungen", "Hinweis", "die Kennungen der Gebiete sind ihre Namen; der Bericht nennt jedes "
            "Gebiet nur einmal", dp.params.areas.file or dp.params.data.file, dp.params.areas.id)


CODE_LIKE = (-9999, -999, -99, 9999, 99999, 999999)
"""Numbers that are typically missing-value codes in official tables when they fill a cell exactly."""


def code_like(dp, add) -> None:
    """Numbers such as −9999 in a column the catalogue needs: probably an undeclared missing-value code."""
    p, table, hits = dp.params, dp.table, {}
    for col in needed_columns(dp.catalogue, p):
        if col in table.columns and pd.api.types.is_numeric_dtype(table[col]) and table[col].isin(CODE_LIKE).any():
            hits[col] = table[col].isin(CODE_LIKE)
    if not hits:
        add("Codes für fehlende Werte", "ok", "keine Werte wie −9999 in den verwendeten Spalten", p.data.file)
        return
    first = next(iter(hits))
    code = int(table.loc[hits[first], first].iloc[0])
    counts = ", ".join(f"„{c}“ {int(m.sum())}" for c, m in hits.items())
    add("Codes für fehlende Werte", "Warnung", f"Zellen mit {code} oder ähnlichen Werten in Spalte {counts}: ein Code "
        f"für fehlende Werte? Dann in der Parameterdatei angeben: data: {{missing: [{code}]}} (sonst wird er als "
        "Zahl gerechnet)", p.data.file, show(hits, 3), editor_lines(table, np.logical_or.reduce(list(hits.values()))))
