"""``vergleichsrezepte`` and ``vergleichsring`` in the params: short and long form, files checked, German errors."""

import pytest

from conftest import PARAMS, edit_yaml
from sozialplanung.config.params import read_params
from sozialplanung.config.vergleich import ComparisonRecipe, VergleichsringSpec
from sozialplanung.errors import SozialplanungError


def test_bare_name_and_long_form():
    assert ComparisonRecipe.model_validate("gisd").recipe == "gisd"
    long = ComparisonRecipe.model_validate({"recipe": "../rezepte/gisd.yaml",
                                            "published": {"file": "x.csv", "score": "s"}})
    assert long.name == "gisd" and long.published.id == "gebiet_id"
    with pytest.raises(ValueError):
        VergleichsringSpec.model_validate({"kreise": "k.yaml", "members": ["07232"]})  # a ring of one


def test_shipped_params_read():
    kreise = read_params(PARAMS / "deutschland" / "kreise.yaml")
    assert [c.name for c in kreise.vergleichsrezepte] == ["gisd"]
    assert kreise.vergleichsrezepte[0].published.score == "gisd_score"
    assert kreise.vergleichsring.kreis is None
    assert read_params(PARAMS / "eifelkreis" / "bitburg-pruem.yaml").vergleichsring.kreis == "07232"


def test_missing_files_name_the_field(tmp_path):
    import shutil

    shutil.copytree(PARAMS / "deutschland", tmp_path / "params" / "deutschland")
    shutil.copytree(PARAMS / "rezepte", tmp_path / "params" / "rezepte")
    path = tmp_path / "params" / "deutschland" / "kreise.yaml"
    edit_yaml(path, "paket:kreise/gisd_2021_kreise.csv", "fehlt.csv")
    edit_yaml(path, "  kreise: kreise.yaml", "  kreise: keine.yaml")
    with pytest.raises(SozialplanungError) as err:
        read_params(path)
    text = str(err.value)
    assert "vergleichsrezepte.0.published.file" in text and "fehlt.csv" in text
    assert "vergleichsring.kreise" in text and "keine.yaml" in text
