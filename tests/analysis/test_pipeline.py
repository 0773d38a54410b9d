"""Helpers of the notebooks (:mod:`sozialplanung.analysis.pipeline`)."""

from __future__ import annotations

from conftest import edit_yaml
from sozialplanung.analysis import pipeline
from sozialplanung.analysis.ergebnisse import Ergebnisse
from sozialplanung.data.datenpaket import load_datenpaket


def test_types_without_recipe_or_compare_column_are_crossed_with_nothing(mitte_params):
    """A Kommune made with ``sozialplanung neu`` has neither (recipe: null): notebook 05 must not stop there."""
    params = mitte_params
    edit_yaml(params, "recipe: ../rezepte/mss.yaml", "recipe: null")
    edit_yaml(params, "    compare_column: mss_status_amtlich", "    compare_column: null")
    dp = load_datenpaket(params)
    index = Ergebnisse(dp, None).optional("index")
    assert index is None
    assert pipeline.typology_crosstab(dp, typology=None, index=index) is None
