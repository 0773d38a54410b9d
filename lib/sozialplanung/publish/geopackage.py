"""``ergebnisse.gpkg``: one layer per area table, typed, described and styled like the report's maps.

- Columns keep their types: keys (``gebiet_id``, parent ids) TEXT, classes INTEGER, flags BOOLEAN,
  values REAL; the geometry and its CRS are those of the Datenpaket's areas.
- ``gpkg_contents`` gets a title (``identifier``) and a German ``description`` per layer: what it
  holds, the key it joins on, what an empty value means.
- The table ``layer_styles`` (read by QGIS) holds the report's maps as QML styles
  (:mod:`sozialplanung.publish.gpkg_styles`); the first style of a layer is its default. Layers with several
  maps in the report (every indicator, Status and Dynamik) get one style each.
"""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

import pandas as pd
import pyogrio

from sozialplanung.viz import atlas
from sozialplanung.viz import maps
from sozialplanung.publish.columns import TableInfo, with_unit
from sozialplanung.errors import SozialplanungError, SozialplanungWarning
from sozialplanung.publish.gpkg_styles import Entry, Rule, Style, choropleth_style, class_style, legend, qml

_TYPES = {"text": "string", "int": "Int64", "bool": "boolean", "float": "float64"}


def write_geopackage(path: Path, infos: list[TableInfo], areas, dp=None) -> None:
    """Write every table with a ``gebiet_id`` as a layer of ``path`` (replacing the file)."""
    path.unlink(missing_ok=True)
    keyed = [i for i in infos if i.keyed]
    styles = report_styles(dp, keyed, path.parent) if dp is not None else {}
    rows = []
    for info in keyed:
        pyogrio.write_dataframe(_layer(info, areas), path, layer=info.name, driver="GPKG",
                                layer_options={"IDENTIFIER": info.title, "DESCRIPTION": description(info, dp)})
        column = _geometry_column(path, info.name)
        for k, style in enumerate(styles.get(info.name) or [plain_style(info)]):
            rows.append({"f_table_catalog": "", "f_table_schema": "", "f_table_name": info.name,
                         "f_geometry_column": column, "styleName": style.name[:30], "styleQML": qml(style),
                         "styleSLD": "", "useAsDefault": k == 0,
                         "description": f"{style.title} – wie die Karte im Bericht" if dp is not None else style.title,
                         "owner": "", "ui": "", "update_time": pd.Timestamp.now(tz="UTC").floor("s")})
    if rows:
        pyogrio.write_dataframe(pd.DataFrame(rows), path, layer="layer_styles", driver="GPKG",
                                layer_options={"FID": "id", "IDENTIFIER": "Stile für QGIS",
                                               "DESCRIPTION": "Kartenstile der Layer (QML), gelesen von QGIS"})


def _layer(info: TableInfo, areas):
    """The table joined to the area geometry; keys and texts TEXT, counts and classes INTEGER, flags BOOLEAN."""
    table = info.frame.set_index("gebiet_id").drop(columns=["name"], errors="ignore")
    layer = areas.loc[areas.index.isin(table.index), ["name", "geometry"]].join(table, how="inner")
    layer.index.name = "gebiet_id"
    layer = layer.reset_index()
    kinds = {"name": "text", **{c.code: c.kind for c in info.columns}}
    for col in layer.columns.drop("geometry"):
        values = layer[col]
        if kinds[col] in ("id", "text"):
            layer[col] = values.astype("string")
        elif kinds[col] == "bool":
            layer[col] = values.astype("boolean")
        elif kinds[col] in ("int", "count") and (values.dropna() % 1 == 0).all():
            layer[col] = values.astype("Int64")
    return layer


def _geometry_column(path: Path, layer: str) -> str:
    with sqlite3.connect(path) as con:
        return con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)).fetchone()[0]


def description(info: TableInfo, dp=None) -> str:
    """The German ``gpkg_contents.description`` of a layer."""
    if dp is None:
        return f"{info.description} (tabellen/{info.name}.csv); Schlüssel gebiet_id (Text)."
    from sozialplanung.data import labels

    parents = [p.level for p in dp.params.areas.parents if p.level in info.frame.columns]
    joins = f"; übergeordnete Gebiete als Text: {', '.join(parents)}" if parents else ""
    sources = "; ".join(dp.params.sources)
    return (f"{info.description}, {labels.berichtsgebiet(dp)}, Berichtsjahr {dp.year}; {len(info.frame)} Gebiete. "
            f"Schlüssel gebiet_id (Text, {dp.params.areas.level}-Nr. wie in der Gebietsdatei){joins}. "
            "Leerer Wert (NULL): geheim gehalten, nicht bewertet oder ohne Angabe. Spalten wie in "
            f"tabellen/{info.name}.csv, deutsche Spaltennamen als Aliasse im Stil."
            + (f" Quelle: {sources}" if sources else ""))


# -- which map of the report styles which layer -------------------------------------------------------

