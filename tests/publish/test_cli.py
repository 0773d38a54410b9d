"""``sozialplanung validate``: three different mistakes, three different German messages, exit ≠ 0."""

import shutil
import subprocess
import sys

from conftest import edit_yaml


def run(*args):
    return subprocess.run([sys.executable, "-m", "sozialplanung.cli", *args], capture_output=True, text=True)


def test_validate_ok():
    res = run("validate", "params/berlin/mitte.yaml")
    assert res.returncode == 0, res.stderr
    assert "542 Gebiete" in res.stdout


def test_validate_three_mistakes(mitte_params, tmp_path):
    typo = edit_yaml(shutil.copy(mitte_params, tmp_path / "typo.yaml"), "kommune:", "komune:")
    shutil.copy(mitte_params, mitte_params.parent / "x.yaml")
    missing = edit_yaml(mitte_params.parent / "x.yaml", "paket:berlin/gebiete.gpkg", "gebiete_fehlen.gpkg")
    # a data table without the column S3 that the catalogue needs
    from sozialplanung.config.params import read_params
    import pandas as pd

    p = read_params(mitte_params)
    table = pd.read_csv(p.resolve(p.data.file), dtype={"gebiet_id": str}).drop(columns=["S3"])
    table.to_csv(mitte_params.parent / "ohne_s3.csv", index=False)
    shutil.copy(mitte_params, mitte_params.parent / "y.yaml")
    column = edit_yaml(mitte_params.parent / "y.yaml", "paket:berlin/daten.csv", "ohne_s3.csv")

    results = [run("validate", str(f)) for f in (typo, missing, column)]
    assert all(r.returncode != 0 for r in results)
    assert all("Traceback" not in r.stderr for r in results)
    assert "„komune“" in results[0].stderr and "Meinten Sie „kommune“" in results[0].stderr
    assert "„gebiete_fehlen.gpkg“ existiert nicht" in results[1].stderr and "areas.file" in results[1].stderr
    assert "Spalte „S3“ fehlt" in results[2].stderr and "ohne_s3.csv" in results[2].stderr
    assert len({r.stderr for r in results}) == 3


def test_help_is_german():
    res = run("--help")
    assert "Parameterdatei" in res.stdout or "Befehle" in res.stdout
    assert "Berichte" in run("render", "--help").stdout


def test_version():
    from importlib.metadata import version

    res = run("--version")
    assert res.returncode == 0 and res.stdout.strip() == f"sozialplanung {version('sozialplanung')}"
