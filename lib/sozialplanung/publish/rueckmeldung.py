"""Rückmeldepaket: what each Gemeinde of a Kreis report gets back (kommunenspezifische Auswertung).

In a batch over a level (``batch: {level: Kreis}``) every shown area gets ``rueckmeldung/<gebiet_id>/``:

- ``steckbrief.pdf``: its Steckbrief (:mod:`sozialplanung.report.steckbrief`) against **every** parent level
  it has – Gemeindeverband (verbandsfreie Gemeinden have none), Kreis, Land – and the Bezugsgesamtheit;
- ``<gebiet_id>.xlsx`` and ``<gebiet_id>.gpkg``: its row with the same reference values, written by the
  report's own writers (:func:`sozialplanung.publish.export.write_workbooks`: German headers, ``.`` for withheld
  values, a styled GeoPackage layer with its outline).

Every value comes from the Datenpaket after the Datenschutz rules (``dp.values()``; withheld = empty), and
the package lies inside the report folder, so the leak scan checks it with the report. A report that is
not a batch unit writes nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

FOLDER = "rueckmeldung"


def references(dp, gid: str, levels: list[str]) -> pd.DataFrame:
    """One row (the area ``gid``): per indicator its value, each parent's value, the Kommune's and the difference,
    as columns ``(indicator, wert | <level> | Kommune | abweichung)`` like the report's ``vergleich`` table."""
    from sozialplanung.indicators.reference import reference_value

    values = dp.values().loc[[gid]]
    parts = {}
    for ind in dp.catalogue:
        block = {"wert": values[ind]}
        for level in levels:
            pid = dp.areas.at[gid, level]
            members = dp.areas.index[dp.areas[level] == pid] if isinstance(pid, str) else []
            block[level] = pd.Series([reference_value(dp, ind, members)[0] if len(members) else float("nan")],
                                     index=[gid])
        kommune = reference_value(dp, ind, dp.reference_ids)[0]
        block["Kommune"] = pd.Series([kommune], index=[gid])
        block["abweichung"] = values[ind] - kommune
        parts[ind] = pd.DataFrame(block)
    out = pd.concat(parts, axis=1)
    out.index.name = "gebiet_id"
    return out


def write_rueckmeldung(dp, output_dir: str | Path, results: dict) -> dict[str, Path]:
    """``rueckmeldung/<gebiet_id>/`` for every shown area of a batch unit; returns gebiet_id → folder."""
    if dp.params.unit is None:
        return {}
    from dataclasses import replace

    from sozialplanung.indicators.reference import area_table
    from sozialplanung.publish import export
    from sozialplanung.report import steckbrief, typst_writer
    from sozialplanung.report.page import document

    levels = [p.level for p in dp.params.areas.parents]
    own = {k: v for k, v in results.items() if k != "steckbrief_refs"}  # references of every level, not only the view
    own["vergleichsebenen"] = levels
    root = Path(output_dir) / FOLDER
    table = area_table(dp)
    out = {}
    for gid in sorted(dp.shown_ids):
        folder = root / gid
        folder.mkdir(parents=True, exist_ok=True)
        group = steckbrief.steckbrief(dp, own, gid, level=1)
        # the title is the page footer: with the Gemeinde's name it read „<Gemeinde> … Seite 1“, a case number of
        # that Gemeinde to the leak scan (its heading names it)
        single = document(dp, f"Rückmeldung {dp.params.kommune} {dp.params.report_year}", [group], "steckbrief")
        written = typst_writer.write_pdfs({gid: replace(single, blocks=[group])}, folder)
        for path in written:
            path.replace(folder / "steckbrief.pdf")
        export.write_tables(folder, gemeinde=table.loc[[gid]], vergleich=references(dp, gid, levels))
        export.write_workbooks(folder, dp)
        (folder / "ergebnisse.xlsx").replace(folder / f"{gid}.xlsx")
        (folder / "ergebnisse.gpkg").replace(folder / f"{gid}.gpkg")
        shutil.rmtree(folder / export.TABLES, ignore_errors=True)
        out[gid] = folder
    return out
