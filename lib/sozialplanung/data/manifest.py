"""Provenance of a rendered report: parameters, input hashes, package versions, git commit, time."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from sozialplanung.data.inputs import input_files

PACKAGES = ["sozialplanung", "pandas", "numpy", "scipy", "geopandas", "shapely", "pyogrio", "matplotlib",
            "statsmodels", "scikit-learn", "mapclassify", "libpysal", "esda", "papermill", "nbconvert", "pydantic"]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def git_commit(cwd: Path | None = None) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def build_manifest(params, inputs: dict[str, Path]) -> dict:
    """The manifest of one run (``manifest.json``), without the output hashes."""
    return {
        "kommune": params.kommune,
        "slug": params.slug,
        "parameter": params.model_dump(mode="json"),
        "eingaben": {key: {"pfad": str(path), "sha256": sha256(path)} for key, path in inputs.items()
                     if path.is_file()},
        "versionen": _versions(),
        "git_commit": git_commit(Path(params.path).parent),
        "zeitpunkt": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


def fingerprint(params, notebooks: Path) -> str:
    """One hash over everything a report depends on: params and input files, chapter texts, the
    notebooks, the library's own files and the package versions. Unchanged → the report is skipped."""
    files = {key: path for key, path in input_files(params).items() if path.is_file()}
    folder = params.resolve(params.texts) if params.texts else None
    if folder and folder.is_dir():
        files |= {f"texte/{p.relative_to(folder)}": p for p in sorted(folder.rglob("*")) if p.is_file()}
    files |= {f"notebooks/{p.name}": p for p in sorted(Path(notebooks).glob("*.ipynb"))}
    parts = {key: sha256(path) for key, path in files.items()}
    parts["bibliothek"] = library_hash()
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def library_files() -> list[Path]:
    """The library's own files: code and templates, not the demo data."""
    root = Path(__file__).parents[1]
    return [p for p in sorted(root.rglob("*")) if p.is_file() and p.relative_to(root).parts[0] != "demo"
            and "__pycache__" not in p.parts]


def library_stamp() -> tuple:
    """Cheap change detector for the library files (names, sizes and modification times)."""
    return tuple((str(p), st.st_size, st.st_mtime_ns) for p in library_files() for st in [p.stat()])


def library_hash() -> str:
    """sha256 over the library's files and the package versions (recomputed when a file changes)."""
    return _library_hash(library_stamp())


@functools.lru_cache(maxsize=4)
def _library_hash(stamp: tuple) -> str:
    root = Path(__file__).parents[1]
    h = hashlib.sha256(json.dumps(_versions(), sort_keys=True).encode())
    for path in library_files():
        h.update(str(path.relative_to(root)).encode() + b"\0" + sha256(path).encode())
    return h.hexdigest()


def _versions() -> dict[str, str | None]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def add_output_hashes(manifest: dict, folder: Path) -> dict:
    """Record the sha256 of every file under ``folder`` (except the manifest itself)."""
    manifest["ausgaben"] = {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*"))
                            if p.is_file() and p.name != "manifest.json"}
    return manifest


def write_manifest(manifest: dict, folder: Path) -> Path:
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def read_manifest(folder: Path) -> dict:
    return json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))


def ensure_manifest(dp, folder: Path) -> dict:
    """The manifest in ``folder``; written first if a notebook runs outside ``render``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "manifest.json").exists():
        write_manifest(build_manifest(dp.params, dp.inputs), folder)
    return read_manifest(folder)
