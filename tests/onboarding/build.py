"""Build the real-shaped spreadsheet of tests/data/test_onboarding.py from the Berlin demo data (deterministic).

``prognoseraeume.xlsx`` looks like an official statistics office table: two title rows above the
header, a "Ebene" column, one total row for Berlin and one per Bezirk above its Prognoseräume
(the Bezirk total „Neukölln“ has the same name as a Prognoseraum), areas named by name, no year
column, and „.“ for two values the source did not publish. Values: the MSS 2021 Planungsraum data
of the demo, aggregated to Prognoseräume and Bezirke (residents summed, rates weighted by residents,
rounded to two decimals as published). ``.ods`` and ``.xls`` are LibreOffice conversions of it:

    python tests/onboarding/build.py
    cd tests/onboarding && soffice --headless --convert-to ods prognoseraeume.xlsx \
        && soffice --headless --convert-to xls prognoseraeume.xlsx
"""

from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd

HERE = Path(__file__).parent
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


def main() -> None:
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
