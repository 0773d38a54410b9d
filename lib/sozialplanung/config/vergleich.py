"""Comparisons in the params: further index recipes (``vergleichsrezepte``) and the Vergleichsring of a Kreis.

``vergleichsrezepte`` names recipes computed beside the report's own ``recipe`` (their scores and classes
become columns ``<name>_score``/``<name>_klasse`` of ``tabellen/sozialindex.csv``); each may name published
scores of the same method to compare with (e.g. the RKI's GISD Kreis scores)::

    vergleichsrezepte:
      - gisd                                   # just the recipe
      - recipe: gisd                           # or with published scores
        published: {file: paket:kreise/gisd_2021_kreise.csv, id: kreis_id, score: gisd_score,
                    label: "GISD 2021 (RKI)"}

``vergleichsring`` places one Kreis among all Kreise and among a peer group of similar Kreise
(:mod:`sozialplanung.analysis.vergleichsring`)::

    vergleichsring:
      kreise: ../deutschland/kreise.yaml       # params file of all Kreise (their data and indicators)
      kreis: "07232"                           # the Kreis of this report; in a batch over Kreise: the unit
      members: null                            # a fixed peer group (AGS list); null: cluster analysis
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PublishedScores(_Model):
    """Published scores of the same method, one row per area (higher score = more disadvantage)."""

    file: str = Field(description="CSV-Datei mit den veröffentlichten Werten (relativ zur Parameterdatei oder paket:)")
    id: str = Field("gebiet_id", description="Spalte mit der Gebietskennung")
    score: str = Field(description="Spalte mit dem veröffentlichten Score (höher = stärkere Benachteiligung)")
    label: str = Field("veröffentlichte Werte", description="Name im Bericht, z. B. „GISD 2021 (RKI)“")


class ComparisonRecipe(_Model):
    """One recipe computed beside the report's own, optionally with published scores to compare with."""

    recipe: str = Field(description="Rezept: Name eines mitgelieferten Rezepts (z. B. gisd) oder Pfad")
    published: PublishedScores | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_name(cls, value):
        return {"recipe": value} if isinstance(value, str) else value

    @property
    def name(self) -> str:
        """Column prefix: the recipe's file name without ``.yaml`` (``gisd``)."""
        return self.recipe.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".yaml")


class VergleichsringSpec(_Model):
    """Where this report's Kreis stands among all Kreise and among structurally similar Kreise."""

    kreise: str = Field(description="Parameterdatei aller Kreise (deren Daten und Indikatoren), z. B. "
                                    "../deutschland/kreise.yaml")
    kreis: str | None = Field(None, description="Kennung (AGS) des Kreises dieses Berichts; leer: die Einheit eines "
                                                "Stapels über Kreise, ohne Stapel: nur die Übersicht der Vergleichsringe")
    members: list[str] | None = Field(None, min_length=2, description="fester Vergleichsring (Kennungen); leer: "
                                                                      "Clusteranalyse (Ward) der Kreisindikatoren")
    n_groups: int = Field(20, ge=2, description="Zahl der Vergleichsringe der Clusteranalyse")
    indicators: list[str] | None = Field(None, description="Indikatoren der Clusteranalyse; leer: alle mit "
                                                           "Polarität ≠ 0")


def comparison_files(params) -> dict[str, str]:
    """Field → file named by ``vergleichsrezepte`` and ``vergleichsring`` (checked to exist by ``read_params``)."""
    out = {}
    for i, comparison in enumerate(params.vergleichsrezepte):
        out[f"vergleichsrezepte.{i}.recipe"] = comparison.recipe
        if comparison.published is not None:
            out[f"vergleichsrezepte.{i}.published.file"] = comparison.published.file
    if params.vergleichsring is not None:
        out["vergleichsring.kreise"] = params.vergleichsring.kreise
    return out
