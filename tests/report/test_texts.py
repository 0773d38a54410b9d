"""Authored Markdown chapters: placeholders show the current value after a re-run; mistakes are German errors."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import sozialplanung as sp
from sozialplanung.report import texts
from sozialplanung.report.html_writer import blocks_html
from conftest import edit_yaml


def _einleitung(params_path):
    dp = sp.load_datenpaket(params_path)
    return dp, str(blocks_html(texts.load_texts(dp, {"index": sp.analysis.pipeline.sozialindex(dp)})["einleitung"]))


def test_placeholder_shows_current_value_after_rerun(mitte_params):
    folder = mitte_params.parent / "texte"
    (folder / "einleitung.md").write_text("Es sind {{ anzahl_gebiete }} Gebiete; "
                                          "sehr niedrig: {{ status_sehr_niedrig }}.\n", encoding="utf-8")
    dp, html = _einleitung(mitte_params)
    assert f"Es sind {len(dp.shown_ids)} Gebiete" in html
    edit_yaml(mitte_params, 'ids: ["01"]', 'ids: ["06"]')  # another Bezirk: the same text, new numbers
    dp2, html2 = _einleitung(mitte_params)
    assert len(dp2.shown_ids) != len(dp.shown_ids)
    assert f"Es sind {len(dp2.shown_ids)} Gebiete" in html2


def test_unknown_placeholder_names_file_and_line(mitte_params):
    (mitte_params.parent / "texte" / "einleitung.md").write_text("Zeile eins\n\nWert: {{ s1_bezirk }}\n",
                                                                  encoding="utf-8")
    with pytest.raises(sp.SozialplanungError, match=r"texte/einleitung\.md, Zeile 3: Unbekannter Platzhalter „\{\{ s1_bezirk \}\}“"):
        _einleitung(mitte_params)


def test_file_for_unknown_chapter_is_rejected(mitte_params):
    (mitte_params.parent / "texte" / "einleitng.md").write_text("Tippfehler im Namen\n", encoding="utf-8")
    with pytest.raises(sp.SozialplanungError, match="passt zu keinem Kapitel"):
        sp.load_datenpaket(mitte_params) and texts.chapter_files(sp.load_datenpaket(mitte_params))


def test_markdown_is_escaped_and_headings_move_down():
    html = str(blocks_html(texts.render_markdown("# Titel\n\n<script>x</script> **fett**\n")))
    assert "<h3>Titel</h3>" in html and "<script>" not in html and "<strong>fett</strong>" in html


def test_missing_chapter_is_marked():
    from sozialplanung.report.model import para

    assert 'data-kapitel="fazit"' in blocks_html(texts.authored({}, "fazit", "Fazit"))
    assert "hinweis-fehlt" not in blocks_html(texts.authored({"fazit": [para("Text")]}, "fazit", "Fazit"))


# ----------------------------------------------------------------------------- hostile chapter texts
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5e3d9b40000000049454e44ae426082")


def _texts(params_path):
    return texts.load_texts(sp.load_datenpaket(params_path), {})


def _render(folder: Path, text: str) -> str:
    """A chapter ``texte/einleitung.md`` rendered on its own (images relative to ``folder/texte``)."""
    (folder / "texte").mkdir(exist_ok=True)
    return str(blocks_html(texts.render_markdown(text, file="texte/einleitung.md", base=folder / "texte",
                                                 root=folder / "texte")))


def test_placeholder_values_are_literal_text():
    values = {"kommune": "<b onmouseover=alert(1)>**Mitte** &amp; {{ 7*7 }} [x](https://evil.example/)"}
    html = str(blocks_html(texts.render_markdown(texts.fill("Kommune: {{ kommune }}\n", values, file="t.md"))))
    assert html == ("<p>Kommune: &lt;b onmouseover=alert(1)&gt;**Mitte** &amp;amp; {{ 7*7 }} "
                    "[x](https://evil.example/)</p>")


@pytest.mark.parametrize("src", ["https://evil.example/a.png", "http://evil.example/a.png", "//evil.example/a.png",
                                 "file:///etc/hosts", "data:image/png;base64,iVBORw0KGgo=", "/etc/a.png"])
def test_external_image_is_refused_with_file_and_line(tmp_path, src):
    with pytest.raises(sp.SozialplanungError) as err:
        _render(tmp_path, f"# Titel\n\nText\nmit ![Karte]({src}) Bild\n")
    assert str(err.value).startswith(f"Datei texte/einleitung.md, Zeile 4: Das Bild „{src}“ ist eine externe "
                                     "Adresse; der Bericht lädt nichts nach.")


def test_image_beside_the_chapter_is_embedded(tmp_path):
    (tmp_path / "texte" / "bilder").mkdir(parents=True)
    (tmp_path / "texte" / "bilder" / "karte.png").write_bytes(PNG)
    html = _render(tmp_path, "![Karte der Bezirke](bilder/karte.png)\n")
    assert 'xlink:href="data:image/png;base64,iVBORw0KGgo' in html and 'aria-label="Karte der Bezirke"' in html


def test_image_outside_the_texts_folder_is_refused(tmp_path):
    (tmp_path / "geheim.png").write_bytes(PNG)
    (tmp_path / "texte").mkdir()
    (tmp_path / "texte" / "verweis.png").symlink_to(tmp_path / "geheim.png")
    for src, line in (("../geheim.png", 1), ("verweis.png", 3)):
        with pytest.raises(sp.SozialplanungError, match=rf"^Datei texte/einleitung\.md, Zeile {line}: Das Bild "
                                                        rf"„{re.escape(src)}“ liegt außerhalb des Textordners"):
            _render(tmp_path, "\n" * (line - 1) + f"![a]({src})\n")


def test_unsafe_link_is_refused(tmp_path):
    with pytest.raises(sp.SozialplanungError, match=r"^Datei texte/einleitung\.md, Zeile 3: Der Verweis "
                                                    r"„javascript:alert\(1\)“ ist nicht erlaubt"):
        _render(tmp_path, "Text\n\n[klick](javascript:alert(1)) und [gut](https://example.org)\n")


def test_chapter_symlink_outside_the_texts_folder_is_refused(mitte_params, tmp_path):
    outside = tmp_path / "anderswo.md"
    outside.write_text("fremder Text\n", encoding="utf-8")
    folder = mitte_params.parent / "texte"
    (folder / "typologie.md").symlink_to(outside)
    with pytest.raises(sp.SozialplanungError, match=r"Die Textdatei „typologie\.md“ verweist auf .*anderswo\.md, "
                                                    r"außerhalb des Textordners"):
        texts.chapter_files(sp.load_datenpaket(mitte_params))
    (folder / "typologie.md").unlink()
    (folder / "_vorlage.md").write_text("Typen\n", encoding="utf-8")
    (folder / "typologie.md").symlink_to(folder / "_vorlage.md")  # a link inside the folder is fine
    (folder / "einleitung.md").write_text("Einleitung\n", encoding="utf-8")
    assert str(blocks_html(_texts(mitte_params)["typologie"])) == "<p>Typen</p>"


def test_chapter_not_utf8_names_file_and_line(mitte_params):
    (mitte_params.parent / "texte" / "einleitung.md").write_bytes("Zeile 1\nStraße\n".encode("latin-1"))
    with pytest.raises(sp.SozialplanungError, match=r"^Datei texte/einleitung\.md, Zeile 2: Die Textdatei ist "
                                                    r"nicht UTF-8-kodiert \(ungültiges Byte 0xdf\)"):
        _texts(mitte_params)


def test_chapter_that_is_a_directory(tmp_path):
    (tmp_path / "einleitung.md").mkdir()
    with pytest.raises(sp.SozialplanungError, match=r"^Datei texte/einleitung\.md: Die Textdatei „einleitung\.md“ "
                                                    r"ist ein Ordner, keine Datei\."):
        texts.read_text(tmp_path / "einleitung.md", "texte/einleitung.md")


def test_chapter_without_read_permission(tmp_path, monkeypatch):
    path = tmp_path / "einleitung.md"
    path.write_text("Text\n", encoding="utf-8")
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything: simulate what an ordinary user gets
        monkeypatch.setattr(Path, "read_bytes", lambda p: (_ for _ in ()).throw(PermissionError(13, "denied")))
    with pytest.raises(sp.SozialplanungError, match=r"^Datei texte/einleitung\.md: Die Textdatei „einleitung\.md“ "
                                                    r"kann nicht gelesen werden \(keine Leseberechtigung\)\."):
        texts.read_text(path, "texte/einleitung.md")


def test_missing_image_names_file_and_line(tmp_path):
    with pytest.raises(sp.SozialplanungError, match=r"^Datei texte/einleitung\.md, Zeile 2: Das Bild „karte\.png“ "
                                                    r"ist nicht vorhanden"):
        _render(tmp_path, "Text\n![Karte](karte.png)\n")
