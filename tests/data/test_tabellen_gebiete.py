"""Table-only mode (issue #13, item 8): a Kommune without a geodata file; its areas are the ids of the data table.

Real-shaped input: the MSS 2021 table as published (``PLR_ID``, ``PLR_NAME``, ``EW``, ``BEZ_ID``, −9999 for
missing values, no year column), with no geometry at all.
"""

from __future__ import annotations

import pytest

from sozialplanung.analysis.needs import findings
from sozialplanung.config.params import read_params
from sozialplanung.data.datenpaket import load_datenpaket
from sozialplanung.errors import SozialplanungError

from paramkit import table_only_kommune

@pytest.fixture(scope="module")
def dp(tmp_path_factory, shared_data):
    return load_datenpaket(table_only_kommune(tmp_path_factory.mktemp("tabelle"), shared_data))


def test_areas_come_from_the_table(dp):
    assert not dp.params.has_maps
    assert len(dp.areas) == 542 and dp.areas.crs is None and dp.areas.geometry.isna().all()
    assert dp.areas.at["01100101", "name"] == "Stülerstraße"  # from PLR_NAME, not the id
    assert dp.areas.at["01100101", "Bezirk"] == "01"  # parent ids keep their leading zero
    assert sorted(dp.parents["Bezirk"].index) == [f"{i:02d}" for i in range(1, 13)]
    assert len(dp.shown_ids) == 49
    assert "raeumliche_statistik" not in dp.params.analyses_run()  # no neighbours without outlines


def test_validate_reports_the_decision_and_no_error(dp):
    table = findings(dp)
    assert not table["Ergebnis"].eq("Fehler").any(), table[table["Ergebnis"] == "Fehler"]
    said = " ".join(table["Details"])
    assert "keine Geodatei (areas.file): 542 Gebiete der Ebene Planungsraum aus der Datentabelle" in said
    assert "KBS" not in said and "Geometrien" not in " ".join(table["Prüfung"])


def test_spatial_statistics_asked_for_without_geometry_is_a_finding(tmp_path, shared_data):
    path = table_only_kommune(tmp_path, shared_data)
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  cluster:", "  run: [sozialindex, raeumliche_statistik]\n  cluster:"), encoding="utf-8")
    table = findings(load_datenpaket(path))
    errors = table[table["Ergebnis"] == "Fehler"]
    assert len(errors) == 1 and "ohne Geodatei (areas.file) keine räumliche Statistik" in errors["Details"].iloc[0]


@pytest.mark.parametrize("areas, expected", [
    ("areas: {layer: planungsraeume, level: Planungsraum}", r"Ohne Gebietsdatei \(areas\.file\) gibt es keine Layer"),
    ("areas: {level: Planungsraum, parents: [{column: BEZ_ID, level: Bezirk, layer: bezirke}]}",
     r"Ohne Gebietsdatei \(areas\.file\) gibt es keine Layer"),
])
def test_layers_without_an_areas_file_are_refused_in_german(tmp_path, shared_data, areas, expected):
    path = table_only_kommune(tmp_path, shared_data)
    text = path.read_text(encoding="utf-8")
    start, end = text.index("areas:"), text.index("data:")
    path.write_text(text[:start] + areas + "\n" + text[end:], encoding="utf-8")
    with pytest.raises(SozialplanungError, match=expected):
        read_params(path)


def test_a_batch_needs_the_areas_file(tmp_path, shared_data):
    path = table_only_kommune(tmp_path, shared_data)
    path.write_text(path.read_text(encoding="utf-8").split("berichtsgebiet:")[0] + "batch: {level: Bezirk}\n",
                    encoding="utf-8")
    with pytest.raises(SozialplanungError, match="Ein Stapel braucht die Gebietsdatei"):
        read_params(path)
