"""The package's shape: data flow one way through the stages, no import cycles, small modules and functions.

Every ``import`` counts, at module level and inside functions: a deferred import hides a cycle
from Python, not from the reader.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import sozialplanung

PACKAGE = Path(sozialplanung.__file__).resolve().parent
#: stage of each subpackage; a module may import from its own stage and earlier ones only
ORDER = {"": 0, **{stage: rank for rank, stage in enumerate(sozialplanung.STAGES, start=1)}, "cli": 99}
MAX_LINES = 400
MAX_FUNCTION_LINES = 60
REASON = "long because"
"""A function over :data:`MAX_FUNCTION_LINES` lines says why in its docstring, with these words."""


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if "demo" in parts:
            continue
        name = ".".join(("sozialplanung", *parts)).removesuffix(".__init__")
        found[name] = path
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    """Modules of this package that ``path`` imports (``from sozialplanung.x import y`` counts y if it is a module)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("sozialplanung")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sozialplanung"):
            subs = {f"{node.module}.{a.name}" for a in node.names} & known
            out |= subs or {node.module}
    return {m for m in out if m in known}


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ORDER) else ""


GRAPH = {name: imports(path, set(modules())) - {name} for name, path in modules().items()}


def test_no_import_against_the_data_flow():
    backwards = sorted(f"{a} → {b}" for a, deps in GRAPH.items() for b in deps
                       if not a.endswith("__init__") and ORDER[stage(b)] > ORDER[stage(a)])
    assert backwards == []


def test_no_import_cycle():
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for dep in sorted(GRAPH[node]):
            if dep.count(".") == 1 and dep.split(".")[1] in sozialplanung.STAGES:
                continue  # a stage package's __init__ imports nothing
            if state.get(dep) == "open":
                cycles.append(" → ".join([*stack[stack.index(dep):], dep]))
            elif dep not in state:
                visit(dep, [*stack, dep])
        state[node] = "done"

    for node in sorted(GRAPH):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_no_module_over_400_lines():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def long_functions(source: str) -> dict[str, int]:
    """Functions of ``source`` longer than :data:`MAX_FUNCTION_LINES` lines (``def`` to the last line, the docstring
    not counted: documentation and examples are not what makes a function hard to read) whose docstring does not
    state why (:data:`REASON`); ``{qualified name: lines}``."""
    out = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            name = f"{prefix}{getattr(child, 'name', '')}"
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = child.end_lineno - child.lineno + 1
                doc = child.body[0] if child.body and ast.get_docstring(child) is not None else None
                if doc is not None:
                    lines -= doc.end_lineno - doc.lineno + 1
                if lines > MAX_FUNCTION_LINES and REASON not in (ast.get_docstring(child) or "").lower():
                    out[name] = lines
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, f"{name}.")

    visit(ast.parse(source), "")
    return out


def test_long_functions_are_found():
    def body(n, indent="    "):
        return "".join(f"{indent}x{i} = {i}\n" for i in range(n))

    doc = '    """Sum.\n\n' + "    More words.\n" * 30 + '    """\n'
    source = (f"def long():\n{body(61)}\n"                                  # 62 lines
              f"class A:\n    def method(self):\n{body(61, ' ' * 8)}\n"    # 62 lines, in a class
              f"def short():\n{body(59)}\n"                                 # 60 lines: allowed
              f"def documented():\n{doc}{body(59)}\n"                       # 60 without its docstring
              f'def reasoned():\n    """Long because: one table, row by row."""\n{body(70)}')
    assert long_functions(source) == {"long": 62, "A.method": 62}


def test_no_function_over_60_lines_without_a_reason():
    long = {f"{name}.{fn}": n for name, path in modules().items()
            for fn, n in long_functions(path.read_text("utf-8")).items()}
    assert long == {}


def test_stage_packages_import_nothing():
    for stage_name in sozialplanung.STAGES:
        assert GRAPH[f"sozialplanung.{stage_name}"] <= {"sozialplanung._lazy"}


@pytest.mark.parametrize("command", ["import sozialplanung",
                                     "import sozialplanung.cli",
                                     "import sozialplanung as sp; sp.load_datenpaket(sp.find_params('berlin/mitte.yaml'))"])
def test_cheap_imports_load_no_plotting_modelling_or_rendering_library(command):
    heavy = ["matplotlib", "sklearn", "statsmodels", "weasyprint", "typst", "papermill", "distributed", "esda", "seaborn"]
    probe = f"{command}\nimport sys\nprint(' '.join(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []


def test_test_files_have_unique_names():
    """Test folders have no __init__.py, so pytest imports test files by their base name: two files of the
    same name in different stage folders make collection fail (tests/<stage>/test_<module>.py then gets a
    prefix, e.g. tests/report/test_report_methoden.py)."""
    names = [p.name for p in Path(__file__).resolve().parent.rglob("test_*.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []
