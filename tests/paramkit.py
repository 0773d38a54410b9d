"""Copies of shipped params files for tests that edit them in a temporary folder."""

from __future__ import annotations

from pathlib import Path

PARAMS = Path(__file__).resolve().parents[1] / "params"
BITBURG = PARAMS / "eifelkreis" / "bitburg-pruem.yaml"


def copied_params(path: Path = BITBURG, *, demo_local: bool = True) -> str:
    """The text of ``path`` for a copy in another folder: paths relative to the original (``../…``) made
    absolute, and with ``demo_local`` the ``paket:<demo>/`` prefix dropped (the demo files lie beside the copy)."""
    text = path.read_text(encoding="utf-8").replace(" ../", f" {path.parent.resolve()}/../")
    if demo_local:
        text = text.replace("paket:bitburg_pruem/", "")
    return text
