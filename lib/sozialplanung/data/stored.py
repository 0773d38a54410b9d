"""Results kept beside the report folders, shared by the notebooks and reports of a run: the protected Datenpaket.

Every notebook of a report loads its Datenpaket, and so does the render around them (the exports, the leak scan):
eight loads for a Bezirk report, four for a Kreis report, each reading every input and applying the Datenschutz
rules again (for the 10.990 Gemeinden of ``params/deutschland/kreise-gemeinden.yaml`` 2,2 s, of it 1,3 s secondary
suppression over five years). :func:`load` does it once and keeps the result in ``.ergebnisse/datenpaket/`` of the
output root – the folder of :mod:`sozialplanung.analysis.ergebnisse`, beside the report folders, never published
(the Datenpaket holds withheld values and the suppression log). The other loads of the run read it.

Key (:func:`key`): sha256 over the params (all fields; for one unit of a batch without the fields the unit sets:
Berichtsgebiet, ``kommune``, ``slug`` – every unit of a batch is protected by the same secondary suppression, see
:mod:`sozialplanung.config.units`), the contents of every input file and the library's own files with the package
versions (:func:`sozialplanung.data.manifest.library_hash`). The file repeats the key in its first line, checked
before the pickle is read; a file of other inputs, params or code is never used (the Datenpaket is loaded again
and the file replaced). A read copy gets the params it was asked for.

Files are written atomically (:func:`write_atomic`) and computed under a lock (:func:`locked`), so reports of a
batch running at the same time wait for the one that loads instead of repeating it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import pickle
import tempfile
from pathlib import Path

FORMAT = 1
FOLDER = ".ergebnisse"
"""Name of the results folder beside the report folders (in the output root)."""
UNIT_FIELDS = {"berichtsgebiet", "kommune", "slug"}
"""What :func:`sozialplanung.config.units.apply_unit` sets for one unit of a batch (the Datenpaket does not read
them: the Bezugsgesamtheit's total is named by ``bezugsname``, which a unit keeps)."""


def folder_for(output_dir: str | Path) -> Path:
    """The results folder of a report folder: ``.ergebnisse`` beside it (in the output root)."""
    return Path(output_dir).resolve().parent / FOLDER


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it: a parallel reader sees the old file,
    no file, or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def locked(path: Path):
    """Hold an exclusive lock for ``path`` (``flock`` on ``<path>.lock``) while computing it.

    Reports of a batch running at the same time wait here for the one that computes a shared result,
    then read it. The kernel releases the lock when the process ends, so a killed render blocks nobody.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def key(params) -> str:
    """sha256 over what a loaded Datenpaket depends on (module docstring)."""
    from sozialplanung.data.inputs import input_files
    from sozialplanung.data.manifest import library_hash, sha256

    fields = params.model_dump(mode="json", exclude=UNIT_FIELDS if params.unit else None)
    files = {k: sha256(p) for k, p in sorted(input_files(params).items()) if k != "params" and p.is_file()}
    parts = {"format": FORMAT, "parameter": fields, "eingaben": files, "bibliothek": library_hash()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def load(params, output_dir: str | Path, build):
    """The Datenpaket of ``params`` from the results folder of ``output_dir``, or ``build(params)`` kept there."""
    from sozialplanung.data.inputs import input_files

    digest = key(params)
    path = folder_for(output_dir) / "datenpaket" / f"{digest[:32]}.pkl"
    header = json.dumps({"format": FORMAT, "schluessel": digest}).encode() + b"\n"
    with locked(path):
        dp = _read(path, header)
        if dp is None:
            dp = build(params)
            write_atomic(path, header + pickle.dumps(dp, protocol=pickle.HIGHEST_PROTOCOL))
            return dp
    return dataclasses.replace(dp, params=params, inputs=input_files(params))


def _read(path: Path, header: bytes):
    try:
        with open(path, "rb") as f:
            if f.readline() != header:
                return None  # stale: other params, inputs or code
            return pickle.load(f)
    except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None  # missing or unreadable: loaded again and replaced
