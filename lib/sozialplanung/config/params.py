"""``Params``: one Kommune's YAML file, validated once before any notebook runs.

Field names are English snake_case; German domain nouns (kommune, bezugsgesamtheit,
berichtsgebiet, datenschutz) stay German. Paths are relative to the params file; the prefix
``paket:`` points into the demo data shipped inside the package.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Literal

import pydantic
from pydantic import Field, field_validator, model_validator

from sozialplanung.errors import SozialplanungError
from sozialplanung.config.areas import AreasSpec, FrozenModel
from sozialplanung.config.units import Batch, apply_unit, check_batch, split_unit
from sozialplanung.config.validation import Errors, raise_german
from sozialplanung.config.vergleich import ComparisonRecipe, VergleichsringSpec, comparison_files
from sozialplanung.config.yamlio import read_yaml

PAKET_PREFIX = "paket:"


_Model = FrozenModel


Code = str | int | float


def _codes(values: list[Code]) -> list[str]:
    return [str(int(v)) if isinstance(v, float) and v == int(v) else str(v).strip() for v in values]


class Totals(_Model):
    """Rows of the data table that are totals of a parent level or of the whole Kommune.

    They are kept out of the areas and compared with the reference values computed from the areas
    (``use: pruefen``, a finding of ``validate`` with both numbers) or replace them (``use:
    ersetzen``). A row is a total of level L if its value in ``column`` is one of ``values[L]``
    (``{column: ebene, values: {Bezirk: Bezirk, Kommune: Stadt}}``) or its id is one of ``ids[L]``
    (``{ids: {Kommune: ["02000000"]}}``). Levels: the parent levels and ``Kommune``. A total row's
    id is the parent's id or its name.
    """

    column: str | None = Field(None, description="Spalte, die die Ebene einer Zeile nennt")
    values: dict[str, Code | list[Code]] = Field({}, description="Ebene → Wert(e) in „column“")
    ids: dict[str, list[Code]] = Field({}, description="Ebene → Kennungen der Summenzeilen")
    use: Literal["pruefen", "ersetzen"] = Field("pruefen", description="veröffentlichte Summen nur vergleichen "
                                                                       "oder statt der berechneten Bezugswerte zeigen")

    @model_validator(mode="after")
    def _rule(self):
        if bool(self.column) != bool(self.values):
            raise ValueError("„column“ und „values“ gehören zusammen: die Spalte mit der Ebene und je Ebene ihr Wert.")
        if not self.values and not self.ids:
            raise ValueError("Summenzeilen über „column“ und „values“ oder über „ids“ angeben.")
        return self

    def levels(self) -> list[str]:
        return list(dict.fromkeys([*self.values, *self.ids]))

    def codes(self) -> dict[str, tuple[list[str], list[str]]]:
        """Per level: (values in ``column``, ids), as text."""
        out = {}
        for level in self.levels():
            vals = self.values.get(level, [])
            out[level] = (_codes(vals if isinstance(vals, list) else [vals]), _codes(self.ids.get(level, [])))
        return out


class DataSpec(_Model):
    """The data table: one row per area and year (or, with ``layout: breit``, one column per year).

    Columns (``id``, ``year``, ``population``, the keys of ``rename``) are named by their header or by
    their spreadsheet letter (``id: B``, A = first column) where no column has that name; a column
    named by its letter is then called so in messages. ``year`` omitted or null: the table has no
    year column and every row is of ``report_year``.
    """

    file: str
    sheet: str | None = Field(None, description="Tabellenblatt (XLSX, XLS, ODS); leer: das erste")
    header_row: int | list[int] = Field(1, description="Zeile der Kopfzeile, wie in Excel gezählt (1 = erste Zeile); "
                                                       "mehrzeilige Kopfzeile als Liste, z. B. [3, 4]: Namen verbunden")
    skip_rows: int = Field(0, ge=0, description="Zeilen nach der Kopfzeile überspringen (z. B. eine zweite Kopfzeile)")
    layout: Literal["lang", "breit"] = Field(
        "lang", description="„lang“: eine Zeile je Gebiet und Jahr; „breit“: eine Spalte je Jahr (INKAR-Export), "
                            "Indikatornamen in header_row, Jahre in year_row")
    year_row: int | None = Field(None, ge=1, description="bei layout: breit die Zeile mit den Jahren")
    rename: dict[str, str] = Field({}, description="Spalten umbenennen: {„Gebiet Nr.“: gebiet_id}; Schlüssel auch als "
                                                   "Spaltenbuchstabe")
    id: str = "gebiet_id"
    year: str | None = Field("jahr", description="Jahresspalte; weglassen oder null, wenn es keine gibt "
                                                 "(dann gilt report_year)")
    population: str | None = "einwohner"
    missing: list[Code] = Field([], description="Codes für fehlende Werte in jeder Spalte, z. B. [\".\", -9999]")
    missing_by_column: dict[str, list[Code]] = Field({}, description="Codes für fehlende Werte je Spalte")
    totals: Totals | None = Field(None, description="Summenzeilen übergeordneter Ebenen oder der Kommune")
    decimal: Literal[".", ","] | None = Field(
        None, description="Dezimaltrennzeichen der Datentabelle, wenn es nicht zu erkennen ist (nur ganze Zahlen und "
                          "Werte wie 12.345): „.“ oder „,“ (dann ist der Punkt das Tausendertrennzeichen); leer: erkennen")
    password_env: str | None = Field(
        None, description="Name der Umgebungsvariable mit einem Passwort (nie das Passwort selbst)")

    @field_validator("header_row")
    @classmethod
    def _positive(cls, value):
        if any(r < 1 for r in (value if isinstance(value, list) else [value])) or value == []:
            raise ValueError("Zeilen werden wie in Excel ab 1 gezählt (1 = erste Zeile).")
        return value

    def missing_codes(self) -> tuple[list[str], dict[str, list[str]]]:
        """The declared missing-value codes as text: for every column, and per column."""
        return _codes(self.missing), {c: _codes(v) for c, v in self.missing_by_column.items()}


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


class Impressum(_Model):
    herausgeber: str | None = Field(None, description="Herausgeber des Berichts (Amt, Stelle)")
    kontakt: str | None = Field(None, description="Kontakt für Rückfragen (Stelle, E-Mail)")
    stand: dt.date | None = Field(None, description="Stand des Berichts; leer: Tag der Erstellung")


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
    recipe: str | None = Field(None, description="Rezept des Sozialindex: Name eines mitgelieferten Rezepts "
                                                 "(z. B. sozialformel, mss) oder Pfad zu einer YAML-Datei")
    vergleichsrezepte: list[ComparisonRecipe] = Field([], description="weitere Rezepte neben recipe (config.vergleich)")
    vergleichsring: VergleichsringSpec | None = Field(None, description="Lage unter allen und ähnlichen Kreisen")
    indicators: list[str] | None = None
    key_indicators: list[str] | None = Field(
        None, description="Schlüsselindikatoren für Karten und Steckbriefe; leer: die ersten drei mit Polarität 1")
    bezugsgesamtheit: Selection | None = None
    berichtsgebiet: Selection | None = None
    datenschutz: Datenschutz = Datenschutz()
    analyses: AnalysesSpec = AnalysesSpec()
    texts: str | None = None
    sources: list[str] = []
    impressum: Impressum = Impressum()
    zitiervorschlag: str | None = Field(None, description="Zitiervorschlag; leer: aus Herausgeber, Stand und Titel erzeugt")
    batch: Batch | None = Field(None, description="ein Bericht je Einheit dieser Ebene, z. B. {level: Kreis} "
                                                  "(sozialplanung.config.units)")
    rangfolgen: bool = Field(False, description="Rangfolgen zwischen den Gebieten zeigen: nach Wert sortierte "
                                                "Balken, das Gebiet mit der größten Abweichung, Minimum und Maximum "
                                                "mit Namen; aus: die Gebiete nur in Nummernfolge")
    nur_gesamt: list[str] = Field([], description="Kennungen übergeordneter Gebiete (z. B. einer Verbandsgemeinde), "
                                                  "deren Teilgebiete nur als deren Summe erscheinen, in jeder Ausgabe")
    path: str = Field("", exclude=True)
    unit: str | None = Field(None, exclude=True)

    @property
    def ref(self) -> str:
        """The params file, with ``#<unit>`` for one unit of a batch (what notebooks are given)."""
        return f"{self.path}#{self.unit}" if self.unit else self.path

    @property
    def root(self) -> Path:
        return Path(self.path).resolve().parent

    def resolve(self, value: str) -> Path:
        """Resolve a path written in the params file: relative to it, ``paket:...`` (the shipped demo data),
        or the bare name of a shipped recipe (``sozialformel``, see :func:`shipped_recipe`)."""
        if value.startswith(PAKET_PREFIX):
            return Path(str(resources.files("sozialplanung") / "demo")) / value[len(PAKET_PREFIX):]
        shipped = shipped_recipe(value)
        if shipped is not None:
            return shipped
        path = Path(value)
        return path if path.is_absolute() else self.root / path

    def analyses_run(self) -> list[str]:
        """The analyses of this report: ``analyses.run``, or all (the Sozialindex only with a recipe)."""
        if self.analyses.run is not None:
            return list(self.analyses.run)
        return [a for a in ANALYSES if (a != "sozialindex" or self.recipe) and (a != "raeumliche_statistik"
                                                                                 or self.has_maps)]

    @property
    def has_maps(self) -> bool:
        """Whether the areas have a geodata file; without one the report has tables and charts, no maps."""
        return self.areas.file is not None

    def levels(self) -> list[str]:
        """Level names from the areas up: ``["Planungsraum", "Bezirksregion", …, "Kommune"]``."""
        return [self.areas.level, *(p.level for p in self.areas.parents), "Kommune"]


