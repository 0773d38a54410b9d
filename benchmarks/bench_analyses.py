"""Benchmark: how the analyses scale with the number of areas.

Berlin's 542 Planungsräume are replicated 1×, 4× and 16× (ids made unique) and the Sozialindex,
the sensitivity analysis (1,000 draws), the factor analysis and the cluster typology are timed on
each. Prints times side by side and the ratio to the 1× run (linear scaling would be 4 and 16).
"""

from __future__ import annotations

import time

import pandas as pd

import sozialplanung as sp
from sozialplanung.analysis.cluster import ClusterTypology
from sozialplanung.analysis.factor import FactorAnalysis
from sozialplanung.analysis.sozialindex import SozialIndex
from sozialplanung.config.recipes import read_recipe
from sozialplanung.analysis.sensitivity import Sensitivity

dp = sp.load_datenpaket(sp.find_params("berlin/berlin.yaml"))
RECIPE = read_recipe(dp.params.resolve(dp.params.recipe))
COLUMNS = sp.analysis.pipeline.factor_indicators(dp)


def replicate(frame: pd.DataFrame, times: int) -> pd.DataFrame:
    parts = [frame.set_axis([f"{i}-{gid}" for gid in frame.index]) for i in range(times)]
    return pd.concat(parts)


def run(times: int) -> dict[str, float]:
    values = replicate(dp.values(), times)
    pop = replicate(dp.population().to_frame(), times)["einwohner"]
    out = {}
    for name, job in {
        "Sozialindex": lambda: SozialIndex(RECIPE).fit(values, einwohner=pop, year=2021),
        "Sensitivität (1.000 Ziehungen)": lambda: Sensitivity(RECIPE).fit(values, einwohner=pop, year=2021),
        "Faktorenanalyse": lambda: FactorAnalysis(marker="S1").fit(values[COLUMNS].dropna()),
        "Clusteranalyse (k-means, 20 Bootstraps)": lambda: ClusterTypology(
            4, method="kmeans", n_bootstrap=20).fit(values[COLUMNS].dropna()),
    }.items():
        start = time.perf_counter()
        job()
        out[name] = time.perf_counter() - start
    return out


if __name__ == "__main__":
    factors = (1, 4, 16)
    results = {f: run(f) for f in factors}
    print(f"{'Analyse':40s}" + "".join(f"{f'{f * 542} Gebiete':>16s}" for f in factors) + "   Verhältnis 4× / 16×")
    for name in results[1]:
        base = results[1][name]
        times = "".join(f"{results[f][name]:>14.3f} s" for f in factors)
        print(f"{name:40s}{times}   {results[4][name] / base:5.1f} / {results[16][name] / base:5.1f}")
