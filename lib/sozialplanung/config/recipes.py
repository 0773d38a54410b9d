"""Sozialindex recipes: a YAML file (``params/rezepte/*.yaml``) → validated :class:`Recipe`.

A recipe states every step of an index: indicators per report year with their polarity and weight,
standardisation (with ``ddof``), aggregation, optional re-standardisation, the class rule with its
interval closure, the minimum population and the excluded areas. This module only reads and
validates; :class:`sozialplanung.analysis.sozialindex.SozialIndex` computes the index. The step names
allowed here (:data:`STANDARDIZATION_METHODS`, :data:`CLASS_RULES`) are the keys of
:data:`sozialplanung.analysis.standardize.METHODS` and :data:`sozialplanung.analysis.classify.RULES`
(tests/analysis/test_sozialindex.py checks that they agree).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal, get_args

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, PrivateAttr, StrictStr, ValidationError, model_validator

from sozialplanung.config.validation import raise_german
from sozialplanung.config.yamlio import read_yaml
from sozialplanung.errors import SozialplanungError

__all__ = ["CLASS_RULES", "STANDARDIZATION_METHODS", "Recipe", "read_recipe"]

StandardizationMethod = Literal["zscore", "rank", "minmax", "imd_exp"]
ClassRule = Literal["sd_cutoffs", "quantiles", "natural_breaks", "equal_interval", "mapclassify"]
STANDARDIZATION_METHODS: tuple[str, ...] = get_args(StandardizationMethod)
"""Standardisation names a recipe may use (= keys of ``analysis.standardize.METHODS``)."""
CLASS_RULES: tuple[str, ...] = get_args(ClassRule)
"""Class rule names a recipe may use (= keys of ``analysis.classify.RULES``)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IndicatorSpec(_Model):
    id: StrictStr
    label: str = ""
    polarity: Literal[1, -1] = 1  # 1: higher value = more disadvantage; -1: the reverse (value is negated)
    weight: float = Field(1.0, gt=0)
    years: list[int] | None = None  # report years in which the indicator is used; None = all
    dimension: str | None = None  # sub-dimension of the part (weighting "pca": one principal component each)


class StandardizationSpec(_Model):
    method: StandardizationMethod
    ddof: int | None = Field(None, ge=0)
    population_weights: bool = False  # zscore only: mean and SD weighted by residents (frequency weights)
    ties: Literal["average", "min", "max", "first", "dense"] = "average"

    @model_validator(mode="after")
    def _check(self):
        if self.method == "zscore" and self.ddof is None:
            raise ValueError("Für „zscore“ muss „ddof“ ausdrücklich angegeben werden (0 = Division durch n, 1 = durch n − 1).")
        if self.method != "zscore" and (self.ddof is not None or self.population_weights):
            raise ValueError(f"„ddof“ und „population_weights“ gelten nur für „zscore“, nicht für „{self.method}“.")
        return self

    def options(self, population=None) -> dict:
        if self.method == "zscore":
            if self.population_weights and population is None:
                raise SozialplanungError("Die Standardisierung ist nach Einwohnern gewichtet, es fehlen aber die Einwohnerzahlen.",
                                         field="einwohner", hint="einwohner=… (Spalte oder Series) an fit übergeben.")
            return {"ddof": self.ddof, "weights": population if self.population_weights else None}
        return {"ties": self.ties} if self.method in ("rank", "imd_exp") else {}


class ClassSpec(_Model):
    code: int
    label: str


class ClassificationSpec(_Model):
    rule: ClassRule
    cutoffs: list[float] | None = None
    belongs_to: list[Literal["lower", "upper"]] | None = None
    k: int | None = Field(None, ge=2)
    scheme: str | None = None
    classes: list[ClassSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self):
        if self.rule == "sd_cutoffs":
            if self.cutoffs is None or self.belongs_to is None:
                raise ValueError("„sd_cutoffs“ braucht „cutoffs“ und „belongs_to“ (je Grenze „lower“ oder „upper“).")
            if len(self.belongs_to) != len(self.cutoffs):
                raise ValueError(f"{len(self.cutoffs)} Grenzen, aber {len(self.belongs_to)} Angaben in „belongs_to“.")
            if any(b <= a for a, b in zip(self.cutoffs, self.cutoffs[1:])):
                raise ValueError(f"Die Grenzen müssen streng aufsteigen, erhalten: {self.cutoffs}.")
            n = len(self.cutoffs) + 1
        else:
            if self.k is None:
                raise ValueError(f"Die Regel „{self.rule}“ braucht die Klassenzahl „k“.")
            if self.rule == "mapclassify" and not self.scheme:
                raise ValueError("Die Regel „mapclassify“ braucht „scheme“ (z. B. FisherJenks).")
            n = self.k
        if len(self.classes) != n:
            raise ValueError(f"Die Regel ergibt {n} Klassen, unter „classes“ stehen {len(self.classes)}.")
        return self

    def rule_kwargs(self) -> dict:
        if self.rule == "sd_cutoffs":
            return {"cutoffs": self.cutoffs, "belongs_to": self.belongs_to}
        return {"k": self.k} | ({"scheme": self.scheme} if self.rule == "mapclassify" else {})


