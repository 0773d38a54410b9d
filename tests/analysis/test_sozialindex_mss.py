"""The ``mss`` recipe reproduces the officially published MSS classes of every valid Planungsraum.

Reference: Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen Berlin, Monitoring Soziale
Stadtentwicklung 2013–2021 (columns ``SI_N``/``DI_N``/``SDI_N`` of the 2021 tables and
``status_index``/``dynamic_index`` of the 2013–2019 series). The tests compare with the published
columns, never with numbers computed here.
"""

import numpy as np
import pandas as pd
import pytest

from sozialplanung.analysis.sozialindex import SozialIndex
from sozialplanung.report.recipe_text import describe_index

DYNAMIK = {"+": 1, "+/-": 3, "-": 5}  # in the series, "-" is the class "negativ", not a missing value


@pytest.fixture(scope="module")
def mss_2021(shared_data):
    folder = shared_data / "berlin_mss" / "mss_2021"
    read = lambda name: pd.read_csv(folder / name, dtype={"PLR_ID": str, "BEZ_ID": str}, na_values=[-9999]).set_index("PLR_ID")
    return read("mss_2021_index_indikatoren.csv"), read("mss_2021_indizes.csv")


def test_2021_every_valid_planungsraum(mss_2021):
    indicators, published = mss_2021
    index = SozialIndex("mss").fit(indicators, einwohner="EW", year=2021)
    out = index.to_frame().set_index("gebiet_id")
    valid = published.index[published["KOM"] == "gültig"]
    assert len(valid) == 536
    assert set(index.not_rated_) == set(published.index[published["KOM"] != "gültig"])
    assert out.loc[valid, "bewertet"].all()
    assert (out.loc[valid, "status_klasse"] == published.loc[valid, "SI_N"]).sum() == 536
    assert (out.loc[valid, "dynamik_klasse"] == published.loc[valid, "DI_N"]).sum() == 536
    assert (out.loc[valid, "status_dynamik"] == published.loc[valid, "SDI_N"]).sum() == 536
    assert (out.loc[valid, "status_label"] == published.loc[valid, "SI_V"]).all()
    assert (out.loc[valid, "dynamik_label"] == published.loc[valid, "DI_V"]).all()
    assert published.loc[valid, "SI_N"].value_counts().sort_index().tolist() == [75, 366, 46, 49]
    assert index.status_.value_counts().sort_index().tolist() == [75, 366, 46, 49]
    assert index.dynamik_.value_counts().sort_index().tolist() == [48, 436, 52]
    assert index.indicators_ == {"status": ["S1", "S3", "S4"], "dynamik": ["D1", "D3", "D4"]}
    text = " ".join(describe_index(index))
    for phrase in ("ddof = 0", "300", "10100205 (Ausreißer)", "Das Ergebnis wurde erneut z-standardisiert",
                   "1 < x ≤ 1,5", "536 von 542"):
        assert phrase in text


@pytest.mark.parametrize("year", [2013, 2015, 2017, 2019])
def test_series_every_planungsraum(shared_data, year):
    path = shared_data / "berlin_mss" / "mss_2013_2021_zeitreihe" / f"mss_{year}_planning_areas.csv"
    raw = pd.read_csv(path, dtype={"id": str, "dynamic_index": str, "status_dynamic_index": str}).set_index("id")
    codes = {c: c.split("_")[0].upper() for c in raw.columns if c[:2] in {"s1", "s2", "s3", "s4", "d1", "d2", "d3", "d4"}}
    frame = raw[list(codes)].rename(columns=codes).replace("-", np.nan).apply(pd.to_numeric)
    index = SozialIndex("mss").fit(frame, einwohner=raw["inhabitants"], year=year)
    n = len(raw)
    assert index.not_rated_.empty
    assert (index.status_ == raw["status_index"]).sum() == n
    assert (index.dynamik_ == raw["dynamic_index"].map(DYNAMIK)).sum() == n
    expected_status = ["S1", "S2", "S3", "S4"] if year <= 2017 else ["S1", "S3", "S4"]
    assert index.indicators_["status"] == expected_status
