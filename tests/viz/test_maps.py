"""Maps: German class legends with counts, suppressed areas, alt text, scale bar, offline; written as SVG."""

import re
import socket
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import sozialplanung.viz.maps as maps
from sozialplanung.viz import palettes
from sozialplanung.errors import SozialplanungError, SozialplanungWarning


def grid(n_x=5, n_y=4, size=1000.0, crs=25833):
    """n_x × n_y square areas of ``size`` metres, ids "01".."20", values 1..20."""
    geoms, ids = [], []
    for j in range(n_y):
        for i in range(n_x):
            geoms.append(box(i * size, j * size, (i + 1) * size, (j + 1) * size))
            ids.append(f"{len(ids) + 1:02d}")
    return gpd.GeoDataFrame({"gebiet_id": ids, "wert": np.arange(1.0, len(ids) + 1)}, geometry=geoms, crs=crs)


NS = "{http://www.w3.org/2000/svg}"


def tree(fig):
    return ET.fromstring(fig.svg)  # well-formed XML


def legend_texts(fig):
    texts = [e.label for e in fig.legend_entries]
    assert all(t in all_texts(fig) for t in texts)  # the legend in the SVG says the same
    return texts


def all_texts(fig):
    return ["\n".join(t.itertext()) if len(t) else t.text for t in tree(fig).iter(NS + "text")]


def titles(fig):
    """``<title>`` of every area path: id → text."""
    return {t.text.split(" ")[0].split(":")[0]: t.text for t in tree(fig).iter(NS + "title")}


def hatched(fig):
    return [p for p in tree(fig).iter(NS + "path") if p.get("fill") == "url(#sp-schraffur)"]


def extent_x(fig, ids):
    """Largest x (pt) of the paths of the areas ``ids`` (relative moves summed up)."""
    out = 0.0
    for p in tree(fig).iter(NS + "path"):
        title = p.find(NS + "title")
        if title is None or title.text.split(" ")[0].split(":")[0] not in ids:
            continue
        for ring in re.findall(r"M(-?\d+) (-?\d+)l([^Mz]*)", p.get("d")):
            x, moves = int(ring[0]), [int(v) for v in re.findall(r"-?\d+", ring[2])]
            xs = x + __import__("numpy").cumsum(moves[0::2])
            out = max(out, x, *xs.tolist()) / 10
    return out


def area_labels(fig):
    return [t for t in all_texts(fig) if len(t) == 2 and t.isdigit()]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("Netzwerkzugriff beim Zeichnen einer Karte")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_legend_has_german_breaks_and_counts():
    fig = maps.choropleth(grid(), "wert", bins=[5.5, 10.25], unit="%", legend_title="Anteil")
    assert legend_texts(fig) == ["bis 5,5 (5)", "über 5,5 bis 10,3 (5)", "über 10,3 bis 20,0 (10)"]
    assert fig.legend_title == "Anteil in %" and "Anteil in %" in all_texts(fig)
    assert fig.class_breaks == [5.5, 10.3, 20.0]


def test_rounded_value_stays_in_the_class_its_label_shows():
    gdf = grid(2, 1)
    gdf["wert"] = [4.24, 4.26]  # shown as 4,2 and 4,3
    fig = maps.choropleth(gdf, "wert", bins=[4.2])
    assert fig.class_labels.to_dict() == {"01": "bis 4,2", "02": "über 4,2 bis 4,3"}


def test_quantile_counts_sum_and_missing_entry():
    gdf = grid()
    gdf.loc[[0, 7], "wert"] = np.nan
    fig = maps.choropleth(gdf, "wert", scheme="quantiles", k=4, title="Test")
    texts = legend_texts(fig)
    counts = [int(t.rsplit("(", 1)[1].rstrip(")")) for t in texts]
    assert texts[-1] == "keine Angabe (2)"
    assert sum(counts) == 20 and len(texts) == 5
    assert "2 Gebiete ohne Angabe" in fig.alt_text


@pytest.mark.parametrize("scheme", sorted(maps.SCHEMES))
def test_every_scheme_runs(scheme):
    fig = maps.choropleth(grid(), "wert", scheme=scheme, k=3)
    labels = fig.class_labels
    assert labels.notna().all() and len(labels) == 20
    assert legend_texts(fig)[0].startswith("bis ")


def test_unknown_scheme():
    with pytest.raises(SozialplanungError, match="Unbekanntes Klassifikationsverfahren"):
        maps.choropleth(grid(), "wert", scheme="jenks")


