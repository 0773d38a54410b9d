"""Render one report: papermill runs per params file, atomic publication (batches: :mod:`sozialplanung.publish.batch`).

A report is rendered into a staging folder next to its final place and then swapped in with one
atomic ``renameat2(RENAME_EXCHANGE)``, so ``output/<slug>`` is always the complete old or the
complete new report. A failed run keeps the previous report and leaves the failed notebooks in
``output/.fehler/<slug>/`` for inspection.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import shutil
import socket
import sys
import time
import uuid
from pathlib import Path

# papermill reads notebooks with nbformat, which imports jsonschema, which imports rfc3987_syntax if installed: that
# builds ~35 Earley parsers at import (2–3 s of every render process; jsonschema issue #1428) for the "iri" format,
# which no notebook schema uses. Marked as absent, jsonschema leaves that one format check out.
sys.modules.setdefault("rfc3987_syntax", None)

from sozialplanung.data.datenpaket import load_datenpaket
from sozialplanung.errors import SozialplanungError
from sozialplanung.publish.export import write_workbooks
from sozialplanung.publish.leaks import check_outputs
from sozialplanung.data.manifest import add_output_hashes, build_manifest, fingerprint, read_manifest, write_manifest
from sozialplanung.config.params import read_params

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


def output_folder(output_root: Path, slug: str) -> Path:
    """``output_root/slug``, refusing anything that would leave ``output_root``."""
    root = output_root.resolve()
    target = (root / slug).resolve()
    if target.parent != root:
        raise SozialplanungError(f"Der Kurzname „{slug}“ würde außerhalb von {output_root} schreiben.", field="slug")
    return target


def check_notebooks(notebooks: Path) -> None:
    missing = [nb for nb in NOTEBOOKS if not (notebooks / nb).exists()]
    if missing:
        raise SozialplanungError(f"Notebook „{missing[0]}“ fehlt.", file=str(notebooks / missing[0]),
                                 hint="Rufen Sie „sozialplanung render“ im Projektordner auf oder geben Sie --notebooks an.")


def render_one(params_file: str | Path, *, output_root: str | Path = "output", notebooks: str | Path = "notebooks",
               hook=None, timeout: float | None = None) -> Path:
    """Validate ``params_file``, execute every notebook with papermill and publish atomically.

    ``timeout``: seconds for the whole report (all notebooks); a cell still running then is stopped
    and the report fails. ``hook(stage, staging_dir)`` is called before the swap (tests interrupt there).
    """
    start = time.monotonic()
    params = read_params(params_file)
    output_root, notebooks = Path(output_root), Path(notebooks)
    check_notebooks(notebooks)
    from sozialplanung.publish.engine import WarmParent

    WarmParent.start(analyses=bool(params.analyses_run()))  # imports the kernels' stack while the Datenpaket loads
    final = output_folder(output_root, params.slug)
    output_root.mkdir(parents=True, exist_ok=True)
    _remove_stale(output_root, params.slug)
    staging = output_root / f".{params.slug}.neu-{_owner()}"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "notebooks").mkdir(parents=True)
    try:
        dp = load_datenpaket(params, staging)
        manifest = build_manifest(params, dp.inputs)
        manifest["fingerabdruck"] = fingerprint(params, notebooks)
        write_manifest(manifest, staging)
        deadline = start + timeout if timeout else None
        for nb in (n for n, needs in NOTEBOOK_ANALYSIS.items() if needs is None or needs in params.analyses_run()):
            _execute(notebooks / nb, staging, params, deadline, timeout)
        write_workbooks(staging, dp)
        check_outputs(staging, dp)  # Datenschutz: no published artifact may reveal a withheld value
        manifest = add_output_hashes(read_manifest(staging), staging)
        manifest["bericht"] = report_summary(dp, staging, seconds=time.monotonic() - start)
        write_manifest(manifest, staging)
    except BaseException:  # the old report stays; the failed run is kept for inspection, never half published
        _keep_failed(staging, output_root, params.slug)
        raise
    if hook:
        hook("vor_veroeffentlichung", staging)
    publish(staging, final)
    return final


def _execute(notebook: Path, staging: Path, params, deadline: float | None, timeout: float | None) -> None:
    """Run one notebook with papermill into ``staging/notebooks``; German errors for the user's mistakes."""
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
    extra = {"timeout_func": lambda cell: max(1, int(deadline - time.monotonic()) + 1)} if deadline else {}
    try:
        pm.execute_notebook(str(notebook), str(staging / "notebooks" / notebook.name),
                            parameters={"params_file": params.ref, "output_dir": str(staging.resolve())},
                            kernel_name="python3", cwd=str(notebook.parent), progress_bar=False,
                            kernel_manager_class=_kernel_manager_class(), **extra)
    except pm.PapermillExecutionError as exc:
        if exc.ename == "SozialplanungError":
            raise SozialplanungError(f"{exc.evalue} (Notebook {notebook.name}, Zelle {exc.exec_count})") from None
        raise SozialplanungError(f"Notebook {notebook.name}, Zelle {exc.exec_count}: {exc.ename}: {exc.evalue}",
                                 file=params.path, hint=f"Das ausgeführte Notebook mit dem vollständigen Traceback "
                                 f"liegt in {staging.parent / '.fehler' / params.slug / 'notebooks'}.") from None
    except CellTimeoutError:
        raise SozialplanungError(f"Zeitlimit von {timeout:g} s für den Bericht überschritten (Notebook {notebook.name}).",
                                 file=params.path, hint="Mehr Zeit geben: --zeitlimit SEKUNDEN") from None
    except DeadKernelError:
        raise SozialplanungError(f"Der Python-Kernel ist während Notebook {notebook.name} abgestürzt "
                                 "(zu wenig Arbeitsspeicher?).", file=params.path) from None


