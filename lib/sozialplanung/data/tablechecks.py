"""Load-time checks of a Datenpaket's inputs: every problem that makes the data unusable raises.

:func:`check_references` (params and recipe name only catalogued indicators), :func:`check_table`
and :func:`check_totals` run in :func:`sozialplanung.data.inputs.read_inputs` and raise a German
:class:`SozialplanungError` naming file, field and line. Everything else is reported later in the
findings table (:mod:`sozialplanung.data.checks`, :mod:`sozialplanung.data.plausibility`); the small
helpers and thresholds both use are here.

Thresholds of the plausibility rule on jumps between years: a rate given in % or ‰ (or „je 100“)
that changes by more than :data:`JUMP_POINTS` percentage points, or a count (population, numerator,
denominator) that changes by more than the factor :data:`JUMP_FACTOR` *and* by at least
:data:`JUMP_MIN_COUNT` persons.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from sozialplanung.config.recipes import read_recipe
from sozialplanung.config.validation import Errors
from sozialplanung.config.yamlio import read_yaml
from sozialplanung.data import numeric
from sozialplanung.errors import SozialplanungError

JUMP_POINTS = 10.0
JUMP_FACTOR = 2.0
JUMP_MIN_COUNT = 100
MOJIBAKE = re.compile("Ã[\u0080-\u00bf\u0152\u0153\u0160\u0178\u2013\u2014\u201a-\u201e\u0192]|Â[\u00a0-\u00bf]|\ufffd")
"""Text that was UTF-8 but read as Latin-1/cp1252 (``Ã¤`` for ``ä``), or a replacement character."""


def editor_lines(table: pd.DataFrame, mask) -> list[int]:
    """Editor lines (header = 1) of the rows selected by ``mask``."""
    first = table.attrs.get("erste_zeile", 2)
    return [int(i) + first for i in table.index[np.asarray(mask, dtype=bool)]]


def show(items, n: int = 5) -> str:
    """The first ``n`` items, comma-separated, with the total when there are more."""
    items = list(items)
    return ", ".join(map(str, items[:n])) + (f" … ({len(items)} insgesamt)" if len(items) > n else "")


def _digits_only(ids) -> bool:
    return all(isinstance(i, str) and i.isdigit() for i in ids)


def zero_hint(missing, other) -> str | None:
    """The precise hint when ``missing`` ids equal ids of ``other`` once leading zeros are ignored."""
    missing, other = [str(i) for i in missing], {str(i).lstrip("0") for i in other}
    if missing and _digits_only(missing) and any(i.lstrip("0") in other for i in missing):
        return ("Führende Nullen verloren? Kennungen als Text speichern (in Excel: Spalte als „Text“ formatieren; "
                "in Parquet/GeoPackage als Zeichenkette), z. B. „01100101“ statt 1100101.")
    return None


def count_columns(catalogue, params) -> dict[str, str]:
    """Count columns of the table and who names them: population, numerators, denominators, weights."""
    cols = {params.data.population: "data.population"} if params.data.population else {}
    for ind in catalogue.values():
        named = {"Zähler": ind.numerator, "Nenner": ind.denominator} if ind.from_counts else {"Gewicht": ind.weight}
        for role, col in named.items():
            if col is not None:
                cols.setdefault(col, f"{ind.id}: {role}")
    return cols


def needed_columns(catalogue, params) -> dict[str, str]:
    """Columns the population setting and the catalogue need, with who needs them."""
    needed = {params.data.population: "data.population"} if params.data.population else {}
    for ind in catalogue.values():
        for attr in ("numerator", "denominator", "rate", "weight"):
            col = getattr(ind, attr)
            if col is not None:
                needed.setdefault(col, f"indicators.{ind.id}.{attr}")
    return needed


# -- load time: errors --------------------------------------------------------------------------------

def check_table(table: pd.DataFrame, areas, catalogue, params) -> pd.DataFrame:
    """Raise a German error for problems that make the data unusable; return the cleaned table.

    Checked: id and year in every row, years whole numbers, every column the catalogue names exists
    and is numeric, ids unique per year (exact duplicate rows are dropped and reported by
    :func:`findings`), rows for the report year, data for every area of the geometry, the ids of
    ``berichtsgebiet``/``bezugsgesamtheit`` exist. Independent problems are reported together
    (:class:`~sozialplanung.config.validation.SeveralErrors`).
    """
    file, year_name = params.data.file, params.data.year
    if "jahr" not in table.columns:
        raise SozialplanungError(f"Die Jahresspalte „{year_name}“ fehlt.", file=file, field=year_name,
                                 hint=f"Vorhandene Spalten: {', '.join(map(str, table.columns))}")
    if table.columns.duplicated().any():
        raise SozialplanungError("Nach dem Umbenennen von Kennung und Jahr stehen Spalten doppelt "
                                 f"({', '.join(sorted(set(table.columns[table.columns.duplicated()])))}).",
                                 file=file, hint="Die Tabelle darf keine weitere Spalte „gebiet_id“ oder „jahr“ haben.")
    table = table.copy()
    errors = Errors()
    with errors.collect():
        _ids_present(table, params)
    with errors.collect():
        table["jahr"] = _years(table, file, year_name)
    needed = needed_columns(catalogue, params)
    for col, where in needed.items():
        if col not in table.columns:
            with errors.collect():
                raise SozialplanungError(
                    f"Die Spalte „{col}“ fehlt in der Datentabelle (verlangt von „{where}“ in {params.catalogue}).",
                    file=file, field=col, hint=f"Vorhandene Spalten: {', '.join(map(str, table.columns))}")
    with errors.collect():
        _numbers(table, {c: w for c, w in needed.items() if c in table.columns}, count_columns(catalogue, params),
                 params)
    errors.raise_all()
    same = table.duplicated(keep="first")
    table.attrs["doppelte_zeilen"] = editor_lines(table, same)
    table = table[~same]
    for check in (_unique_per_year, _report_year, _selections):
        with errors.collect():
            check(table, areas, params)
    errors.raise_all()
    return table


def check_totals(totals: pd.DataFrame, table: pd.DataFrame, catalogue, params) -> pd.DataFrame:
    """The declared total rows (:func:`sozialplanung.data.inputs.split_totals`) with years and numbers read as
    in the table; errors name their lines."""
    if totals.empty:
        return totals
    totals = totals.copy()
    totals["jahr"] = _years(totals, params.data.file, params.data.year)
    needed = {c: w for c, w in needed_columns(catalogue, params).items() if c in totals.columns}
    _numbers(totals, needed, count_columns(catalogue, params), params, skip=("gebiet_id", "jahr", "ebene"))
    return totals


def _ids_present(table: pd.DataFrame, params) -> None:
    no_id = table["gebiet_id"].isna()
    if no_id.any():
        raise SozialplanungError(f"{int(no_id.sum())} Zeile(n) ohne Kennung (Zeilen {show(editor_lines(table, no_id))}).",
                                 file=params.data.file, field=params.data.id, row=editor_lines(table, no_id)[0],
                                 hint="Fußnoten, Summen- und Leerzeilen aus der Tabelle entfernen oder Summenzeilen "
                                      "unter data.totals angeben.")


def _unique_per_year(table: pd.DataFrame, areas, params) -> None:
    dup = table.duplicated(["gebiet_id", "jahr"], keep=False)
    if dup.any():
        first = table.loc[dup, ["gebiet_id", "jahr"]].iloc[0]
        same = dup & (table["gebiet_id"] == first["gebiet_id"]) & (table["jahr"] == first["jahr"])
        lines = editor_lines(table, same)
        others = len(table.loc[dup, ["gebiet_id", "jahr"]].drop_duplicates()) - 1
        raise SozialplanungError(f"Das Gebiet „{first['gebiet_id']}“ steht für das Jahr {first['jahr']} mehrfach und "
                                 f"mit verschiedenen Werten in der Tabelle (Zeilen {show(lines)})"
                                 + (f"; ebenso {others} weitere Gebiete." if others else "."),
                                 file=params.data.file, field=params.data.id, row=lines[1],
                                 hint="Je Gebiet und Jahr darf es nur eine Zeile geben. Sind es Summenzeilen einer "
                                      "übergeordneten Ebene mit demselben Namen, sie unter data.totals angeben.")


def _report_year(table: pd.DataFrame, areas, params) -> None:
    file, id_name = params.data.file, params.data.id
    present = set(table.loc[table["jahr"] == params.report_year, "gebiet_id"])
    if not present:
        years = sorted(table["jahr"].unique())
        raise SozialplanungError(f"Für das Berichtsjahr {params.report_year} gibt es keine Zeilen.", file=file,
                                 field=params.data.year, hint=f"Vorhandene Jahre: {show(years, 20) or 'keine'}")
    missing = [i for i in areas.index if i not in present]
    if missing:
        raise SozialplanungError(
            f"{len(missing)} Gebiete der Geometrie ({params.areas.file}) haben keine Daten für {params.report_year}, "
            f"z. B. „{missing[0]}“.", file=file, field=id_name,
            hint=zero_hint(present, missing) or zero_hint(missing, present)
            or "Kennungen müssen in Geometrie und Tabelle gleich geschrieben sein.")


def _years(table: pd.DataFrame, file: str, name: str) -> pd.Series:
    year = table["jahr"]
    num = pd.to_numeric(year.astype(object).where(year.notna(), None), errors="coerce") \
        if not pd.api.types.is_numeric_dtype(year) else year.astype(float)
    bad = num.isna() | ~np.isfinite(num) | (num != np.round(num)) | (num < 1900) | (num > 2200)
    if bad.any():
        lines = editor_lines(table, bad)
        found = year[bad].iloc[0]
        what = "kein Jahr" if pd.isna(found) else f"kein Jahr, sondern „{found}“"
        more = f" (insgesamt {len(lines)} Zeilen: {show(lines)})" if len(lines) > 1 else ""
        raise SozialplanungError(f"Die Jahresspalte enthält {what}{more}.", file=file, field=name, row=lines[0],
                                 hint="Erwartet wird eine vierstellige Jahreszahl (z. B. 2021) in jeder Zeile.")
    return num.astype(int)


def _numbers(table: pd.DataFrame, needed, counts, params, skip=("gebiet_id", "jahr")) -> None:
    """Numbers for the columns the catalogue needs (an error otherwise), and for the others where clear.

    Here it is known which columns hold counts (``1.152`` = 1152) and what ``data.decimal`` says; see
    :mod:`sozialplanung.data.numeric`. Every column with a problem is reported.
    """
    fmt, file, errors = table.attrs.get("format", {}), params.data.file, Errors()
    numeric.check_setting(params.data.decimal, fmt, file=file)
    for col in table.columns.drop(list(skip), errors="ignore"):
        with errors.collect():
            table[col] = numeric.to_numbers(table[col], fmt, name=col, file=file,
                                            first_line=table.attrs.get("erste_zeile", 2), decimal=params.data.decimal,
                                            count=col in counts, strict=col in needed)
    errors.raise_all()


def _selections(table, areas, params) -> None:
    for field in ("bezugsgesamtheit", "berichtsgebiet"):
        sel = getattr(params, field)
        if sel is None or sel.level == "Kommune":
            continue
        known = set(areas.index) if sel.level == params.areas.level else set(areas[sel.level])
        unknown = [i for i in sel.ids if i not in known]
        if unknown:
            raise SozialplanungError(
                f"Die Kennung „{unknown[0]}“ gibt es auf der Ebene {sel.level} nicht.", file=params.path,
                field=f"{field}.ids", hint=zero_hint(unknown, known) or f"Vorhanden: {show(sorted(known), 12)}")


def check_references(params, catalogue) -> None:
    """Every indicator the params or the recipe name must be in the catalogue (German error with the field)."""
    a = params.analyses
    named = {"key_indicators": params.key_indicators or [], "indicators": params.indicators or [],
             "analyses.factor.indicators": a.factor.indicators or [],
             "analyses.factor.marker": [a.factor.marker] if a.factor.marker else [],
             "analyses.spatial.indicator": [a.spatial.indicator] if a.spatial.indicator else []}
    errors = Errors()
    for field, ids in named.items():
        for unknown in [i for i in ids if i not in catalogue]:
            with errors.collect():
                raise SozialplanungError(f"Der Indikator „{unknown}“ steht nicht im Katalog {params.catalogue}.",
                                         file=params.path, field=field,
                                         hint=f"Vorhandene Indikatoren: {', '.join(catalogue)}")
    if params.recipe:
        with errors.collect():
            check_recipe(params, catalogue)
    errors.raise_all()


def check_recipe(params, catalogue) -> None:
    """The recipe's indicators for the report year must be in the catalogue."""
    path = params.resolve(params.recipe)
    recipe = read_recipe(path)
    _, lines = read_yaml(path, shown_as=params.recipe)
    errors = Errors()
    for name, part in recipe.parts().items():
        for i, spec in enumerate(part.indicators):
            if spec.id not in catalogue and (spec.years is None or params.report_year in spec.years):
                with errors.collect():
                    raise SozialplanungError(
                        f"Das Rezept verwendet den Indikator „{spec.id}“, der nicht im Katalog {params.catalogue} "
                        "steht.", file=params.recipe, field=f"{name}.indicators.{spec.id}",
                        row=lines.get(f"{name}.indicators.{i}"), hint=f"Vorhandene Indikatoren: {', '.join(catalogue)}")
    errors.raise_all()
