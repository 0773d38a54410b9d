"""ClusterTypology: criteria against scikit-learn/scipy computed directly, stability,
ordering by Handlungsbedarf, neutral names with profile lines, invariances, and the Berlin "Aachen chain"
(factor analysis → typology → cross-table with the official MSS status classes)."""

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.stats import chi2_contingency
from sklearn.cluster import KMeans
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)

matplotlib.use("Agg")

from sozialplanung.viz import analysis_plots
from sozialplanung.analysis.cluster import ClusterTypology, profile_text, type_names  # noqa: E402
from sozialplanung.errors import SozialplanungError, SozialplanungWarning  # noqa: E402
from sozialplanung.analysis.factor import FactorAnalysis  # noqa: E402


def blobs(n_per=40, seed=3, centres=((-2, -2, -2), (0, 0, 0), (2.5, 2.5, 2.5))):
    """Three groups on three polarity-aligned indicators: low, middle, high need."""
    rng = np.random.default_rng(seed)
    parts = [np.asarray(c) + rng.standard_normal((n_per, 3)) * 0.5 for c in centres]
    x = np.vstack(parts)
    index = pd.Index([f"{i:04d}" for i in range(len(x))], name="gebiet_id")
    truth = pd.Series(np.repeat([1, 2, 3], n_per), index=index)
    return pd.DataFrame(x, index=index, columns=["arbeitslos", "transfer", "kinderarmut"]), truth


def zscore(frame):
    return ((frame - frame.mean()) / frame.std(ddof=1)).to_numpy()


@pytest.mark.parametrize("method", ["ward", "kmeans"])
def test_k_scores_equal_scikit_learn_metrics(method):
    frame, _ = blobs()
    ct = ClusterTypology(method=method, k_range=range(2, 6), n_bootstrap=0).fit(frame)
    z = zscore(frame)
    tree = linkage(z, method="ward")
    for k in range(2, 6):
        if method == "ward":
            labels = fcluster(tree, k, criterion="maxclust")
        else:
            model = KMeans(n_clusters=k, n_init=10, random_state=0).fit(z)
            labels = model.labels_
            np.testing.assert_allclose(ct.k_scores_.loc[k, "Within-SS"], model.inertia_, rtol=1e-9)
        row = ct.k_scores_.loc[k]
        np.testing.assert_allclose(row["Silhouette"], silhouette_score(z, labels), rtol=1e-12)
        np.testing.assert_allclose(row["Calinski-Harabasz"], calinski_harabasz_score(z, labels),
                                   rtol=1e-12)
        np.testing.assert_allclose(row["Davies-Bouldin"], davies_bouldin_score(z, labels),
                                   rtol=1e-12)
    assert ct.k_suggested_ == 3 == ct.k_
    assert list(ct.k_scores_.columns) == ["Silhouette", "Calinski-Harabasz", "Davies-Bouldin",
                                          "Within-SS"]


def test_ward_labels_equal_scipy_fcluster():
    frame, _ = blobs(seed=9, centres=((0, 0, 0), (1, 1, 0), (0, 1, 1)))
    ct = ClusterTypology(k=4, n_bootstrap=0).fit(frame)
    reference = fcluster(linkage(zscore(frame), method="ward"), 4, criterion="maxclust")
    assert adjusted_rand_score(reference, ct.labels_.to_numpy()) == 1.0
    np.testing.assert_allclose(ct.linkage_, linkage(zscore(frame), method="ward"))


def test_types_are_ordered_by_handlungsbedarf():
    frame, truth = blobs()
    ct = ClusterTypology(k=3, n_bootstrap=0).fit(frame)
    pd.testing.assert_series_equal(ct.labels_, truth.rename("typ"), check_names=False)
    assert ct.names_ == {1: "Typ A", 2: "Typ B", 3: "Typ C"}
    assert (ct.profiles_.mean(axis=1).diff().dropna() > 0).all()
    out = ct.to_frame()
    assert list(out.columns) == ["gebiet_id", "typ", "typ_name"]
    # a given need score overrides the column mean: reversed need, reversed order
    reversed_ = ClusterTypology(k=3, n_bootstrap=0).fit(frame, need=-frame.mean(axis=1))
    pd.testing.assert_series_equal(reversed_.labels_, (4 - truth).rename("typ"), check_names=False)


