"""ergebnisse.gpkg: typed columns, layer descriptions, CRS, and QGIS styles equal to the report's map legends.

The layers are those of the real Charlottenburg-Wilmersdorf report; the legends are drawn again with
the functions the report calls (:mod:`sozialplanung.viz.atlas`), and every area of a layer is put in its
class by the style's own rule filters – it must land in the class the report's map gives it.
"""

from __future__ import annotations

import sqlite3
import warnings
import xml.etree.ElementTree as ET
from decimal import Decimal

import geopandas as gpd
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

import sozialplanung as sp
from sozialplanung.viz import atlas
from sozialplanung.viz import maps
from sozialplanung.publish.gpkg_styles import choropleth_style, legend

from conftest import PARAMS
from outputkit import matches, write_report_tables

LAYERS = ["indikatoren", "vergleich", "sozialindex", "sensitivitaet", "faktorwerte", "cluster", "raeumliche_statistik",
          "zeitreihe"]  # Berlin demo: the series 2013–2021


@pytest.fixture(scope="module")
def dp():
    return sp.load_datenpaket(PARAMS / "berlin" / "charlottenburg-wilmersdorf.yaml")


@pytest.fixture(scope="module")
def gpkg(dp, tmp_path_factory):
    return write_report_tables(dp, tmp_path_factory.mktemp("ausgabe")) / "ergebnisse.gpkg"


@pytest.fixture(scope="module")
def fitted(dp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sp.SozialplanungWarning)
        fa = sp.analysis.pipeline.faktorenanalyse(dp)
        return {"index": sp.analysis.pipeline.sozialindex(dp), "typology": sp.analysis.pipeline.clusteranalyse(dp, fa),
                "spatial": sp.analysis.pipeline.raeumliche_statistik(dp)}


def sql(gpkg, query, *args):
    with sqlite3.connect(gpkg) as con:
        return con.execute(query, args).fetchall()


def column_types(gpkg, layer) -> dict[str, str]:
    return {name: kind for _, name, kind, *_ in sql(gpkg, f'PRAGMA table_info("{layer}")')}


def styles(gpkg, layer) -> dict[str, ET.Element]:
    """styleName → parsed QML (the default first)."""
    rows = sql(gpkg, "SELECT styleName, styleQML FROM layer_styles WHERE f_table_name = ? ORDER BY useAsDefault DESC, "
               "id", layer)
    return {name: ET.fromstring(qml_text.split("\n", 1)[1]) for name, qml_text in rows}


def rules(qml) -> list[dict]:
    """Label, filter, fill colour and hatch of every rule (the symbol's first and second fill layer)."""
    symbols = {s.get("name"): s for s in qml.iter("symbol")}
    out = []
    for rule in qml.iter("rule"):
        layers = symbols[rule.get("symbol")].findall("layer")
        colour = {o.get("name"): o.get("value") for o in layers[0].find("Option")}["color"]
        hatch = len(layers) == 2 and {o.get("name"): o.get("value") for o in layers[1].find("Option")}["style"]
        r, g, b, _ = (int(x) for x in colour.split(","))
        out.append({"label": rule.get("label"), "filter": rule.get("filter"), "fill": mcolors.to_hex((r / 255, g / 255, b / 255)),
                    "hatch": bool(hatch)})
    return out


def classify(qml, layer: pd.DataFrame) -> pd.Series:
    """The one rule label of each area (fails if an area matches no rule or two)."""
    rows = layer.astype(object).where(layer.notna(), None).to_dict("records")
    out = {}
    for row in rows:
        hit = [r["label"] for r in rules(qml) if matches(r["filter"], row)]
        assert len(hit) == 1, (row["gebiet_id"], hit)
        out[row["gebiet_id"]] = hit[0]
    return pd.Series(out)


def read_layer(gpkg, name):
    return pyogrio.read_dataframe(gpkg, layer=name, read_geometry=False)


def test_column_types(gpkg, dp):
    ind = column_types(gpkg, "indikatoren")
    assert {k: ind[k] for k in ("gebiet_id", "name", "Bezirksregion", "Prognoseraum", "Bezirk", "einwohner")} == {
        "gebiet_id": "TEXT", "name": "TEXT", "Bezirksregion": "TEXT", "Prognoseraum": "TEXT", "Bezirk": "TEXT",
        "einwohner": "INTEGER"}
    assert {ind[i] for i in dp.catalogue} == {"REAL"}
    si = column_types(gpkg, "sozialindex")
    assert (si["status_klasse"], si["dynamik_klasse"], si["status_dynamik"], si["bewertet"], si["status_score"]) == (
        "INTEGER", "INTEGER", "INTEGER", "BOOLEAN", "REAL")
    assert column_types(gpkg, "cluster")["typ"] == "INTEGER"
    rs = column_types(gpkg, "raeumliche_statistik")
    assert (rs["q"], rs["signifikant"], rs["cluster"]) == ("INTEGER", "BOOLEAN", "TEXT")
    assert {column_types(gpkg, "sensitivitaet")[f"wechsel_ohne_{i}"] for i in ("S1", "S3", "S4")} == {"BOOLEAN"}
    rows = sql(gpkg, 'SELECT gebiet_id, Bezirksregion, Bezirk FROM indikatoren ORDER BY fid LIMIT 1')
    assert rows == [("04100101", "041001", "04")]  # joins to the official keys keep their zeros
    assert sql(gpkg, "SELECT typeof(bewertet), bewertet FROM sozialindex WHERE gebiet_id = '04400725'") == [("integer", 0)]


