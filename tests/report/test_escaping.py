"""Hostile catalogue, area names, Kommune and sources: the report shows them as text, never as markup.

One small report (Prognoseraum 0110 of Berlin-Mitte, 16 Planungsräume) is built once per session with every
data string replaced by a hostile one (fixture ``hostile_report`` in conftest.py): Themenfeld, indicator name,
definition and source, area and parent-area names, ``kommune``, ``bezugsname``, ``sources`` and the
placeholders of an authored chapter. The HTML is parsed with :mod:`html.parser`: no element or
attribute from the data may appear, and each string is shown literally, escaped exactly once.
``test_browser.py`` opens the same report in Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

import sozialplanung as sp
from sozialplanung.report import html_writer

REPO = Path(__file__).resolve().parents[2]
REFRESH = "<meta http-equiv=refresh content=0;url=https://evil.example/>X"
HOSTILE = [REFRESH, "<b onmouseover=alert(1)>", "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
           "{{ 7*7 }}", "&amp;"]
MARKDOWN = "[klick](https://evil.example/) ![bild](https://evil.example/b.png) **fett**"
"""An area name full of Markdown: inserted by a placeholder, it must stay literal text."""
KOMMUNE, BEZUG = HOSTILE[2], HOSTILE[3]
PLACEHOLDERS = ["kommune", "bezugsgesamtheit", "berichtsgebiet", "s1_max_gebiet", "s1_min_gebiet",
                "s3_max_gebiet", "s4_max_gebiet"]
TAGS = {"html", "head", "meta", "title", "style", "body", "header", "nav", "main", "section", "div", "h1", "h2",
        "h3", "h4", "h5", "h6", "p", "ol", "ul", "li", "a", "figure", "img", "figcaption", "span", "table",
        "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "br", "code", "pre", "em", "strong",
        "form", "label", "input", "button", "details", "summary", "script"}
"""Every element the report itself writes."""
SVG_TAGS = {"svg", "g", "path", "text", "rect", "use", "defs", "style", "clippath", "line", "image", "title",
            "polygon", "polyline", "circle", "tspan", "pattern"}
"""Elements of the inline SVG figures (matplotlib's and the report's own; ``pattern``: hatch and dots)."""


class Page(HTMLParser):
    """Elements (tag, attributes) and text chunks (innermost open tag, text) of an HTML page."""

    VOID = {"meta", "img", "br", "hr", "input", "link"}

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.elements, self.chunks, self._open = [], [], []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self._open.append(tag)

    def handle_endtag(self, tag):
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag):]

    def handle_data(self, data):
        self.chunks.append((self._open[-1] if self._open else "", data))

    def text(self, tag: str | None = None) -> list[str]:
        return [d for t, d in self.chunks if tag is None or t == tag]


@pytest.fixture(scope="module", params=["bericht", "kurzfassung", "steckbriefe"])
def page(request, hostile_report):
    return hostile_report[3][request.param]


def test_no_element_or_attribute_from_the_data(page):
    doc = Page(page)
    assert {t for t, _ in doc.elements} <= TAGS | SVG_TAGS
    assert not [a for _, attrs in doc.elements for a in attrs if a.startswith("on")]
    metas = [attrs for t, attrs in doc.elements if t == "meta"]
    assert [m.get("http-equiv") for m in metas if "http-equiv" in m] == ["Content-Security-Policy"]
    assert all(attrs["src"].startswith("data:image/") for t, attrs in doc.elements if t == "img")
    assert not [t for t, _ in doc.elements if t == "b"]
    # the only scripts: the area list as JSON data and the report's own script (allowed by its hash in the CSP)
    scripts = [attrs for t, attrs in doc.elements if t == "script"]
    assert scripts in ([{}], [{"type": "application/json", "id": "gebiete-daten"}, {}]), scripts
    assert page.count("<script") == len(scripts) and html_writer.SCRIPT in page
    assert not re.search(r"<(meta http-equiv=refresh|b onmouseover|script>alert|img src=x)", page)


def test_no_double_escaping(page):
    text = "".join(Page(page).text())
    for entity in ("&lt;", "&gt;", "&quot;", "&#34;", "&#39;", "&amp;amp;"):
        assert entity not in text, entity


def test_data_strings_are_shown_literally(hostile_report):
    folder, dp, results, pages = hostile_report
    doc = Page(pages["bericht"])
    assert doc.text("h1") == [KOMMUNE] and doc.text("title")[0] == f"Sozialbericht {KOMMUNE} 2021"
    assert set(doc.text("h3")) >= set(dp.catalogue.themenfelder()) == set(HOSTILE)
    h4 = doc.text("h4")
    assert all(f"{ind.name} ({i})" in h4 for i, ind in dp.catalogue.items())
    paragraphs = doc.text("p")
    assert all(f"{bad}." in paragraphs for bad in HOSTILE)  # definitions
    notes = " ".join(paragraphs)
    assert all(f"Für das Kapitel „{bad}“ liegt noch kein redaktioneller Text vor" in notes for bad in HOSTILE)
    cells = doc.text("td")
    assert all(dp.areas.at[gid, "name"] in cells for gid in dp.shown_ids)
    assert set(doc.text("li")) >= {HOSTILE[0], HOSTILE[4]}  # params sources
    assert any(BEZUG in t for t in doc.text("th"))
    assert any(HOSTILE[1] in t for t in doc.text("span"))  # a figure's source line


def test_placeholders_in_authored_text_are_literal(hostile_report):
    folder, dp, results, pages = hostile_report
    values = sp.report.texts.placeholders(dp, results)
    assert any(MARKDOWN in values[name] for name in PLACEHOLDERS)  # the Markdown name is among them
    lines = [t.strip() for t in Page(pages["bericht"]).text("p")]
    for name in PLACEHOLDERS:
        assert f"{name}: {values[name]}" in lines, name


def test_alt_texts_carry_the_names_as_text(hostile_report):
    folder, dp, results, pages = hostile_report
    alts = [attrs.get("aria-label", "") for t, attrs in Page(pages["bericht"]).elements if t == "svg"]
    assert any(f"{dp.catalogue['S1'].name}" in alt for alt in alts)


def test_pdf_footer_shows_the_title_once_escaped(tmp_path, hostile_report):
    from pypdf import PdfReader

    from sozialplanung.report import typst_writer

    folder, dp, results, pages = hostile_report
    out = typst_writer.write_pdf(sp.report.steckbrief.volume(dp, results), tmp_path / "steckbriefe.pdf")
    text = PdfReader(out).pages[-1].extract_text()
    assert f"Sozialraum-Steckbriefe {KOMMUNE} 2021" in text
    assert "&lt;" not in text and "\\3c" not in text