def test_type_names_are_neutral_letters_in_the_given_order():
    assert type_names([2, 1, 3]) == {2: "Typ A", 1: "Typ B", 3: "Typ C"}
    assert len(set(type_names(range(1, 8)).values())) == 7
    assert not any("bedarf" in n.lower() for n in type_names(range(1, 9)).values())


def test_profile_text_names_the_most_distinctive_indicators():
    z = pd.Series({"a": 0.6, "b": -1.2, "c": 0.4, "d": 2.0, "e": -0.55})
    names = {"a": "Arbeitslosigkeit", "b": "Wohndauer", "d": "Transferbezug", "e": "Einfache Wohnlage"}
    # the three largest |z| ≥ 0.5 (d, b, a), high ones first; c is below the threshold
    assert profile_text(z, names) == "Transferbezug und Arbeitslosigkeit hoch, Wohndauer niedrig"
    assert profile_text(z, names, top=1) == "Transferbezug hoch"
    assert profile_text(z * 0.1, names) == "alle Werte nahe dem Durchschnitt"


def test_describe_orders_letters_by_an_index_and_keeps_the_fit():
    frame, truth = blobs()
    ct = ClusterTypology(k=3, n_bootstrap=0).fit(frame)
    labels, profiles = ct.labels_.copy(), ct.profiles_.copy()
    names = {"arbeitslos": "Arbeitslosigkeit", "transfer": "Transferbezug", "kinderarmut": "Kinderarmut"}
    # an index that ranks the middle group lowest and the high-need group in the middle
    index = truth.map({1: 0.5, 2: -1.0, 3: 0.0}).astype(float)
    ct.describe(frame, names, order_by=index)
    pd.testing.assert_series_equal(ct.labels_, labels)  # numbers and memberships untouched
    pd.testing.assert_frame_equal(ct.profiles_, profiles)
    assert ct.names_ == {2: "Typ A", 3: "Typ B", 1: "Typ C"} and list(ct.names_) == [2, 3, 1]
    low, high = ct.descriptions_[1], ct.descriptions_[3]  # order among the three by |mean z|
    assert low.endswith(" niedrig") and high.endswith(" hoch") and " und " in low
    assert all(n in low and n in high for n in names.values())
    assert ct.title(1) == f"Typ C: {low}" and ct.title(3, brackets=True) == f"Typ B ({high})"
    out = ct.to_frame()
    assert list(out.columns) == ["gebiet_id", "typ", "typ_name"]
    assert out.loc[out["typ"] == 3, "typ_name"].unique().tolist() == [ct.title(3)]
    # without an index the letters follow the type numbers
    assert list(ct.describe(frame, names).names_.items()) == [(1, "Typ A"), (2, "Typ B"), (3, "Typ C")]


@pytest.mark.parametrize("method", ["ward", "kmeans"])
def test_stability_is_seeded_and_high_for_clear_groups(method):
    frame, _ = blobs()
    a = ClusterTypology(k=3, method=method, n_bootstrap=20, random_state=1).fit(frame)
    b = ClusterTypology(k=3, method=method, n_bootstrap=20, random_state=1).fit(frame)
    pd.testing.assert_series_equal(a.stability_, b.stability_)
    assert (a.stability_ > 0.95).all()


def test_stability_lower_for_structureless_data():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.standard_normal((120, 3)), columns=list("abc"))
    ct = ClusterTypology(k=4, n_bootstrap=30).fit(frame)
    assert ct.stability_.between(0, 1).all() and ct.stability_.mean() < 0.8


def test_plots_and_errors():
    frame, _ = blobs()
    ct = ClusterTypology(k=3, n_bootstrap=0).fit(frame)
    assert isinstance(analysis_plots.dendrogram(ct), matplotlib.figure.Figure)
    assert isinstance(analysis_plots.type_profiles(ct), matplotlib.figure.Figure)
    km = ClusterTypology(k=3, method="kmeans", n_bootstrap=0).fit(frame)
    fig = analysis_plots.dendrogram(km)  # the Ward tree for orientation, also when the types come from k-means
    assert "k-means" in fig.axes[0].get_title()
    with pytest.raises(SozialplanungError, match="Clusterverfahren „pam“"):
        ClusterTypology(method="pam").fit(frame)
    with pytest.raises(SozialplanungError, match="Bedarfswert"):
        ClusterTypology(k=3).fit(frame, need=frame.mean(axis=1).iloc[:10])


