"""Derive the embedded Kreis Datenpaket (Germany's 400 Kreise) from INKAR and VG5000.

Run from the repository root with the original data beside the project::

    python scripts/build_demo_kreise.py ../shared/data/inkar_kreise

What it does (and nothing else):

1. Kreise (VG5000, 01.01.2021, EPSG:31467 → EPSG:25832): ``AGS`` as ``gebiet_id`` (5-digit str),
   ``GEN`` as ``name``, ``land_id`` = first two digits. Eisenach (16056), merged into the
   Wartburgkreis (16063) on 01.07.2021, is dissolved into it so the geometry matches the INKAR
   Gebietsstand 31.12.2022 (400 Kreise). Shared boundaries are simplified with
   ``shapely.coverage_simplify`` (tolerance 500 m): **Daten verändert**. A layer ``laender`` holds
   the 16 Länder (``GF == 9``), dissolved from the simplified Kreise, with their names.
2. Data (INKAR 03/2024, ``inkar_kreise_long.csv``): the years 2017–2021 of the unemployed and
   residents aged 15–<65 (counts) and of the published rates, values unchanged.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

OUT = Path(__file__).resolve().parents[1] / "lib" / "sozialplanung" / "demo" / "kreise"
COLUMNS = {
    "arbeitslose_anzahl": "arbeitslose",
    "ew_15bis65_anzahl": "ew_15bis65",
    "beschaeftigtenquote_pct": "beschaeftigtenquote",
    "bruttoverdienst_eur_monat": "bruttoverdienst",
    "haushaltseinkommen_eur_je_ew": "haushaltseinkommen",
    "schulabgaenger_ohne_hsa_pct": "schulabgaenger_ohne_hsa",
    "schuldnerquote_pct": "schuldnerquote",
    "svb_wo_akad_abschluss_pct": "beschaeftigte_akademisch",
    "svb_wo_ohne_berufsabschluss_pct": "beschaeftigte_ohne_berufsabschluss",
}


def main(src: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    krs = gpd.read_file(src / "geometry_vg5000_2021" / "VG5000_KRS.shp")[["AGS", "GEN", "geometry"]]
    krs["AGS"] = krs["AGS"].replace({"16056": "16063"})
    krs = krs.dissolve(by="AGS", aggfunc="last").reset_index()
    krs.loc[krs.AGS == "16063", "GEN"] = "Wartburgkreis"
    krs = krs.rename(columns={"AGS": "gebiet_id", "GEN": "name"}).to_crs(25832)
    krs["land_id"] = krs.gebiet_id.str[:2]
    krs = krs.sort_values("gebiet_id").reset_index(drop=True)
    krs["geometry"] = shapely.coverage_simplify(krs.geometry.values, tolerance=500.0)
    krs["geometry"] = krs.geometry.make_valid()
    path = OUT / "gebiete.gpkg"
    path.unlink(missing_ok=True)
    krs.to_file(path, layer="kreise", driver="GPKG")
    lan = gpd.read_file(src / "geometry_vg5000_2021" / "VG5000_LAN.shp")
    names = lan[lan.GF == 9].set_index("AGS")["GEN"]
    laender = krs.dissolve(by="land_id").reset_index()[["land_id", "geometry"]].rename(columns={"land_id": "gebiet_id"})
    laender.insert(1, "name", laender.gebiet_id.map(names))
    laender.to_file(path, layer="laender", driver="GPKG")

    long = pd.read_csv(src / "inkar_kreise_long.csv", dtype={"kreis_id": str})
    long = long[long.indicator.isin(COLUMNS) & long.year.between(2017, 2021)]
    wide = long.pivot_table(index=["kreis_id", "year"], columns="indicator", values="value").reset_index()
    wide = wide.rename(columns={"kreis_id": "gebiet_id", "year": "jahr", **COLUMNS})
    for col in ("arbeitslose", "ew_15bis65"):
        wide[col] = wide[col].round().astype("Int64")
    wide = wide[["gebiet_id", "jahr", *COLUMNS.values()]].sort_values(["gebiet_id", "jahr"])
    missing = set(krs.gebiet_id) ^ set(wide.gebiet_id)
    assert not missing, missing
    wide.to_csv(OUT / "daten.csv", index=False)
    print(f"{len(krs)} Kreise, {len(laender)} Länder, {len(wide)} Datenzeilen → {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/inkar_kreise"))
