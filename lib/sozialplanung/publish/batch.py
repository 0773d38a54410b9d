"""Render many Kommunen at once on a dask.distributed cluster: a local one (``--workers N``) or an
existing one (``--scheduler ADDRESS``).

Why Dask for the local case too: one code path for a laptop and a cluster; a worker that dies
(SIGKILL, out of memory) is restarted by its nanny and the scheduler runs its report again
(``allowed-failures = 1``: one retry), where a ``ProcessPoolExecutor`` would break as a whole. Each
task renders one Kommune with papermill into a staging folder and publishes it atomically
(:func:`sozialplanung.publish.render.render_one`); a task never raises, so one Kommune's failure stays its own.
Workers run one task at a time (``threads_per_worker=1``); the kernels are forked from a warm parent
per worker (:mod:`sozialplanung.publish.engine`). Inputs and output folder must be on a filesystem all
workers and the client share (same paths).
"""

from __future__ import annotations

import glob
import os
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

from sozialplanung.errors import SozialplanungError, SozialplanungWarning

GB_PER_RENDER = 1.5
DEFAULT_TIMEOUT = 3600


@dataclass
class RenderResult:
    params_file: str
    status: str  # "ok", "fehler" or "übersprungen"
    seconds: float
    slug: str | None = None
    kommune: str | None = None
    message: str = ""
    warnings: int = 0

    @property
    def ok(self) -> bool:
        return self.status != "fehler"


def expand_params(patterns: list[str], only: list[str] | None = None) -> list[str]:
    """Params files from the arguments, one entry per report.

    Globs the shell did not expand are expanded here (sorted). A params file with ``batch`` becomes
    one entry ``datei.yaml#<id>`` per unit of its level (:mod:`sozialplanung.config.units`);
    ``datei.yaml#07232,07111`` or ``only`` (``--nur``) chooses some. A file that cannot be read stays
    as it is: its report fails with the German error, the others go on.
    """
    from sozialplanung.config.units import split_unit, unit_ids

    files = []
    for pattern in map(str, patterns):
        if glob.has_magic(pattern) and not Path(pattern).exists():
            found = sorted(glob.glob(pattern, recursive=True))
            if not found:
                raise SozialplanungError(f"Keine Parameterdatei passt zu „{pattern}“.")
            files += found
        else:
            files.append(pattern)
    out = []
    for entry in files:
        path, chosen = split_unit(entry)
        out += _units_of(path, unit_ids(chosen) if chosen else only)
    return list(dict.fromkeys(out))


def _units_of(path: str, only: list[str] | None) -> list[str]:
    """``[path]``, or ``path#<id>`` per unit if the file declares a batch."""
    from sozialplanung.config.params import read_params
    from sozialplanung.config.units import unit_refs

    try:
        params = read_params(path)
    except SozialplanungError:
        return [path]
    if params.batch is None:
        if only:
            raise SozialplanungError("--nur wählt Einheiten eines Stapels, aber die Parameterdatei hat kein Feld "
                                     "„batch“.", file=path, field="batch")
        return [path]
    return unit_refs(path, params, only)


