"""``Params``: one Kommune's YAML file, validated once before any notebook runs.

Field names are English snake_case; German domain nouns (kommune, bezugsgesamtheit,
berichtsgebiet, datenschutz) stay German. Paths are relative to the params file; the prefix
``paket:`` points into the demo data shipped inside the package.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from sozialplanung.errors import SozialplanungError
from sozialplanung.validation import raise_german
from sozialplanung.yamlio import read_yaml

PAKET_PREFIX = "paket:"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parent(_Model):
    """A parent level of the areas, e.g. Bezirksregion or Bezirk (small to large)."""

    column: str = Field(description="Spalte der Geometrie mit der Kennung der übergeordneten Einheit")
    level: str = Field(description="Name der Ebene, z. B. „Bezirk“")
    layer: str | None = Field(None, description="Layer der Gebietsdatei mit Umrissen und Namen")


class AreasSpec(_Model):
    file: str
    layer: str | None = None
    id: str = "gebiet_id"
    name: str = "name"
    level: str = "Sozialraum"
    parents: list[Parent] = []


class DataSpec(_Model):
    file: str
    sheet: str | None = None
    skip_rows: int = Field(0, ge=0, description="Zeilen nach der Kopfzeile überspringen (z. B. eine zweite Kopfzeile)")
    id: str = "gebiet_id"
    year: str = "jahr"
    population: str | None = "einwohner"
    decimal: Literal[".", ","] | None = Field(
        None, description="Dezimaltrennzeichen der Datentabelle, wenn es nicht zu erkennen ist (nur ganze Zahlen und "
                          "Werte wie 12.345): „.“ oder „,“ (dann ist der Punkt das Tausendertrennzeichen); leer: erkennen")
    password_env: str | None = Field(
        None, description="Name der Umgebungsvariable mit einem Passwort (nie das Passwort selbst)")


class Selection(_Model):
    """A set of areas named by a level and its ids (``level: Bezirk, ids: ["01"]``)."""

    level: str
    ids: list[str] = Field(min_length=1)


class Datenschutz(_Model):
    min_population: int = Field(0, ge=0, description="Gebiete mit weniger Einwohnern: nicht bewertet")
    min_count: int = Field(3, ge=0, description="Fallzahlen darunter werden geheim gehalten")
    secondary: bool = True


class FactorSpec(_Model):
    indicators: list[str] | None = Field(None, description="Leer: alle Indikatoren mit Polarität ≠ 0")
    n_factors: int | None = Field(None, ge=1, description="Leer: Vorschlag der Parallelanalyse")
    method: Literal["pa", "ml"] = "pa"
    rotation: Literal["varimax", "promax", "oblimin"] | None = "varimax"
    marker: str | None = None


class ClusterSpec(_Model):
    k: int | None = Field(None, ge=2, description="Leer: Vorschlag aus den Gütemaßen")
    method: Literal["ward", "kmeans"] = "ward"
    n_bootstrap: int = Field(100, ge=0)
    compare_column: str | None = Field(
        None, description="Spalte der Datentabelle mit einer amtlichen Klassifikation, gegen die die Typen gekreuzt werden")


class SpatialSpec(_Model):
    indicator: str | None = Field(None, description="Leer: erster Indikator des Katalogs")
    permutations: int = Field(999, ge=99)


ANALYSES = ("sozialindex", "faktorenanalyse", "clusteranalyse", "raeumliche_statistik")


class AnalysesSpec(_Model):
    run: list[Literal[ANALYSES]] | None = Field(
        None, description="Welche Analysen laufen (und welche Notebooks ausgeführt werden); leer: alle, "
                          "der Sozialindex nur mit Rezept")
    factor: FactorSpec = FactorSpec()
    cluster: ClusterSpec = ClusterSpec()
    spatial: SpatialSpec = SpatialSpec()
    random_state: int = 0


class Params(_Model):
    """Validated parameters of one report (one Kommune, or one view of it).

    Examples
    --------
    >>> p = read_params(find_params("berlin/mitte.yaml"))
    >>> p.slug, p.berichtsgebiet.ids
    ('berlin-mitte', ['01'])
    """

    kommune: str = Field(min_length=1)
    bezugsname: str | None = Field(
        None, description="Name der Bezugsgesamtheit im Text, z. B. „Berlin“ in einem Bezirksbericht; leer: kommune")
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    report_year: int = Field(ge=1990, le=2100)
    edition: Literal["oeffentlich", "intern"] = "oeffentlich"
    status: Literal["entwurf", "veroeffentlichung"] = "entwurf"
    areas: AreasSpec
    data: DataSpec
    catalogue: str
    recipe: str | None = None
    indicators: list[str] | None = None
    key_indicators: list[str] | None = Field(
        None, description="Schlüsselindikatoren für Karten und Steckbriefe; leer: die ersten drei mit Polarität 1")
    bezugsgesamtheit: Selection | None = None
    berichtsgebiet: Selection | None = None
    datenschutz: Datenschutz = Datenschutz()
    analyses: AnalysesSpec = AnalysesSpec()
    texts: str | None = None
    sources: list[str] = []
    path: str = Field("", exclude=True)

    @property
    def root(self) -> Path:
        return Path(self.path).resolve().parent

    def resolve(self, value: str) -> Path:
        """Resolve a path written in the params file (relative to it, or ``paket:...``)."""
        if value.startswith(PAKET_PREFIX):
            return Path(str(resources.files("sozialplanung") / "demo")) / value[len(PAKET_PREFIX):]
        path = Path(value)
        return path if path.is_absolute() else self.root / path

    def analyses_run(self) -> list[str]:
        """The analyses of this report: ``analyses.run``, or all (the Sozialindex only with a recipe)."""
        if self.analyses.run is not None:
            return list(self.analyses.run)
        return [a for a in ANALYSES if a != "sozialindex" or self.recipe]

    def levels(self) -> list[str]:
        """Level names from the areas up: ``["Planungsraum", "Bezirksregion", …, "Kommune"]``."""
        return [self.areas.level, *(p.level for p in self.areas.parents), "Kommune"]


def read_params(path: str | Path) -> Params:
    """Read and validate a params file; every mistake raises a German :class:`SozialplanungError`."""
    shown = str(path)
    data, lines = read_yaml(path, shown_as=shown)
    try:
        if "path" in data:  # reserved: the location of the params file itself
            raise SozialplanungError("Das Feld „path“ ist reserviert und darf nicht in der Parameterdatei stehen.",
                                     file=shown, field="path", row=lines.get("path"))
        params = Params(**data, path=str(Path(path).resolve()))
    except pydantic.ValidationError as exc:
        raise_german(exc, file=shown, lines=lines, model=Params)
    _check_files(params, shown, lines)
    _check_levels(params, shown, lines)
    run = params.analyses_run()
    if "sozialindex" in run and not params.recipe:
        raise SozialplanungError("Für den Sozialindex fehlt ein Rezept.", file=shown, field="recipe",
                                 row=lines.get("recipe"),
                                 hint="Rezept angeben (z. B. recipe: ../rezepte/sozialformel.yaml) oder "
                                      "„sozialindex“ aus analyses.run streichen.")
    if "clusteranalyse" in run and "faktorenanalyse" not in run:
        raise SozialplanungError("Die Clusteranalyse arbeitet auf den Faktorwerten und braucht die Faktorenanalyse.",
                                 file=shown, field="analyses.run", row=lines.get("analyses.run"))
    return params


def _check_files(params: Params, shown: str, lines: dict[str, int]) -> None:
    fields = {"areas.file": params.areas.file, "data.file": params.data.file, "catalogue": params.catalogue}
    if params.recipe:
        fields["recipe"] = params.recipe
    if params.texts:
        fields["texts"] = params.texts
    for field, value in fields.items():
        if not params.resolve(value).exists():
            raise SozialplanungError(
                f"Die angegebene Datei „{value}“ existiert nicht (gesucht: {params.resolve(value)}).",
                file=shown, field=field, row=lines.get(field),
                hint="Pfade sind relativ zur Parameterdatei; „paket:“ verweist auf die mitgelieferten Demodaten.")


def _check_levels(params: Params, shown: str, lines: dict[str, int]) -> None:
    for field in ("bezugsgesamtheit", "berichtsgebiet"):
        sel = getattr(params, field)
        if sel is not None and sel.level not in params.levels():
            raise SozialplanungError(
                f"Die Ebene „{sel.level}“ gibt es nicht.", file=shown, field=f"{field}.level",
                row=lines.get(f"{field}.level"), hint=f"Erlaubt sind: {', '.join(params.levels())}.")


def find_params(name: str) -> Path:
    """Path of a params file shipped in the repository's ``params/`` folder (for examples and tests)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "params" / name
        if candidate.exists():
            return candidate
    raise SozialplanungError(f"Parameterdatei „{name}“ nicht gefunden.", file=name)