def test_suppressed_areas_are_hatched_not_classed():
    fig = maps.choropleth(grid(), "wert", k=3, suppressed=["03", "04"], suppressed_label="geheim gehalten")
    assert "03" not in fig.class_labels.index and len(fig.class_labels) == 18
    assert "geheim gehalten (2)" in legend_texts(fig)
    assert len(hatched(fig)) == 2 and '<pattern id="sp-schraffur"' in fig.svg
    assert titles(fig)["03"] == "03: geheim gehalten" and "3,0" not in titles(fig)["03"]  # never the value
    # the suppressed value 3 or 4 did not influence the breaks: computed over 18 areas
    assert sum(int(t.rsplit("(", 1)[1].rstrip(")")) for t in legend_texts(fig)[:-1]) == 18


def test_alt_text_and_scale_bar():
    fig = maps.choropleth(grid(), "wert", k=2, title="Arbeitslosigkeit", unit="%")
    assert fig.alt_text.startswith("Karte: Arbeitslosigkeit. 20 Gebiete in 2 Klassen")
    assert "bis 10,5 (10 Gebiete)" in fig.alt_text
    assert any(t.endswith(" km") for t in all_texts(fig))
    assert "Maßstabsleiste: 1 km" in fig.alt_text


def test_polarity_reverses_colours():
    up = maps.choropleth(grid(), "wert", k=3)
    down = maps.choropleth(grid(), "wert", k=3, polarity=-1)
    handles_up = [e.fill for e in up.legend_entries]
    handles_down = [e.fill for e in down.legend_entries]
    assert handles_up == handles_down[::-1]
    assert "niedrigere Werte" in down.alt_text
    with pytest.raises(SozialplanungError, match="polarity"):
        maps.choropleth(grid(), "wert", polarity=2)


def test_highlight_context_and_breaks_from_report_areas():
    fig = maps.choropleth(grid(), "wert", k=2, highlight=["01", "02", "03", "04"])
    assert legend_texts(fig) == ["bis 2,5 (2)", "über 2,5 bis 4,0 (2)", "übrige Gebiete"]
    assert "Übrige Gebiete grau" in fig.alt_text
    full = maps.choropleth(grid(), "wert", k=2)
    assert extent_x(fig, {"04"}) > 1.2 * extent_x(full, {"04"})  # zoomed to the report areas
    assert set(titles(fig)) == {"01", "02", "03", "04"}  # context areas: grey, without titles


def test_series_input_and_parents():
    gdf = grid().set_index("gebiet_id")
    values = pd.Series(np.arange(20.0), index=gdf.index, name="Index")
    parents = gpd.GeoDataFrame(geometry=[box(0, 0, 2500, 4000), box(2500, 0, 5000, 4000)], crs=25833)
    fig = maps.choropleth(gdf.drop(columns="wert"), values, k=2, parents=parents)
    assert fig.legend_title == "Index" and 'stroke="#333333"' in fig.svg.replace(palettes.PARENT, "#333333")
    assert "Übergeordnete Gebiete als Linien" in fig.alt_text


def test_labels_only_for_few_areas_unless_asked():
    big = grid(10, 7)  # 70 areas
    assert area_labels(maps.choropleth(big, "wert", label_column="gebiet_id")) == []
    assert len(area_labels(maps.choropleth(big, "wert", label_column="gebiet_id", show_labels=True))) == 70
    assert len(area_labels(maps.choropleth(grid(), "wert", label_column="gebiet_id"))) == 20
    assert area_labels(maps.choropleth(grid(), "wert", label_column="gebiet_id", show_labels=False)) == []


def test_geographic_crs_is_projected_for_the_scale_bar():
    gdf = grid().to_crs(4326)
    fig = maps.choropleth(gdf, "wert", k=2)
    assert any(t.endswith(" km") for t in all_texts(fig))


def test_no_crs_warns_and_skips_scale_bar():
    gdf = grid().set_crs(None, allow_override=True)
    with pytest.warns(SozialplanungWarning, match="Maßstabsleiste"):
        fig = maps.choropleth(gdf, "wert", k=2)
    assert not any(t.endswith(" km") for t in all_texts(fig))


def test_attribution_under_map():
    fig = maps.choropleth(grid(), "wert", attribution="Quelle: Amt für Statistik (CC BY 3.0 DE)")
    assert "Quelle: Amt für Statistik (CC BY 3.0 DE)" in all_texts(fig)


def test_class_map_legend_and_errors():
    gdf = grid()
    gdf["typ"] = [1, 2, 3, 4] * 4 + [1, 1, np.nan, 2]
    labels = {1: "hoch", 2: "mittel", 3: "niedrig", 4: "sehr niedrig"}
    fig = maps.class_map(gdf, "typ", labels, suppressed=["20"], title="Status-Index")
    assert legend_texts(fig) == ["hoch (6)", "mittel (4)", "niedrig (4)", "sehr niedrig (4)",
                                 "keine Angabe (1)", "nicht bewertet (1)"]
    assert fig.alt_text.startswith("Karte: Status-Index. 20 Gebiete: hoch (6 Gebiete)")
    with pytest.raises(SozialplanungError, match="Werte ohne Beschriftung: 4"):
        maps.class_map(gdf, "typ", {1: "a", 2: "b", 3: "c"})