def report_styles(dp, infos: list[TableInfo], output_dir: Path | None = None) -> dict[str, list[Style]]:
    """Per layer the styles of the report's maps of its columns, the default first; the analyses are the
    report's (saved beside ``output_dir`` by the notebooks, see :mod:`sozialplanung.analysis.ergebnisse`)."""
    fitted = _Fitted.of(dp, output_dir)
    out = {}
    for info in infos:
        make = _MAKERS.get(info.name)
        try:
            styles = make(dp, info, fitted) if make else []
        except SozialplanungError:  # no map in the report either (e.g. every value withheld)
            styles = []
        for style in styles:
            style.aliases = {c.code: c.header for c in info.columns}
        out[info.name] = styles
    return out


def plain_style(info: TableInfo) -> Style:
    """One grey symbol for every area: a layer without a map in the report."""
    entry = Entry(info.title, maps.CONTEXT_COLOR, maps.EDGE_COLOR)
    return Style(info.title, info.title, "", [Rule(info.title, "", entry)],
                 aliases={c.code: c.header for c in info.columns})


class _Fitted:
    """The analyses the maps need (the report's :class:`~sozialplanung.analysis.ergebnisse.Ergebnisse`, never
    refitted when the notebooks saved them) and the report's indicator maps, each made once."""

    def __init__(self, dp, output_dir: Path | None = None):
        from sozialplanung.analysis.ergebnisse import Ergebnisse

        self.dp, self._cache = dp, {}
        self.ergebnisse = Ergebnisse(dp, output_dir, quiet=True)

    @classmethod
    def of(cls, dp, output_dir: Path | None = None) -> "_Fitted":
        """The one of ``dp``, kept with it: a Kreis report's Rückmeldepakete (:mod:`sozialplanung.publish.rueckmeldung`)
        write one GeoPackage per Gemeinde with the maps of the same Datenpaket, each map drawn once – not once per
        Gemeinde over all 10.990 Gemeinden (0,24 s each)."""
        if "_geopackage_fitted" not in dp.__dict__:
            dp.__dict__["_geopackage_fitted"] = cls(dp, output_dir)
        return dp.__dict__["_geopackage_fitted"]

    def get(self, key: str):
        if not key.startswith("karte-"):
            return self.ergebnisse.get(key)  # a German SozialplanungError if the analysis cannot be run
        if key not in self._cache:
            with warnings.catch_warnings():  # the notebooks have shown them already
                warnings.simplefilter("ignore", SozialplanungWarning)
                self._cache[key] = atlas.indicator_map(self.dp, key[len("karte-"):])
        return self._cache[key]


def _indicator_styles(dp, info, fitted, suffix: str = "") -> list[Style]:
    order = [*dp.key_indicators, *(i for i in dp.catalogue if i not in dp.key_indicators)]
    out = []
    for ind in (i for i in order if i + suffix in info.frame.columns):
        spec = dp.catalogue[ind]
        try:
            fig = fitted.get(f"karte-{ind}")
        except SozialplanungError:
            continue
        out.append(choropleth_style(fig, ind + suffix, f"{ind} {spec.name}", with_unit(spec.name, spec.unit)))
    return out


def _index_styles(dp, info, fitted) -> list[Style]:
    index = fitted.get("index")
    out = []
    for part, spec in index.recipe_.parts().items():
        codes = [c.code for c in spec.classification.classes]
        out.append(class_style(atlas.index_map(dp, index, part), f"{part}_klasse", codes, spec.label, spec.label))
    return out


def _typology_styles(dp, info, fitted) -> list[Style]:
    typology = fitted.get("typology")
    return [class_style(atlas.typology_map(dp, typology), "typ", list(typology.names_), "Gebietstypen",
                        "Gebietstypen nach Handlungsbedarf")]


def _lisa_styles(dp, info, fitted) -> list[Style]:
    spatial = fitted.get("spatial")
    fig = atlas.lisa_map(dp, spatial)
    codes = [e.label for e in legend(fig)[:spatial.lisa_["cluster"].nunique()]]  # the legend labels are the codes
    return [class_style(fig, "cluster", codes, "LISA-Cluster", "Lokale räumliche Cluster (LISA)")]


def _score_styles(dp, info, fitted) -> list[Style]:
    scores = fitted.get("fa").scores_
    return _choropleths(dp, info, scores, [c for c in scores.columns if c in info.frame.columns])


def _sensitivity_styles(dp, info, fitted) -> list[Style]:
    frame = info.frame.set_index("gebiet_id")
    return _choropleths(dp, info, frame, [c for c in ("anteil_wechsel_gewichte", "anteil_wechsel_weglassen")
                                          if c in frame.columns])


def _choropleths(dp, info, values, columns) -> list[Style]:
    """The report's score map (:func:`sozialplanung.viz.atlas.score_map`) of each column."""
    headers = {c.code: c.header for c in info.columns}
    return [choropleth_style(atlas.score_map(dp, values[c], headers[c]), c, headers[c], headers[c]) for c in columns]


_MAKERS = {
    "indikatoren": _indicator_styles,
    "vergleich": lambda dp, info, fitted: _indicator_styles(dp, info, fitted, "_wert"),
    "sozialindex": _index_styles,
    "cluster": _typology_styles,
    "raeumliche_statistik": _lisa_styles,
    "faktorwerte": _score_styles,
    "sensitivitaet": _sensitivity_styles,
}
"""Table → the report's maps of it (notebooks 02–06 and the Sozialbericht); sensitivity has no map in the
report and gets the report's score map of its shares."""
