"""Authored Markdown chapters: placeholders show the current value after a re-run; mistakes are German errors."""

from __future__ import annotations

import pytest

import sozialplanung as sp
from sozialplanung import texts
from conftest import edit_yaml


def _einleitung(params_path):
    dp = sp.load_datenpaket(params_path)
    return dp, texts.load_texts(dp, {"index": sp.analyses.sozialindex(dp)})["einleitung"]


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
    html = texts.render_markdown("# Titel\n\n<script>x</script> **fett**\n")
    assert "<h3>Titel</h3>" in html and "<script>" not in html and "<strong>fett</strong>" in html


def test_missing_chapter_is_marked():
    assert 'data-kapitel="fazit"' in texts.authored({}, "fazit", "Fazit")
    assert "hinweis-fehlt" not in texts.authored({"fazit": "<p>Text</p>"}, "fazit", "Fazit")
