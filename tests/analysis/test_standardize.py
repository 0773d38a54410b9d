"""Standardisation functions against independent computations (scipy, scikit-learn, the IMD formula)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.preprocessing import MinMaxScaler

import sozialplanung.analysis.standardize as st
from sozialplanung.errors import SozialplanungWarning

RNG = np.random.default_rng(42)
X = RNG.gamma(2.0, 3.0, size=(60, 4))


@pytest.mark.parametrize("ddof", [0, 1])
def test_zscore_matches_scipy(ddof):
    np.testing.assert_allclose(st.zscore(X, ddof=ddof), stats.zscore(X, axis=0, ddof=ddof), rtol=1e-12)


def test_zscore_keeps_pandas_shape_and_labels():
    frame = pd.DataFrame(X, columns=list("ABCD"), index=[f"{i:08d}" for i in range(60)])
    out = st.zscore(frame, ddof=0)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == list("ABCD") and out.index.equals(frame.index)
    series = st.zscore(frame["B"], ddof=1)
    assert isinstance(series, pd.Series) and series.name == "B"
    np.testing.assert_allclose(series, stats.zscore(X[:, 1], ddof=1))


def test_zscore_ignores_missing_values():
    x = X[:, 0].copy()
    x[[3, 17, 40]] = np.nan
    out = st.zscore(x, ddof=0)
    assert np.isnan(out[[3, 17, 40]]).all()
    np.testing.assert_allclose(out, stats.zscore(x, ddof=0, nan_policy="omit"), rtol=1e-12)


@pytest.mark.parametrize("ddof", [0, 1])
def test_weighted_zscore_equals_zscore_of_replicated_areas(ddof):
    # integer population weights act as frequency weights: area i counted w_i times
    x = X[:12, 2]
    w = RNG.integers(1, 6, size=12)
    replicated = np.repeat(x, w)
    mean, sd = replicated.mean(), replicated.std(ddof=ddof)
    np.testing.assert_allclose(st.zscore(x, ddof=ddof, weights=w), (x - mean) / sd, rtol=1e-12)


def test_weights_of_wrong_length_are_a_user_error():
    with pytest.raises(ValueError, match="Länge"):
        st.zscore(X[:, 0], ddof=0, weights=np.ones(5))


def test_rank_matches_scipy_rankdata_with_ties_and_missing_values():
    x = np.array([3.0, 1.0, np.nan, 3.0, 2.0, 7.0, 3.0])
    valid = ~np.isnan(x)
    expected = np.full_like(x, np.nan)
    expected[valid] = stats.rankdata(x[valid], method="average") / valid.sum()
    np.testing.assert_allclose(st.rank(x), expected)
    expected_min = stats.rankdata(X, method="min", axis=0) / len(X)
    np.testing.assert_allclose(st.rank(X, ties="min"), expected_min)


def test_minmax_matches_scikit_learn():
    np.testing.assert_allclose(st.minmax(X), MinMaxScaler().fit_transform(X), atol=1e-15)


def test_imd_exp_follows_the_published_formula():
    r = stats.rankdata(X[:, 0]) / len(X)
    expected = -23 * np.log(1 - r * (1 - np.exp(-100 / 23)))
    out = st.imd_exp(X[:, 0])
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    assert out.max() == pytest.approx(100.0) and out.min() > 0
    # the constant 23 puts (about) 10 % of the areas above 50
    big = st.imd_exp(np.arange(1000.0))
    assert (big > 50).mean() == pytest.approx(0.10, abs=0.005)


def test_no_spread_warns_and_gives_zero():
    with pytest.warns(SozialplanungWarning):
        assert st.zscore(np.array([2.0, 2.0, 2.0]), ddof=0).tolist() == [0.0, 0.0, 0.0]
    with pytest.warns(SozialplanungWarning):
        assert st.minmax(np.array([2.0, 2.0])).tolist() == [0.0, 0.0]


@pytest.mark.parametrize("name", ["zscore", "rank", "minmax", "imd_exp"])
def test_every_method_is_independent_of_the_order_of_areas(name):
    func = st.METHODS[name]
    opts = {"ddof": 0} if name == "zscore" else {}
    perm = RNG.permutation(len(X))
    out = func(X, **opts)
    assert np.array_equal(func(X[perm], **opts), out[perm])


def test_registry_names():
    assert set(st.METHODS) == {"zscore", "rank", "minmax", "imd_exp"}
