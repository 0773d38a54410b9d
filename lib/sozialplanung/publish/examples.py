"""The shipped examples: where the notebooks and example params are, list them, copy them for a new user.

A wheel carries the repository's ``notebooks/`` and ``params/`` inside the package (setup.py copies them
at build time); in a source checkout (editable install) they are the repository's own folders.
:func:`shipped` finds either. ``sozialplanung beispiele ZIEL`` copies both into ``ZIEL`` so that
``cd ZIEL && sozialplanung render params/berlin/mitte.yaml`` works without a clone. The example
params name their data with ``paket:`` (inside the installed package), their recipes relative to
themselves (``../rezepte/mss.yaml``, copied along) – so the copies work from any folder.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from sozialplanung.errors import SozialplanungError

FOLDERS = ("notebooks", "params")


def shipped(name: str) -> Path:
    """The shipped folder ``name`` (``notebooks`` or ``params``): the package's copy, else the repository's."""
    package = Path(str(resources.files("sozialplanung")))
    for candidate in (package / name, package.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise SozialplanungError(f"Der mitgelieferte Ordner „{name}“ fehlt in dieser Installation ({package}).",
                             hint="sozialplanung neu installieren (pip install sozialplanung) oder aus dem "
                                  "Projektordner starten.")


def _files(name: str) -> list[Path]:
    root = shipped(name)
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


def examples() -> list[tuple[str, str, str]]:
    """``(params file relative to params/, kommune, slug)`` of every shipped example report."""
    from sozialplanung.config.yamlio import read_yaml

    root, out = shipped("params"), []
    for path in _files("params"):
        rel = path.relative_to(root)
        if path.suffix != ".yaml" or rel.parts[0] == "rezepte" or len(rel.parts) != 2:
            continue
        data, _ = read_yaml(path, shown_as=str(rel))
        if isinstance(data, dict) and "kommune" in data:
            out.append((rel.as_posix(), str(data["kommune"]), str(data.get("slug", ""))))
    return out


def list_examples(verbose: bool = False) -> str:
    """German listing for ``sozialplanung beispiele`` without a target folder."""
    rows = examples()
    width = max(len(r[0]) for r in rows) if rows else 0
    lines = [f"Mitgelieferte Beispiele ({len(rows)}), in {shipped('params')}:" if verbose
             else f"Mitgelieferte Beispiele ({len(rows)}):"]
    lines += [f"  params/{file.ljust(width)}  {kommune}" for file, kommune, _ in rows]
    lines += ["", "Kopieren und rendern:", "  sozialplanung beispiele meine-beispiele", "  cd meine-beispiele",
              "  sozialplanung validate params/berlin/mitte.yaml", "  sozialplanung render params/berlin/mitte.yaml"]
    return "\n".join(lines)


def copy_examples(target: str | Path, *, force: bool = False) -> str:
    """Copy the shipped ``notebooks/`` and ``params/`` into ``target``; returns the German next steps.

    Existing files are never overwritten without ``force`` (a German error lists them first).
    """
    target = Path(target)
    plan = {target / name / f.relative_to(shipped(name)): f for name in FOLDERS for f in _files(name)}
    existing = [p for p in plan if p.exists()]
    if existing and not force:
        shown = ", ".join(str(p) for p in existing[:3]) + (f" … ({len(existing)} insgesamt)" if len(existing) > 3 else "")
        raise SozialplanungError(f"Im Zielordner gibt es schon Dateien der Beispiele: {shown}.", file=str(target),
                                 hint="einen leeren Ordner wählen oder mit --force überschreiben")
    try:
        for dest, source in plan.items():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
    except OSError as exc:
        raise SozialplanungError(f"Die Beispiele lassen sich nicht nach „{target}“ kopieren: {exc.strerror}.",
                                 file=str(target)) from None
    n = {name: sum(1 for p in plan if p.relative_to(target).parts[0] == name) for name in FOLDERS}
    return "\n".join([f"✓ {n['notebooks']} Notebooks und {n['params']} Dateien der Beispiel-Parameter nach {target} "
                      "kopiert.", "Weiter:", f"  cd {target}", "  sozialplanung validate params/berlin/mitte.yaml",
                      "  sozialplanung render params/berlin/mitte.yaml   # Bericht in output/berlin-mitte/",
                      "Eigene Kommune: sozialplanung neu meine-kommune --gebiete gebiete.gpkg --daten daten.xlsx"])