def test_layers_keep_the_crs_and_the_report_areas(gpkg, dp):
    assert [name for name, _ in pyogrio.list_layers(gpkg)] == [*LAYERS, "layer_styles"]
    for name in LAYERS:
        layer = gpd.read_file(gpkg, layer=name)
        ids = list(dict.fromkeys(layer["gebiet_id"]))  # zeitreihe: one row per area and year
        assert layer.crs == dp.areas.crs and ids == list(dp.shown_ids), name


def test_layer_descriptions(gpkg):
    rows = {t: (ident, desc) for t, ident, desc in sql(gpkg, "SELECT table_name, identifier, description FROM gpkg_contents")}
    assert rows["indikatoren"][0] == "Indikatoren" and rows["cluster"][0] == "Gebietstypen"
    for name in LAYERS:
        text = rows[name][1]
        assert "Schlüssel gebiet_id (Text, Planungsraum-Nr." in text and "Berichtsjahr 2021" in text, name
        assert "Bezirk 04 Charlottenburg-Wilmersdorf" in text and "NULL" in text
    assert "übergeordnete Gebiete als Text: Bezirksregion, Prognoseraum, Bezirk" in rows["indikatoren"][1]


def test_one_default_style_per_layer_that_qgis_finds(gpkg):
    for name in LAYERS:
        geom = sql(gpkg, "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", name)[0][0]
        rows = sql(gpkg, "SELECT f_table_schema, f_geometry_column, useAsDefault, styleQML FROM layer_styles "
                   "WHERE f_table_name = ?", name)
        assert rows and [r[2] for r in rows].count(1) == 1, name
        assert {(r[0], r[1]) for r in rows} == {("", geom)}  # QGIS asks f_table_schema='' AND f_geometry_column
        for *_, qml_text in rows:
            qml = ET.fromstring(qml_text.split("\n", 1)[1])
            assert qml.tag == "qgis" and qml.find("renderer-v2").get("type") == "RuleRenderer"
    aliases = {a.get("field"): a.get("name") for a in next(iter(styles(gpkg, "indikatoren").values())).iter("alias")}
    assert aliases["S1"] == "Arbeitslosigkeit in %" and aliases["gebiet_id"] == "Planungsraum-Nr."


def style_of(found: dict, prefix: str):
    return next(qml for name, qml in found.items() if name.startswith(prefix))


def split(got: list[dict]) -> tuple[list[dict], list[dict]]:
    """Class rules and the rule for NULL."""
    return [r for r in got if "IS NULL" not in r["filter"]], [r for r in got if "IS NULL" in r["filter"]]


def test_indicator_styles_equal_the_report_map_legend(gpkg, dp):
    layer, compared = read_layer(gpkg, "indikatoren"), read_layer(gpkg, "vergleich")
    found, found_compared = styles(gpkg, "indikatoren"), styles(gpkg, "vergleich")
    assert list(found)[0] == list(found_compared)[0] == "S1 Arbeitslosigkeit"  # the first Schlüsselindikator
    assert len(found) == len(found_compared) == len(dp.catalogue)
    for ind in dp.catalogue:
        fig = atlas.indicator_map(dp, ind)  # the report's map
        qml = style_of(found, f"{ind} ")
        classes, null = split(rules(qml))
        n = len(fig.class_breaks)
        assert [(r["label"], r["fill"]) for r in classes] == [(e.label, e.fill) for e in legend(fig)[:n]], ind
        bounds = [Decimal(r["filter"].rsplit(" ", 1)[1]) for r in classes[:-1]]
        assert [float(b - Decimal("0.05")) for b in bounds] == fig.class_breaks[:-1], ind  # "bis 2,4" ⇔ < 2.45
        by_rule = classify(qml, layer[["gebiet_id", ind]])
        assert by_rule[fig.class_labels.index].tolist() == fig.class_labels.tolist(), ind  # the report's classes
        hidden = sorted(set(dp.shown_ids) - set(fig.class_labels.index))
        assert hidden and null[0]["hatch"] and null[0]["label"] == "geheim gehalten"
        assert (by_rule[hidden] == "geheim gehalten").all()
        again = classify(style_of(found_compared, f"{ind} "), compared[["gebiet_id", f"{ind}_wert"]])
        assert again.tolist() == by_rule.tolist(), ind


