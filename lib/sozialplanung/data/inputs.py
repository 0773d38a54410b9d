"""The inputs of a Datenpaket as the params describe them: :func:`read_inputs` reads and checks them all.

:func:`read_data` reads the data table with every ``data:`` field (header row, letters, rename,
layout, missing-value codes, year, totals), names the key columns ``gebiet_id`` and ``jahr`` and
splits off the declared total rows (:func:`split_totals`). Every decision it takes on the user's
behalf is recorded in ``table.attrs["entscheidungen"]`` and reported by
:func:`sozialplanung.data.checks.data_rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from sozialplanung.config.catalogue import read_catalogue
from sozialplanung.config.vergleich import comparison_files
from sozialplanung.config.validation import Errors
from sozialplanung.data import tablechecks
from sozialplanung.data.geometry import areas_from_table, read_geometry
from sozialplanung.data.tablefiles import as_id, layout_column, read_table
from sozialplanung.errors import SozialplanungError


@dataclass
class Inputs:
    """What :func:`read_inputs` returns (unpacks as a tuple in this order)."""

    areas: gpd.GeoDataFrame
    parents: dict[str, gpd.GeoDataFrame]
    table: pd.DataFrame
    totals: pd.DataFrame
    catalogue: object

    def __iter__(self):
        return iter((self.areas, self.parents, self.table, self.totals, self.catalogue))


def read_inputs(params) -> Inputs:
    """Read geometry, data table and catalogue of ``params`` and check them (every error at once).

    Without ``areas.file`` (table-only mode) the areas come from the data table
    (:func:`sozialplanung.data.geometry.areas_from_table`).

    The three files are read independently, so the errors of all of them are raised together (one
    :class:`~sozialplanung.config.validation.SeveralErrors`); then :func:`sozialplanung.data.tablechecks.check_table`
    checks the table against areas and catalogue.
    """
    errors, got = Errors(), {}
    if params.has_maps:
        with errors.collect():
            got["geometry"] = read_geometry(params)
    with errors.collect():
        got["data"] = read_data(params)
        if not params.has_maps:  # table-only mode: the areas are the table's ids
            got["geometry"] = areas_from_table(params, got["data"][0])
    with errors.collect():
        got["catalogue"] = read_catalogue(params.resolve(params.catalogue), shown_as=params.catalogue)
        tablechecks.check_references(params, got["catalogue"])
    errors.raise_all()
    (areas, parents), (table, totals), catalogue = got["geometry"], got["data"], got["catalogue"]
    table = tablechecks.check_table(table, areas, catalogue, params)
    totals = tablechecks.check_totals(totals, table, catalogue, params)
    return Inputs(areas, parents, table, totals, catalogue)


def read_data(params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The data table with ``gebiet_id`` and ``jahr``, and the declared total rows (empty frame if none)."""
    spec = params.data
    missing, by_column = spec.missing_codes()
    table = read_table(params.resolve(spec.file), id_column=spec.id, sheet=spec.sheet, skip_rows=spec.skip_rows,
                       header_row=spec.header_row, rename=spec.rename, missing=missing, missing_by_column=by_column,
                       layout=spec.layout, year_row=spec.year_row, year_column=spec.year or "jahr",
                       shown_as=spec.file, text_columns=_parent_columns(params))
    decisions = _shape_decisions(table, params)
    for field in ("year", "population"):
        name = getattr(spec, field)
        column = layout_column(table, name) if name else None
        if column is not None:
            table = table.rename(columns={column: name})
            decisions.append(("Spalten", f"Spalte {name} („{column}“) als data.{field}", spec.file, name, []))
    table = key_columns(table, params)
    table.attrs["entscheidungen"] = decisions + table.attrs.get("entscheidungen", [])
    return split_totals(table, params)


def _parent_columns(params) -> list[str]:
    """Table-only mode: the parent-id columns of the table, read as text like the ids (leading zeros kept)."""
    return [] if params.has_maps else [p.column for p in params.areas.parents if p.column]


def _shape_decisions(table: pd.DataFrame, params) -> list[tuple]:
    """(check, detail, file, field, lines) for each reading decision, as
    :func:`sozialplanung.data.checks.data_rules` adds them."""
    spec, file, out = params.data, params.data.file, []
    rows = spec.header_row if isinstance(spec.header_row, list) else [spec.header_row]
    if rows != [1]:
        what = f"Kopfzeile in Zeile {rows[0]}" if len(rows) == 1 else \
            f"Kopfzeilen {rows[0]}–{rows[-1]} zu Spaltennamen verbunden"
        out.append(("Kopfzeile", f"{what}; Daten ab Zeile {table.attrs['erste_zeile'] + spec.skip_rows}", file, "", []))
    if spec.layout == "breit":
        years = sorted(pd.unique(table[spec.year or "jahr"]))
        out.append(("Tabellenform", f"eine Spalte je Jahr (Jahre in Zeile {spec.year_row}: {years[0]}–{years[-1]}) "
                    "in eine Zeile je Gebiet und Jahr umgeformt", file, "", []))
    for old, new in spec.rename.items():
        out.append(("Spalten", f"„{old}“ umbenannt in „{new}“", file, new, []))
    if table.attrs.get("kennung_aus"):
        out.append(("Spalten", f"Spalte {spec.id} („{table.attrs['kennung_aus']}“) als Kennung (data.id)", file,
                    spec.id, []))
    for col, lines in table.attrs.get("fehlend", {}).items():
        out.append(("Fehlende Werte (Codes)", f"Spalte „{col}“: {len(lines)} Zelle(n) mit einem Code für fehlende "
                    "Werte als fehlend gelesen (in der Quelle nicht veröffentlicht, kein Datenschutz dieses Berichts)",
                    file, col, lines))
    return out


