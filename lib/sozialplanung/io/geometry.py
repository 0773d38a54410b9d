"""Reading area geometries (GeoPackage, GeoJSON, Shapefile); ids always text."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from sozialplanung.errors import SozialplanungError


def read_areas(path: str | Path, *, id_column: str, name_column: str | None = None,
               layer: str | None = None, shown_as: str | None = None) -> gpd.GeoDataFrame:
    """Read area polygons with ``id_column`` as text, indexed by ``gebiet_id``.

    A missing CRS is an error (a map in the wrong place is worse than no map). Invalid geometries
    are repaired with ``make_valid``; their ids are listed in ``gdf.attrs["repariert"]``.

    Examples
    --------
    >>> from sozialplanung.params import read_params, find_params
    >>> p = read_params(find_params("berlin/berlin.yaml"))
    >>> gdf = read_areas(p.resolve(p.areas.file), id_column="gebiet_id", layer="bezirke")
    >>> len(gdf), gdf.index[0]
    (12, '01')
    """
    shown = shown_as or str(path)
    if not Path(path).exists():
        raise SozialplanungError("Die Gebietsdatei existiert nicht.", file=shown)
    if layer is not None:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
        if layer not in layers:
            raise SozialplanungError(f"Der Layer „{layer}“ fehlt.", file=shown, field="areas.layer",
                                     hint=f"Vorhandene Layer: {', '.join(layers)}")
    gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    for col in [id_column, name_column]:
        if col is not None and col not in gdf.columns:
            raise SozialplanungError(f"Die Spalte „{col}“ fehlt in den Geometrien.", file=shown, field=col,
                                     hint=f"Vorhandene Spalten: {', '.join(c for c in gdf.columns if c != 'geometry')}")
    if gdf.crs is None:
        raise SozialplanungError("Die Geometrien haben kein Koordinatenreferenzsystem (CRS).", file=shown,
                                 hint="Setzen Sie das CRS in QGIS (z. B. EPSG:25832/25833) und speichern Sie neu.")
    gdf[id_column] = gdf[id_column].astype(str).str.strip()
    invalid = ~gdf.geometry.is_valid
    gdf.attrs["repariert"] = gdf.loc[invalid, id_column].tolist()
    if invalid.any():
        gdf.loc[invalid, "geometry"] = gdf.loc[invalid].geometry.make_valid()
    gdf = gdf.rename(columns={id_column: "gebiet_id"}).set_index("gebiet_id")
    if name_column and name_column != "name":
        gdf = gdf.rename(columns={name_column: "name"})
    return gdf
