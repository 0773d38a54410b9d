"""Notebooks are committed without outputs, have a papermill parameters cell and stay thin."""

import json

import pytest

from conftest import REPO
from sozialplanung.publish.render import NOTEBOOKS

FILES = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_render_list_matches_folder():
    assert [f.name for f in FILES] == sorted(NOTEBOOKS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_outputs_and_parameters_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assert "params_file" in "".join(tagged[0]["source"])
    assert len(nb["cells"]) <= 30
    for cell in code:
        src = "".join(cell["source"])
        assert "def " not in src and "class " not in src and "for " not in src, src
