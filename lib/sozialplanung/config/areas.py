"""The ``areas:`` section of the params: the areas file, its columns and the parent levels."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class FrozenModel(BaseModel):
    """A params section: unknown fields are refused, values are read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Parent(FrozenModel):
    """A parent level of the areas, e.g. Bezirksregion or Bezirk (listed small to large).

    Which parent an area belongs to: ``column``, a column of the areas with the parent's id, or
    ``prefix``, the first digits of the area id (``prefix: 2``: PLR ``01100101`` lies in Bezirk
    ``01``). Outlines and names of the parent areas: ``layer`` (another layer of the areas file),
    ``file`` (a geodata file of its own, with ``layer`` if it has several), or neither (outlines
    dissolved from the areas, names = ids). The parent layer needs an id column (``id``, default
    ``gebiet_id``) and a name column (``name``, default ``name``); every parent id of the areas must
    be in it.

    Examples
    --------
    ``- {level: Bezirk, column: bezirk_id, layer: bezirke}`` (a layer of the areas file),
    ``- {level: Bezirk, file: bezirke.gpkg, id: bez_id, name: bez_name, column: bezirk_id}``,
    ``- {level: Bezirk, prefix: 2}`` (dissolved from the areas).
    """

    level: str = Field(description="Name der Ebene, z. B. „Bezirk“")
    column: str | None = Field(None, description="Spalte der Gebiete mit der Kennung der übergeordneten Einheit")
    prefix: int | None = Field(None, ge=1, description="oder: die ersten Stellen der Gebietskennung sind die Kennung "
                                                        "der übergeordneten Einheit (z. B. 2)")
    file: str | None = Field(None, description="eigene Geodatei der Ebene; leer: die Gebietsdatei")
    layer: str | None = Field(None, description="Layer mit Umrissen und Namen; ohne file und layer: aus den "
                                                "Gebieten zusammengefasst")
    id: str = Field("gebiet_id", description="Kennungsspalte im Layer der Ebene")
    name: str = Field("name", description="Namensspalte im Layer der Ebene")

    @model_validator(mode="after")
    def _column_or_prefix(self):
        if (self.column is None) == (self.prefix is None):
            raise ValueError("Entweder „column“ (Spalte der Gebiete mit der Kennung der Ebene) oder „prefix“ "
                             "(Anzahl der ersten Stellen der Gebietskennung) angeben, nicht beides und nicht keines.")
        return self


class AreasSpec(FrozenModel):
    """The areas of the report: a geodata file (``file``, with ``layer`` if it has several), their id and name
    columns, the level's name and the parent levels.

    Without ``file`` (table-only mode) the areas are the ids of the data table; ``name`` is then a column of the
    table (names = ids if it has none), parents come from ``prefix`` or a column of the table, and the report has
    tables and charts but no maps.
    """

    file: str | None = Field(None, description="Geodatei der Gebiete; leer: nur Tabellen und Diagramme, keine Karten")
    layer: str | None = None
    id: str = "gebiet_id"
    name: str = "name"
    level: str = "Sozialraum"
    parents: list[Parent] = []

    @model_validator(mode="after")
    def _layers_need_a_file(self):
        if self.file is None and (self.layer or any(p.file or p.layer for p in self.parents)):
            raise ValueError("Ohne Gebietsdatei (areas.file) gibt es keine Layer: „layer“ und die Geodateien "
                             "übergeordneter Ebenen (parents: file/layer) brauchen areas.file. Ohne Geodatei "
                             "die Ebenen mit „prefix“ oder „column“ (Spalte der Datentabelle) angeben.")
        return self

