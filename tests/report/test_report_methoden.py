"""The Methodenanhang and the legends follow the recipe actually used, without editing notebooks or templates."""

from __future__ import annotations

import sozialplanung as sp
from sozialplanung.viz import atlas
from sozialplanung.report import methoden
from sozialplanung.report.html_writer import blocks_html
from conftest import edit_yaml


def _anhang(params_path):
    dp = sp.load_datenpaket(params_path)
    index = sp.analysis.pipeline.sozialindex(dp)
    html = str(blocks_html(methoden.section_methoden(dp, {"index": index})))
    fig = atlas.index_map(dp, index, "status")
    return html, fig.alt_text, index


def test_changing_a_cutoff_changes_methodenanhang_and_legend(mitte_params):
    html, alt, index = _anhang(mitte_params)
    assert "1 &lt; x ≤ 1,5" in html and "x &gt; 1,5" in html
    assert "x > 1,5" in alt
    recipe = mitte_params.parents[1] / "rezepte" / "mss.yaml"
    edit_yaml(recipe, "cutoffs:    [-1.0,  1.0,   1.5]", "cutoffs:    [-1.0,  1.0,   2.0]")
    html2, alt2, index2 = _anhang(mitte_params)
    assert "1 &lt; x ≤ 2" in html2 and "x &gt; 2" in html2 and "1,5" not in html2.split("Status-Index: Klassengrenzen")[1][:400]
    assert "x > 2" in alt2 and "x > 1,5" not in alt2
    n_before = int((index.status_ == 4).sum())
    n_after = int((index2.status_ == 4).sum())
    assert n_after < n_before  # a higher cut-off leaves fewer areas in „sehr niedrig“


def test_methodenanhang_states_parameters_and_suppression(mitte_params):
    html, _, _ = _anhang(mitte_params)
    for text in ("Parameter dieses Laufs", "Mindesteinwohnerzahl", "z-standardisiert", "Datenschutz",
                 "Indikatorenkatalog", "≈"):
        assert text in html, text


def test_crosswalk_section_states_method_and_error_of_the_series():
    """The Gebietsschlüssel section: the errors of zeitreihe.yaml (recomputed from ../shared in
    tests/data/test_crosswalk.py) in German; no section for a single-year report."""
    import yaml

    from sozialplanung.report.model import plain_text

    series = sp.load_datenpaket(sp.find_params("berlin/mitte.yaml"))
    text = plain_text(methoden.describe_crosswalk(series))
    manifest = yaml.safe_load((sp.find_params("berlin/mitte.yaml").parents[2]
                               / "lib/sozialplanung/demo/berlin/zeitreihe.yaml").read_text(encoding="utf-8"))
    err = manifest["gebietsschluessel"]["LOR bis 2020"]["fehler"]
    assert "LOR bis 2020 → LOR 2021 (Jahre 2013, 2015, 2017, 2019): IPF" in text
    assert "16,8 %" in text and "34,1 %" in text and "849,6 % (12200411)" in text  # areal: share > 20 %, P90, max
    assert f"11,8 % ({err['ipf']['max_id']})" in text and "misst die Anpassung" in text
    assert "05300838 hat 21 Einwohner/innen, nach Fläche kämen 4.775 an" in text
    assert methoden.describe_crosswalk(sp.load_datenpaket(sp.find_params("deutschland/kreise.yaml"))) == []
