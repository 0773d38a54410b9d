"""FactorAnalysis: diagnostics on the INKAR Kreis indicators and agreement with
independent implementations (own numpy principal-axis iteration + Kaiser's varimax as in
R ``stats::varimax``; scikit-learn's ``FactorAnalysis(rotation="varimax")`` for ML)."""

import warnings
from itertools import permutations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")

from sozialplanung.viz import analysis_plots
from sozialplanung.errors import SozialplanungError, SozialplanungWarning  # noqa: E402
from sozialplanung.analysis.factor import FactorAnalysis  # noqa: E402

INKAR_INDICATORS = [
    "beschaeftigtenquote_pct", "bruttoverdienst_eur_monat", "haushaltseinkommen_eur_je_ew",
    "schulabgaenger_ohne_hsa_pct", "schuldnerquote_pct", "svb_wo_akad_abschluss_pct",
    "svb_wo_ohne_berufsabschluss_pct", "alq_je_100_ew15bis65_derived",
]
MARKER = "alq_je_100_ew15bis65_derived"


@pytest.fixture(scope="module")
def inkar(shared_data):
    path = shared_data / "inkar_kreise" / "inkar_kreise_2021_wide.csv"
    frame = pd.read_csv(path, dtype={"kreis_id": str}).set_index("kreis_id")
    return frame[INKAR_INDICATORS]


# ---------------------------------------------------------------- independent reference
def principal_axis(corr, k, tol=1e-12, max_iter=10_000):
    """Iterated principal-axis factoring, SMC start (Harman 1976, ch. 8)."""
    h = 1 - 1 / np.diag(np.linalg.inv(corr))
    for _ in range(max_iter):
        reduced = corr.copy()
        np.fill_diagonal(reduced, h)
        values, vectors = np.linalg.eigh(reduced)
        idx = np.argsort(values)[::-1][:k]
        loadings = vectors[:, idx] * np.sqrt(values[idx])
        new = (loadings**2).sum(axis=1)
        if np.max(np.abs(new - h)) < tol:
            break
        h = new
    return loadings


def varimax_kaiser(loadings, eps=1e-12, max_iter=1000):
    """Varimax with Kaiser normalisation, the SVD algorithm of R ``stats::varimax``."""
    h = np.sqrt((loadings**2).sum(axis=1))
    x = loadings / h[:, None]
    p, k = x.shape
    rot, crit = np.eye(k), 0.0
    for _ in range(max_iter):
        z = x @ rot
        b = x.T @ (z**3 - z * (z**2).sum(axis=0) / p)
        u, s, vt = np.linalg.svd(b)
        rot = u @ vt
        crit, old = s.sum(), crit
        if crit < old * (1 + eps):
            break
    return (x @ rot) * h[:, None]


def tucker(a, b):
    """Tucker's congruence coefficient per column."""
    return (a * b).sum(axis=0) / np.sqrt((a**2).sum(axis=0) * (b**2).sum(axis=0))


def align(reference, other):
    """Permute and flip the columns of ``other`` to best match ``reference``."""
    best, best_sum = None, -1.0
    for perm in permutations(range(reference.shape[1])):
        candidate = other[:, perm]
        c = tucker(reference, candidate)
        if np.abs(c).sum() > best_sum:
            best, best_sum = candidate * np.sign(c), np.abs(c).sum()
    return best


# ---------------------------------------------------------------- INKAR
def test_inkar_diagnostics(inkar):
    fa = FactorAnalysis(marker=MARKER).fit(inkar)
    assert fa.n_obs_ == 400 and len(fa.dropped_) == 0
    assert 0.5 < fa.kmo_ < 1 and fa.kmo_per_indicator_.between(0, 1).all()
    assert fa.bartlett_.df == 28 and fa.bartlett_.p_value < 1e-10
    np.testing.assert_allclose(fa.eigenvalues_.sum(), 8, rtol=1e-10)
    assert fa.n_factors_ == fa.parallel_.n_factors == 2
    assert list(fa.loadings_.columns) == ["Faktor 1", "Faktor 2"]
    assert fa.scores_.shape == (400, 2) and fa.scores_.index.name == "gebiet_id"
    assert fa.to_frame().columns[0] == "gebiet_id"
    # orthogonal rotation keeps the communalities
    np.testing.assert_allclose((fa.loadings_**2).sum(axis=1), fa.communalities_, atol=1e-10)
    np.testing.assert_allclose(fa.explained_variance_["kumuliert"].iloc[-1],
                               fa.communalities_.sum() / 8, atol=1e-10)
    # marker loads positively on its factor: the deprivation factor
    assert fa.loadings_.loc[MARKER].abs().idxmax() == "Faktor 1"
    assert fa.loadings_.loc[MARKER, "Faktor 1"] > 0.8
    assert "Faktorenanalyse" in repr(fa)


