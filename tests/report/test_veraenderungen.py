"""The chapter „Veränderungen seit dem letzten Bericht“ and the Steckbrief trend on the Mitte series 2013–2021,
checked against the shipped Datenpaket files read directly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sozialplanung as sp
from sozialplanung.analysis.pipeline import sozialindex
from sozialplanung.config.params import find_params
from sozialplanung.report import veraenderungen
from sozialplanung.report.model import Figure, Heading, Table, plain_text, walk

SERIES = find_params("berlin/mitte.yaml")
PAKET = Path(sp.__file__).parent / "demo" / "berlin"


@pytest.fixture(scope="module")
def chapter():
    dp = sp.load_datenpaket(SERIES)
    results = {"index": sozialindex(dp), "figures": {}}
    return dp, results, veraenderungen.section_veraenderungen(dp, results)


@pytest.fixture(scope="module")
def raw():
    raw = pd.read_csv(PAKET / "daten.csv", dtype={"gebiet_id": str})
    return raw[raw.gebiet_id.str.startswith("01")]


def _table(blocks, caption_start):
    return next(b for b in walk(blocks) if isinstance(b, Table) and b.caption.startswith(caption_start))


def test_status_changes_are_those_of_the_official_classes(chapter, raw):
    dp, results, blocks = chapter
    then = raw[raw.jahr == 2019].set_index("gebiet_id").mss_status_amtlich
    now = raw[raw.jahr == 2021].set_index("gebiet_id").mss_status_amtlich
    changed = sorted(g for g in now.index if pd.notna(then[g]) and pd.notna(now[g]) and then[g] != now[g])
    table = _table(blocks, "Statuswechsel 2019 → 2021")
    assert [r[0].text.split()[0] for r in table.rows] == changed
    heads = [c.text for c in table.header[0]]
    k = heads.index("Δ Index")
    for row in table.rows:  # Δ = Σ contributions (two decimals each)
        delta = float(row[k].text.replace("−", "-").replace(",", "."))
        parts = [float(c.text.replace("−", "-").replace(",", ".")) for c in row[k + 1:-1]]
        assert sum(parts) == pytest.approx(delta, abs=0.015)
    assert [h.text for h in blocks if isinstance(h, Heading)] == [
        "Entwicklung der Schlüsselindikatoren", "Statuswechsel 2019 → 2021", "Zeitreihenbrüche"]
    assert sum(isinstance(b, Figure) for b in blocks) == len(dp.key_indicators) + 1  # trends, Statuswechsel map


def test_transition_matrix_totals(chapter, raw):
    dp, results, blocks = chapter
    table = _table(blocks, "Übergänge der amtlichen Statusklassen 2019 → 2021")
    last = [c.text for c in table.rows[-1]]
    assert last[0] == "Summe" and last[-1] == "49"
    now = raw[raw.jahr == 2021].mss_status_amtlich.value_counts()
    heads = [c.text for c in table.header[-1]]
    for code, label in {1: "hoch", 2: "mittel", 3: "niedrig", 4: "sehr niedrig"}.items():
        assert int(last[heads.index(label)]) == now.get(code, 0)


def test_status_change_map_dots_the_interpolated_areas(chapter, raw):
    """The map after the transition matrix: each Planungsraum coloured by the direction of its official change
    2019 → 2021, the areas interpolated in 2019 (outline without an old area) dotted on top of their fill."""
    import re

    dp, results, blocks = chapter
    fig = next(b for b in blocks if isinstance(b, Figure) and b.key == "statuswechsel-karte")
    assert blocks.index(fig) == blocks.index(_table(blocks, "Übergänge der amtlichen Statusklassen")) + 1
    old = raw[raw.jahr == 2019].set_index("gebiet_id")
    interpolated = sorted(old.index[old.interpoliert.astype(bool) & old.gebietsstand.str.contains("übertragen")])
    assert interpolated == veraenderungen.interpolated_ids(dp, veraenderungen.series(dp, results), 2019)
    assert fig.svg.count('fill="url(#sp-markierung)"') == len(interpolated) + 1  # areas and the legend swatch
    assert f"{len(interpolated)} Gebiete zusätzlich gepunktet: Werte 2019 übertragen (Umriss ohne altes Gebiet)." \
        in fig.alt
    now = raw[raw.jahr == 2021].set_index("gebiet_id").mss_status_amtlich
    then = old.mss_status_amtlich
    worse = int(((now - then) > 0).sum())
    better = int(((now - then) < 0).sum())
    assert f"günstiger ({better} Gebiet" in fig.alt and f"ungünstiger ({worse} Gebiet" in fig.alt
    titles = dict(t.split(": ", 1) for t in re.findall(r"<title>([^<]*)</title>", fig.svg))
    gid = interpolated[0]
    assert titles[dp.label([gid])[gid]].endswith("; Werte 2019 übertragen (Umriss ohne altes Gebiet)")


def test_breaks_are_marked_and_never_named_as_drivers(chapter):
    dp, results, blocks = chapter
    text = plain_text(blocks)
    assert "Zeitreihenbruch 2015–2017, 2017–2019" in text  # S1: the definition changed (D1 2019 ≠ S1 2019 − S1 2017)
    row = pd.Series({"delta": 0.5, "beitrag_S1": 0.4, "beitrag_S3": 0.1, "beitrag_S4": -0.2})
    assert veraenderungen._drivers(row, ["S1", "S3", "S4"], set()) == "S1 (+0,40), S3 (+0,10)"
    assert veraenderungen._drivers(row, ["S1", "S3", "S4"], {"S1"}) == "S3 (+0,10)"


def test_steckbrief_trend_marks_interpolated_values(chapter, raw):
    dp, results, _ = chapter
    gid = "01100102"  # mixed from two old PLR: every carried year interpolated
    chart, table = veraenderungen.steckbrief_trend(dp, results, gid, not_rated=False)
    assert isinstance(chart, Figure) and chart.svg.count("<svg") == 1 + len(dp.key_indicators)
    s1 = next(r for r in table.rows if "(S1)" in r[0].text)
    mine = raw[raw.gebiet_id == gid].sort_values("jahr")
    expect = [f"{v:.1f}".replace(".", ",") + ("*" if i and j < 2021 else "")
              for v, i, j in zip(mine.S1, mine.interpoliert, mine.jahr)]
    assert [c.text for c in s1[1:]] == expect
    assert "(übertragen)" in chart.svg
    assert not np.isnan(veraenderungen.series(dp, results)["table"].wert).all()


def test_plain_multi_year_datenpaket_gets_the_trend_charts_only():
    """The INKAR Kreis series (a plain Datenpaket with several years): the reference values per year as trend
    charts, equal to reference_value of each year; no status changes without a series manifest."""
    from sozialplanung.indicators.reference import reference_value

    dp = sp.load_datenpaket(find_params("deutschland/nordrhein-westfalen.yaml"))
    results = {"figures": {}}
    assert veraenderungen.applies_trends(dp, results) and not veraenderungen.applies(dp, results)
    blocks = veraenderungen.section_veraenderungen(dp, results)
    assert [h.text for h in blocks if isinstance(h, Heading)] == ["Entwicklung der Schlüsselindikatoren"]
    figs = [b for b in blocks if isinstance(b, Figure)]
    assert len(figs) == len(dp.key_indicators)
    key = dp.key_indicators[0]
    first, last = (reference_value(dp, key, dp.reference_ids, y)[0] for y in (dp.years()[0], dp.years()[-1]))
    want = f"Deutschland {first:.1f} % ({dp.years()[0]}) bis {last:.1f} % ({dp.years()[-1]})".replace(".", ",")
    assert want in figs[0].alt.replace("\u00a0", " ")


def _typology(dp):
    import warnings

    from sozialplanung.analysis import pipeline

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sp.SozialplanungWarning)
        fa = pipeline.faktorenanalyse(dp)
        return {"fa": fa, "typology": pipeline.clusteranalyse(dp, fa), "figures": {}}


def test_kreis_chapter_has_the_typwechsel_table():
    """NRW (53 shown Kreise of the 400): the 2021 types applied to 2020, the matrix on the shown Kreise, the noise
    floor in the text."""
    from sozialplanung.analysis.typwechsel import typwechsel

    dp = sp.load_datenpaket(find_params("deutschland/nordrhein-westfalen.yaml"))
    results = _typology(dp)
    blocks = veraenderungen.section_veraenderungen(dp, results)
    assert [h.text for h in blocks if isinstance(h, Heading)] == ["Entwicklung der Schlüsselindikatoren",
                                                                  "Typwechsel 2020 → 2021"]
    table = next(b for b in blocks if isinstance(b, Table) and b.key == "typwechsel")
    assert table.caption == "Typwechsel 2020 → 2021 (Zahl der Gebiete)"
    assert "nicht zugeordnet" not in table.notes[0]  # every Kreis has all values of 2020
    assert [c.text for c in table.header[0]] == ["Typ 2020 \\ 2021", "Typ A", "Typ B", "Typ C", "Typ D", "Summe"]
    assert [c.text for c in table.rows[-1]][0] == "Summe" and table.rows[-1][-1].text == str(len(dp.shown_ids))
    tw = typwechsel(dp, results["fa"], results["typology"])
    text = plain_text(blocks)
    assert f"Danach haben {tw.changed} von {len(dp.shown_ids)} Gebieten mit einem Typ in beiden Jahren" in text
    assert f"dieselbe Regel {tw.same_agreement} von {tw.n_agreement} typisierten Gebieten" in text
    assert tw.n_agreement == len(dp.shown_ids) and 0 < tw.same_agreement <= tw.n_agreement
    from sozialplanung.report import methoden

    assert "Typwechsel (Kapitel „Veränderungen seit dem letzten Bericht“)" in plain_text(
        methoden.section_methoden(dp, results))


def test_series_without_old_context_indicators_keeps_a_note(chapter):
    """Berlin: the context indicators of the clustering are missing before 2021, no area can be assigned."""
    from sozialplanung.report import typwechsel
    from sozialplanung.report.model import Note

    dp, results, _ = chapter
    part = {**results, **_typology(dp)}
    blocks = typwechsel.blocks(dp, part)
    assert len(blocks) == 1 and isinstance(blocks[0], Note)
    assert "Gebietstypen liegen nur für 2021 vor: auf die Werte von 2019" in blocks[0].text
    assert part["typwechsel"].assigned == 0
    from sozialplanung.report import methoden

    assert "Typwechsel" not in " ".join(methoden.describe_cluster(dp, part["typology"]))
