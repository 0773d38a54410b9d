"""The indicator catalogue: one documented definition per indicator ("Single Point of Truth")."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pydantic
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sozialplanung.errors import SozialplanungError
from sozialplanung.config.validation import Errors, raise_german
from sozialplanung.config.yamlio import read_yaml

UNITS: dict[str, tuple[str, int]] = {
    "%": ("Anteil in Prozent", 1),
    "‰": ("Anteil in Promille", 1),
    "Prozentpunkte": ("Differenz zweier Anteile", 1),
    "je 100": ("je 100 der Bezugsgruppe", 1),
    "je 1.000 Einwohner/innen": ("Rate je 1.000 Einwohner/innen", 1),
    "Anzahl": ("Fallzahl", 0),
    "Personen": ("Zahl der Personen", 0),
    "Jahre": ("z. B. Durchschnittsalter, Wohndauer", 1),
    "€": ("Betrag in Euro", 1),
    "€ je Einwohner/in": ("Betrag in Euro je Einwohner/in", 0),
    "Index": ("Indexwert ohne Einheit", 1),
}
"""The allowed units (``unit:`` of an indicator): unit → (meaning, default number of decimals)."""
GEBIET_ID = "gebiet_id"
"""Name of the area id (column or index) in every table of the package; defined here only."""
RATE_UNITS = {"%": 100, "‰": 1000, "je 100": 100, "je 1.000 Einwohner/innen": 1000}
"""Units of shares and rates, with the base they are per (for the jump check between years)."""


class Indikator(BaseModel):
    """One indicator.

    Either ``numerator`` and ``denominator`` name count columns of the data table (the rate is
    ``numerator / denominator · factor`` and aggregates exactly), or ``rate`` names a column with a
    published rate and ``weight`` a population column (aggregation is a weighted mean, approximate).
    ``polarity`` is 1 if a higher value means more disadvantage, −1 if it is a resource, 0 if neutral.
    ``unit`` is one of :data:`UNITS` (``%``, ``‰``, ``Prozentpunkte``, ``je 100``, ``je 1.000
    Einwohner/innen``, ``Anzahl``, ``Personen``, ``Jahre``, ``€``, ``€ je Einwohner/in``, ``Index``);
    ``decimals`` the number of decimals the report shows (default per unit: 0 for ``Anzahl``,
    ``Personen`` and ``€ je Einwohner/in``, else 1).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    definition: str
    themenfeld: str
    source: str
    stichtag: str
    unit: Literal[tuple(UNITS)] = "%"
    decimals: int = Field(None, ge=0, le=6, validate_default=False)
    factor: float = Field(100.0, gt=0, allow_inf_nan=False)
    polarity: Literal[-1, 0, 1] = 1
    numerator: str | None = None
    denominator: str | None = None
    rate: str | None = None
    weight: str | None = None
    age_band: str | None = None
    min_count: int | None = Field(None, ge=0)
    limitations: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_decimals(cls, data):
        if isinstance(data, dict) and data.get("decimals") is None and data.get("unit", "%") in UNITS:
            data = {**data, "decimals": UNITS[data.get("unit", "%")][1]}
        return data

    @model_validator(mode="after")
    def _counts_or_rate(self):
        has_counts = self.numerator is not None and self.denominator is not None
        if has_counts == (self.rate is not None):
            raise ValueError("Entweder „numerator“ und „denominator“ (Fallzahlen) oder „rate“ "
                             "(veröffentlichte Quote) angeben, nicht beides und nicht keines.")
        return self

    @property
    def from_counts(self) -> bool:
        """True if the rate is computed from counts (exact aggregation)."""
        return self.rate is None

    @property
    def column(self) -> str:
        return self.id


class _CatalogueFile(BaseModel):
    """The top level of a catalogue file: only ``indicators`` (checked in :func:`read_catalogue`)."""

    model_config = ConfigDict(extra="forbid")

    indicators: Any = None


class Catalogue(dict):
    """Indicators by id, in the catalogue's order.

    Examples
    --------
    >>> from sozialplanung.config.params import read_params, find_params
    >>> p = read_params(find_params("berlin/berlin.yaml"))
    >>> cat = read_catalogue(p.resolve(p.catalogue))
    >>> cat["S1"].name
    'Arbeitslosigkeit'
    """

    def themenfelder(self) -> list[str]:
        return list(dict.fromkeys(ind.themenfeld for ind in self.values()))

    def table(self, ids: list[str] | None = None) -> pd.DataFrame:
        """The catalogue as a German table (for notebooks and the Methodenanhang)."""
        rows = [{
            "Kennung": ind.id, "Indikator": ind.name, "Themenfeld": ind.themenfeld,
            "Definition": ind.definition, "Einheit": ind.unit,
            "Polarität": {1: "höher = mehr Belastung", -1: "höher = Ressource", 0: "beschreibend"}[ind.polarity],
            "Berechnung": "aus Fallzahlen" if ind.from_counts else "veröffentlichte Quote",
            "Quelle": ind.source, "Stichtag": ind.stichtag,
        } for ind in self.values() if ids is None or ind.id in ids]
        return pd.DataFrame(rows)


def read_catalogue(path: str | Path, *, shown_as: str | None = None) -> Catalogue:
    """Read an indicator catalogue (YAML: ``indicators: {ID: {...}}``)."""
    shown = shown_as or str(path)
    data, lines = read_yaml(path, shown_as=shown)
    try:
        _CatalogueFile(**data)
    except pydantic.ValidationError as exc:  # an unknown top-level key, e.g. „indicator:“
        raise_german(exc, file=shown, lines=lines, model=_CatalogueFile)
    entries = data.get("indicators")
    if not isinstance(entries, dict) or not entries:
        raise SozialplanungError("Der Katalog braucht einen Abschnitt „indicators:“ mit mindestens einem "
                                 "Indikator.", file=shown, field="indicators")
    cat, errors = Catalogue(), Errors()
    for key, spec in entries.items():
        with errors.collect():
            cat[str(key)] = _indicator(key, spec, shown, lines)
    errors.raise_all()
    return cat


def _indicator(key, spec, shown: str, lines: dict[str, int]) -> Indikator:
    if not isinstance(spec, dict):
        raise SozialplanungError("Erwartet wird eine Zuordnung mit name, definition, … .", file=shown,
                                 field=f"indicators.{key}", row=lines.get(f"indicators.{key}"))
    if "id" in spec:
        raise SozialplanungError(f"Im Eintrag „{key}“ steht ein Feld „id“; die Kennung ist der Schlüssel selbst.",
                                 file=shown, field=f"indicators.{key}.id", row=lines.get(f"indicators.{key}.id"),
                                 hint="Die Zeile „id: …“ streichen.")
    try:
        return Indikator(id=str(key), **spec)
    except pydantic.ValidationError as exc:
        raise_german(exc, file=shown, lines=lines, model=Indikator, prefix=f"indicators.{key}")