def test_marked_areas_keep_their_fill_and_get_the_overlay():
    """An interpolated area (the Statuswechsel map): its class fill stays, a dotted path on top, a legend entry with
    the count, the mark in its title and the alt text; a hatched area can be marked too. Mark ≠ hatch."""
    gdf = grid()
    gdf["wechsel"] = ["günstiger", "unverändert", "ungünstiger"] * 6 + ["unverändert", None]
    labels = {k: k for k in palettes.CHANGE_DIRECTION}
    fig = maps.class_map(gdf, "wechsel", labels, palettes.CHANGE_DIRECTION, suppressed=["20"],
                         marked=["01", "03", "20"], marked_label="Werte übertragen", title="Statuswechsel")
    plain = maps.class_map(gdf, "wechsel", labels, palettes.CHANGE_DIRECTION, suppressed=["20"])
    assert fig.fills == plain.fills and fig.fills["01"] == palettes.BETTER and fig.fills["03"] == palettes.WORSE
    paths = list(tree(fig).iter(NS + "path"))
    overlays = [p for p in paths if p.get("fill") == "url(#sp-markierung)"]
    assert len(overlays) == 3 and all(p.find(NS + "title") is None and p.get("pointer-events") == "none"
                                      for p in overlays)
    for area in ("01", "03"):  # the overlay follows its area's path, which keeps its class colour
        own = next(i for i, p in enumerate(paths) if p.find(NS + "title") is not None
                   and p.find(NS + "title").text.startswith(area + ":"))
        assert paths[own].get("fill") == fig.fills[area] and paths[own + 1].get("fill") == "url(#sp-markierung)"
        assert paths[own + 1].get("d") == paths[own].get("d")
    assert len(hatched(fig)) == 1 and '<pattern id="sp-markierung"' in fig.svg and '<pattern id="sp-schraffur"' in fig.svg
    assert '<pattern id="sp-markierung"' not in plain.svg
    entry = fig.legend_entries[-1]
    assert entry.label == "Werte übertragen (3)" and entry.mark and not entry.hatch
    assert legend_texts(fig)[:3] == ["günstiger (6)", "unverändert (7)", "ungünstiger (6)"]
    assert titles(fig)["01"] == "01: günstiger; Werte übertragen" and titles(fig)["02"] == "02: unverändert"
    assert titles(fig)["20"] == "20: nicht bewertet; Werte übertragen"
    assert "3 Gebiete zusätzlich gepunktet: Werte übertragen." in fig.alt_text
    assert "gepunktet" not in plain.alt_text and [e.label for e in plain.legend_entries][-1] == "nicht bewertet (1)"
    detailed = maps.class_map(gdf, "wechsel", labels, palettes.CHANGE_DIRECTION, suppressed=["20"], marked=["01"],
                              marked_label="Werte übertragen", details={"01": "mittel → hoch", "20": "hoch → x"})
    assert titles(detailed)["01"] == "01: günstiger (mittel → hoch); Werte übertragen"
    assert titles(detailed)["20"] == "20: nicht bewertet"  # never a detail of a suppressed area


def test_locator_map():
    fig = maps.locator_map(grid(), "07", area_name="Altstadt", kommune="Musterstadt")
    assert fig.alt_text.startswith("Lagekarte: Gebiet 07 Altstadt")
    with pytest.raises(SozialplanungError, match="nicht in der Geometrie"):
        maps.locator_map(grid(), "99")


def test_duplicate_ids_rejected():
    gdf = grid()
    gdf.loc[1, "gebiet_id"] = "01"
    with pytest.raises(SozialplanungError, match="nicht eindeutig"):
        maps.choropleth(gdf, "wert")


def test_palettes_are_exposed():
    assert len(maps.CATEGORICAL_COLORS) == 8 and maps.OKABE_ITO["orange"] == "#E69F00"
    assert maps.SEQUENTIAL_CMAP == "YlGnBu"


def test_berlin_status_index_counts(shared_data):
    mss = shared_data / "berlin_mss"
    plr = gpd.read_file(mss / "geometry_lor2021_plr").set_index("PLR_ID")
    si = pd.read_csv(mss / "mss_2021" / "mss_2021_indizes.csv", dtype={"PLR_ID": str}).set_index("PLR_ID")["SI_N"]
    si = si.where(si != -9999)
    fig = maps.class_map(plr, si, {1: "hoch", 2: "mittel", 3: "niedrig", 4: "sehr niedrig"},
                         parents=plr.dissolve(by=plr.index.str[:2]))
    assert legend_texts(fig) == ["hoch (75)", "mittel (366)", "niedrig (46)", "sehr niedrig (49)", "keine Angabe (6)"]
    assert "10 km" in all_texts(fig)


