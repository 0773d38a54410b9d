"""Render reports: papermill runs per params file, atomic publication, ``output/index.html``.

A report is rendered into a staging folder next to its final place and then swapped in with one
atomic ``renameat2(RENAME_EXCHANGE)``, so ``output/<slug>`` is always the complete old or the
complete new report. A failed run keeps the previous report and leaves the failed notebooks in
``output/.fehler/<slug>/`` for inspection.
"""

from __future__ import annotations

import ctypes
import functools
import ctypes.util
import html
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from sozialplanung.datenpaket import load_datenpaket
from sozialplanung.errors import SozialplanungError
from sozialplanung.export import write_workbooks
from sozialplanung.leaks import check_outputs
from sozialplanung.manifest import add_output_hashes, build_manifest, read_manifest, write_manifest
from sozialplanung.params import read_params

NOTEBOOK_ANALYSIS = {
    "01_datenpruefung.ipynb": None,
    "02_sozialraumanalyse.ipynb": None,
    "03_sozialindex.ipynb": "sozialindex",
    "04_faktorenanalyse.ipynb": "faktorenanalyse",
    "05_clusteranalyse.ipynb": "clusteranalyse",
    "06_raeumliche_statistik.ipynb": "raeumliche_statistik",
    "09_sozialbericht.ipynb": None,
}
"""Every notebook, and the analysis (``Params.analyses_run()``) it needs; None: always executed."""
NOTEBOOKS = list(NOTEBOOK_ANALYSIS)


@dataclass
class RenderResult:
    params_file: str
    slug: str | None
    ok: bool
    seconds: float
    message: str = ""


def output_folder(output_root: Path, slug: str) -> Path:
    """``output_root/slug``, refusing anything that would leave ``output_root``."""
    root = output_root.resolve()
    target = (root / slug).resolve()
    if target.parent != root:
        raise SozialplanungError(f"Der Kurzname „{slug}“ würde außerhalb von {output_root} schreiben.", field="slug")
    return target


def render_one(params_file: str | Path, *, output_root: str | Path = "output",
               notebooks: str | Path = "notebooks", hook=None) -> Path:
    """Validate ``params_file``, execute every notebook with papermill and publish atomically.

    ``hook(stage, staging_dir)`` is called before the swap (used by tests to interrupt a run).
    """
    import papermill as pm

    params = read_params(params_file)
    output_root, notebooks = Path(output_root), Path(notebooks)
    missing = [nb for nb in NOTEBOOKS if not (notebooks / nb).exists()]
    if missing:
        raise SozialplanungError(f"Notebook „{missing[0]}“ fehlt.", file=str(notebooks / missing[0]),
                                 hint="Rufen Sie „sozialplanung render“ im Projektordner auf oder geben Sie --notebooks an.")
    final = output_folder(output_root, params.slug)
    output_root.mkdir(parents=True, exist_ok=True)
    for stale in [*output_root.glob(f".{params.slug}.neu-*"), *output_root.glob(f".{params.slug}.alt-*")]:
        try:  # left behind by a killed run; a folder of a still running process stays
            os.kill(int(stale.name.rsplit("-", 1)[-1]), 0)
        except ProcessLookupError:
            shutil.rmtree(stale, ignore_errors=True)
        except (ValueError, PermissionError):
            pass
    staging = output_root / f".{params.slug}.neu-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "notebooks").mkdir(parents=True)
    os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
    parameters = {"params_file": str(Path(params.path)), "output_dir": str(staging.resolve())}
    dp = load_datenpaket(params)
    write_manifest(build_manifest(params, dp.inputs), staging)
    for nb in (n for n, needs in NOTEBOOK_ANALYSIS.items() if needs is None or needs in params.analyses_run()):
        try:
            pm.execute_notebook(str(notebooks / nb), str(staging / "notebooks" / nb), parameters=parameters,
                                kernel_name="python3", cwd=str(notebooks), progress_bar=False,
                                kernel_manager_class=_kernel_manager_class())
        except pm.PapermillExecutionError as exc:
            _keep_failed(staging, output_root, params.slug)
            if exc.ename == "SozialplanungError":
                raise SozialplanungError(f"{exc.evalue} (Notebook {nb}, Zelle {exc.exec_count})") from None
            raise
    write_workbooks(staging, dp.areas)
    write_manifest(add_output_hashes(read_manifest(staging), staging), staging)
    try:
        check_outputs(staging, dp)  # Datenschutz: no published artifact may reveal a withheld value
    except SozialplanungError:
        _keep_failed(staging, output_root, params.slug)
        raise
    if hook:
        hook("vor_veroeffentlichung", staging)
    publish(staging, final)
    return final


