"""PDF outputs of a real (small) render, written by Typst: bericht.pdf and kurzfassung.pdf identify as PDF/UA-1 and
are tagged, every figure has alt text, bookmarks exist, Kurzfassung ≤ 4 pages, one tagged Steckbrief PDF per area, no
text (tables, figure labels) outside the page margins. (The writer itself, with synthetic and hostile documents:
test_typst_writer.py.)"""

from __future__ import annotations

import shutil
import subprocess

import pikepdf
import pytest
from pypdf import PdfReader

from sozialplanung.report import typst_writer as tw
from sozialplanung.report.model import Cell, Document, Heading, Table

pytestmark = pytest.mark.xdist_group("bericht_klein")  # shares one rendered report

A4_WIDTH, MARGIN = 595.28, 56.69  # points; report.typ: A4, 2 cm left and right
OVERHANG = 6.0  # Typst lets hyphens and punctuation hang into the margin (text.overhang), at most about half an em


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


# ----------------------------------------------------------------------------- nothing outside the margins
def _mul(a, b):
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2],
            a[2] * b[1] + a[3] * b[3], a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


def _widths(font) -> tuple[dict[int, float], float]:
    """Glyph id → advance (1/1000 em) of one of Typst's Type0 fonts, and the default advance."""
    cid = font.DescendantFonts[0]
    out, w, i = {}, list(cid.get("/W", [])), 0
    while i < len(w):
        if isinstance(w[i + 1], pikepdf.Array):
            out.update({int(w[i]) + k: float(v) for k, v in enumerate(w[i + 1])})
            i += 2
        else:
            out.update({c: float(w[i + 2]) for c in range(int(w[i]), int(w[i + 1]) + 1)})
            i += 3
    return out, float(cid.get("/DW", 1000))


def _runs(stream, resources, ctm, fonts, out):
    """Horizontal extent (x0, x1 in points) of every text run of a content stream (and the forms it draws)."""
    stack, tm, font, size = [], [1, 0, 0, 1, 0, 0], None, 0.0
    for operands, op in pikepdf.parse_content_stream(stream):
        op = str(op)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop()
        elif op == "cm":
            ctm = _mul([float(v) for v in operands], ctm)
        elif op == "Tm":
            tm = [float(v) for v in operands]
        elif op == "Tf":
            font, size = fonts.get(str(operands[0])), float(operands[1])
        elif op == "Do" and resources.XObject[str(operands[0])].Subtype == "/Form":
            form = resources.XObject[str(operands[0])]
            inner = form.get("/Resources", resources)
            own = {str(k): _widths(f) for k, f in inner.get("/Font", {}).items()}
            _runs(form, inner, _mul([float(v) for v in form.get("/Matrix", [1, 0, 0, 1, 0, 0])], ctm),
                  {**fonts, **own}, out)
        elif op in ("TJ", "Tj") and font is not None:
            units = 0.0
            for part in operands[0] if op == "TJ" else [operands[0]]:
                if isinstance(part, pikepdf.String):
                    b = bytes(part)
                    units += sum(font[0].get(int.from_bytes(b[i:i + 2], "big"), font[1]) for i in range(0, len(b), 2))
                else:
                    units -= float(part)
            m = _mul(tm, ctm)
            out.append(sorted((m[4], m[4] + units / 1000 * size * m[0])))
    return out


def outside_margins(path) -> list[str]:
    """German descriptions of text runs (table cells, figure labels, lines) reaching outside the left or right page
    margin: the check WeasyPrint's layout boxes gave before, on Typst's PDF itself."""
    problems = []
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            fonts = {str(k): _widths(f) for k, f in page.Resources.get("/Font", {}).items()}
            for x0, x1 in _runs(page, page.Resources, [1, 0, 0, 1, 0, 0], fonts, []):
                if x0 < MARGIN - OVERHANG or x1 > A4_WIDTH - MARGIN + OVERHANG:
                    problems.append(f"Seite {number}: Text von {x0:.0f} bis {x1:.0f} pt ragt über den Rand")
    return problems


def test_a_table_too_wide_for_the_page_is_found(tmp_path):
    wide = Table(caption="Zu breit", header=[[Cell(f"Spalte{k}") for k in range(14)]],
                 rows=[[Cell("1234567890123", numeric=True) for _ in range(14)]])
    path = tw.write_pdf(Document(title="Breit", blocks=[Heading(1, "Breit"), wide], kind="indikatorblatt"),
                        tmp_path / "breit.pdf")
    assert any("ragt über den Rand" in p for p in outside_margins(path))
    narrow = Table(caption="Passt", header=[[Cell("Gebiet"), Cell("Anteil", numeric=True)]],
                   rows=[[Cell("Gebiet A"), Cell("12,5 %", numeric=True)]])
    assert outside_margins(tw.write_pdf(Document(title="Schmal", blocks=[Heading(1, "Schmal"), narrow],
                                                 kind="indikatorblatt"), tmp_path / "schmal.pdf")) == []


def test_no_text_outside_the_page_margins(bericht_klein):
    folder, dp, _, _ = bericht_klein
    for path in [folder / "bericht.pdf", folder / "kurzfassung.pdf", folder / "steckbriefe" / f"{dp.shown_ids[0]}.pdf"]:
        assert outside_margins(path) == [], path.name
