"""Impressum and Zitiervorschlag (suggested citation) of a report, printed in HTML and PDF.

The params may carry (once :mod:`sozialplanung.config.params` has the fields)::

    impressum:
      herausgeber: "Bezirksamt Mitte von Berlin, Qualitätsentwicklung, Planung und Koordination"
      kontakt: "sozialplanung@ba-mitte.berlin.de"
      stand: 2022-03-31
    zitiervorschlag: "Bezirksamt Mitte von Berlin (2022): Sozialbericht Berlin-Mitte 2021. Berlin."

Without ``zitiervorschlag`` one is generated from Herausgeber (else the Kommune), year of the Stand (else of
the report's creation), title and Kommune. Without ``impressum`` the section still shows the
Zitiervorschlag and says which fields are missing.
"""

from __future__ import annotations

import datetime as dt

from sozialplanung.formatting import fmt_date
from sozialplanung.report.model import Cell, Note, Paragraph, Run, Table, para

FIELDS = {"herausgeber": "Herausgeber", "kontakt": "Kontakt", "stand": "Stand"}
"""Fields of ``impressum:`` → their German label."""


def fields(params) -> dict:
    """The filled fields of ``impressum:`` (herausgeber, kontakt, stand); ``{}`` when there are none."""
    value = getattr(params, "impressum", None)
    if value is None:
        return {}
    data = value.model_dump() if hasattr(value, "model_dump") else dict(value)
    return {k: data.get(k) for k in FIELDS if data.get(k) not in (None, "")}


_impressum = fields  # the earlier private name, used by sozialplanung.publish.xlsx


def _stand(data: dict, today: dt.date | None = None) -> dt.date:
    stand = data.get("stand")
    if isinstance(stand, dt.date):
        return stand
    return today or dt.date.today()


def zitiervorschlag(dp, today: dt.date | None = None) -> str:
    """The params' ``zitiervorschlag`` or a generated one.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> p = NS(kommune="Berlin-Mitte", report_year=2021, impressum={"herausgeber": "Bezirksamt Mitte",
    ...        "stand": dt.date(2022, 3, 31)}, zitiervorschlag=None)
    >>> zitiervorschlag(NS(params=p))
    'Bezirksamt Mitte (2022): Sozialbericht Berlin-Mitte 2021. Stand: 31.03.2022.'
    """
    own = getattr(dp.params, "zitiervorschlag", None)
    if own:
        return own
    data = fields(dp.params)
    stand = _stand(data, today)
    author = data.get("herausgeber") or dp.params.kommune
    return (f"{author} ({stand.year}): Sozialbericht {dp.params.kommune} {dp.params.report_year}. "
            f"Stand: {fmt_date(stand)}.")


def section_impressum(dp, results=None) -> list:
    """Impressum table (Herausgeber, Kontakt, Stand) and the Zitiervorschlag, as model blocks."""
    data = fields(dp.params)
    rows = [[Cell(label, header=True), Cell(fmt_date(data[key]) if isinstance(data[key], dt.date) else str(data[key]))]
            for key, label in FIELDS.items() if key in data]
    out = []
    if rows:
        out.append(Table(caption="Impressum", rows=rows, role="impressum"))
    missing = [label for key, label in FIELDS.items() if key not in data]
    if missing:
        out.append(Note("Impressum unvollständig – in der Parameterdatei unter „impressum:“ fehlt: "
                        f"{', '.join(missing)}.", role="fehlt"))
    out.append(Paragraph([Run("Zitiervorschlag:", strong=True), Run(" " + zitiervorschlag(dp))],
                         role="zitiervorschlag"))
    out.append(para("Erstellt mit der Bibliothek „sozialplanung“."))
    return out
