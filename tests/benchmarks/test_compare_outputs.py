"""benchmarks/compare_outputs.py: which files of two render folders differ, and where first."""

from __future__ import annotations

import importlib.util
import re
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "compare_outputs.py"
spec = importlib.util.spec_from_file_location("compare_outputs", SCRIPT)
compare_outputs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_outputs)


def _xlsx(path: Path, value, created: str) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["B2"] = "Gebiet", value
    wb.save(path)
    with zipfile.ZipFile(path) as z:  # set the creation time, as a later run would write it
        members = {n: z.read(n) for n in z.namelist()}
    members["docProps/core.xml"] = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created.encode(),
                                          members["docProps/core.xml"])
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


def _gpkg(path: Path, rows) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE gpkg_contents (table_name TEXT, last_change TEXT, geom BLOB)")
    con.executemany("INSERT INTO gpkg_contents VALUES (?, ?, ?)", rows)
    con.commit()
    con.close()


@pytest.fixture()
def folders(tmp_path):
    old, new = tmp_path / "alt", tmp_path / "neu"
    for root in (old, new):
        (root / "tabellen").mkdir(parents=True)
        (root / "tabellen" / "gleich.csv").write_text("gebiet_id;wert\n01;1,5\n", "utf-8")
    (old / "tabellen" / "anders.csv").write_text("gebiet_id;wert\n01;1,5\n02;2,0\n03;3,0\n", "utf-8")
    (new / "tabellen" / "anders.csv").write_text("gebiet_id;wert\n01;1,5\n02;2,1\n03;3,0\n", "utf-8")
    (old / "tabellen" / "weg.csv").write_text("x\n", "utf-8")
    _xlsx(old / "zeit.xlsx", 1.5, "2026-12-02T15:06:22Z")
    _xlsx(new / "zeit.xlsx", 1.5, "2026-12-02T15:18:28Z")
    _xlsx(old / "zelle.xlsx", 1.5, "2026-12-02T15:06:22Z")
    _xlsx(new / "zelle.xlsx", 1.6, "2026-12-02T15:06:22Z")
    _gpkg(old / "ergebnisse.gpkg", [("a", "2026-12-02T15:08:57.392Z", b"\x00" * 9), ("b", "2026-12-02T15:08:58Z", None)])
    _gpkg(new / "ergebnisse.gpkg", [("b", "2026-12-02T15:20:16Z", None), ("a", "2026-12-02T15:20:17.001Z", b"\x01" * 9)])
    return old, new


def test_each_difference_is_named_with_its_first_rows(folders):
    same, report = compare_outputs.compare(*folders, compare_outputs.DEFAULT_PATTERNS)
    assert same == ["tabellen/gleich.csv"]
    heads = [line for line in report if not line.startswith(" ")]
    assert heads == ["NUR ZEITSTEMPEL: ergebnisse.gpkg", "VERSCHIEDEN: tabellen/anders.csv", "NUR ALT: tabellen/weg.csv",
                     "NUR ZEITSTEMPEL: zeit.xlsx", "VERSCHIEDEN: zelle.xlsx"]
    text = "\n".join(report)
    assert "  -02;2,0\n  +02;2,1" in text and "01;1,5" not in text  # only the differing row
    assert "B2: 1.5 [General] → 1.6 [General]" in text


def test_exit_status_says_whether_anything_differs_beyond_timestamps(folders, capsys):
    old, new = folders
    assert compare_outputs.main([str(old), str(new)]) == 1
    assert "1 Dateien byte-gleich, 2 nur im Zeitstempel verschieden, 3 verschieden" in capsys.readouterr().out
    assert compare_outputs.main([str(old), str(new), "--muster", "*.gpkg", "--muster", "zeit.xlsx"]) == 0
