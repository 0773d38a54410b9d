"""Issue 12 (reading experience): neutral type names without a contradiction to the index classes,
summary rows of parent areas in id order, one bullet style in the Kurzfassung."""

import re

import pytest

from sozialplanung.analysis import pipeline
from sozialplanung.report import chapters
from sozialplanung.report import findings
from sozialplanung.report import bericht
from sozialplanung.report import steckbrief
from sozialplanung.report import tables
from sozialplanung.report.html_writer import blocks_html
from sozialplanung.data.datenpaket import load_datenpaket
from sozialplanung.config.params import find_params

NEED_WORDS = re.compile(r"Handlungsbedarf|Bedarf", re.IGNORECASE)


@pytest.fixture(scope="module")
def mitte():
    """Mitte with Sozialindex and typology, as :func:`bericht.compute_results` fits them (without texts)."""
    dp = load_datenpaket(find_params("berlin/mitte.yaml"))
    index = pipeline.sozialindex(dp)
    fa = pipeline.faktorenanalyse(dp)
    typology = pipeline.clusteranalyse(dp, fa, index)
    results = {"index": index, "fa": fa, "typology": typology, "hinweise": [], "figures": {}, "texts": {}}
    results["findings"] = findings.compute_findings(dp, results)
    return dp, results


# ----------------------------------------------------------------------------- cluster types
def test_types_are_lettered_by_the_mean_status_score(mitte):
    dp, results = mitte
    typ, index = results["typology"], results["index"]
    means = index.status_score_.reindex(typ.labels_.index).groupby(typ.labels_).mean()
    assert list(typ.names_) == list(means.sort_values().index)
    assert list(typ.names_.values()) == ["Typ A", "Typ B", "Typ C", "Typ D"]
    # the fit is untouched: numbers by need score, memberships as before the renaming
    assert typ.sizes_.to_dict() == {1: 245, 2: 146, 3: 69, 4: 76}
    catalogue = {ind.name for ind in dp.catalogue.values()}
    for t, text in typ.descriptions_.items():
        named = [n for n in catalogue if n in text]
        assert named and (text.endswith(" hoch") or text.endswith(" niedrig")), text


def test_no_type_is_named_by_need(mitte):
    dp, results = mitte
    typ = results["typology"]
    assert not any(NEED_WORDS.search(t) for t in typ.titles().values())
    assert not any(NEED_WORDS.search(n) for n in typ.to_frame()["typ_name"].unique())
    typen = [f.text for f in results["findings"] if f.rule == "typen"]
    assert typen and "Typ A (" in typen[0] and not NEED_WORDS.search(typen[0])


def test_steckbrief_names_status_and_type_without_contradiction(mitte):
    dp, results = mitte
    typ = results["typology"]
    for gid in sorted(dp.shown_ids)[:3]:
        html = str(blocks_html(steckbrief.steckbrief(dp, results, gid)))
        facts = re.search(r'<ul class="fakten">(.*?)</ul>', html).group(1)
        assert "Status: " in facts
        assert f"Gebietstyp: {typ.title(int(typ.labels_[gid]), brackets=True)}" in facts
        assert not NEED_WORDS.search(facts), facts


def test_typology_chapter_lists_types_in_letter_order(mitte):
    dp, results = mitte
    html = str(blocks_html(chapters.section_typologie(dp, results)))
    rows = re.findall(r'<tr><th scope="row">(Typ [A-Z][^<]*)</th>', html)
    typ = results["typology"]
    assert rows == [typ.title(t) for t in typ.names_] and rows[0].startswith("Typ A: ")
    assert "Typ 1" not in html and not NEED_WORDS.search(html)
    assert "Status-Index" in html  # the order is explained


def test_status_dynamik_table_in_class_order(mitte):
    dp, results = mitte
    html = str(blocks_html(chapters.section_sozialindex(dp, results)))
    table = html[html.index("Status × Dynamik"):]
    heads = re.findall(r'<th scope="col">([^<]*)</th>', table)[:5]
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th>', table)[:5]
    assert heads == ["Status \\ Dynamik", "positiv", "stabil", "negativ", "Summe"]
    assert rows == ["hoch", "mittel", "niedrig", "sehr niedrig", "Summe"]


# ----------------------------------------------------------------------------- summary rows
def test_summary_rows_of_parent_areas_in_id_order():
    dp = load_datenpaket(find_params("berlin/berlin.yaml"))
    html = str(blocks_html(tables.indicator_block(dp, ["S1"])))
    foot = re.search(r"<tfoot>(.*)</tfoot>", html).group(1)
    heads = re.findall(r'<th scope="row" colspan="3">([^<]*)</th>', foot)
    names = dp.parents["Bezirk"].loc[sorted(set(dp.areas["Bezirk"])), "name"]
    assert heads == [f"Bezirk {n}" for n in names] + ["Berlin"]  # 01 Mitte … 12 Reinickendorf, then Berlin
    assert heads[0] == "Bezirk Mitte" and len(heads) == 13


# ----------------------------------------------------------------------------- bullets
def test_kurzfassung_has_one_bullet_style(mitte):
    """The findings of every kind (befund, ressource, hinweis) are items of plain lists in the model, and carry the
    same bullet in the PDF Typst sets (a nested or differently styled list would show another marker)."""
    import io

    from pypdf import PdfReader

    from sozialplanung.report import typst_writer
    from sozialplanung.report.model import BulletList, walk

    dp, results = mitte
    kinds = {f.kind for f in results["findings"]}
    assert {"befund", "ressource", "hinweis"} <= kinds
    document = bericht.kurzfassung_document(dp, results)
    items = [item for b in walk(document.blocks) if isinstance(b, BulletList) for item in b.items]
    assert len(items) == len(results["findings"])
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(typst_writer.render_pdf(document))).pages)
    markers = {ch for ch in text if ch in "•‣◦▪"}
    assert text.count("•") == len(results["findings"])
    assert markers == {"•"}, markers
