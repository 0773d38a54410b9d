"""The worker plugin of the batch engine: warm every worker before its first report.

Its own module so that :mod:`sozialplanung.publish.batch` (and so ``sozialplanung.cli``) does not
import ``distributed`` until a cluster is started.
"""

from __future__ import annotations

import os
import threading

from distributed import WorkerPlugin


class WarmUp(WorkerPlugin):
    """On every worker, before its first report: import the stack and start the warm kernel parent."""

    def setup(self, worker):
        threading.Thread(target=_warm_up, daemon=True).start()


def _warm_up() -> None:
    os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
    import sozialplanung.publish.render  # noqa: F401
    from sozialplanung.publish.engine import WarmParent

    WarmParent.get()
