"""German number, date and table-symbol formatting, independent of the system locale.

Every number a report shows goes through this module, so tables, maps and charts agree:
decimal comma, thousands point, commercial rounding (half away from zero, as Excel's
``RUNDEN``) and the table symbols of the official statistics.

Conventions
-----------
- Thousands are grouped with ``.`` from four digits on: ``1.234``.
- Negative numbers use the minus sign U+2212 (``−1,5``), the sign matplotlib puts on
  axes, so tables and charts look alike and screen readers say "minus".
- ``%`` and ``‰`` follow the number after a no-break space U+00A0 (``12,5 %``), as
  DIN 5008 asks, so a line never breaks between number and sign.
- Rounding is half away from zero on the shortest decimal representation of the float
  (``2.675`` → ``2,68``, ``12.25`` → ``12,3``), the way readers and Excel round, not
  Python's round-half-even.

Table symbols (Zeichenerklärung)
--------------------------------
As in GENESIS-Online of the Statistisches Bundesamt and the former DIN 55301:

====  ============================================================
sign  meaning
====  ============================================================
``–``   nichts vorhanden (genau null)
``.``   Zahlenwert unbekannt oder geheim zu halten
``...`` Angabe fällt später an
``/``   keine Angaben, da Zahlenwert nicht sicher genug
``x``   Tabellenfach gesperrt, weil Aussage nicht sinnvoll
====  ============================================================

Destatis uses one sign, ``.``, for "unknown" and "secret"; that is deliberate (a reader
must not learn which cells were suppressed), so :data:`SYMBOL_UNBEKANNT` and
:data:`SYMBOL_GEHEIM` are the same sign. A missing value (NaN) is therefore shown as
``.`` by default; pass ``missing=SYMBOL_NICHT_SINNVOLL`` where a value cannot exist
(e.g. an area not rated because it has fewer than 300 residents). An infinite value
(division by zero) is always ``x``.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from sozialplanung.errors import SozialplanungError

__all__ = [
    "MINUS", "NBSP", "SYMBOL_NICHTS", "SYMBOL_GEHEIM", "SYMBOL_UNBEKANNT",
    "SYMBOL_FAELLT_SPAETER_AN", "SYMBOL_NICHT_SICHER", "SYMBOL_NICHT_SINNVOLL",
    "ZEICHENERKLAERUNG", "KINDS", "round_half_up", "fmt_number", "fmt_plain", "fmt_int", "fmt_percent",
    "fmt_permille", "fmt_date", "fmt_count", "fmt_cell", "format_frame", "excel_number_format",
]

MINUS = "\u2212"
"""Minus sign U+2212 used for negative numbers."""
NBSP = "\u00a0"
"""No-break space U+00A0 between a number and ``%`` or ``‰``."""

SYMBOL_NICHTS = "–"
"""``–`` (en dash): nichts vorhanden, genau null."""
SYMBOL_GEHEIM = "."
"""``.``: Zahlenwert unbekannt oder geheim zu halten (suppressed cell)."""
SYMBOL_UNBEKANNT = SYMBOL_GEHEIM
"""``.``: the same Destatis sign as :data:`SYMBOL_GEHEIM`, for unknown values."""
SYMBOL_FAELLT_SPAETER_AN = "..."
"""``...``: Angabe fällt später an (value will be delivered later)."""
SYMBOL_NICHT_SICHER = "/"
"""``/``: keine Angaben, da Zahlenwert nicht sicher genug."""
SYMBOL_NICHT_SINNVOLL = "x"
"""``x``: Tabellenfach gesperrt, weil Aussage nicht sinnvoll."""

ZEICHENERKLAERUNG: dict[str, str] = {
    SYMBOL_NICHTS: "nichts vorhanden (genau null)",
    SYMBOL_GEHEIM: "Zahlenwert unbekannt oder geheim zu halten",
    SYMBOL_FAELLT_SPAETER_AN: "Angabe fällt später an",
    SYMBOL_NICHT_SICHER: "keine Angaben, da Zahlenwert nicht sicher genug",
    SYMBOL_NICHT_SINNVOLL: "Tabellenfach gesperrt, weil Aussage nicht sinnvoll",
}
"""Sign → German meaning, for the legend under a report's tables."""

