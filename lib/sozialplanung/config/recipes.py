"""Sozialindex recipes: a YAML file (``params/rezepte/*.yaml``) → :class:`Recipe` → fitted :class:`SozialIndex`.

A recipe states every step of an index: indicators per report year with their polarity and weight,
standardisation (with ``ddof``), aggregation, optional re-standardisation, the class rule with its
interval closure, the minimum population and the excluded areas. Steps are looked up by name in
:data:`sozialplanung.analysis.standardize.METHODS` and :data:`sozialplanung.analysis.classify.RULES`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, PrivateAttr, StrictStr, ValidationError, model_validator

from sozialplanung.analysis.classify import RULES, Classification
from sozialplanung.errors import SozialplanungError
from sozialplanung.analysis.standardize import METHODS
from sozialplanung.config.validation import raise_german
from sozialplanung.config.yamlio import read_yaml

__all__ = ["GEBIET_ID", "Recipe", "SozialIndex", "classify_scores", "compute_scores", "read_recipe"]

GEBIET_ID = "gebiet_id"
#: Scores are rounded to this many decimals before classification, so that floating-point noise
#: (order of summation, rescaled input) cannot move an area across a class boundary.
SCORE_DECIMALS = 10


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IndicatorSpec(_Model):
    id: StrictStr
    label: str = ""
    polarity: Literal[1, -1] = 1  # 1: higher value = more disadvantage; -1: the reverse (value is negated)
    weight: float = Field(1.0, gt=0)
    years: list[int] | None = None  # report years in which the indicator is used; None = all


class StandardizationSpec(_Model):
    method: Literal["zscore", "rank", "minmax", "imd_exp"]
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
    rule: Literal["sd_cutoffs", "quantiles", "natural_breaks", "equal_interval", "mapclassify"]
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


class PartSpec(_Model):
    label: str
    indicators: list[IndicatorSpec] = Field(min_length=1)
    standardization: StandardizationSpec
    aggregation: Literal["sum", "mean"]
    restandardization: StandardizationSpec | None = None
    classification: ClassificationSpec

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


def _standardize(spec: StandardizationSpec, values, population=None):
    return METHODS[spec.method](values, **spec.options(population))


def compute_scores(part: PartSpec, z: np.ndarray, weights: np.ndarray, population=None) -> np.ndarray:
    """Scores for r weight vectors at once: ``z`` (n × p standardised, polarity-aligned) and ``weights``
    (p × r) → n × r. Aggregation ``sum``: ``Σⱼ wⱼ zⱼ``; ``mean``: ``Σⱼ wⱼ zⱼ / Σⱼ wⱼ``; then the optional
    re-standardisation per column and rounding to :data:`SCORE_DECIMALS` decimals.
    """
    w = np.asarray(weights, dtype=float)
    s = np.zeros((z.shape[0], w.shape[1]))
    for j in range(z.shape[1]):  # fixed order over indicators: each area's sum is order-independent
        s = s + z[:, j, None] * w[j, None, :]
    if part.aggregation == "mean":
        s = s / w.sum(axis=0)
    if part.restandardization is not None:
        s = _standardize(part.restandardization, s, population)
    return np.round(s, SCORE_DECIMALS)


def classify_scores(part: PartSpec, scores: pd.Series) -> Classification:
    """Apply the part's class rule to one score column."""
    spec = part.classification
    return RULES[spec.rule](scores, **spec.rule_kwargs())


def _areas(n: int) -> str:
    return "1 Gebiet" if n == 1 else f"{n} Gebiete"


def _fmt(x: float) -> str:
    return f"{x:g}".replace("-", "−").replace(".", ",")


