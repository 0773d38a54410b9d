"""tabellen/zeitreihe.csv, statuswechsel.csv and gebietsschluessel.csv of a multi-year report (export.series_tables),
checked against the shipped Datenpaket files read directly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sozialplanung as sp
from sozialplanung.config.params import find_params
from sozialplanung.publish import export

SERIES = find_params("berlin/mitte.yaml")
PAKET = Path(sp.__file__).parent / "demo" / "berlin"


@pytest.fixture(scope="module")
def written():
    dp = sp.load_datenpaket(SERIES)
    return dp, export.series_tables(dp)


def test_zeitreihe_has_every_planungsraum_every_year(written):
    dp, out = written
    z = out["zeitreihe"]
    raw = pd.read_csv(PAKET / "daten.csv", dtype={"gebiet_id": str})
    raw = raw[raw.gebiet_id.str.startswith("01")].set_index(["gebiet_id", "jahr"]).sort_index()
    assert len(raw.index.get_level_values(0).unique()) == 49
    z = z.set_index(["gebiet_id", "jahr"]).sort_index()
    assert z.index.equals(raw.index)  # 49 PLR × 2013, 2015, 2017, 2019, 2021
    np.testing.assert_allclose(z.S1, raw.S1)  # Mitte has no withheld value
    carried = raw.gebietsstand.str.contains("übertragen") & raw.interpoliert
    assert (z.interpoliert == carried).all() and z.interpoliert.sum() == 88
    assert (z.status_amtlich.astype(float).fillna(-1) == raw.mss_status_amtlich.fillna(-1)).all()
    assert z.loc[("01100101", 2013), "datenstand"] == "31.12.2012"


def test_statuswechsel_counts_the_official_classes(written):
    dp, out = written
    m = out["statuswechsel"].set_index("klasse_2019")
    raw = pd.read_csv(PAKET / "daten.csv", dtype={"gebiet_id": str})
    raw = raw[raw.gebiet_id.str.startswith("01")]
    then = raw[raw.jahr == 2019].set_index("gebiet_id")
    now = raw[raw.jahr == 2021].set_index("gebiet_id").mss_status_amtlich
    labels = {1: "hoch", 2: "mittel", 3: "niedrig", 4: "sehr niedrig"}
    both = then.mss_status_amtlich.notna()
    direct = pd.crosstab(then.mss_status_amtlich[both].map(labels), now[both.index[both]].map(labels))
    for a in direct.index:
        for b in direct.columns:
            assert m.at[a, b] == direct.at[a, b]
    assert m.at["Summe", "Summe"] == 49
    assert m.at["nicht eindeutig", "Summe"] == (then.mss_bewertung == "nicht eindeutig").sum()


def test_gebietsschluessel_rows_of_the_shown_areas(written):
    dp, out = written
    key = out["gebietsschluessel"]
    assert set(key.neu_id) == set(dp.shown_ids) and key.alt_id.str.startswith("01").all()
    full = pd.read_csv(PAKET / "tabellen" / "gebietsschluessel.csv", dtype={"alt_id": str, "neu_id": str})
    # no piece crosses a Bezirk boundary: Mitte's old areas go to Mitte's new areas only
    assert np.allclose(key.groupby("alt_id").gewicht.sum(), 1)
    assert len(key) == (full.neu_id.str.startswith("01")).sum()


def test_report_without_series_manifest_has_no_series_tables():
    """Years without a zeitreihe.yaml (INKAR Kreise: one Gebietsstand) get trend charts, not the series tables."""
    assert export.series_tables(sp.load_datenpaket(find_params("deutschland/kreise.yaml"))) == {}
