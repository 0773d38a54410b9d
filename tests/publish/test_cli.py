"""The command line: ``validate`` (three mistakes, three German messages, exit ≠ 0), German argparse texts,
-v/-q, ``--version``, ``beispiele``; ``validate`` loads no plotting, modelling or rendering library."""

import shutil
import subprocess
import sys

import pytest

from conftest import REPO, edit_yaml


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


HEAVY = ["matplotlib", "sklearn", "statsmodels", "papermill", "distributed", "weasyprint", "typst", "esda", "seaborn"]


def test_validate_loads_no_plotting_modelling_or_rendering_library():
    probe = ("import sys\nfrom sozialplanung.cli import main\ncode = main(['validate', 'params/berlin/mitte.yaml'])\n"
             f"print('LOADED', *[m for m in {HEAVY!r} if m in sys.modules], code)")
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert res.stdout.splitlines()[-1] == "LOADED 0", res.stderr


def test_default_timeout_is_the_batch_engines():
    from sozialplanung.cli import DEFAULT_TIMEOUT
    from sozialplanung.publish.batch import DEFAULT_TIMEOUT as BATCH

    assert DEFAULT_TIMEOUT == BATCH


def test_help_is_german():
    res = run("--help")
    assert res.stdout.startswith("Aufruf: sozialplanung") and "Befehle:" in res.stdout and "Optionen:" in res.stdout
    assert "diese Hilfe anzeigen und beenden" in res.stdout and "usage" not in res.stdout
    for command in ("validate", "render", "neu", "beispiele"):
        text = run(command, "--help").stdout
        assert "Positionsargumente:" in text and "Optionen:" in text and "-v, --ausführlich" in text, command
        assert not {"usage", "show this", "positional arguments", "options:"} & set(text.split("\n")), command
    assert "Berichte" in run("render", "--help").stdout


def test_argparse_errors_are_german_and_exit_2():
    cases = {("valdate",): "Argument BEFEHL: unbekannte Auswahl: 'valdate' (möglich: 'validate',", ("validate",): "diese Argumente fehlen: PARAMS",
             ("validate", "x.yaml", "--foo"): "unbekannte Argumente: --foo",
             ("render", "x.yaml", "--workers", "0"): "Argument --workers: „0“ ist keine ganze Zahl ≥ 1",
             ("neu", "ordner"): "diese Argumente fehlen: --gebiete", ("validate", "-v", "-q", "x.yaml"):
             "Argument -q/--leise: nicht zusammen mit dem Argument -v/--ausführlich/--ausfuehrlich erlaubt"}
    for args, message in cases.items():
        res = run(*args)
        assert res.returncode == 2 and "Aufruf: sozialplanung" in res.stderr, args
        assert f": Fehler: {message}" in res.stderr, res.stderr


def test_verbose_shows_every_check_and_quiet_nothing():
    normal, verbose, quiet = (run("validate", *flag, "params/berlin/mitte.yaml") for flag in ([], ["-v"], ["-q"]))
    assert normal.returncode == verbose.returncode == quiet.returncode == 0
    assert len(verbose.stdout.splitlines()) > len(normal.stdout.splitlines()) and "(alle Prüfungen: -v)" in normal.stdout
    assert "Kennungen eindeutig" in verbose.stdout and quiet.stdout == ""


def test_beispiele_lists_and_copies(tmp_path):
    listed = run("beispiele")
    assert listed.returncode == 0 and "params/berlin/mitte.yaml" in listed.stdout and "Berlin-Mitte" in listed.stdout
    res = run("beispiele", str(tmp_path / "bsp"))
    assert res.returncode == 0 and f"cd {tmp_path / 'bsp'}" in res.stdout
    from conftest import REPO

    for rel in ("notebooks/09_sozialbericht.ipynb", "params/rezepte/mss.yaml", "params/berlin/texte/einleitung.md"):
        assert (tmp_path / "bsp" / rel).read_bytes() == (REPO / rel).read_bytes()
    again = run("beispiele", str(tmp_path / "bsp"))
    assert again.returncode == 2 and "--force" in again.stderr and "Traceback" not in again.stderr
    checked = subprocess.run([sys.executable, "-m", "sozialplanung.cli", "validate", "-q", "params/berlin/mitte.yaml"],
                             cwd=tmp_path / "bsp", capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_version():
    from importlib.metadata import version

    res = run("--version")
    assert res.returncode == 0 and res.stdout.strip() == f"sozialplanung {version('sozialplanung')}"


def test_readme_lists_every_command_and_option_with_its_help():
    from sozialplanung.cli import command_table

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = readme.split("<!-- befehle:anfang -->\n")[1].split("\n<!-- befehle:ende -->")[0]
    assert shown == command_table(), "README-Tabelle „Befehle und Optionen“ neu erzeugen: python -c \"from " \
        "sozialplanung.cli import command_table; print(command_table())\""
    for option in ("--gebiete", "--daten", "--kommune", "--ebene", "--ausgabe", "--notebooks", "--workers",
                   "--scheduler", "--zeitlimit", "--nur", "--streng", "--version", "--leise", "--ausführlich"):
        assert f"`{option}`" in shown
