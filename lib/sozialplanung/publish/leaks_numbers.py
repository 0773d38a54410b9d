"""Numbers and words in published text, for the leak scan (:mod:`sozialplanung.publish.leaks`): every reading of a
printed number (German and machine forms) and whether it reveals a value at the printed precision."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["words", "numbers", "close", "reveals"]

_WORD = "0-9A-Za-zÄÖÜäöüß"  # letters and digits; "_" and spaces separate words
_NUMBER = re.compile(r"(?<![A-Za-zÄÖÜäöüß_\d])[−\-]?\d+(?:[.,]\d+)*")  # not in "A1", "python3"




def words(terms) -> re.Pattern | None:
    terms = [t for t in terms if t]
    if not terms:
        return None
    return re.compile(rf"(?<![{_WORD}])(?:{'|'.join(re.escape(t) for t in terms)})(?![{_WORD}])", re.I)


def numbers(text: str) -> list[tuple[float, int, int]]:
    """Every reading of the numbers in ``text`` as (value, decimals, position): German and machine forms."""
    out = []
    text = text.replace("\u202f", " ").replace("\u00a0", " ")
    for m in _NUMBER.finditer(text):
        token = m.group()
        sign = -1 if token[0] in "−-" else 1
        body = token.lstrip("−-")
        readings = []
        if "," in body and body.count(",") == 1:
            readings.append(body.replace(".", "").replace(",", "."))      # German 1.234,5
        if "," not in body and body.count(".") <= 1:
            readings.append(body)                                         # machine 12.5 / 12
        if "," not in body and re.fullmatch(r"\d{1,3}(\.\d{3})+", body):
            readings.append(body.replace(".", ""))                        # German thousands 1.234
        for r in readings:
            try:
                d = Decimal(r)
            except InvalidOperation:
                continue
            out.append((sign * float(d), max(0, -d.as_tuple().exponent), m.start()))
    return out


def close(number: float, decimals: int, value: float, min_decimals: int) -> bool:
    return decimals >= min_decimals and abs(number - value) <= 0.5 * 10 ** -decimals + 1e-9


def reveals(text: str, value: float, min_decimals: int) -> bool:
    return any(close(n, d, value, min_decimals) for n, d, _ in numbers(text))
