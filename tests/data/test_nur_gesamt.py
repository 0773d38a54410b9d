"""``nur_gesamt``: the Gemeinden of the VG Speicher (072325007) appear only as the VG's total – checked on the real
Gemeinden data against the shipped CSV, in the written tables, workbooks and GeoPackage, and by the leak scan
(by id and by value; Gemeinde 07232123 is also named „Speicher“, so names prove nothing)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sozialplanung as sp
from sozialplanung.errors import SozialplanungError
from sozialplanung.indicators import reference
from sozialplanung.publish import export, leaks

PARAMS = Path(sp.__file__).resolve().parents[2] / "params" / "deutschland" / "kreise-gemeinden-speicher.yaml"
CSV = Path(sp.__file__).parent / "demo" / "gemeinden" / "daten.csv"
SPEICHER = ["07232006", "07232010", "07232050", "07232055", "07232104", "07232107", "07232123", "07232289", "07232311"]


@pytest.fixture(scope="module")
def dp():
    return sp.load_datenpaket(f"{PARAMS}#07232")


def test_members_are_replaced_by_the_exact_total(dp):
    raw = pd.read_csv(CSV, dtype={"gebiet_id": str})
    members = raw[raw["gebiet_id"].isin(SPEICHER)]
    assert sorted(members["gebiet_id"].unique()) == SPEICHER  # the nine Gemeinden of the VG, from the source
    assert not set(SPEICHER) & set(dp.areas.index) and "072325007" in dp.shown_ids
    assert dp.areas.at["072325007", "name"] == "Verbandsgemeinde Speicher"
    total = dp.table[dp.table["gebiet_id"] == "072325007"].set_index("jahr")
    for col in ("arbeitslose", "ew_15bis65"):
        assert total[col].to_dict() == members.groupby("jahr")[col].sum().to_dict()
    assert len(dp.shown_ids) == 234 - 9 + 1


def test_no_artifact_names_a_member_and_the_scan_catches_one(dp, tmp_path):
    werte = reference.area_table(dp)
    export.write_tables(tmp_path, indikatoren=werte, vergleich=reference.compare_with_reference(dp))
    export.write_workbooks(tmp_path, dp.areas)
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".xlsx", ".gpkg"):
            assert path.suffix != ".csv" or not any(g in path.read_text(encoding="utf-8") for g in SPEICHER), path
    assert leaks.scan_outputs(tmp_path, dp) == []
    raw = dp.merged_rows.set_index("gebiet_id")
    raw = raw[raw["jahr"] == 2021]
    rate = raw.at["07232123", "arbeitslose"] / raw.at["07232123", "ew_15bis65"] * 100
    (tmp_path / "id.html").write_text("<p>Gemeinde 07232123 gehört zur VG.</p>", encoding="utf-8")
    (tmp_path / "wert.csv").write_text(f"gebiet_id,arbeitslosenanteil\n072325007,{rate:.6f}\n", encoding="utf-8")
    found = leaks.scan_outputs(tmp_path, dp)
    assert ("id.html", "07232123", "nur_gesamt") in {(f.file, f.gebiet_id, f.spalte) for f in found}
    herforst = raw.at["07232050", "arbeitslose"] / raw.at["07232050", "ew_15bis65"] * 100
    row = (f"<table><tr><th>Nr.</th><th>Arbeitslosenanteil</th></tr><tr><th>07232050</th><td>{herforst:.1f}</td>"
           "</tr></table>").replace(".", ",")
    (tmp_path / "wert.html").write_text(row, encoding="utf-8")
    spalten = {f.spalte for f in leaks.scan_outputs(tmp_path, dp) if f.file == "wert.html"}
    assert spalten == {"nur_gesamt", "arbeitslosenanteil"}  # by id and by its own value
    assert {f.file for f in leaks.scan_outputs(tmp_path, dp)} == {"id.html", "wert.html"}  # the VG total is no leak


def test_unknown_or_overlapping_entries_are_german_errors():
    from types import SimpleNamespace as NS

    from sozialplanung.data.nur_gesamt import hidden_members

    areas = pd.DataFrame({"Gemeindeverband": ["V1", "V1", None], "Kreis": ["K", "K", "K"]}, index=["a", "b", "c"])
    params = NS(path="p.yaml", areas=NS(parents=[NS(level="Gemeindeverband"), NS(level="Kreis")]), nur_gesamt=["V1"])
    assert hidden_members(params, areas) == {("Gemeindeverband", "V1"): ["a", "b"]}
    params.nur_gesamt = ["V9"]
    with pytest.raises(SozialplanungError, match="„V9“ ist keine Kennung eines übergeordneten Gebiets"):
        hidden_members(params, areas)
    params.nur_gesamt = ["V1", "K"]
    with pytest.raises(SozialplanungError, match="„K“ überschneidet sich mit einem anderen Eintrag"):
        hidden_members(params, areas)
