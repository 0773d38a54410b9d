"""Recipes: reading and German error messages (the computation: tests/analysis/test_sozialindex.py)."""


import pytest
import yaml

import sozialplanung.config.recipes as rc
from sozialplanung.errors import SozialplanungError

from recipekit import REZEPTE, _recipe_dict, _write

# -- reading --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["mss", "sozialformel", "rang"])
def test_shipped_recipes_read(name):
    recipe = rc.read_recipe(REZEPTE / f"{name}.yaml")
    assert recipe.name == name and recipe.source
    assert rc.read_recipe(name).name == name  # bare names are looked up in params/rezepte/


def test_mss_recipe_states_indicators_per_year():
    r = rc.read_recipe("mss")
    assert [i.id for i in r.status.indicators_for(2017)] == ["S1", "S2", "S3", "S4"]
    assert [i.id for i in r.status.indicators_for(2021)] == ["S1", "S3", "S4"]
    assert [i.id for i in r.dynamik.indicators_for(2019)] == ["D1", "D3", "D4"]
    assert r.min_population == 300 and r.excluded_areas[0].gebiet_id == "10100205"
    assert [c.code for c in r.dynamik.classification.classes] == [1, 3, 5]


def test_error_names_file_dotted_field_and_line_in_german(tmp_path):
    data = yaml.safe_load((REZEPTE / "mss.yaml").read_text(encoding="utf-8"))
    data["status"]["standardization"]["ddof"] = "null Komma"
    path = _write(tmp_path, data)
    with pytest.raises(SozialplanungError) as err:
        rc.read_recipe(path)
    text = str(err.value)
    assert text.startswith(f"Datei {path}, Feld „status.standardization.ddof“, Zeile ")
    assert "Erwartet wird eine ganze Zahl" in text


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (lambda d: d["status"]["standardization"].pop("ddof"), "status.standardization", "ddof"),
        (lambda d: d["status"]["indicators"][1].update(polarity=2), "status.indicators.B.polarity", "Erlaubt sind: 1 oder -1"),
        (lambda d: d["status"].update(aggregaton="sum"), "status.aggregaton", "Unbekanntes Feld"),
        (lambda d: d["status"].pop("aggregation"), "status.aggregation", "Pflichtfeld fehlt"),
        (lambda d: d["status"]["classification"].update(cutoffs=[1, -1, 2]), "status.classification", "aufsteigen"),
        (lambda d: d["status"]["classification"]["classes"].pop(), "status.classification", "4 Klassen"),
        (lambda d: d.update(excluded_areas=[{"gebiet_id": 10100205, "reason": "x"}]),
         "excluded_areas.10100205.gebiet_id", "Anführungszeichen"),
    ],
)
def test_validation_errors(tmp_path, edit, field, message):
    data = _recipe_dict()
    edit(data)
    with pytest.raises(SozialplanungError, match=message) as err:
        rc.read_recipe(_write(tmp_path, data))
    assert err.value.field == field and err.value.file


def test_yaml_syntax_error_and_missing_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstatus: [unclosed\n", encoding="utf-8")
    with pytest.raises(SozialplanungError) as err:
        rc.read_recipe(bad)
    assert err.value.row is not None
    with pytest.raises(SozialplanungError, match="nicht gefunden"):
        rc.read_recipe(tmp_path / "fehlt.yaml")
