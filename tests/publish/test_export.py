"""tabellen/zeitreihe.csv, statuswechsel.csv, gebietsschluessel.csv (export.series_tables) and typwechsel.csv
(export.typwechsel_tables) of a multi-year report, checked against the shipped Datenpaket files read directly."""

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


def test_typwechsel_table_of_a_kreis_report_in_csv_and_workbook(tmp_path):
    """NRW (53 shown Kreise, 2017–2021): tabellen/typwechsel.csv is the chapter's matrix, a sheet of
    ergebnisse.xlsx with German headers, and the leak scan passes it."""
    from sozialplanung.publish.leaks import scan_outputs

    dp = sp.load_datenpaket(find_params("deutschland/nordrhein-westfalen.yaml"))
    folder = tmp_path / "bericht"
    export.write_tables(folder, indikatoren=sp.indicators.reference.area_table(dp))
    export.write_workbooks(folder, dp)
    m = pd.read_csv(folder / "tabellen" / "typwechsel.csv").set_index("typ_2020")
    assert list(m.columns) == ["Typ A", "Typ B", "Typ C", "Typ D", "Summe"]
    assert m.loc["Summe", "Summe"] == 53 and m["Summe"].drop("Summe").sum() == 53
    sheets = {name: (heads, rows) for name, heads, rows in export.read_workbook(folder / "ergebnisse.xlsx")}
    assert sheets["typwechsel"][0] == ["typ_2020", "Typ A", "Typ B", "Typ C", "Typ D", "Summe"]
    key = [r for r in sheets["Spalten"][1] if r[0] == "typwechsel"]
    assert [r[2] for r in key] == ["Gebietstyp 2020", "Typ A 2021", "Typ B 2021", "Typ C 2021", "Typ D 2021", "Summe"]
    assert scan_outputs(folder, dp) == []


def test_no_typwechsel_table_where_nothing_can_be_assigned(written):
    """Berlin: the context indicators of the clustering are missing before 2021; decided before any fit."""
    dp, _ = written
    assert export.typwechsel_tables(dp) == {}