def test_missing_values_are_dropped_explicitly():
    frame, _ = blobs()
    frame.iloc[5, 1] = np.nan
    with pytest.warns(SozialplanungWarning, match="1 Gebiete mit fehlenden Werten"):
        ct = ClusterTypology(k=3, n_bootstrap=0).fit(frame)
    assert list(ct.dropped_) == [frame.index[5]]
    assert frame.index[5] not in ct.labels_.index


BASE, _ = blobs(seed=21, centres=((0, 0, 0), (1.5, 1.5, 0), (0, 1.5, 1.5)))
BASE_FIT = ClusterTypology(k=3, n_bootstrap=0).fit(BASE)


@settings(max_examples=15, deadline=None)
@given(order=st.permutations(range(len(BASE))))
def test_reordering_areas_keeps_partition(order):
    ct = ClusterTypology(k=3, n_bootstrap=0).fit(BASE.iloc[list(order)])
    pd.testing.assert_series_equal(ct.labels_.loc[BASE.index], BASE_FIT.labels_)


@settings(max_examples=15, deadline=None)
@given(scale=st.lists(st.floats(0.001, 1000), min_size=3, max_size=3))
def test_rescaling_indicators_keeps_partition(scale):
    ct = ClusterTypology(k=3, n_bootstrap=0).fit(BASE * np.array(scale))
    pd.testing.assert_series_equal(ct.labels_, BASE_FIT.labels_)


# ---------------------------------------------------------------- Berlin chain
def cramers_v(table):
    chi2 = chi2_contingency(table)[0]
    return float(np.sqrt(chi2 / (table.to_numpy().sum() * (min(table.shape) - 1))))


def test_berlin_chain_factor_cluster_versus_official_status(shared_data):
    """MSS 2021, 536 valid PLR: S1, S3, S4, D1, D3, D4 and the 14 non-empty context
    indicators → factor analysis (parallel analysis chooses 4 factors) → k-means typology
    of the factor scores, ordered by the score of the factor marked by S1 (unemployment;
    context indicators such as KI_10 "Wohndauer ≥ 5 Jahre" are resources, so the column
    mean would be the wrong need direction) → cross-table with the official SI_N."""
    base = shared_data / "berlin_mss" / "mss_2021"

    def read(name):
        return pd.read_csv(base / name, dtype={"PLR_ID": str, "BEZ_ID": str},
                           na_values=[-9999]).set_index("PLR_ID")

    index_ind = read("mss_2021_index_indikatoren.csv")
    context = read("mss_2021_kontext_indikatoren.csv")
    official = read("mss_2021_indizes.csv")
    valid = index_ind.index[index_ind["KOM"] == "gültig"]
    kontext = [f"KI_{i:02d}" for i in range(1, 18) if i not in (8, 14, 15)]
    data = pd.concat([index_ind.loc[valid, ["S1", "S3", "S4", "D1", "D3", "D4"]],
                      context.loc[valid, kontext]], axis=1)
    assert data.shape == (536, 20)

    # KI_12 (net migration) is a real Heywood case in these data: warned, not hidden
    with pytest.warns(SozialplanungWarning, match="Heywood-Fall.*KI_12"):
        fa = FactorAnalysis(marker="S1").fit(data)
    assert fa.kmo_ > 0.8 and fa.n_factors_ == 4
    need_factor = fa.loadings_.loc["S1"].idxmax()
    typology = ClusterTypology(k=4, method="kmeans", n_bootstrap=30).fit(
        fa.scores_, need=fa.scores_[need_factor])
    status = official.loc[typology.labels_.index, "SI_N"].astype(int)
    table = pd.crosstab(typology.labels_, status)

    # every "sehr niedrig" PLR (49) lands in the type with the highest Handlungsbedarf,
    # and no "hoch" PLR does
    assert table.loc[4, 4] == (status == 4).sum() == 49
    assert table.loc[4].get(1, 0) == 0
    v = cramers_v(table)
    assert v > 0.4
    permuted = pd.Series(np.random.default_rng(0).permutation(typology.labels_.to_numpy()),
                         index=typology.labels_.index)
    assert cramers_v(pd.crosstab(permuted, status)) < 0.15
    assert typology.stability_.between(0, 1).all()
