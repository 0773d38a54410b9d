"""A report render through the CLI that counts the fits of every analysis (issue #9: „a test counts fits“).

How fits are counted: the render runs as users run it (``sozialplanung render`` in a subprocess) with a
``sitecustomize.py`` on ``PYTHONPATH`` that wraps ``FactorAnalysis.fit``, ``ClusterTypology.fit``,
``esda.Moran_Local.__init__`` (the LISA permutations) and the Sozialindex/sensitivity fits so that each
call appends one line to the file ``$SOZIALPLANUNG_FIT_LOG``. Python imports ``sitecustomize`` at the
start of every interpreter, so the hook is in every process of the render: the CLI, the Dask worker
processes (spawned) that render and write the GeoPackage, the warm kernel parent (started with
``subprocess``) and the papermill kernels (forked from it, so they inherit the wrapped classes; with
``SOZIALPLANUNG_WARME_KERNEL=0`` they are new interpreters and import it themselves). A patch in the
test process or a kernel startup file would miss the workers or the export; a file opened in append
mode collects the lines of all processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

HOOK = textwrap.dedent('''
    import functools, os

    def _wrap(cls, name, label):
        original = getattr(cls, name)

        @functools.wraps(original)
        def counted(self, *args, **kwargs):
            with open(os.environ["SOZIALPLANUNG_FIT_LOG"], "a", encoding="utf-8") as log:
                log.write(f"{label} {os.getpid()}\\n")
            return original(self, *args, **kwargs)

        setattr(cls, name, counted)

    if os.environ.get("SOZIALPLANUNG_FIT_LOG"):
        import esda
        from sozialplanung.analysis.cluster import ClusterTypology
        from sozialplanung.analysis.factor import FactorAnalysis
        from sozialplanung.analysis.sensitivity import Sensitivity
        from sozialplanung.analysis.sozialindex import SozialIndex

        _wrap(FactorAnalysis, "fit", "FactorAnalysis")
        _wrap(ClusterTypology, "fit", "ClusterTypology")
        _wrap(esda.Moran_Local, "__init__", "Moran_Local")
        _wrap(SozialIndex, "fit", "SozialIndex")
        _wrap(Sensitivity, "fit", "Sensitivity")
''')


def render_counting_fits(params: Path, output: Path, notebooks: Path, cwd: Path) -> Counter:
    """Render ``params`` with ``sozialplanung render`` into ``output``; the fits counted per analysis.
    The hook and the log lie in ``output.parent`` (never inside the published output)."""
    hook, log = output.parent / "fit_hook", output.parent / "fits.log"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    env = {**os.environ, "SOZIALPLANUNG_FIT_LOG": str(log),
           "PYTHONPATH": os.pathsep.join(p for p in (str(hook), os.environ.get("PYTHONPATH")) if p)}
    done = subprocess.run([sys.executable, "-m", "sozialplanung.cli", "render", str(params), "--ausgabe", str(output),
                           "--notebooks", str(notebooks), "-q"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr
    return Counter(line.split()[0] for line in log.read_text(encoding="utf-8").splitlines())
