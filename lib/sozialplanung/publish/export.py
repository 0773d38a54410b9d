"""Writing results: ``tabellen/*.csv`` (machine format), ``ergebnisse.xlsx`` (for people), ``ergebnisse.gpkg`` (GIS).

A report with several years on a series Datenpaket also gets ``tabellen/zeitreihe.csv``, ``statuswechsel.csv`` and
``gebietsschluessel.csv`` (:func:`series_tables`, written by :func:`write_workbooks` after the notebooks), and any
multi-year report with a typology ``tabellen/typwechsel.csv`` (:func:`typwechsel_tables`).

CSV tables are UTF-8, comma-separated with decimal points, one row per area with ``gebiet_id``
first (tables about indicators, e.g. factor loadings, start with ``indikator``). Floating point
values are rounded to :data:`DECIMALS` decimals so that re-runs give byte-identical tables.

Texts are spreadsheet-safe (OWASP "CSV Injection"): in a CSV a text cell or header beginning with
``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'`` (:func:`neutralise`), numbers
such as ``-1.5`` stay numbers, and a carriage return inside a text is written as a line feed (a quoted
line break; a bare CR would start a new row). In the XLSX every text is a string cell, never a
formula; the GeoPackage gets the original text.

Beside the CSVs, :func:`write_tables` keeps the frames' column types (text keys, integers, booleans,
dates) and column structure in a hidden ``.tabellen/<name>.json``; :func:`write_workbooks` builds the
workbook and the GeoPackage from the tables with those types and removes the hidden folder, so it is
never published.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
from openpyxl.utils import get_column_letter

from sozialplanung.publish.columns import TableInfo, column_kind, formula_like

DECIMALS = 6
TABLES = "tabellen"
SCHEMA = ".tabellen"
"""Hidden folder with the column types of each table (consumed by :func:`write_workbooks`)."""


def neutralise(value):
    """A text cell as written to a CSV: ``'`` in front of a formula-like text; anything else unchanged.

    The rule is reversible (:func:`restore`): a text that already starts with quotes before ``=`` etc.
    gets one quote more.

    >>> neutralise("=1+1"), neutralise("@SUMME(A1)"), neutralise("-1.5"), neutralise(-1.5)
    ("'=1+1", "'@SUMME(A1)", '-1.5', -1.5)
    >>> restore(neutralise("'@x")) == "'@x"
    True
    """
    return "'" + value if isinstance(value, str) and formula_like(value) else value


def _csv_text(value):
    """A text for the CSV: line breaks as ``\\n`` (a bare CR would end the row for many readers), then
    :func:`neutralise`."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return neutralise(value)


def restore(value):
    """The original text of a :func:`neutralise`-d cell."""
    return value[1:] if isinstance(value, str) and value.startswith("'") and formula_like(value) else value


def _texts(df: pd.DataFrame, convert) -> pd.DataFrame:
    """``df`` with ``convert`` applied to every text cell and header."""
    df = df.rename(columns=convert)
    for i, dtype in enumerate(df.dtypes):
        if dtype == object or isinstance(dtype, (pd.CategoricalDtype, pd.StringDtype)):
            df.isetitem(i, df.iloc[:, i].astype(object).map(convert))
    return df


def output_dir(dp, value: str | Path = "") -> Path:
    """The folder a notebook writes to: ``value`` if given (papermill passes the staging folder),
    else ``output/lab/<slug>`` in the project (interactive runs never touch a published report)."""
    if value:
        path = Path(value)
    else:
        here = Path.cwd()
        root = next((p for p in [here, *here.parents] if (p / "params").is_dir()), here)
        path = root / "output" / "lab" / dp.params.slug
    path.mkdir(parents=True, exist_ok=True)
    return path


class WrittenTables(list):
    """The paths written by :func:`write_tables`; shown in a notebook as a short German line."""

    def __repr__(self) -> str:
        return f"{len(self)} Tabellen geschrieben: " + ", ".join(f"tabellen/{p.name}" for p in self)


def write_tables(output_dir: str | Path, **tables: pd.DataFrame) -> WrittenTables:
    """Write each DataFrame as ``tabellen/<name>.csv``; an index named ``gebiet_id`` becomes the first column.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> df = pd.DataFrame({"wert": [1/3]}, index=pd.Index(["01"], name="gebiet_id"))
    >>> write_tables(d, beispiel=df)
    1 Tabellen geschrieben: tabellen/beispiel.csv
    >>> open(f"{d}/tabellen/beispiel.csv").read()
    'gebiet_id,wert\\n01,0.333333\\n'
    """
    folder, schemas = Path(output_dir) / TABLES, Path(output_dir) / SCHEMA
    folder.mkdir(parents=True, exist_ok=True)
    schemas.mkdir(exist_ok=True)
    paths = WrittenTables()
    for name, df in tables.items():
        df = df.reset_index() if df.index.name else df.reset_index(drop=True)
        parts = [[str(p) for p in col] for col in df.columns] if isinstance(df.columns, pd.MultiIndex) else None
        if parts:
            df.columns = ["_".join(p for p in col if p) for col in parts]
        schema = [{"name": str(c), "kind": column_kind(df[c]), **({"parts": parts[i]} if parts else {})}
                  for i, c in enumerate(df.columns)]
        (schemas / f"{name}.json").write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
        df = _texts(df.round(DECIMALS), _csv_text)
        path = folder / f"{name}.csv"
        df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths


