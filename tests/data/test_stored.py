"""The protected Datenpaket kept beside the report folders (sozialplanung.data.stored)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from paramkit import BITBURG, copied_params
from sozialplanung.config.params import read_params
from sozialplanung.data import datenpaket, stored
from sozialplanung.data.datenpaket import load_datenpaket

DEMO = BITBURG.parents[2] / "lib" / "sozialplanung" / "demo" / "bitburg_pruem"


@pytest.fixture
def kommune(tmp_path):
    """A copy of the Bitburg-Prüm params and data, and a report folder in an output root."""
    folder = tmp_path / "kommune"
    shutil.copytree(DEMO, folder)
    (folder / "params.yaml").write_text(copied_params(), encoding="utf-8")
    return folder / "params.yaml", tmp_path / "output" / ".bitburg.neu-1"


@pytest.fixture
def loads(monkeypatch):
    """Counts the loads that read the inputs."""
    calls = []
    real = datenpaket._load

    def counting(params):
        calls.append(params.slug)
        return real(params)

    monkeypatch.setattr(datenpaket, "_load", counting)
    return calls


def _same(a, b):
    pd.testing.assert_frame_equal(a.values(), b.values())
    pd.testing.assert_frame_equal(a.withheld(), b.withheld())
    pd.testing.assert_frame_equal(a.suppression_log, b.suppression_log)
    assert a.not_rated == b.not_rated and a.protocol == b.protocol


def test_the_second_load_of_a_run_reads_the_kept_datenpaket(kommune, loads):
    params, out = kommune
    first = load_datenpaket(params, out)
    second = load_datenpaket(params, out)
    assert len(loads) == 1
    _same(second, load_datenpaket(params))  # the same as reading the inputs
    assert [p.name for p in (out.parent / ".ergebnisse" / "datenpaket").glob("*.pkl")] != []
    assert not out.exists() or not list(out.rglob("*.pkl"))  # never inside the report folder
    assert second.params == first.params


def test_other_inputs_or_params_load_again(kommune, loads):
    params, out = kommune
    load_datenpaket(params, out)
    data = params.parent / "daten.csv"
    data.write_text(data.read_text(encoding="utf-8").replace("\n", "\r\n"), encoding="utf-8")  # same values
    load_datenpaket(params, out)
    params.write_text(params.read_text(encoding="utf-8").replace("min_count: 3", "min_count: 5"), encoding="utf-8")
    strict = load_datenpaket(params, out)
    assert len(loads) == 3
    assert strict.withheld().sum().sum() >= load_datenpaket(params).withheld().sum().sum()


def test_a_damaged_file_is_loaded_again_and_replaced(kommune, loads):
    params, out = kommune
    load_datenpaket(params, out)
    (path,) = (out.parent / ".ergebnisse" / "datenpaket").glob("*.pkl")
    path.write_bytes(path.read_bytes()[:200])
    _same(load_datenpaket(params, out), load_datenpaket(params))
    assert len(loads) == 3  # the damaged one, then the plain load of the comparison
    load_datenpaket(params, out)
    assert len(loads) == 3


def test_without_output_dir_nothing_is_kept(kommune, loads):
    params, out = kommune
    load_datenpaket(params)
    load_datenpaket(params, "")
    assert len(loads) == 2 and not (out.parent / ".ergebnisse").exists()


def test_units_of_a_batch_share_one_file_and_keep_their_own_params(tmp_path, loads):
    """Every Kreis of the Gemeinden batch is protected by the same suppression: loaded once, shown apart."""
    from paramkit import PARAMS

    out = tmp_path / "output" / ".x.neu-1"
    a = load_datenpaket(read_params(PARAMS / "deutschland" / "kreise-gemeinden.yaml#07232"), out)
    b = load_datenpaket(read_params(PARAMS / "deutschland" / "kreise-gemeinden.yaml#09184"), out)
    assert len(loads) == 1
    assert stored.key(a.params) == stored.key(b.params)
    assert b.params.kommune == "München" and a.params.kommune != b.params.kommune
    assert set(b.shown_ids) != set(a.shown_ids) and all(i.startswith("09184") for i in b.shown_ids)
    pd.testing.assert_frame_equal(a.withheld(), b.withheld())
    assert str(b.inputs["params"]).endswith("kreise-gemeinden.yaml")
    # the Bezugsgesamtheit's total is named by bezugsname, which every unit keeps
    from sozialplanung.data.datenschutz import published_groups

    assert [g.label for g in published_groups(b) if g.level == "Kommune"] == ["Deutschland"]
