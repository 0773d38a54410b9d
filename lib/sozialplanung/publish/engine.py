"""Warm kernels: every notebook still gets its own new ipykernel process, but forked from a warm parent.

A fresh kernel costs a new interpreter plus importing pandas, geopandas, matplotlib and the library
(~2–3 s per notebook, 7 notebooks per report). Here one *warm parent* per process (started with
``python -m sozialplanung.publish.engine``) imports that stack once and then only forks: papermill asks
jupyter_client to start a kernel, :class:`ForkProvisioner` asks the warm parent, and the forked
child becomes ``ipykernel_launcher -f <connection file>`` exactly as the kernel spec says. papermill
and nbclient talk to it over the usual kernel protocol (IPC sockets), so outputs and notebook metadata
are those of a normal kernel.

Isolation: the warm parent never runs notebook code; each kernel is a new process with the parent's
clean state (figures, rcParams, pandas options, modules, warnings filters), the kernel manager's
environment and working directory, ``sys.path`` as ``ipykernel_launcher`` leaves it, and freshly
seeded random generators (tests/test_isolation.py compares it with a kernel started the usual way).

Fork safety: the warm parent is single-threaded Python started by ``subprocess`` (never ``fork()``
from a Dask worker, which runs threads). It exits when the process that started it dies (its stdin
closes) and takes its kernels with it (they also get ``PR_SET_PDEATHSIG``).
``SOZIALPLANUNG_WARME_KERNEL=0`` starts every kernel the usual way.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from jupyter_client.provisioning.local_provisioner import LocalProvisioner

PRELOAD = ["numpy", "pandas", "geopandas", "matplotlib.pyplot", "sozialplanung", "sozialplanung.report.bericht",
           "sozialplanung.report.typst_writer", "typst", "ipykernel.kernelapp", "ipykernel.debugger",
           "matplotlib_inline.backend_inline"]
"""Imported once in the warm parent. ``ipykernel.debugger`` (debugpy, imported when the kernel object is made)
took 0,45 s of the 0,9 s a forked kernel needed to answer."""
ANALYSES = ["sozialplanung.analysis.ergebnisse", "statsmodels.multivariate.factor",
            "statsmodels.multivariate.factor_rotation", "libpysal.graph", "esda"]
"""Preloaded too for a report that runs analyses (notebooks 03–06 import scikit-learn, SciPy, statsmodels and PySAL:
2,7 s per notebook otherwise, 2,5 s once in the warm parent)."""
INLINE = "module://matplotlib_inline.backend_inline"
_IMPORT_ENV: dict[str, str] = {}  # environment variables the preloaded modules set on import


class WarmParent:
    """The handle on this process's warm parent (one per process, started on first use)."""

    _lock = threading.Lock()
    _current: WarmParent | None = None
    _retired: list[WarmParent] = []  # still serving running kernels; their stdin stays open until then

    def __init__(self, analyses: bool = True):
        from sozialplanung.data.manifest import library_stamp

        self.stamp, self.analyses = library_stamp(), analyses
        env = {**os.environ, "MPLBACKEND": os.environ.get("MPLBACKEND") or INLINE}  # as ipykernel sets it
        command = [sys.executable, "-m", "sozialplanung.publish.engine", *(["--analysen"] if analyses else [])]
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                     cwd=tempfile.gettempdir())
        self._address: str | None = None
        self._ready = threading.Lock()

    @property
    def address(self) -> str:
        """Its socket, once it has imported the stack (waits for that)."""
        with self._ready:
            if self._address is None:
                line = self.proc.stdout.readline()
                if not line:
                    raise RuntimeError("warm kernel parent did not start")
                self._address = json.loads(line)["socket"]
        return self._address

    @classmethod
    def start(cls, analyses: bool | None = None) -> WarmParent | None:
        """Start this process's warm parent if none runs, without waiting for its imports (3–4 s): a report
        starts it first and loads its Datenpaket meanwhile. ``analyses=True``: one with :data:`ANALYSES` preloaded
        (a running one without them is replaced); ``None``: any, a new one with them. None if disabled or it
        cannot start."""
        if os.environ.get("SOZIALPLANUNG_WARME_KERNEL", "1") == "0":
            return None
        with cls._lock:
            current = cls._current
            if current is not None and (not current.fresh() or (analyses and not current.analyses)):
                current.retire()
                cls._retired = [p for p in cls._retired if p.proc.poll() is None] + [current]
                cls._current = None
            if cls._current is None:
                try:
                    cls._current = WarmParent(analyses is not False)
                except OSError:
                    cls._current = None
            return cls._current

    @classmethod
    def get(cls) -> WarmParent | None:
        """The running warm parent, started if needed and ready; None if disabled or it cannot start."""
        parent = cls.start()
        try:
            return parent if parent is not None and parent.address else None
        except (OSError, RuntimeError, ValueError):
            with cls._lock:
                if cls._current is parent:
                    cls._current = None
            return None

    def fresh(self) -> bool:
        """Still running, and the library has not changed since it was imported (long-lived workers)."""
        from sozialplanung.data.manifest import library_stamp

        return self.proc.poll() is None and self.stamp == library_stamp()

    def retire(self) -> None:
        """Start no more kernels; exit once the running ones have ended."""
        if self.proc.poll() is None:
            self._ask({"retire": True})

    def spawn(self, args: list[str], env: dict[str, str], cwd: str) -> int:
        """Fork a kernel ``ipykernel_launcher *args`` with ``env`` in ``cwd``; its pid."""
        return self._ask({"args": args, "env": env, "cwd": cwd})["pid"]

    def _ask(self, request: dict) -> dict:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(self.address)
            conn.sendall(json.dumps(request).encode() + b"\n")
            return json.loads(conn.makefile("rb").readline())