KINDS = ("number", "int", "percent", "permille", "text")
"""The value kinds :func:`fmt_cell`, :func:`format_frame` and :func:`excel_number_format` know."""


def _is_missing(x) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(np.isnan(x))
    except (TypeError, ValueError):
        return False


def round_half_up(x: float, decimals: int = 0) -> float:
    """Round half away from zero, on the shortest decimal form of ``x``.

    Examples
    --------
    >>> round_half_up(2.675, 2), round_half_up(12.25, 1), round_half_up(-0.5)
    (2.68, 12.3, -1.0)
    >>> round(2.675, 2)  # Python's own rounding, for comparison
    2.67
    """
    if _is_missing(x) or math.isinf(x):
        return float(x) if x is not None else math.nan
    return float(_quantize(x, decimals))


def _quantize(x, decimals: int) -> Decimal:
    if decimals < 0:
        raise SozialplanungError(f"Nachkommastellen müssen ≥ 0 sein, erhalten: {decimals}.")
    exp = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(x))).quantize(exp, rounding=ROUND_HALF_UP)


def _missing_or_none(x, missing: str) -> str | None:
    if _is_missing(x):
        return missing
    if isinstance(x, (int, float, np.number)) and math.isinf(x):
        return SYMBOL_NICHT_SINNVOLL
    return None


def fmt_number(x, decimals: int = 1, *, missing: str = SYMBOL_UNBEKANNT) -> str:
    """Format a number the German way: ``1.234,5``.

    Parameters
    ----------
    x : float or int
    decimals : int, default=1
        Digits after the comma; always shown (``2,0``).
    missing : str, default=SYMBOL_UNBEKANNT
        Shown for None/NaN. Infinite values are shown as ``x``.

    Examples
    --------
    >>> fmt_number(1234.5)
    '1.234,5'
    >>> fmt_number(-0.04), fmt_number(-1234567.891, 2), fmt_number(float("nan"))
    ('0,0', '−1.234.567,89', '.')
    """
    special = _missing_or_none(x, missing)
    if special is not None:
        return special
    q = _quantize(x, decimals)
    if q == 0:
        q = abs(q)  # no "−0,0"
    text = f"{abs(q):,.{decimals}f}".translate(str.maketrans(",.", ".,"))
    return (MINUS + text) if q < 0 else text


def fmt_plain(x, max_decimals: int = 15) -> str:
    """:func:`fmt_number` with the decimals ``x`` has (at most ``max_decimals``), trailing zeros dropped.

    >>> fmt_plain(300.0), fmt_plain(0.25), fmt_plain(-1.5), fmt_plain(1 / 3, 4), fmt_plain(1.50001, 4)
    ('300', '0,25', '−1,5', '0,3333', '1,5')
    """
    own = -Decimal(repr(float(x))).normalize().as_tuple().exponent if np.isfinite(x) else 0
    text = fmt_number(x, min(max(0, own), max_decimals))
    return text.rstrip("0").rstrip(",") if "," in text else text


def fmt_int(x, *, missing: str = SYMBOL_UNBEKANNT) -> str:
    """Format a whole number with thousands points: ``1.234``.

    Examples
    --------
    >>> fmt_int(1234), fmt_int(1234567.5), fmt_int(-12)
    ('1.234', '1.234.568', '−12')
    """
    return fmt_number(x, 0, missing=missing)


