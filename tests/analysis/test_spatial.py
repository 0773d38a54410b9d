"""SpatialAutocorrelation: Moran's I against the direct formula I = (n/S0) z'Wz / z'z with a
contiguity matrix built independently with shapely, LISA and FDR, islands reported."""

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from sozialplanung.errors import SozialplanungError, SozialplanungWarning
from sozialplanung.analysis.spatial import SpatialAutocorrelation


def read_mss(shared_data, name):
    path = shared_data / "berlin_mss" / "mss_2021" / name
    return pd.read_csv(path, dtype={"PLR_ID": str, "BEZ_ID": str}, na_values=[-9999])


@pytest.fixture(scope="module")
def bezirke(shared_data):
    """The 12 Berlin Bezirke with S1 (SGB-II unemployment, MSS 2021) aggregated from the
    536 valid PLR, weighted by residents."""
    path = shared_data / "berlin_mss" / "geometry_lor_bis2020" / "lor_bezirke.geojson"
    gdf = gpd.read_file(path).to_crs(25833)
    index = read_mss(shared_data, "mss_2021_index_indikatoren.csv")
    index = index[index["KOM"] == "gültig"]
    s1 = index.groupby("BEZ_ID").apply(lambda d: np.average(d["S1"], weights=d["EW"]),
                                       include_groups=False)
    gdf["gebiet_id"] = gdf["id"]
    gdf["S1"] = gdf["id"].map(s1)
    return gdf


def moran_numpy(gdf, column):
    """Queen contiguity from shapely (polygons sharing any boundary point), row-standardised."""
    geoms = gdf.geometry.to_numpy()
    n = len(geoms)
    w = np.array([[float(i != j and geoms[i].intersects(geoms[j])) for j in range(n)]
                  for i in range(n)])
    w = w / w.sum(axis=1, keepdims=True)
    z = gdf[column].to_numpy(float) - gdf[column].mean()
    return n / w.sum() * (z @ w @ z) / (z @ z), w


def test_moran_equals_direct_formula_on_berlin_bezirke(bezirke):
    assert bezirke["S1"].notna().all() and len(bezirke) == 12
    sa = SpatialAutocorrelation(permutations=999).fit(bezirke, "S1")
    expected, w = moran_numpy(bezirke, "S1")
    np.testing.assert_allclose(sa.I_, expected, rtol=1e-12)
    np.testing.assert_allclose(sa.EI_, -1 / 11)
    assert sa.islands_ == [] and sa.n_ == 12
    # local Moran (Anselin 1995) as scaled by esda: I_i = (n-1) z_i sum_j w_ij z_j / z'z
    z = bezirke["S1"].to_numpy() - bezirke["S1"].mean()
    local = 11 * z * (w @ z) / (z @ z)
    lisa = sa.lisa_.set_index("gebiet_id").loc[bezirke["id"]]
    np.testing.assert_allclose(lisa["Ii"].to_numpy(), local, rtol=1e-10)
    assert list(sa.to_frame().columns[:3]) == ["gebiet_id", "Ii", "p_sim"]


def test_lisa_on_planungsraeume(shared_data):
    """536 valid PLR (LOR 2021): child poverty S4 clusters strongly in space."""
    path = shared_data / "berlin_mss" / "geometry_lor2021_plr" / "lor_planungsraeume_2021.shp"
    gdf = gpd.read_file(path)
    index = read_mss(shared_data, "mss_2021_index_indikatoren.csv").set_index("PLR_ID")
    gdf["gebiet_id"] = gdf["PLR_ID"].astype(str)
    gdf["S4"] = gdf["gebiet_id"].map(index["S4"].where(index["KOM"] == "gültig"))
    with pytest.warns(SozialplanungWarning, match="6 Gebiete ohne Wert"):
        sa = SpatialAutocorrelation(permutations=199, random_state=1).fit(gdf, "S4")
    assert len(sa.dropped_) == 6
    assert sa.I_ > 0.5 and sa.p_sim_ <= 0.005
    lisa = sa.lisa_
    significant = lisa[lisa["signifikant"]]
    assert (significant["p_sim"] <= sa.fdr_threshold_).all()
    assert sa.fdr_threshold_ <= 0.05
    assert {"Hoch-Hoch", "Niedrig-Niedrig"} <= set(lisa["cluster"])
    # labels follow the quadrants: HH = high value with high neighbours
    hh = lisa[lisa["cluster"] == "Hoch-Hoch"]
    assert (hh["quadrant"] == "HH").all() and (hh["q"] == 1).all()
    again = SpatialAutocorrelation(permutations=199, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SozialplanungWarning)
        again.fit(gdf, "S4")
    pd.testing.assert_frame_equal(again.lisa_, sa.lisa_)


def grid_with_island():
    polys = [box(i, j, i + 1, j + 1) for i in range(4) for j in range(3)]
    polys.append(box(10, 10, 11, 11))  # no neighbour
    ids = [f"{i:02d}" for i in range(len(polys))]
    values = np.r_[np.arange(12, dtype=float), 100.0]
    return gpd.GeoDataFrame({"gebiet_id": ids, "wert": values}, geometry=polys, crs=25833)


def test_islands_are_reported_and_excluded():
    gdf = grid_with_island()
    with pytest.warns(SozialplanungWarning, match="ohne Nachbarn.*: 12"):
        sa = SpatialAutocorrelation(permutations=99).fit(gdf, "wert")
    assert sa.islands_ == ["12"] and sa.n_ == 12
    expected, _ = moran_numpy(gdf.iloc[:12], "wert")
    np.testing.assert_allclose(sa.I_, expected, rtol=1e-12)
    row = sa.lisa_.set_index("gebiet_id").loc["12"]
    assert row["cluster"] == "ohne Nachbarn" and not row["signifikant"]
    assert len(sa.lisa_) == 13


def test_errors():
    gdf = grid_with_island()
    with pytest.raises(SozialplanungError, match="Spalte „fehlt“ fehlt"):
        SpatialAutocorrelation().fit(gdf, "fehlt")
    with pytest.raises(SozialplanungError, match="GeoDataFrame"):
        SpatialAutocorrelation().fit(pd.DataFrame(gdf.drop(columns="geometry")), "wert")
    with pytest.raises(SozialplanungError, match="alpha"):
        SpatialAutocorrelation(alpha=2).fit(gdf, "wert")


def test_fit_leaves_the_global_random_state_alone_and_is_reproducible():
    gdf = grid_with_island().iloc[:12]
    np.random.seed(12345)
    before = np.random.get_state()
    a = SpatialAutocorrelation(permutations=99, random_state=3).fit(gdf, "wert")
    after = np.random.get_state()
    assert before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]
    np.random.random(5)  # a caller drawing in between changes nothing
    b = SpatialAutocorrelation(permutations=99, random_state=3).fit(gdf, "wert")
    assert a.p_sim_ == b.p_sim_ and a.z_sim_ == b.z_sim_
    pd.testing.assert_frame_equal(a.lisa_, b.lisa_)
