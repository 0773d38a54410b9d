"""Published totals of parent levels and of the Kommune (``data.totals``): cross-check or replace.

The total rows of the data table (:func:`sozialplanung.data.inputs.split_totals`) are kept out of the
areas. :func:`published` computes each indicator from them as the report would from the areas
(numerator / denominator · factor, or the published rate; :mod:`sozialplanung.indicators.published`);
:func:`cross_check` compares that with the reference value computed from the areas and reports both
numbers in the findings of ``validate`` (published figures, so the detail may show them). With
``use: ersetzen`` the report takes the published values: :func:`sozialplanung.indicators.reference.reference_value`
returns them for the areas of each unit with a total row (every table, text and chart), and the
findings say so; without it (``use: pruefen``, the default) they are only compared.
"""

from __future__ import annotations

import numpy as np

from sozialplanung.formatting import fmt_number, round_half_up
from sozialplanung.indicators.published import match_id, members, published, replaced
from sozialplanung.indicators.reference import computed_value

__all__ = ["cross_check", "match_id", "published", "replaced"]


def cross_check(dp, add) -> None:
    """Published totals against the values computed from the areas (one row per level)."""
    spec = dp.params.data.totals
    if spec is None:
        return
    table = published(dp)
    for level in spec.levels():
        rows = table[table["ebene"] == level]
        unknown = rows[rows["id"].isna()]
        differ, n = [], 0
        for row in rows[rows["id"].notna()].itertuples(index=False):
            ids = members(dp, level, row.id)
            for ind in dp.catalogue.values():
                own, computed = getattr(row, ind.id), computed_value(dp, ind.id, ids)[0]
                if np.isnan(own) or np.isnan(computed):
                    continue
                n += 1
                if round_half_up(own, ind.decimals) != round_half_up(computed, ind.decimals):
                    differ.append(f"{ind.id} {row.angabe}: veröffentlicht {fmt_number(own, ind.decimals)}, "
                                  f"aus den Gebieten {fmt_number(computed, ind.decimals)}")
        use = "der Bericht zeigt die veröffentlichten Werte" if replaced(dp) else \
            "der Bericht zeigt die aus den Gebieten berechneten Werte"
        detail = (f"{len(differ)} von {n} Werten weichen ab: {'; '.join(differ[:4])}"
                  + (f" … ({len(differ)} insgesamt)" if len(differ) > 4 else "") if differ
                  else f"{n} Werte stimmen überein (gerundet)") + f"; {use}"
        if len(unknown):
            detail += (f". {len(unknown)} Summenzeile(n) passen zu keiner Einheit der Ebene {level} (weder Kennung "
                       f"noch Name), z. B. „{unknown['angabe'].iloc[0]}“")
        severity = "Warnung" if len(unknown) or (differ and not replaced(dp)) else "Hinweis" if differ else "ok"
        add(f"Summenzeilen {level}: veröffentlicht = berechnet", severity, detail, dp.params.data.file,
            spec.column or dp.params.data.id, list(rows["zeile"]))
