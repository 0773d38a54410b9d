"""The shipped Gemeinden Datenpaket: loads, matches INKAR's Kreis values, rebuilds byte-identically.

The checks against the Kreis sheets need ../shared/data (skipped without it); the load checks run on
the shipped files alone.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sozialplanung.data.aggregate import aggregate, ancestors, weighted_rates
from sozialplanung.data.datenpaket import load_datenpaket

REPO = Path(__file__).resolve().parents[2]
PAKET = REPO / "lib" / "sozialplanung" / "demo" / "gemeinden"
SCRIPT = REPO / "scripts" / "build_demo_gemeinden.py"
# Thüringen's Gebietsreform 2019: in 2017–2018 the Kreis sheet counts Gemeinden in their old Kreis (pairs
# 16054/16070, 16063/16066, 16072/16073), and in 2019 merged Gemeinden have partial annual averages.
THUERINGEN_REFORM = {2017: {"16054", "16063", "16066", "16070", "16072", "16073"},
                     2018: {"16054", "16063", "16066", "16070", "16072", "16073"},
                     2019: {"16070"}}

PARAMS = """\
kommune: "Deutschland (Gemeinden)"
slug: deutschland-gemeinden
report_year: 2021
edition: oeffentlich
areas:
  file: paket:gemeinden/gebiete.gpkg
  layer: {layer}
  level: {level}
  parents:
{parents}
data:
  file: paket:gemeinden/{data}
  population: ew_15bis65
catalogue: paket:gemeinden/{catalogue}
recipe: null
datenschutz:
  min_population: 0
  min_count: 3
  secondary: false   # over all 10,990 Gemeinden the secondary suppression does not finish (see report)
sources: ["INKAR 03/2024", "© GeoBasis-DE / BKG 2021 (Daten verändert)"]
analyses:
  run: []
