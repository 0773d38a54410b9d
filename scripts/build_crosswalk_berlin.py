"""Derive and validate the Berlin Gebietsschlüssel LOR bis 2020 (447 PLR) → LOR 2021 (542 PLR).

Run from the repository root with the original data beside the project::

    python scripts/build_crosswalk_berlin.py ../shared/data/berlin_mss [--ausgabe gebietsschluessel.csv]

Inputs (``../shared/data/README.md``, section berlin_mss):

* old geometry ``geometry_lor_bis2020/lor_planungsraeume_bis2020.geojson`` (448 features, EPSG:4326) and
  new geometry ``geometry_lor2021_plr`` (542 PLR, EPSG:25833), both reprojected to EPSG:25833;
* residents of 31.12.2020 on both divisions: ``mss_2021_kontext_indikatoren_k08_k14_k15.csv`` (447 old PLR)
  and ``mss_2021_index_indikatoren.csv`` (542 new PLR).

Two corrections make geometry and tables agree (both checked by exact resident totals):

1. The geometry has 448 features, the MSS tables 447 old PLR: 09041403 "Allende II" has no row. In
   the 447-PLR division its area belongs to 09041301 "Kietzer Feld/Nachtheide": the old 09041301
   has 14,506 residents = 10,138 (new 09401329, same outline as the geometry's 09041301) + 4,368
   (new 09401433, same outline as 09041403). The two features are dissolved into 09041301.
2. New 03400831 "Pankower Tor" has no resident count (ungültig, EW unter 300); the Berlin and
   Bezirk 03 totals of both divisions agree only with 0 there, so it gets 0.

A remaining contradiction: old 09041401 "Allende I" (4,802) and new 09401431 (5,445) have the same
outline, as have old 09041501 "Altstadt Kietz" (7,980) and new 09401534 (7,337): 643 residents lie
on the other side of the Allende I / Altstadt boundary in the two tables than the geometry says, so
no weighting of these outlines can match both (IPF warns about 09401431).

The script prints the validation (areal weighting vs IPF; fit on the residents, a fair check on the
SGB II rates of 31.12.2018 and a leave-one-out check) and writes the key table if asked to.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from sozialplanung.data.crosswalk import Crosswalk, _ipf, error_summary

MERGED = {"09041403": "09041301"}
ZERO_RESIDENTS = ["03400831"]
RATES = {"S1": "s1_percentage_unemployed", "S3": "s3_percentage_transfer_payments_recipients",
         "S4": "s4_percentage_transfer_payments_recipients_below_15_years"}


def read_lor_divisions(src: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Old (447) and new (542) Planungsräume with ``gebiet_id``, ``einwohner`` (31.12.2020), geometry."""
    read = dict(dtype={"PLR_ID": str}, na_values=[-9999, "-9999"])
    ew_old = pd.read_csv(src / "mss_2021" / "mss_2021_kontext_indikatoren_k08_k14_k15.csv", **read)
    ew_new = pd.read_csv(src / "mss_2021" / "mss_2021_index_indikatoren.csv", **read)
    old = gpd.read_file(src / "geometry_lor_bis2020" / "lor_planungsraeume_bis2020.geojson").to_crs(25833)
    old = old.assign(gebiet_id=old.id.replace(MERGED))[["gebiet_id", "geometry"]]
    old = old.dissolve("gebiet_id").reset_index()
    new = gpd.read_file(src / "geometry_lor2021_plr").rename(columns={"PLR_ID": "gebiet_id"})
    new = new[["gebiet_id", "geometry"]]
    old["einwohner"] = old.gebiet_id.map(ew_old.set_index("PLR_ID").EW)
    new_ew = ew_new.set_index("PLR_ID").EW
    new_ew.loc[ZERO_RESIDENTS] = new_ew.loc[ZERO_RESIDENTS].fillna(0)
    new["einwohner"] = new.gebiet_id.map(new_ew)
    return old.sort_values("gebiet_id").reset_index(drop=True), new.sort_values("gebiet_id").reset_index(drop=True)


