"""Agreement of two indices (Spearman, quintiles) and the comparison recipes of the 400-Kreise report."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from sozialplanung.analysis import vergleichsrezepte
from sozialplanung.analysis.pipeline import sozialindex
from sozialplanung.config.params import find_params
from sozialplanung.data.datenpaket import load_datenpaket
from sozialplanung.errors import SozialplanungError


def test_quintiles_by_rank():
    s = pd.Series([5.0, 1, 1, 3, 2, 4, 9, 7, 8, 6], index=list("abcdefghij"))
    q = vergleichsrezepte.quantile_classes(s, 5)
    assert q.value_counts().tolist() == [2] * 5
    assert q["b"] == 1 and q["c"] == 1 and q["g"] == 5  # ties broken by order of appearance
    assert vergleichsrezepte.quantile_classes(pd.Series([1.0, np.nan, 2.0]), 2).isna().tolist() == [False, True, False]


def test_agreement_against_scipy_and_by_hand():
    rng = np.random.default_rng(1)
    a = pd.Series(rng.normal(size=50), index=[f"g{i}" for i in range(50)])
    b = (a + rng.normal(scale=0.7, size=50)).rename("b")
    b.iloc[3] = np.nan  # left out of the comparison
    out = vergleichsrezepte.agreement(a, b)
    both = pd.concat([a, b], axis=1).dropna()
    assert out["n"] == 49
    assert out["spearman"] == pytest.approx(spearmanr(both.iloc[:, 0], both.iloc[:, 1]).statistic)
    qa = pd.qcut(both.iloc[:, 0], 5, labels=False)  # no ties: equal to the rank-based classes
    qb = pd.qcut(both.iloc[:, 1], 5, labels=False)
    assert out["gleiche_klasse"] == pytest.approx((qa == qb).mean())
    assert out["hoechstens_eine"] == pytest.approx(((qa - qb).abs() <= 1).mean())
    assert vergleichsrezepte.agreement(a, a)["gleiche_klasse"] == 1
    with pytest.raises(SozialplanungError, match="zu wenige"):
        vergleichsrezepte.agreement(a.iloc[:2], a.iloc[:2])


@pytest.fixture(scope="module")
def kreise():
    dp = load_datenpaket(find_params("deutschland/kreise.yaml"))
    return dp, sozialindex(dp)


def test_gisd_beside_the_report_index_and_the_published_scores(kreise):
    """The measured figures are those of tests/analysis/test_gisd.py (published RKI GISD 2021, CC BY 4.0)."""
    dp, index = kreise
    fitted = vergleichsrezepte.fit(dp, index)
    assert list(fitted.indices) == ["gisd"] and fitted.indices["gisd"].weights_["status"]["loading"].notna().all()
    rows = fitted.agreement.set_index(["a", "b"])
    published = rows.loc[("gisd", "GISD 2021 (RKI, veröffentlicht)")]
    assert published["n"] == 400
    assert published["spearman"] == pytest.approx(0.918, abs=5e-4)
    assert published["gleiche_klasse"] == pytest.approx(0.605) and published["hoechstens_eine"] == pytest.approx(0.97)
    assert len(rows) == 3 and rows["spearman"].between(0.7, 1).all()
    table = fitted.extend(index.to_frame())
    assert {"gisd_score", "gisd_klasse"} <= set(table.columns)
    assert table["gisd_score"].between(0, 1).all() and table["gisd_klasse"].value_counts().tolist() == [80] * 5
    assert (table["status_score"].to_numpy() == index.to_frame()["status_score"].to_numpy()).all()


def test_a_published_file_without_the_column(kreise, tmp_path):
    dp, index = kreise
    bad = tmp_path / "p.csv"
    bad.write_text("kreis_id,wert\n01001,1\n", encoding="utf-8")
    spec = dp.params.vergleichsrezepte[0]
    params = dp.params.model_copy(update={"vergleichsrezepte": [spec.model_copy(
        update={"published": spec.published.model_copy(update={"file": str(bad)})})]})
    dp2 = type(dp).__new__(type(dp))
    dp2.__dict__.update(dp.__dict__, params=params)
    with pytest.raises(SozialplanungError, match="Spalte „gisd_score“ fehlt"):
        vergleichsrezepte.fit(dp2, index)
