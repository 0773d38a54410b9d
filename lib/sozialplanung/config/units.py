"""Batch over a level of the areas (``batch: {level: Kreis}``): one report per unit of that level.

A params file with ``batch`` stands for one report per unit; ``datei.yaml#07232`` names one of them
(:func:`sozialplanung.config.params.read_params` reads it): the unit becomes the Berichtsgebiet, its
name the ``kommune`` of the report, the file's ``kommune`` its ``bezugsname`` (unless set), and the
report goes to ``output/<name>-<id>/``. The Bezugsgesamtheit stays that of the file (e.g. all of
Germany), so each unit report shows its own areas against its own total, the higher levels (its
Land) and the whole, and every unit report is protected by the same secondary suppression.

Only the attribute tables of the areas and of the batch level are read here (ids and names, no
geometry).
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from sozialplanung.errors import SozialplanungError

UNIT_SEP = "#"


class Batch(BaseModel):
    """``batch: {level: Kreis}``: one report per unit of a parent level."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    level: str = Field(description="Ebene, über die der Stapel läuft: ein Bericht je Einheit, z. B. „Kreis“")


def split_unit(path: str | Path) -> tuple[str, str | None]:
    """``"a.yaml#07232"`` → ``("a.yaml", "07232")``; a path without ``#`` (or an existing file) stays whole."""
    text = str(path)
    head, sep, unit = text.rpartition(UNIT_SEP)
    if not sep or not unit or Path(text).exists():
        return text, None
    return head, unit.strip()


def unit_ids(text: str) -> list[str]:
    """``"07232, 07111"`` → ``["07232", "07111"]`` (for ``datei.yaml#07232,07111`` and ``--nur``)."""
    return [u for u in (part.strip() for part in text.split(",")) if u]


def units(params) -> dict[str, str]:
    """Id → name of every unit of the batch level that has areas, in id order."""
    level = params.batch.level
    parent = next(p for p in params.areas.parents if p.level == level)
    areas = params.resolve(params.areas.file)
    if parent.column:
        ids = _column(str(areas), params.areas.layer, parent.column, areas.stat().st_mtime_ns)
    else:
        ids = [i[: parent.prefix] for i in _column(str(areas), params.areas.layer, params.areas.id,
                                                   areas.stat().st_mtime_ns)]
    names: dict[str, str] = {}
    if parent.layer or parent.file:
        source = params.resolve(parent.file) if parent.file else areas
        names = dict(zip(_column(str(source), parent.layer, parent.id, source.stat().st_mtime_ns),
                         _column(str(source), parent.layer, parent.name, source.stat().st_mtime_ns)))
    return {i: str(names.get(i) or i) for i in sorted({str(i) for i in ids if i is not None and str(i) != "nan"})}


@functools.lru_cache(maxsize=16)
def _column(path: str, layer: str | None, column: str, mtime: int) -> list[str]:
    import pyogrio

    try:
        frame = pyogrio.read_dataframe(path, layer=layer, columns=[column], read_geometry=False)
    except Exception as exc:  # noqa: BLE001 - any reader error becomes a German message
        raise SozialplanungError(f"Die Spalte „{column}“ ist nicht zu lesen ({exc}).", file=path,
                                 field="batch.level") from None
    if column not in frame.columns:
        raise SozialplanungError(f"Die Spalte „{column}“ fehlt.", file=path, field="batch.level")
    return [None if v is None else str(v) for v in frame[column].tolist()]


def unit_slug(name: str, unit: str) -> str:
    """``"Eifelkreis Bitburg-Prüm", "07232"`` → ``"eifelkreis-bitburg-pruem-07232"`` (at most 63 characters).

    >>> unit_slug("Städteregion Aachen", "05334")
    'staedteregion-aachen-05334'
    """
    text = name.lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    tail = re.sub(r"[^a-z0-9_-]+", "-", unit.lower())
    return f"{text[: 62 - len(tail)].rstrip('-')}-{tail}".lstrip("-")


def apply_unit(params, unit: str, shown: str):
    """The params of one unit: Berichtsgebiet, ``kommune``, ``bezugsname`` and ``slug`` of that unit."""
    if params.batch is None:
        raise SozialplanungError(f"„{UNIT_SEP}{unit}“ wählt eine Einheit eines Stapels, aber die Parameterdatei hat "
                                 "kein Feld „batch“.", file=shown, field="batch",
                                 hint="Zum Beispiel „batch: {level: Kreis}“ ergänzen oder „#…“ weglassen.")
    known = units(params)
    if unit not in known:
        close = difflib.get_close_matches(unit, list(known), n=3)
        raise SozialplanungError(
            f"Die Einheit „{unit}“ gibt es auf der Ebene {params.batch.level} nicht.", file=shown, field="batch.level",
            hint=(f"Meinten Sie {', '.join(close)}? " if close else "")
            + f"Vorhanden sind {len(known)} Einheiten, z. B. {', '.join(list(known)[:3])}.")
    data = params.model_dump()
    data.update(path=params.path, unit=unit, kommune=known[unit], bezugsname=params.bezugsname or params.kommune,
                slug=unit_slug(known[unit], unit), berichtsgebiet={"level": params.batch.level, "ids": [unit]})
    return type(params)(**data)


def unit_refs(params_file: str, params, only: list[str] | None = None) -> list[str]:
    """``datei.yaml#<id>`` for every unit of a batch params file (or only those of ``only``, checked)."""
    known = units(params)
    chosen = list(known) if not only else only
    for unit in chosen:
        if unit not in known:
            apply_unit(params, unit, params_file)  # raises the German error with hints
    return [f"{params_file}{UNIT_SEP}{unit}" for unit in chosen]


def check_batch(params, shown: str, lines: dict[str, int]) -> None:
    """``batch.level`` is a parent level, and the file does not also set a Berichtsgebiet."""
    if params.batch is None:
        return
    parents = [p.level for p in params.areas.parents]
    if params.batch.level not in parents:
        raise SozialplanungError(f"Über die Ebene „{params.batch.level}“ kann kein Stapel laufen.", file=shown,
                                 field="batch.level", row=lines.get("batch.level"),
                                 hint=f"Erlaubt sind die übergeordneten Ebenen: {', '.join(parents) or '(keine)'}.")
    if params.areas.file is None:
        raise SozialplanungError("Ein Stapel braucht die Gebietsdatei (areas.file): aus ihr liest er die Einheiten.",
                                 file=shown, field="batch", row=lines.get("batch"),
                                 hint="areas.file angeben oder je Einheit einen Bericht mit „berichtsgebiet“ rendern.")
    if params.berichtsgebiet is not None:
        raise SozialplanungError("„batch“ und „berichtsgebiet“ schließen sich aus: der Stapel setzt das "
                                 "Berichtsgebiet je Einheit.", file=shown, field="berichtsgebiet",
                                 row=lines.get("berichtsgebiet"), hint="„berichtsgebiet“ weglassen oder null setzen.")