class WeightingSpec(_Model):
    """How the indicator weights are set. ``fixed``: the ``weight`` of each indicator. ``pca``: per
    ``dimension`` (indicators without one form one dimension) the loadings of the first principal component
    of the correlation matrix of the standardised indicators (RKI GISD). ``dimension_scaling: minmax``
    rescales each dimension score to 0–1 before the aggregation, so each dimension counts equally."""

    method: Literal["fixed", "pca"] = "fixed"
    dimension_scaling: Literal["none", "minmax"] = "none"


class PartSpec(_Model):
    label: str
    indicators: list[IndicatorSpec] = Field(min_length=1)
    standardization: StandardizationSpec
    weighting: WeightingSpec = WeightingSpec()
    aggregation: Literal["sum", "mean"]
    restandardization: StandardizationSpec | None = None
    classification: ClassificationSpec

    @model_validator(mode="after")
    def _check_weighting(self):
        if self.weighting.method == "pca" and any(i.weight != 1 for i in self.indicators):
            raise ValueError("Bei „weighting: pca“ werden die Gewichte aus den Ladungen berechnet; „weight“ entfällt.")
        return self

    def indicators_for(self, year: int | None) -> list[IndicatorSpec]:
        return [i for i in self.indicators if i.years is None or year in i.years]


class ExcludedArea(_Model):
    gebiet_id: StrictStr
    reason: str
    years: list[int] | None = None


class Recipe(_Model):
    """A Sozialindex recipe, validated (see ``params/rezepte/mss.yaml`` for a fully commented example)."""

    name: str
    title: str
    description: str = ""
    source: str = ""
    deviations: list[str] = []  # where a recipe that reproduces a published method departs from it, and why
    min_population: float | None = Field(None, ge=0, validation_alias=AliasChoices("min_population", "min_einwohner"))
    excluded_areas: list[ExcludedArea] = []
    status: PartSpec
    dynamik: PartSpec | None = None
    _file: str | None = PrivateAttr(None)

    def parts(self) -> dict[str, PartSpec]:
        return {n: p for n, p in (("status", self.status), ("dynamik", self.dynamik)) if p is not None}

    def needs_year(self) -> bool:
        specs = [i for p in self.parts().values() for i in p.indicators] + list(self.excluded_areas)
        return any(s.years is not None for s in specs)


def _find_recipe(path) -> Path:
    p = Path(path)
    if p.suffix or len(p.parts) > 1:
        return p
    package = Path(str(resources.files("sozialplanung")))
    for folder in (Path.cwd() / "params" / "rezepte", package.parents[1] / "params" / "rezepte", package / "rezepte"):
        if (folder / f"{p.name}.yaml").is_file():
            return folder / f"{p.name}.yaml"
    return p


def read_recipe(path) -> Recipe:
    """Read and validate a recipe YAML file (safe loading, see :mod:`sozialplanung.config.yamlio`); a bare name like
    ``"mss"`` is looked up in ``params/rezepte/``. Every problem raises a :class:`SozialplanungError` naming
    the file, the dotted field (indicators by their id, e.g. ``status.indicators.S1.polarity``) and the line.
    """
    file = _find_recipe(path)
    shown = str(path) if Path(path).suffix or not file.is_file() else str(file)
    if not file.is_file():
        raise SozialplanungError("Rezeptdatei nicht gefunden.", file=shown, hint="Vorhandene Rezepte liegen in params/rezepte/.")
    data, lines = read_yaml(file, shown_as=shown)
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as exc:
        raise_german(exc, file=shown, lines=lines, model=Recipe, data=data)
    recipe._file = shown
    return recipe
