"""The recipe prose states the weights the index actually used (fixed, or principal components for ``pca``)."""

import pytest

from sozialplanung.config.params import find_params
from sozialplanung.analysis.sozialindex import SozialIndex
from sozialplanung.data.datenpaket import load_datenpaket
from sozialplanung.formatting import fmt_number
from sozialplanung.report.recipe_text import describe_index


@pytest.fixture(scope="module")
def kreise():
    return load_datenpaket(find_params("deutschland/kreise.yaml"))


def test_pca_recipe_names_its_component_weights(kreise):
    index = SozialIndex("gisd").fit(kreise, year=2021)
    text = "\n".join(describe_index(index))
    assert "gleichem Gewicht" not in text and "Hauptkomponente" in text
    w = index.weights_["status"]
    for dim in ("Arbeitswelt", "Einkommen", "Bildung"):
        assert f"\n{dim}: " in text
    # each weight and loading as the index holds it, German formatted
    assert f"arbeitslosenanteil {fmt_number(w.at['arbeitslosenanteil', 'weight'], 3)} " \
           f"(Ladung {fmt_number(w.at['arbeitslosenanteil', 'loading'], 2)})" in text
    assert f"beschaeftigte_ohne_berufsabschluss {fmt_number(w.at['beschaeftigte_ohne_berufsabschluss', 'weight'], 3)}" in text
    assert "gewichtet summiert" in text and "auf den Bereich 0 bis 1 normiert" in text


def test_fixed_equal_weights_stay_equal(kreise):
    text = "\n".join(describe_index(SozialIndex("kreise_sozialformel").fit(kreise, year=2021)))
    assert "Hauptkomponente" not in text
    assert "gleichem Gewicht" in text or "Gewichte: " in text
