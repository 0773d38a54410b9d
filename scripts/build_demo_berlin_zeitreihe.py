"""Build the Berlin series Datenpaket: the MSS reports 2013–2021, all on LOR 2021.

Run from the repository root with the original data beside the project::

    python scripts/build_demo_berlin_zeitreihe.py ../shared/data/berlin_mss

after ``scripts/build_demo_berlin.py`` (MSS 2021, geometry, catalogue). Extends ``lib/sozialplanung/demo/berlin/``
(``daten.csv`` becomes the series, so every Berlin report is a multi-year report; running it again gives the same
files: it reads only the 2021 rows):

* ``tabellen/gebietsschluessel.csv`` – the Gebietsschlüssel LOR bis 2020 (447 PLR) → LOR 2021
  (542 PLR): ``alt_id, neu_id, gewicht``, fitted by IPF to the residents of 31.12.2020 published on
  both divisions (:class:`sozialplanung.data.crosswalk.Crosswalk`, the two data corrections of
  ``scripts/build_crosswalk_berlin.py``); the weights of each old PLR sum to 1.
* ``tabellen/originale.csv`` – every report year on its own Gebietsstand, values as published:
  ``gebiet_id, jahr, gebietsstand, einwohner, S1…S4, D1…D4, mss_status_amtlich, mss_dynamik_amtlich``
  (2013–2019: the series files, 434/435/436/436 valid old PLR; 2021: ``mss_2021/``, 536 valid of 542).
* ``daten.csv`` – one row per LOR-2021 PLR and report year (``jahr`` = report year, data of 31.12. of
  the year before). 2021 as published (as ``build_demo_berlin.py`` writes it); 2013–2019 carried with the key:
  residents as counts (Σ gewicht · EW), rates and changes in percentage points as rates (weighted by
  gewicht · EW of that year). An old PLR without a row in that year (invalid: under 300 residents or an
  outlier) contributes nothing; ``abdeckung`` is the share of the new PLR's residents of 31.12.2020
  that comes from old PLR with a row, and residents and rates are left missing below 80 % (so the
  new PLR is not assessed, "x", that year). ``interpoliert`` is True where the new PLR is not one old PLR with the same outline. The
  official classes of an old year are carried from the old PLR that gives the new one most residents
  (``mss_klasse_anteil``); below 80 % the class is empty and ``mss_bewertung`` says „nicht eindeutig“.
  Context indicators (KI_*) exist only for 2021 (the series' context columns are shifted).
* ``zeitreihe.yaml`` – the series manifest read by :mod:`sozialplanung.data.zeitreihe`.

Nothing is estimated beyond the documented carrying; the script prints what it did.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_crosswalk_berlin import read_lor_divisions  # noqa: E402

from sozialplanung.data.crosswalk import Crosswalk, error_summary  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "lib" / "sozialplanung" / "demo" / "berlin"
OLD_YEARS = [2013, 2015, 2017, 2019]
CODES = ["S1", "S2", "S3", "S4", "D1", "D2", "D3", "D4"]
CARRIED = ["S1", "S3", "S4", "D1", "D3", "D4"]   # the indicators of the catalogue (S2/D2 only 2013–2017)
DYNAMIK = {"+": 1, "+/-": 3, "-": 5}             # in the series, "-" is the class "negativ"
MIN_SHARE = 0.8


def read_series_year(src: Path, year: int) -> pd.DataFrame:
    """One report year of the Open-Lifeworlds series, indexed by PLR id, with ``CODES`` and official classes."""
    path = src / "mss_2013_2021_zeitreihe" / f"mss_{year}_planning_areas.csv"
    raw = pd.read_csv(path, dtype=str).set_index("id")
    raw = raw.loc[:, ~raw.columns.duplicated()]
    codes = {c: c.split("_")[0].upper() for c in raw.columns if c[:2].upper() in {c[:2] for c in CODES}
             and c[:3] not in {"z_s", "z_d"} and c.split("_")[0].upper() in CODES}
    out = raw[list(codes)].rename(columns=codes).replace("-", np.nan).apply(pd.to_numeric)
    out.insert(0, "einwohner", pd.to_numeric(raw["inhabitants"]))
    out["mss_status_amtlich"] = pd.to_numeric(raw["status_index"]).astype("Int64")
    out["mss_dynamik_amtlich"] = raw["dynamic_index"].map(DYNAMIK).astype("Int64")
    return out.rename_axis("gebiet_id")


def read_2021(src: Path) -> pd.DataFrame:
    """MSS 2021 on LOR 2021 as ``build_demo_berlin.py`` writes it: the 2021 rows of ``demo/berlin/daten.csv``
    without the series columns (the file is the series once this script has run)."""
    demo = pd.read_csv(OUT / "daten.csv", dtype={"gebiet_id": str})
    demo = demo[demo["jahr"] == 2021].drop(columns=["gebietsstand", "interpoliert", "abdeckung", "mss_klasse_anteil"],
                                           errors="ignore")
    return demo.set_index("gebiet_id")


def carry_year(cw: Crosswalk, year_data: pd.DataFrame, ew2020: pd.Series) -> pd.DataFrame:
    """Residents (count) and rates of one old year on LOR 2021, with the carried official classes."""
    old = year_data.reindex(cw.old_ids_)
    ew = old["einwohner"]
    weight = ew.fillna(ew2020)  # old PLR without a row have no rate; their 2020 residents only count for coverage
    known = cw.carry(ew.notna().astype(float) * ew2020, kind="count")["wert"]
    coverage = (known / cw.carry(ew2020, kind="count")["wert"]).fillna(0.0)
    counts = cw.carry(ew.fillna(0.0), kind="count")["wert"].where(coverage >= MIN_SHARE).rename("einwohner")
    rates = cw.carry(old[[c for c in CODES if c in old]], kind="rate", weight=weight, min_coverage=MIN_SHARE)
    t = cw.table_.assign(ew=cw.table_.gewicht * cw.table_.alt_id.map(weight))
    top = t.sort_values(["neu_id", "ew", "alt_id"], ascending=[True, False, True]).groupby("neu_id").head(1)
    top = top.set_index("neu_id")
    share = (top.ew / t.groupby("neu_id").ew.sum()).reindex(cw.new_ids_)
    src_ids = top.alt_id.reindex(cw.new_ids_)
    clear = share >= MIN_SHARE
    out = pd.concat([counts, rates], axis=1)
    out["abdeckung"] = coverage.round(4)
    for col in ["mss_status_amtlich", "mss_dynamik_amtlich"]:
        out[col] = old[col].reindex(src_ids).to_numpy()
        out[col] = out[col].where(clear).astype("Int64")
    out["mss_quelle"] = src_ids.to_numpy()
    out["mss_klasse_anteil"] = share.round(4).to_numpy()
    has_class = old["mss_status_amtlich"].reindex(src_ids).notna().to_numpy()
    out["mss_bewertung"] = np.where(~clear, "nicht eindeutig", np.where(has_class, "gültig", "ohne Bewertung"))
    return out.rename_axis("gebiet_id")


def build(src: Path) -> dict:
    old, new = read_lor_divisions(src)
    P = old.set_index("gebiet_id").einwohner
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the known Allende I / Altstadt Kietz contradiction (build_crosswalk_berlin)
        cw = Crosswalk("ipf").fit(old, new, old_weight="einwohner", new_weight="einwohner")
    areal = Crosswalk("areal").fit(old, new, old_weight="einwohner", new_weight="einwohner")
    cur = read_2021(src)
    originals, rows = [], []
    for year in OLD_YEARS:
        data = read_series_year(src, year)
        unknown = data.index.difference(cw.old_ids_)
        if len(unknown):
            raise SystemExit(f"{year}: PLR ohne Geometrie: {', '.join(unknown)}")
        originals.append(data.assign(jahr=year, gebietsstand="LOR bis 2020").reset_index())
        carried = carry_year(cw, data, P)
        carried["interpoliert"] = cw.interpoliert_.reindex(carried.index).to_numpy()
        rows.append(carried.assign(jahr=year, gebietsstand="LOR 2021 (übertragen aus LOR bis 2020)").reset_index())
        n_missing = int(carried.einwohner.isna().sum())
        print(f"{year}: {len(data)} alte PLR; auf LOR 2021 {n_missing} PLR ohne Einwohnerzahl, "
              f"{int(carried.S1.isna().sum())} ohne S1, {int((carried.mss_bewertung == 'nicht eindeutig').sum())} "
              f"Klassen nicht eindeutig, Summe EW {carried.einwohner.sum():,.0f} (alt {data.einwohner.sum():,.0f})")
    orig21 = cur[["einwohner", *CARRIED, "mss_status_amtlich", "mss_dynamik_amtlich"]]
    originals.append(orig21.assign(jahr=2021, gebietsstand="LOR 2021").reset_index())
    rows.append(cur.drop(columns="jahr").assign(jahr=2021, gebietsstand="LOR 2021", interpoliert=False,
                                                abdeckung=1.0, mss_klasse_anteil=1.0).reset_index())
    return {"cw": cw, "areal": areal, "P": P, "Q": new.set_index("gebiet_id").einwohner,
            "originale": pd.concat(originals, ignore_index=True), "daten": pd.concat(rows, ignore_index=True)}


def tidy(daten: pd.DataFrame, originale: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Column order, types and rounding of the two tables (rates to 5 decimals as published)."""
    ctx = [c for c in daten.columns if c.startswith("KI_")]
    daten = daten[["gebiet_id", "jahr", "gebietsstand", "interpoliert", "abdeckung", "einwohner", *CARRIED, *ctx,
                   "mss_status_amtlich", "mss_dynamik_amtlich", "mss_bewertung", "mss_klasse_anteil"]].copy()
    daten["einwohner"] = daten.einwohner.round().astype("Int64")
    daten[CARRIED] = daten[CARRIED].round(5)
    originale = originale[["gebiet_id", "jahr", "gebietsstand", "einwohner", *CODES,
                           "mss_status_amtlich", "mss_dynamik_amtlich"]].copy()
    originale["einwohner"] = originale.einwohner.astype("Int64")
    for frame in (daten, originale):
        for col in ["mss_status_amtlich", "mss_dynamik_amtlich"]:
            frame[col] = frame[col].astype("Int64")
    return (daten.sort_values(["jahr", "gebiet_id"]).reset_index(drop=True),
            originale.sort_values(["jahr", "gebiet_id"]).reset_index(drop=True))


def report_errors(res: dict) -> None:
    for name in ("areal", "cw"):
        e = res[name].errors_
        s = error_summary(e.uebertragen, e.beobachtet)
        print(f"{'IPF' if name == 'cw' else 'Fläche'}: Median {s['median']:.2%}, P90 {s['p90']:.2%}, "
              f"Max {s['max']:.1%} ({s['max_id']}), > 20 %: {s['share_over']:.1%} von {s['n']}")


def main(src: Path) -> None:
    res = build(src)
    report_errors(res)
    daten, originale = tidy(res["daten"], res["originale"])
    (OUT / "tabellen").mkdir(parents=True, exist_ok=True)
    key = res["cw"].table_.copy()
    key["gewicht"] = key.gewicht.round(8)
    key.to_csv(OUT / "tabellen" / "gebietsschluessel.csv", index=False)
    originale.to_csv(OUT / "tabellen" / "originale.csv", index=False)
    daten.to_csv(OUT / "daten.csv", index=False)
    print(f"{len(key)} Schlüsselzeilen, {len(originale)} Originalzeilen, {len(daten)} Datenzeilen → {OUT}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", nargs="?", default="../shared/data/berlin_mss", type=Path)
    main(parser.parse_args().src)
