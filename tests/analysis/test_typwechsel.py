"""Typwechsel on the INKAR Kreise 2017–2021: FactorAnalysis.transform, ClusterTypology.predict (against a second
implementation of nearest-centre assignment), withheld values „nicht zugeordnet“, matrix sums."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist

import sozialplanung as sp
from sozialplanung.analysis import pipeline
from sozialplanung.analysis.factor import factor_indicators
from sozialplanung.analysis.typwechsel import NOT_ASSIGNED, types_in, typwechsel
from sozialplanung.config.params import find_params


@pytest.fixture(scope="module")
def fitted():
    dp = sp.load_datenpaket(find_params("deutschland/kreise.yaml"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sp.SozialplanungWarning)
        fa = pipeline.faktorenanalyse(dp)
        return dp, fa, pipeline.clusteranalyse(dp, fa)


def test_transform_reproduces_the_scores_on_the_fitting_data(fitted):
    dp, fa, _ = fitted
    values = dp.values().loc[fa.scores_.index, factor_indicators(dp)]
    pd.testing.assert_frame_equal(fa.transform(values), fa.scores_, atol=1e-12, rtol=0)
    assert list(fa.mean_.index) == fa.indicators_ and (fa.scale_ > 0).all()


def test_transform_uses_the_fitted_standardisation(fitted):
    dp, fa, _ = fitted
    one = dp.values().loc[fa.scores_.index[:1], factor_indicators(dp)]  # one row: its own mean would be itself
    assert fa.transform(one).iloc[0].to_numpy() == pytest.approx(fa.scores_.iloc[0].to_numpy())
    gap = one.copy()
    gap.iloc[0, 2] = np.nan
    assert fa.transform(gap).isna().all(axis=None)  # no score from an incomplete row


def test_predict_is_the_nearest_centre_by_hand(fitted):
    _, fa, typ = fitted
    z = fa.scores_.to_numpy()  # standardize=False: the factor scores are the clustering space
    centres = np.vstack([z[(typ.labels_ == t).to_numpy()].mean(axis=0) for t in sorted(typ.names_)])
    by_hand = np.array(sorted(typ.names_))[cdist(z, centres).argmin(axis=1)]
    assert (typ.predict(fa.scores_).to_numpy() == by_hand).all()
    assert typ.centres_.to_numpy() == pytest.approx(centres)
    agree = (typ.predict(fa.scores_) == typ.labels_).mean()
    assert 0.9 < agree < 1  # Ward is not nearest-centre: the noise floor is real


def test_predict_standardizes_with_the_fitted_values():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(np.vstack([rng.normal(0, 1, (30, 2)), rng.normal(6, 1, (30, 2))]) * [1, 100],
                     columns=["a", "b"], index=[f"g{i}" for i in range(60)])
    typ = sp.analysis.cluster.ClusterTypology(2, n_bootstrap=0).fit(x)
    z = (x - typ.mean_) / typ.scale_
    by_hand = np.array(typ.centres_.index)[cdist(z, typ.centres_).argmin(axis=1)]
    assert (typ.predict(x).to_numpy() == by_hand).all() and (typ.predict(x) == typ.labels_).all()
    gap = x.iloc[:2].copy()
    gap.iloc[0, 1] = np.nan
    assert typ.predict(gap).isna().tolist() == [True, False]


def test_withheld_value_then_is_not_assigned(fitted):
    dp, fa, typ = fitted
    gid, other = dp.reference_ids[0], dp.reference_ids[1]
    hidden = dp.suppressed.copy()
    hidden.loc[(gid, 2020), "schuldnerquote"] = True
    small = {**dp.not_rated, 2020: [other]}
    dp2 = dataclasses.replace(dp, suppressed=hidden, not_rated=small)
    assert np.isnan(dp2.values(2020).at[gid, "schuldnerquote"])
    types = types_in(dp2, fa, typ, 2020)
    assert pd.isna(types[gid]) and pd.isna(types[other]) and types.drop([gid, other]).notna().all()
    tw = typwechsel(dp2, fa, typ)
    m = tw.matrix().set_index("typ_2020")
    assert m.loc[NOT_ASSIGNED, "Summe"] == 2 and NOT_ASSIGNED not in m.columns
    assert tw.assigned == len(dp.shown_ids) - 2


def test_matrix_sums_are_the_shown_areas(fitted):
    dp, fa, typ = fitted
    tw = typwechsel(dp, fa, typ)
    m = tw.matrix().set_index("typ_2020")
    n = len(dp.shown_ids)
    assert m.loc["Summe", "Summe"] == n and m["Summe"].drop("Summe").sum() == n
    assert list(m.index[:-1]) == list(typ.names_.values()) and list(m.columns[:-1]) == list(typ.names_.values())
    by_name = {v: k for k, v in typ.names_.items()}
    assert (m.drop("Summe").drop(columns="Summe").sum(axis=0).rename(by_name) == typ.sizes_).all()
    diagonal = sum(m.at[t, t] for t in typ.names_.values())
    assert tw.changed == n - diagonal
    assert (tw.then, tw.now) == (2020, 2021) and tw.n_agreement == n
    assert tw.same_agreement == int((typ.predict(fa.scores_) == typ.labels_).sum())
