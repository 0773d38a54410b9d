"""Benchmark (not a test): draw and encode every figure of one report, as the report does.

Figures: one map per indicator, one bar chart per ranked indicator, the index maps, the type map, the type
profiles and one locator map per Steckbrief. Two code paths, so the same script measures an older tree:
``figures.encode`` (SVG; SVG maps from :mod:`sozialplanung.viz.svgmap`) if present, else matplotlib maps with
the report's PNG encoder (``report.page._img_tag``). The analyses are fitted first and not timed.

    python tests/viz/bench_figures.py params/berlin/mitte.yaml
    PYTHONPATH=/tmp/old/lib python tests/viz/bench_figures.py params/berlin/mitte.yaml   # an older tree
"""

from __future__ import annotations

import sys
import time
import warnings
from collections import defaultdict


def _figures(dp, results):
    """(group, factory) of every figure of the report."""
    from sozialplanung.report import chapters
    from sozialplanung.viz import analysis_plots, atlas

    out = []
    for ind_id, ind in dp.catalogue.items():
        out.append(("karten", lambda i=ind_id: atlas.indicator_map(dp, i)))
        if ind.polarity != 0:
            out.append(("balken", lambda i=ind_id: chapters._bar(dp, i, results)))
    index, typ = results.get("index"), results.get("typology")
    if index is not None:
        out += [("karten", lambda p=p: atlas.index_map(dp, index, p)) for p in index.recipe_.parts()]
    if typ is not None:
        out += [("karten", lambda: atlas.typology_map(dp, typ)), ("profile", lambda: analysis_plots.type_profiles(typ))]
    out += [("lagekarten", f) for f in _locators(dp)]
    return out


def _locators(dp):
    from sozialplanung.viz import figures

    if hasattr(figures, "encode"):
        from sozialplanung.viz import atlas

        locators = atlas.SteckbriefLocators(dp)  # one shared base
        return [lambda g=gid: locators(g) for gid in sorted(dp.shown_ids)]
    from sozialplanung.report import steckbrief

    return [lambda g=gid: steckbrief._locator(dp, g) for gid in sorted(dp.shown_ids)]


def _encoder():
    from sozialplanung.viz import figures

    if hasattr(figures, "encode"):
        return lambda fig: figures.encode(fig).svg, "SVG (viz.figures.encode)"
    from sozialplanung.report import page

    return lambda fig: str(page._img_tag(fig)), "PNG (report.page._img_tag)"


def main(params: str) -> None:
    import sozialplanung as sp
    from sozialplanung.report import bericht
    from sozialplanung.viz import figures

    dp = sp.load_datenpaket(params)
    results = bericht.compute_results(dp)
    encode, how = _encoder()
    seconds, draw, sizes, counts = defaultdict(float), defaultdict(float), defaultdict(int), defaultdict(int)
    clock = time.process_time  # CPU seconds: the machine is shared, wall time varies with the load
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_all, t_wall = clock(), time.perf_counter()
        for group, factory in _figures(dp, results):
            t0 = clock()
            fig = factory()
            t1 = clock()
            text = encode(fig)
            figures.close(fig)
            seconds[group] += clock() - t0
            draw[group] += t1 - t0
            sizes[group] += len(text.encode())
            counts[group] += 1
        total = clock() - t_all
        wall = time.perf_counter() - t_wall
    print(f"{params}: {how}; CPU-Sekunden")
    for group in seconds:
        print(f"  {group:<11} {counts[group]:>4} Abb.  {seconds[group]:6.2f} s  (zeichnen {draw[group]:5.2f} s)  "
              f"{sizes[group] / 1e3:8.0f} kB  ({sizes[group] / counts[group] / 1e3:5.1f} kB je Abb.)")
    print(f"  {'zusammen':<11} {sum(counts.values()):>4} Abb.  {total:6.2f} s  {sum(sizes.values()) / 1e6:.2f} MB  "
          f"(Wanduhr {wall:.1f} s)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "params/berlin/mitte.yaml")
