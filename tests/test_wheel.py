"""The wheel carries the notebooks, the example params and the recipes, equal to the repository's files,
and an installed (non-editable) copy finds them from an empty folder (issue 13, item 4).

Built offline from a copy of the sources (nothing is written into the checkout), without build
isolation: the test environment's setuptools (≥ 77, a test dependency) builds it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO
from onboardingkit import fill_in

SOURCES = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "lib", "notebooks", "params"]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")


def repo_files(folder: str, pattern: str = "**/*") -> dict[str, bytes]:
    root = REPO / folder
    return {f"sozialplanung/{p.relative_to(REPO).as_posix()}": p.read_bytes() for p in sorted(root.glob(pattern))
            if p.is_file() and "__pycache__" not in p.parts and not any(s.startswith(".") for s in
                                                                       p.relative_to(root).parts)}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tmp / "src" / name, ignore=IGNORE)
        else:
            (tmp / "src").mkdir(exist_ok=True)
            shutil.copy2(source, tmp / "src" / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index", "-q",
                    "-w", str(tmp / "dist"), str(tmp / "src")], check=True, capture_output=True, timeout=120)
    (found,) = (tmp / "dist").glob("sozialplanung-*.whl")
    return found


def test_wheel_carries_notebooks_params_and_recipes_equal_to_the_repository(wheel):
    with zipfile.ZipFile(wheel) as zf:
        inside = {n: zf.read(n) for n in zf.namelist() if n.startswith(("sozialplanung/notebooks/",
                                                                          "sozialplanung/params/"))}
        names = set(zf.namelist())
    expected = {**repo_files("notebooks", "*.ipynb"), **repo_files("params")}
    assert sorted(inside) == sorted(expected)
    assert [n for n in inside if inside[n] != expected[n]] == []
    assert {"sozialplanung/params/rezepte/mss.yaml", "sozialplanung/params/rezepte/sozialformel.yaml",
            "sozialplanung/notebooks/09_sozialbericht.ipynb", "sozialplanung/params/berlin/mitte.yaml"} <= names
    assert "sozialplanung/demo/berlin/daten.csv" in names  # the data the example params name with paket:
    assert not any(n.startswith(("tests/", "notebooks/", "params/")) for n in names)  # nothing outside the package


def test_installed_wheel_finds_its_examples_from_an_empty_folder(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(site),
                    str(wheel)], check=True, capture_output=True, timeout=120)
    work = tmp_path / "leer"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = ("import sozialplanung, sys; from sozialplanung.publish.examples import shipped; "
             "from sozialplanung.publish.batch import default_notebooks; "
             "from sozialplanung.config.params import find_params, shipped_recipe; "
             "print(sozialplanung.__file__); print(shipped('notebooks')); print(shipped('params')); "
             "print(find_params('berlin/mitte.yaml')); print(shipped_recipe('sozialformel')); "
             "print(default_notebooks().resolve())")
    out = subprocess.run([sys.executable, "-c", probe], cwd=work, env=env, capture_output=True, text=True,
                         check=True).stdout.split("\n")
    package = site / "sozialplanung"
    assert out[0] == str(package / "__init__.py")
    assert out[1:6] == [str(package / "notebooks"), str(package / "params"), str(package / "params/berlin/mitte.yaml"),
                        str(package / "params/rezepte/sozialformel.yaml"), str(package / "notebooks")]
    copied = subprocess.run([sys.executable, "-m", "sozialplanung.cli", "beispiele", "meine"], cwd=work, env=env,
                            capture_output=True, text=True)
    assert copied.returncode == 0, copied.stderr
    assert (work / "meine" / "notebooks" / "09_sozialbericht.ipynb").read_bytes() == \
        (REPO / "notebooks" / "09_sozialbericht.ipynb").read_bytes()
    assert (work / "meine" / "params" / "rezepte" / "mss.yaml").is_file()


def test_installed_wheel_scaffolds_and_validates_a_new_kommune_in_an_empty_folder(wheel, tmp_path):
    """neu → fill in → validate with the installed copy, from a folder outside the repository (the whole
    walkthrough with render, in a fresh venv: benchmarks/onboarding_wheel.py)."""
    import geopandas as gpd

    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(site),
                    str(wheel)], check=True, capture_output=True, timeout=120)
    work = tmp_path / "leer"
    (work / "daten").mkdir(parents=True)
    gpd.read_file(REPO / "lib" / "sozialplanung" / "demo" / "berlin" / "gebiete.gpkg", layer="prognoseraeume").to_file(
        work / "daten" / "prognoseraeume.gpkg", driver="GPKG")
    shutil.copy(REPO / "tests" / "onboarding" / "prognoseraeume.xlsx", work / "daten")
    env = {**os.environ, "PYTHONPATH": str(site)}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "sozialplanung.cli", *args], cwd=work, env=env,
                              capture_output=True, text=True, timeout=300)

    made = cli("neu", "berlin", "--gebiete", "daten/prognoseraeume.gpkg", "--daten", "daten/prognoseraeume.xlsx",
               "--kommune", "Berlin", "--ebene", "Prognoseraum")
    assert made.returncode == 0, made.stderr
    first = cli("validate", "berlin/params.yaml")
    assert first.returncode == 2 and "Traceback" not in first.stderr and "definition" in first.stderr
    fill_in(work / "berlin" / "indikatoren.yaml")
    second = cli("validate", "berlin/params.yaml")
    assert second.returncode == 0, second.stderr
    assert "✓ berlin/params.yaml: 58 Gebiete, 3 Indikatoren" in second.stdout
