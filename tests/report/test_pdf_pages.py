"""No page of a PDF is (nearly) empty (issue #12): every page holds at least ~200 characters of text, except the
title page and pages that a figure fills. Measured on the small report (Prognoseraum 0110 of Berlin-Mitte) with
pypdf; a figure page is recognised by its drawing (the content stream of a map is hundreds of kB, a text page a
few kB)."""

from __future__ import annotations

import pytest

pytest.importorskip("pypdf")
from pypdf import PdfReader  # noqa: E402

pytestmark = pytest.mark.xdist_group("bericht_klein")  # shares one rendered report

MIN_CHARS = 200
"""Characters of text (without whitespace) a page must hold, the running footer included (about 40)."""
FIGURE_BYTES = 50_000
"""A page whose content stream is larger than this is drawn, i.e. a figure (maps: 100–300 kB; text pages: < 10 kB)."""


def short_pages(path) -> list[tuple[int, int, str]]:
    """(page number, characters, text) of every page below :data:`MIN_CHARS` that is neither the title page nor a
    figure."""
    out = []
    for number, page in enumerate(PdfReader(path).pages, 1):
        text = " ".join((page.extract_text() or "").split())
        chars = len(text.replace(" ", ""))
        drawn = len(page.get_contents().get_data()) if page.get_contents() is not None else 0
        if chars < MIN_CHARS and number > 1 and drawn < FIGURE_BYTES:
            out.append((number, chars, text[:120]))
    return out


@pytest.mark.parametrize("name", ["bericht.pdf", "kurzfassung.pdf"])
def test_no_page_is_nearly_empty(bericht_klein, name):
    folder, *_ = bericht_klein
    assert short_pages(folder / name) == []


def test_steckbrief_pages_are_full(bericht_klein):
    folder, *_ = bericht_klein
    files = sorted((folder / "steckbriefe").glob("*.pdf"))
    assert len(files) == 16
    assert [(f.name, p) for f in files for p in short_pages(f)] == []


def test_the_check_finds_a_heading_only_page(tmp_path):
    """A page holding only a heading and a footer (Anhang B of Mitte before the fix) is found."""
    from sozialplanung.report import typst_writer
    from sozialplanung.report.model import Document, Heading, PageBreak, para

    text = "Ein ganzer Absatz Text, der die Seite füllt. " * 12
    doc = Document(title="Test", kommune="Test", kind="bericht",
                   blocks=[Heading(1, "Kapitel 1", "k1"), para(text), Heading(1, "Anhang B", "k2"), PageBreak(),
                           para(text)])
    path = typst_writer.write_pdf(doc, tmp_path / "t.pdf") or tmp_path / "t.pdf"
    found = short_pages(path)
    assert [n for n, _, t in found if "Anhang B" in t], found
