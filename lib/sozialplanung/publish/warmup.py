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

    def __init__(self, analyses: bool = True):
        self.analyses = analyses  # the reports run analyses: preload their libraries too

    def setup(self, worker):
        threading.Thread(target=_warm_up, args=(self.analyses,), daemon=True).start()


def _warm_up(analyses: bool) -> None:
    os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
    import sozialplanung.publish.render  # noqa: F401
    from sozialplanung.publish.engine import WarmParent

    WarmParent.start(analyses)
