"""environment.yml (conda-forge) lists the same packages as pyproject.toml."""

import re
import tomllib

import pytest
import yaml

from conftest import REPO

RENAME = {"matplotlib-base": "matplotlib", "dask-core": "dask", "typst-py": "typst"}


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req.strip(), maxsplit=1)[0].lower()


def test_environment_matches_pyproject():
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    env = yaml.safe_load((REPO / "environment.yml").read_text())["dependencies"]
    conda = {RENAME.get(_name(d), _name(d)) for d in env if isinstance(d, str)} - {"python", "pip"}
    pip = {_name(d) for d in deps}
    assert conda == pip, f"nur in environment.yml: {conda - pip}; nur in pyproject.toml: {pip - conda}"
    assert {"pip": ["-e ."]} in env


@pytest.mark.xdist_group("gruppenprobe")
def test_xdist_groups_reach_the_scheduler(request):
    """Tests sharing a rendered report rely on ``--dist loadgroup``; the scheduler only sees the group as the
    ``@name`` suffix of the node id (pytest-xdist issue #1386: with pytest 9.2 the suffix is silently lost)."""
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("nur unter pytest -n … --dist loadgroup (wie in noxfile.py)")
    assert request.node.nodeid.endswith("@gruppenprobe"), request.node.nodeid
