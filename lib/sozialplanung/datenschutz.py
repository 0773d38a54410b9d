"""Small-number suppression (primary and secondary) applied when a Datenpaket is loaded."""

from __future__ import annotations

import pandas as pd


def protect(dp) -> None:
    """Apply the Datenschutz rules of ``dp.params`` in place, before any notebook sees a value.

    - ``min_population``: areas with fewer residents are "nicht bewertet" (``dp.not_rated``).
    - ``min_count``: a rate built on a count 0 < n < min_count is withheld (primary suppression).
    """
    rules = dp.params.datenschutz
    pop_col = dp.params.data.population
    for year in dp.years():
        rows = dp.table[dp.table["jahr"] == year].set_index("gebiet_id")
        if pop_col and rules.min_population:
            small = rows[pop_col].astype(float) < rules.min_population
            dp.not_rated[year] = sorted(rows.index[small.fillna(True)])
    index = pd.MultiIndex.from_frame(dp.table[["gebiet_id", "jahr"]])
    mask = pd.DataFrame(False, index=index, columns=list(dp.catalogue))
    for ind in dp.catalogue.values():
        if ind.from_counts:
            limit = ind.min_count if ind.min_count is not None else rules.min_count
            counts = dp.table[ind.numerator].astype(float).to_numpy()
            mask[ind.id] = (counts > 0) & (counts < limit)
    dp.suppressed = mask
    n = int(mask.to_numpy().sum())
    if n:
        dp.protocol.append(f"{n} Werte mit Fallzahlen unter {rules.min_count} wurden geheim gehalten.")
