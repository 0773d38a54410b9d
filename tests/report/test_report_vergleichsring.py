"""Chapters „Vergleichsring“ and „Sozialindex im Vergleich“ and the Methodenanhang of the comparison recipes."""

import pytest

from sozialplanung.analysis.ergebnisse import Ergebnisse
from sozialplanung.config.params import find_params
from sozialplanung.data.datenpaket import load_datenpaket
from sozialplanung.report import bericht
from sozialplanung.report.methoden import describe_vergleichsrezepte, section_methoden
from sozialplanung.report.model import Figure, Table, plain_text, walk
from sozialplanung.report.vergleichsrezepte import section_vergleichsrezepte
from sozialplanung.report.vergleichsring import section_vergleichsring


@pytest.fixture(scope="module")
def kreise():
    dp = load_datenpaket(find_params("deutschland/kreise.yaml"))
    results = {"figures": {}, "hinweise": []}
    ergebnisse = Ergebnisse(dp)
    results.update(index=ergebnisse.get("index"), vergleich=ergebnisse.get("vergleich"))
    return dp, results


def test_kreis_report_places_the_kreis():
    dp = load_datenpaket(find_params("eifelkreis/bitburg-pruem.yaml"))
    results = {"figures": {}}
    blocks = section_vergleichsring(dp, results)
    text = plain_text(blocks)
    assert "Clusteranalyse nach Ward" in text and "in 20 Gruppen eingeteilt" in text
    assert "Der Vergleichsring von Eifelkreis Bitburg-Prüm (07232) umfasst" in text
    ring, kreise = results["vergleichsring"]
    assert f"{len(ring.peers_)} Kreise" in text
    table = next(b for b in walk(blocks) if isinstance(b, Table))
    assert len(table.rows) == len(kreise.key_indicators)
    pos = ring.position(kreise.key_indicators[0])
    assert table.rows[0][4].text == f"{pos['rang']} von 400"
    figures = [b for b in walk(blocks) if isinstance(b, Figure)]
    assert len(figures) == 1 and figures[0].svg.startswith("<svg") and "Rangdiagramm" in figures[0].alt
    titles = {sid: title for sid, title, _ in bericht._sections(dp, {"index": None, "typology": None, "fa": None})}
    assert titles["vergleichsring"] == "Vergleichsring: der Kreis unter ähnlichen Kreisen"
    assert "vergleichsrezepte" not in titles


def test_report_of_all_kreise_lists_the_rings(kreise):
    dp, results = kreise
    blocks = section_vergleichsring(dp, results)
    table = next(b for b in walk(blocks) if isinstance(b, Table))
    assert len(table.rows) == 20 and sum(int(r[1].text) for r in table.rows) == 400
    assert "Eifelkreis Bitburg-Prüm (07232)" in plain_text([table])
    assert not [b for b in walk(blocks) if isinstance(b, Figure)]
    titles = {sid: title for sid, title, _ in bericht._sections(dp, {**results, "typology": None, "fa": None})}
    sections = list(titles)
    assert sections.index("sozialindex") < sections.index("vergleichsrezepte") < sections.index("vergleichsring")
    assert titles["vergleichsring"] == "Vergleichsringe: Gruppen ähnlicher Kreise"


def test_comparison_chapter_and_methodenanhang(kreise):
    dp, results = kreise
    text = plain_text(section_vergleichsrezepte(dp, results))
    assert "ist 1 weiteres Verfahren" in text and "gisd_score, gisd_klasse" in text
    assert "Rezept „gisd“ – GISD 2021 (RKI, veröffentlicht)" in text
    assert "0,918" in text and "60,5\u00a0%" in text and "97,0\u00a0%" in text  # test_gisd.py, published RKI file
    methods = plain_text(describe_vergleichsrezepte(results["vergleich"]))
    assert "Abweichungen vom veröffentlichten Verfahren" in methods
    for step in ("Einkommensteuer", "G8/G9", "Ost-West", "gepoolt"):
        assert step in methods
    assert "Hauptkomponente" in methods and "gleichem Gewicht" not in methods.split("Vergleichsrezept „gisd“")[1]
    assert "Vergleichsrezept „gisd“" in plain_text(section_methoden(dp, results))