def read_params(path: str | Path) -> Params:
    """Read and validate a params file; every mistake raises a German :class:`SozialplanungError`
    (several at once as one :class:`~sozialplanung.config.validation.SeveralErrors`)."""
    path, unit = split_unit(path)  # "kreise.yaml#07232": one unit of a batch
    shown = str(path)
    data, lines = read_yaml(path, shown_as=shown)
    try:
        for reserved in ("path", "unit"):  # the location of the params file itself, the unit of a batch
            if reserved in data:
                raise SozialplanungError(f"Das Feld „{reserved}“ ist reserviert und darf nicht in der Parameterdatei "
                                         "stehen.", file=shown, field=reserved, row=lines.get(reserved))
        params = Params(**data, path=str(Path(path).resolve()))
    except pydantic.ValidationError as exc:
        raise_german(exc, file=shown, lines=lines, model=Params)
    errors = Errors()
    for check in (_check_files, _check_levels, _check_analyses, check_batch):
        with errors.collect():
            check(params, shown, lines)
    errors.raise_all()
    return params if unit is None else apply_unit(params, unit, shown)


def _check_analyses(params: Params, shown: str, lines: dict[str, int]) -> None:
    errors, run = Errors(), params.analyses_run()
    if "sozialindex" in run and not params.recipe:
        with errors.collect():
            raise SozialplanungError("Für den Sozialindex fehlt ein Rezept.", file=shown, field="recipe",
                                     row=lines.get("recipe"),
                                     hint=f"Rezept angeben (mitgeliefert: {', '.join(shipped_recipes())}; z. B. "
                                          "recipe: sozialformel) oder „sozialindex“ aus analyses.run streichen.")
    if "clusteranalyse" in run and "faktorenanalyse" not in run:
        with errors.collect():
            raise SozialplanungError("Die Clusteranalyse arbeitet auf den Faktorwerten und braucht die "
                                     "Faktorenanalyse.", file=shown, field="analyses.run", row=lines.get("analyses.run"))
    errors.raise_all()


