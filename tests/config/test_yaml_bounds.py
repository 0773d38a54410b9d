"""Bounded YAML: alias bombs, deep nesting, huge files and odd values end in a German error, fast.

The files are hostile inputs written by the tests (described in tests/bad_inputs/README.md); the params file the
bomb is put in front of is the unchanged Berlin-Mitte demo params.
"""

from __future__ import annotations

import re
import time
import tracemalloc

import pytest

import sozialplanung as sp
from sozialplanung.errors import SozialplanungError
from sozialplanung.config.catalogue import read_catalogue
from sozialplanung.cli import main
from sozialplanung.config.yamlio import MAX_ALIASES, MAX_BYTES, read_yaml

from conftest import PARAMS, REPO, edit_yaml
from paramkit import copied_params


def billion_laughs() -> str:
    """Nine anchors, each a list of nine aliases of the one before: 9⁹ ≈ 387 million strings."""
    names = "abcdefghi"
    lines = ["a: &a [" + ", ".join(['"lol"'] * 9) + "]"]
    lines += [f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]" for prev, cur in zip(names, names[1:])]
    return "\n".join(lines) + "\n"


BOMB = "ergäbe nach dem Auflösen der YAML-Verweise („*…“) mehr als 100.000 Einträge"
BOMB_MESSAGE = re.escape(BOMB)


def test_billion_laughs_fast_and_small(tmp_path):
    path = tmp_path / "bombe.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(SozialplanungError, match=BOMB_MESSAGE) as exc:
            read_yaml(path)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seconds < 0.5 and peak < 50_000_000, (seconds, peak)
    assert exc.value.file == str(path) and exc.value.row == 6  # the anchor whose expansion crosses the limit


def test_validate_bomb_before_params_exits_2(tmp_path, capsys):
    params = tmp_path / "mitte.yaml"
    params.write_text(billion_laughs() + (PARAMS / "berlin" / "mitte.yaml").read_text(encoding="utf-8"),
                      encoding="utf-8")
    start = time.perf_counter()
    assert main(["validate", str(params)]) == 2
    assert time.perf_counter() - start < 5
    err = capsys.readouterr().err
    assert f"Datei {params}, Zeile 6: Die Datei {BOMB}." in err and "Traceback" not in err


