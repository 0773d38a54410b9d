"""Sitzungen für Tests, Demo und JupyterLab (``nox -l`` listet sie)."""

from __future__ import annotations

import os

import nox

nox.needs_version = ">=2024.4.15"
nox.options.default_venv_backend = "uv|venv"  # uv installs the packages in seconds (pip: 3 minutes); without uv, venv + pip
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")  # as pip does: with PYTHONDONTWRITEBYTECODE, every import would compile
PYPROJECT = nox.project.load_toml("pyproject.toml")
TEST_DEPS = PYPROJECT["dependency-groups"]["test"]


@nox.session
def tests(session: nox.Session) -> None:
    """Tests und Doctests ausführen (wie in der README)."""
    session.install("-e", ".", *TEST_DEPS)
    # two workers (the machine has 2 cores); tests that share a rendered report run in one worker
    session.run("pytest", "-n", "2", "--dist", "loadgroup", "--doctest-modules", "--durations=25", "lib", "tests",
                *session.posargs)


@nox.session(default=False)
def demo(session: nox.Session) -> None:
    """Demo rendern: Berlin und seine 12 Bezirke, dazu output/index.html."""
    session.install("-e", ".")
    files = sorted(str(p) for p in __import__("pathlib").Path("params/berlin").glob("*.yaml"))
    session.run("sozialplanung", "render", "--workers", "2", *files, *session.posargs)


@nox.session(default=False)
def lab(session: nox.Session) -> None:
    """JupyterLab mit einem Kernel öffnen, in dem das Paket installiert ist."""
    session.install("-e", ".")
    session.run("python", "-m", "ipykernel", "install", "--sys-prefix", "--name", "sozialplanung",
                "--display-name", "Python (sozialplanung)")
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # e.g. in a container
    session.run("jupyter", "lab", "notebooks", *as_root, *session.posargs)


@nox.session(default=False)
def benchmarks(session: nox.Session) -> None:
    """Benchmarks ausführen (nicht Teil der Tests)."""
    # weasyprint: the PDF engine of v0.1, which bench_report.py renders side by side with this version
    session.install("-e", ".", *TEST_DEPS, "weasyprint>=67")
    for script in sorted(__import__("pathlib").Path("benchmarks").glob("bench_*.py")):
        session.run("python", str(script))
