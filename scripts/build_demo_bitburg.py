"""Derive the embedded Datenpaket of the Eifelkreis Bitburg-Prüm (small numbers) from INKAR and VG5000.

Run from the repository root with the original data beside the project::

    python scripts/build_demo_bitburg.py ../shared/data/inkar_gemeinden

The Eifelkreis (AGS 07232) has 234 mostly very small Gemeinden: in 2021, 73 of them had one or two
unemployed persons. It is the project's real example of Datenschutz with small numbers.

What it does (and nothing else):

1. Gemeinden: the 234 Gemeinden of VG5000_GEM (Gebietsstand 01.01.2021) whose ``AGS`` starts with
   ``07232``; ``AGS`` (8 digits, text) becomes ``gebiet_id``, ``GEN`` ``name``, and the first 9 digits
   of the 12-digit ``ARS`` the parent id ``verbandsgemeinde_id`` (the Gemeindeverband). Reprojected
   from EPSG:31467 to EPSG:25832 and the shared boundaries simplified with
   ``shapely.coverage_simplify`` (tolerance 50 m): **Daten verändert**.
2. Layer ``verbandsgemeinden``: the 6 Gemeindeverbände (5 Verbandsgemeinden and the verbandsfreie
   Stadt Bitburg) dissolved from the simplified Gemeinden, so outlines match exactly; names and types
   (``GEN``, ``BEZ``) from VG5000_VWG.
3. Data table ``daten.csv``: unemployed persons (annual average, ``arbeitslose``) and residents aged
   15 to under 65 (``ew_15bis65``) per Gemeinde for 2019–2021, read from the INKAR sheets with
   ``engine="calamine"``. Values are copied unchanged. Every Gemeinde of the geometry must have data
   (checked; the script stops otherwise).
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

OUT = Path(__file__).resolve().parents[1] / "lib" / "sozialplanung" / "demo" / "bitburg_pruem"
KREIS = "07232"
YEARS = [2019, 2020, 2021]
SHEETS = {"arbeitslose": "A_Arbeitslosigkeit.xls", "ew_15bis65": "A_ErwerbsfaehigeBevoelkerung.xls"}


def read_inkar(path: Path, column: str) -> pd.DataFrame:
    """One INKAR sheet (row 0 indicator, row 1 years, then one row per Gemeinde) as long format."""
    raw = pd.read_excel(path, sheet_name="Daten", engine="calamine", header=None, dtype=object)
    years = [int(y) for y in raw.iloc[1, 3:]]
    wide = raw.iloc[2:].copy()
    wide.columns = ["gebiet_id", "name", "aggregat", *years]
    wide["gebiet_id"] = wide["gebiet_id"].astype(str).str.zfill(8)
    wide = wide[wide["gebiet_id"].str.startswith(KREIS)]
    long = wide.melt(id_vars="gebiet_id", value_vars=YEARS, var_name="jahr", value_name=column)
    long[column] = pd.to_numeric(long[column], errors="raise").astype("Int64")
    return long


def main(src: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    geo = src / "geometry_vg5000_2021"
    gem = gpd.read_file(geo / "VG5000_GEM.shp", engine="pyogrio")
    gem = gem[gem["AGS"].str.startswith(KREIS) & (gem["GF"] == 9)]
    gem = gem.rename(columns={"AGS": "gebiet_id", "GEN": "name"})
    gem["verbandsgemeinde_id"] = gem["ARS"].str[:9]
    gem = gem[["gebiet_id", "name", "verbandsgemeinde_id", "geometry"]].to_crs(25832)
    gem = gem.sort_values("gebiet_id").reset_index(drop=True)
    gem["geometry"] = shapely.coverage_simplify(gem.geometry.values, tolerance=50.0)
    gem["geometry"] = gem.geometry.make_valid()
    path = OUT / "gebiete.gpkg"
    path.unlink(missing_ok=True)
    gem.to_file(path, layer="gemeinden", driver="GPKG", engine="pyogrio")

    vwg = gpd.read_file(geo / "VG5000_VWG.shp", engine="pyogrio").set_index("ARS")
    vg = gem.dissolve(by="verbandsgemeinde_id").reset_index()[["verbandsgemeinde_id", "geometry"]]
    vg = vg.rename(columns={"verbandsgemeinde_id": "gebiet_id"})
    vg.insert(1, "name", vg["gebiet_id"].map(vwg["GEN"]))
    vg.insert(2, "art", vg["gebiet_id"].map(vwg["BEZ"]))
    if vg["name"].isna().any():
        raise SystemExit(f"Gemeindeverbände ohne Namen: {vg.loc[vg['name'].isna(), 'gebiet_id'].tolist()}")
    vg.to_file(path, layer="verbandsgemeinden", driver="GPKG", engine="pyogrio")

    raw = src / "inkar_raw_gemeinden"
    table = read_inkar(raw / SHEETS["arbeitslose"], "arbeitslose").merge(
        read_inkar(raw / SHEETS["ew_15bis65"], "ew_15bis65"), on=["gebiet_id", "jahr"], how="outer")
    missing = sorted(set(gem["gebiet_id"]) - set(table["gebiet_id"]))
    extra = sorted(set(table["gebiet_id"]) - set(gem["gebiet_id"]))
    if missing or extra or table[["arbeitslose", "ew_15bis65"]].isna().any().any():
        raise SystemExit(f"Gemeinden passen nicht zusammen: ohne Daten {missing}, ohne Geometrie {extra}")
    table = table.sort_values(["gebiet_id", "jahr"])
    table.to_csv(OUT / "daten.csv", index=False, lineterminator="\n")
    small = table[(table["jahr"] == 2021) & table["arbeitslose"].between(1, 2)]
    print(f"{len(gem)} Gemeinden in {len(vg)} Gemeindeverbänden, {len(table)} Datenzeilen; "
          f"2021 mit 1 oder 2 Arbeitslosen: {len(small)} → {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/inkar_gemeinden"))
