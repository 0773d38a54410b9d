"""Ergebnisse: saved beside the report folder, read back without refitting, stale files never used."""

import json
import warnings
from types import SimpleNamespace

import pandas as pd
import pytest
from pydantic import BaseModel

from conftest import PARAMS, edit_yaml
from sozialplanung.analysis import ergebnisse as er
from sozialplanung.analysis import pipeline
from sozialplanung.config.params import Params, read_params
from sozialplanung.data.datenpaket import input_files, load_datenpaket

REPORT_ONLY = {"kommune", "bezugsname", "slug", "status", "indicators", "key_indicators", "berichtsgebiet", "texts",
               "sources", "impressum", "zitiervorschlag", "batch", "vergleichsring",
               "rangfolgen"}
"""Params fields that change only what a report shows, never an analysis result (not in the fingerprint)."""


@pytest.fixture(scope="module")
def mitte():
    return load_datenpaket(PARAMS / "berlin" / "mitte.yaml")


@pytest.fixture()
def calls(monkeypatch):
    """How often each pipeline function ran (the fits)."""
    counts = {}
    for name in ("sozialindex", "sensitivity", "faktorenanalyse", "clusteranalyse", "raeumliche_statistik"):
        original = getattr(pipeline, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            counts[_name] = counts.get(_name, 0) + 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(pipeline, name, counted)
    return counts


def test_round_trip_reads_without_refitting(mitte, tmp_path, calls):
    report = tmp_path / "berlin-mitte"
    first = er.Ergebnisse(mitte, report, quiet=True)
    fitted = {key: first.get(key) for key in ("index", "fa", "spatial")}
    assert calls == {"sozialindex": 1, "faktorenanalyse": 1, "raeumliche_statistik": 1}
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.pkl"))
    assert files == [f".ergebnisse/{first.fingerprint[:32]}/{k}.pkl" for k in ("fa", "index", "spatial")]
    assert not report.exists()  # nothing inside the (published) report folder

    again = er.Ergebnisse(mitte, report)
    for key, result in fitted.items():
        assert again.get(key) is not result
    assert calls == {"sozialindex": 1, "faktorenanalyse": 1, "raeumliche_statistik": 1}  # read, not fitted
    pd.testing.assert_frame_equal(again.get("index").to_frame(), fitted["index"].to_frame())
    pd.testing.assert_frame_equal(again.get("fa").scores_, fitted["fa"].scores_)
    pd.testing.assert_frame_equal(again.get("spatial").lisa_, fitted["spatial"].lisa_)
    assert again.get("fa").explained_variance_.equals(fitted["fa"].explained_variance_)
    header = json.loads(again.path("fa").read_bytes().split(b"\n", 1)[0])
    assert header["fingerprint"] == again.fingerprint and header["format"] == er.FORMAT


def test_each_analysis_is_fitted_once_in_memory(mitte, calls):
    results = er.Ergebnisse(mitte, quiet=True)  # no folder: memory only
    report = results.for_report()
    assert set(report) == {"index", "fa", "typology", "spatial", "hinweise", "ergebnisse"} and report["hinweise"] == []
    assert report["ergebnisse"] is results
    assert results.get("typology") is report["typology"] and results.get("index") is report["index"]
    # the typology reuses the fitted factor analysis and index (letters by Status-Index)
    assert calls == {"sozialindex": 1, "faktorenanalyse": 1, "clusteranalyse": 1, "raeumliche_statistik": 1}


def test_stale_fingerprint_is_recomputed(mitte_params, tmp_path, calls):
    report = tmp_path / "out" / "bericht"
    dp = load_datenpaket(mitte_params)
    old = er.Ergebnisse(dp, report, quiet=True)
    old.get("spatial")
    assert old.get("spatial").column_ == "S4"

    edit_yaml(mitte_params, "indicator: S4", "indicator: S1")  # other params → other fingerprint
    changed = er.Ergebnisse(load_datenpaket(mitte_params), report, quiet=True)
    assert changed.fingerprint != old.fingerprint
    assert changed.get("spatial").column_ == "S1"
    assert calls["raeumliche_statistik"] == 2

    # a file whose header does not match (other code or versions under the same name) is not used
    path = old.path("spatial")
    body = path.read_bytes().split(b"\n", 1)[1]
    path.write_bytes(json.dumps({**old._header("spatial"), "bibliothek": "0.0.0"}).encode() + b"\n" + body)
    assert er.Ergebnisse(dp, report, quiet=True).get("spatial").column_ == "S4"
    assert calls["raeumliche_statistik"] == 3
    assert json.loads(path.read_bytes().split(b"\n", 1)[0]) == old._header("spatial")  # replaced


def test_input_change_changes_the_fingerprint(mitte_params):
    before = er.fingerprint(load_datenpaket(mitte_params))
    recipe = mitte_params.parents[1] / "rezepte" / "mss.yaml"
    recipe.write_text(recipe.read_text(encoding="utf-8") + "\n# geändert\n", encoding="utf-8")
    assert er.fingerprint(load_datenpaket(mitte_params)) != before


def test_failing_analysis_stores_its_german_message(mitte_params, tmp_path, calls):
    edit_yaml(mitte_params, "indicators: [S1, S3, S4, D1, D3, D4, KI_01, KI_02, KI_03, KI_07, KI_09, KI_10]",
              "indicators: [S1]")
    dp = load_datenpaket(mitte_params)
    results = er.Ergebnisse(dp, tmp_path / "bericht", quiet=True)
    assert results.optional("fa") is None
    message = "Mindestens 3 Indikatoren werden gebraucht, gefunden: 1."
    assert results.hinweise == {"fa": message}
    with pytest.raises(er.SozialplanungError, match=message):
        results.get("fa")
    with pytest.raises(er.SozialplanungError, match=message):  # the typology needs the factor scores
        results.get("typology")

    again = er.Ergebnisse(dp, tmp_path / "bericht", quiet=True)
    report = again.for_report()
    assert calls["faktorenanalyse"] == 1  # the failure was read back from its file, not retried
    assert report["fa"] is None and report["typology"] is None  # no typology without factor scores
    assert report["index"] is not None and report["spatial"] is not None
    assert report["hinweise"] == [f"fa: {message}"]  # as the report's „Nicht berechnet“ notes


def test_results_folder_is_beside_the_report_folder(tmp_path):
    assert er.folder_for(tmp_path / "output" / ".berlin-mitte.neu-host-1") == (tmp_path / "output" / ".ergebnisse")


# -- shared across a batch: the fingerprint covers exactly what the analyses depend on ----------------------
def _leaves(model: BaseModel, prefix: str = ""):
    """Dotted paths of the fields of ``model``, into nested params models (not into lists or optional ones)."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from _leaves(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


def _changed(model: BaseModel, dotted: str, value) -> BaseModel:
    head, _, rest = dotted.partition(".")
    new = _changed(getattr(model, head), rest, value) if rest else value
    return model.model_copy(update={head: new})


def _fingerprint(params, inputs) -> str:
    with warnings.catch_warnings():  # a changed value of another type: pydantic warns while dumping it
        warnings.simplefilter("ignore")
        return er.fingerprint(SimpleNamespace(params=params, inputs=inputs))


def test_every_params_field_is_on_one_side_of_the_fingerprint():
    """A new params field must be sorted in: changes an analysis (fingerprint) or only the report (REPORT_ONLY)."""
    assert set(Params.model_fields) - {"path", "unit"} == set(er.ANALYSIS_FIELDS) | REPORT_ONLY
    assert not set(er.ANALYSIS_FIELDS) & REPORT_ONLY


def test_each_analysis_field_changes_the_fingerprint_and_no_other():
    params = read_params(PARAMS / "berlin" / "mitte.yaml")
    inputs = input_files(params)  # the input files' contents: test_input_change_changes_the_fingerprint
    base = _fingerprint(params, inputs)
    relevant = [f for top in er.ANALYSIS_FIELDS for f in (_leaves(getattr(params, top), f"{top}.")
                if isinstance(getattr(params, top), BaseModel) else [top]) if f != "analyses.run"]
    assert len(relevant) > 40 and "analyses.factor.rotation" in relevant and "datenschutz.min_count" in relevant
    unchanged = [f for f in relevant if _fingerprint(_changed(params, f, "geändert"), inputs) == base]
    assert unchanged == []  # each would serve stale results
    for field in [*REPORT_ONLY, "analyses.run"]:
        assert _fingerprint(_changed(params, field, "geändert"), inputs) == base, field


VARIANT = {"kommune: \"Berlin-Mitte\"": "kommune: Variante", "slug: berlin-mitte": "slug: variante",
           "status: entwurf": "status: veroeffentlichung", "ids: [\"01\"]": "ids: [\"011001\"]",
           "level: Bezirk\n  ids": "level: Bezirksregion\n  ids", "texts: texte": "texts: null",
           "key_indicators: [S1, S3, S4]": "key_indicators: [S4]\nindicators: [S1, S3, S4]\nzitiervorschlag: Z\n"
                                          "impressum: {herausgeber: Amt}",
           "  - \"Senatsverwaltung": "  - \"Andere Quelle\"\n  - \"Senatsverwaltung",
           "analyses:\n": "analyses:\n  run: [faktorenanalyse, clusteranalyse]\n"}
"""Mitte with every other REPORT_ONLY field changed too (Berichtsgebiet: one Bezirksregion)."""


def _saved(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / ".ergebnisse").rglob("*.pkl"))}


def test_berlin_and_its_bezirke_share_byte_identical_results(mitte_params, tmp_path, calls):
    """Berlin and Mitte (and a variant) get one fingerprint; in one output folder the second report fits
    nothing, and every saved file is byte for byte that of a solo computation."""
    variant = mitte_params.with_name("variante.yaml")
    variant.write_text(mitte_params.read_text(encoding="utf-8"), encoding="utf-8")
    for old, new in VARIANT.items():
        edit_yaml(variant, old, new)
    berlin, mitte, other = (load_datenpaket(mitte_params.with_name(n)) for n in ("berlin.yaml", "mitte.yaml",
                                                                               "variante.yaml"))
    assert len(other.shown_ids) < len(mitte.shown_ids) < len(berlin.shown_ids) and other.params.texts is None
    assert er.fingerprint(berlin) == er.fingerprint(mitte) == er.fingerprint(other)

    def compute(dp, root):
        results = er.Ergebnisse(dp, root / dp.params.slug, quiet=True)
        return [results.optional(key) for key in er.ANALYSES]

    compute(berlin, tmp_path / "berlin")
    compute(other, tmp_path / "variante")
    fits = dict(calls)
    assert fits["faktorenanalyse"] == 2 and fits["raeumliche_statistik"] == 2  # once per solo computation
    compute(berlin, tmp_path / "stapel")
    compute(mitte, tmp_path / "stapel")  # the batch: Mitte reads what Berlin fitted
    assert calls["faktorenanalyse"] == 3 and calls["raeumliche_statistik"] == 3 and calls["sozialindex"] == 3
    solo, batch = _saved(tmp_path / "berlin"), _saved(tmp_path / "stapel")
    assert len(solo) == len(er.ANALYSES) and solo == _saved(tmp_path / "variante") == batch
