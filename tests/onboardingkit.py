"""What a user types into the indicator catalogue ``sozialplanung neu`` wrote (tests of neu and of the wheel)."""

from __future__ import annotations

import re
from pathlib import Path

FILLED = {"definition": '"Anteil in %"', "themenfeld": '"Soziales"', "source": '"Testquelle"',
          "stichtag": '"2020-12-31"'}


def fill_in(catalogue: Path) -> None:
    """Fill every field neu leaves empty (definition, themenfeld, source, stichtag) of every indicator."""
    text = catalogue.read_text(encoding="utf-8")
    for key, value in FILLED.items():
        text = re.sub(rf"^    {key}: .*$", f"    {key}: {value}", text, flags=re.M)
    catalogue.write_text(text, encoding="utf-8")
