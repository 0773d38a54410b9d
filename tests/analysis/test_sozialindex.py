"""The SozialIndex after a recipe: fit, to_frame, German description, editing the YAML, invariance properties."""

import copy

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as hst

import sozialplanung.config.recipes as rc
from sozialplanung.analysis.classify import RULES
from sozialplanung.analysis.sozialindex import SozialIndex
from sozialplanung.analysis.standardize import METHODS
from sozialplanung.errors import SozialplanungError
from sozialplanung.report.recipe_text import describe_index

from recipekit import REZEPTE, _recipe_dict, _write

COLUMNS = ["gebiet_id", "status_score", "status_klasse", "status_label", "dynamik_score", "dynamik_klasse",
           "dynamik_label", "status_dynamik", "status_dynamik_label", "bewertet"]


def _frame(n=40, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = [f"{i:08d}" for i in range(n)]
    return pd.DataFrame(rng.gamma(2, 3, size=(n, 3)), columns=list("ABC"), index=pd.Index(ids, name="gebiet_id"))


def test_recipe_step_names_are_the_estimators_names():
    """config.recipes may not import analysis, so it lists the names; they must be exactly the estimators'."""
    assert set(rc.STANDARDIZATION_METHODS) == set(METHODS)
    assert set(rc.CLASS_RULES) == set(RULES)


# -- the SozialIndex object --------------------------------------------------------------------
def test_fit_to_frame_repr_and_describe():
    frame = _frame()
    index = SozialIndex(rc.Recipe.model_validate(_recipe_dict())).fit(frame)
    out = index.to_frame()
    assert list(out.columns) == COLUMNS and out["bewertet"].all()
    assert out["gebiet_id"].tolist() == frame.index.tolist()
    assert out["dynamik_klasse"].isna().all()
    assert "Status-Index" in repr(index) and "Anzahl" in repr(index)
    text = " ".join(describe_index(index))
    assert "ddof = 0" in text and "erneut z-standardisiert" in text and "z-standardisiert" in text
    assert "−1 ≤ x ≤ 1" in text


def test_fit_reproduces_an_independent_computation():
    frame = _frame()
    z = (frame - frame.mean()) / frame.std(ddof=0)
    s = z.sum(axis=1)
    expected = (s - s.mean()) / s.std(ddof=0)
    index = SozialIndex(rc.Recipe.model_validate(_recipe_dict())).fit(frame)
    np.testing.assert_allclose(index.status_score_, expected, atol=1e-9)
    exp_cls = np.select([expected < -1, expected <= 1, expected <= 1.5], [1, 2, 3], 4)
    assert index.status_.tolist() == exp_cls.tolist()


def test_not_rated_areas_take_no_part_in_standardisation():
    frame = _frame()
    base = SozialIndex(rc.Recipe.model_validate(_recipe_dict(min_population=300))).fit(frame, einwohner=pd.Series(1000, index=frame.index))
    extra = pd.concat([frame, pd.DataFrame({"A": [1e6], "B": [1e6], "C": [np.nan]}, index=["99999999"]),
                       pd.DataFrame({"A": [1e6], "B": [1e6], "C": [1e6]}, index=["99999998"])])
    pop = pd.Series(1000, index=extra.index)
    pop["99999998"] = 299  # below the minimum
    data = _recipe_dict(min_population=300, excluded_areas=[{"gebiet_id": frame.index[0], "reason": "Ausreißer"}])
    index = SozialIndex(rc.Recipe.model_validate(data)).fit(extra, einwohner=pop)
    assert set(index.not_rated_) == {"99999999", "99999998", frame.index[0]}
    assert index.not_rated_reasons_["99999998"] == "weniger als 300 Einwohner"
    assert index.not_rated_reasons_["99999999"] == "fehlender Indikatorwert"
    # dropping area 0 changes the reference: compare with an independent fit on the remaining areas
    ref = SozialIndex(rc.Recipe.model_validate(_recipe_dict())).fit(frame.iloc[1:])
    np.testing.assert_allclose(index.status_score_.loc[frame.index[1:]], ref.status_score_, atol=1e-12)
    assert index.status_score_.loc[list(index.not_rated_)].isna().all()
    assert (index.to_frame()["bewertet"] == ~index.to_frame()["gebiet_id"].isin(index.not_rated_)).all()
    assert base.not_rated_.empty
    assert "Ausreißer" in " ".join(describe_index(index))


def test_user_errors_in_fit():
    frame = _frame()
    with pytest.raises(SozialplanungError, match="Spalte „C“ fehlt"):
        SozialIndex(rc.Recipe.model_validate(_recipe_dict())).fit(frame.drop(columns="C"))
    with pytest.raises(SozialplanungError, match="Einwohner"):
        SozialIndex(rc.Recipe.model_validate(_recipe_dict(min_population=300))).fit(frame)
    with pytest.raises(SozialplanungError, match="Berichtsjahre"):
        SozialIndex("mss").fit(frame)
    with pytest.raises(SozialplanungError, match="noch nicht berechnet"):
        SozialIndex("mss").to_frame()


# -- editing the YAML changes the result -------------------------------------------------------------
def test_editing_ddof_in_the_yaml_changes_scores_and_classes(tmp_path):
    frame = _frame(n=6, seed=1)
    a = SozialIndex(rc.read_recipe(_write(tmp_path, _recipe_dict(), "a.yaml"))).fit(frame)
    data = _recipe_dict()
    data["status"]["restandardization"]["ddof"] = 1
    b = SozialIndex(rc.read_recipe(_write(tmp_path, data, "b.yaml"))).fit(frame)
    n = len(frame)  # z with ddof 1 = z with ddof 0 · √((n − 1) / n)
    np.testing.assert_allclose(b.status_score_, a.status_score_ * np.sqrt((n - 1) / n), atol=1e-9)
    assert (a.status_ != b.status_).any()
    assert "ddof = 1 (Division durch n − 1)" in " ".join(describe_index(b))


def test_editing_a_cutoff_in_the_mss_yaml_changes_classes(tmp_path):
    frame = _frame(n=200, seed=5)
    data = yaml.safe_load((REZEPTE / "mss.yaml").read_text(encoding="utf-8"))
    for part in ("status", "dynamik"):
        data[part]["indicators"] = [{"id": c, "polarity": 1, "weight": 1} for c in "ABC"]
    data.update(min_population=None, excluded_areas=[])
    a = SozialIndex(rc.read_recipe(_write(tmp_path, data, "a.yaml"))).fit(frame)
    data["status"]["classification"]["cutoffs"] = [-1.0, 1.0, 2.0]
    b = SozialIndex(rc.read_recipe(_write(tmp_path, data, "b.yaml"))).fit(frame)
    moved = (a.status_score_ > 1.5) & (a.status_score_ <= 2.0)
    assert moved.any()
    assert (b.status_[moved] == 3).all() and (a.status_[moved] == 4).all()
    assert (a.status_[~moved] == b.status_[~moved]).all()


# -- invariance properties ----------------------------------------------------------------------------
values = hst.floats(min_value=0.0, max_value=100.0, allow_nan=False, allow_subnormal=False)


@hst.composite
def frames(draw):
    n = draw(hst.integers(min_value=3, max_value=25))
    rows = draw(hst.lists(hst.tuples(values, values, values), min_size=n, max_size=n))
    frame = pd.DataFrame(rows, columns=list("ABC"), index=pd.Index([f"{i:08d}" for i in range(n)], name="gebiet_id"))
    assume((frame.std(ddof=0) > 1e-6).all())
    return frame


def _rank_recipe():
    data = _recipe_dict()
    data["status"].update(standardization={"method": "rank"}, aggregation="mean", restandardization=None,
                          classification={"rule": "quantiles", "k": 3, "classes": [{"code": i, "label": str(i)} for i in (1, 2, 3)]})
    return data


PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@PROPS
@given(frame=frames(), data=hst.data())
@pytest.mark.parametrize("recipe", [_recipe_dict(), _rank_recipe()], ids=["zscore", "rank"])
def test_reordering_areas_changes_nothing(recipe, frame, data):
    perm = data.draw(hst.permutations(list(frame.index)))
    r = rc.Recipe.model_validate(recipe)
    a = SozialIndex(r).fit(frame).to_frame().set_index("gebiet_id")
    b = SozialIndex(r).fit(frame.loc[perm]).to_frame().set_index("gebiet_id").loc[a.index]
    pd.testing.assert_frame_equal(a, b)


@PROPS
@given(frame=frames(), factor=hst.floats(min_value=1e-3, max_value=1e3), column=hst.sampled_from("ABC"))
def test_rescaling_an_indicator_does_not_change_zscore_results(frame, factor, column):
    r = rc.Recipe.model_validate(_recipe_dict())
    a = SozialIndex(r).fit(frame)
    scaled = frame.assign(**{column: frame[column] * factor})
    b = SozialIndex(r).fit(scaled)
    np.testing.assert_allclose(a.status_score_, b.status_score_, atol=1e-9)
    assert a.status_.tolist() == b.status_.tolist()


@PROPS
@given(frame=frames(), column=hst.sampled_from("ABC"))
@pytest.mark.parametrize("recipe", [_recipe_dict(), _rank_recipe()], ids=["zscore", "rank"])
def test_flipping_polarity_with_negated_indicator_is_identical(recipe, frame, column):
    flipped = copy.deepcopy(recipe)
    for ind in flipped["status"]["indicators"]:
        if ind["id"] == column:
            ind["polarity"] = -1
    a = SozialIndex(rc.Recipe.model_validate(recipe)).fit(frame)
    b = SozialIndex(rc.Recipe.model_validate(flipped)).fit(frame.assign(**{column: -frame[column]}))
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())


def test_population_weighted_standardisation_equals_replicated_areas():
    frame = _frame(n=8, seed=2)
    pop = pd.Series([1, 2, 3, 1, 2, 3, 1, 2], index=frame.index)
    data = _recipe_dict()
    data["status"]["standardization"]["population_weights"] = True
    data["status"]["restandardization"] = None
    index = SozialIndex(rc.Recipe.model_validate(data)).fit(frame, einwohner=pop)
    reps = frame.loc[frame.index.repeat(pop)]  # area i counted pop_i times
    z = (frame - reps.mean()) / reps.std(ddof=0)
    np.testing.assert_allclose(index.status_score_, z.sum(axis=1), atol=1e-9)
    assert "mit den Einwohnerzahlen gewichtet" in " ".join(describe_index(index))
    with pytest.raises(SozialplanungError, match="Einwohnerzahlen"):
        SozialIndex(rc.Recipe.model_validate(data)).fit(frame)
