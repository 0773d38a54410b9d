"""Chapter „Sozialindex im Vergleich“: the report's index beside further recipes and published scores.

The comparisons are those of ``vergleichsrezepte`` in the params (e.g. the RKI's GISD method and its published
Kreis scores), fitted in :mod:`sozialplanung.analysis.vergleichsrezepte`: Spearman's rank correlation and the
agreement of quintiles, for every pair. The deviations of a recipe from the published method are in the
Methodenanhang (:func:`sozialplanung.report.methoden.describe_vergleichsrezepte`).
"""

from __future__ import annotations

import pandas as pd

from sozialplanung.formatting import fmt_int, fmt_number, fmt_percent
from sozialplanung.report import tables
from sozialplanung.report.model import para

__all__ = ["agreement_table", "section_vergleichsrezepte"]


def _label(vergleich, index, name: str) -> str:
    if name == index.recipe_.name:
        return f"eigener Index („{name}“)"
    if name in vergleich.indices:
        return f"Rezept „{name}“"
    return name


def agreement_table(vergleich, index):
    rows = pd.DataFrame({
        "Vergleich": [f"{_label(vergleich, index, a)} – {_label(vergleich, index, b)}"
                      for a, b in zip(vergleich.agreement["a"], vergleich.agreement["b"])],
        "Kreise": vergleich.agreement["n"].to_numpy(),
        "Spearman ρ": vergleich.agreement["spearman"].to_numpy(),
        "gleiches Quintil": [fmt_percent(100 * x, 1) for x in vergleich.agreement["gleiche_klasse"]],
        "höchstens ein Quintil auseinander": [fmt_percent(100 * x, 1) for x in vergleich.agreement["hoechstens_eine"]],
    }).set_index("Vergleich")
    return tables.frame_table(
        rows, caption="Übereinstimmung der Indizes: Rangkorrelation und Quintile",
        formats={"Kreise": "int", "Spearman ρ": ("number", 3), "gleiches Quintil": "text",
                 "höchstens ein Quintil auseinander": "text"},
        note="Quintile je Score über die Gebiete mit beiden Werten (nach Rang, je ein Fünftel).")


def section_vergleichsrezepte(dp, results) -> list:
    vergleich, index = results["vergleich"], results["index"]
    n = len(vergleich.indices)
    what = "ist 1 weiteres Verfahren" if n == 1 else f"sind {fmt_int(n)} weitere Verfahren"
    out = [para(f"Neben dem eigenen Index („{index.recipe_.name}“) {what} über dieselben Gebiete gerechnet; "
                "Scores und Klassen stehen in "
                "„tabellen/sozialindex.csv“ (Spalten " + ", ".join(f"{n}_score, {n}_klasse" for n in vergleich.indices)
                + "). Verglichen wird die Rangfolge: die Rangkorrelation nach Spearman (1 = gleiche Reihenfolge) und "
                "der Anteil der Gebiete, die in beiden Indizes im gleichen Fünftel (Quintil) liegen.")]
    for name, fitted in vergleich.indices.items():
        out.append(para(f"Rezept „{name}“: {fitted.recipe_.title}."))
    if len(vergleich.agreement):
        out.append(agreement_table(vergleich, index))
        best = vergleich.agreement.iloc[vergleich.agreement["spearman"].to_numpy().argmax()]
        out.append(para(f"Am engsten stimmen {_label(vergleich, index, best['a'])} und "
                        f"{_label(vergleich, index, best['b'])} überein (ρ = {fmt_number(best['spearman'], 2)}). "
                        "Wo ein Rezept ein veröffentlichtes Verfahren nachbildet, nennt der Methodenanhang die "
                        "Schritte, die mit den vorhandenen Daten nicht möglich sind."))
    return out
