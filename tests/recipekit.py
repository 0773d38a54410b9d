"""A small recipe for tests of the recipe schema (tests/config) and its computation (tests/analysis)."""

import copy
from pathlib import Path

import yaml

REZEPTE = Path(__file__).resolve().parents[1] / "params" / "rezepte"


def _recipe_dict(**changes) -> dict:
    """A small MSS-like recipe: three indicators, z (ddof 0), sum, z again, SD cut-offs."""
    part = {
        "label": "Status-Index",
        "indicators": [{"id": c, "polarity": 1, "weight": 1} for c in ("A", "B", "C")],
        "standardization": {"method": "zscore", "ddof": 0},
        "aggregation": "sum",
        "restandardization": {"method": "zscore", "ddof": 0},
        "classification": {"rule": "sd_cutoffs", "cutoffs": [-1, 1, 1.5], "belongs_to": ["upper", "lower", "lower"],
                           "classes": [{"code": i + 1, "label": t} for i, t in enumerate(["hoch", "mittel", "niedrig", "sehr niedrig"])]},
    }
    data = {"name": "test", "title": "Test", "status": part}
    for key, value in changes.items():
        data[key] = value
    return copy.deepcopy(data)


def _write(tmp_path, data, name="r.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path