class _Forked:
    """The ``Popen`` surface jupyter_client uses, for a kernel that is the warm parent's child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid, self.returncode = pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:  # exited and reaped by the warm parent
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):
    """Start ipykernel kernels by forking the warm parent; any other kernel the usual way."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        parent = WarmParent.get() if cmd[:3] == [sys.executable, "-m", "ipykernel_launcher"] else None
        if parent is None:
            return await super().launch_kernel(cmd, **kwargs)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        env = {**(kwargs.get("env") or os.environ), "JPY_PARENT_PID": str(os.getpid())}  # as jupyter_client's launcher
        pid = await asyncio.get_running_loop().run_in_executor(None, parent.spawn, cmd[3:], env, cwd)
        self.process, self.pid, self.pgid, self.cwd = _Forked(pid), pid, pid, cwd
        return self.connection_info


# -- the warm parent ---------------------------------------------------------------------------

def _die_with_parent() -> None:
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _kernel(request: dict, base_path: list[str]) -> None:
    """In the forked child: become ``ipykernel_launcher`` with the kernel manager's arguments; never return."""
    code = 1
    try:
        os.setsid()  # like jupyter_client's launcher: signals to the terminal's group do not reach kernels
        _die_with_parent()
        for sig in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for key, value in _IMPORT_ENV.items():  # what importing the stack sets, as in a fresh kernel
            os.environ.setdefault(key, value)
        sys.path[:] = base_path
        sys.argv = ["ipykernel_launcher", *request["args"]]
        import atexit
        import random

        random.seed()
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        atexit._clear()  # the warm parent's exit handlers are not the kernel's
        from ipykernel import kernelapp

        # its default was read from the environment when ipykernel was imported (in the warm parent)
        kernelapp.IPKernelApp.launch_instance(parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - a kernel that cannot start: show why, exit non-zero
        import traceback

        traceback.print_exc()
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def main() -> None:
    """Import the stack, then fork one kernel per request until stdin closes (then its kernels are
    killed) or it is retired (then it exits after its last kernel)."""
    import gc
    import importlib

    base_path = [p for p in sys.path if p not in ("", os.getcwd())]  # as ipykernel_launcher removes the cwd
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # debugpy's import warning about frozen modules, not for users
    before = dict(os.environ)
    for name in [*PRELOAD, *(ANALYSES if "--analysen" in sys.argv[1:] else [])]:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    _IMPORT_ENV.update({k: v for k, v in os.environ.items() if before.get(k) != v})  # e.g. scikit-learn's KMP_*
    gc.collect()
    gc.freeze()  # keep the shared pages shared after fork
    address = os.path.join(tempfile.gettempdir(), f"sozialplanung-warm-{os.getpid()}.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)
    children: set[int] = set()
    signal.signal(signal.SIGCHLD, lambda *_: _reap(children))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the batch; this process follows its stdin
    print(json.dumps({"socket": address}), flush=True)
    os.dup2(2, 1)  # kernels must not write into the pipe nobody reads
    try:
        _serve(listener, children, base_path)
    finally:
        for pid in children:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        os.unlink(address)


def _reap(children: set[int]) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not pid:
            return
        children.discard(pid)


def _serve(listener: socket.socket, children: set[int], base_path: list[str]) -> None:
    retiring = False
    while not (retiring and not children):
        ready, _, _ = select.select([listener, 0], [], [], 1.0 if retiring else None)
        if 0 in ready and not os.read(0, 1024):
            return
        if listener not in ready:
            continue
        conn, _ = listener.accept()
        with conn:
            request = json.loads(conn.makefile("rb").readline())
            if request.get("retire"):
                retiring = True
                conn.sendall(b"{}\n")
                continue
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})  # reap only known children
            pid = os.fork()
            if pid == 0:
                listener.close()
                conn.close()
                _kernel(request, base_path)
            children.add(pid)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")


if __name__ == "__main__":
    main()
