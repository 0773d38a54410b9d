"""How the report names areas, parent areas and references in running text.

Names repeat (Berlin has two „Schloßstraße“), so an area is always named with its id:
``01100101 Stülerstraße``. The reference population (Bezugsgesamtheit) has its own name: for a
Bezirk report it is the whole city, not the Bezirk.
"""

from __future__ import annotations

from sozialplanung.formatting import fmt_number


def area(dp, gid: str) -> str:
    """``"01100101 Stülerstraße"``."""
    return f"{gid} {dp.areas.at[gid, 'name']}"


def parent(dp, level: str, pid: str) -> str:
    """``"Bezirksregion 011001 Tiergarten Süd"`` (the id alone where no name is known, or the name is the id)."""
    names = dp.parents.get(level)
    if names is not None and pid in names.index and "name" in names.columns and str(names.at[pid, "name"]) != pid:
        return f"{level} {pid} {names.at[pid, 'name']}"
    return f"{level} {pid}"


def is_view(dp) -> bool:
    """True if the report shows only part of the Bezugsgesamtheit (e.g. one Bezirk of Berlin)."""
    return set(dp.shown_ids) != set(dp.reference_ids)


def reference(dp) -> str:
    """Name of the Bezugsgesamtheit in text: the Kommune, or ``Gesamtstadt`` for a view of a city.

    A params field ``bezugsname`` (if present) takes precedence.
    """
    name = dp.params.bezugsname
    if name:
        return name
    if not is_view(dp):
        return dp.params.kommune
    return "Gesamtstadt" if dp.params.bezugsgesamtheit is None else "Bezugsgesamtheit"


def berichtsgebiet(dp) -> str:
    """Name of the Berichtsgebiet in text (``Bezirk 01 Mitte``, or the Kommune)."""
    sel = dp.params.berichtsgebiet
    if sel is None or not is_view(dp) or sel.level == dp.params.areas.level:
        return dp.params.kommune
    return ", ".join(parent(dp, sel.level, pid) for pid in sel.ids)


def value(x: float, unit: str, decimals: int = 1, approx: bool = False) -> str:
    """``"12,5 %"``, ``"≈ 12,5 %"``, ``"1,2 Prozentpunkte"``."""
    text = fmt_number(x, decimals)
    if unit in ("%", "‰"):
        text += "\u00a0" + unit
    elif unit:
        text += " " + unit
    return ("≈ " if approx else "") + text


_PLURAL = {"Planungsraum": "Planungsräume", "Sozialraum": "Sozialräume", "Gemeinde": "Gemeinden",
           "Lebensraum": "Lebensräume", "Stadtteil": "Stadtteile", "Bezirk": "Bezirke",
           "Bezirksregion": "Bezirksregionen", "Quartier": "Quartiere", "Prognoseraum": "Prognoseräume",
           "Verbandsgemeinde": "Verbandsgemeinden", "Ortsteil": "Ortsteile"}


def level_plural(level: str, dative: bool = False) -> str:
    """German plural of an area level (Planungsraum → Planungsräume, dative Planungsräumen)."""
    plural = _PLURAL.get(level)
    if plural is None:
        return "Gebieten" if dative else "Gebiete"
    return plural + "n" if dative and not plural.endswith("n") else plural


def in_parent(level: str) -> str:
    """``"in der Bezirksregion"`` / ``"im Prognoseraum"`` (grammatical gender from the word's ending)."""
    feminine = level.endswith(("region", "gemeinde", "ion", "schaft", "stadt", "ung"))
    return f"in der {level}" if feminine else f"im {level}"


def reference_for(dp) -> str:
    """``"für Berlin"`` or ``"für die Gesamtstadt"``."""
    name = reference(dp)
    return f"für die {name}" if name in ("Gesamtstadt", "Bezugsgesamtheit") else f"für {name}"


def level_name(dp) -> str:
    """Singular name of the report's area level (``Planungsraum``)."""
    return dp.params.areas.level


def in_parent_area(dp, level: str, pid: str) -> str:
    """``"in der Bezirksregion 014010 Wedding Zentrum"``."""
    return in_parent(level) + parent(dp, level, pid)[len(level):]


def in_berichtsgebiet(dp) -> str:
    """``"im Bezirk 01 Mitte"`` or ``"in Berlin"``."""
    sel = dp.params.berichtsgebiet
    if sel is None or not is_view(dp) or sel.level == dp.params.areas.level:
        return f"in {dp.params.kommune}"
    return ", ".join(in_parent_area(dp, sel.level, pid) for pid in sel.ids)


def single_area_note(dp) -> str | None:
    """The sentence that replaces the comparison within the Berichtsgebiet when it has only one area (a
    kreisfreie Stadt in a Kreis report: one Gemeinde), else None.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> dp = NS(shown_ids=["02000000"], params=NS(areas=NS(level="Gemeinde", parents=[NS(level="Kreis"),
    ...     NS(level="Land")]), berichtsgebiet=NS(level="Kreis", ids=["02000"]), kommune="Hamburg",
    ...     bezugsname="Deutschland"), parents={})
    >>> print(single_area_note(dp))  # doctest: +NORMALIZE_WHITESPACE
    Kreis 02000 besteht aus einer einzigen Gemeinde (kreisfreie Stadt): ein Vergleich der Gemeinden innerhalb
    des Kreises entfällt, Karten und Diagramme der Gemeinden im Vergleich werden daher nicht gezeigt. Ihre Werte
    stehen den Werten von Kreis, Land und Deutschland gegenüber.
    """
    if len(dp.shown_ids) != 1:
        return None
    level, sel = dp.params.areas.level, dp.params.berichtsgebiet
    where = parent(dp, sel.level, sel.ids[0]) if sel is not None and sel.level != level else dp.params.kommune
    above = [p.level for p in dp.params.areas.parents]
    above = above[above.index(sel.level):] if sel is not None and sel.level in above else above[-1:]
    plural = level_plural(level)
    kind = " (kreisfreie Stadt)" if (level, getattr(sel, "level", None)) == ("Gemeinde", "Kreis") else ""
    own = f"des {sel.level}es" if sel is not None and sel.level == "Kreis" else "des Berichtsgebiets"
    return (f"{where} besteht aus einer einzigen {level}{kind}: ein Vergleich der {plural} innerhalb {own} entfällt, "
            f"Karten und Diagramme der {plural} im Vergleich werden daher nicht gezeigt. Ihre Werte stehen den "
            f"Werten von {' und '.join([', '.join(above), reference(dp)]) if above else reference(dp)} gegenüber.")
