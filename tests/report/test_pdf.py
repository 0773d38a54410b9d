"""PDF outputs: nothing runs past the page's content box, Kurzfassung ≤ 4 pages, tagged PDF/UA, one
Steckbrief PDF per area."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from pypdf import PdfReader

from sozialplanung.report import pdf
from sozialplanung.errors import SozialplanungError

pytestmark = pytest.mark.xdist_group("bericht_klein")  # shares one rendered report


def test_overflow_check_can_fail():
    wide = ('<html lang="de"><head><title>t</title><style>@page{size:A4;margin:20mm}</style></head><body>'
            '<table style="width:300mm"><tr><td>breit</td></tr></table></body></html>')
    assert any("rechten Rand" in p for p in pdf.overflowing_boxes(pdf.layout(wide)))


def test_no_table_or_figure_runs_past_the_page(bericht_klein):
    folder, *_ = bericht_klein
    for name in ("bericht.html",):
        document = pdf.layout((folder / name).read_text(encoding="utf-8"))
        assert pdf.overflowing_boxes(document) == []


def test_kurzfassung_at_most_four_pages_and_tagged(bericht_klein):
    folder, _, out, _ = bericht_klein
    reader = PdfReader(folder / "kurzfassung.pdf")
    assert 1 <= len(reader.pages) <= 4
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "de"
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()


def test_report_pdf_pages_and_steckbriefe_one_page_each(bericht_klein):
    folder, dp, out, _ = bericht_klein
    assert len(PdfReader(folder / "bericht.pdf").pages) == out["bericht.pdf"][1] > 20
    for gid in dp.shown_ids:
        reader = PdfReader(folder / "steckbriefe" / f"{gid}.pdf")
        assert len(reader.pages) == 1
        assert gid in reader.pages[0].extract_text()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) fehlt")
def test_pdf_pages_render_to_png(tmp_path, bericht_klein):
    folder, *_ = bericht_klein
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "6", str(folder / "bericht.pdf"),
                    str(tmp_path / "seite")], check=True, timeout=120)
    assert len(list(tmp_path.glob("seite*.png"))) == 6


@pytest.mark.parametrize("ref", ['<img src="https://evil.example/a.png" alt="x">', '<img src="bild.png" alt="x">',
                                 '<img src="//evil.example/a.png" alt="x">',
                                 '<p style="background:url(file:///etc/hosts)">x</p>'])
def test_external_resource_is_a_german_error(ref):
    with pytest.raises(SozialplanungError, match=r"^Der Bericht verweist auf eine Ressource außerhalb des "
                                                 r"Dokuments \((https://evil|file://)"):
        pdf.layout(f'<html lang="de"><head><title>t</title></head><body>{ref}</body></html>')


def test_embedded_image_is_fine():
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    document = pdf.layout(f'<html lang="de"><body><img src="data:image/png;base64,{png}" alt="x"></body></html>')
    assert len(document.pages) == 1