def _check_files(params: Params, shown: str, lines: dict[str, int]) -> None:
    fields = {"areas.file": params.areas.file, "data.file": params.data.file, "catalogue": params.catalogue}
    fields = {field: value for field, value in fields.items() if value is not None}
    for i, parent in enumerate(params.areas.parents):
        if parent.file:
            fields[f"areas.parents.{i}.file"] = parent.file
    if params.recipe:
        fields["recipe"] = params.recipe
    if params.texts:
        fields["texts"] = params.texts
    fields |= comparison_files(params)
    errors = Errors()
    for field, value in fields.items():
        if not params.resolve(value).exists():
            hint = "Pfade sind relativ zur Parameterdatei; „paket:“ verweist auf die mitgelieferten Demodaten."
            if field == "recipe" or field.endswith(".recipe"):
                hint += f" Mitgelieferte Rezepte (nur der Name, z. B. recipe: sozialformel): {', '.join(shipped_recipes())}."
            with errors.collect():
                raise SozialplanungError(
                    f"Die angegebene Datei „{value}“ existiert nicht (gesucht: {params.resolve(value)}).",
                    file=shown, field=field, row=lines.get(field), hint=hint)
    errors.raise_all()


def _check_levels(params: Params, shown: str, lines: dict[str, int]) -> None:
    errors, levels = Errors(), params.levels()
    named = {f"{f}.level": getattr(params, f).level for f in ("bezugsgesamtheit", "berichtsgebiet")
             if getattr(params, f) is not None}
    if params.data.totals:
        named.update({f"data.totals.{level}": level for level in params.data.totals.levels()})
    for field, level in named.items():
        if level not in levels or (field.startswith("data.totals") and level == params.areas.level):
            with errors.collect():
                allowed = levels if not field.startswith("data.totals") else levels[1:]
                raise SozialplanungError(f"Die Ebene „{level}“ gibt es nicht.", file=shown, field=field,
                                         row=lines.get(field), hint=f"Erlaubt sind: {', '.join(allowed)}.")
    errors.raise_all()


def shipped_recipe(name: str) -> Path | None:
    """The recipe ``name`` (a bare name such as ``sozialformel``) shipped with sozialplanung, else None.

    Looked up in the package's data (``sozialplanung/rezepte/``, as installed from a wheel), else in
    the repository's ``params/rezepte/``.
    """
    if not name or Path(name).suffix or Path(name).name != name:
        return None
    found = [folder / f"{name}.yaml" for folder in _recipe_folders() if (folder / f"{name}.yaml").is_file()]
    return found[0] if found else None


def shipped_recipes() -> list[str]:
    """Names of the shipped recipes (for hints)."""
    return sorted({f.stem for folder in _recipe_folders() for f in folder.glob("*.yaml")})


def _recipe_folders() -> list[Path]:
    here = Path(__file__).resolve()
    return [Path(str(resources.files("sozialplanung") / "rezepte")),
            *(parent / "params" / "rezepte" for parent in here.parents)]


def find_params(name: str) -> Path:
    """Path of a params file shipped in the repository's ``params/`` folder (for examples and tests)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "params" / name
        if candidate.exists():
            return candidate
    raise SozialplanungError(f"Parameterdatei „{name}“ nicht gefunden.", file=name)
