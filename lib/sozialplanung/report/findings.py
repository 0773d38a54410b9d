"""„Auf einen Blick“: key findings as German sentences, generated from the results by rules.

Each rule is a function ``(dp, results) -> list[Finding]`` in :data:`RULES`; a rule that has
nothing to say (no Sozialindex, a single report area …) returns an empty list. Wording is
careful and non-stigmatising: „niedriger Status“, „Gebiete mit hohem Handlungsbedarf“, and at
least one rule names strengths and resources.

Rules
-----
``status_klassen``     areas per class of the Status-Index (the two classes with most need)
``konzentration``      in which parent area the areas with low status lie
``dynamik``            areas with negative and positive Dynamik
``vergleich``          the Berichtsgebiet against the Bezugsgesamtheit, per Schlüsselindikator
``abweichung``         the largest deviation from the reference per Schlüsselindikator (only with ``rangfolgen``)
``ressourcen``         strengths: areas below the reference in every Schlüsselindikator, resource indicators
``typen``              the typology of the cluster analysis
``zeitreihe``          whether trends can be shown (several Berichtsjahre)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sozialplanung.data import labels
from sozialplanung.formatting import fmt_count, fmt_int, fmt_number, round_half_up
from sozialplanung.indicators.reference import reference_value
from sozialplanung.viz.atlas import outline_level


@dataclass(frozen=True)
class Finding:
    rule: str
    text: str
    kind: str = "befund"  # befund | ressource | hinweis


def _rated_shown(dp, index) -> list[str]:
    skip = set(index.not_rated_) if index is not None else set(dp.not_rated.get(dp.year, []))
    return [g for g in dp.shown_ids if g not in skip]


def _need_classes(index):
    """The (code, label) of the two classes with most need: the last two of the recipe's status classes."""
    classes = index.recipe_.parts()["status"].classification.classes
    return [(c.code, c.label) for c in classes[::-1][:2]]


def status_klassen(dp, results) -> list[Finding]:
    index = results.get("index")
    if index is None:
        return []
    rated = _rated_shown(dp, index)
    status = index.status_.reindex(rated)
    (c1, l1), (c2, l2) = _need_classes(index)
    n1, n2 = int((status == c1).sum()), int((status == c2).sum())
    plural = labels.level_plural(dp.params.areas.level, dative=True)
    if n1 + n2 == 0:
        text = (f"In keinem der {fmt_int(len(rated))} bewerteten {plural} ist der Status „{l1}“ oder „{l2}“.")
    else:
        text = (f"In {fmt_int(n1)} von {fmt_int(len(rated))} bewerteten {plural} ist der Status „{l1}“, "
                f"in {fmt_int(n2)} weiteren „{l2}“.")
    return [Finding("status_klassen", text)]


def konzentration(dp, results) -> list[Finding]:
    index = results.get("index")
    level = outline_level(dp)
    if index is None or level is None:
        return []
    codes = [c for c, _ in _need_classes(index)]
    status = index.status_.reindex(_rated_shown(dp, index))
    low = status.index[status.isin(codes)]
    if len(low) < 2:
        return []
    counts = dp.areas.loc[low, level].value_counts()
    top, n_top = counts.index[0], int(counts.iloc[0])
    if n_top < 2:
        return []
    names = " oder ".join(f"„{lab}“" for _, lab in _need_classes(index)[::-1])
    text = (f"Von den {fmt_int(len(low))} {labels.level_plural(dp.params.areas.level, dative=True)} mit Status "
            f"{names} liegen {fmt_int(n_top)} {labels.in_parent_area(dp, level, top)}.")
    return [Finding("konzentration", text)]


def dynamik(dp, results) -> list[Finding]:
    index = results.get("index")
    if index is None or index.dynamik_ is None:
        return []
    classes = index.recipe_.parts()["dynamik"].classification.classes
    best, worst = classes[0], classes[-1]
    dyn = index.dynamik_.reindex(_rated_shown(dp, index))
    n_worst, n_best = int((dyn == worst.code).sum()), int((dyn == best.code).sum())
    text = (f"Die Dynamik ist in {fmt_count(n_worst, labels.level_name(dp), labels.level_plural(dp.params.areas.level, dative=True))} "
            f"„{worst.label}“ und in {fmt_int(n_best)} „{best.label}“.")
    return [Finding("dynamik", text)]


def _compare_word(a: float, b: float, decimals: int = 1) -> str:
    a, b = round_half_up(a, decimals), round_half_up(b, decimals)
    return "über" if a > b else "unter" if a < b else "gleichauf mit"


def vergleich(dp, results) -> list[Finding]:
    if not labels.is_view(dp):
        return []
    where = labels.in_berichtsgebiet(dp)
    out = []
    for ind_id in dp.key_indicators:
        ind = dp.catalogue[ind_id]
        own, approx = reference_value(dp, ind_id, dp.shown_ids)
        ref, _ = reference_value(dp, ind_id, dp.reference_ids)
        if np.isnan(own) or np.isnan(ref):
            continue
        word = _compare_word(own, ref)
        text = (f"{ind.name}: {where[0].upper() + where[1:]} liegt der Wert mit {labels.value(own, ind.unit, approx=approx)} "
                f"{word} dem Wert {labels.reference_for(dp)} ({labels.value(ref, ind.unit, approx=approx)}).")
        out.append(Finding("vergleich", text))
    return out