HOSTILE = {
    "tief_fluss.yaml": ("x: " + "[" * 1000 + "]" * 1000 + "\n", "tiefer als 50 Ebenen verschachtelt", 1),
    "tief_block.yaml": ("".join("  " * i + f"e{i}:\n" for i in range(60)) + "  " * 60 + "x: 1\n",
                        "tiefer als 50 Ebenen verschachtelt", 50),
    "tief_zuordnung.yaml": ("x: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n", "tiefer als 50 Ebenen", 1),
    "viele_verweise.yaml": ("a: &a 1\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n",
                            f"mehr als {MAX_ALIASES} YAML-Verweise \\(„\\*a“\\)", 2),
    "selbstverweis.yaml": ("x: &a [1, *a]\n", "Der YAML-Verweis „\\*a“ steht in dem Eintrag, auf den er verweist", 1),
    "riesenzahl.yaml": ("kommune: x\nreport_year: " + "9" * 5000 + "\n", "Der Wert „9{40}…“ ist ungültig", 2),
    "falsches_datum.yaml": ("stichtag: !!timestamp 2020-13-45\n", "Der Wert „2020-13-45“ ist ungültig", 1),
    "zusammenfuehren.yaml": ("a: &a {x: 1}\nb: {<<: *a, y: 2}\n", "YAML-Syntax ist fehlerhaft", 2),
    "unbekannter_verweis.yaml": ("x: *fehlt\n", "undefined alias", 1),
    "python_tag.yaml": ("x: !!python/name:os.system\n", "YAML-Syntax ist fehlerhaft", 1),
    "liste_oben.yaml": ("- a\n- b\n", "Erwartet wird eine Zuordnung „schlüssel: wert“ auf oberster Ebene", None),
    "liste_als_schluessel.yaml": ("? [a, b]\n: 1\n", "Der Schlüssel „\\[…\\]“ ist kein Text", 1),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_yaml(tmp_path, name):
    text, message, row = HOSTILE[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SozialplanungError, match=message) as exc:
        read_yaml(path)
    assert exc.value.file == str(path) and exc.value.row == row


def test_file_too_large(tmp_path):
    path = tmp_path / "gross.yaml"
    path.write_text("kommentar: " + "x" * MAX_BYTES + "\n", encoding="utf-8")
    with pytest.raises(SozialplanungError, match="Die Datei ist größer als 1 MB"):
        read_yaml(path)


def test_many_plain_entries_without_aliases(tmp_path):
    path = tmp_path / "lang.yaml"
    path.write_text("x: [" + ",".join(["1"] * 100_001) + "]\n", encoding="utf-8")
    with pytest.raises(SozialplanungError, match="Die Datei hat mehr als 100.000 Einträge"):
        read_yaml(path)


def test_a_few_aliases_are_fine(tmp_path):
    path = tmp_path / "anker.yaml"
    path.write_text("quelle: &q Amt für Statistik\na: {source: *q}\nb: {source: *q}\n", encoding="utf-8")
    assert read_yaml(path)[0]["b"] == {"source": "Amt für Statistik"}


def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "utf16.yaml"
    path.write_bytes("kommune: Prüm\n".encode("utf-16"))
    assert read_yaml(path)[0] == {"kommune": "Prüm"}


def test_every_shipped_yaml_is_within_the_limits():
    files = [*REPO.glob("params/**/*.yaml"), *REPO.glob("lib/sozialplanung/demo/*/*.yaml")]
    assert len(files) > 15
    for f in files:
        read_yaml(f)


# -- catalogue --------------------------------------------------------------------------------------------

CATALOGUE = REPO / "lib" / "sozialplanung" / "demo" / "bitburg_pruem" / "indikatoren.yaml"


@pytest.fixture()
def catalogue(tmp_path):
    path = tmp_path / "indikatoren.yaml"
    path.write_text(CATALOGUE.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_catalogue_unknown_top_level_key_with_typo_hint(catalogue):
    edit_yaml(catalogue, "indicators:", "indicator:")
    with pytest.raises(SozialplanungError, match="Unbekanntes Feld „indicator“ \\(Tippfehler\\?\\)") as exc:
        read_catalogue(catalogue)
    assert exc.value.field == "indicator" and exc.value.row == 6
    assert exc.value.hint == "Meinten Sie „indicators“? Erlaubt sind: indicators."


def test_catalogue_extra_top_level_key(catalogue):
    edit_yaml(catalogue, "indicators:", "version: 2\nindicators:")
    with pytest.raises(SozialplanungError, match="Unbekanntes Feld „version“") as exc:
        read_catalogue(catalogue)
    assert exc.value.row == 6


@pytest.mark.parametrize("factor", [".inf", "-.inf", ".nan", "0"])
def test_catalogue_factor_finite_and_positive(catalogue, factor):
    edit_yaml(catalogue, "factor: 100", f"factor: {factor}")
    with pytest.raises(SozialplanungError, match="endliche Zahl|muss > 0") as exc:
        read_catalogue(catalogue)
    assert exc.value.field == "indicators.A1.factor"


def test_catalogue_bomb_via_datenpaket(tmp_path):
    """The catalogue, too, is read through the bounded reader."""
    folder = tmp_path / "paket"
    folder.mkdir()
    demo = CATALOGUE.parent
    for name in ("daten.csv", "gebiete.gpkg"):
        (folder / name).write_bytes((demo / name).read_bytes())
    (folder / "indikatoren.yaml").write_text(billion_laughs() + CATALOGUE.read_text(encoding="utf-8"),
                                             encoding="utf-8")
    (folder / "params.yaml").write_text(copied_params(), encoding="utf-8")
    with pytest.raises(SozialplanungError, match=BOMB_MESSAGE) as exc:
        sp.load_datenpaket(folder / "params.yaml")
    assert exc.value.file == "indikatoren.yaml"
