"""Class rules: explicit interval closure; mapclassify-based rules agree with mapclassify itself."""

import mapclassify
import numpy as np
import pandas as pd
import pytest

import sozialplanung.analysis.classify as cl
from sozialplanung.errors import SozialplanungError

MSS = {"cutoffs": [-1.0, 1.0, 1.5], "belongs_to": ["upper", "lower", "lower"]}
Y = np.random.default_rng(7).lognormal(size=200)


def test_mss_status_rule_with_its_interval_closure():
    x = pd.Series([-1.0000001, -1.0, 0.0, 1.0, 1.0000001, 1.5, 1.5000001, np.nan], index=list("abcdefgh"))
    result = cl.sd_cutoffs(x, **MSS)
    assert result.classes.tolist()[:7] == [1, 2, 2, 2, 3, 3, 4]
    assert result.classes.isna().tolist() == [False] * 7 + [True]
    assert result.classes.dtype == "Int64" and result.classes.index.equals(x.index)
    assert result.breaks == (-1.0, 1.0, 1.5) and result.k == 4
    assert result.intervals() == ["x < −1", "−1 ≤ x ≤ 1", "1 < x ≤ 1,5", "x > 1,5"]
    assert result.counts().tolist() == [1, 3, 2, 1]


def test_closure_is_per_boundary():
    x = [0.0, 1.0, 2.0]
    assert cl.sd_cutoffs(x, cutoffs=[1.0], belongs_to=["lower"]).classes.tolist() == [1, 1, 2]
    assert cl.sd_cutoffs(x, cutoffs=[1.0], belongs_to=["upper"]).classes.tolist() == [1, 2, 2]
    assert cl.sd_cutoffs(x, cutoffs=[1.0], belongs_to=["upper"]).intervals() == ["x < 1", "x ≥ 1"]


def test_apply_cutoffs_works_on_matrices():
    m = np.random.default_rng(0).normal(size=(50, 7))
    out = cl.apply_cutoffs(m, MSS["cutoffs"], MSS["belongs_to"])
    for j in range(7):
        assert out[:, j].tolist() == cl.sd_cutoffs(m[:, j], **MSS).classes.tolist()


def test_quantiles_agree_with_mapclassify():
    ours = cl.quantiles(Y, k=5)
    ref = mapclassify.Quantiles(Y, k=5)
    assert ours.classes.tolist() == (ref.yb + 1).tolist()
    np.testing.assert_allclose(ours.breaks, ref.bins[:-1])
    assert ours.counts().tolist() == [40] * 5


@pytest.mark.filterwarnings("ignore:Numba not installed")
def test_natural_breaks_agree_with_mapclassify_fisher_jenks():
    y = Y[:50]  # mapclassify's pure-python Fisher-Jenks is slow without numba
    ours = cl.natural_breaks(y, k=4)
    ref = mapclassify.FisherJenks(y, k=4)
    assert ours.classes.tolist() == (ref.yb + 1).tolist()
    np.testing.assert_allclose(ours.breaks, ref.bins[:-1])
    assert all(c == "lower" for c in ours.belongs_to)


def test_equal_interval_and_generic_scheme_with_missing_values():
    y = np.append(Y, np.nan)
    ours = cl.RULES["mapclassify"](y, scheme="EqualInterval", k=3)
    ref = mapclassify.EqualInterval(Y, k=3)
    assert ours.classes.iloc[:-1].tolist() == (ref.yb + 1).tolist() and ours.classes.isna().iloc[-1]
    assert cl.equal_interval(y, k=3).classes.iloc[:-1].tolist() == (ref.yb + 1).tolist()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cutoffs": [1.0, -1.0], "belongs_to": ["lower", "lower"]}, "aufsteigend"),
        ({"cutoffs": [1.0], "belongs_to": ["lower", "upper"]}, "Zugehörigkeit"),
        ({"cutoffs": [1.0], "belongs_to": ["links"]}, "„links“"),
    ],
)
def test_bad_cutoffs_are_user_errors(kwargs, match):
    with pytest.raises(SozialplanungError, match=match):
        cl.sd_cutoffs([0.0, 1.0], **kwargs)


def test_unknown_mapclassify_scheme():
    with pytest.raises(SozialplanungError, match="Unbekanntes mapclassify-Verfahren"):
        cl.mapclassify_scheme(Y, scheme="Bogus", k=3)


def test_registry_names():
    assert {"sd_cutoffs", "quantiles", "natural_breaks"} <= set(cl.RULES)
