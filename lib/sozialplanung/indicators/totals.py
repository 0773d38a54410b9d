"""Published totals of parent levels and of the Kommune (``data.totals``): cross-check or replace.

The total rows of the data table (:func:`sozialplanung.data.inputs.split_totals`) are kept out of the
areas. :func:`published` computes each indicator from them as the report would from the areas
(numerator / denominator · factor, or the published rate); :func:`cross_check` compares that with
the reference value computed from the areas and reports both numbers in :func:`sozialplanung.data.checks.findings`
(published figures, so the detail may show them). With ``use: ersetzen`` the report takes the
published values (:func:`replaced`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialplanung.formatting import fmt_number, round_half_up


def _rows(dp) -> pd.DataFrame:
    return getattr(dp, "totals", None) if getattr(dp, "totals", None) is not None else pd.DataFrame()


def match_id(dp, level: str, given: str) -> str | None:
    """The id of the unit of ``level`` a total row names (by id or by name); ``""`` for the Kommune."""
    if level == "Kommune":
        return ""
    if given in set(dp.areas[level]):
        return given
    layer = dp.parents.get(level)
    if layer is not None and "name" in layer.columns:
        hit = layer.index[layer["name"].astype(str) == given]
        if len(hit) == 1:
            return str(hit[0])
    return None


def published(dp, year: int | None = None) -> pd.DataFrame:
    """Indicator values of the total rows of ``year``: columns ``ebene``, ``id`` (None: no such unit),
    ``angabe`` (the id or name as in the table), ``zeile`` and one column per indicator."""
    year = dp.year if year is None else year
    rows = _rows(dp)
    if rows.empty:
        return pd.DataFrame(columns=["ebene", "id", "angabe", "zeile", *dp.catalogue])
    rows = rows[rows["jahr"] == year]
    first = rows.attrs.get("erste_zeile", 2)
    out = pd.DataFrame({"ebene": rows["ebene"], "id": [match_id(dp, lv, g) for lv, g in
                                                        zip(rows["ebene"], rows["gebiet_id"])],
                        "angabe": rows["gebiet_id"], "zeile": [int(i) + first for i in rows.index]})
    for ind in dp.catalogue.values():
        if ind.from_counts:
            den = rows[ind.denominator].astype(float)
            out[ind.id] = rows[ind.numerator].astype(float) / den.where(den > 0) * ind.factor
        else:
            out[ind.id] = rows[ind.rate].astype(float)
    return out.reset_index(drop=True)


def replaced(dp) -> bool:
    """Whether the published totals replace the computed reference values (``data.totals.use: ersetzen``)."""
    spec = dp.params.data.totals
    return spec is not None and spec.use == "ersetzen"


def cross_check(dp, add) -> None:
    """Published totals against the values computed from the areas (one row per level)."""
    from sozialplanung.indicators.reference import reference_value

    spec = dp.params.data.totals
    if spec is None:
        return
    table = published(dp)
    for level in spec.levels():
        rows = table[table["ebene"] == level]
        unknown = rows[rows["id"].isna()]
        differ, n = [], 0
        for row in rows[rows["id"].notna()].itertuples(index=False):
            members = dp.areas.index if level == "Kommune" else dp.areas.index[dp.areas[level] == row.id]
            for ind in dp.catalogue.values():
                own, computed = getattr(row, ind.id), reference_value(dp, ind.id, members)[0]
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
