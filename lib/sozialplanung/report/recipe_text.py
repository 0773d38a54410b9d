"""German sentences describing a fitted Sozialindex, step by step (for the Methodenanhang and notebook 03).

Every sentence is generated from the recipe and the fitted :class:`~sozialplanung.analysis.sozialindex.SozialIndex`:
change a cut-off in the recipe and the text changes with it.
"""

from __future__ import annotations

import pandas as pd

from sozialplanung.analysis.classify import Classification
from sozialplanung.formatting import fmt_count, fmt_number, fmt_plain

__all__ = ["describe_index", "describe_part", "describe_standardization", "describe_weights"]


def _areas(n: int) -> str:
    return fmt_count(n, "Gebiet", "Gebiete")


def describe_index(index) -> list[str]:
    """German sentences describing every step the fitted ``index`` actually used."""
    index.check_fitted()
    r = index.recipe_
    out = [f"Index nach dem Rezept „{r.name}“: {r.title}." + (f" Quelle: {r.source.strip()}" if r.source else "")]
    n_rated = index.n_areas_ - len(index.not_rated_)
    year = f" für das Berichtsjahr {index.year_}" if index.year_ is not None else ""
    out.append(f"Bewertet wurden{year} {n_rated} von {index.n_areas_} Gebieten; nur diese bilden die "
               "Bezugsgesamtheit für jede Standardisierung.")
    if r.min_population is not None:
        n = int(index.not_rated_reasons_.str.startswith(("weniger", "Einwohnerzahl")).sum())
        out.append(f"Gebiete mit weniger als {fmt_plain(r.min_population)} Einwohnerinnen und Einwohnern werden nicht "
                   f"bewertet, ebenso Gebiete ohne Einwohnerzahl ({_areas(n)}).")
    n_datenschutz = int(index.not_rated_reasons_.str.startswith("Datenschutz").sum())
    if n_datenschutz:
        out.append(f"{_areas(n_datenschutz)} {'wird' if n_datenschutz == 1 else 'werden'} aus Datenschutzgründen "
                   "nicht bewertet (zu wenige Einwohner/innen, siehe Datenschutz).")
    n_missing = int((index.not_rated_reasons_ == "fehlender Indikatorwert").sum())
    if n_missing:
        out.append(f"{_areas(n_missing)} mit fehlendem Indikatorwert {'wird' if n_missing == 1 else 'werden'} nicht bewertet.")
    excluded = index.not_rated_reasons_[index.not_rated_reasons_.str.startswith("ausgeschlossen")]
    if len(excluded):
        out.append("Ausdrücklich ausgeschlossen: " + "; ".join(f"{g} ({t.split(': ', 1)[1]})" for g, t in excluded.items()) + ".")
    for name, part in r.parts().items():
        out.extend(describe_part(part, part.indicators_for(index.year_), getattr(index, "weights_", {}).get(name)))
    if r.dynamik is not None:
        out.append("Kombinierte Kennzahl Status/Dynamik: Code = 10 × Statusklasse + Dynamikklasse "
                   "(wie SDI_N im Berliner MSS), Text „Status/Dynamik“.")
    return out


def describe_standardization(spec, what: str, again: bool = False) -> str:
    """One sentence on a standardisation step (``spec``: a recipe's ``StandardizationSpec``)."""
    if spec.method == "zscore":
        div = "n" if spec.ddof == 0 else f"n − {spec.ddof}"
        w = "mit den Einwohnerzahlen gewichtet" if spec.population_weights else "ungewichtet"
        return (f"{what} wurde {'erneut ' if again else ''}z-standardisiert: z = (x − Mittelwert) / Standardabweichung, Standardabweichung mit "
                f"ddof = {spec.ddof} (Division durch {div}), {w}.")
    text = {"rank": "in Perzentilränge R = Rang / n (0 < R ≤ 1) umgerechnet",
            "minmax": "auf den Bereich 0 bis 1 skaliert: (x − Minimum) / (Maximum − Minimum)",
            "imd_exp": "mit der exponentiellen Transformation der English Indices of Deprivation umgerechnet: "
                       "X = −23 · ln(1 − R · (1 − exp(−100/23))), R = Perzentilrang"}[spec.method]
    return f"{what} wurde {'erneut ' if again else ''}{text}."