def read_tables(output_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The tables written by :func:`write_tables`, with the original texts (see :func:`restore`) and the
    column types kept beside them; without those, a column with leading zeros (ids of parent areas,
    ``072325005``) stays text."""
    folder = Path(output_dir) / TABLES
    return {p.stem: _texts(_read_csv(p, _schema(output_dir, p.stem)), restore) for p in sorted(folder.glob("*.csv"))}


def read_schemas(output_dir: str | Path) -> dict[str, list[dict]]:
    """Per table the column schema written by :func:`write_tables` (name, kind, parts of a column pair)."""
    folder = Path(output_dir) / TABLES
    return {p.stem: _schema(output_dir, p.stem) for p in sorted(folder.glob("*.csv"))}


def _schema(output_dir, name: str) -> list[dict] | None:
    path = Path(output_dir) / SCHEMA / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


_READ_AS = {"text": str, "int": "Int64", "bool": "boolean", "float": float}


def _read_csv(path: Path, schema: list[dict] | None = None) -> pd.DataFrame:
    if schema is not None:
        dtypes = {i: _READ_AS[c["kind"]] for i, c in enumerate(schema) if c["kind"] in _READ_AS}
        dates = [i for i, c in enumerate(schema) if c["kind"] == "date"]
        df = pd.read_csv(path, dtype=dtypes, parse_dates=dates, keep_default_na=False, na_values=[""])
        df.columns = [c["name"] for c in schema]
        return df
    df, text = pd.read_csv(path, dtype={"gebiet_id": str}), pd.read_csv(path, dtype=str)
    for i, dtype in enumerate(df.dtypes):
        if pd.api.types.is_numeric_dtype(dtype) and text.iloc[:, i].str.match(r"[+-]?0\d").any():
            df.isetitem(i, text.iloc[:, i])
    return df


def write_workbooks(output_dir: str | Path, source) -> None:
    """Collect the tables of :func:`write_tables` into ``ergebnisse.xlsx`` and ``ergebnisse.gpkg``.

    ``source`` is the report's :class:`~sozialplanung.data.datenpaket.Datenpaket`: then sheets get German
    headers with units, number formats per indicator, the symbols ``.`` and ``x`` and the sheets
    „Spalten“, „Zeichenerklärung“ and „Quellen“, and every GeoPackage layer a description and the
    report's map as its default QGIS style (see :mod:`sozialplanung.publish.xlsx`, :mod:`sozialplanung.publish.geopackage`).
    Given only the area geometry (a GeoDataFrame), headers are the column codes and layers unstyled.
    The hidden column schemas are removed afterwards: they are not part of the published report.
    """
    from sozialplanung.publish import geopackage
    from sozialplanung.publish import xlsx

    output_dir = Path(output_dir)
    if not isinstance(source, gpd.GeoDataFrame) and not (output_dir / TABLES / "zeitreihe.csv").exists():
        write_tables(output_dir, **series_tables(source))  # multi-year report: zeitreihe, statuswechsel, schlüssel
    if not isinstance(source, gpd.GeoDataFrame) and not (output_dir / TABLES / "typwechsel.csv").exists():
        write_tables(output_dir, **typwechsel_tables(source, output_dir))
    tables, schemas = read_tables(output_dir), read_schemas(output_dir)
    if tables:
        dp = None if isinstance(source, gpd.GeoDataFrame) else source
        infos = TableInfo.collect(tables, schemas, dp)
        xlsx.write_workbook(output_dir / "ergebnisse.xlsx", infos, dp)
        if dp is None or dp.params.has_maps:  # table-only mode: no geometry, no GeoPackage
            geopackage.write_geopackage(output_dir / "ergebnisse.gpkg", infos, dp.areas if dp else source, dp)
    shutil.rmtree(output_dir / SCHEMA, ignore_errors=True)


def read_workbook(path: str | Path):
    """Every sheet of an ``ergebnisse.xlsx`` as ``(sheet, headers, rows)``, rows as lists of cell values.

    On the table sheets the headers are the column codes of the CSV and the GeoPackage (``gebiet_id``,
    ``S1``, ``S1_abweichung``), read from the sheet „Spalten“ – row 1 holds the German headers; on all
    other sheets, and in workbooks without „Spalten“, they are the texts of row 1. Withheld and not
    assessed cells read ``"."`` and ``"x"``. For the Datenschutz leak scan.
    """
    from openpyxl import load_workbook

    from sozialplanung.publish.xlsx import KEY_SHEET

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        codes = {}
        if KEY_SHEET in wb.sheetnames:
            for sheet, letter, _, code, *_ in wb[KEY_SHEET].iter_rows(min_row=2, values_only=True):
                codes[sheet, letter] = code
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            heads = ["" if h is None else str(h) for h in next(rows, ())]
            heads = [str(codes.get((ws.title, get_column_letter(i + 1)), h)) for i, h in enumerate(heads)]
            yield ws.title, heads, [list(row) for row in rows]
    finally:
        wb.close()



def series_tables(dp) -> dict[str, pd.DataFrame]:
    """The tables of a multi-year report on a series Datenpaket (:mod:`sozialplanung.data.zeitreihe`), for the
    shown areas; empty for a single year, a plain Datenpaket or one without a Sozialindex recipe:

    * ``zeitreihe``: one row per area and year: Datenstand, Gebietsstand of the source, ``interpoliert``,
      ``abdeckung``, residents, every indicator (withheld values empty, by the rules over years of
      :func:`~sozialplanung.data.zeitreihe.series_marks`), the computed status and dynamik class of that year
      and the official ones (for carried years from the old area with most residents);
    * ``statuswechsel``: the transition matrix of the official status classes between the last two years;
    * ``gebietsschluessel``: ``alt_id, neu_id, gewicht`` of each older Gebietsstand, rows of the shown areas.
    """
    from sozialplanung.analysis.sozialindex import recipe
    from sozialplanung.analysis.zeitreihe import status_by_year, status_table, transition_matrix
    from sozialplanung.config.catalogue import GEBIET_ID
    from sozialplanung.data.zeitreihe import has_zeitreihe, read_zeitreihe, series_marks
    from sozialplanung.indicators.zeitreihe import series_values

    if len(dp.years()) < 2 or not has_zeitreihe(dp) or not dp.params.recipe:
        return {}
    zr = read_zeitreihe(dp)
    ids = sorted(dp.shown_ids)
    marks = series_marks(dp, zr)
    values = series_values(dp, zr, marks)
    status = status_table(dp, status_by_year(dp, recipe(dp), zr), zr)
    status = status[status[GEBIET_ID].isin(ids)]
    frames = []
    for year in dp.years():
        rows = dp.rows(year).reindex(ids)
        carried = zr.source_stand(year) != zr.gebietsstand
        interp = rows["interpoliert"].astype(str).eq("True") if "interpoliert" in rows else pd.Series(False, ids)
        frame = pd.DataFrame({GEBIET_ID: ids, "jahr": year, "datenstand": zr.datenstand(year),
                              "gebietsstand": zr.source_stand(year), "interpoliert": (interp & carried).to_numpy(),
                              "abdeckung": rows["abdeckung"].to_numpy() if "abdeckung" in rows else 1.0,
                              "einwohner": dp.population(year).reindex(ids).round().astype("Int64").to_numpy()})
        frames.append(pd.concat([frame, values.xs(year, level="jahr").reindex(ids).reset_index(drop=True)], axis=1))
    table = pd.concat(frames, ignore_index=True)
    keep = ["status_klasse", "status_amtlich", "dynamik_klasse", "dynamik_amtlich"]
    table = table.merge(status[[GEBIET_ID, "jahr", *[c for c in keep if c in status]]], on=[GEBIET_ID, "jahr"],
                        how="left").sort_values([GEBIET_ID, "jahr"]).reset_index(drop=True)
    then, now = dp.years()[-2:]
    out = {"zeitreihe": table, "statuswechsel": transition_matrix(status, then, now)}
    keys = [cw.table_.assign(gebietsstand_alt=stand) for stand, cw in zr.keys.items()]
    if keys:
        key = pd.concat(keys, ignore_index=True)
        out["gebietsschluessel"] = key[key["neu_id"].isin(ids)][["alt_id", "neu_id", "gewicht", "gebietsstand_alt"]]
    return out


def typwechsel_tables(dp, output_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """``{"typwechsel": matrix}`` for a multi-year report with a factor analysis and a typology: the transition
    matrix of the types between the last two editions on the shown areas
    (:func:`sozialplanung.analysis.typwechsel.transition_matrix`; the report year's typology applied to the earlier
    values, an area with a withheld value then is „nicht zugeordnet“). The analyses are those saved beside
    ``output_dir`` (:class:`~sozialplanung.analysis.ergebnisse.Ergebnisse`). Empty where no shown area of the earlier
    year has all indicators of the factor analysis (nothing could be assigned, e.g. the Berlin series), checked
    before any analysis is loaded."""
    from sozialplanung.analysis.ergebnisse import Ergebnisse
    from sozialplanung.analysis.factor import factor_indicators
    from sozialplanung.analysis.typwechsel import typwechsel

    run = dp.params.analyses_run()
    earlier = [y for y in dp.years() if y < dp.year]
    if not earlier or "faktorenanalyse" not in run or "clusteranalyse" not in run:
        return {}
    values = dp.values(earlier[-1]).loc[dp.assessed_ids(dp.shown_ids, year=earlier[-1]), factor_indicators(dp)]
    if not values.notna().all(axis=1).any():
        return {}
    results = Ergebnisse(dp, output_dir, quiet=True)
    fa = results.optional("fa")
    typology = results.optional("typology") if fa is not None else None
    if typology is None:
        return {}
    tw = typwechsel(dp, fa, typology)
    return {"typwechsel": tw.matrix()} if tw.assigned else {}