# ----------------------------------------------------------------------------- captions from the drawing
def drawn_area_labels(fig):
    return [t.text for g in tree(fig).iter(NS + "g") if g.get("class") == "gebietsbeschriftung"
            for t in g.iter(NS + "text")]


def test_caption_notes_follow_what_is_drawn():
    gdf = grid().assign(nr=[f"N{i}" for i in range(20)])
    drawn = maps.choropleth(gdf, "wert", label_column="nr", label_meaning="Nummer des Gebiets")
    assert len(drawn_area_labels(drawn)) == 20
    assert drawn.caption_notes == ["Beschriftung der Flächen: Nummer des Gebiets."]
    assert "Beschriftung der Flächen: Nummer des Gebiets." in drawn.alt_text
    hidden = maps.choropleth(gdf, "wert", label_column="nr", label_meaning="Nummer des Gebiets", show_labels=False)
    assert drawn_area_labels(hidden) == [] and hidden.caption_notes == []
    parents = gpd.GeoDataFrame(geometry=[box(0, 0, 5000, 4000)], crs=25833)
    outlined = maps.class_map(gdf, "wert", {float(v): str(v) for v in range(1, 21)}, parents=parents,
                              parents_label="Grenzen der Bezirke")
    assert outlined.caption_notes == ["Dunkle Linien: Grenzen der Bezirke."]


@pytest.fixture(scope="module")
def mitte():
    from sozialplanung.data.datenpaket import load_datenpaket
    from sozialplanung.config.params import find_params

    return load_datenpaket(find_params("berlin/mitte.yaml"))


@pytest.mark.parametrize("show", [None, False])
def test_report_caption_promises_area_numbers_only_where_drawn(mitte, show):
    """The issue: „Zahlen in den Flächen = letzte drei Stellen der Gebietsnummer“ under maps without numbers."""
    from sozialplanung.viz import atlas
    from sozialplanung.report import page

    dp = mitte
    html = str(page.figure({}, "karte-S1", lambda: atlas.indicator_map(dp, "S1", show_labels=show),
                             "Karte: Arbeitslosigkeit in %; Klassengrenzen in der Legende. ", "Quelle: MSS.", "karte"))
    fig = atlas.indicator_map(dp, "S1", show_labels=show)
    numbers = drawn_area_labels(fig)
    promised = "Beschriftung der Flächen: letzte drei Stellen der Gebietsnummer." in html
    assert promised == bool(numbers) == (show is None)  # Mitte has 49 areas: numbered by default
    if numbers:
        assert sorted(numbers) == sorted(g[-3:] for g in dp.shown_ids)
    assert "Dunkle Linien: Grenzen der Bezirksregionen." in html  # the outline level of Mitte
    assert "Zahlen in den Flächen" not in html


def test_report_caption_of_a_large_map_has_no_area_numbers():
    from sozialplanung.viz import atlas
    from sozialplanung.report import page
    from sozialplanung.data.datenpaket import load_datenpaket
    from sozialplanung.config.params import find_params

    dp = load_datenpaket(find_params("berlin/berlin.yaml"))
    assert len(dp.shown_ids) > 60
    results = {}
    html = str(page.figure(results, "karte-S1", lambda: atlas.indicator_map(dp, "S1"), "Karte: S1. "))
    assert "Beschriftung der Flächen" not in html
    # the same figure key again (e.g. the Indikatorenblatt) carries the same notes
    again = str(page.figure(results, "karte-S1", lambda: pytest.fail("drawn twice"), "Karte. "))
    assert ("Dunkle Linien" in html) == ("Dunkle Linien" in again)


def test_steckbrief_locators_share_one_base(mitte):
    from sozialplanung.viz import atlas

    locators = atlas.SteckbriefLocators(mitte)
    ids = sorted(mitte.shown_ids)[:3]
    maps_ = [locators(g) for g in ids]
    assert len(locators._bases) == 1  # the Bezirk's outline written once, reused
    for gid, m in zip(ids, maps_):
        assert list(titles(m)) == [gid] and m.alt_text.startswith(f"Lagekarte: Gebiet {gid} ")
    shared = lambda m: m.svg[:m.svg.index(f'fill="{palettes.CONTEXT}"')]  # noqa: E731 (the grey base)
    assert shared(maps_[0]) == shared(maps_[1])


def test_outline_rule_is_one_function(mitte):
    from sozialplanung.viz import atlas

    assert atlas.outline_level(mitte) == "Bezirksregion"  # 10 parts
    assert atlas.outline_level(mitte, mitte.shown_ids[:1]) is None  # one area: nothing to outline
