"""Benchmark: the report part of a render, v0.1 (commit e7d93af, temporary worktree) beside this version, in one run.

For each Kommune (Mitte, all of Berlin) and each version, a fresh Python process loads the Datenpaket, fits the
analyses (not timed) and then times the report part: model, HTML, PDFs and Steckbriefe (``write_bericht``).
A whole CLI render of Mitte is timed too. Prints seconds, ratios, file sizes and peak memory (max RSS of the
process). Not part of the tests (v0.1 needs about 2 min for Mitte and 12 min for Berlin, and ``weasyprint``, which
``nox -s benchmarks`` installs).

    python benchmarks/bench_report.py            # Mitte and Berlin
    python benchmarks/bench_report.py --nur-mitte
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
V01 = "e7d93af6c329f49c3d860788762737cd79d974ad"
FILES = ["bericht.html", "bericht.pdf", "kurzfassung.pdf", "steckbriefe.pdf"]

# run inside the measured process; works with the v0.1 API (sozialplanung.report) and today's (report.bericht)
PROBE = r"""
import json, resource, sys, time
from pathlib import Path
import sozialplanung as sp
params, out = sys.argv[1], Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
try:
    from sozialplanung.report import bericht as report          # this version
except ImportError:
    from sozialplanung import report                             # v0.1
def cpu():  # seconds of CPU of this process, all threads (Typst's included)
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
dp = sp.load_datenpaket(params)
t0 = time.perf_counter()
results = report.compute_results(dp, out)
t1, c1 = time.perf_counter(), cpu()
report.write_bericht(dp, out, results=results)
t2, c2 = time.perf_counter(), cpu()
print(json.dumps({"analysen": t1 - t0, "bericht": t2 - t1, "bericht_cpu": c2 - c1,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def sizes(folder: Path) -> dict[str, float]:
    found = {name: (folder / name).stat().st_size / 1e6 for name in FILES if (folder / name).is_file()}
    steckbriefe = list((folder / "steckbriefe").glob("*.pdf"))
    found["steckbriefe/*.pdf"] = sum(p.stat().st_size for p in steckbriefe) / 1e6
    found["anzahl Steckbriefe"] = len(steckbriefe)
    return found


def in_process(tree: Path, params: str, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree / "lib"), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", PROBE, str(tree / "params" / params), str(out)], cwd=tree, env=env,
                          capture_output=True, text=True)
    if done.returncode:  # e.g. v0.1 without weasyprint (nox -s benchmarks installs it)
        sys.exit(f"{tree.name}, {params}: Render fehlgeschlagen\n{done.stderr[-2000:]}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), **sizes(out)}


def cli(tree: Path, out: Path, extra: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree / "lib")}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sozialplanung.cli", "render", str(tree / "params/berlin/mitte.yaml"),
                    "--ausgabe", str(out), "--notebooks", str(tree / "notebooks"), *extra],
                   cwd=tree, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def show(name: str, old: dict, new: dict) -> None:
    print(f"\n{name}")
    print(f"  Berichtsteil (write_bericht): v0.1 {old['bericht']:6.1f} s   jetzt {new['bericht']:6.1f} s   "
          f"Verhältnis {old['bericht'] / new['bericht']:.1f}×")
    print(f"  Berichtsteil, CPU-Zeit:       v0.1 {old['bericht_cpu']:6.1f} s   jetzt {new['bericht_cpu']:6.1f} s   "
          f"Verhältnis {old['bericht_cpu'] / new['bericht_cpu']:.1f}× (unter Last aussagekräftiger)")
    print(f"  Analysen (nicht Ziel):        v0.1 {old['analysen']:6.1f} s   jetzt {new['analysen']:6.1f} s")
    print(f"  Spitzenspeicher (max RSS):    v0.1 {old['rss_mb']:6.0f} MB  jetzt {new['rss_mb']:6.0f} MB")
    for key in [*FILES, "steckbriefe/*.pdf"]:
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None:
            print(f"  {key:28s} v0.1 {a:6.2f} MB  jetzt {b:6.2f} MB  ({b / a:.0%})")
    print(f"  Steckbriefe: v0.1 {old['anzahl Steckbriefe']}, jetzt {new['anzahl Steckbriefe']}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Berichtsteil v0.1 gegen jetzt, in einem Lauf")
    parser.add_argument("--nur-mitte", action="store_true", help="ohne ganz Berlin (spart etwa 15 min)")
    parser.add_argument("--ohne-cli", action="store_true", help="ohne den ganzen CLI-Lauf von Mitte")
    args = parser.parse_args()
    print(f"Last vorher: {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} Kerne", flush=True)
    kommunen = [("Berlin-Mitte", "berlin/mitte.yaml")] + ([] if args.nur_mitte else [("Berlin", "berlin/berlin.yaml")])
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = Path(tmp) / "v0.1"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(old_tree), V01], check=True,
                       capture_output=True)
        try:
            for name, params in kommunen:
                old = in_process(old_tree, params, Path(tmp) / f"alt-{name}")
                new = in_process(REPO, params, Path(tmp) / f"neu-{name}")
                show(name, old, new)
                sys.stdout.flush()
            if not args.ohne_cli:
                t_old = cli(old_tree, Path(tmp) / "cli-alt", [])
                t_new = cli(REPO, Path(tmp) / "cli-neu", ["--workers", "1", "--force", "-q"])
                print(f"\nBerlin-Mitte, ganzer CLI-Lauf: v0.1 {t_old:.1f} s, jetzt {t_new:.1f} s, "
                      f"Verhältnis {t_old / t_new:.1f}×")
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old_tree)], check=True)
    print(f"Last nachher: {os.getloadavg()[0]:.1f} (1 min)")


if __name__ == "__main__":
    main()