def read_rates_2018(src: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """S1, S3, S4 of 31.12.2018: published on the old division (MSS 2019) and, as S(2020) − D, on the new."""
    old = pd.read_csv(src / "mss_2013_2021_zeitreihe" / "mss_2019_planning_areas.csv", dtype={"id": str},
                      na_values=["-"], usecols=["id", *RATES.values()])
    old = old.set_index("id").rename(columns={v: k for k, v in RATES.items()})
    new = pd.read_csv(src / "mss_2021" / "mss_2021_index_indikatoren.csv", dtype={"PLR_ID": str},
                      na_values=[-9999, "-9999"]).set_index("PLR_ID")
    new = pd.DataFrame({k: new[k] - new["D" + k[1:]] for k in RATES})
    return old, new


def mixed_areas(cw: Crosswalk, P: pd.Series, threshold: float = 0.9) -> pd.Index:
    """New PLR whose largest old source gives less than ``threshold`` of their carried residents."""
    t = cw.table_.assign(ew=cw.table_.gewicht * cw.table_.alt_id.map(P))
    share = t.groupby("neu_id").ew.max() / t.groupby("neu_id").ew.sum()
    return share.index[share < threshold]


def rate_check(cw: Crosswalk, old_rates, new_rates, areas) -> dict:
    """Absolute error (percentage points) of the carried 2018 rates over ``areas``."""
    carried = cw.carry(old_rates, kind="rate")
    out = {}
    for col in RATES:
        err = (carried[col] - new_rates[col]).reindex(areas).abs().dropna()
        out[col] = (len(err), err.median(), err.quantile(0.9), err.mean(), err.max())
    return out


def leave_out(cw: Crosswalk, P: pd.Series, Q: pd.Series, group) -> pd.Series:
    """Residents of each interpolated new PLR when the totals of its ``group`` are left out of the IPF fit."""
    p = cw.pieces_
    rows, cols = P.index.get_indexer(p.alt_id), Q.index.get_indexer(p.neu_id)
    graph = coo_matrix((np.ones(len(p)), (rows, cols + len(P))), shape=(len(P) + len(Q),) * 2)
    _, label = connected_components(graph, directed=False)
    seed = p.gewicht_flaeche.to_numpy() * P.to_numpy()[rows]
    keys = pd.Series(group(Q.index), index=Q.index)
    targets = Q.index[cw.interpoliert_.reindex(Q.index).to_numpy()]
    out = []
    for key in keys[targets].unique():
        held = np.flatnonzero((keys == key).to_numpy())
        part = np.isin(label[rows], label[len(P) + held])
        r_ids, r = np.unique(rows[part], return_inverse=True)
        c_ids, c = np.unique(cols[part], return_inverse=True)
        q = Q.to_numpy(float)[c_ids].copy()
        q[np.isin(c_ids, held)] = np.nan
        x, _, _ = _ipf(seed[part], r, c, P.to_numpy(float)[r_ids], q, 5000, 1e-6)
        carried = pd.Series(np.bincount(c, x, minlength=len(c_ids)), index=Q.index[c_ids])
        out.append(carried[carried.index.isin(targets) & np.isin(c_ids, held)])
    return pd.concat(out)


def fmt(s: dict) -> str:
    return (f"Median {s['median']:.2%}, P90 {s['p90']:.2%}, Max {s['max']:.1%} ({s['max_id']}), "
            f"> 20 %: {s['share_over']:.1%} von {s['n']}")


def main(src: Path, out: Path | None) -> None:
    old, new = read_lor_divisions(src)
    P, Q = old.set_index("gebiet_id").einwohner, new.set_index("gebiet_id").einwohner
    old_rates, new_rates = read_rates_2018(src)
    fitted = {}
    for method in ("areal", "ipf"):
        t = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cw = fitted[method] = Crosswalk(method).fit(old, new, old_weight="einwohner", new_weight="einwohner")
        e = cw.errors_
        changed = e[cw.interpoliert_]
        print(f"\n== {method}: {time.perf_counter() - t:.2f} s, {cw.n_iter_} Iterationen, {len(cw.table_)} "
              f"Schlüsselzeilen, {len(cw.slivers_)} Splitter ({cw.slivers_.flaeche_m2.sum() / 1e4:.1f} ha), "
              f"{len(cw.unchanged_)} unveränderte PLR")
        for w in caught:
            print("   Warnung:", w.message)
        print("   Einwohner 2020, alle PLR ≥ 300:         ", fmt(error_summary(e.uebertragen, e.beobachtet)))
        print("   Einwohner 2020, interpolierte PLR ≥ 300:", fmt(error_summary(changed.uebertragen,
                                                                                 changed.beobachtet)))
        small = e[(e.beobachtet < 300)]
        print("   PLR < 300 EW (beobachtet → übertragen):",
              "; ".join(f"{i}: {b:.0f} → {u:.0f}" for i, b, u in small[["beobachtet", "uebertragen"]].itertuples()))
    mixed = mixed_areas(fitted["ipf"], P)
    mixed = mixed[Q.reindex(mixed) >= 300]
    print(f"\n== Anteile 31.12.2018 (nicht angepasst), {len(mixed)} gemischte PLR ≥ 300 EW "
          "(größte alte Quelle < 90 % der Einwohner), Abweichung in Prozentpunkten")
    for method, cw in fitted.items():
        for col, (n, med, p90, mean, mx) in rate_check(cw, old_rates, new_rates, mixed).items():
            print(f"   {method:5} {col} (n={n}): Median {med:.2f}, P90 {p90:.2f}, Mittel {mean:.2f}, Max {mx:.2f}")
    for label, group in [("einzeln", lambda ids: ids), ("je Bezirksregion", lambda ids: ids.str[:6])]:
        t = time.perf_counter()
        loo = leave_out(fitted["ipf"], P, Q, group)
        print(f"== IPF ohne die eigene Summe ({label}, {time.perf_counter() - t:.1f} s), interpolierte PLR ≥ 300:",
              fmt(error_summary(loo, Q.reindex(loo.index))))
    if out is not None:
        fitted["ipf"].table_.to_csv(out, index=False)
        print(f"→ {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", nargs="?", default="../shared/data/berlin_mss", type=Path)
    parser.add_argument("--ausgabe", type=Path, default=None)
    args = parser.parse_args()
    main(args.src, args.ausgabe)
