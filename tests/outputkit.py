"""Helpers for the output tests: the report's tables written as notebooks 02–06 write them, and a reader
of the QGIS rule filters the GeoPackage styles use."""

from __future__ import annotations

import re
import warnings

import sozialplanung as sp
from sozialplanung.publish.export import write_tables, write_workbooks


def write_report_tables(dp, folder, n_draws: int = 100):
    """``tabellen/*.csv`` as the notebooks write them (fewer sensitivity draws), then the workbooks."""
    a = sp.analysis.pipeline
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sp.SozialplanungWarning)
        write_tables(folder, indikatoren=sp.indicators.reference.area_table(dp),
                     vergleich=sp.indicators.reference.compare_with_reference(dp))
        index = a.sozialindex(dp)
        write_tables(folder, sozialindex=a.for_report(dp, index.to_frame()),
                     sensitivitaet=a.for_report(dp, a.sensitivity(dp, n_draws=n_draws).to_frame()))
        fa = a.faktorenanalyse(dp)
        write_tables(folder, faktorladungen=a.loadings_table(fa), faktorwerte=a.for_report(dp, fa.to_frame()))
        write_tables(folder, cluster=a.for_report(dp, a.clusteranalyse(dp, fa).to_frame()))
        write_tables(folder, raeumliche_statistik=a.for_report(dp, a.raeumliche_statistik(dp).to_frame()))
        write_workbooks(folder, dp)
    return folder


def matches(expression: str, row: dict) -> bool:
    """Whether a QGIS filter of the styles (``"S1" >= 2.45 AND "S1" < 3.35``, ``"typ" = 2``, ``IS NULL``)
    selects ``row`` (NULL = None; a comparison with NULL is false, as in QGIS)."""
    if not expression:
        return True
    py = re.sub(r'"([^"]+)" IS NOT NULL', r'(row["\1"] is not None)', expression)
    py = re.sub(r'"([^"]+)" IS NULL', r'(row["\1"] is None)', py)
    py = re.sub(r'"([^"]+)"(?= )', r'row["\1"]', py).replace(" AND ", " and ").replace(" = ", " == ")
    try:
        return bool(eval(py, {"row": row}))  # noqa: S307 – our own generated filters
    except TypeError:  # None < 2.45
        return False
