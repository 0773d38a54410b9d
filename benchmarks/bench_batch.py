"""Benchmark of the batch engine, side by side in one run on the same reports:

- the naive loop: one ``sozialplanung render FILE --workers 1`` process per report,
- one batch with ``--workers 1`` and with ``--workers 2``,
- the same batch on a Dask ``LocalCluster`` with 2 workers started beforehand (``--scheduler``),
- the unchanged rerun (incremental: every report skipped).

Default: the 12 Berlin Bezirk reports (``params/berlin/*.yaml`` except ``berlin.yaml``; about an hour on
2 cores). ``--quick``: 2 small reports (Mitte and Spandau without analyses), a few minutes.
Prints seconds per report and the ratios. ``python benchmarks/bench_batch.py [--quick]``
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"


def bezirke() -> list[Path]:
    return sorted(p for p in (REPO / "params" / "berlin").glob("*.yaml") if p.name != "berlin.yaml")


def small(folder: Path) -> list[Path]:
    """Mitte and Spandau without analyses and chapter texts (notebooks 01, 02 and 09 run)."""
    shutil.copytree(REPO / "params" / "berlin", folder / "berlin")
    shutil.copytree(REPO / "params" / "rezepte", folder / "rezepte")
    files = [folder / "berlin" / f"{name}.yaml" for name in ("mitte", "spandau")]
    for path in files:
        text = path.read_text(encoding="utf-8").replace("\nanalyses:\n", "\nanalyses:\n  run: []\n", 1)
        path.write_text(text.replace("\ntexts: texte\n", "\ntexts: null\n"), encoding="utf-8")
    return files


def render(files: list[Path], out: Path, *options: str) -> float:
    start = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "sozialplanung.cli", "render", "-q", "--ausgabe", str(out),
                          "--notebooks", str(NOTEBOOKS), *options, *map(str, files)], cwd=REPO)
    if res.returncode != 0:
        raise SystemExit(f"render {' '.join(options)} fehlgeschlagen (Exit-Code {res.returncode})")
    return time.perf_counter() - start


def local_cluster(files: list[Path], out: Path) -> float:
    """A LocalCluster with 2 workers started before the clock runs, used through ``--scheduler``."""
    import logging

    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        return render(files, out, "--force", "--scheduler", cluster.scheduler_address)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 kleine Berichte statt der 12 Bezirke")
    args = parser.parse_args()
    times = {}

    def measure(label, run):
        times[label] = run()
        print(f"{label:45s} {times[label]:8.1f} s  {times[label] / len(files):7.1f} s je Bericht", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = small(tmp / "params") if args.quick else bezirke()
        measure("naive Schleife (ein Prozess je Bericht)",
                lambda: sum(render([f], tmp / "naiv", "--workers", "1") for f in files))
        measure("--workers 1", lambda: render(files, tmp / "w1", "--workers", "1", "--force"))
        measure("--workers 2", lambda: render(files, tmp / "w2", "--workers", "2", "--force"))
        measure("Dask LocalCluster, 2 Worker (--scheduler)", lambda: local_cluster(files, tmp / "dask"))
        measure("unveränderter Neulauf (--workers 2)", lambda: render(files, tmp / "w2", "--workers", "2"))
    print(f"\n{len(files)} Berichte ({'--quick' if args.quick else 'Berliner Bezirke'})")
    t = list(times.values())
    print(f"\n--workers 2 gegenüber --workers 1:        {t[1] / t[2]:.2f}× schneller (Ziel ≥ 1,7×)")
    print(f"--workers 1 gegenüber naiver Schleife:     {t[0] / t[1]:.2f}× schneller")
    print(f"LocalCluster / --workers 2:                {t[3] / t[2]:.2f} (Ziel ≤ 1,2)")
    print(f"unveränderter Neulauf / erster Lauf:       {t[4] / t[2]:.1%} (Ziel ≤ 5 %)")


if __name__ == "__main__":
    main()
