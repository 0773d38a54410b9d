"""Nothing is lost: a run killed at any moment leaves ``output/<slug>`` the complete old or new report.

A forked child writes a big staging folder (with a manifest of output hashes) and publishes it
with :func:`sozialplanung.publish.render.publish`; the parent kills it with SIGKILL at random moments, while
the staging folder is written or inside the publish step, and checks every file of
``output/<slug>`` against the manifest hashes. Then a new run must work despite the leftovers.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path

import pytest

from sozialplanung.publish import render
from sozialplanung.data.manifest import add_output_hashes, read_manifest, sha256, write_manifest
from conftest import REPO

SLUG = "berlin-mitte"
N_FILES, SIZE = 120, 40_000


def make_report(folder: Path, tag: str) -> None:
    """A report-like folder: notebooks, tables, a big HTML, and manifest.json with every hash."""
    (folder / "notebooks").mkdir(parents=True)
    (folder / "tabellen").mkdir()
    for i in range(N_FILES):
        sub = "notebooks" if i % 3 == 0 else "tabellen"
        (folder / sub / f"datei_{i:03d}.txt").write_text(f"{tag}:{i}:" + tag[0] * SIZE, encoding="utf-8")
    (folder / "bericht.html").write_text(f"<html>{tag}</html>", encoding="utf-8")
    write_manifest(add_output_hashes({"kommune": tag}, folder), folder)


def verify(final: Path) -> str:
    """The tag of the complete report in ``final``; fails on any mix, missing or extra file."""
    manifest = read_manifest(final)
    files = {str(p.relative_to(final)) for p in final.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert files == set(manifest["ausgaben"]), "Dateien fehlen oder sind zu viel"
    for rel, digest in manifest["ausgaben"].items():
        assert sha256(final / rel) == digest, f"{rel} gehört nicht zum Bericht {manifest['kommune']}"
    return manifest["kommune"]


def child(root: Path, tag: str, ready: Path) -> None:
    staging = root / f".{SLUG}.neu-{os.getpid()}"
    make_report(staging, tag)
    ready.touch()
    render.publish(staging, root / SLUG)


def run_and_kill(root: Path, tag: str, *, during_publish: bool, rng: random.Random) -> None:
    ready = root / f"bereit-{tag}"
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 0
        try:
            child(root, tag, ready)
        except BaseException:  # noqa: BLE001 - report through the exit code only
            code = 1
        os._exit(code)
    if during_publish:
        deadline = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.0005)
        time.sleep(rng.choice([0, 0.0002, 0.001, 0.003, 0.01, 0.03]))
    else:
        time.sleep(rng.uniform(0, 0.05))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


@pytest.mark.parametrize("during_publish", [False, True], ids=["beim_schreiben", "beim_veroeffentlichen"])
def test_killed_run_leaves_old_or_new_report(tmp_path, during_publish):
    rng = random.Random(1 if during_publish else 2)
    root = tmp_path / "output"
    make_report(root / SLUG, "alt-0")
    seen = {"alt-0"}
    current = "alt-0"
    for i in range(1, 13):
        tag = f"neu-{i}"
        run_and_kill(root, tag, during_publish=during_publish, rng=rng)
        found = verify(root / SLUG)
        assert found in (current, tag)
        current = found
        seen.add(found)
    if during_publish:
        assert len(seen) > 1, "kein Lauf wurde veröffentlicht – der Test hat den Tausch nie erreicht"


def _fake_execute(input_path, output_path, parameters=None, **kwargs):
    nb = {"cells": [], "metadata": {"parameters": parameters}, "nbformat": 4, "nbformat_minor": 5}
    Path(output_path).write_text(json.dumps(nb), encoding="utf-8")


def test_new_run_after_kills_cleans_leftovers(tmp_path, mitte_params, monkeypatch):
    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", _fake_execute)
    root = tmp_path / "output"
    make_report(root / SLUG, "alt-0")
    rng = random.Random(3)
    for i in range(3):
        run_and_kill(root, f"neu-{i}", during_publish=False, rng=rng)
    dead = root / f".{SLUG}.neu-999999999"  # a staging folder of a process that no longer exists
    make_report(dead, "tot")
    final = render.render_one(mitte_params, output_root=root, notebooks=REPO / "notebooks")
    assert final == (root / SLUG).resolve()
    assert read_manifest(final)["kommune"] == "Berlin-Mitte"
    assert not list(root.glob(f".{SLUG}.neu-*")), "verwaiste Staging-Ordner wurden nicht entfernt"