def abweichung(dp, results) -> list[Finding]:
    if len(dp.shown_ids) < 2 or not dp.params.rangfolgen:  # names the top of a ranking: only where enabled
        return []
    values = dp.values().loc[_rated_shown(dp, results.get("index"))]
    out = []
    for ind_id in dp.key_indicators:
        ind = dp.catalogue[ind_id]
        col = values[ind_id].dropna()
        if col.empty or ind.polarity == 0:
            continue
        ref, approx = reference_value(dp, ind_id, dp.reference_ids)
        gid = (col.idxmax() if ind.polarity == 1 else col.idxmin())
        diff = col[gid] - ref
        unit = "Prozentpunkte" if ind.unit == "%" else ind.unit
        sign = "+" if diff >= 0 else "\u2212"
        text = (f"Die größte Abweichung bei „{ind.name}“ hat {labels.area(dp, gid)} mit "
                f"{labels.value(col[gid], ind.unit)} ({labels.reference(dp)}: {labels.value(ref, ind.unit, approx=approx)}; "
                f"{sign}{fmt_number(abs(diff), 1)} {unit}).")
        out.append(Finding("abweichung", text))
    return out


def ressourcen(dp, results) -> list[Finding]:
    out = []
    rated = _rated_shown(dp, results.get("index"))
    values = dp.values().loc[rated]
    keys = [i for i in dp.key_indicators if dp.catalogue[i].polarity == 1]
    if keys and rated:
        refs = pd.Series({i: reference_value(dp, i, dp.reference_ids)[0] for i in keys})
        below = (values[keys] < refs).all(axis=1) & values[keys].notna().all(axis=1)
        names = ", ".join(dp.catalogue[i].name for i in keys)
        out.append(Finding("ressourcen", f"In {fmt_int(int(below.sum()))} von {fmt_int(len(rated))} bewerteten "
                           f"{labels.level_plural(dp.params.areas.level, dative=True)} liegen alle Schlüsselindikatoren "
                           f"({names}) unter dem Wert {labels.reference_for(dp)}.", "ressource"))
    index = results.get("index")
    if index is not None:
        best = index.recipe_.parts()["status"].classification.classes[0]
        n = int((index.status_.reindex(rated) == best.code).sum())
        out.append(Finding("ressourcen", f"{fmt_count(n, labels.level_name(dp), labels.level_plural(dp.params.areas.level))} "
                           f"{'hat' if n == 1 else 'haben'} einen Status „{best.label}“.", "ressource"))
    for ind_id, ind in dp.catalogue.items():
        if ind.polarity != -1:
            continue
        col = values[ind_id].dropna()
        ref, approx = reference_value(dp, ind_id, dp.reference_ids)
        if col.empty or np.isnan(ref):
            continue
        n_above = int((col > ref).sum())
        gid = col.idxmax()
        top = f", am höchsten in {labels.area(dp, gid)} ({labels.value(col[gid], ind.unit)})" if dp.params.rangfolgen else ""
        out.append(Finding("ressourcen", f"Ressource „{ind.name}“: In {fmt_int(n_above)} {labels.level_plural(dp.params.areas.level, dative=True)} "
                           f"liegt der Wert über dem {labels.reference_for(dp)} ({labels.value(ref, ind.unit, approx=approx)}){top}.",
                           "ressource"))
    return out


def typen(dp, results) -> list[Finding]:
    typ = results.get("typology")
    if typ is None:
        return []
    shown = typ.labels_.reindex(dp.shown_ids).dropna().astype(int)
    if shown.empty:
        return []
    counts = shown.value_counts()
    parts = [f"{fmt_int(int(counts[k]))} × {typ.title(k, brackets=True)}" for k in typ.names_ if k in counts.index]
    return [Finding("typen", "Gebietstypen der Clusteranalyse: " + "; ".join(parts) + ".")]


def zeitreihe(dp, results) -> list[Finding]:
    years = dp.years()
    if len(years) > 1:
        return [Finding("zeitreihe", f"Zeitreihe: {len(years)} Berichtsjahre ({years[0]}–{years[-1]}); die "
                        "Steckbriefe zeigen den Verlauf der Schlüsselindikatoren.", "hinweis")]
    return [Finding("zeitreihe", f"Zeitreihe: nur ein Berichtsjahr vorhanden ({years[0]}); Veränderungen "
                    "beschreibt der Dynamik-Index, soweit vorhanden.", "hinweis")]


RULES = {"status_klassen": status_klassen, "konzentration": konzentration, "dynamik": dynamik,
         "vergleich": vergleich, "abweichung": abweichung, "ressourcen": ressourcen, "typen": typen,
         "zeitreihe": zeitreihe}


def compute_findings(dp, results: dict | None = None) -> list[Finding]:
    """Every rule's findings, in the order of :data:`RULES`."""
    results = results or {}
    return [f for rule in RULES.values() for f in rule(dp, results)]