def key_columns(table: pd.DataFrame, params) -> pd.DataFrame:
    """Rename the id and year columns named in the params to ``gebiet_id`` and ``jahr``.

    Without a year column (``year`` null, or omitted and no column ``jahr``) every row is of the
    report year.
    """
    spec, file = params.data, params.data.file
    names = {spec.id: "gebiet_id"}
    no_year = spec.year is None or ("year" not in spec.model_fields_set and spec.year not in table.columns)
    if not no_year:
        names[spec.year] = "jahr"
    for name, key in names.items():
        if name not in table.columns:
            what = "Kennungsspalte" if key == "gebiet_id" else "Jahresspalte"
            raise SozialplanungError(f"Die {what} „{name}“ fehlt.", file=file, field=name,
                                     hint=f"Vorhandene Spalten: {', '.join(map(str, table.columns))}"
                                     + ("" if key == "gebiet_id" else ". Hat die Tabelle keine Jahresspalte, "
                                        "„year: null“ angeben: dann gilt das Berichtsjahr."))
        if name != key and key in table.columns:
            raise SozialplanungError(f"Die Spalte „{key}“ gibt es schon; „{name}“ kann nicht so umbenannt werden.",
                                     file=file, field=key, row=table.attrs.get("erste_zeile", 2) - 1,
                                     hint=f"Die Spalte „{key}“ in der Tabelle umbenennen (data.rename) oder in den "
                                          f"Parametern „{key}“ als Kennung/Jahr angeben.")
    table = table.rename(columns=names)
    if no_year:
        if "jahr" in table.columns:
            raise SozialplanungError("Ohne Jahresspalte (year: null) darf die Tabelle keine Spalte „jahr“ haben.",
                                     file=file, field="jahr", hint="year: jahr angeben oder die Spalte umbenennen.")
        table.insert(1, "jahr", params.report_year)
        table.attrs.setdefault("entscheidungen", []).append(
            ("Jahr", f"keine Jahresspalte: alle Zeilen gelten für das Berichtsjahr {params.report_year}", file, "", []))
    return table


def split_totals(table: pd.DataFrame, params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Take the total rows declared in ``data.totals`` out of the table; they get a column ``ebene``."""
    spec, file = params.data.totals, params.data.file
    if spec is None:
        return table, pd.DataFrame()
    if spec.column and spec.column not in table.columns:
        raise SozialplanungError(f"Die Spalte „{spec.column}“ (data.totals.column) fehlt in der Tabelle.", file=file,
                                 field="data.totals.column",
                                 hint=f"Vorhandene Spalten: {', '.join(map(str, table.columns))}")
    marks = as_id(table[spec.column]) if spec.column else pd.Series(None, index=table.index, dtype=object)
    level = pd.Series(None, index=table.index, dtype=object)
    for name, (values, ids) in spec.codes().items():
        hit = (marks.isin(values) | table["gebiet_id"].isin(ids)) & level.isna()
        level[hit.to_numpy()] = name
    found = level.notna().to_numpy()
    for name, (values, ids) in spec.codes().items():
        if not (level == name).any():
            raise SozialplanungError(f"Für die Ebene {name} gibt es keine Summenzeile (gesucht: "
                                     + (f"„{spec.column}“ = {', '.join(values)}" if values else f"Kennungen {', '.join(ids)}")
                                     + ").", file=file, field=f"data.totals.{'values' if values else 'ids'}.{name}")
    totals = table[found].copy()
    totals.insert(0, "ebene", level[found].to_numpy())
    areas = table[~found]
    counts = totals["ebene"].value_counts()
    first = table.attrs.get("erste_zeile", 2)
    lines = [int(i) + first for i in totals.index]
    use = "ersetzen die berechneten Bezugswerte" if spec.use == "ersetzen" else "werden mit den berechneten " \
          "Bezugswerten verglichen"
    areas.attrs.setdefault("entscheidungen", []).append(
        ("Summenzeilen", f"{len(totals)} Summenzeile(n) nicht als Gebiete gelesen ("
         + ", ".join(f"{lv}: {counts[lv]}" for lv in spec.levels()) + f"); sie {use}", file, spec.column or "",
         lines))
    totals.attrs = {k: v for k, v in table.attrs.items() if k != "entscheidungen"}
    return areas, totals


def input_files(params) -> dict[str, Path]:
    """The files a Datenpaket is read from (``Datenpaket.inputs``, hashed in the manifest), without reading them."""
    files = {"params": Path(params.path)}
    if params.has_maps:
        files["areas"] = params.resolve(params.areas.file)
    files |= {"data": params.resolve(params.data.file), "catalogue": params.resolve(params.catalogue)}
    files.update({f"parent:{p.level}": params.resolve(p.file) for p in params.areas.parents if p.file})
    if params.recipe:
        files["recipe"] = params.resolve(params.recipe)
    files.update({field: params.resolve(value) for field, value in comparison_files(params).items()})
    return files