"""
PARENTS = {"Gemeindeverband": "    - {column: gemeindeverband_id, level: Gemeindeverband, layer: gemeindeverbaende}",
           "Kreis": "    - {column: kreis_id, level: Kreis, layer: kreise}",
           "Land": "    - {column: land_id, level: Land, layer: laender}"}


def _params(tmp_path: Path, gemeindeverbaende: bool = False) -> Path:
    levels = ["Kreis", "Land"] if gemeindeverbaende else ["Gemeindeverband", "Kreis", "Land"]
    text = PARAMS.format(
        layer="gemeindeverbaende" if gemeindeverbaende else "gemeinden",
        level="Gemeindeverband" if gemeindeverbaende else "Gemeinde",
        parents="\n".join(PARENTS[lv] for lv in levels),
        data="daten_gemeindeverbaende.csv" if gemeindeverbaende else "daten.csv",
        catalogue="indikatoren_gemeindeverbaende.yaml" if gemeindeverbaende else "indikatoren.yaml")
    path = tmp_path / ("gemeindeverbaende.yaml" if gemeindeverbaende else "gemeinden.yaml")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def dp(tmp_path_factory):
    return load_datenpaket(_params(tmp_path_factory.mktemp("params")))


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("build_demo_gemeinden", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def kreis_sums(dp):
    """Σ Gemeinden per Kreis and year, with the number of Gemeinden without a value."""
    table = dp.table.set_index("gebiet_id")
    tree = ancestors(dp.areas.index, [("Kreis", dp.areas["Kreis"]), ("Land", 2)])
    return aggregate(table, tree, counts=["arbeitslose", "ew_15bis65"], by=["jahr"])


@pytest.fixture(scope="module")
def inkar_kreise(shared_data, build):
    raw = shared_data / "inkar_kreise" / "inkar_raw_kreise"
    return {"arbeitslose": build.read_inkar(raw / "A_ArbeitslosigkeitKreis.xls", 5),
            "ew_15bis65": build.read_inkar(raw / "A_ErwerbsfaehigeBevoelkerungKreis.xls", 5)}


# -- the shipped package -------------------------------------------------------------------------------

def test_loads_with_all_levels(dp):
    assert len(dp.areas) == 10_990 and dp.years() == [2017, 2018, 2019, 2020, 2021]
    assert {k: len(v) for k, v in dp.parents.items()} == {"Gemeindeverband": 4600, "Kreis": 400, "Land": 16}
    assert dp.areas.index.str.fullmatch(r"\d{8}").all()
    assert (dp.areas["Kreis"] == dp.areas.index.str[:5]).all() and (dp.areas["Land"] == dp.areas.index.str[:2]).all()
    assert (dp.areas["Gemeindeverband"].str[:5] == dp.areas["Kreis"]).all()
    assert dp.areas.crs.to_epsg() == 25832
    assert dp.parents["Kreis"].loc["16063", "name"] == "Wartburgkreis"
    assert dp.parents["Land"].loc["09", "name"] == "Bayern"


def test_gemeindeverband_comes_from_the_ars_not_an_ags_prefix(dp):
    speicher = dp.areas.index[dp.areas["Gemeindeverband"] == "072325007"]
    assert len(speicher) == 9 and "07232123" in speicher
    assert dp.parents["Gemeindeverband"].loc["072325007", "name"].startswith("Speicher")
    # Gebietsstand 2022: Weser-Aue from the Samtgemeinden Liebenau and Marklohe
    assert (dp.areas["Gemeindeverband"] == "032565411").sum() == 6


def test_single_gemeinde_kreise(dp):
    sizes = dp.areas["Kreis"].value_counts()
    assert (sizes == 1).sum() == 106
    assert sizes["07232"] == 234


def test_withheld_values_stay_missing(dp):
    rows = dp.rows(2021)
    missing = rows["arbeitslose"].isna()
    assert missing.sum() == 203
    assert (rows.loc[missing, "ew_15bis65"] == 0).all()  # 2021: all of them uninhabited
    assert rows["ew_15bis65"].notna().all()
    assert pd.isna(dp.rows(2020).loc["16065089", "arbeitslose"])  # Greußen, withheld in the source
    assert np.isnan(dp.raw_values(2021).loc[missing, "arbeitslosenanteil"]).all()


def test_same_values_as_the_bitburg_package(dp):
    bitburg = pd.read_csv(REPO / "lib" / "sozialplanung" / "demo" / "bitburg_pruem" / "daten.csv",
                          dtype={"gebiet_id": str}).set_index(["gebiet_id", "jahr"])
    ours = dp.table.set_index(["gebiet_id", "jahr"]).reindex(bitburg.index)
    pd.testing.assert_frame_equal(ours[bitburg.columns].astype("Int64"), bitburg.astype("Int64"))


def test_gemeindeverband_package_with_income_tax(tmp_path):
    gv = load_datenpaket(_params(tmp_path, gemeindeverbaende=True))
    assert len(gv.areas) == 4600 and set(gv.parents) == {"Kreis", "Land"}
    tax = gv.raw_values(2021)["einkommensteuer"]
    assert tax.isna().sum() == 204 and (gv.rows(2021).loc[tax.isna(), "ew_15bis65"] == 0).all()
    rows = gv.rows(2021)
    kreis = weighted_rates(rows, gv.areas["Kreis"], {"einkommensteuer_je_ew": "ew_15bis65"})
    single = gv.areas["Kreis"].value_counts().pipe(lambda s: s.index[s == 1])
    assert not kreis.loc[single, "einkommensteuer_je_ew_approximate"].any()  # e.g. kreisfreie Städte: exact
    assert kreis["einkommensteuer_je_ew_approximate"].sum() == 400 - len(single)
    assert kreis.loc["07232", "einkommensteuer_je_ew"] == pytest.approx(
        np.average(rows.loc[gv.areas["Kreis"] == "07232", "einkommensteuer_je_ew"],
                   weights=rows.loc[gv.areas["Kreis"] == "07232", "ew_15bis65"]))


# -- against INKAR's Kreis sheets -----------------------------------------------------------------------

def _kreis(kreis_sums, year: int) -> pd.DataFrame:
    return kreis_sums["Kreis"].xs(year, level="jahr")


@pytest.mark.parametrize("year", [2019, 2021])
def test_residents_15_65_sum_exactly_to_every_kreis(kreis_sums, inkar_kreise, year):
    sums = _kreis(kreis_sums, year)
    assert len(sums) == 400 and (sums["ew_15bis65_missing"] == 0).all()
    assert sums["ew_15bis65"].astype("Int64").equals(inkar_kreise["ew_15bis65"][year].reindex(sums.index))


@pytest.mark.parametrize("year", [2017, 2018, 2020])
def test_residents_15_65_differences_explained(kreis_sums, inkar_kreise, year):
    sums = _kreis(kreis_sums, year)
    diff = sums["ew_15bis65"] - inkar_kreise["ew_15bis65"][year].reindex(sums.index).astype(float)
    differ = set(diff.index[diff != 0])
    if year in THUERINGEN_REFORM:  # Gemeinden counted in another Kreis: differences cancel within the Land
        assert differ == THUERINGEN_REFORM[year] and diff[list(differ)].sum() == 0
    else:  # 2020: Neitersen, missing in the source
        assert differ == {"07132"} and sums.loc["07132", "ew_15bis65_missing"] == 1 and diff["07132"] < 0


@pytest.mark.parametrize("year", [2017, 2018, 2019, 2020, 2021])
def test_unemployed_differences_explained(kreis_sums, inkar_kreise, year):
    """Σ Gemeinden vs Kreis: within rounding (annual averages rounded per Gemeinde), else a missing member."""
    sums = _kreis(kreis_sums, year)
    kreis = inkar_kreise["arbeitslose"][year].reindex(sums.index).astype(float)
    diff = sums["arbeitslose"] - kreis
    known = sums["members"] - sums["arbeitslose_missing"]
    beyond = diff.abs() > (known + 1) / 2
    withheld = beyond & (sums["arbeitslose_missing"] > 0)
    assert (diff[withheld] < 0).all()  # the sum of the known members stays below the Kreis value
    assert set(beyond.index[beyond & ~withheld]) <= THUERINGEN_REFORM.get(year, set())
    if year == 2021:
        assert not beyond.any() and (diff != 0).sum() == 234
        single = sums["members"] == 1
        assert single.sum() == 106 and (diff[single] == 0).all()
    if year == 2020:
        assert list(beyond.index[beyond]) == ["16065"]  # Kyffhäuserkreis: Greußen withheld


def test_rebuild_is_byte_identical(shared_data, build, tmp_path):
    build.main(shared_data, tmp_path)
    for name in ("gebiete.gpkg", "daten.csv", "daten_gemeindeverbaende.csv"):
        digest = [hashlib.sha256((d / name).read_bytes()).hexdigest() for d in (tmp_path, PAKET)]
        assert digest[0] == digest[1], name