def test_inkar_pa_varimax_equals_numpy_reference(inkar):
    fa = FactorAnalysis(2, method="pa", rotation="varimax").fit(inkar)
    corr = np.corrcoef(inkar.to_numpy(), rowvar=False)
    reference = varimax_kaiser(principal_axis(corr, 2))
    ours = fa.loadings_.to_numpy()
    aligned = align(ours, reference)
    assert tucker(ours, aligned).min() >= 0.99
    np.testing.assert_allclose(ours, aligned, atol=1e-4)
    unrotated = align(fa.unrotated_loadings_.to_numpy(), principal_axis(corr, 2))
    np.testing.assert_allclose(fa.unrotated_loadings_.to_numpy(), unrotated, atol=1e-6)


def test_inkar_ml_varimax_agrees_with_scikit_learn(inkar):
    from sklearn.decomposition import FactorAnalysis as SkFactorAnalysis

    fa = FactorAnalysis(2, method="ml", rotation="varimax").fit(inkar)
    z = (inkar - inkar.mean()) / inkar.std(ddof=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = SkFactorAnalysis(2, rotation="varimax", tol=1e-8, max_iter=5000,
                              random_state=0).fit(z.to_numpy())
    ours = fa.loadings_.to_numpy()
    aligned = align(ours, sk.components_.T)
    congruence = tucker(ours, aligned)
    assert congruence.min() >= 0.99, congruence


@pytest.mark.parametrize("rotation", ["promax", "oblimin"])
def test_oblique_rotations(inkar, rotation):
    fa = FactorAnalysis(2, rotation=rotation, marker=MARKER).fit(inkar)
    phi = fa.factor_correlations_.to_numpy()
    np.testing.assert_allclose(np.diag(phi), 1, atol=1e-8)
    np.testing.assert_allclose(phi, phi.T, atol=1e-10)
    assert abs(phi[0, 1]) < 1
    # oblique and orthogonal solutions describe the same two factors
    ortho = FactorAnalysis(2, marker=MARKER).fit(inkar).loadings_.to_numpy()
    assert tucker(ortho, align(ortho, fa.loadings_.to_numpy())).min() > 0.95


def test_heywood_case_is_warned(inkar):
    with pytest.warns(SozialplanungWarning, match="Heywood"):
        fa = FactorAnalysis(3).fit(inkar)
    assert fa.heywood_ == ["svb_wo_ohne_berufsabschluss_pct"]


def test_missing_values_are_dropped_explicitly(inkar):
    frame = inkar.copy()
    frame.iloc[[3, 10], 2] = np.nan
    with pytest.warns(SozialplanungWarning, match="2 Gebiete mit fehlenden Werten"):
        fa = FactorAnalysis(2).fit(frame)
    assert list(fa.dropped_) == [inkar.index[3], inkar.index[10]]
    assert fa.n_obs_ == 398 and len(fa.scores_) == 398


def test_scree_plot(inkar):
    fa = FactorAnalysis().fit(inkar)
    fig = analysis_plots.scree(fa)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert fig.axes[0].get_ylabel() == "Eigenwert"


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "kwargs, message",
    [({"method": "minres"}, "Extraktionsmethode"), ({"rotation": "quartimax"}, "Rotation"),
     ({"n_factors": 0}, "Faktorenzahl"), ({"marker": "xyz"}, "Marker-Indikator „xyz“ fehlt")],
)
def test_german_errors(kwargs, message):
    frame = pd.DataFrame(np.random.default_rng(0).standard_normal((50, 4)), columns=list("abcd"))
    with pytest.raises(SozialplanungError, match=message):
        FactorAnalysis(**kwargs).fit(frame)


# ---------------------------------------------------------------- invariances
def _two_factor_data(n=120, seed=5):
    rng = np.random.default_rng(seed)
    f = rng.standard_normal((n, 2))
    load = np.array([[.8, .1], [.7, 0], [.75, .2], [.1, .8], [0, .7], [.2, .75]])
    x = f @ load.T + rng.standard_normal((n, 6)) * 0.55
    index = pd.Index([f"{i:05d}" for i in range(n)], name="gebiet_id")
    return pd.DataFrame(x, index=index, columns=[f"I{j}" for j in range(6)])


BASE = _two_factor_data()
BASE_FIT = FactorAnalysis(2, marker="I0").fit(BASE)


@settings(max_examples=15, deadline=None)
@given(order=st.permutations(range(len(BASE))))
def test_reordering_areas_keeps_loadings(order):
    fa = FactorAnalysis(2, marker="I0").fit(BASE.iloc[list(order)])
    np.testing.assert_allclose(fa.loadings_.to_numpy(), BASE_FIT.loadings_.to_numpy(), atol=1e-8)
    pd.testing.assert_frame_equal(fa.scores_.loc[BASE.index], BASE_FIT.scores_, atol=1e-8)


@settings(max_examples=15, deadline=None)
@given(scale=st.lists(st.floats(0.001, 1000), min_size=6, max_size=6))
def test_rescaling_indicators_keeps_loadings(scale):
    fa = FactorAnalysis(2, marker="I0").fit(BASE * np.array(scale))
    np.testing.assert_allclose(fa.loadings_.to_numpy(), BASE_FIT.loadings_.to_numpy(), atol=1e-7)
