"""What each column of a result table is, for people: German header with unit, kind, decimals, description.

The tables are the ones the notebooks write with :func:`sozialplanung.publish.export.write_tables`
(``tabellen/<name>.csv``); the codes stay the column names of the CSV and the GeoPackage, the German
headers go into ``ergebnisse.xlsx`` and the QGIS aliases. Indicator columns take name, unit and
definition from the catalogue; decimals follow the report (one for indicator values, as in its tables;
two for scores and loadings, three for p-values; counts and classes are integers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd


KINDS = ("id", "text", "count", "int", "number", "bool", "date")
"""``id``: a key kept as text (leading zeros); ``count``: a whole number where 0 is shown as ``–``."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

_DIFF_UNIT = {"%": "Prozentpunkte", "‰": "Promillepunkte"}
_KNOWN = {  # code → (header, kind, decimals)
    "name": ("Name", "text", 0),
    "indikator": ("Indikator (Kennung)", "id", 0),
    "status_score": ("Status-Index, standardisierter Wert", "number", 2),
    "status_klasse": ("Status-Index, Klasse", "int", 0),
    "status_label": ("Status-Index", "text", 0),
    "dynamik_score": ("Dynamik-Index, standardisierter Wert", "number", 2),
    "dynamik_klasse": ("Dynamik-Index, Klasse", "int", 0),
    "dynamik_label": ("Dynamik-Index", "text", 0),
    "status_dynamik": ("Status/Dynamik, Kennziffer (10 × Status + Dynamik)", "int", 0),
    "status_dynamik_label": ("Status/Dynamik", "text", 0),
    "bewertet": ("bewertet", "bool", 0),
    "anteil_wechsel_weglassen": ("Anteil Klassenwechsel beim Weglassen eines Indikators (0–1)", "number", 2),
    "anteil_wechsel_gewichte": ("Anteil Klassenwechsel bei veränderten Gewichten (0–1)", "number", 2),
    "kommunalitaet": ("Kommunalität", "number", 2),
    "typ": ("Typ (Nummer)", "int", 0),
    "typ_name": ("Gebietstyp", "text", 0),
    "Ii": ("Lokaler Moran-Index (Ii)", "number", 3),
    "p_sim": ("Pseudo-p-Wert (Permutationen)", "number", 3),
    "q": ("Quadrant (1 = HH, 2 = LH, 3 = LL, 4 = HL)", "int", 0),
    "quadrant": ("Quadrant", "text", 0),
    "signifikant": ("signifikant (FDR 5 %)", "bool", 0),
    "cluster": ("LISA-Cluster", "text", 0),
    "grund": ("Grund", "text", 0),
}
_FALLBACK = {"int": ("int", 0), "float": ("number", 2), "bool": ("bool", 0), "date": ("date", 0), "text": ("text", 0)}

TABLES = {  # name → (title, what it holds); {level}, {top} and {ref} are filled in per report
    "indikatoren": ("Indikatoren", "Indikatorwerte je {level} mit Einwohnerzahl und Kennungen der übergeordneten "
                    "Gebiete"),
    "vergleich": ("Vergleich", "Indikatorwerte je {level} mit den Bezugswerten ({top}, {ref}) und der Abweichung "
                  "von {ref}"),
    "sozialindex": ("Sozialindex", "Status- und Dynamik-Index je {level}: standardisierte Werte und Klassen"),
    "sensitivitaet": ("Sensitivität", "Stabilität der Statusklasse je {level}: Klassenwechsel beim Weglassen "
                      "eines Indikators und bei veränderten Gewichten"),
    "faktorladungen": ("Faktorladungen", "Ladungen der Indikatoren auf die Faktoren, mit Kommunalität"),
    "faktorwerte": ("Faktorwerte", "Faktorwerte je {level} aus der Faktorenanalyse"),
    "cluster": ("Gebietstypen", "Gebietstyp je {level} aus der Clusteranalyse, nach Handlungsbedarf geordnet"),
    "typwechsel": ("Typwechsel", "Zahl der Gebiete ({level}) je Gebietstyp im Vorjahr (Zeilen: Typisierung des "
                   "Berichtsjahrs auf die Werte des Vorjahrs angewandt, nächstgelegenes Typzentrum) und im Berichtsjahr "
                   "(Spalten); „nicht zugeordnet“: nicht bewertet, geheim gehaltener oder fehlender Wert"),
    "raeumliche_statistik": ("Räumliche Statistik", "Lokaler Moran-Index (LISA) je {level}: Quadrant, "
                             "Signifikanz nach FDR-Korrektur, Cluster"),
}
"""Title and description of the tables the notebooks write, in the order of the notebooks."""


@dataclass(frozen=True)
class Column:
    code: str
    header: str
    kind: str
    decimals: int = 0
    description: str = ""


@dataclass
class TableInfo:
    """One table with its columns described; ``frame`` has the CSV's column names."""

    name: str
    frame: pd.DataFrame
    columns: list[Column]
    title: str
    description: str

    @property
    def keyed(self) -> bool:
        """True for a table with one row per area (``gebiet_id``): a GeoPackage layer."""
        return "gebiet_id" in self.frame.columns

    @classmethod
    def collect(cls, tables: dict, schemas: dict, dp=None) -> list[TableInfo]:
        """The tables in the order of :data:`TABLES` (others after them, by name), described."""
        order = sorted(tables, key=lambda n: (list(TABLES).index(n) if n in TABLES else len(TABLES), n))
        return [cls.describe(name, tables[name], schemas.get(name), dp) for name in order]

    @classmethod
    def describe(cls, name: str, frame: pd.DataFrame, schema: list[dict] | None, dp=None) -> TableInfo:
        schema = schema or [{"name": c, "kind": column_kind(frame[c])} for c in frame.columns]
        columns = [describe(c["name"], c["kind"], c.get("parts"), dp, list(frame.columns)) for c in schema]
        title, what = TABLES.get(name, (name, "Tabelle {name}"))
        return cls(name, frame, columns, title, what.format(name=name, **_words(dp)))


