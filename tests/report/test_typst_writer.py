"""Typst PDF writer: PDF/UA-1 (XMP pdfuaid:part 1, tagged, /Lang de, title), alt text on every figure, header cells,
bookmarks, DejaVu Sans only; hostile data text prints verbatim (never spliced into Typst source); one tagged PDF per
Steckbrief. Synthetic model documents (unit tests)."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from sozialplanung.errors import SozialplanungError
from sozialplanung.report import typst_writer as tw
pytest.importorskip("sozialplanung.report.model")  # the model lands with the model/HTML writer
from sozialplanung.report.model import (BulletList, Cell, Document, Figure, Group, Heading, Note, PageBreak,
                                        Paragraph, Run, Table)

HOSTILE = ('#read("/etc/passwd") ] [ $x^2$ @ref <x> // kein Kommentar /* nein */ \\ \\\\ *fett* _kursiv_ '
           '#set text(red) `raw` "Zitat" = Titel & < > ~ --- ...')

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="300pt" height="150pt" viewBox="0 0 300 150">'
       '<rect x="10" y="10" width="120" height="100" fill="#1f77b4"/>'
       '<text x="20" y="140" font-family="DejaVu Sans" font-size="12">Synthetisch 12,5 %</text></svg>')


def figure(alt="Balken: Gebiet A 12,5 %, Gebiet B 30,0 %", key="abb"):
    return Figure(svg=SVG, alt=alt, caption="Synthetische Abbildung", source="Quelle: Testdaten", key=key)


def table(text="A"):
    return Table(caption="Synthetische Tabelle", header=[[Cell("Gebiet"), Cell("Anteil", numeric=True)]],
                 rows=[[Cell(text), Cell("12,5 %", numeric=True)], [Cell("B"), Cell("30,0 %", numeric=True)]],
                 notes=["Anmerkung zur Tabelle"], key="tab")


def steckbrief(gid, name=None):
    return Group(blocks=[Heading(2, f"Steckbrief {name or gid}", f"sb-{gid}"),
                         Paragraph([Run(f"Gebiet {gid}")]), figure(alt=f"Lage von {gid}", key=f"lage-{gid}"),
                         table(gid)], keep_together=True, anchor=f"steckbrief-{gid}")


def document(kind="bericht", hostile=HOSTILE, blocks=None):
    blocks = blocks if blocks is not None else [
        Heading(2, "Einleitung", "einleitung"),
        Paragraph([Run("Normal, "), Run("fett", strong=True), Run(", kursiv", emph=True), Run(" "),
                   Run("extern", href="https://example.org"), Run(" "), Run("intern", href="#themen"),
                   Run(" "), Run(hostile)]),
        BulletList([[Run("eins")], [Run(hostile)]]),
        figure(),
        Heading(3, "Themenfeld " + hostile, "themen"),
        table(hostile),
        Note(hostile, "grenzen"), Note("Ein Hinweis", "hinweis"), PageBreak(),
        Heading(2, "Anhang", "anhang"), steckbrief("001"), steckbrief("002"),
    ]
    return Document(title=f"Sozialbericht {hostile}", subtitle="Synthetisch", lang="de", kommune="Testhausen",
                    blocks=blocks, provenance={"Datenstand": "31.12.2024", "Hinweis": hostile}, kind=kind)


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory):
    path = tw.write_pdf(document(), tmp_path_factory.mktemp("typst") / "bericht.pdf")
    return path, PdfReader(path)


def _struct(node, found):
    node = node.get_object()
    if not isinstance(node, dict):
        return found
    found.append(node)
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
        if hasattr(kid, "get_object") or isinstance(kid, dict):
            _struct(kid, found)
    return found


def _squash(text: str) -> str:
    return re.sub(r"[\s\u00ad]+", "", text)


def test_pdf_identifies_as_pdf_ua_1_with_title_and_language(report_pdf):
    path, reader = report_pdf
    assert path.read_bytes().startswith(b"%PDF-")
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"<pdfuaid:part>1</pdfuaid:part>", xmp)
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "de"
    assert reader.metadata.title == f"Sozialbericht {HOSTILE}"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert tw.page_count(path) == len(reader.pages) >= 3


def test_every_figure_has_alt_text_and_tables_have_header_cells(report_pdf):
    _, reader = report_pdf
    nodes = _struct(reader.trailer["/Root"]["/StructTreeRoot"], [])
    figures = [n for n in nodes if n.get("/S") == "/Figure"]
    assert len(figures) == 3                       # one in the text, one per Steckbrief
    assert all(str(n.get("/Alt", "")).strip() for n in figures)
    assert {str(n["/Alt"]) for n in figures} >= {"Lage von 001", "Lage von 002"}
    assert sum(n.get("/S") == "/TH" for n in nodes) == 2 * 3
    assert sum(n.get("/S") == "/Table" for n in nodes) == 3


def test_bookmarks_from_headings(report_pdf):
    _, reader = report_pdf

    def titles(outline):
        for item in outline:
            yield from titles(item) if isinstance(item, list) else [item.title]

    found = list(titles(reader.outline))
    assert found[:2] == ["Einleitung", f"Themenfeld {HOSTILE}"]
    assert {"Anhang", "Steckbrief 001", "Steckbrief 002"} <= set(found)


def test_hostile_text_prints_verbatim_and_reads_no_file(report_pdf):
    _, reader = report_pdf
    text = _squash("".join(page.extract_text() for page in reader.pages))
    assert text.count(_squash(HOSTILE)) >= 6      # title page ×2, paragraph, list, heading, table, note …
    assert "root:x:0:0" not in text and "/bin/" not in text


def test_only_dejavu_fonts_are_embedded(report_pdf):
    _, reader = report_pdf
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    assert names and all("DejaVu" in name for name in names), names


def test_heading_levels_are_made_consecutive(tmp_path):
    blocks = [Heading(3, "Tief", "a"), Heading(5, "Tiefer", "b"), Paragraph([Run("x")])]
    reader = PdfReader(tw.write_pdf(document(kind="methoden", blocks=blocks), tmp_path / "m.pdf"))
    assert [item.title for item in reader.outline[:1]] == ["Tief"]


def test_figure_without_alt_text_is_a_german_error(tmp_path):
    with pytest.raises(SozialplanungError, match="Die Abbildung „abb“ .* hat keinen Alternativtext"):
        tw.write_pdf(document(blocks=[figure(alt=" ")]), tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_document_without_title_is_a_german_error(tmp_path):
    empty = Document(title="", subtitle="", lang="de", kommune="K", blocks=[], provenance={}, kind="kurzfassung")
    with pytest.raises(SozialplanungError, match="keinen Titel"):
        tw.write_pdf(empty, tmp_path / "x.pdf")


def test_one_tagged_pdf_per_steckbrief(tmp_path):
    volume = document(kind="steckbriefe", blocks=[steckbrief("001", HOSTILE), steckbrief("0815")])
    tw.write_pdf(volume, tmp_path / "steckbriefe.pdf")
    assert len(PdfReader(tmp_path / "steckbriefe.pdf").pages) == 1 + 1 + 2   # title page, contents, one each
    paths = tw.write_pdfs(volume, tmp_path / "steckbriefe")
    assert [p.name for p in paths] == ["001.pdf", "0815.pdf"]
    for path, gid in zip(paths, ["001", "0815"]):
        reader = PdfReader(path)
        assert len(reader.pages) == 1 and f"Gebiet {gid}" in reader.pages[0].extract_text()
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/Lang"] == "de"
        assert b"<pdfuaid:part>1</pdfuaid:part>" in root["/Metadata"].get_object().get_data()
        assert reader.metadata.title.endswith(f" – Sozialbericht {HOSTILE}")
    assert _squash(HOSTILE) in _squash(PdfReader(paths[0]).pages[0].extract_text())


def test_steckbrief_groups_with_parent_and_unsafe_names(tmp_path):
    paths = tw.write_pdfs([steckbrief("7")], tmp_path, parent=document())
    assert [p.name for p in paths] == ["7.pdf"]
    bad = Group(blocks=[Heading(1, "x", "")], anchor="steckbrief-../../etc")
    with pytest.raises(SozialplanungError, match="keinen gültigen Dateinamen"):
        tw.write_pdfs([bad], tmp_path)


def test_row_headers_and_footer_rows(tmp_path):
    summary = Table(caption="Mit Summenzeile", header=[[Cell("Gebiet"), Cell("Anzahl", numeric=True)]],
                    rows=[[Cell("A", header=True), Cell("1.234", numeric=True)],
                          [Cell("Berlin", header=True), Cell("5.678", numeric=True)]], footer_rows=1)
    reader = PdfReader(tw.write_pdf(document(kind="indikatorblatt", blocks=[Heading(1, "T", "t"), summary]),
                                    tmp_path / "t.pdf"))
    nodes = _struct(reader.trailer["/Root"]["/StructTreeRoot"], [])
    assert [n.get("/S") for n in nodes if n.get("/S") in ("/THead", "/TBody", "/TFoot")] == ["/THead", "/TBody",
                                                                                              "/TFoot"]
    assert "Berlin5.678" in _squash(reader.pages[0].extract_text())


@pytest.mark.parametrize("ref", ['<image href="bild.png" width="9" height="9"/>',
                                 "<image xlink:href='https://evil.example/a.png'/>",
                                 '<rect style="fill:url(file:///etc/hosts)"/>'])
def test_svg_linking_outside_the_document_is_a_german_error(tmp_path, ref):
    bad = Figure(svg=SVG.replace("</svg>", ref + "</svg>"), alt="x", caption="c", key="k")
    with pytest.raises(SozialplanungError, match=r"^Die Abbildung „k“ verweist auf eine Ressource außerhalb"):
        tw.write_pdf(document(blocks=[bad]), tmp_path / "x.pdf")


def test_compact_keeps_tags_and_shrinks(tmp_path):
    pytest.importorskip("pikepdf")
    raw = tw.render_pdf(document())
    small = tw.compact(raw)
    assert len(small) < len(raw) and tw.page_count(small) == tw.page_count(raw)
    (tmp_path / "c.pdf").write_bytes(small)
    reader = PdfReader(tmp_path / "c.pdf")
    assert "/StructTreeRoot" in reader.trailer["/Root"] and reader.trailer["/Root"]["/Lang"] == "de"
