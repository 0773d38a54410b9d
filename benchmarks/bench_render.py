"""Benchmark: rendering reports one after another vs. in parallel (``--workers 2``).

Prints the wall time of both runs side by side and their ratio. Run with ``nox -s benchmarks``
(not part of the tests: it takes several minutes).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sozialplanung.publish.batch import render_many

REPO = Path(__file__).resolve().parents[1]
FILES = [REPO / "params" / "berlin" / f"{name}.yaml" for name in ("mitte", "spandau", "pankow", "neukoelln")]


def timed(jobs: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        results = render_many(FILES, output_root=out, notebooks=REPO / "notebooks", jobs=jobs, echo=lambda *_: None,
                              force=True)
        assert all(r.ok for r in results), [r.message for r in results if not r.ok]
        return time.perf_counter() - start


if __name__ == "__main__":
    sequential = timed(1)
    parallel = timed(2)
    print(f"{len(FILES)} Bezirksberichte nacheinander: {sequential:.1f} s ({sequential / len(FILES):.1f} s je Bericht)")
    print(f"{len(FILES)} Bezirksberichte, 2 parallel:  {parallel:.1f} s ({parallel / len(FILES):.1f} s je Bericht)")
    print(f"Beschleunigung: {sequential / parallel:.2f}×")