def report_summary(dp, folder: Path, seconds: float) -> dict:
    """Key figures of a published report for the index page: areas, inhabitants, warnings, outline."""
    from sozialplanung.analysis.needs import findings

    ids = dp.shown_ids
    inhabitants = dp.population().loc[ids].sum(min_count=1)
    warnings = int((findings(dp)["Ergebnis"] == "Warnung").sum()) + sum(
        _stderr_warnings(nb) for nb in sorted((folder / "notebooks").glob("*.ipynb")))
    return {"gebiete": len(ids), "einwohner": None if inhabitants != inhabitants else int(round(inhabitants)),
            "warnungen": warnings, "dauer_s": round(seconds, 1), "umriss": outline(dp.areas.loc[ids])}


def _stderr_warnings(notebook: Path) -> int:
    """Python warnings shown in an executed notebook (stderr outputs)."""
    import json

    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    return sum(1 for c in cells for o in c.get("outputs", [])
               if o.get("output_type") == "stream" and o.get("name") == "stderr" and "Warning" in "".join(o["text"]))


def outline(areas) -> list[list[list[float]]]:
    """The simplified outline of ``areas`` in longitude/latitude: a list of rings, each ``[[lon, lat], …]``."""
    if areas.crs is None or areas.empty:
        return []
    shape = areas.to_crs(4326).geometry.union_all().simplify(0.002)
    polygons = getattr(shape, "geoms", [shape])
    return [[[round(x, 4), round(y, 4)] for x, y in poly.exterior.coords] for poly in polygons
            if poly.geom_type == "Polygon"]


@functools.cache
def _kernel_manager_class():
    """Kernels talk to papermill over local IPC sockets (in the temp folder), not TCP ports (papermill #511).

    They are forked from this process's warm kernel parent (:mod:`sozialplanung.publish.engine`), and are not
    sent SIGINT on shutdown: ipykernel logs that as „KeyboardInterrupt caught in kernel.“.
    """
    import tempfile

    from jupyter_client.manager import AsyncKernelManager

    from sozialplanung.publish.engine import ForkProvisioner

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", str(Path(tempfile.gettempdir()) / f"sozialplanung-kernel-{os.getpid()}"))
            super().__init__(**kwargs)

        async def _async_pre_start_kernel(self, **kw):
            if self.provisioner is None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
                self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kw)

        async def _async_interrupt_kernel(self):
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

    return IPCKernelManager


def _owner() -> str:
    """``host-pid`` of this process: names its staging folders (a shared output folder on a cluster)."""
    return f"{socket.gethostname()}-{os.getpid()}"


def _remove_stale(output_root: Path, slug: str) -> None:
    """Remove staging folders left behind by killed runs on this host; those of live processes stay."""
    for stale in [*output_root.glob(f".{slug}.neu-*"), *output_root.glob(f".{slug}.alt-*")]:
        host, _, pid = stale.name[len(f".{slug}.neu-"):].rpartition("-")
        if host and host != socket.gethostname():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(stale, ignore_errors=True)
        except (ValueError, PermissionError):
            pass


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
        old = final.with_name(f".{final.name}.alt-{_owner()}")
        os.replace(final, old)
        os.replace(staging, final)
        shutil.rmtree(old)
    else:
        os.replace(staging, final)
