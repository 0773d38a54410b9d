"""Numbers written as text: one rule for every reader, so that no number is read silently wrong.

Each text cell has a *kind* (blanks stripped; cells that are already numbers, from XLSX or Parquet,
are kind ``num``):

========  ===========================  ==================================================
kind      examples                     meaning
========  ===========================  ==================================================
int       ``12``, ``-3``               a whole number
group     ``1.152``, ``12.345.678``    a point before groups of three digits: a thousands
                                       point or a decimal point? (see below)
german    ``1.234,5``                  thousands point and decimal comma
comma     ``12,5``, ``0,25``           decimal comma
dot       ``6.25``, ``0.125``, ``1e3``  decimal point (not three digits after one point)
inf       ``inf``, ``-Infinity``, ∞    infinite: always an error
text      ``k. A.``, ``12 %``          not a number
========  ===========================  ==================================================

The rules (:func:`to_numbers`):

- A file has one decimal separator. In a CSV with ``,`` as separator it is the point (``12,5`` is
  no number there). In a ``;``/tab CSV it is the comma if any cell has a decimal comma, else the point
  if any cell has a decimal point like ``6.25``, else it is unknown. The ``decimal:`` setting under
  ``data:`` in the params decides where the file does not, and must agree with the file.
- A column with both ``6.25`` and ``6,25``, or ``6.25`` in a file with decimal comma, is an error
  naming the rows: is ``6.25`` 6,25 or 625?
- ``group`` cells: with the decimal comma the point is a thousands point (``1.152`` = 1152); in a
  count column (numerators, denominators, population, weights) too, unless the column holds decimal
  numbers like ``6.25`` or ``decimal: "."`` is set; otherwise a decimal point. In a rate column of a
  file whose decimal separator is unknown they are an error asking for ``decimal:``.
- ``inf`` (also a float ±inf from Parquet) is an error naming column and row; ``NaN``, ``NA`` and
  empty cells are missing values.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from sozialplanung.errors import SozialplanungError

_KIND = re.compile(r"""[+-]?(?:(?P<int>\d+)
    |(?P<group>[1-9]\d{0,2}(?:\.\d{3})+)
    |(?P<german>[1-9]\d{0,2}(?:\.\d{3})+,\d+)
    |(?P<comma>\d*,\d+)
    |(?P<dot>(?:\d+\.\d*|\.\d+)(?:e[+-]?\d+)?|\d+e[+-]?\d+)
    |(?P<inf>inf|infinity|∞))""", re.X | re.I)
_PLACEHOLDERS = {".", "-", "–", "x", "X", "k.A.", "k. A.", "*", "/", "…", "nv", "n.v.", "NA"}
_SPACED = re.compile(r"[+-]?\d{1,3}( \d{3})+(,\d+)?")
COMMA_KINDS = ("comma", "german")
DECIMAL_HINT = ('In der Parameterdatei unter „data:“ angeben: decimal: "." (Punkt = Dezimaltrennzeichen, '
                '12.345 = 12,345) oder decimal: "," (Dezimalkomma, Punkt = Tausendertrennzeichen, 12.345 = 12345).')
_MIXED_HINT = ("Alle Zahlen einheitlich schreiben, in einer deutschen CSV-Datei (Trennzeichen „;“) mit "
               "Dezimalkomma (6,25); sonst ist nicht zu erkennen, ob „6.25“ 6,25 oder 625 bedeutet.")


def kinds(col: pd.Series, *, comma_is_text: bool = False) -> pd.Series:
    """The kind of every cell (see the module docstring); missing and blank cells are NaN."""
    present = col.notna().to_numpy()
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return pd.Series(np.where(present, "num", None), index=col.index, dtype=object)
    found: dict = {}
    out = [_kind(v, found, comma_is_text) if p else None for v, p in zip(col.to_numpy(dtype=object), present)]
    return pd.Series(out, index=col.index, dtype=object)


def _kind(value, found: dict, comma_is_text: bool):
    if not isinstance(value, str):  # a number from XLSX or Parquet; bools, dates and other objects are no numbers
        number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
        return "num" if number else "text"
    if value not in found:
        v = value.strip()
        m = _KIND.fullmatch(v)
        kind = m.lastgroup if m else ("text" if v else None)
        found[value] = "text" if comma_is_text and kind in COMMA_KINDS else kind
    return found[value]


def file_decimal(table_kinds: dict[str, pd.Series], separator: str | None, first_line: int):
    """The decimal separator of a CSV file (``","``, ``"."`` or None) and where it shows."""
    if separator == ",":
        return ".", None
    for wanted, decimal in ((COMMA_KINDS, ","), (("dot",), ".")):
        for col, k in table_kinds.items():
            if (k == "text").any():
                continue
            hit = k.isin(wanted)
            if hit.any():
                label = k.index[hit.to_numpy()][0]
                return decimal, {"spalte": col, "zeile": int(label) + first_line}
    return None, None


def to_numbers(col: pd.Series, fmt: dict, *, name: str, file: str, first_line: int, decimal: str | None = None,
               count: bool | None = None, strict: bool = True, known: pd.Series | None = None) -> pd.Series:
    """``col`` as numbers by the rules in the module docstring.

    ``fmt`` is the table's ``attrs["format"]`` (separator, detected ``decimal`` and its ``beleg``),
    ``decimal`` the setting in the params, ``count`` whether the column holds counts (None: not known
    yet, ambiguous columns stay text). Not ``strict``: a column with text cells is returned unchanged.
    """
    where = dict(file=file, field=name)

    def lines(mask) -> list[int]:
        return [int(i) + first_line for i in col.index[np.asarray(mask, dtype=bool)]]

    if pd.api.types.is_bool_dtype(col):
        if strict:
            raise SozialplanungError(f"Die Spalte „{name}“ enthält Wahrheitswerte statt Zahlen.", **where)
        return col
    k = known if known is not None else kinds(col, comma_is_text=fmt.get("trennzeichen") == ",")
    if (k == "text").any():
        if strict:
            _not_a_number(col, k == "text", name, where, lines)
        return col
    num = (k == "num").to_numpy()
    if pd.api.types.is_numeric_dtype(col):
        infinite = np.isinf(col.to_numpy(dtype=float, na_value=np.nan))
    else:
        cells = col.to_numpy(dtype=object)
        infinite = (k == "inf").to_numpy() | np.array([bool(n and np.isinf(float(v))) for n, v in zip(num, cells)],
                                                      dtype=bool)
    if infinite.any():
        raise SozialplanungError(f"Die Spalte „{name}“ enthält einen unendlichen Wert („{col[infinite].iloc[0]}“).",
                                 row=lines(infinite)[0], **where,
                                 hint="Eine Zahl oder eine leere Zelle eintragen (unendlich entsteht z. B. bei einer "
                                      "Division durch 0 im Tabellenprogramm).")
    if pd.api.types.is_numeric_dtype(col):
        return col
    commas, dots, groups = k.isin(COMMA_KINDS), k == "dot", k == "group"
    dec = decimal or fmt.get("decimal") or ("," if commas.any() else "." if dots.any() else None)
    if dots.any() and (commas.any() or dec == ","):
        _mixed(col, name, where, lines, dots, commas, fmt, decimal)
    if commas.any() and dec == ".":
        raise SozialplanungError(f"Die Spalte „{name}“ enthält „{col[commas].iloc[0]}“ mit Dezimalkomma, in den "
                                 "Parametern steht aber decimal: „.“.", row=lines(commas)[0], **where,
                                 hint=DECIMAL_HINT)
    thousands = _thousands(dec, decimal, count, dots.any())
    if groups.any() and thousands is None:
        if not strict or count is None:
            return col
        raise SozialplanungError(
            f"In der Spalte „{name}“ ist nicht zu erkennen, ob der Punkt in „{col[groups].iloc[0]}“ ein Dezimalpunkt "
            "oder ein Tausendertrennzeichen ist: die Datei enthält keine Zahl mit Dezimalkomma oder Dezimalpunkt "
            "(wie 6,25 oder 6.25).", row=lines(groups)[0], **where, hint=DECIMAL_HINT)
    text = pd.Series([v.strip() if isinstance(v, str) and not n else None for v, n in zip(cells, num)],
                     index=col.index, dtype=object)
    if thousands:
        text = text.where(~(groups | commas), text.str.replace(".", "", regex=False))
    text = text.where(~commas, text.str.replace(",", ".", regex=False))
    values = pd.to_numeric(text.where(~num, col), errors="coerce")
    unread = values.isna() & k.notna()  # e.g. 12.345.678 with a decimal point
    if unread.any():
        if strict:
            _not_a_number(col, unread, name, where, lines)
        return col
    return values


def _thousands(dec, decimal, count, has_dots: bool) -> bool | None:
    """Whether a point before three digits (``1.152``) is a thousands point; None if not known."""
    if dec == ",":
        return True
    if count and decimal != "." and not has_dots:
        return True
    if (dec == "." and count is not None) or has_dots:
        return False
    return None


def _mixed(col, name, where, lines, dots, commas, fmt, decimal):
    dot_lines = lines(dots)
    dotted = f"„{col[dots].iloc[0]}“ in Zeile(n) {_show(dot_lines)}"
    if commas.any():
        message = f"Die Spalte „{name}“ mischt Dezimalpunkt und Dezimalkomma: {dotted}, „{col[commas].iloc[0]}“ in " \
                  f"Zeile(n) {_show(lines(commas))}."
    elif decimal == ",":
        message = f"Die Spalte „{name}“ hat Zahlen mit Dezimalpunkt ({dotted}), in den Parametern steht aber decimal: „,“."
    else:
        beleg = fmt.get("beleg") or {}
        message = (f"Die Spalte „{name}“ hat Zahlen mit Dezimalpunkt ({dotted}), die Datei verwendet aber das "
                   f"Dezimalkomma (z. B. Spalte „{beleg.get('spalte')}“, Zeile {beleg.get('zeile')}).")
    raise SozialplanungError(message, row=dot_lines[0], **where, hint=_MIXED_HINT)


def _not_a_number(col, bad, name, where, lines):
    found = str(col[bad].iloc[0]).strip()
    if _KIND.fullmatch(found) and _KIND.fullmatch(found).lastgroup in COMMA_KINDS:
        hint = ("Dezimalkomma oder Tausendertrennzeichen in einer Datei mit Komma als Trennzeichen? Die Datei mit "
                "„;“ als Trennzeichen speichern (deutsches CSV) oder Zahlen ohne Tausenderpunkt mit Dezimalpunkt schreiben.")
    elif found in _PLACEHOLDERS:
        hint = (f"Platzhalter wie „.“, „-“, „x“ oder „k. A.“ sind keine Zahlen: in der Parameterdatei als Code für "
                f"fehlende Werte angeben (data: {{missing: [\"{found}\"]}}, nur für eine Spalte: missing_by_column) "
                "oder durch leere Zellen ersetzen.")
    elif _SPACED.fullmatch(found):
        hint = "Leerzeichen als Tausendertrennzeichen entfernen (1234 statt 1 234)."
    else:
        hint = "Zahlen ohne Einheit und ohne Text schreiben; fehlende Werte als leere Zelle."
    raise SozialplanungError(f"Die Spalte „{name}“ enthält keinen Zahlenwert: „{found}“.", row=lines(bad)[0],
                             **where, hint=hint)


def check_setting(decimal: str | None, fmt: dict, *, file: str) -> None:
    """The ``decimal:`` setting must agree with what the file shows."""
    if decimal is None:
        return
    if decimal == "," and fmt.get("trennzeichen") == ",":
        raise SozialplanungError("In den Parametern steht decimal: „,“, die Datei hat aber das Komma als "
                                 "Trennzeichen.", file=file, hint="decimal: „,“ nur für CSV-Dateien mit „;“ als Trennzeichen.")
    found, beleg = fmt.get("decimal"), fmt.get("beleg")
    if found and beleg and found != decimal:
        what = "das Dezimalkomma" if found == "," else "den Dezimalpunkt"
        raise SozialplanungError(f"In den Parametern steht decimal: „{decimal}“, die Datei verwendet aber {what}.",
                                 file=file, field=beleg["spalte"], row=beleg["zeile"],
                                 hint="Die Angabe decimal: in der Parameterdatei streichen oder berichtigen.")


def _show(items, n: int = 5) -> str:
    items = list(items)
    return ", ".join(map(str, items[:n])) + (f" … ({len(items)} insgesamt)" if len(items) > n else "")
