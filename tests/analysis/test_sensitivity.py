"""Sensitivity of the MSS status classes on Berlin 2021: fast, seeded, consistent with refitting."""


import numpy as np
import pandas as pd
import pytest

import sozialplanung.config.recipes as rc
from sozialplanung.analysis.sozialindex import SozialIndex
from sozialplanung.analysis.sensitivity import Sensitivity


@pytest.fixture(scope="module")
def berlin(shared_data):
    path = shared_data / "berlin_mss" / "mss_2021" / "mss_2021_index_indikatoren.csv"
    return pd.read_csv(path, dtype={"PLR_ID": str, "BEZ_ID": str}, na_values=[-9999]).set_index("PLR_ID")


def test_1000_draws_on_536_areas_reproducible(berlin):
    """Speed is measured in benchmarks/bench_analyses.py, not here (a timed test fails under load)."""
    a = Sensitivity("mss", n_draws=1000, perturbation=0.2, random_state=11).fit(berlin, einwohner="EW", year=2021)
    out = a.to_frame()
    assert list(out.columns[:3]) == ["gebiet_id", "anteil_wechsel_weglassen", "anteil_wechsel_gewichte"]
    assert {"wechsel_ohne_S1", "wechsel_ohne_S3", "wechsel_ohne_S4"} <= set(out.columns)
    rated = out.dropna(subset=["anteil_wechsel_gewichte"])
    assert len(rated) == 536 and len(out) == 542
    assert rated["anteil_wechsel_gewichte"].between(0, 1).all()
    assert set(np.round(rated["anteil_wechsel_weglassen"] * 3, 9)) <= {0, 1, 2, 3}  # one run per indicator
    assert a.weight_draws_.shape == (3, 1000)
    assert (np.abs(a.weight_draws_ - 1) <= 0.2).all()
    b = Sensitivity("mss", n_draws=1000, perturbation=0.2, random_state=11).fit(berlin, einwohner="EW", year=2021)
    pd.testing.assert_frame_equal(out, b.to_frame())
    c = Sensitivity("mss", n_draws=1000, perturbation=0.2, random_state=12).fit(berlin, einwohner="EW", year=2021)
    assert not np.array_equal(a.weight_draws_, c.weight_draws_)
    assert "Sensitivität" in repr(a)


def test_leave_out_equals_refitting_without_the_indicator(berlin):
    sens = Sensitivity("mss", n_draws=10, random_state=0).fit(berlin, einwohner="EW", year=2021)
    base = sens.index_.status_.dropna()
    recipe = rc.read_recipe("mss")
    for ind in ("S1", "S3", "S4"):
        reduced = recipe.model_copy(deep=True)
        reduced.status.indicators = [i for i in reduced.status.indicators if i.id != ind]
        refit = SozialIndex(reduced).fit(berlin, einwohner="EW", year=2021).status_.dropna()
        expected = (refit != base).loc[sens.leave_out_.index]
        assert sens.leave_out_[ind].tolist() == expected.tolist()
    assert (sens.base_classes_.to_numpy() == base.loc[sens.base_classes_.index].to_numpy()).all()


def test_one_weight_draw_equals_refitting_with_those_weights(berlin):
    sens = Sensitivity("mss", n_draws=1, random_state=3).fit(berlin, einwohner="EW", year=2021)
    recipe = rc.read_recipe("mss").model_copy(deep=True)
    used = [i for i in recipe.status.indicators if i.id in ("S1", "S3", "S4")]
    for ind, w in zip(used, sens.weight_draws_[:, 0]):
        ind.weight = float(w)
    refit = SozialIndex(recipe).fit(berlin, einwohner="EW", year=2021).status_.dropna()
    changed = refit != sens.index_.status_.dropna()
    assert sens.share_weights_.tolist() == changed.loc[sens.share_weights_.index].astype(float).tolist()


def test_no_perturbation_changes_nothing(berlin):
    sens = Sensitivity("mss", n_draws=50, perturbation=0.0).fit(berlin, einwohner="EW", year=2021)
    assert (sens.share_weights_ == 0).all()


def test_dynamik_part_and_bad_parameters(berlin):
    sens = Sensitivity("mss", part="dynamik", n_draws=20).fit(berlin, einwohner="EW", year=2021)
    assert list(sens.leave_out_.columns) == ["D1", "D3", "D4"]
    with pytest.raises(ValueError, match="perturbation"):
        Sensitivity("mss", perturbation=1.5).fit(berlin, einwohner="EW", year=2021)
    with pytest.raises(ValueError, match="keinen Teil"):
        Sensitivity("mss", part="bildung").fit(berlin, einwohner="EW", year=2021)


def test_a_fitted_index_is_used_and_not_refitted(berlin, monkeypatch):
    """Sensitivity(index).fit() starts from the given index; it fails if the sensitivity fits an index itself."""
    index = SozialIndex("mss").fit(berlin, einwohner="EW", year=2021)
    expected = Sensitivity("mss", n_draws=200, random_state=5).fit(berlin, einwohner="EW", year=2021).to_frame()

    def refit(*args, **kwargs):
        raise AssertionError("Sensitivity hat den Sozialindex neu berechnet")

    monkeypatch.setattr(SozialIndex, "fit", refit)
    sens = Sensitivity(index, n_draws=200, random_state=5).fit()
    assert sens.index_ is index
    pd.testing.assert_frame_equal(sens.to_frame(), expected)
    with pytest.raises(ValueError, match="nicht mit neuen Daten"):
        Sensitivity(index).fit(berlin)


def test_the_report_sensitivity_reuses_the_report_index(monkeypatch):
    """Ergebnisse: the sensitivity starts from the saved/fitted report index (one SozialIndex fit per report)."""
    from sozialplanung.analysis.ergebnisse import Ergebnisse
    from sozialplanung.data.datenpaket import load_datenpaket
    from sozialplanung.config.params import find_params

    ergebnisse = Ergebnisse(load_datenpaket(find_params("deutschland/kreise.yaml")))
    index = ergebnisse.get("index")
    monkeypatch.setattr(SozialIndex, "fit", lambda *a, **k: pytest.fail("zweite Sozialindex-Berechnung"))
    assert ergebnisse.get("sensitivity").index_ is index


def test_pca_recipe_perturbs_the_principal_component_weights():
    """With ``weighting: pca`` the draws scatter around the PCA weights, not around the (unused) weight 1."""
    from sozialplanung.data.datenpaket import load_datenpaket
    from sozialplanung.config.params import find_params

    index = SozialIndex("gisd").fit(load_datenpaket(find_params("deutschland/kreise.yaml")), year=2021)
    w = index.weights_["status"]["weight"].to_numpy()
    assert not np.allclose(w, 1)
    sens = Sensitivity(index, n_draws=100, perturbation=0.1, random_state=0).fit()
    ratio = sens.weight_draws_ / w[:, None]
    assert (np.abs(ratio - 1) <= 0.1 + 1e-12).all() and ratio.std() > 0.01
    unchanged = Sensitivity(index, n_draws=5, perturbation=0.0).fit()
    assert (unchanged.share_weights_ == 0).all()
    assert (unchanged.base_classes_ == index.status_.loc[unchanged.base_classes_.index].astype(int)).all()