class SozialIndex:
    """Sozialindex after a recipe, in scikit-learn style.

    Parameters
    ----------
    recipe : Recipe or str or path
        A :class:`Recipe`, a recipe name (``"mss"``) or a YAML path; read in :meth:`fit`.

    Attributes
    ----------
    recipe_ : Recipe
    year_ : int or None
    indicators_ : dict of part → list of str
        Indicators used per part (``"status"``, ``"dynamik"``) in this report year.
    not_rated_ : pd.Index
        Areas “nicht bewertet”: not assessed by the Datenschutz rule (``excluded`` in :meth:`fit`),
        population below the recipe's ``min_population``, a missing indicator, or excluded in the recipe.
        They take no part in any standardisation (the reference are the rated areas).
    not_rated_reasons_ : pd.Series
        German reason per not-rated area.
    standardized_ : dict of part → pd.DataFrame
        Standardised, polarity-aligned indicator values of the rated areas.
    status_score_, dynamik_score_ : pd.Series
        Final score per area (NaN if not rated); ``dynamik_*`` is None without a dynamics part.
    status_, dynamik_ : pd.Series of Int64
        Class code per area as defined in the recipe (e.g. MSS Dynamik 1/3/5).
    classifications_ : dict of part → Classification
    breaks_ : dict of part → tuple of float
        Class boundaries for legends (closures in ``classifications_[part].belongs_to``).
    """

    def __init__(self, recipe):
        self.recipe = recipe

    def fit(self, frame: pd.DataFrame, einwohner=None, year: int | None = None,
            excluded: pd.Series | None = None) -> "SozialIndex":
        """Compute the index for the areas in ``frame`` (index or column ``gebiet_id``, one column per indicator).

        ``einwohner`` is a Series of residents per area or the name of a column in ``frame``.
        ``excluded`` gives a German reason per area that must not be rated whatever its values – the
        areas a Datenpaket does not assess (``dp.not_assessed_reasons()``). A ``Datenpaket`` may be
        passed instead of a frame: its values, population and areas not assessed of ``year`` are used.
        """
        recipe = self.recipe if isinstance(self.recipe, Recipe) else read_recipe(self.recipe)
        if not isinstance(frame, pd.DataFrame) and hasattr(frame, "population"):  # a Datenpaket
            year = frame.year if year is None else year
            einwohner = frame.population(year) if einwohner is None else einwohner
            excluded = frame.not_assessed_reasons(year=year) if excluded is None else excluded
            frame = frame.values(year)
        frame = _prepare_frame(frame)
        if recipe.needs_year() and year is None:
            raise SozialplanungError(f"Das Rezept „{recipe.name}“ unterscheidet Berichtsjahre.", field="year",
                                     hint="year=… angeben, z. B. SozialIndex(rezept).fit(daten, year=2021).")
        pop = _population(frame, einwohner)
        parts = recipe.parts()
        self.recipe_, self.year_ = recipe, year
        self.indicators_ = {n: [i.id for i in p.indicators_for(year)] for n, p in parts.items()}
        for name, ids in self.indicators_.items():
            if not ids:
                raise SozialplanungError(f"Das Rezept sieht für das Berichtsjahr {year} keine Indikatoren vor.",
                                         file=recipe._file, field=f"{name}.indicators")
        used = list(dict.fromkeys(c for ids in self.indicators_.values() for c in ids))
        absent = [c for c in used if c not in frame.columns]
        if absent:
            raise SozialplanungError(f"Spalte „{absent[0]}“ fehlt in den Daten.", field=absent[0],
                                     hint="Vorhandene Spalten: " + ", ".join(map(str, frame.columns)))
        reasons = pd.Series("", index=frame.index, dtype=object)
        if recipe.min_population is not None:
            if pop is None:
                raise SozialplanungError(f"Das Rezept verlangt mindestens {recipe.min_population:g} Einwohner je Gebiet.",
                                         field="einwohner", hint="einwohner=… (Spalte oder Series) an fit übergeben.")
            reasons[pop.isna()] = "Einwohnerzahl fehlt"
            reasons[pop < recipe.min_population] = f"weniger als {recipe.min_population:g} Einwohner"
        if excluded is not None:
            given = excluded.rename(index=str).reindex(frame.index)
            reasons = reasons.mask((reasons == "") & given.notna(), given)
        data = frame[used].apply(pd.to_numeric, errors="coerce")
        reasons[(reasons == "") & data.isna().any(axis=1)] = "fehlender Indikatorwert"
        for ex in recipe.excluded_areas:
            if (ex.years is None or year in ex.years) and ex.gebiet_id in reasons.index:
                reasons[ex.gebiet_id] = f"ausgeschlossen: {ex.reason}"
        rated = reasons == ""
        if rated.sum() < 2:
            raise SozialplanungError(f"Nur {int(rated.sum())} Gebiet(e) bewertbar; ein Index braucht mindestens zwei.")
        self.not_rated_ = frame.index[~rated]
        self.not_rated_reasons_ = reasons[~rated]
        self._n_areas = len(frame)
        rated_pop = self._rated_population = pop[rated] if pop is not None else None
        self.standardized_, self.classifications_, self.breaks_, scores, classes = {}, {}, {}, {}, {}
        for name, part in parts.items():
            specs = part.indicators_for(year)
            x = data.loc[rated, [i.id for i in specs]] * np.array([i.polarity for i in specs], dtype=float)
            z = _standardize(part.standardization, x, rated_pop)
            self.standardized_[name] = z
            w = np.array([[i.weight] for i in specs])
            s = pd.Series(compute_scores(part, z.to_numpy(), w, rated_pop)[:, 0], index=z.index)
            cl = classify_scores(part, s)
            codes = {j + 1: c.code for j, c in enumerate(part.classification.classes)}
            self.classifications_[name], self.breaks_[name] = cl, cl.breaks
            scores[name] = s.reindex(frame.index).rename(f"{name}_score")
            classes[name] = cl.classes.map(codes).astype("Int64").reindex(frame.index).rename(name)
        self.status_score_, self.status_ = scores["status"], classes["status"]
        self.dynamik_score_, self.dynamik_ = scores.get("dynamik"), classes.get("dynamik")
        return self

    def _check_fitted(self):
        if not hasattr(self, "status_"):
            raise SozialplanungError("Der Sozialindex ist noch nicht berechnet.", hint="Zuerst fit(daten, …) aufrufen.")

    def _labels(self, name: str) -> pd.Series:
        part = self.recipe_.parts()[name]
        labels = {c.code: c.label for c in part.classification.classes}
        return getattr(self, f"{name}_").map(labels, na_action="ignore").astype(object)

    def to_frame(self) -> pd.DataFrame:
        """One row per area: scores, class codes and labels, the combined code, and ``bewertet``."""
        self._check_fitted()
        out = pd.DataFrame({GEBIET_ID: self.status_.index})
        for name in ("status", "dynamik"):
            cls = getattr(self, f"{name}_")
            has = cls is not None
            out[f"{name}_score"] = getattr(self, f"{name}_score_").to_numpy() if has else np.nan
            out[f"{name}_klasse"] = cls.array if has else pd.array([pd.NA] * len(out), dtype="Int64")
            out[f"{name}_label"] = self._labels(name).array if has else None
        both = out["status_klasse"] * 10 + out["dynamik_klasse"]  # published MSS convention SDI_N = 10·SI + DI
        out["status_dynamik"] = both.astype("Int64")
        out["status_dynamik_label"] = np.where(both.notna(), out["status_label"] + "/" + out["dynamik_label"].astype(str), None)
        out["bewertet"] = ~out[GEBIET_ID].isin(self.not_rated_)
        return out

    def __repr__(self) -> str:
        if not hasattr(self, "status_"):
            name = self.recipe.name if isinstance(self.recipe, Recipe) else str(self.recipe)
            return f"SozialIndex(Rezept „{name}“, noch nicht berechnet)"
        year = f", Berichtsjahr {self.year_}" if self.year_ is not None else ""
        n_rated = self._n_areas - len(self.not_rated_)
        lines = [f"SozialIndex „{self.recipe_.name}“{year}: {n_rated} von {self._n_areas} Gebieten bewertet"]
        for name, part in self.recipe_.parts().items():
            counts = getattr(self, f"{name}_").value_counts()
            classes, texts = part.classification.classes, self.classifications_[name].intervals()
            wl = max([len(part.label) - 4] + [len(c.label) for c in classes]) + 2
            wt = max([7] + [len(t) for t in texts]) + 2
            lines.append(f"{part.label:<{wl + 4}}{'Bereich':<{wt}}{'Anzahl':>7}")
            for c, text in zip(classes, texts):
                lines.append(f"  {c.code:>1} {c.label:<{wl}}{text:<{wt}}{int(counts.get(c.code, 0)):>7}")
        return "\n".join(lines)

    def describe(self) -> list[str]:
        """German sentences describing every step actually used (for the Methodenanhang)."""
        self._check_fitted()
        r = self.recipe_
        out = [f"Index nach dem Rezept „{r.name}“: {r.title}." + (f" Quelle: {r.source.strip()}" if r.source else "")]
        n_rated = self._n_areas - len(self.not_rated_)
        year = f" für das Berichtsjahr {self.year_}" if self.year_ is not None else ""
        out.append(f"Bewertet wurden{year} {n_rated} von {self._n_areas} Gebieten; nur diese bilden die "
                   "Bezugsgesamtheit für jede Standardisierung.")
        if r.min_population is not None:
            n = int(self.not_rated_reasons_.str.startswith(("weniger", "Einwohnerzahl")).sum())
            out.append(f"Gebiete mit weniger als {_fmt(r.min_population)} Einwohnerinnen und Einwohnern werden nicht "
                       f"bewertet, ebenso Gebiete ohne Einwohnerzahl ({_areas(n)}).")
        n_datenschutz = int(self.not_rated_reasons_.str.startswith("Datenschutz").sum())
        if n_datenschutz:
            out.append(f"{_areas(n_datenschutz)} {'wird' if n_datenschutz == 1 else 'werden'} aus Datenschutzgründen "
                       "nicht bewertet (zu wenige Einwohner/innen, siehe Datenschutz).")
        n_missing = int((self.not_rated_reasons_ == "fehlender Indikatorwert").sum())
        if n_missing:
            out.append(f"{_areas(n_missing)} mit fehlendem Indikatorwert {'wird' if n_missing == 1 else 'werden'} nicht bewertet.")
        excluded = self.not_rated_reasons_[self.not_rated_reasons_.str.startswith("ausgeschlossen")]
        if len(excluded):
            out.append("Ausdrücklich ausgeschlossen: " + "; ".join(f"{g} ({t.split(': ', 1)[1]})" for g, t in excluded.items()) + ".")
        for name, part in r.parts().items():
            out.extend(_describe_part(part, part.indicators_for(self.year_)))
        if r.dynamik is not None:
            out.append("Kombinierte Kennzahl Status/Dynamik: Code = 10 × Statusklasse + Dynamikklasse "
                       "(wie SDI_N im Berliner MSS), Text „Status/Dynamik“.")
        return out