def describe_weights(part, specs, weights: pd.DataFrame | None = None) -> list[str]:
    """Sentences on the weights: the recipe's fixed weights, or (``weighting: pca``) the weights the fitted
    index took from the first principal component of each dimension (``weights``: ``SozialIndex.weights_[part]``)."""
    if part.weighting.method == "fixed":
        if len({i.weight for i in specs}) == 1:
            return ["Alle Indikatoren gehen mit gleichem Gewicht ein."]
        return ["Gewichte: " + ", ".join(f"{i.id} {fmt_plain(i.weight)}" for i in specs) + "."]
    out = ["Gewichte aus einer Hauptkomponentenanalyse (wie beim GISD des RKI): je Teildimension die Koeffizienten "
           "der ersten Hauptkomponente der Korrelationsmatrix der standardisierten Indikatoren, so orientiert, dass "
           "die Ladungen zusammen positiv sind."]
    if weights is not None:
        for dim, rows in weights.groupby("dimension", sort=False):
            items = ", ".join(f"{gid} {fmt_number(row.weight, 3)} (Ladung {fmt_number(row.loading, 2)})"
                              for gid, row in rows.iterrows())
            out.append(f"{dim or 'Alle Indikatoren'}: {items}.")
    if part.weighting.dimension_scaling == "minmax":
        out.append("Jeder Teilscore wurde auf den Bereich 0 bis 1 normiert (die Gewichte oben sind durch die "
                   "Spannweite des Teilscores geteilt), so dass jede Teildimension gleich zählt.")
    return out


def describe_part(part, specs, weights: pd.DataFrame | None = None) -> list[str]:
    """Sentences on one part of a recipe (``PartSpec``) with the indicators ``specs`` of the report year
    (``weights``: the fitted index's weights of this part, needed to state principal-component weights)."""
    names = ", ".join(f"{i.id} ({i.label})" if i.label else i.id for i in specs)
    out = [f"{part.label}: Indikatoren {names}. Ein höherer Wert bedeutet eine stärkere Benachteiligung."]
    flipped = [i.id for i in specs if i.polarity == -1]
    if flipped:
        out.append(f"Umgekehrt gepolt (mit −1 multipliziert, weil ein höherer Wert geringere Benachteiligung bedeutet): "
                   f"{', '.join(flipped)}.")
    out.append(describe_standardization(part.standardization, "Jeder Indikator"))
    out.extend(describe_weights(part, specs, weights))
    equal = part.weighting.method == "fixed" and len({i.weight for i in specs}) == 1
    how = "summiert" if part.aggregation == "sum" else "gemittelt"
    out.append(f"Die standardisierten Werte wurden je Gebiet {'' if equal else 'gewichtet '}{how}.")
    if part.restandardization is not None:
        out.append(describe_standardization(part.restandardization, "Das Ergebnis", again=True))
    cl = part.classification
    rule = {"sd_cutoffs": "feste Grenzen auf dem standardisierten Wert", "quantiles": f"{cl.k} gleich große Gruppen (Quantile)",
            "natural_breaks": f"{cl.k} natürliche Klassen (Fisher-Jenks)", "equal_interval": f"{cl.k} gleich breite Klassen",
            "mapclassify": f"mapclassify-Verfahren {cl.scheme} mit {cl.k} Klassen"}[cl.rule]
    if cl.rule == "sd_cutoffs":
        iv = Classification(pd.Series(dtype="Int64"), tuple(cl.cutoffs), tuple(cl.belongs_to)).intervals()
        rule += ": " + "; ".join(f"{c.code} {c.label} {t}" for c, t in zip(cl.classes, iv))
    else:
        rule += "; Klassen " + ", ".join(f"{c.code} {c.label}" for c in cl.classes) + " (Klasse 1 = niedrigste Werte)"
    out.append(f"Klassenbildung: {rule}.")
    return out
