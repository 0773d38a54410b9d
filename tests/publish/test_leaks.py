"""Leak scan: planted withheld values are found in every artifact type, clean outputs pass."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from markupsafe import Markup

import sozialplanung as sp
from sozialplanung.publish import export
from sozialplanung.indicators import reference
from sozialplanung.publish import leaks
from sozialplanung.publish import leaks_records
from sozialplanung.errors import SozialplanungError
from sozialplanung.config.params import find_params
from sozialplanung.report.tables import indicator_table

from conftest import withhold
from paramkit import copied_params

BITBURG = find_params("eifelkreis/bitburg-pruem.yaml")
DATEN = Path(sp.__file__).parent / "demo" / "bitburg_pruem" / "daten.csv"


@pytest.fixture(scope="module")
def dp():
    return sp.load_datenpaket(BITBURG)


@pytest.fixture(scope="module")
def secret(dp):
    """A withheld Gemeinde of 2021 with its true count and rate, read straight from the CSV."""
    raw = pd.read_csv(DATEN, dtype={"gebiet_id": str})
    raw = raw[(raw["jahr"] == 2021) & (raw["arbeitslose"] == 2)].set_index("gebiet_id")
    gid = next(g for g in raw.index if dp.withheld(2021).at[g, "A1"])
    rate = raw.at[gid, "arbeitslose"] / raw.at[gid, "ew_15bis65"] * 100
    return gid, int(raw.at[gid, "arbeitslose"]), rate


def notebook(outputs: list[dict]) -> dict:
    return {"cells": [{"cell_type": "code", "source": "x", "metadata": {}, "execution_count": 1,
                       "outputs": outputs}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def write_clean(folder: Path, dp) -> Path:
    """A report folder as the notebooks write it, from the library's masked values."""
    werte = reference.area_table(dp)
    vergleich = reference.compare_with_reference(dp)
    export.write_tables(folder, indikatoren=werte, vergleich=vergleich)
    export.write_workbooks(folder, dp.areas)
    page = (Markup("<html><body><h1>Bericht</h1><p>In 2 von 6 Verbandsgemeinden stieg der Anteil um 0,2 Punkte.</p>")
            + indicator_table(dp, ["A1"], caption="Arbeitslosenanteil 2021") + Markup("</body></html>"))
    (folder / "bericht.html").write_text(page, encoding="utf-8")
    (folder / "notebooks").mkdir(exist_ok=True)
    nb = notebook([{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                    "data": {"text/html": werte.to_html(), "text/plain": werte.to_string()}}])
    (folder / "notebooks" / "02_sozialraumanalyse.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    return folder


def test_clean_output_has_no_leak(tmp_path, dp):
    folder = write_clean(tmp_path, dp)
    assert leaks.scan_outputs(folder, dp) == []
    leaks.check_outputs(folder, dp)


def test_unrelated_two_elsewhere_is_not_flagged(tmp_path, dp, secret):
    gid, count, _ = secret
    name = dp.areas.at[gid, "name"]
    folder = write_clean(tmp_path, dp)
    (folder / "hinweise.html").write_text(
        f"<p>Seite 2</p><p>{gid} {name} liegt 2 km von der Kreisstadt entfernt.</p>"
        f"<table><tr><th>Nr.</th><th>Gebiet</th><th>Ortsteile</th></tr>"
        f"<tr><th>{gid}</th><td>{name}</td><td>{count}</td></tr></table>", encoding="utf-8")
    assert leaks.scan_outputs(folder, dp) == []


def plant(folder: Path, dp, gid: str, count: int, rate: float) -> dict[str, str]:
    """Put the withheld value into one artifact of each type; returns file → what was planted."""
    werte = reference.area_table(dp)
    werte.loc[gid, "A1"] = rate
    export.write_tables(folder, indikatoren=werte)                      # CSV, 6 decimals
    export.write_workbooks(folder, dp.areas)                            # XLSX and GPKG from the CSV
    shutil.copy(folder / "tabellen" / "indikatoren.csv", folder / "kopie.csv")
    (folder / "tabellen" / "indikatoren.csv").write_text(                # restore CSV: only kopie leaks
        (folder / "tabellen" / "indikatoren.csv").read_text().replace(f"{rate:.6f}", ""), encoding="utf-8")
    german = f"{rate:.1f}".replace(".", ",")
    page = (folder / "bericht.html").read_text(encoding="utf-8")
    row_start = page.index(f'<th scope="row">{gid}</th>')
    row_end = page.index("</tr>", row_start)
    row = page[row_start:row_end].replace("<td>.</td>", f"<td>{german}</td>", 1)   # the rate column
    (folder / "bericht.html").write_text(page[:row_start] + row + page[row_end:], encoding="utf-8")
    nb = notebook([{"output_type": "stream", "name": "stdout",
                    "text": [f"Gemeinde {gid}: {count} Arbeitslose\n"]}])
    (folder / "notebooks" / "03_test.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    return {"kopie.csv": "Quote", "ergebnisse.xlsx": "Quote", "ergebnisse.gpkg": "Quote",
            "bericht.html": german, "notebooks/03_test.ipynb": "Fallzahl"}


def test_planted_leaks_are_found_in_every_artifact_type(tmp_path, dp, secret):
    gid, count, rate = secret
    folder = write_clean(tmp_path, dp)
    planted = plant(folder, dp, gid, count, rate)
    found = leaks.scan_outputs(folder, dp)
    by_file = {leak.file: leak for leak in found}
    assert set(by_file) == set(planted), found
    for file, what in planted.items():
        assert by_file[file].gebiet_id == gid and what in by_file[file].found
    with pytest.raises(SozialplanungError, match="Datenschutz-Prüfung fehlgeschlagen: 5 geheim"):
        leaks.check_outputs(folder, dp)


def test_count_next_to_the_rate_is_found(tmp_path, dp, secret):
    gid, count, _ = secret
    name = dp.areas.at[gid, "name"]
    (tmp_path / "tabelle.html").write_text(
        '<table><thead><tr><th>Nr.</th><th>Gebiet</th><th>Arbeitslosenanteil<br>%</th><th>Fälle<br>Anzahl</th>'
        f'</tr></thead><tbody><tr><th scope="row">{gid}</th><td>{name}</td><td>.</td><td>{count}</td></tr>'
        '</tbody></table>', encoding="utf-8")
    found = leaks.scan_outputs(tmp_path, dp)
    assert [(f.file, f.gebiet_id, f.spalte) for f in found] == [("tabelle.html", gid, "arbeitslose")]
    assert "Spalte „Fälle Anzahl“" in found[0].found


def test_notebook_html_output_and_deviation_column_are_checked(tmp_path, dp, secret):
    gid, _, rate = secret
    vergleich = reference.compare_with_reference(dp)
    kommune = vergleich.at[gid, ("A1", "Kommune")]
    vergleich.loc[gid, ("A1", "abweichung")] = rate - kommune          # leaks rate via the difference
    nb = notebook([{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                    "data": {"text/html": vergleich.to_html()}}])
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    found = leaks.scan_outputs(tmp_path, dp)
    assert [(f.file, f.gebiet_id) for f in found] == [("nb.ipynb", gid)]
    assert "Abweichung" in found[0].found


def test_recomputation_from_totals_is_a_leak_without_secondary_suppression(tmp_path, dp):
    params = tmp_path / "ohne.yaml"
    params.write_text(copied_params(BITBURG, demo_local=False).replace("min_count: 3 ", "min_count: 3\n  secondary: false "),
                      encoding="utf-8")
    naive = sp.load_datenpaket(params)
    (tmp_path / "leer").mkdir()
    found = leaks.scan_outputs(tmp_path / "leer", naive)
    assert found and all(f.file == "(Summen)" and "rückrechenbar" in f.found for f in found)
    raw = pd.read_csv(DATEN, dtype={"gebiet_id": str})
    raw = raw[raw["jahr"] == 2021].set_index("gebiet_id")
    for f in found:
        assert f.found.endswith(f"= {raw.at[f.gebiet_id, 'arbeitslose']}")
    assert leaks.scan_outputs(tmp_path / "leer", dp) == []


def test_pdf_text_layer_is_checked_line_by_line(tmp_path, dp, secret, monkeypatch):
    gid, _, rate = secret
    name = dp.areas.at[gid, "name"]
    german = f"{rate:.1f}".replace(".", ",")
    text = f"Nr. Gebiet Arbeitslosenanteil %\n{gid} {name} {german}\n07232012 Berscheid 0,0\nSeite 2\n"
    (tmp_path / "bericht.pdf").write_bytes(b"%PDF-1.4\n")
    monkeypatch.setattr(leaks_records, "pdf_pages", lambda path: [text])
    found = leaks.scan_outputs(tmp_path, dp)
    assert [(f.file, f.gebiet_id, f.spalte) for f in found] == [("bericht.pdf", gid, "A1")]


def _typst_pdf(path: Path, rows: list[tuple[str, str, str]], sentence: str) -> None:
    """A real PDF (Typst, as the report writer makes them): a table Nr. | Gebiet | Arbeitslosenanteil and a line."""
    import typst

    cells = ", ".join(f'[{a}], [{b}], [{c}]' for a, b, c in rows)
    source = (f'#set text(font: "DejaVu Sans", size: 9pt)\n#table(columns: 3, align: (left, left, right), '
              f'[*Nr.*], [*Gebiet*], [*Arbeitslosenanteil %*], {cells})\n\n{sentence}\n')
    src = path.with_suffix(".typ")
    src.write_text(source, encoding="utf-8")
    import matplotlib

    fonts = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf")
    path.write_bytes(typst.compile(str(src), font_paths=[fonts]))
    src.unlink()


def test_withheld_value_in_a_real_pdf_is_found(tmp_path, dp, secret):
    """The PDF path end to end (PDFium's text layer → layout lines → table rows): a withheld rate printed in a
    Typst table row, and a withheld count in running text, are found; the clean PDF passes."""
    gid, count, rate = secret
    name = dp.areas.at[gid, "name"]
    german = f"{rate:.1f}".replace(".", ",")
    other = next(g for g in dp.shown_ids if g != gid and not dp.withheld(2021).loc[g].any())
    _typst_pdf(tmp_path / "bericht.pdf", [(other, dp.areas.at[other, "name"], "1,0"), (gid, name, german)],
               f"In {name} waren {count} Personen arbeitslos.")
    found = {(f.file, f.gebiet_id, f.spalte) for f in leaks.scan_outputs(tmp_path, dp)}
    assert ("bericht.pdf", gid, "A1") in found
    assert any(f[1] == gid and f[2] != "A1" for f in found), found  # the count in the sentence
    clean = tmp_path / "sauber"
    clean.mkdir()
    _typst_pdf(clean / "bericht.pdf", [(other, dp.areas.at[other, "name"], "1,0"), (gid, name, ".")],
               f"In {name} sind die Werte geheim gehalten.")
    assert leaks.scan_outputs(clean, dp) == []


def test_pdf_layout_keeps_table_columns_apart(tmp_path):
    _typst_pdf(tmp_path / "t.pdf", [("07232012", "Berscheid", "12,5"), ("07232123", "Speicher", "3,0")],
               "Ein Satz mit vielen Wörtern bleibt eine Zeile.")
    lines = [line.strip() for line in leaks_records.pdf_pages(tmp_path / "t.pdf")[0].splitlines() if line.strip()]
    assert [[c[2] for c in leaks_records._chunks(line)] for line in lines] == [
        ["Nr.", "Gebiet", "Arbeitslosenanteil %"], ["07232012", "Berscheid", "12,5"], ["07232123", "Speicher", "3,0"],
        ["Ein Satz mit vielen Wörtern bleibt eine Zeile."]]


def test_unreadable_pdf_fails_closed(tmp_path, dp, monkeypatch):
    (tmp_path / "bericht.pdf").write_bytes(b"%PDF-1.4\n")
    monkeypatch.setattr(leaks_records, "pdf_pages", lambda path: None)
    found = leaks.scan_outputs(tmp_path, dp)
    assert [f.file for f in found] == ["bericht.pdf"] and "nicht prüfbar" in found[0].found


def test_rendered_kreis_report_has_no_leak(tmp_path, dp):
    """End to end: a Eifelkreis report (all notebooks) shows no withheld value anywhere. The report shows one
    Verbandsgemeinde (9 Gemeinden, 2 withheld in 2021) against the whole Kreis, its Bezugsgesamtheit, so the
    primary and secondary suppression of all 234 Gemeinden applies, at a ninth of the render time."""
    from sozialplanung.publish.render import render_one

    repo = Path(__file__).resolve().parents[2]
    params = tmp_path / "arzfeld.yaml"
    params.write_text(copied_params(BITBURG, demo_local=False).replace(
        "berichtsgebiet: null", 'berichtsgebiet: {level: Verbandsgemeinde, ids: ["072325007"]}'), encoding="utf-8")
    assert dp.withheld(2021)["A1"][dp.areas["Verbandsgemeinde"] == "072325007"].sum() == 2
    folder = render_one(params, output_root=tmp_path / "output", notebooks=repo / "notebooks")
    html = (folder / "bericht.html").read_text(encoding="utf-8")
    hidden = dp.areas.index[dp.withheld(2021)["A1"] & (dp.areas["Verbandsgemeinde"] == "072325007")]
    assert all(gid in html for gid in hidden)  # the withheld Gemeinden are in the report, their values are not
    assert leaks.scan_outputs(folder, dp) == []


def test_withheld_value_in_an_svg_title_is_found(tmp_path, dp, secret):
    """Maps are SVG with one <title> per area: the real map is clean; a value planted in a title is caught,
    inline in HTML, as a standalone .svg and as a notebook's SVG output."""
    from sozialplanung.viz import atlas, figures

    gid, _, rate = secret
    enc = figures.encode(atlas.indicator_map(dp, "A1"))
    name = dp.areas.at[gid, "name"]
    clean_title = f"<title>{gid} {name}: geheim gehalten</title>"
    assert clean_title in enc.svg  # the map names the withheld area, never its value
    page = f"<html><body><h2>Arbeitsmarkt</h2><figure>{enc.inline()}<figcaption>Karte</figcaption></figure></body></html>"

    def write(folder: Path, svg: str) -> Path:
        folder.mkdir()
        (folder / "bericht.html").write_text(page.replace(enc.svg.split("<svg", 1)[1], svg.split("<svg", 1)[1]),
                                             encoding="utf-8")
        (folder / "karte.svg").write_text(svg, encoding="utf-8")
        nb = notebook([{"output_type": "display_data", "metadata": {}, "data": {"image/svg+xml": svg}}])
        (folder / "karte.ipynb").write_text(json.dumps(nb), encoding="utf-8")
        return folder

    assert leaks.scan_outputs(write(tmp_path / "sauber", enc.svg), dp) == []
    german = f"{rate:.1f}".replace(".", ",")
    planted = enc.svg.replace(clean_title, f"<title>{gid} {name}: {german} % (über 1,0 bis 9,9)</title>")
    found = leaks.scan_outputs(write(tmp_path / "leck", planted), dp)
    assert {leak.file for leak in found} == {"bericht.html", "karte.svg", "karte.ipynb"}, found
    assert all(leak.gebiet_id == gid and german in leak.found for leak in found)


SERIES = find_params("berlin/mitte.yaml")


def test_a_withheld_value_revealed_by_a_change_between_years_is_found(tmp_path, monkeypatch):
    """Series Datenpaket: S1 of 01100101 in 2019 withheld (as a primary suppression would). The leak scan covers
    every year; the 2019 value in a row of 2019 is found, and so is the planted change 2019 → 2021 (S1 2021 − S1
    2019), which together with the published S1 2021 gives the withheld value."""
    from sozialplanung.indicators.zeitreihe import series_table

    dp = sp.load_datenpaket(SERIES)
    withhold(monkeypatch, dp, "01100101", "S1", 2019)
    secret = float(dp.raw_values(2019).at["01100101", "S1"])
    now = float(dp.raw_values(2021).at["01100101", "S1"])
    table = series_table(dp, indicators=["S1"], ids=["01100101", "01100102"])
    clean = tmp_path / "sauber"
    export.write_tables(clean, zeitreihe=table.drop(columns=["bezugswert_kommune", "bezugswert_bezug"]))
    assert leaks.scan_outputs(clean, dp) == []
    row = (table.gebiet_id == "01100101") & (table.jahr == 2021)
    assert table.loc[row, "veraenderung"].isna().all()  # the library never publishes that change
    planted = table.drop(columns=["bezugswert_kommune", "bezugswert_bezug"])
    planted.loc[row, "veraenderung"] = round(now - secret, 2)
    export.write_tables(tmp_path / "leck", zeitreihe=planted)
    found = leaks.scan_outputs(tmp_path / "leck", dp)
    assert [(f.gebiet_id, f.spalte) for f in found] == [("01100101", "S1")]
    assert "Veränderung zu einem Nachbarjahr" in found[0].found
    only_2021 = leaks.scan_outputs(tmp_path / "leck", dp, years=[2021])
    assert only_2021 == []  # scanning the report year alone would miss it
    shown = table.drop(columns=["bezugswert_kommune", "bezugswert_bezug"])
    shown.loc[(shown.gebiet_id == "01100101") & (shown.jahr == 2019), "wert"] = round(secret, 1)
    export.write_tables(tmp_path / "wert", zeitreihe=shown)
    assert [f.spalte for f in leaks.scan_outputs(tmp_path / "wert", dp)] == ["S1"]
