"""Derive the embedded Berlin demo Datenpaket from the official MSS 2021 files.

Run from the repository root with the original data beside the project::

    python scripts/build_demo_berlin.py ../shared/data/berlin_mss

What it does (and nothing else):

1. Planungsräume (LOR 2021, 542 areas, EPSG:25833): keep ``PLR_ID`` as ``gebiet_id`` (str, leading
   zero), ``PLR_NAME`` as ``name``, derive the parent ids from the id prefix (Bezirksregion = first
   6 digits, Prognoseraum = first 4, Bezirk = first 2) and simplify the shared boundaries with
   ``shapely.coverage_simplify`` (tolerance 15 m) so the repository stays small: **Daten verändert**.
2. Parent layers (Bezirksregionen, Prognoseräume, Bezirke) are dissolved from the simplified
   Planungsräume so outlines match exactly; their names come from the official LOR layers.
3. Indicator table: MSS 2021 index indicators (S1, S3, S4, D1, D3, D4) and the context indicators
   KI_01 … KI_17 that exist on LOR 2021 (K08, K14, K15 are left out: they are on the old division),
   residents ``EW`` as ``einwohner``; ``-9999`` (not assessed) becomes empty. The official index
   classes ``SI_N``/``DI_N`` and the validity note ``KOM`` are kept as reference columns.
Values are copied unchanged.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

OUT = Path(__file__).resolve().parents[1] / "lib" / "sozialplanung" / "demo" / "berlin"
INDEX = ["S1", "S3", "S4", "D1", "D3", "D4"]
CONTEXT = [f"KI_{i:02d}" for i in range(1, 18) if i not in (8, 14, 15)]


def main(src: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    plr = gpd.read_file(src / "geometry_lor2021_plr")
    plr = plr.rename(columns={"PLR_ID": "gebiet_id", "PLR_NAME": "name"})[["gebiet_id", "name", "geometry"]]
    plr["bezirksregion_id"] = plr.gebiet_id.str[:6]
    plr["prognoseraum_id"] = plr.gebiet_id.str[:4]
    plr["bezirk_id"] = plr.gebiet_id.str[:2]
    plr = plr.sort_values("gebiet_id").reset_index(drop=True)
    plr["geometry"] = shapely.coverage_simplify(plr.geometry.values, tolerance=15.0)
    plr["geometry"] = plr.geometry.make_valid()
    path = OUT / "gebiete.gpkg"
    path.unlink(missing_ok=True)
    plr.to_file(path, layer="planungsraeume", driver="GPKG")

    bzr = gpd.read_file(src / "geometry_lor2021_bzr").set_index("BZR_ID")["BZR_NAME"]
    pgr = gpd.read_file(src / "geometry_lor2021_pgr").set_index("PGR_ID")["PGR_NAME"]
    bez = gpd.read_file(src / "geometry_lor_bis2020" / "lor_bezirke.geojson").set_index("id")["name"]
    for layer, col, names in [("bezirksregionen", "bezirksregion_id", bzr),
                              ("prognoseraeume", "prognoseraum_id", pgr),
                              ("bezirke", "bezirk_id", bez)]:
        parent = plr.dissolve(by=col).reset_index()[[col, "geometry"]]
        parent = parent.rename(columns={col: "gebiet_id"})
        parent.insert(1, "name", parent.gebiet_id.map(names))
        parent.to_file(path, layer=layer, driver="GPKG")

    read = dict(dtype={"PLR_ID": str, "BEZ_ID": str}, na_values=[-9999, "-9999"])
    ind = pd.read_csv(src / "mss_2021" / "mss_2021_index_indikatoren.csv", **read)
    ctx = pd.read_csv(src / "mss_2021" / "mss_2021_kontext_indikatoren.csv", **read)
    idx = pd.read_csv(src / "mss_2021" / "mss_2021_indizes.csv", **read)
    table = ind[["PLR_ID", "EW", *INDEX]].merge(ctx[["PLR_ID", *CONTEXT]], on="PLR_ID")
    table = table.merge(idx[["PLR_ID", "SI_N", "DI_N", "KOM"]], on="PLR_ID")
    table = table.rename(columns={"PLR_ID": "gebiet_id", "EW": "einwohner", "SI_N": "mss_status_amtlich",
                                  "DI_N": "mss_dynamik_amtlich", "KOM": "mss_bewertung"})
    table.insert(1, "jahr", 2021)
    for col in ["einwohner", "mss_status_amtlich", "mss_dynamik_amtlich"]:
        table[col] = table[col].astype("Int64")
    table.sort_values("gebiet_id").to_csv(OUT / "daten.csv", index=False)
    print(f"{len(plr)} Planungsräume, {len(table)} Datenzeilen → {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/berlin_mss"))
