"""Benchmark of the batch engine, side by side in one run on the same reports:

- the naive loop: one ``sozialplanung render FILE --workers 1`` process per report,
- one batch with ``--workers 1`` and with ``--workers 2``,
- the same batch on a Dask ``LocalCluster`` with 2 workers started beforehand (``--scheduler``),
- the unchanged rerun (incremental: every report skipped),
- the warm floor: the same library calls as a render without Jupyter, in 2 processes
  (:func:`floor_render`: ``render_one`` with each notebook's code cells executed in the warm process).

Default: the 12 Berlin Bezirk reports (``params/berlin/*.yaml`` except ``berlin.yaml``; about an hour on
2 cores). ``--quick``: 2 small reports (Mitte and Spandau without analyses), a few minutes.
``--kreise N``: N Kreis reports of the Kreis batch ``params/deutschland/kreise-gemeinden.yaml``, spread evenly
over its 400 units (Länder, kreisfreie Städte and Landkreise alike); N=10 takes about a quarter of an hour.
Prints seconds per report and the ratios. ``python benchmarks/bench_batch.py [--quick | --kreise N]``

The floor does all a render does – params, Datenpaket, manifest, every notebook's calls (analyses through
the shared Ergebnisse, ``write_tables``, what a cell shows formatted as Jupyter would, pyplot figures as
PNG like the inline backend), ``write_bericht``, the workbooks, the leak scan, the atomic publication –
except kernels, papermill and saving the executed notebooks; its 2 processes are started and warm (the
stack imported) before the clock runs, as the LocalCluster row's workers are.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import multiprocessing
import os
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


def kreise(count: int) -> list[str]:
    """``count`` units of the Kreis batch, evenly spread over its units (``datei.yaml#<AGS>``)."""
    from sozialplanung.publish.batch import expand_params

    units = expand_params([str(REPO / "params" / "deutschland" / "kreise-gemeinden.yaml")])
    return [units[i * len(units) // count] for i in range(min(count, len(units)))]


def render(files: list, out: Path, *options: str) -> float:
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


def _show(value) -> None:
    """What Jupyter does with a cell's value and its open pyplot figures (formatted; figures as PNG)."""
    import matplotlib.pyplot as plt
    from IPython.core.formatters import DisplayFormatter

    if value is not None:
        DisplayFormatter().format(value)
    for number in plt.get_fignums():
        figure = plt.figure(number)
        figure.savefig(io.BytesIO(), format="png", bbox_inches="tight")
        plt.close(figure)


def run_cells(notebook: Path, staging: Path, params, *_) -> None:
    """A notebook's code cells in this process (a fresh namespace, the parameters as papermill injects them)."""
    namespace = {"__name__": "__main__"}
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            tree.body += ast.parse(f"params_file = {params.ref!r}\noutput_dir = {str(staging.resolve())!r}").body
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, str(notebook), "exec"), namespace)  # noqa: S102 - the project's own notebooks
        _show(eval(compile(ast.Expression(last.value), str(notebook), "eval"), namespace) if last else None)


def _warm() -> None:
    import matplotlib

    matplotlib.use("agg")
    from sozialplanung.publish import engine, render

    for name in engine.PRELOAD:  # the modules a warm kernel parent imports
        try:
            __import__(name)
        except ImportError:
            pass
    render._execute = run_cells  # render_one executes each notebook in this process instead of a kernel


def _pid(_) -> int:
    time.sleep(0.2)
    return os.getpid()


def floor_render(args: tuple[str, str]) -> float:
    """One report like ``render_one``, its notebooks run by :func:`run_cells`; seconds."""
    from sozialplanung.publish.render import render_one

    start = time.perf_counter()
    render_one(args[0], output_root=args[1], notebooks=NOTEBOOKS)
    return time.perf_counter() - start


def floor(files: list, out: Path, processes: int = 2) -> float:
    """The warm floor: :func:`floor_render` in ``processes`` spawned, warmed processes (warm-up not timed)."""
    with multiprocessing.get_context("spawn").Pool(processes, initializer=_warm) as pool:
        while len(set(pool.map(_pid, range(2 * processes), chunksize=1))) < processes:
            pass  # every process has run its warm-up before the clock runs
        start = time.perf_counter()
        for _ in pool.imap_unordered(floor_render, [(str(f), str(out)) for f in files]):
            pass
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--quick", action="store_true", help="2 kleine Berichte statt der 12 Bezirke")
    choice.add_argument("--kreise", type=int, metavar="N", help="N Kreisberichte aus dem Stapel aller 400 Kreise")
    args = parser.parse_args()
    times = {}

    def measure(label, run):
        times[label] = run()
        print(f"{label:45s} {times[label]:8.1f} s  {times[label] / len(files):7.1f} s je Bericht", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = small(tmp / "params") if args.quick else kreise(args.kreise) if args.kreise else bezirke()
        measure("naive Schleife (ein Prozess je Bericht)",
                lambda: sum(render([f], tmp / "naiv", "--workers", "1") for f in files))
        measure("--workers 1", lambda: render(files, tmp / "w1", "--workers", "1", "--force"))
        measure("--workers 2", lambda: render(files, tmp / "w2", "--workers", "2", "--force"))
        measure("Dask LocalCluster, 2 Worker (--scheduler)", lambda: local_cluster(files, tmp / "dask"))
        measure("unveränderter Neulauf (--workers 2)", lambda: render(files, tmp / "w2", "--workers", "2"))
        measure("warmer Boden: ohne Jupyter, 2 Prozesse", lambda: floor(files, tmp / "boden"))
        same = sorted(_published(tmp / "boden")) == sorted(_published(tmp / "w2"))
    what = "--quick" if args.quick else f"Kreise {', '.join(f.rsplit('#', 1)[1] for f in files)}" if args.kreise \
        else "Berliner Bezirke"
    print(f"\n{len(files)} Berichte ({what}); der Boden veröffentlicht "
          f"{'dieselben' if same else 'ANDERE'} Dateien wie --workers 2 (ohne die ausgeführten Notebooks)")
    t = list(times.values())
    print(f"\n--workers 2 / warmer Boden:                {t[2] / t[5]:.2f} (Ziel ≤ 1,15)")
    print(f"--workers 1 / --workers 2:                 {t[1] / t[2]:.2f} (Ziel ≥ 1,7)")
    print(f"--workers 1 gegenüber naiver Schleife:     {t[0] / t[1]:.2f}× schneller")
    print(f"LocalCluster / --workers 2:                {t[3] / t[2]:.2f} (Ziel ≤ 1,2)")
    print(f"unveränderter Neulauf / erster Lauf:       {t[4] / t[2]:.1%} (Ziel ≤ 5 %)")


def _published(root: Path) -> set[str]:
    """The published files of every report under ``root`` (not the executed notebooks, not hidden folders)."""
    return {str(p.relative_to(root)) for p in root.glob("*/**/*") if p.is_file() and p.parts[len(root.parts)][0] != "."
            and "notebooks" not in p.relative_to(root).parts and p.name != "index.html"}


if __name__ == "__main__":
    main()