def fmt_percent(x, decimals: int = 1, *, missing: str = SYMBOL_UNBEKANNT) -> str:
    """Format a value given in percent (not a fraction): ``12,5 %`` with a no-break space.

    Examples
    --------
    >>> fmt_percent(12.5)
    '12,5\\xa0%'
    >>> fmt_percent(3, 0) == "3\u00a0%"
    True
    """
    text = fmt_number(x, decimals, missing=missing)
    return text if _missing_or_none(x, missing) is not None else f"{text}{NBSP}%"


def fmt_permille(x, decimals: int = 1, *, missing: str = SYMBOL_UNBEKANNT) -> str:
    """Format a value given in per mille: ``4,2 ‰`` with a no-break space.

    Examples
    --------
    >>> fmt_permille(4.24)
    '4,2\xa0‰'
    """
    text = fmt_number(x, decimals, missing=missing)
    return text if _missing_or_none(x, missing) is not None else f"{text}{NBSP}‰"


def fmt_date(value) -> str:
    """Format a date as ``TT.MM.JJJJ``.

    Parameters
    ----------
    value : str, datetime.date, datetime.datetime or pandas.Timestamp
        A string must be ISO 8601 (``"2020-12-31"``), as dates stay strings in the
        parameter files.

    Examples
    --------
    >>> fmt_date("2020-12-31")
    '31.12.2020'
    >>> import datetime
    >>> fmt_date(datetime.date(2021, 1, 1))
    '01.01.2021'
    """
    if isinstance(value, str):
        try:
            value = _dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise SozialplanungError(
                f"„{value}“ ist kein Datum im Format JJJJ-MM-TT.",
                hint="Stichtage bitte als 2020-12-31 angeben.",
            ) from None
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if not isinstance(value, _dt.date):
        raise SozialplanungError(f"Kein Datum: {value!r} (Typ {type(value).__name__}).")
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def fmt_count(n: int, singular: str, plural: str) -> str:
    """A count with the right noun form: ``1 Gebiet``, ``1.234 Gebiete``.

    Examples
    --------
    >>> fmt_count(1, "Gebiet", "Gebiete"), fmt_count(0, "Gebiet", "Gebiete")
    ('1 Gebiet', '0 Gebiete')
    """
    return f"{fmt_int(n)} {singular if n == 1 else plural}"


def fmt_cell(
    value,
    kind: str = "number",
    decimals: int = 1,
    *,
    suppressed: bool = False,
    missing: str = SYMBOL_UNBEKANNT,
    zero_as_dash: bool = False,
) -> str:
    """Format one table cell, with the official symbols for special cases.

    Parameters
    ----------
    value : number, str or None
    kind : {"number", "int", "percent", "permille", "text"}, default="number"
    decimals : int, default=1
        Ignored for ``"int"`` and ``"text"``.
    suppressed : bool, default=False
        The cell is kept secret (Datenschutz): shows ``.`` whatever the value.
    missing : str, default=SYMBOL_UNBEKANNT
        Shown for None/NaN; use ``SYMBOL_NICHT_SINNVOLL`` (``x``) where no value can
        exist, e.g. for areas not rated.
    zero_as_dash : bool, default=False
        Show an exact zero as ``–`` (nichts vorhanden), customary for counts.

    Examples
    --------
    >>> fmt_cell(12.345, "percent", 1)
    '12,3\\xa0%'
    >>> fmt_cell(7, "int", suppressed=True), fmt_cell(None), fmt_cell(None, missing="x")
    ('.', '.', 'x')
    >>> fmt_cell(0, "int", zero_as_dash=True), fmt_cell(float("inf"))
    ('–', 'x')
    """
    if kind not in KINDS:
        raise SozialplanungError(f"Unbekannte Formatart „{kind}“.", hint=f"Erlaubt: {', '.join(KINDS)}.")
    if suppressed:
        return SYMBOL_GEHEIM
    if kind == "text":
        return missing if _is_missing(value) else str(value)
    special = _missing_or_none(value, missing)
    if special is not None:
        return special
    if zero_as_dash and value == 0:
        return SYMBOL_NICHTS
    if kind == "int":
        return fmt_int(value)
    if kind == "percent":
        return fmt_percent(value, decimals)
    if kind == "permille":
        return fmt_permille(value, decimals)
    return fmt_number(value, decimals)