def test_class_styles_equal_the_report_map_legends(gpkg, dp, fitted):
    index, spatial, typology = fitted["index"], fitted["spatial"], fitted["typology"]
    parts = index.recipe_.parts()
    cases = [  # layer, style, the report's map, class per area, name of each class, legend entry of empty areas
        ("sozialindex", "Status-Index", atlas.index_map(dp, index, "status"), index.status_,
         {c.code: c.label for c in parts["status"].classification.classes}, "nicht bewertet"),
        ("sozialindex", "Dynamik-Index", atlas.index_map(dp, index, "dynamik"), index.dynamik_,
         {c.code: c.label for c in parts["dynamik"].classification.classes}, "nicht bewertet"),
        ("cluster", "Gebietstypen", atlas.typology_map(dp, typology), typology.labels_, typology.names_,
         "nicht bewertet"),
        ("raeumliche_statistik", "LISA-Cluster", atlas.lisa_map(dp, spatial),
         spatial.lisa_.set_index("gebiet_id")["cluster"], None, "keine Angabe")]
    for layer_name, style_name, fig, values, names, empty in cases:
        qml = styles(gpkg, layer_name)[style_name]
        classes, null = split(rules(qml))
        entries = legend(fig)
        assert [(r["label"], r["fill"]) for r in classes] == [(e.label, e.fill) for e in entries[:len(classes)]]
        assert entries[len(classes)].label == null[0]["label"] == empty  # the report's entry for empty areas
        by_rule = classify(qml, read_layer(gpkg, layer_name))
        for gid in dp.shown_ids:
            value = values.get(gid, np.nan)
            if pd.isna(value):
                assert by_rule[gid] == empty, (style_name, gid)
            else:
                name = value if names is None else names[value]
                assert by_rule[gid] == name or by_rule[gid].startswith((f"{name} (", f"{name}:")), \
                    (style_name, gid, by_rule[gid])
        assert by_rule["04400725"] == empty  # below 300 residents
    assert list(styles(gpkg, "sozialindex")) == ["Status-Index", "Dynamik-Index"]  # Status is the default


def test_score_layers_are_styled_like_the_report_score_map(gpkg, dp):
    layer = read_layer(gpkg, "faktorwerte").set_index("gebiet_id")
    fig = atlas.score_map(dp, layer["Faktor 1"], "Faktorwert, Faktor 1")
    got = rules(styles(gpkg, "faktorwerte")["Faktorwert, Faktor 1"])
    assert [r["fill"] for r in got] == [e.fill for e in legend(fig)][:len(got)]
    assert all(len(r["filter"].rsplit(" ", 1)[1].split(".")[1]) == 3 for r in got[:-1])  # two decimals + half


def test_rounding_edges_land_in_the_report_class():
    """Values exactly half a unit above a break: the report rounds half away from zero before classing."""
    values = [-1.35, -1.25, -1.2, 0.0, 1.15, 1.25, 2.45, 2.449, 3.0, 4.05]
    gdf = gpd.GeoDataFrame({"gebiet_id": [f"{i:02d}" for i in range(len(values))], "v": values},
                           geometry=[box(i, 0, i + 1, 1) for i in range(len(values))], crs=25833)
    for bins in ([-1.3, 1.2, 2.4], [-1.2, 1.1, 2.5]):
        fig = maps.choropleth(gdf, "v", bins=bins, decimals=1)
        style = choropleth_style(fig, "v", "v", "v")
        by_rule = {g: next(r.label for r in style.rules if matches(r.filter, {"v": v}))
                   for g, v in zip(gdf["gebiet_id"], values)}
        assert by_rule == fig.class_labels.to_dict(), bins


def test_without_datenpaket_layers_get_a_plain_style(tmp_path):
    areas = gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(0, 0, 1, 1)], crs=25832,
                             index=pd.Index(["01"], name="gebiet_id"))
    sp.publish.export.write_tables(tmp_path, t=pd.DataFrame({"klasse": pd.array([2], dtype="Int64")}, index=areas.index))
    sp.publish.export.write_workbooks(tmp_path, areas)
    gpkg = tmp_path / "ergebnisse.gpkg"
    assert column_types(gpkg, "t")["klasse"] == "INTEGER"
    (qml,) = styles(gpkg, "t").values()
    assert [r["filter"] for r in rules(qml)] == [""]
