"""Small-number suppression (Geheimhaltung), primary and secondary, applied when a Datenpaket is loaded.

The rules, applied by :func:`protect` before any notebook sees a value:

1. **Nicht bewertet** (``params.datenschutz.min_population``): areas with fewer residents (or without a
   resident count) are listed in ``dp.not_rated[year]``. They publish no indicator value at all – only
   id, name and residents (as in the MSS): every cell of theirs (each count column, each indicator) is
   withheld, shown as ``x`` instead of ``.``; indices, classes and analyses leave them out.
2. **Primary suppression** (``min_count``, per Kommune; an indicator may raise or lower it with its own
   ``min_count`` in the catalogue): a count ``0 < n < min_count`` in a numerator column is withheld,
   and so is every rate built on it (as numerator, or as denominator when the column is a protected
   count). Zero is not withheld: "nothing there" discloses nothing about a person.
3. **Secondary suppression**: reports publish totals – the reference value of every parent area
   (e.g. each Verbandsgemeinde) and of the Kommune over the Bezugsgesamtheit, computed from *all*
   counts, the withheld ones (and those of areas not assessed) included. Without further suppression
   a withheld count could be recomputed as ``total − published parts``. Per count column and year:
   a withheld cell :math:`x_i` is *determined* iff every vector of the null space of the group–cell
   incidence matrix restricted to the withheld cells has a zero in position *i*. For **nested**
   totals (parent levels, and the Kommune over all areas) this is decided bottom-up and exactly
   (:mod:`sozialplanung.data.secondary`): a total minus its published sub-totals is the sum of its
   own members, so a cell is determined iff it is the only withheld own member of its smallest
   total; such a total gets a second withheld cell, its smallest non-zero published count (ties by
   id; zeros only if no non-zero one is left). Linear in the number of areas (all 10.990 Gemeinden
   in seconds); the null-space check verifies the result where it is affordable
   (:data:`VERIFY_BUDGET`). Totals that are not nested (a Bezugsgesamtheit across parent areas) use
   the greedy: while some withheld cell is determined, withhold in the smallest group containing it
   the smallest non-zero published count whose suppression makes the cell undetermined (ties by
   id), until stable. Both protect against exact recomputation, not against interval bounds (an
   attacker still knows that counts are non-negative); cf. Hundepool et al. (2012), *Statistical
   Disclosure Control*, ch. 4.3 (secondary cell suppression, hierarchical tables). A total that consists of one withheld cell alone (a parent
   area with a single member) cannot be protected: logged as „nicht schützbar“; the leak scan
   (:mod:`sozialplanung.publish.leaks`) then stops the report and says what to do.

   **Rate-based indicators** (catalogue ``rate:`` + ``weight:``) need no secondary suppression: their
   reference value is the weighted mean ``Σ w·r / Σ w`` of the *published* rates only
   (:func:`sozialplanung.indicators.reference.reference_value` reads ``dp.values()``, where every withheld rate –
   including each one of an area not assessed – is NaN; the tables say "≈ … Mittel der
   veröffentlichten Quoten"). No published total contains a withheld ``w·r``, so no total minus its
   parts reveals one. ``w·r`` would behave like a count if a total did include it (:func:`cell_values`);
   the leak scan checks exactly that case (recomputation over ``w·r`` whenever the published
   reference differs from the mean of the published rates) and would stop the report.

The ``intern`` edition (``params.edition: intern``) shows every count; only rule 1 applies.

Results on the Datenpaket: ``dp.suppressed`` (indicator mask, both reasons), ``dp.suppressed_counts``
(count-column mask), ``dp.suppression_log`` (one row per withheld cell: ``gebiet_id, jahr, spalte, art,
grund``; ``spalte`` is a count column or the id of a rate-based indicator; internal – whether a cell is
primary or secondary must not be published) and :func:`describe_suppression` for the Methodenanhang.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from sozialplanung.data import secondary
from sozialplanung.data.secondary import determined_cells  # noqa: F401 - public here before
from sozialplanung.formatting import fmt_int

PRIMARY = "primär"
SECONDARY = "sekundär"
UNPROTECTED = "nicht schützbar"
NOT_ASSESSED = "nicht bewertet"
LOG_COLUMNS = ["gebiet_id", "jahr", "spalte", "art", "grund"]


@dataclass(frozen=True)
class Group:
    """A published total: a parent area (or the Kommune) and the areas summed into it."""

    level: str
    id: str
    label: str
    members: tuple[str, ...]


def protect(dp) -> None:
    """Apply the Datenschutz rules of ``dp.params`` in place, before any notebook sees a value.

    Sets ``dp.not_rated``, ``dp.suppressed``, ``dp.suppressed_counts`` and ``dp.suppression_log``
    and adds one sentence per rule to ``dp.protocol``.
    """
    rules = dp.params.datenschutz
    _mark_not_rated(dp, rules.min_population)
    index = pd.MultiIndex.from_frame(dp.table[["gebiet_id", "jahr"]])
    small = pd.Series([gid in dp.not_rated.get(int(year), ()) for gid, year in index], index=index)
    public = dp.params.edition != "intern"
    groups = published_groups(dp) if public and rules.secondary else []
    limits = count_limits(dp)
    cells = cell_values(dp)
    masks = pd.DataFrame(False, index=index, columns=list(cells))
    log: list[dict] = []
    for col, values in cells.items():
        for gid, year in index[small & values.notna()]:
            log.append(_entry(gid, year, col, NOT_ASSESSED, f"nicht bewertet: weniger als {rules.min_population} Einwohner/innen"))
        masks[col] = small
        if col in limits and public:
            primary = (values > 0) & (values < limits[col]) & ~small
            for gid, year in primary.index[primary]:
                log.append(_entry(gid, year, col, PRIMARY, f"primär: Fallzahl < {limits[col]}"))
            masks[col] |= primary
        if groups and col in limits:  # rate-based: no total contains a withheld rate (module docstring)
            for year in dp.years():
                _secondary(dp, groups, values.xs(year, level="jahr"), masks, col, year, log)
    dp.suppressed_counts = masks[list(limits)]
    dp.suppressed = _indicator_mask(dp, masks, index)
    dp.suppression_log = pd.DataFrame(log, columns=LOG_COLUMNS)
    dp.protocol.extend(_protocol(dp))


def cell_values(dp) -> dict[str, pd.Series]:
    """The values a total adds up, per protected column, indexed (``gebiet_id``, ``jahr``).

    - every count column of :func:`count_limits` (numerators): the count itself;
    - every rate-based indicator (catalogue ``rate:``), keyed by its id: ``weight · rate``, since its
      reference value is the weighted mean ``Σ weight·rate / Σ weight`` and the weights (residents)
      are published – ``weight·rate`` behaves like a count. Without ``weight`` the weight is 1. NaN
      where the rate or the weight is missing (or the weight is not positive): such cells take no
      part in a reference value.
    """
    table = dp.table.set_index(["gebiet_id", "jahr"])
    out = {col: table[col].astype(float) for col in count_limits(dp)}
    for ind in dp.catalogue.values():
        if not ind.from_counts:
            weight = table[ind.weight].astype(float) if ind.weight else pd.Series(1.0, index=table.index)
            out[ind.id] = table[ind.rate].astype(float) * weight.where(weight > 0)
    return out


def count_limits(dp) -> dict[str, int]:
    """Protected count columns and their threshold: every numerator column of a count-based indicator.

    A column used as numerator by several indicators gets the largest of their ``min_count``.
    """
    default = dp.params.datenschutz.min_count
    limits: dict[str, int] = {}
    for ind in dp.catalogue.values():
        if ind.from_counts:
            limit = ind.min_count if ind.min_count is not None else default
            limits[ind.numerator] = max(limit, limits.get(ind.numerator, 0))
    return limits


def published_groups(dp) -> list[Group]:
    """Every total a report of this Kommune publishes: each area of each parent level and the Kommune.

    All parent areas are included, not only those of the Berichtsgebiet, so that the reports of one
    Kommune (e.g. one per Bezirk) are protected together. Groups with identical members are kept once.
    """
    groups, seen = [], set()
    for parent in dp.params.areas.parents:
        names = dp.parents.get(parent.level)
        names = {} if names is None else names["name"].to_dict()
        by_parent = dp.areas.index.to_series().groupby(dp.areas[parent.level].to_numpy(), sort=True)
        for pid, ids in by_parent:
            members = tuple(sorted(ids))
            name = names.get(pid, pid)
            if members not in seen:
                seen.add(members)
                groups.append(Group(parent.level, str(pid), f"{parent.level} {name}", members))
    members = tuple(sorted(dp.reference_ids))
    if members not in seen:
        groups.append(Group("Kommune", "", dp.params.bezugsname or dp.params.kommune, members))
    return groups


def _secondary(dp, groups: list[Group], values: pd.Series, masks: pd.DataFrame, col: str, year: int,
               log: list[dict]) -> None:
    """Secondary suppression of one protected column in one year (module docstring): bottom-up for
    nested totals (:mod:`sozialplanung.data.secondary`), else the recomputation greedy."""
    values = values.reindex(dp.areas.index)
    known = values.notna().to_numpy()
    cells = list(values.index[known])
    pos = {gid: i for i, gid in enumerate(cells)}
    vals = values.to_numpy(dtype=float)[known]
    members = [np.array([pos[m] for m in group.members if m in pos], dtype=int) for group in groups]
    key = pd.MultiIndex.from_arrays([cells, [year] * len(cells)])
    hidden = masks[col].reindex(key).fillna(False).to_numpy().astype(bool)
    home = secondary.homes(members, len(cells))
    if home is None:
        with threadpool_limits(limits=1):  # small matrices: threads only cost (100× on a busy machine)
            added, unprotected = secondary.greedy(members, hidden, vals, cells)
    else:
        added, unprotected = secondary.protect_nested(home, hidden, vals, cells)
        _verify(members, hidden, unprotected, cells, col, year)
    for y, g, x in added:
        log.append(_entry(cells[y], year, col, SECONDARY, f"sekundär: Schutz von {cells[x]} in {groups[g].label}"))
    for x in unprotected:
        log.append(_entry(cells[x], year, col, UNPROTECTED,
                          "nicht schützbar: eine veröffentlichte Summe besteht nur aus diesem Wert "
                          "(und veröffentlichten Teilsummen)"))
    if added:
        masks.loc[pd.MultiIndex.from_arrays([[cells[y] for y, _, _ in added], [year] * len(added)]), col] = True


VERIFY_BUDGET = 2e10
"""Largest ``totals × withheld²`` for which the bottom-up result is checked again with the null space
(the recomputation check); about 10 s on one core. Bitburg-Prüm: 3·10⁵; a Land of Gemeinden: ~10⁹."""


def _verify(members, hidden, unprotected, cells, col, year) -> None:
    """The recomputation check over all totals at once, where affordable: no withheld cell but the
    unprotectable ones may be determined (else a bug – never publish)."""
    rows = sum(1 for m in members if hidden[m].any())
    if rows * int(hidden.sum()) ** 2 > VERIFY_BUDGET:
        return
    with threadpool_limits(limits=1):
        found = secondary.determined_cells(secondary.incidence_matrix(members, len(hidden)), hidden)
    wrong = sorted(set(np.flatnonzero(found)) - set(unprotected))
    if wrong:
        raise AssertionError(f"Sekundäre Geheimhaltung: {cells[wrong[0]]} ({col}, {year}) bleibt rückrechenbar.")


def _indicator_mask(dp, masks: pd.DataFrame, index: pd.MultiIndex) -> pd.DataFrame:
    """Indicator × cell: withheld if its rate cell, its numerator or a protected denominator is."""
    mask = pd.DataFrame(False, index=index, columns=list(dp.catalogue))
    for ind in dp.catalogue.values():
        for col in (ind.numerator, ind.denominator) if ind.from_counts else (ind.id,):
            if col in masks.columns:
                mask[ind.id] |= masks[col].to_numpy()
    return mask


def _mark_not_rated(dp, min_population: int) -> None:
    """Areas below ``min_population`` or without a resident count (also: without a data row)."""
    pop_col = dp.params.data.population
    for year in dp.years():
        rows = dp.table[dp.table["jahr"] == year].set_index("gebiet_id").reindex(dp.areas.index)
        if pop_col and min_population:
            dp.not_rated[year] = sorted(rows.index[~(rows[pop_col].astype(float) >= min_population)])
        else:
            dp.not_rated[year] = []


def _entry(gid, year, col, kind, reason) -> dict:
    return {"gebiet_id": str(gid), "jahr": int(year), "spalte": col, "art": kind, "grund": reason}


def _protocol(dp) -> list[str]:
    log = dp.suppression_log
    out = []
    n_small = len({g for year in dp.years() for g in dp.not_rated.get(year, [])})
    if n_small:
        out.append(f"{n_small} Gebiete unter {dp.params.datenschutz.min_population} Einwohner/innen werden nicht "
                   "bewertet: keiner ihrer Indikatorwerte wird veröffentlicht (alle Jahre).")
    if not log.empty and (log["art"] != NOT_ASSESSED).any():
        n_prim = int((log["art"] == PRIMARY).sum())
        n_sec = int((log["art"] == SECONDARY).sum())
        out.append(f"{n_prim} Fallzahlen unter der Geheimhaltungsgrenze und {n_sec} weitere Werte zu ihrem Schutz "
                   "(sekundäre Geheimhaltung) wurden geheim gehalten (alle Jahre).")
    return out


def _werte(n: int) -> str:
    return f"{n} Wert" if n == 1 else f"{n} Werte"


def describe_suppression(dp, year: int | None = None) -> list[str]:
    """German sentences for the Methodenanhang: what was withheld, why, and by which method.

    Only numbers of withheld cells are given, never which cell was withheld for which reason (that
    would tell a reader which withheld counts are below the threshold).

    Examples
    --------
    >>> from sozialplanung.config.params import find_params
    >>> from sozialplanung.data.datenpaket import load_datenpaket
    >>> dp = load_datenpaket(find_params("eifelkreis/bitburg-pruem.yaml"))
    >>> describe_suppression(dp)[0][:40]
    'Primäre Geheimhaltung: Fallzahlen von 1 '
    """
    year = dp.year if year is None else year
    rules = dp.params.datenschutz
    limits = count_limits(dp)
    rates = [i.id for i in dp.catalogue.values() if not i.from_counts]
    out = []
    if rules.min_population:
        n = len(dp.not_rated.get(year, []))
        out.append(f"Gebiete mit weniger als {fmt_int(rules.min_population)} Einwohner/innen werden nicht bewertet "
                   f"(Zeichen „x“): von ihnen werden nur Nummer, Name und Einwohnerzahl veröffentlicht, kein "
                   f"Indikatorwert; {year} betrifft das {n} Gebiete.")
    if dp.params.edition == "intern":
        out.append("Interne Ausgabe: kleine Fallzahlen werden nicht geheim gehalten. Diese Fassung ist nur "
                   "für den Dienstgebrauch bestimmt und darf nicht veröffentlicht werden.")
        return out
    if not limits:
        out.append("Alle Indikatoren liegen als veröffentlichte Quoten ohne Fallzahlen vor; eine "
                   "Fallzahlgrenze wird daher nicht angewandt.")
    log = getattr(dp, "suppression_log", pd.DataFrame(columns=LOG_COLUMNS))
    log = log[log["jahr"] == year]
    out += _count_sentences(dp, log, limits, year)
    if rates and rules.min_population:
        out.append("Bezugswerte aus veröffentlichten Quoten sind gewichtete Mittel nur der veröffentlichten Quoten: "
                   "nicht bewertete Gebiete gehen nicht ein und lassen sich daher nicht zurückrechnen.")
    if rules.secondary and limits:
        out += _secondary_method(dp, log)
    elif not rules.secondary:
        out.append("Sekundäre Geheimhaltung ist ausgeschaltet (datenschutz.secondary: false): geheim "
                   "gehaltene Werte können sich aus veröffentlichten Summen zurückrechnen lassen.")
    out.append("Geheim gehaltene Werte sind mit „.“ gekennzeichnet; ob ein Wert wegen einer kleinen Fallzahl "
               "oder zu deren Schutz geheim gehalten wurde, wird nicht ausgewiesen.")
    return out


def _count_sentences(dp, log: pd.DataFrame, limits: dict, year: int) -> list[str]:
    """Per count column: the primary rule with how many cells it withheld, and the secondary count."""
    out, n_areas = [], len(dp.areas)
    for col, limit in limits.items():
        names = ", ".join(f"„{i.name}“" for i in dp.catalogue.values() if i.from_counts and i.numerator == col)
        prim = int(((log["spalte"] == col) & (log["art"] == PRIMARY)).sum())
        sec = int(((log["spalte"] == col) & (log["art"] == SECONDARY)).sum())
        out.append(f"Primäre Geheimhaltung: Fallzahlen von 1 bis {limit - 1} (Spalte „{col}“) werden geheim "
                   f"gehalten, ebenso die daraus berechneten Quoten ({names}); {year} betrifft das {prim} "
                   f"von {n_areas} Gebieten.")
        if dp.params.datenschutz.secondary:
            extra = (f"werden {year} zusätzlich {_werte(sec)} der Spalte „{col}“ geheim gehalten" if sec else
                     f"musste {year} kein weiterer Wert der Spalte „{col}“ geheim gehalten werden")
            out.append(f"Sekundäre Geheimhaltung: Damit sich kein geheim gehaltener Wert als Differenz aus "
                       f"veröffentlichten Summen und den übrigen Werten zurückrechnen lässt, {extra}.")
    return out


def _secondary_method(dp, log: pd.DataFrame) -> list[str]:
    """The protected sums and the method of the secondary suppression, and a warning for unprotectable cells."""
    levels = [p.level for p in dp.params.areas.parents]
    whole = f"die Bezugsgesamtheit ({dp.params.bezugsname or dp.params.kommune})"
    protected = f"die Summen jeder Einheit der Ebenen {', '.join(levels)} und {whole}" if levels else whole
    out = [f"Geschützte Summen: {protected}. Verfahren: Eine Summe abzüglich ihrer veröffentlichten "
           "Teilsummen ist die Summe ihrer übrigen Teile; ist darunter genau ein geheim gehaltener "
           "Wert, wird dort die kleinste von null verschiedene Fallzahl zusätzlich geheim gehalten – "
           "von den kleinsten Summen aufwärts, bis sich kein Wert mehr aus allen veröffentlichten "
           "Summen zugleich exakt berechnen lässt (geprüft mit linearer Algebra). Geschützt wird gegen "
           "exakte Rückrechnung, nicht gegen Eingrenzung auf ein Intervall."]
    unprotected = log[log["art"] == UNPROTECTED]
    if not unprotected.empty:
        out.append(f"Achtung: {_werte(len(unprotected))} lassen sich nicht durch weitere Zellen schützen "
                   "(etwa wenn eine übergeordnete Summe nur aus ihnen besteht); diese Summen sind geheim zu "
                   "halten.")
    return out