def _describe_std(spec: StandardizationSpec, what: str, again: bool = False) -> str:
    if spec.method == "zscore":
        div = "n" if spec.ddof == 0 else f"n − {spec.ddof}"
        w = "mit den Einwohnerzahlen gewichtet" if spec.population_weights else "ungewichtet"
        return (f"{what} wurde {'erneut ' if again else ''}z-standardisiert: z = (x − Mittelwert) / Standardabweichung, Standardabweichung mit "
                f"ddof = {spec.ddof} (Division durch {div}), {w}.")
    text = {"rank": "in Perzentilränge R = Rang / n (0 < R ≤ 1) umgerechnet",
            "minmax": "auf den Bereich 0 bis 1 skaliert: (x − Minimum) / (Maximum − Minimum)",
            "imd_exp": "mit der exponentiellen Transformation der English Indices of Deprivation umgerechnet: "
                       "X = −23 · ln(1 − R · (1 − exp(−100/23))), R = Perzentilrang"}[spec.method]
    return f"{what} wurde {'erneut ' if again else ''}{text}."


def _describe_part(part: PartSpec, specs: list[IndicatorSpec]) -> list[str]:
    names = ", ".join(f"{i.id} ({i.label})" if i.label else i.id for i in specs)
    out = [f"{part.label}: Indikatoren {names}. Ein höherer Wert bedeutet eine stärkere Benachteiligung."]
    flipped = [i.id for i in specs if i.polarity == -1]
    if flipped:
        out.append(f"Umgekehrt gepolt (mit −1 multipliziert, weil ein höherer Wert geringere Benachteiligung bedeutet): "
                   f"{', '.join(flipped)}.")
    out.append(_describe_std(part.standardization, "Jeder Indikator"))
    weights = {i.weight for i in specs}
    out.append("Alle Indikatoren gehen mit gleichem Gewicht ein." if len(weights) == 1 else
               "Gewichte: " + ", ".join(f"{i.id} {_fmt(i.weight)}" for i in specs) + ".")
    how = "summiert" if part.aggregation == "sum" else "gemittelt"
    out.append(f"Die standardisierten Werte wurden je Gebiet {'' if len(weights) == 1 else 'gewichtet '}{how}.")
    if part.restandardization is not None:
        out.append(_describe_std(part.restandardization, "Das Ergebnis", again=True))
    cl = part.classification
    rule = {"sd_cutoffs": "feste Grenzen auf dem standardisierten Wert", "quantiles": f"{cl.k} gleich große Gruppen (Quantile)",
            "natural_breaks": f"{cl.k} natürliche Klassen (Fisher-Jenks)", "equal_interval": f"{cl.k} gleich breite Klassen",
            "mapclassify": f"mapclassify-Verfahren {cl.scheme} mit {cl.k} Klassen"}[cl.rule]
    if cl.rule == "sd_cutoffs":
        iv = Classification(pd.Series(dtype="Int64"), tuple(cl.cutoffs), tuple(cl.belongs_to)).intervals()
        rule += ": " + "; ".join(f"{c.code} {c.label} {t}" for c, t in zip(cl.classes, iv))
    else:
        rule += "; Klassen " + ", ".join(f"{c.code} {c.label}" for c in cl.classes) + " (Klasse 1 = niedrigste Werte)"
    out.append(f"Klassenbildung: {rule}.")
    return out


def _prepare_frame(frame) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise SozialplanungError(f"Erwartet wurde eine Tabelle (DataFrame), erhalten: {type(frame).__name__}.")
    if GEBIET_ID in frame.columns:
        frame = frame.set_index(GEBIET_ID)
    frame = frame.copy()
    frame.index = frame.index.astype(str).rename(GEBIET_ID)
    dup = frame.index[frame.index.duplicated()]
    if len(dup):
        raise SozialplanungError(f"Gebiets-ID „{dup[0]}“ kommt mehrfach vor.", field=GEBIET_ID)
    return frame


def _population(frame: pd.DataFrame, einwohner) -> pd.Series | None:
    if einwohner is None:
        return None
    if isinstance(einwohner, str):
        if einwohner not in frame.columns:
            raise SozialplanungError(f"Spalte „{einwohner}“ fehlt in den Daten.", field=einwohner)
        return pd.to_numeric(frame[einwohner], errors="coerce")
    pop = pd.Series(einwohner).copy()
    pop.index = pop.index.astype(str)
    return pd.to_numeric(pop.reindex(frame.index), errors="coerce")
