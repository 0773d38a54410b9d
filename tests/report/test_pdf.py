"""PDF outputs of a real (small) render, written by Typst: bericht.pdf and kurzfassung.pdf identify as PDF/UA-1 and
are tagged, every figure has alt text, bookmarks exist, Kurzfassung ≤ 4 pages, one tagged Steckbrief PDF per area.
(The writer itself, with synthetic and hostile documents: test_typst_writer.py.)"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.xdist_group("bericht_klein")  # shares one rendered report


def _is_pdf_ua(reader: PdfReader) -> bool:
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data()
    return ("/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"]) and root["/Lang"] == "de"
            and b"<pdfuaid:part>1</pdfuaid:part>" in xmp and bool(reader.metadata.title))


def _figures(node, found):
    node = node.get_object()
    if isinstance(node, dict):
        if node.get("/S") == "/Figure":
            found.append(node)
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            if hasattr(kid, "get_object") or isinstance(kid, dict):
                _figures(kid, found)
    return found


@pytest.mark.parametrize("name", ["bericht.pdf", "kurzfassung.pdf"])
def test_pdf_is_tagged_pdf_ua_1_and_every_figure_has_alt_text(bericht_klein, name):
    folder, *_ = bericht_klein
    reader = PdfReader(folder / name)
    assert _is_pdf_ua(reader)
    figures = _figures(reader.trailer["/Root"]["/StructTreeRoot"], [])
    assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)


def test_bericht_has_bookmarks_and_page_count(bericht_klein):
    folder, _, out, _ = bericht_klein
    reader = PdfReader(folder / "bericht.pdf")
    assert len(reader.pages) == out["bericht.pdf"][1] > 10
    assert len(reader.outline) >= 5


def test_kurzfassung_at_most_four_pages(bericht_klein):
    folder, *_ = bericht_klein
    assert 1 <= len(PdfReader(folder / "kurzfassung.pdf").pages) <= 4


def test_one_tagged_steckbrief_pdf_per_area(bericht_klein):
    folder, dp, _, _ = bericht_klein
    assert sorted(p.stem for p in (folder / "steckbriefe").glob("*.pdf")) == sorted(dp.shown_ids)
    for gid in dp.shown_ids:
        reader = PdfReader(folder / "steckbriefe" / f"{gid}.pdf")
        assert len(reader.pages) == 1
        assert gid in reader.pages[0].extract_text()
        assert _is_pdf_ua(reader)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) fehlt")
def test_pdf_pages_render_to_png(bericht_klein, tmp_path):
    folder, *_ = bericht_klein
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "6", str(folder / "bericht.pdf"),
                    str(tmp_path / "seite")], check=True, timeout=120)
    assert len(list(tmp_path.glob("seite*.png"))) == 6
