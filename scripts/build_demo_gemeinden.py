"""Derive the embedded Gemeinden Datenpaket (all 10,990 Gemeinden of Germany) from INKAR and VG5000.

Run from the repository root with the original data beside the project::

    python scripts/build_demo_gemeinden.py ../shared/data [--out DIR]

The result is byte-identical on every run (checked with sha256). What it does (and nothing else):

1. Gemeinden: VG5000_GEM (Gebietsstand 01.01.2021, EPSG:31467) brought to the INKAR Gebietsstand
   31.12.2022 by the nine changes in :data:`MERGED` (polygons dissolved; every one documented there).
   ``AGS`` (8 digits, text) becomes ``gebiet_id``, ``GEN`` ``name``. Parents as columns:
   ``gemeindeverband_id`` = the first 9 digits of the 12-digit ``ARS`` (not an AGS prefix), updated to
   2022 by :data:`GEMEINDEVERBAND_2022`; ``verband_id`` = the same where the Gemeindeverband has at least
   two Gemeinden, else empty (verbandsfrei: the Gemeindeverband is the Gemeinde itself); ``kreis_id`` = AGS[:5]; ``land_id`` = AGS[:2]. Reprojected to
   EPSG:25832, shared boundaries simplified with ``shapely.coverage_simplify`` (:data:`TOLERANCE`) and
   coordinates rounded to :data:`GRID` metres: **Daten verändert**.
2. Layers ``gemeindeverbaende``, ``kreise``, ``laender``: dissolved from the simplified Gemeinden (outlines
   match exactly), with ``name`` (INKAR for the Gemeindeverbände, VG5000 for Kreise and Länder), ``art``
   (VG5000 ``BEZ``; empty for the five Gemeindeverbände formed after 01.01.2021) and their own parent ids.
3. ``daten.csv``: per Gemeinde and year 2017–2021 the unemployed (``arbeitslose``, annual average) and
   the residents aged 15 to under 65 (``ew_15bis65``), copied unchanged from the INKAR sheets. Missing
   values stay missing (2021: 203 Gemeinden, all without residents aged 15–65); five cells the source
   gives as 0 although they are gaps become missing (:data:`SOURCE_GAPS`, each one documented).
4. ``daten_gemeindeverbaende.csv``: per Gemeindeverband and year the municipal income tax per resident
   (``einkommensteuer_je_ew``, € , IRIS CSV 2022, unchanged) and ``ew_15bis65`` as the exact sum of its
   Gemeinden (the weight for aggregating the rate further up).
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from sozialplanung.data.aggregate import ancestors, sum_counts

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "lib" / "sozialplanung" / "demo" / "gemeinden"
YEARS = list(range(2017, 2022))
TOLERANCE = 250.0  # m, coverage_simplify
GRID = 1.0  # m, coordinates rounded to whole metres
SHEETS = {"arbeitslose": "A_Arbeitslosigkeit.xls", "ew_15bis65": "A_ErwerbsfaehigeBevoelkerung.xls"}
INCOME_TAX = "IRIS_Einkommenssteuer_Gemeindeverbaende_2022.csv"

# VG5000 Gemeinde (01.01.2021) → INKAR Gemeinde (31.12.2022).
MERGED = {
    # Langelsheim and the Samtgemeinde Lutter am Barenberge form the new Stadt Langelsheim, 01.11.2021
    "03153006": "03153019", "03153007": "03153019", "03153009": "03153019", "03153014": "03153019",
    "16056000": "16063105",  # Eisenach joins the Wartburgkreis, 01.07.2021
    "09273454": "09273137",  # gemeindefreies Gebiet Hienheimer Forst → Stadt Kelheim, 01.01.2022
    # Berkholz-Meyenburg, Mark Landin, Passow → Schwedt/Oder (GebietsÄG Oder-Welse), 19.04.2022
    "12073032": "12073532", "12073386": "12073532", "12073603": "12073532",
}
NEW_NAMES = {"03153019": "Langelsheim", "16063105": "Eisenach"}

# Cells the source gives as 0 that are gaps (no value), set to missing: four Thuringian Gemeinden formed
# in 2019 with 0 unemployed in 2019 (88–286 in the other years; their Kreise's INKAR values include
# them), and Neitersen with 0 residents aged 15–64 in 2020 (669 in 2019, 678 in 2021).
SOURCE_GAPS = {
    "arbeitslose": [("16063104", 2019), ("16064077", 2019), ("16067092", 2019), ("16071103", 2019)],
    "ew_15bis65": [("07132502", 2020)],
}
# Unemployed in a Gemeinde without residents aged 15–65 in every year: no rate can be formed (the
# Datenprüfung stops at "Zähler ≤ Nenner"), and the count alone would be published as its
# Gemeindeverband's total (a single Gemeinde). Set to missing, documented in LIESMICH.md.
UNINHABITED = {"arbeitslose": [("03452501", 2019)]}  # Nordseeinsel Memmert: 1 bei 0 Einwohner/innen

# Gemeinde → Gemeindeverband (9-digit ARS) where the 2022 division differs from VG5000's ARS[:9].
GEMEINDEVERBAND_2022 = {
    "03153019": "031530019", "16063105": "160630105",  # the two new Gemeinden (Einheitsgemeinden)
    # Samtgemeinden Liebenau and Marklohe → Samtgemeinde Weser-Aue, 01.11.2021
    "03256002": "032565411", "03256019": "032565411", "03256023": "032565411",
    "03256001": "032565411", "03256021": "032565411", "03256036": "032565411",
    "09673116": "096735633",  # Bastheim joins the VG Mellrichstadt, 01.07.2021
    "09779201": "097790201",  # Stadt Rain leaves the VG Rain, 01.07.2021
    # Amt Neuhardenberg dissolved 31.12.2021: two Gemeinden → Amt Seelow-Land, one → Amt Märkische Schweiz
    "12064190": "120645412", "12064340": "120645412", "12064303": "120645408",
    "12073532": "120735051", "12073440": "120735051",  # Schwedt/Oder with Pinnow (Mitverwaltung), 19.04.2022
}


def read_inkar(path: Path, id_length: int, years: list[int] = YEARS) -> pd.DataFrame:
    """One INKAR sheet (row 0 indicator, row 1 years, then one row per unit) as ``id × year``, values unchanged.

    Ids as text with leading zeros; empty cells stay missing (``<NA>``).
    """
    raw = pd.read_excel(path, sheet_name="Daten", engine="calamine", header=None, dtype=object)
    wide = raw.iloc[2:].copy()
    wide.columns = ["gebiet_id", "name", "aggregat", *(int(y) for y in raw.iloc[1, 3:])]
    wide["gebiet_id"] = wide["gebiet_id"].astype(str).str.zfill(id_length)
    return wide.set_index("gebiet_id")[years].apply(pd.to_numeric, errors="raise").astype("Int64")


def gemeinden(src: Path) -> gpd.GeoDataFrame:
    """VG5000 Gemeinden at the INKAR Gebietsstand, with parent ids, simplified and rounded (EPSG:25832)."""
    gem = gpd.read_file(src / "inkar_gemeinden" / "geometry_vg5000_2021" / "VG5000_GEM.shp", engine="pyogrio")
    gem["gebiet_id"] = gem["AGS"].replace(MERGED)
    gem["gemeindeverband_id"] = gem["ARS"].str[:9]
    gem = gem[["gebiet_id", "GEN", "gemeindeverband_id", "geometry"]].rename(columns={"GEN": "name"})
    gem = gem.dissolve(by="gebiet_id", aggfunc="first", sort=True).reset_index()
    new = gem["gebiet_id"].isin(NEW_NAMES)
    gem.loc[new, "name"] = gem.loc[new, "gebiet_id"].map(NEW_NAMES)
    gem["gemeindeverband_id"] = gem["gebiet_id"].map(GEMEINDEVERBAND_2022).fillna(gem["gemeindeverband_id"])
    # the Verband a Gemeinde belongs to (Verbandsgemeinde, Amt, Samtgemeinde, Verwaltungsgemeinschaft, …);
    # empty for a verbandsfreie Gemeinde, whose Gemeindeverband is itself (its total would be its own value)
    size = gem.groupby("gemeindeverband_id")["gebiet_id"].transform("size")
    gem["verband_id"] = gem["gemeindeverband_id"].where(size >= 2)
    gem["kreis_id"] = gem["gebiet_id"].str[:5]
    gem["land_id"] = gem["gebiet_id"].str[:2]
    gem = gem.to_crs(25832)
    simple = shapely.coverage_simplify(gem.geometry.values, tolerance=TOLERANCE)
    rounded = shapely.transform(simple, lambda xy: np.round(xy / GRID) * GRID)
    gem["geometry"] = shapely.make_valid(rounded)
    return gem


def parent_layer(gem: gpd.GeoDataFrame, column: str, names: pd.Series, kinds: pd.Series,
                 upper: list[str]) -> gpd.GeoDataFrame:
    """One parent level dissolved from the Gemeinden: ``gebiet_id``, ``name``, ``art``, upper parent ids."""
    out = gem.dissolve(by=column, sort=True)[["geometry"]].reset_index().rename(columns={column: "gebiet_id"})
    out.insert(1, "name", out["gebiet_id"].map(names))
    out.insert(2, "art", out["gebiet_id"].map(kinds))
    for i, up in enumerate(upper):
        out.insert(3 + i, up, out["gebiet_id"].map(gem.drop_duplicates(column).set_index(column)[up]))
    missing = out.loc[out["name"].isna(), "gebiet_id"].tolist()
    if missing:
        raise SystemExit(f"{column}: Einheiten ohne Namen: {missing[:10]}")
    return out


def income_tax(src: Path) -> pd.DataFrame:
    """Income tax € per resident per Gemeindeverband (IRIS CSV: ``;``, latin-1, 2nd header row, decimal comma)."""
    path = src / "inkar_gemeinden" / "inkar_raw_gemeinden" / INCOME_TAX
    raw = pd.read_csv(path, sep=";", encoding="latin-1", skiprows=[1], dtype=str)
    cols = {f"q_einkst_bev{y % 100:02d}": y for y in YEARS}
    wide = raw.set_index("gemeindeve22")[list(cols)].rename(columns=cols)
    values = wide.apply(lambda c: pd.to_numeric(c.str.replace(",", ".", regex=False), errors="raise"))
    values.index.name = "gebiet_id"
    return values.rename_axis(columns="jahr").stack(future_stack=True).rename("einkommensteuer_je_ew").reset_index()


def write_gpkg(layers: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    """All layers into one GeoPackage, byte-identical on every run and without spatial index (small file)."""
    path.unlink(missing_ok=True)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2024-03-01T00:00:00Z"})  # fixed gpkg_contents time
    try:
        for name, gdf in layers.items():
            pyogrio.write_dataframe(gdf, path, layer=name, driver="GPKG", layer_options={"SPATIAL_INDEX": "NO"})
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    with closing(sqlite3.connect(path)) as db:  # 8 KiB pages waste less space on the larger outlines
        db.execute("PRAGMA page_size = 8192")
        db.execute("VACUUM")


def main(src: Path, out: Path) -> None:
    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    raw = src / "inkar_gemeinden" / "inkar_raw_gemeinden"
    counts = {col: read_inkar(raw / sheet, 8) for col, sheet in SHEETS.items()}
    for col, cells in SOURCE_GAPS.items():
        for gid, year in cells:
            if counts[col].at[gid, year] != 0:
                raise SystemExit(f"{col} {gid} {year}: erwartet 0 in der Quelle, gefunden {counts[col].at[gid, year]}")
            counts[col].at[gid, year] = pd.NA
    for col, cells in UNINHABITED.items():
        for gid, year in cells:
            if counts["ew_15bis65"].loc[gid].fillna(0).any():
                raise SystemExit(f"{gid}: erwartet 0 Einwohner/innen von 15 bis unter 65 in allen Jahren")
            counts[col].at[gid, year] = pd.NA
    gem = gemeinden(src)
    if set(gem["gebiet_id"]) != set(counts["ew_15bis65"].index):
        raise SystemExit(f"Gemeinden passen nicht: {sorted(set(gem['gebiet_id']) ^ set(counts['ew_15bis65'].index))}")

    tax = income_tax(src)
    geo = src / "inkar_kreise" / "geometry_vg5000_2021"
    vwg = gpd.read_file(src / "inkar_gemeinden" / "geometry_vg5000_2021" / "VG5000_VWG.shp", engine="pyogrio",
                        ignore_geometry=True).set_index("ARS")
    krs = gpd.read_file(geo / "VG5000_KRS.shp", engine="pyogrio", ignore_geometry=True).set_index("AGS")
    krs.loc["16063", "GEN"] = "Wartburgkreis"
    lan = gpd.read_file(geo / "VG5000_LAN.shp", engine="pyogrio", ignore_geometry=True)
    lan = lan[lan["GF"] == 9].set_index("AGS")
    gv_names = pd.read_csv(raw / INCOME_TAX, sep=";", encoding="latin-1", skiprows=[1], dtype=str) \
        .set_index("gemeindeve22")["gemeindeve22name"]
    if set(gem["gemeindeverband_id"]) != set(gv_names.index):
        raise SystemExit(f"Gemeindeverbände passen nicht: {sorted(set(gem['gemeindeverband_id']) ^ set(gv_names.index))}")

    layers = {"gemeinden": gem,
              "gemeindeverbaende": parent_layer(gem, "gemeindeverband_id", gv_names, vwg["BEZ"], ["kreis_id", "land_id"]),
              "kreise": parent_layer(gem, "kreis_id", krs["GEN"], krs["BEZ"], ["land_id"]),
              "laender": parent_layer(gem, "land_id", lan["GEN"], lan["BEZ"], [])}
    write_gpkg(layers, out / "gebiete.gpkg")

    table = pd.concat({col: v.rename_axis(columns="jahr").stack(future_stack=True) for col, v in counts.items()},
                      axis=1).reset_index().sort_values(["gebiet_id", "jahr"])
    table.to_csv(out / "daten.csv", index=False, lineterminator="\n")
    tree = ancestors(gem["gebiet_id"], [("Gemeindeverband", gem.set_index("gebiet_id")["gemeindeverband_id"])])
    sums = sum_counts(table.set_index("gebiet_id"), tree["Gemeindeverband"], ["ew_15bis65"], by=["jahr"])
    # exact sums only: a Gemeindeverband with a member without value gets no weight
    weight = sums["ew_15bis65"].where(sums["ew_15bis65_missing"] == 0).astype("Int64").reset_index()
    gv_table = tax.merge(weight, on=["gebiet_id", "jahr"], how="outer", validate="one_to_one")
    gv_table.sort_values(["gebiet_id", "jahr"]).to_csv(out / "daten_gemeindeverbaende.csv", index=False,
                                                       lineterminator="\n")
    single = int((gem["kreis_id"].value_counts() == 1).sum())
    missing = int(table.loc[table["jahr"] == YEARS[-1], "arbeitslose"].isna().sum())
    print(f"{len(gem)} Gemeinden, {len(layers['gemeindeverbaende'])} Gemeindeverbände, {len(layers['kreise'])} Kreise "
          f"({single} mit nur einer Gemeinde), {len(layers['laender'])} Länder; {len(table)} Datenzeilen, "
          f"{YEARS[-1]} ohne Arbeitslosenzahl: {missing}; {time.perf_counter() - start:.0f} s → {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", nargs="?", default=str(REPO.parent / "shared" / "data"), type=Path,
                        help="Ordner mit inkar_gemeinden/ und inkar_kreise/")
    parser.add_argument("--out", default=OUT, type=Path, help="Zielordner (Standard: das mitgelieferte Datenpaket)")
    args = parser.parse_args()
    main(args.src, args.out)
