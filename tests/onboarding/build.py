"""Build the real-shaped spreadsheet of tests/data/test_onboarding.py from the Berlin demo data (deterministic).

``prognoseraeume.xlsx`` looks like an official statistics office table: two title rows above the
header, a "Ebene" column, one total row for Berlin and one per Bezirk above its Prognoseräume
(the Bezirk total „Neukölln“ has the same name as a Prognoseraum), areas named by name, no year
column, and „.“ for two values the source did not publish. Values: the MSS 2021 Planungsraum data
of the demo, aggregated to Prognoseräume and Bezirke (residents summed, rates weighted by residents,
rounded to two decimals as published). ``.ods`` and ``.xls`` are LibreOffice conversions of it.

Two more, from the raw files in ../shared/data (run with it beside the repository):

- ``bezirksregionen.xlsx``: the MSS 2021 index indicators of the 542 Planungsräume aggregated to the 143
  Bezirksregionen (ids ``PLR_ID[:6]``), as a statistics office prints them: a title row, a header of two
  rows (a merged group row „Arbeitslosigkeit (S1)“ above „in %“), after each Bezirk's regions a Bezirk
  total row with the 2-digit Bezirk id, a last row „Berlin insgesamt“ without id, „.“ for one value.
- ``inkar_laender.xlsx``: the INKAR raw sheet A_ArbeitslosigkeitKreis.xls as delivered (two header rows,
  one column per year) with the 16 Länder (Kennziffer 2 digits, Aggregat „Bundesländer“) and Germany
  (Aggregat „Bund“) added below the Kreise, each the sum of its Kreise.

    python tests/onboarding/build.py
    cd tests/onboarding && soffice --headless --convert-to ods prognoseraeume.xlsx \
        && soffice --headless --convert-to xls prognoseraeume.xlsx
"""

from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd

HERE = Path(__file__).parent
SHARED = HERE.parents[2] / "shared" / "data"
DEMO = HERE.parents[1] / "lib" / "sozialplanung" / "demo" / "berlin"
RATES = {"S1": "Arbeitslosigkeit (S1) in %", "S3": "Transferbezug (S3) in %", "S4": "Kinderarmut (S4) in %"}
WITHHELD = [("Zentrum", "S3"), ("Buch", "S4")]  # cells the source marks with „.“


def aggregate(data: pd.DataFrame, by: pd.Series) -> pd.DataFrame:
    w = data["einwohner"]
    out = pd.DataFrame({"einwohner": w.groupby(by).sum()})
    for col in RATES:
        ok = data[col].notna()
        out[col] = ((data[col] * w)[ok].groupby(by[ok]).sum() / w[ok].groupby(by[ok]).sum()).round(2)
    return out


def rows() -> list[list]:
    plr = gpd.read_file(DEMO / "gebiete.gpkg", layer="planungsraeume").set_index("gebiet_id")
    names = {layer: gpd.read_file(DEMO / "gebiete.gpkg", layer=layer).set_index("gebiet_id")["name"]
             for layer in ("prognoseraeume", "bezirke")}
    data = pd.read_csv(DEMO / "daten.csv", dtype={"gebiet_id": str}).set_index("gebiet_id")
    data = data.loc[plr.index]
    pgr, bez = aggregate(data, plr["prognoseraum_id"]), aggregate(data, plr["bezirk_id"])
    berlin = aggregate(data, pd.Series("11", index=data.index))

    def line(level, nr, name, values):
        return [level, nr, name, int(values["einwohner"]), *(values[c] for c in RATES)]

    out = [line("Land", "11", "Berlin", berlin.loc["11"])]
    for b in bez.index:
        out.append(line("Bezirk", b, names["bezirke"][b], bez.loc[b]))
        out += [line("Prognoseraum", p, names["prognoseraeume"][p], pgr.loc[p]) for p in pgr.index if p[:2] == b]
    for name, col in WITHHELD:
        row = next(r for r in out if r[2] == name and r[0] == "Prognoseraum")
        row[4 + list(RATES).index(col)] = "."
    return out


def bezirksregionen() -> None:
    raw = pd.read_csv(SHARED / "berlin_mss" / "mss_2021" / "mss_2021_index_indikatoren.csv", dtype={"PLR_ID": str})
    raw = raw[raw["KOM"] == "gültig"]
    bzr = gpd.read_file(SHARED / "berlin_mss" / "geometry_lor2021_bzr", read_geometry=False).set_index("BZR_ID")
    bez = gpd.read_file(DEMO / "gebiete.gpkg", layer="bezirke", read_geometry=False).set_index("gebiet_id")["name"]
    data = raw.rename(columns={"EW": "einwohner"}).set_index("PLR_ID")
    regions, bezirke = aggregate(data, data.index.str[:6].to_series(index=data.index)), \
        aggregate(data, data.index.str[:2].to_series(index=data.index))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Bezirksregionen"
    ws.append(["Monitoring Soziale Stadtentwicklung 2021: Bezirksregionen (gültige Planungsräume)"])
    ws.append(["Nr.", "Bezirksregion", "Einwohner", "Arbeitslosigkeit (S1)", "Transferbezug (S3)", "Kinderarmut (S4)"])
    ws.append([None, None, "insgesamt", "in %", "in %", "in %"])
    for b in bezirke.index:
        for r in (r for r in regions.index if r[:2] == b):
            ws.append([r, bzr.loc[r, "BZR_NAME"], int(regions.loc[r, "einwohner"]),
                       *(regions.loc[r, c] for c in RATES)])
        ws.append([b, bez[b], int(bezirke.loc[b, "einwohner"]), *(bezirke.loc[b, c] for c in RATES)])
    berlin = aggregate(data, pd.Series("11", index=data.index)).loc["11"]
    ws.append([None, "Berlin insgesamt", int(berlin["einwohner"]), *(berlin[c] for c in RATES)])
    ws.cell(row=5, column=5).value = "."
    wb.save(HERE / "bezirksregionen.xlsx")


def inkar_laender() -> None:
    grid = pd.read_excel(SHARED / "inkar_kreise" / "inkar_raw_kreise" / "A_ArbeitslosigkeitKreis.xls", header=None,
                         dtype=object, engine="calamine")
    kreise = grid.iloc[2:]
    years = list(grid.columns[3:])
    names = gpd.read_file(SHARED / "inkar_kreise" / "geometry_vg5000_2021", layer="VG5000_LAN",
                          read_geometry=False).drop_duplicates("ARS").set_index("ARS")["GEN"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Daten"
    for row in grid.itertuples(index=False):
        ws.append([None if pd.isna(v) else v for v in row])
    for land, rows in kreise.groupby(kreise[0].str[:2]):
        ws.append([land, names[land], "Bundesländer", *(int(rows[y].astype(int).sum()) for y in years)])
    ws.append(["DG", "Deutschland", "Bund", *(int(kreise[y].astype(int).sum()) for y in years)])
    wb.save(HERE / "inkar_laender.xlsx")


def main() -> None:
    bezirksregionen()
    inkar_laender()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Prognoseräume"
    ws.append(["Monitoring Soziale Stadtentwicklung Berlin 2021 – Prognoseräume und Bezirke"])
    ws.append(["Datenstand 31.12.2020; . = Wert nicht veröffentlicht"])
    ws.append(["Ebene", "Nr.", "Gebiet", "Einwohner insgesamt", *RATES.values()])
    for r in rows():
        ws.append(r)
    wb.save(HERE / "prognoseraeume.xlsx")


if __name__ == "__main__":
    main()
