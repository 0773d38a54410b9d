"""Reading area geometries (GeoPackage, GeoJSON, Shapefile); ids always text."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors

from sozialplanung.errors import SozialplanungError
from sozialplanung.data.tablefiles import as_id

_NOT_GEO = "Die Datei ist keine lesbare Geodatei."
_NOT_GEO_HINT = "Erwartet wird ein GeoPackage (.gpkg), GeoJSON (.geojson) oder Shapefile (.shp mit .shx, .dbf, .prj)."


def read_areas(path: str | Path, *, id_column: str, name_column: str | None = None,
               layer: str | None = None, shown_as: str | None = None,
               layer_field: str = "areas.layer", role: str | None = None) -> gpd.GeoDataFrame:
    """Read area polygons with ``id_column`` as text, indexed by ``gebiet_id``.

    Structural problems raise a German :class:`SozialplanungError`: not a geodata file, missing
    layer or column, no CRS, coordinates that cannot be degrees in a geographic CRS, missing or duplicate ids, empty geometries, points or
    lines instead of areas. Invalid geometries are repaired with ``make_valid``; their ids are
    listed in ``gdf.attrs["repariert"]``.

    Examples
    --------
    >>> from sozialplanung.config.params import read_params, find_params
    >>> p = read_params(find_params("berlin/berlin.yaml"))
    >>> gdf = read_areas(p.resolve(p.areas.file), id_column="gebiet_id", layer="bezirke")
    >>> len(gdf), gdf.index[0]
    (12, '01')
    """
    shown = shown_as or str(path)
    if not Path(path).exists():
        raise SozialplanungError("Die Gebietsdatei existiert nicht.", file=shown)
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError):
        raise SozialplanungError(_NOT_GEO, file=shown, hint=_NOT_GEO_HINT) from None
    if layer is not None and layer not in layers:
        raise SozialplanungError(f"Der Layer „{layer}“ fehlt.", file=shown, field=layer_field,
                                 hint=f"Vorhandene Layer: {', '.join(layers)}")
    try:
        gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError, OSError):
        raise SozialplanungError(_NOT_GEO, file=shown, hint=_NOT_GEO_HINT) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf.columns:
        raise SozialplanungError("Die Datei enthält keine Geometrien (nur eine Tabelle).", file=shown,
                                 field=layer_field if layer else None, hint=_NOT_GEO_HINT)
    for col, what in [(id_column, "Kennungsspalte"), (name_column, "Namensspalte")]:
        if col is not None and col not in gdf.columns:
            present = f"Vorhandene Spalten: {', '.join(c for c in gdf.columns if c != 'geometry')}"
            if role:
                raise SozialplanungError(
                    f"Die {what} „{col}“ fehlt im {role}.", file=shown, field=col,
                    hint=f"{present}. Der Layer einer übergeordneten Ebene braucht eine Kennungsspalte (id, Standard "
                         "gebiet_id) und eine Namensspalte (name, Standard name); beide lassen sich in areas.parents "
                         "angeben, z. B. {level: Bezirk, file: bezirke.gpkg, id: bez_id, name: bez_name, column: "
                         "bezirk_id}.")
            raise SozialplanungError(f"Die Spalte „{col}“ fehlt in den Geometrien"
                                     + (f" (Layer „{layer}“, {what})." if layer else f" ({what})."), file=shown,
                                     field=col, hint=present)
    if gdf.crs is None:
        raise SozialplanungError("Die Geometrien haben kein Koordinatenreferenzsystem (CRS).", file=shown,
                                 hint="Setzen Sie das CRS in QGIS (z. B. EPSG:25832/25833) und speichern Sie neu.")
    gdf[id_column] = as_id(gdf[id_column])
    _check_ids(gdf, id_column, shown)
    _check_shapes(gdf, id_column, shown)
    _check_crs(gdf, shown)
    invalid = ~gdf.geometry.is_valid
    gdf.attrs["repariert"] = gdf.loc[invalid, id_column].tolist()
    if invalid.any():
        gdf.loc[invalid, "geometry"] = gdf.loc[invalid].geometry.make_valid()
    if name_column == id_column:  # names serve as ids
        gdf["name" if id_column != "name" else "_name"] = gdf[id_column]
    gdf = gdf.rename(columns={id_column: "gebiet_id", "_name": "name"}).set_index("gebiet_id")
    if name_column and name_column != "name":
        gdf = gdf.rename(columns={name_column: "name"})
    return gdf


def read_geometry(params) -> tuple[gpd.GeoDataFrame, dict[str, gpd.GeoDataFrame]]:
    """The areas of ``params`` with one column per parent level (named as the level) and the parent layers.

    Parent ids come from a column of the areas or from the first digits of the area id (``prefix``);
    outlines and names from a layer of the areas file, a file of their own, or dissolved from the
    areas (names = ids). Every parent id must be in its layer.
    """
    spec = params.areas
    areas = read_areas(params.resolve(spec.file), id_column=spec.id, name_column=spec.name, layer=spec.layer,
                       shown_as=spec.file)
    return _with_parents(params, areas, spec.file, "in den Geometrien")


def areas_from_table(params, table: pd.DataFrame) -> tuple[gpd.GeoDataFrame, dict[str, gpd.GeoDataFrame]]:
    """Table-only mode (no ``areas.file``): the areas are the ids of the data table in the report year, without
    geometry; as :func:`read_geometry` returns them.

    Names come from the column ``areas.name`` of the table (names = ids if it has none), parent ids from
    ``prefix`` or a column of the table; parent names are their ids. The decision is recorded in
    ``table.attrs["entscheidungen"]`` (reported by ``validate``).

    Examples
    --------
    >>> t = pd.DataFrame({"gebiet_id": ["0101", "0102", "0201"], "jahr": [2021] * 3, "name": ["A", "B", "C"]})
    >>> p = type("P", (), {"report_year": 2021, "has_maps": False, "data": type("D", (), {"file": "daten.csv"}),
    ...                    "areas": type("S", (), {"name": "name", "level": "Planungsraum",
    ...                                            "parents": [type("Q", (), {"level": "Bezirk", "prefix": 2})]})})
    >>> areas, parents = areas_from_table(p, t)
    >>> areas["name"].tolist(), areas["Bezirk"].tolist(), parents["Bezirk"].index.tolist()
    (['A', 'B', 'C'], ['01', '01', '02'], ['01', '02'])
    """
    spec, file = params.areas, params.data.file
    in_year = pd.to_numeric(table["jahr"], errors="coerce") == params.report_year
    rows = table[in_year] if in_year.any() else table
    rows = rows.dropna(subset=["gebiet_id"]).drop_duplicates("gebiet_id").set_index("gebiet_id")
    has_names = spec.name in rows.columns
    frame = pd.DataFrame({"name": rows[spec.name].astype(str) if has_names else rows.index}, index=rows.index)
    for parent in spec.parents:
        if getattr(parent, "column", None) in rows.columns:
            frame[parent.column] = rows[parent.column]
    names = f"Namen aus der Spalte „{spec.name}“" if has_names else f"ohne Spalte „{spec.name}“: Namen = Kennungen"
    table.attrs.setdefault("entscheidungen", []).append(
        ("Gebiete", f"keine Geodatei (areas.file): {len(frame)} Gebiete der Ebene {spec.level} aus der Datentabelle "
                    f"(Berichtsjahr {params.report_year}), {names}; der Bericht zeigt keine Karten", file, spec.name,
         []))
    return _with_parents(params, _without_geometry(frame), file, "in der Datentabelle")


def _without_geometry(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    frame.index.name = "gebiet_id"
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([None] * len(frame), index=frame.index), crs=None)


def _with_parents(params, areas: gpd.GeoDataFrame, file: str, where: str):
    """``areas`` with one column per parent level, and the parent layers."""
    parents = {}
    for i, parent in enumerate(params.areas.parents):
        if parent.prefix is not None:
            areas[parent.level] = areas.index.str[:parent.prefix]
        elif parent.column not in areas.columns:
            raise SozialplanungError(f"Die Spalte „{parent.column}“ der Ebene {parent.level} fehlt {where}.",
                                     file=file, field=f"areas.parents.{i}.column",
                                     hint=f"Vorhandene Spalten: {', '.join(c for c in areas.columns if c != 'geometry')}")
        else:
            areas[parent.level] = as_id(areas.pop(parent.column))
        parents[parent.level] = _parent_layer(params, i, parent, areas)
    return areas, parents


def _parent_layer(params, i: int, parent, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if not params.has_maps:
        ids = sorted(areas[parent.level].dropna().unique())
        return _without_geometry(pd.DataFrame({"name": ids}, index=pd.Index(ids)))
    if parent.file is None and parent.layer is None:
        layer = areas[[parent.level, "geometry"]].dissolve(by=parent.level)
        layer.index.name = "gebiet_id"
        return layer.assign(name=layer.index)
    file = parent.file or params.areas.file
    layer = read_areas(params.resolve(file), id_column=parent.id, name_column=parent.name, layer=parent.layer,
                       shown_as=file, layer_field=f"areas.parents.{i}.layer",
                       role=f"Layer{f' „{parent.layer}“' if parent.layer else ''} der übergeordneten Ebene "
                                         f"{parent.level} (areas.parents.{i})")
    unknown = sorted(set(areas[parent.level].dropna()) - set(layer.index))
    if unknown:
        raise SozialplanungError(
            f"{len(unknown)} Kennung(en) der Ebene {parent.level} fehlen im Layer der Ebene, z. B. „{unknown[0]}“.",
            file=file, field=parent.id, hint="Die Kennungen in der Spalte der Gebiete und im Layer der Ebene müssen "
                                             "gleich geschrieben sein (führende Nullen?).")
    return layer


def _check_ids(gdf: gpd.GeoDataFrame, id_column: str, shown: str) -> None:
    ids = gdf[id_column]
    if ids.isna().any():
        n = int(ids.isna().sum())
        raise SozialplanungError(f"{n} Gebiet(e) ohne Kennung (Objekt Nr. {int(ids.isna().to_numpy().argmax()) + 1}).",
                                 file=shown, field=id_column, hint="Jedes Gebiet braucht eine Kennung.")
    dup = ids[ids.duplicated()]
    if len(dup):
        raise SozialplanungError(f"Die Kennung „{dup.iloc[0]}“ kommt mehrfach vor ({len(dup)} doppelte Kennungen).",
                                 file=shown, field=id_column,
                                 hint="Jedes Gebiet braucht eine eigene Kennung; Teilflächen in QGIS zu einem "
                                      "Multipolygon zusammenführen. Sind führende Nullen verloren gegangen?")


def _check_shapes(gdf: gpd.GeoDataFrame, id_column: str, shown: str) -> None:
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        ids = gdf.loc[empty, id_column].tolist()
        raise SozialplanungError(f"{len(ids)} Gebiet(e) ohne Geometrie, z. B. „{ids[0]}“.", file=shown,
                                 field="geometry", hint="Jedes Gebiet braucht eine Fläche.")
    kinds = set(gdf.geometry.geom_type) - {"Polygon", "MultiPolygon", "GeometryCollection"}
    if kinds:
        raise SozialplanungError(f"Erwartet werden Flächen (Polygone), gefunden: {', '.join(sorted(kinds))}.",
                                 file=shown, field="geometry",
                                 hint="Gebiete müssen als Flächen vorliegen, nicht als Punkte oder Linien.")


def _check_crs(gdf: gpd.GeoDataFrame, shown: str) -> None:
    """Coordinates that cannot be in a geographic CRS (degrees); the reverse is a finding (plausibility.crs)."""
    xmin, ymin, xmax, ymax = gdf.total_bounds
    degrees = -180 <= xmin and xmax <= 180 and -90 <= ymin and ymax <= 90
    crs = gdf.crs.to_string()
    if gdf.crs.is_geographic and not degrees:
        raise SozialplanungError(
            f"Die Koordinaten ({xmin:.0f} … {xmax:.0f}, {ymin:.0f} … {ymax:.0f}) sind keine Längen-/Breitengrade, "
            f"das Koordinatenreferenzsystem {crs} rechnet aber in Grad.", file=shown, field="crs",
            hint="In QGIS das richtige KBS zuweisen (z. B. EPSG:25832 oder EPSG:25833).")
