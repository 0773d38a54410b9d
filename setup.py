"""Build step of the wheel: copy the repository's ``notebooks/`` and ``params/`` into the package.

The repository keeps ``notebooks/`` and ``params/`` at its top (the design card's layout: the analyst's
files beside the code, not inside it). A wheel must carry them, so that a ``pip install`` user can
render without a clone: :class:`BuildPy` copies them into the build tree as
``sozialplanung/notebooks/*.ipynb`` and ``sozialplanung/params/**`` (example params, recipes
``params/rezepte/``, texts). Nothing is copied inside the repository itself, and an editable install
copies nothing (the package then finds the repository's folders, see
:func:`sozialplanung.publish.examples.shipped`). tests/test_wheel.py checks that the wheel's copies
equal the repository's files. Everything else is configured in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = {"notebooks": "*.ipynb", "params": "**/*"}
"""Top-level folder of the repository → the files of it the wheel carries (inside ``sozialplanung/``)."""


def shipped_files() -> dict[str, Path]:
    """Path inside the package → file of the repository, for every shipped file."""
    out = {}
    for folder, pattern in SHIPPED.items():
        for path in sorted((HERE / folder).glob(pattern)):
            rel = path.relative_to(HERE)
            if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in rel.parts):
                out[rel.as_posix()] = path
    return out


class BuildPy(build_py):
    """``build_py`` that also copies :func:`shipped_files` into the package of the build tree."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "sozialplanung"
        for rel, source in shipped_files().items():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / rel)


setup(cmdclass={"build_py": BuildPy})
