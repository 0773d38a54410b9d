"""The GISD recipe (params/rezepte/gisd.yaml) on the 400 Kreise against the published RKI GISD 2021 Kreis scores.

The published file (lib/sozialplanung/demo/kreise/gisd_2021_kreise.csv, RKI GISD Release 2025 v1.0, CC BY 4.0)
comes from the RKI's full pipeline (Gemeinde level, income tax, logs, G8/G9 and East–West corrections, loadings
pooled over 2002–2021); the recipe uses the Kreis indicators of one year, so it agrees only approximately.
Thresholds: measured value minus a margin (measured 2021: Spearman 0.918, quintile agreement 60.5 %,
within one quintile 97.0 %).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import spearmanr

from sozialplanung.analysis.sozialindex import SozialIndex, part_weights
from sozialplanung.config import recipes as rc
from sozialplanung.data.datenpaket import load_datenpaket

REPO = Path(__file__).resolve().parents[2]
PUBLISHED = REPO / "lib" / "sozialplanung" / "demo" / "kreise" / "gisd_2021_kreise.csv"


@pytest.fixture(scope="module")
def fitted():
    dp = load_datenpaket(REPO / "params" / "deutschland" / "kreise.yaml")
    return SozialIndex("gisd").fit(dp, year=2021)


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(PUBLISHED, dtype={"kreis_id": str}).set_index("kreis_id")


def test_published_file(published):
    assert len(published) == 400 and published.index.str.fullmatch(r"\d{5}").all()
    assert published["gisd_score"].between(0, 1).all()
    assert published["gisd_5"].value_counts().sort_index().tolist() == [80] * 5


def test_recipe_reads():
    recipe = rc.read_recipe("gisd")
    assert recipe.status.weighting.method == "pca" and recipe.source
    assert {i.dimension for i in recipe.status.indicators} == {"Arbeitswelt", "Einkommen", "Bildung"}


def test_scores_and_quintiles(fitted):
    frame = fitted.to_frame().set_index("gebiet_id")
    assert len(frame) == 400 and frame["bewertet"].all()
    assert frame["status_score"].min() == pytest.approx(0) and frame["status_score"].max() == pytest.approx(1)
    assert frame["status_klasse"].value_counts().sort_index().tolist() == [80] * 5


def test_loadings(fitted):
    w = fitted.weights_["status"]
    assert set(w["dimension"]) == {"Arbeitswelt", "Einkommen", "Bildung"}
    # each dimension: loadings are correlations with the component; unemployment and income load strongly
    assert w["loading"].abs().le(1 + 1e-9).all()
    assert w.loc["arbeitslosenanteil", "loading"] > 0.8 and w.loc["haushaltseinkommen", "loading"] > 0.8
    # each dimension score spans exactly 1 after the minmax scaling of its weights
    z = fitted.standardized_["status"]
    for _, rows in w.groupby("dimension"):
        s = z[rows.index].to_numpy() @ rows["weight"].to_numpy()
        assert s.max() - s.min() == pytest.approx(1)


def test_against_published_gisd(fitted, published):
    ours = fitted.to_frame().set_index("gebiet_id")
    theirs = published.reindex(ours.index)
    assert theirs["gisd_score"].notna().all()
    rho = spearmanr(ours["status_score"], theirs["gisd_score"]).statistic
    same = (ours["status_klasse"].to_numpy() == theirs["gisd_5"].to_numpy()).mean()
    near = (np.abs(ours["status_klasse"].to_numpy(dtype=int) - theirs["gisd_5"].to_numpy()) <= 1).mean()
    print(f"GISD-Rezept gegen RKI-GISD 2021: Spearman {rho:.3f}, gleiches Quintil {same:.1%}, ±1 Quintil {near:.1%}")
    assert rho > 0.89          # measured 0.918
    assert same > 0.55         # measured 0.605
    assert near > 0.95         # measured 0.970


def test_pca_weights_synthetic():
    """Two correlated indicators in one dimension get equal weights; a single-indicator dimension weight 1."""
    rng = np.random.default_rng(0)
    a = rng.normal(size=200)
    z = pd.DataFrame({"x": a, "y": a + rng.normal(scale=0.5, size=200), "u": rng.normal(size=200)})
    z = (z - z.mean()) / z.std()
    part = rc.PartSpec.model_validate({
        "label": "t", "aggregation": "sum", "standardization": {"method": "zscore", "ddof": 1},
        "weighting": {"method": "pca"},
        "indicators": [{"id": "x", "dimension": "A"}, {"id": "y", "dimension": "A"}, {"id": "u", "dimension": "B"}],
        "classification": {"rule": "quantiles", "k": 2, "classes": [{"code": 1, "label": "a"}, {"code": 2, "label": "b"}]}})
    w = part_weights(part, part.indicators, z)
    assert w.loc["x", "weight"] == pytest.approx(2 ** -0.5) and w.loc["y", "weight"] == pytest.approx(2 ** -0.5)
    assert w.loc["u", "weight"] == 1 and w.loc["u", "loading"] == 1
    r = np.corrcoef(z["x"], z["y"])[0, 1]
    assert w.loc["x", "loading"] == pytest.approx(np.sqrt((1 + r) / 2))


def test_pca_forbids_fixed_weights(tmp_path):
    data = yaml.safe_load((REPO / "params" / "rezepte" / "gisd.yaml").read_text(encoding="utf-8"))
    data["status"]["indicators"][0]["weight"] = 2
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(rc.SozialplanungError, match="aus den Ladungen"):
        rc.read_recipe(path)
