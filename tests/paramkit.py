"""Copies of shipped params files for tests that edit them in a temporary folder."""

from __future__ import annotations

import shutil
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


TABLE_ONLY = """kommune: "Berlin-Mitte (ohne Geodatei)"
bezugsname: Berlin
slug: mitte-ohne-karten
report_year: 2021
areas:
  name: PLR_NAME
  level: Planungsraum
  parents:
    - {column: BEZ_ID, level: Bezirk}
data:
  file: mss_2021_index_indikatoren.csv
  id: PLR_ID
  year: null
  population: einwohner
  rename: {EW: einwohner}
  missing: [-9999]
catalogue: indikatoren.yaml
recipe: mss
datenschutz:
  min_population: 300
analyses:
  factor:
    indicators: [S1, S3, S4, D1, D3, D4]
  cluster:
    k: 4
berichtsgebiet:
  level: Bezirk
  ids: ["01"]
"""


def table_only_kommune(folder: Path, shared: Path) -> Path:
    """Params, catalogue (the demo's S1–D4) and the official MSS 2021 table in ``folder``, without geometry."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(shared / "berlin_mss" / "mss_2021" / "mss_2021_index_indikatoren.csv", folder)
    catalogue = (PARAMS.parent / "lib" / "sozialplanung" / "demo" / "berlin" / "indikatoren.yaml").read_text(encoding="utf-8")
    (folder / "indikatoren.yaml").write_text(catalogue.split("\n  KI_01:")[0] + "\n", encoding="utf-8")
    path = folder / "ohne-karten.yaml"
    path.write_text(TABLE_ONLY, encoding="utf-8")
    return path
