"""Warm kernels are as isolated as fresh ones: a notebook that changes global state (figures,
rcParams, pandas options, random state, environment, working directory, sys.path, module attributes,
warnings filters) leaves nothing behind for the next notebook, and a kernel forked from the warm
parent starts in the same state as a kernel started the usual way."""

from __future__ import annotations

import json
import os

import nbformat
import papermill as pm
import pytest

from sozialplanung.publish.engine import WarmParent
from sozialplanung.publish.render import _kernel_manager_class
from batchkit import notebook

PROBE = """\
import json, os, random, sys, warnings
from pathlib import Path
import matplotlib, numpy as np, pandas as pd
import matplotlib.pyplot as plt
import sozialplanung as sp
from sozialplanung.publish.engine import ANALYSES, PRELOAD
import importlib
for module in [m for m in PRELOAD if m.startswith("sozialplanung")] + ANALYSES:  # as a report notebook does
    importlib.import_module(module)
state = {
    "ppid": os.getppid(),
    "figures": plt.get_fignums(),
    "rcparams": {k: str(v) for k, v in matplotlib.rcParams.items()},
    "pandas": {k: str(pd.get_option(k)) for k in ("display.max_rows", "display.precision", "mode.chained_assignment")},
    "random": random.random(),
    "numpy": float(np.random.random()),
    "env": dict(os.environ),
    "cwd": os.getcwd(),
    "sys_path": sys.path,
    "attribute": getattr(sp, "verschmutzt", None),
    "warnings": [repr(f) for f in warnings.filters],
}
Path(output_dir, Path(params_file).name).write_text(json.dumps(state), encoding="utf-8")"""

POLLUTE = """\
import os, random, sys, warnings
import matplotlib, numpy as np, pandas as pd
import matplotlib.pyplot as plt
import sozialplanung as sp
plt.figure(); plt.plot([1, 2])
matplotlib.rcParams["lines.linewidth"] = 9
pd.set_option("display.max_rows", 3)
random.seed(1); np.random.seed(1)
os.environ["SOZIALPLANUNG_LECK"] = "1"
os.chdir("/")
sys.path.insert(0, "/leck")
sp.verschmutzt = True
warnings.simplefilter("error")"""


def run(tmp_path, code: str, name: str) -> dict:
    folder = tmp_path / "nb"
    folder.mkdir(exist_ok=True)
    nbformat.write(notebook(code), folder / f"{name}.ipynb")
    pm.execute_notebook(str(folder / f"{name}.ipynb"), str(folder / f"{name}.out.ipynb"), kernel_name="python3",
                        parameters={"params_file": name, "output_dir": str(tmp_path)}, cwd=str(folder),
                        progress_bar=False, kernel_manager_class=_kernel_manager_class())
    path = tmp_path / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def comparable(state: dict) -> dict:
    """Everything but what differs between any two kernels (or is set by this test)."""
    env = {k: v for k, v in state["env"].items() if k not in ("PYTEST_CURRENT_TEST", "SOZIALPLANUNG_WARME_KERNEL")}
    # warnings filters: the same ones; their order follows the order the libraries were imported in
    return {**{k: v for k, v in state.items() if k not in ("ppid", "random", "numpy")}, "env": env,
            "warnings": sorted(state["warnings"])}


@pytest.fixture()
def fresh(tmp_path, monkeypatch):
    """The state of a kernel started the usual way (new interpreter)."""
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "1")
    monkeypatch.setenv("SOZIALPLANUNG_WARME_KERNEL", "0")
    state = run(tmp_path, PROBE, "frisch")
    monkeypatch.setenv("SOZIALPLANUNG_WARME_KERNEL", "1")
    return state


def test_warm_kernel_starts_like_a_fresh_one_and_nothing_leaks(tmp_path, fresh):
    before = run(tmp_path, PROBE, "vorher")
    run(tmp_path, POLLUTE, "verschmutzen")
    after = run(tmp_path, PROBE, "nachher")
    parent = WarmParent.get()
    assert fresh["ppid"] == os.getpid()
    assert before["ppid"] == after["ppid"] == parent.proc.pid, "not forked from the warm parent"
    expected = comparable(fresh)
    for key in expected:
        assert comparable(before)[key] == expected[key], key
        assert comparable(after)[key] == expected[key], key
    assert after["attribute"] is None and after["figures"] == [] and "SOZIALPLANUNG_LECK" not in after["env"]
    # random state: fresh entropy in every kernel, not the polluter's seed, not shared between forks
    import random

    import numpy as np

    random.seed(1)
    np.random.seed(1)
    seeded = (random.random(), float(np.random.random()))
    assert (after["random"], after["numpy"]) != seeded
    assert before["random"] != after["random"] and before["numpy"] != after["numpy"]


def test_crashing_kernel_does_not_harm_the_warm_parent(tmp_path):
    with pytest.raises(Exception):
        run(tmp_path, "import os\nos._exit(3)", "absturz")
    assert WarmParent.get().proc.poll() is None
    assert run(tmp_path, PROBE, "danach")["attribute"] is None
