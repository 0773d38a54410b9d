"""Helpers for the batch tests: tiny but real notebooks (papermill runs them in real kernels)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from sozialplanung.publish.render import NOTEBOOKS

from conftest import PARAMS

WRITE_REPORT = """\
from pathlib import Path
Path(output_dir, "bericht.html").write_text(f"<html><body>{Path(params_file).stem}</body></html>", encoding="utf-8")
print(Path(params_file).stem)"""


def notebook(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell('params_file = ""\noutput_dir = ""', metadata={"tags": ["parameters"]}),
                *(nbformat.v4.new_code_cell(c) for c in cells)]
    return nb


def tiny_notebooks(folder: Path, **extra: str) -> Path:
    """The seven notebooks, each writing ``bericht.html``; ``extra[name]`` adds a cell (e.g. a crash)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in NOTEBOOKS:
        key = name.removesuffix(".ipynb")
        cells = [WRITE_REPORT] + ([extra[key]] if key in extra else [])
        nbformat.write(notebook(*cells), folder / name)
    return folder


def berlin_params(tmp_path: Path, *names: str) -> list[Path]:
    """Writable copies of Berlin params files for small reports: no analyses (notebooks 01, 02, 09 run)."""
    target = tmp_path / "params" / "berlin"
    if not target.exists():
        shutil.copytree(PARAMS / "berlin", target)
        shutil.copytree(PARAMS / "rezepte", tmp_path / "params" / "rezepte")
        for path in target.glob("*.yaml"):
            text = path.read_text(encoding="utf-8").replace("\nanalyses:\n", "\nanalyses:\n  run: []\n", 1)
            path.write_text(text.replace("\ntexts: texte\n", "\ntexts: null\n"), encoding="utf-8")
    return [target / f"{n}.yaml" for n in names]
