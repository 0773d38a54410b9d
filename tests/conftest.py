"""Shared fixtures: the repository, the real data beside it, small Datenpakete."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
PARAMS = REPO / "params"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = REPO.parent / "shared" / "data"
    if not path.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("../shared/data fehlt in CI")
        pytest.skip("../shared/data fehlt (nur im Entwickler-Checkout vorhanden)")
    return path


@pytest.fixture()
def mitte_params(tmp_path) -> Path:
    """A writable copy of the Mitte params (with recipe and texts copied beside it)."""
    target = tmp_path / "params" / "berlin"
    shutil.copytree(PARAMS / "berlin", target)
    shutil.copytree(PARAMS / "rezepte", tmp_path / "params" / "rezepte")
    return target / "mitte.yaml"


def edit_yaml(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} nicht in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def rendered_mitte(tmp_path_factory) -> Path:
    """The Mitte report rendered once per test session through papermill (``output/berlin-mitte``)."""
    from sozialplanung.publish.batch import render_many

    root = tmp_path_factory.mktemp("output")
    results = render_many([PARAMS / "berlin" / "mitte.yaml"], output_root=root, notebooks=REPO / "notebooks",
                          echo=lambda *_: None)
    assert results[0].ok, results[0].message
    return root / "berlin-mitte"


def withhold(monkeypatch, dp, gid: str, indicator: str, year: int) -> None:
    """Make ``dp`` withhold one more cell (as a primary suppression would), for tests of what depends on it."""
    original = dp.withheld

    def withheld(y=None):
        mask = original(y)
        if y == year:
            mask.loc[gid, indicator] = True
        return mask

    monkeypatch.setattr(dp, "withheld", withheld)
