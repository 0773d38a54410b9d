"""Status classes over the MSS years 2013–2021: against the official classes, Statuswechsel, pooled breaks.

The official classes are read from the shared data (``../shared/data/berlin_mss``), never from results
computed here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from sozialplanung.analysis import zeitreihe as az
from sozialplanung.analysis.sozialindex import recipe as read_recipe
from sozialplanung.data.datenpaket import load_datenpaket
from sozialplanung.data.zeitreihe import read_zeitreihe
from sozialplanung.indicators.zeitreihe import series_values

PARAMS = REPO / "params" / "berlin" / "berlin.yaml"
DYNAMIK = {"+": 1, "+/-": 3, "-": 5}   # in the series files "-" is the class "negativ"


@pytest.fixture(scope="module")
def berlin():
    dp = load_datenpaket(PARAMS)
    zr = read_zeitreihe(dp)
    recipe = read_recipe(dp)
    indices = az.status_by_year(dp, recipe, zr)
    return dp, zr, recipe, indices, az.status_table(dp, indices, zr)


def official(shared_data, year) -> pd.DataFrame:
    """Published SI/DI codes of a year on its own Gebietsstand."""
    if year == 2021:
        raw = pd.read_csv(shared_data / "berlin_mss" / "mss_2021" / "mss_2021_indizes.csv", dtype={"PLR_ID": str},
                          na_values=[-9999])
        return raw.set_index("PLR_ID")[["SI_N", "DI_N"]].set_axis(["status", "dynamik"], axis=1).dropna()
    path = shared_data / "berlin_mss" / "mss_2013_2021_zeitreihe" / f"mss_{year}_planning_areas.csv"
    raw = pd.read_csv(path, dtype={"id": str, "dynamic_index": str}).set_index("id")
    return pd.DataFrame({"status": raw.status_index.astype(int), "dynamik": raw.dynamic_index.map(DYNAMIK)})


@pytest.mark.parametrize("year", [2013, 2015, 2017, 2019, 2021])
def test_originals_reproduce_the_official_classes_on_their_own_geometry(berlin, shared_data, year):
    _, zr, recipe, _, _ = berlin
    pub = official(shared_data, year)
    own = zr.originale[zr.originale.jahr == year].set_index("gebiet_id")
    from sozialplanung.analysis.sozialindex import SozialIndex
    index = SozialIndex(recipe).fit(own, einwohner="einwohner", year=year)
    assert len(pub) == {2013: 434, 2015: 435, 2017: 436, 2019: 436, 2021: 536}[year]
    assert (index.status_.reindex(pub.index) == pub.status).sum() == len(pub)
    assert (index.dynamik_.reindex(pub.index) == pub.dynamik).sum() == len(pub)
    summary = az.reproduce_official(zr, recipe).set_index("jahr").loc[year]
    assert summary.status_gleich == summary.status_n == len(pub)


def test_carried_classes_on_lor_2021_agree_with_the_carried_official_ones(berlin, shared_data):
    dp, _, _, _, table = berlin
    agree = az.agreement(table).set_index("jahr")
    # computed from carried values vs the official class of the dominant old PLR (≥ 80 % of residents)
    assert agree.loc[2021, "anteil"] == 1.0 and agree.loc[2021, "n"] == 536
    assert agree.loc[[2013, 2015, 2017, 2019], "anteil"].round(3).tolist() == [0.962, 0.973, 0.983, 0.979]
    assert agree.loc[2019, ["n", "gleich"]].tolist() == [527, 516]
    # the carried official 2019 classes: the published class counts of the old PLR, moved onto LOR 2021
    rows = dp.rows(2019)
    clear = rows.mss_status_amtlich.notna()
    src = pd.read_csv(REPO / "lib/sozialplanung/demo/berlin/tabellen/gebietsschluessel.csv", dtype=str)
    assert set(src.neu_id) == set(rows.index)
    assert clear.sum() == 529 and (rows.mss_bewertung == "nicht eindeutig").sum() == 11
    assert table[(table.jahr == 2019)].status_amtlich.notna().sum() == 527   # 2 of them not assessed in 2021


def test_transition_matrix_2019_2021_of_the_official_classes(berlin, shared_data):
    _, _, _, _, table = berlin
    m = az.transition_matrix(table, 2019, 2021).set_index("klasse_2019")
    pub = official(shared_data, 2021).status.value_counts().sort_index().tolist()
    assert m.loc["Summe", ["hoch", "mittel", "niedrig", "sehr niedrig"]].tolist() == pub == [75, 366, 46, 49]
    assert m.loc["Summe", "Summe"] == 542
    stay = [m.loc[c, c] for c in ["hoch", "mittel", "niedrig", "sehr niedrig"]]
    assert stay == [65, 335, 34, 42] and m.loc["nicht eindeutig", "Summe"] == 11


def test_contributions_add_up_to_the_change_of_the_score(berlin):
    _, _, _, indices, _ = berlin
    c = az.change_contributions(indices[2019], indices[2021])
    parts = c.filter(like="beitrag_").sum(axis=1)
    np.testing.assert_allclose(parts, c.delta, atol=1e-9)
    assert len(c) == 536
    # 2017 → 2019: S2 left the index: its contribution is flagged as a break
    c17 = az.change_contributions(indices[2017], indices[2019])
    np.testing.assert_allclose(c17.filter(like="beitrag_").sum(axis=1), c17.delta, atol=1e-9)
    assert c17.attrs["bruch"] == ["S2"]


def test_pooled_breaks_equal_mapclassify_pooled(berlin):
    import mapclassify

    dp, zr, _, _, _ = berlin
    values = series_values(dp, zr)[["S4"]]
    complete = values.S4.unstack("jahr").dropna()
    sub = complete.stack().rename("S4").to_frame()
    sub.index.names = ["gebiet_id", "jahr"]
    breaks, classes = az.pooled_breaks(sub, "S4", scheme="Quantiles", k=5)
    pooled = mapclassify.Pooled(complete.to_numpy(), classifier="Quantiles", k=5)
    np.testing.assert_allclose(breaks, pooled.global_classifier.bins[:-1])
    mine = classes.set_index(["gebiet_id", "jahr"]).klasse.unstack("jahr").loc[complete.index]
    np.testing.assert_array_equal(mine.to_numpy() - 1, np.column_stack([c.yb for c in pooled.col_classifiers]))
    fixed, cls21 = az.pooled_breaks(values, "S4", k=5, reference_year=2021)
    assert len(fixed) == 4 and cls21.klasse.isna().sum() == values.S4.isna().sum()


def test_series_results_tables(berlin):
    dp, zr, recipe, _, _ = berlin
    res = az.series_results(dp, recipe, zr)
    assert set(res) == {"status_zeitreihe", "statuswechsel", "statuswechsel_berechnet", "statuswechsel_gebiete",
                        "zeitreihenbrueche", "uebereinstimmung"}
    moved = res["statuswechsel_gebiete"]
    m = res["statuswechsel"].set_index("klasse_2019")
    classes = ["hoch", "mittel", "niedrig", "sehr niedrig"]
    off_diagonal = sum(m.loc[a, b] for a in classes for b in classes if a != b)
    assert len(moved) <= off_diagonal == 51
    assert (moved.klasse_vorher != moved.klasse_jetzt).all()


def test_class_change_is_the_sign_of_the_class_difference():
    """A higher class number is less favourable; no class in either year → NaN (hatched on the map)."""
    from sozialplanung.analysis.zeitreihe import class_change

    table = pd.DataFrame({"gebiet_id": ["a", "b", "c", "d"] * 2, "jahr": [2019] * 4 + [2021] * 4,
                          "status_amtlich": pd.array([1, 3, 2, None, 2, 2, 2, 4], dtype="Int64")})
    out = class_change(table, 2019, 2021)
    assert out[["a", "b", "c"]].tolist() == ["ungünstiger", "günstiger", "unverändert"] and pd.isna(out["d"])
