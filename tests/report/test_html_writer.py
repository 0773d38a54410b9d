"""The digital report's HTML (issue #12) without a browser: map areas as links to their Steckbrief (or focusable),
a map's values as a table, the search data as escaped JSON, the one script allowed by its hash in the CSP."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re

import pytest

from sozialplanung.report import html_writer
from sozialplanung.report.model import Document, Group, Heading, para
from sozialplanung.report.page import figure
from sozialplanung.viz import atlas

HOSTILE = '</script><script>alert(1)</script> & "Ort"'


@pytest.fixture(scope="module")
def karte(synthetic_dp):
    return figure({}, "karte-Q", lambda: atlas.indicator_map(synthetic_dp, "Q"), "Karte: Quote.")


def _steckbrief(gid: str, name: str) -> Group:
    return Group([Heading(2, f"Steckbrief {name}"), para("…")], anchor=f"steckbrief-{gid}", role="steckbrief")


def _titles(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<title>([^<]*)</title>", svg)]


def test_map_areas_link_to_their_steckbrief_or_are_focusable(karte, synthetic_dp):
    titles = _titles(karte.svg)
    assert len(titles) == 6 and all(t.split(" ", 1)[0] in synthetic_dp.shown_ids for t in titles)
    page = str(html_writer.blocks_html([karte, _steckbrief("101", "Ort 101"), _steckbrief("202", "Ort 202")]))
    links = re.findall(r'<a href="#(steckbrief-\d+)" class="gebiet"><title>([^<]*)</title><path ', page)
    assert sorted(a for a, _ in links) == ["steckbrief-101", "steckbrief-202"]
    assert all(html.unescape(t).startswith(a.removeprefix("steckbrief-") + " ") for a, t in links)
    assert page.count('<g class="gebiet" tabindex="0"><title>') == 4  # no Steckbrief in the page: still focusable
    assert '<svg role="group" aria-label="' in page  # links inside role="img" would be hidden from assistive tech


def test_with_a_separate_volume_search_and_map_lead_to_its_page(karte):
    """More than STECKBRIEF_LIMIT areas (all of Berlin): the Steckbriefe are steckbriefe.html, the Bericht has none,
    and its search and map areas link there."""
    volume = Document(title="Steckbriefe", kind="steckbriefe",
                      blocks=[_steckbrief("101", "Ort 101"), _steckbrief("202", "Stülerstraße")])
    bericht = Document(title="Bericht", blocks=[Heading(1, "Karten", "k"), karte])
    page = html_writer.render(bericht, (volume, "steckbriefe.html"))
    links = re.findall(r'<a href="([^"]+)" class="gebiet">', page)
    assert sorted(links) == ["steckbriefe.html#steckbrief-101", "steckbriefe.html#steckbrief-202"]
    data = re.search(r'<script type="application/json" id="gebiete-daten">(.*?)</script>', page, re.S).group(1)
    assert json.loads(data)[1] == ["202", "Stülerstraße", "steckbriefe.html#steckbrief-202"]
    assert '<form id="suche"' in page
    own = html_writer.render(volume, (volume, "steckbriefe.html"))  # the volume itself links within its page
    data = re.search(r'<script type="application/json" id="gebiete-daten">(.*?)</script>', own, re.S).group(1)
    assert json.loads(data)[1][2] == "#steckbrief-202" and 'href="steckbriefe.html#' not in own
    assert '<form id="suche"' not in html_writer.render(bericht)  # no Steckbriefe anywhere: no search


def test_map_values_are_also_a_table(karte):
    page = str(html_writer.blocks_html([karte]))
    table = re.search(r'<details class="kartenwerte">(.*?)</details>', page, re.S).group(1)
    rows = re.findall(r'<tr><td class="text">([^<]*)</td><th scope="row">([^<]*)</th><td>([^<]*)</td></tr>', table)
    expected = [html.unescape(t) for t in _titles(karte.svg)]
    assert [f"{gid} {name}: {html.unescape(what)}" for gid, name, what in rows] == expected


def test_a_figure_without_areas_stays_an_image():
    from sozialplanung.report.model import Figure

    fig = Figure(svg='<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><path d="M0 0h1"/></svg>',
                 alt="Balken", caption="Abb.")
    page = str(html_writer.blocks_html([fig]))
    assert '<svg role="img" aria-label="Balken"' in page and "kartenwerte" not in page and "gebiet" not in page


def test_search_data_is_json_that_cannot_close_its_script():
    doc = Document(title="T", blocks=[_steckbrief("101", HOSTILE), _steckbrief("102", "Stülerstraße")])
    text = str(html_writer.areas_json(doc))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == [["101", HOSTILE, "#steckbrief-101"], ["102", "Stülerstraße", "#steckbrief-102"]]
    page = html_writer.render(doc)
    data = re.search(r'<script type="application/json" id="gebiete-daten">(.*?)</script>', page, re.S).group(1)
    assert json.loads(data)[0][1] == HOSTILE
    assert page.count("<script") == 2  # the data and the one script; the hostile name is no element


def test_the_only_script_is_allowed_by_its_hash(synthetic_dp):
    page = html_writer.render(Document(title="T", blocks=[_steckbrief("101", "Ort 101")]))
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 1 and scripts[0] == html_writer.SCRIPT
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert f"script-src 'sha256-{digest}'" in html.unescape(csp)
    assert "default-src 'none'" in html.unescape(csp) and "unsafe-eval" not in csp
    assert '<form id="suche" role="search" hidden>' in page  # shown by the script only: nothing dead with JS off


def test_no_search_without_steckbriefe():
    page = html_writer.render(Document(title="T", blocks=[Heading(1, "Kapitel", "k"), para("Text")]))
    assert '<form id="suche"' not in page and '<script type="application/json"' not in page