@functools.cache
def _kernel_manager_class():
    """Kernels talk to papermill over local IPC sockets (in the temp folder), not TCP ports."""
    import tempfile

    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", str(Path(tempfile.gettempdir()) / f"sozialplanung-kernel-{os.getpid()}"))
            super().__init__(**kwargs)

    return IPCKernelManager


def _keep_failed(staging: Path, output_root: Path, slug: str) -> None:
    failed = output_root / ".fehler" / slug
    shutil.rmtree(failed, ignore_errors=True)
    failed.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging, failed)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux ``renameat2``); False where unsupported."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    at_fdcwd = -100
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def publish(staging: Path, final: Path) -> None:
    """Move the complete ``staging`` folder to ``final`` atomically and remove the old report."""
    if final.exists():
        if _exchange(staging, final):
            shutil.rmtree(staging)
            return
        old = final.with_name(f".{final.name}.alt-{os.getpid()}")
        os.replace(final, old)
        os.replace(staging, final)
        shutil.rmtree(old)
    else:
        os.replace(staging, final)


def _render_task(pf: str, output_root: str, notebooks: str) -> RenderResult:
    start = time.perf_counter()
    try:
        slug = read_params(pf).slug
        render_one(pf, output_root=output_root, notebooks=notebooks)
        return RenderResult(str(pf), slug, True, time.perf_counter() - start)
    except SozialplanungError as exc:
        return RenderResult(str(pf), None, False, time.perf_counter() - start, str(exc))
    except Exception:  # a bug, not a user mistake: keep the whole traceback, go on with the next Kommune
        import traceback

        return RenderResult(str(pf), None, False, time.perf_counter() - start,
                            "Interner Fehler (bitte melden):\n" + traceback.format_exc())


def render_many(params_files: list[str | Path], *, output_root: str | Path = "output",
                notebooks: str | Path = "notebooks", jobs: int = 1, echo=print) -> list[RenderResult]:
    """Render several params files; a failure does not stop the others.

    ``jobs > 1`` renders that many Kommunen at once in separate processes (each report is
    independent; the index page is written at the end).
    """
    args = [(str(pf), str(output_root), str(notebooks)) for pf in params_files]
    results = []

    def report(result: RenderResult) -> None:
        if result.ok:
            echo(f"✓ {result.params_file} → {Path(output_root) / result.slug} ({result.seconds:.1f} s)")
        else:
            echo(f"✗ {result.params_file}: {result.message}")
        results.append(result)

    if jobs > 1 and len(args) > 1:
        from concurrent.futures import ProcessPoolExecutor
        import multiprocessing

        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            for result in pool.map(_render_task, *zip(*args)):
                report(result)
    else:
        for a in args:
            report(_render_task(*a))
    write_index(Path(output_root))
    return results


def write_index(output_root: Path) -> Path:
    """``output/index.html`` listing every published report (from their manifests)."""
    rows = []
    for folder in sorted(p for p in output_root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not (folder / "manifest.json").exists():
            continue
        m = read_manifest(folder)
        files = [("Bericht (HTML)", "bericht.html"), ("Bericht (PDF)", "bericht.pdf"),
                 ("Kurzfassung (PDF)", "kurzfassung.pdf"), ("Tabellen (Excel)", "ergebnisse.xlsx"),
                 ("Geodaten (GeoPackage)", "ergebnisse.gpkg")]
        links = " · ".join(f'<a href="{folder.name}/{f}">{html.escape(label)}</a>' for label, f in files
                           if (folder / f).exists())
        rows.append(f"<tr><td>{html.escape(m['kommune'])}</td><td>{links}</td><td>{html.escape(m['zeitpunkt'])}</td></tr>")
    page = ("<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Sozialberichte</title>"
            "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.3em .8em;text-align:left}"
            "tr:nth-child(even){background:#f3f3f3}</style></head><body><h1>Sozialberichte</h1>"
            f"<p>{len(rows)} Berichte</p><table><thead><tr><th>Kommune</th><th>Dateien</th><th>Erstellt (UTC)</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></body></html>")
    path = output_root / "index.html"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)
    return path