def default_workers() -> int:
    """The number of cores, but at most one render per ~1.5 GB of available memory."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            available_kb = next(int(line.split()[1]) for line in f if line.startswith("MemAvailable:"))
        cores = min(cores, int(available_kb / 1024**2 / GB_PER_RENDER))
    except (OSError, StopIteration, ValueError):
        pass
    return max(1, cores)


def prepare_output(output_root: str | Path) -> Path:
    """Create the output folder if missing; a German error if it cannot be created or written."""
    root = Path(output_root).absolute()
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".schreibtest-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        reason = "existiert als Datei" if root.is_file() else (exc.strerror or type(exc).__name__)
        raise SozialplanungError(f"In den Ausgabeordner „{output_root}“ kann nicht geschrieben werden ({reason}).",
                                 file=str(output_root),
                                 hint="Einen beschreibbaren Ordner mit --ausgabe ORDNER angeben.") from None
    return root


def default_notebooks() -> Path:
    """``notebooks/`` of the working directory, else the shipped ones (the wheel's copy, else the repository's)."""
    here = Path("notebooks")
    project = Path(__file__).resolve().parents[1] / "notebooks"  # inside the package: a wheel (setup.py)
    if not project.is_dir():
        project = Path(__file__).resolve().parents[3] / "notebooks"  # a source checkout
    return here if here.is_dir() or not project.is_dir() else project


def render_task(params_file: str, output_root: str, notebooks: str, timeout: float | None,
                force: bool, check_only: bool = False) -> RenderResult | None:
    """One Kommune on a worker: skip if unchanged, else render and publish; never raises.

    ``check_only``: None where it would render (the client's look before it starts a cluster).
    """
    from sozialplanung.data.manifest import fingerprint, read_manifest
    from sozialplanung.config.params import read_params
    from sozialplanung.publish.render import output_folder, render_one

    start = time.perf_counter()
    result = RenderResult(params_file, "fehler", 0.0)
    try:
        params = read_params(params_file)
        result.slug, result.kommune = params.slug, params.kommune
        final = output_folder(Path(output_root), params.slug)
        if not force and _current(final, fingerprint(params, Path(notebooks))):
            result.status = "übersprungen"
            result.warnings = read_manifest(final).get("bericht", {}).get("warnungen", 0)
        elif check_only:
            return None
        else:
            render_one(params_file, output_root=output_root, notebooks=notebooks, timeout=timeout)
            result.status = "ok"
            result.warnings = read_manifest(final)["bericht"]["warnungen"]
    except SozialplanungError as exc:
        result.message = str(exc)
    except Exception:  # a bug, not a user mistake: keep the whole traceback, go on with the next Kommune
        result.message = "Interner Fehler (bitte melden):\n" + traceback.format_exc()
    result.seconds = time.perf_counter() - start
    return result


def _current(final: Path, digest: str) -> bool:
    """The published report was made from exactly these inputs and is complete."""
    from sozialplanung.data.manifest import read_manifest

    try:
        manifest = read_manifest(final)
    except (OSError, ValueError):
        return False
    return (manifest.get("fingerabdruck") == digest and "bericht" in manifest
            and all((final / rel).is_file() for rel in manifest.get("ausgaben", {})))


def run_batch(params_files: list[str], *, output_root: str | Path = "output", notebooks: str | Path | None = None,
              workers: int | None = None, scheduler: str | None = None, timeout: float | None = DEFAULT_TIMEOUT,
              force: bool = False, on_result=lambda result: None) -> list[RenderResult]:
    """Render every params file; ``on_result`` is called with each result as it finishes."""
    from sozialplanung.publish.render import check_notebooks

    notebooks = Path(notebooks) if notebooks else default_notebooks()
    check_notebooks(notebooks)
    root = prepare_output(output_root)
    shown = {str(Path(pf).absolute()): str(pf) for pf in params_files}
    results, todo = [], []
    for pf in shown:  # unchanged reports and broken params need no cluster
        result = render_task(pf, str(root), str(notebooks.absolute()), timeout, force, check_only=True)
        if result is None:
            todo.append(pf)
            continue
        result.params_file = shown[pf]
        results.append(result)
        on_result(result)
    if todo:
        with _client(scheduler, workers or min(default_workers(), len(todo)), _runs_analyses(todo)) as client:
            args = (str(root), str(notebooks.absolute()), timeout, force)
            for result in _as_finished(client, todo, args):
                result.params_file = shown[result.params_file]
                results.append(result)
                on_result(result)
    from sozialplanung.publish.index_page import write_index

    write_index(root, results)
    return results


def _runs_analyses(params_files: list[str]) -> bool:
    """Whether any of these reports runs analyses: then the workers' warm kernels preload their libraries."""
    from sozialplanung.config.params import read_params

    try:
        return any(read_params(pf).analyses_run() for pf in params_files)
    except (SozialplanungError, OSError):  # checked before (check_only); the preload is only a guess
        return True


def _as_finished(client, params_files: list[str], args: tuple):
    """Submit one task per params file; yield the results in the order they finish."""
    from distributed import as_completed

    futures = {client.submit(render_task, pf, *args, key=f"bericht-{i}-{os.getpid()}-{time.time_ns()}"):
               (pf, time.perf_counter()) for i, pf in enumerate(params_files)}
    for future in as_completed(futures):
        pf, submitted = futures[future]
        try:
            yield future.result()
        except Exception as exc:  # noqa: BLE001 - the worker died twice with this report (KilledWorker)
            yield RenderResult(pf, "fehler", time.perf_counter() - submitted,
                               message=f"Der Worker ist bei diesem Bericht wiederholt abgestürzt ({exc}).")


class _client:
    """A ``distributed.Client``: on the cluster at ``scheduler``, or on a new local cluster of ``workers``."""

    def __init__(self, scheduler: str | None, workers: int, analyses: bool = True):
        self.scheduler, self.workers, self.cluster, self.analyses = scheduler, max(1, workers), None, analyses

    def __enter__(self):
        import logging

        import dask
        from distributed import Client, LocalCluster

        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise SozialplanungError(f"Der Dask-Scheduler „{self.scheduler}“ ist nicht erreichbar ({exc}).",
                                         hint="Adresse wie tcp://rechner:8786 angeben; läuft „dask scheduler“?") from None
        else:
            with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
                self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                            host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR,
                                            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})  # not :8787
            self.client = Client(self.cluster)
        from sozialplanung.publish.warmup import WarmUp

        self.client.register_plugin(WarmUp(self.analyses), name="sozialplanung-warm")
        return self.client

    def __exit__(self, *exc):
        """Closing never fails the batch: by now every report is published or has failed on its own (a worker
        slow to stop under heavy load made ``close`` raise ``TimeoutError`` after a successful render)."""
        for close in (self.client.close, *([self.cluster.close] if self.cluster is not None else [])):
            try:
                close()
            except (OSError, TimeoutError, RuntimeError) as err:
                warnings.warn(SozialplanungWarning(f"Der Dask-Cluster ließ sich nicht sauber beenden ({err!r}); "
                                                   "die Berichte sind davon nicht betroffen."), stacklevel=2)


def render_many(params_files, *, output_root="output", notebooks="notebooks", jobs=None, echo=print,
                **options) -> list[RenderResult]:
    """:func:`run_batch`, printing one line per finished report with ``echo`` (tests, benchmarks)."""
    from sozialplanung.publish.liveview import result_line

    return run_batch([str(p) for p in params_files], output_root=output_root, notebooks=notebooks, workers=jobs,
                     on_result=lambda r: echo(result_line(r, Path(output_root))), **options)
