"""Benchmark: one Mitte render with v0.1 (commit e7d93af, checked out into a temporary worktree) beside this
version, in one run, as whole CLI renders. Prints seconds and the ratio. Not part of the tests (≈ 4 min).

    python benchmarks/bench_versions.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
V01 = "e7d93af6c329f49c3d860788762737cd79d974ad"


def render(tree: Path, out: Path, extra: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree / "lib")}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sozialplanung.cli", "render", str(tree / "params/berlin/mitte.yaml"),
                    "--ausgabe", str(out), "--notebooks", str(tree / "notebooks"), *extra],
                   cwd=tree, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "v0.1"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(old), V01], check=True,
                       capture_output=True)
        try:
            t_old = render(old, Path(tmp) / "out-alt", [])
            t_new = render(REPO, Path(tmp) / "out-neu", ["--workers", "1", "--force", "-q"])
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)], check=True)
    print(f"Mitte, ganzer CLI-Lauf: v0.1 {t_old:.1f} s, jetzt {t_new:.1f} s, Verhältnis {t_old / t_new:.2f}×")