def column_kind(series: pd.Series) -> str:
    """``"bool"``, ``"int"``, ``"float"``, ``"date"`` or ``"text"``: how a column is typed in the outputs.

    An object column is typed by its values (``for_report`` turns flags of a reindexed table into objects).

    >>> column_kind(pd.Series([True, None])), column_kind(pd.Series(["01", None])), column_kind(pd.Series([1, 2]))
    ('bool', 'text', 'int')
    """
    dtype = series.dtype
    if dtype == object:
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        return {"boolean": "bool", "integer": "int", "floating": "float", "mixed-integer-float": "float"}.get(
            inferred, "text")
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    return "text"


def formula_like(text: str) -> bool:
    """True for a text a spreadsheet could run as a formula (quotes in front do not help it)."""
    bare = text.lstrip("'")
    return bare[:1] in _FORMULA_START and not _NUMBER.fullmatch(bare)


def _words(dp) -> dict[str, str]:
    if dp is None:
        return {"level": "Gebiet", "top": "übergeordnetes Gebiet", "ref": "Kommune"}
    from sozialplanung.data import labels
    from sozialplanung.indicators.reference import top_level

    return {"level": dp.params.areas.level, "top": top_level(dp) or "Kommune", "ref": labels.reference(dp)}


def describe(code: str, kind: str, parts: list[str] | None = None, dp=None, siblings=()) -> Column:
    """The column ``code`` of a table (``kind`` from its schema, ``parts`` of a column pair such as
    ``["S1", "abweichung"]``). Without a Datenpaket the header is the code."""
    if dp is None:
        is_id = code == "gebiet_id" or kind == "text" and code != "name"
        return Column(code, code, "id" if code == "gebiet_id" else _FALLBACK[kind][0] if not is_id else "text",
                      _FALLBACK[kind][1])
    levels = [p.level for p in dp.params.areas.parents]
    if code == "gebiet_id":
        return Column(code, f"{dp.params.areas.level}-Nr.", "id", 0,
                      f"Kennung des Gebiets ({dp.params.areas.level}), Text mit führenden Nullen: Schlüssel für "
                      "Verknüpfungen")
    if code in levels:
        return Column(code, f"{code}-Nr.", "id", 0, f"Kennung der {code}, in der das Gebiet liegt (Text)")
    if code == "einwohner":
        column = dp.params.data.population
        return Column(code, "Einwohner/innen" + ("" if column == "einwohner" else f" ({column})"), "count", 0,
                      f"Spalte {column} der Datentabelle, Berichtsjahr {dp.year}")
    if code in dp.catalogue:
        return _indicator(dp, code, "wert")
    if parts and len(parts) == 2 and parts[0] in dp.catalogue:
        return _indicator(dp, parts[0], parts[1], code)
    if code.startswith("Faktor "):
        loading = "indikator" in siblings
        return Column(code, f"{'Ladung' if loading else 'Faktorwert'}, {code}", "number", 2)
    if code.startswith("wechsel_ohne_") and code[13:] in dp.catalogue:
        return Column(code, f"Klassenwechsel ohne {dp.catalogue[code[13:]].name}", "bool")
    if re.fullmatch(r"typ_\d{4}", code):  # typwechsel: the row labels, the type in that year
        return Column(code, f"Gebietstyp {code[4:]}", "text", 0,
                      f"Gebietstyp {code[4:]} (Typisierung des Berichtsjahrs) bzw. „Summe“")
    if code.startswith("Typ ") and any(re.fullmatch(r"typ_\d{4}", str(c)) for c in siblings):
        return Column(code, f"{code} {dp.year}", "count", 0, f"Gebiete mit {code} im Berichtsjahr {dp.year}")
    header, kind_, decimals = _KNOWN.get(code, (code, *_FALLBACK[kind]))
    return Column(code, header, kind_, decimals)


def with_unit(name: str, unit: str) -> str:
    """``Arbeitslosigkeit in %``, ``Veränderung in Prozentpunkten``, ``Wanderungssaldo (je 100)``."""
    if unit in ("%", "‰", "€"):
        return f"{name} in {unit}"
    if unit.endswith("punkte"):
        return f"{name} in {unit}n"
    return f"{name} ({unit})"


def _indicator(dp, ind_id: str, what: str, code: str | None = None) -> Column:
    """An indicator value (``what="wert"``), a reference value (a level or ``"Kommune"``) or ``"abweichung"``."""
    from sozialplanung.data import labels
    from sozialplanung.formatting import fmt_date

    ind = dp.catalogue[ind_id]
    name = with_unit(ind.name, ind.unit)
    kind = "count" if ind.decimals == 0 else "number"
    about = f"{ind.definition}. Quelle: {ind.source}, Stichtag {fmt_date(ind.stichtag)}"
    if what == "wert":
        return Column(code or ind_id, name, kind, ind.decimals, about)
    ref = labels.reference(dp)
    if what == "abweichung":
        return Column(code, with_unit(f"{ind.name}: Abweichung von {ref}", _DIFF_UNIT.get(ind.unit, ind.unit)),
                      "number", 1, f"Wert ({ind_id}_wert) minus Bezugswert {ref} ({ind_id}_Kommune)")
    where = ref if what == "Kommune" else what
    return Column(code, f"{name}: {where}", "number", 1, f"Bezugswert {where} des Indikators {ind_id}")