FormatSpec = str | tuple[str, int] | Callable[[object], str]


def _cell_formatter(spec: FormatSpec, missing: str) -> Callable[[object], str]:
    if callable(spec):
        return spec
    kind, decimals = (spec, 1) if isinstance(spec, str) else spec
    return lambda v: fmt_cell(v, kind, decimals, missing=missing)


def _default_spec(series: pd.Series) -> FormatSpec:
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return ("number", 1)
    return "text"


def format_frame(
    df: pd.DataFrame,
    formats: Mapping[str, FormatSpec] | None = None,
    *,
    suppressed: pd.DataFrame | None = None,
    missing: str = SYMBOL_UNBEKANNT,
) -> pd.DataFrame:
    """Return a copy of ``df`` with every cell formatted as German text, for HTML tables.

    Parameters
    ----------
    df : pandas.DataFrame
    formats : mapping column → spec, optional
        A spec is a kind (``"percent"``), a ``(kind, decimals)`` pair or a callable
        ``value -> str``. Columns without a spec: integers as ``"int"``, floats as
        ``("number", 1)``, everything else as text.
    suppressed : DataFrame of bool, optional
        True marks a secret cell (shown as ``.``); aligned on index and columns,
        cells it does not cover count as not suppressed.
    missing : str, default=SYMBOL_UNBEKANNT
        Symbol for NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"name": ["Mitte", "Wedding"], "ew": [1234, 56789],
    ...                    "s1": [12.34, float("nan")]})
    >>> format_frame(df, {"s1": ("percent", 1)}).to_dict("list")
    {'name': ['Mitte', 'Wedding'], 'ew': ['1.234', '56.789'], 's1': ['12,3\\xa0%', '.']}
    >>> mask = pd.DataFrame({"ew": [True, False]})
    >>> format_frame(df, suppressed=mask)["ew"].tolist()
    ['.', '56.789']
    """
    formats = dict(formats or {})
    unknown = set(formats) - set(df.columns)
    if unknown:
        raise SozialplanungError(
            f"Formatangaben für fehlende Spalten: {', '.join(map(str, sorted(unknown, key=str)))}.",
            hint=f"Vorhandene Spalten: {', '.join(map(str, df.columns))}",
        )
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        spec = formats.get(col, _default_spec(df[col]))
        out[col] = df[col].map(_cell_formatter(spec, missing)).astype(object)
    if suppressed is not None:
        mask = suppressed.reindex(index=df.index, columns=df.columns).eq(True)
        out = out.mask(mask, SYMBOL_GEHEIM)
    return out


def excel_number_format(kind: str = "number", decimals: int = 1) -> str:
    """openpyxl ``number_format`` code for a value kind.

    Format codes are locale-neutral: ``,`` means "thousands separator" and ``.``
    "decimal separator", and Excel shows them with the separators of the user's system,
    i.e. ``1.234,5`` on a German Windows. The cells keep their full precision.
    Percent values are stored in percent points, so the ``%`` is a quoted literal (an
    unquoted ``%`` would multiply by 100).

    Examples
    --------
    >>> excel_number_format("number", 1), excel_number_format("int")
    ('#,##0.0', '#,##0')
    >>> excel_number_format("percent", 2)
    '#,##0.00"\xa0%"'
    """
    if kind not in KINDS:
        raise SozialplanungError(f"Unbekannte Formatart „{kind}“.", hint=f"Erlaubt: {', '.join(KINDS)}.")
    if kind == "text":
        return "@"
    base = "#,##0" if kind == "int" or decimals == 0 else "#,##0." + "0" * decimals
    if kind == "percent":
        return f'{base}"{NBSP}%"'
    if kind == "permille":
        return f'{base}"{NBSP}‰"'
    return base
