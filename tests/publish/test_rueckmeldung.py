"""Rückmeldepaket (issue #16): every Gemeinde of a Kreis batch unit gets its Steckbrief, XLSX and GeoPackage, and
the leak scan finds nothing in them. Real data: Landkreis Freudenstadt (08237, 16 Gemeinden), where one Gemeinde
has exactly one unemployed person in 2021 (withheld): its Steckbrief's page footer once read
„<Gemeinde> … Seite 1“, which the scan rightly counted as that withheld case number."""

from __future__ import annotations

from pathlib import Path

import pytest

import sozialplanung as sp
from sozialplanung.publish import leaks, rueckmeldung
from sozialplanung.report import bericht

PARAMS = Path(sp.__file__).resolve().parents[2] / "params" / "deutschland" / "kreise-gemeinden.yaml"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    dp = sp.load_datenpaket(f"{PARAMS}#08237")
    out = tmp_path_factory.mktemp("freudenstadt")
    return dp, out, rueckmeldung.write_rueckmeldung(dp, out, bericht.compute_results(dp, out))


def test_one_package_per_gemeinde(written):
    dp, out, folders = written
    assert sorted(folders) == sorted(dp.shown_ids) and len(folders) == 16
    for gid, folder in folders.items():
        assert sorted(p.name for p in folder.iterdir()) == sorted([f"{gid}.gpkg", f"{gid}.xlsx", "steckbrief.pdf"])


def test_the_withheld_single_case_is_in_no_package(written):
    dp, out, _ = written
    raw = dp.table[dp.table["jahr"] == 2021].set_index("gebiet_id")["arbeitslose"]
    assert (raw.loc[sorted(dp.shown_ids)] == 1).sum() == 1  # the case this test is about
    assert leaks.scan_outputs(out, dp) == []
