"""Shared fixtures: the repository, the real data beside it, small Datenpakete."""

from __future__ import annotations

import os
import shutil
from collections import Counter
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
def mitte_render(tmp_path_factory) -> tuple[Path, Counter]:
    """The Mitte report rendered once per test session as users render it (``sozialplanung render`` in a
    subprocess), counting the fits of each analysis (tests/fitkit.py)."""
    from fitkit import render_counting_fits

    root = tmp_path_factory.mktemp("mitte") / "output"
    fits = render_counting_fits(PARAMS / "berlin" / "mitte.yaml", root, REPO / "notebooks", cwd=REPO)
    return root / "berlin-mitte", fits


@pytest.fixture(scope="session")
def rendered_mitte(mitte_render) -> Path:
    """The rendered Mitte report folder (``output/berlin-mitte``)."""
    return mitte_render[0]


@pytest.fixture(scope="session")
def mitte_fits(mitte_render) -> Counter:
    """How often the Mitte render fitted each analysis."""
    return mitte_render[1]


def withhold(monkeypatch, dp, gid: str, indicator: str, year: int) -> None:
    """Make ``dp`` withhold one more cell (as a primary suppression would), for tests of what depends on it."""
    original = dp.withheld

    def withheld(y=None):
        mask = original(y)
        if y == year:
            mask.loc[gid, indicator] = True
        return mask

    monkeypatch.setattr(dp, "withheld", withheld)
