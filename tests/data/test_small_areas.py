"""Small areas (datenschutz.min_population) publish no indicator value; the leak scan knows which
indicator a printed number belongs to.

Fixture: a 12-Gemeinde cut of the real Bitburg-Prüm data (two Verbandsgemeinden) with an added count
column ``sgb2`` built here (synthetic, never committed as demo data). In the cut, 07232008 Bauler has
3 unemployed – withheld as the secondary partner of 07232005 (1 unemployed) – and ``sgb2 = 3``,
published. Its SGB II count and rate must not be taken for the withheld unemployment figures.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import sozialplanung as sp
from sozialplanung.analysis import pipeline
from sozialplanung.publish import leaks
from sozialplanung.report.recipe_text import describe_index
from sozialplanung.errors import SozialplanungError
from conftest import REPO, edit_yaml
from paramkit import copied_params

DEMO = Path(sp.__file__).parent / "demo" / "bitburg_pruem"
BAULER, PARTNER = "07232008", "07232005"
SUEDEIFEL = [PARTNER, BAULER, "07232001", "07232012", "07232007", "07232009"]   # 1, 3, 0, 0, 22, 7
SPEICHER = ["07232104", "07232055", "07232107", "07232010", "07232289", "07232050"]  # 1, 3, 7, 8, 14, 18
CATALOGUE = DEMO.joinpath("indikatoren.yaml").read_text(encoding="utf-8") + """
  B1:
    name: "SGB-II-Quote"
    definition: "Leistungsberechtigte nach SGB II je 100 Einwohner/innen von 15 bis unter 65 Jahren (synthetisch)"
    themenfeld: "Arbeit"
    unit: "%"
    factor: 100
    polarity: 1
    numerator: sgb2
    denominator: ew_15bis65
    source: "synthetisch (Test)"
    stichtag: "2021-12-31"
"""


def make_cut(folder: Path, ids: list[str]) -> Path:
    """Params, geometries, data and catalogue of a cut of the Bitburg-Prüm Datenpaket (with ``sgb2``)."""
    folder.mkdir(parents=True, exist_ok=True)
    areas = gpd.read_file(DEMO / "gebiete.gpkg", layer="gemeinden")
    areas = areas[areas["gebiet_id"].isin(ids)]
    areas.to_file(folder / "gebiete.gpkg", layer="gemeinden", driver="GPKG")
    parents = gpd.read_file(DEMO / "gebiete.gpkg", layer="verbandsgemeinden")
    parents[parents["gebiet_id"].isin(areas["verbandsgemeinde_id"])].to_file(
        folder / "gebiete.gpkg", layer="verbandsgemeinden", driver="GPKG")
    data = pd.read_csv(DEMO / "daten.csv", dtype={"gebiet_id": str})
    data = data[data["gebiet_id"].isin(ids)].copy()
    data["sgb2"] = np.where(data["gebiet_id"] == BAULER, 3, data["arbeitslose"] + 4)
    data.to_csv(folder / "daten.csv", index=False)
    (folder / "indikatoren.yaml").write_text(CATALOGUE, encoding="utf-8")
    params = copied_params().replace("slug: eifelkreis-bitburg-pruem", "slug: schnitt")
    (folder / "schnitt.yaml").write_text(params, encoding="utf-8")
    return folder / "schnitt.yaml"


@pytest.fixture(scope="module")
def cut(tmp_path_factory) -> Path:
    return make_cut(tmp_path_factory.mktemp("schnitt"), SUEDEIFEL + SPEICHER)


@pytest.fixture(scope="module")
def rendered_cut(cut, tmp_path_factory) -> Path:
    """The 12-Gemeinde report rendered end to end; render_one runs the leak scan and raises on a leak."""
    from sozialplanung.publish.render import render_one

    return render_one(cut, output_root=tmp_path_factory.mktemp("bericht"), notebooks=REPO / "notebooks")


def test_the_cut_has_the_sgb2_situation_of_the_issue(cut):
    dp = sp.load_datenpaket(cut)
    raw = dp.rows(2021)
    assert raw.at[BAULER, "arbeitslose"] == 3 == raw.at[BAULER, "sgb2"]
    assert dp.withheld(2021).at[BAULER, "A1"] and not dp.withheld(2021).at[BAULER, "B1"]
    log = dp.suppression_log.query("jahr == 2021").set_index(["gebiet_id", "spalte"])
    assert log.at[(BAULER, "arbeitslose"), "grund"].startswith(f"sekundär: Schutz von {PARTNER} in Verbandsgemeinde")


def test_sgb2_case_renders_and_scans_clean(cut, rendered_cut):
    dp = sp.load_datenpaket(cut)
    assert (rendered_cut / "bericht.html").exists() and (rendered_cut / "bericht.pdf").exists()
    assert leaks.scan_outputs(rendered_cut, dp) == []
    page = (rendered_cut / "bericht.html").read_text(encoding="utf-8")
    assert "SGB-II-Quote" in page  # the published SGB II figures are in the report


def test_planted_real_leaks_are_still_caught(cut, rendered_cut, tmp_path):
    dp = sp.load_datenpaket(cut)
    (tmp_path / "eigene.html").write_text(
        "<h2>Eigene Auswertung</h2>"
        "<table><thead><tr><th>Nr.</th><th>Gebiet</th><th>SGB-II-Quote</th><th>Arbeitslose</th></tr></thead>"
        f"<tbody><tr><th>{BAULER}</th><td>Bauler</td><td>5,1</td><td>3</td></tr></tbody></table>"
        f"<p>In {BAULER} Bauler liegt der Arbeitslosenanteil bei 5,1 %.</p>"
        f"<p>In {BAULER} Bauler beziehen 3 Personen Leistungen (SGB-II-Quote 5,1 %).</p>", encoding="utf-8")
    found = leaks.scan_outputs(tmp_path, dp)
    assert sorted((f.gebiet_id, f.spalte, f.found) for f in found) == [
        (BAULER, "A1", f"Quote im Text: „In {BAULER} Bauler liegt der Arbeitslosenanteil bei 5,1 %.“"),
        (BAULER, "arbeitslose", "Fallzahl „3“ in Spalte „Arbeitslose“")]
    with pytest.raises(SozialplanungError) as err:
        leaks.check_outputs(tmp_path, dp)
    assert "Geheim gehaltene Werte nur über dp.values() lesen" not in str(err.value)
    assert "dp.not_assessed()" in str(err.value) and "als Fehler melden" in str(err.value)


def test_withheld_value_in_a_steckbrief_row_is_caught(cut, tmp_path):
    """No area in the row: the Steckbrief section names it, the row header names the indicator."""
    dp = sp.load_datenpaket(cut)
    (tmp_path / "steckbrief.html").write_text(
        f'<section aria-label="Steckbrief {BAULER} Bauler"><h3>Steckbrief {BAULER} Bauler</h3>'
        '<table><thead><tr><th>Indikator</th><th>Gebiet</th><th>Eifelkreis Bitburg-Prüm</th></tr></thead><tbody>'
        '<tr><th scope="row">SGB-II-Quote %</th><td>5,1</td><td>2,9</td></tr>'
        '<tr><th scope="row">Arbeitslosenanteil %</th><td>5,1</td><td>2,9</td></tr></tbody></table></section>',
        encoding="utf-8")
    found = leaks.scan_outputs(tmp_path, dp)
    assert [(f.gebiet_id, f.spalte, f.found) for f in found] == [(BAULER, "A1", "Quote „5,1“ in Spalte „Gebiet“")]


def test_parent_with_a_single_withheld_child_says_what_to_do(tmp_path):
    """Speicher in this cut is Philippsheim alone (1 unemployed): its reference value is that count."""
    dp = sp.load_datenpaket(make_cut(tmp_path / "paket", [*SUEDEIFEL, "07232104"]))
    assert "nicht schützbar" in set(dp.suppression_log["art"])
    (tmp_path / "leer").mkdir()
    found = leaks.scan_outputs(tmp_path / "leer", dp)
    assert ("07232104", "A1") in {(f.gebiet_id, f.spalte) for f in found}
    with pytest.raises(SozialplanungError) as err:
        leaks.check_outputs(tmp_path / "leer", dp)
    text = str(err.value)
    assert "hat es als einziges Teilgebiet: Bezugswert = dieser Wert = 1" in text
    assert "Ein übergeordnetes Gebiet mit nur einem Teilgebiet: sein veröffentlichter Bezugswert ist der " \
           "geheim gehaltene Wert selbst. Abhilfe, eines davon: (1) die Fallzahlgrenze ändern" in text
    assert "(2) das Teilgebiet mit einem Nachbargebiet zusammenlegen" in text
    assert "(3) nur die übergeordnete Ebene veröffentlichen" in text


# -- Mitte with min_population 3000 ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def mitte_3000(tmp_path_factory) -> Path:
    import shutil

    root = tmp_path_factory.mktemp("params")
    shutil.copytree(REPO / "params" / "berlin", root / "params" / "berlin")
    shutil.copytree(REPO / "params" / "rezepte", root / "params" / "rezepte")
    return edit_yaml(root / "params" / "berlin" / "mitte.yaml", "min_population: 300 ", "min_population: 3000 ")


@pytest.fixture(scope="module")
def dp_3000(mitte_3000):
    return sp.load_datenpaket(mitte_3000)


def test_small_areas_publish_no_indicator_value(dp_3000):
    dp = dp_3000
    small = dp.not_rated[2021]
    pop = dp.population()
    assert small and set(small) == set(pop.index[(pop < 3000) | pop.isna()])
    values = dp.values()
    assert values.loc[small].isna().all(axis=None)                       # every indicator of every small area
    assert values.drop(index=small).notna().any(axis=1).all()
    assert dp.population().loc[small].notna().sum() >= len(small) - 1    # residents stay published
    assert dp.not_assessed().loc[small].all(axis=None) and not dp.not_assessed().drop(index=small).any(axis=None)
    assert dp.withheld().loc[small].all(axis=None)                       # withheld: either reason
    shown_small = [g for g in dp.shown_ids if g in set(small)]
    assert dp.assessed_ids(dp.shown_ids) == [g for g in dp.shown_ids if g not in set(small)]
    assert set(dp.not_assessed_reasons(dp.shown_ids).index) == set(shown_small)
    assert set(dp.not_assessed_reasons(dp.shown_ids)) == {"Datenschutz: weniger als 3.000 Einwohner/innen"}


def test_rate_references_leave_small_areas_out_so_nothing_is_recomputable(dp_3000, tmp_path):
    """Rate references are means of the published rates only: a small area is in no total."""
    from sozialplanung.indicators.reference import reference_value

    dp = dp_3000
    values, pop = dp.values(), dp.population()
    small = dp.not_rated[2021]
    assert dp.raw_values().loc[small, "S1"].notna().sum() > 40                # the data have their values
    mixed = [pid for pid, grp in dp.areas.groupby("Bezirksregion").groups.items()
             if values.loc[grp, "S1"].isna().any() and values.loc[grp, "S1"].notna().any()]
    assert len(mixed) > 10
    for pid in mixed:
        members = dp.areas.index[dp.areas["Bezirksregion"] == pid]
        ok = values.loc[members, "S1"].notna()
        assert (~ok).any() and ok.any()
        published = np.average(values.loc[members, "S1"][ok], weights=pop[members][ok])
        assert reference_value(dp, "S1", members)[0] == pytest.approx(published, rel=1e-12)
    assert leaks.scan_outputs(tmp_path, dp) == []
    assert "Bezugswerte aus veröffentlichten Quoten sind gewichtete Mittel nur der veröffentlichten Quoten" \
        in " ".join(sp.data.datenschutz.describe_suppression(dp))


def test_recomputation_check_covers_rates_if_references_included_small_areas(dp_3000, tmp_path, monkeypatch):
    """Were rate references computed over all areas, a Bezirksregion minus its published parts would give
    the w·r of its one small area – the leak scan must then stop the report."""
    from sozialplanung.indicators import reference

    def over_all(dp, indicator, ids, year=None):
        ind = dp.catalogue[indicator]
        values, w = dp.raw_values(year).loc[list(ids), indicator], dp.rows(year).loc[list(ids), ind.weight]
        ok = values.notna() & (w > 0)
        if not ok.any():  # e.g. a context indicator in an old year of the series (only 2021 has them)
            return float("nan"), True
        return float(np.average(values[ok], weights=w[ok])), True

    monkeypatch.setattr(reference, "reference_value", over_all)
    found = leaks.scan_outputs(tmp_path, dp_3000)
    small = set().union(*map(set, dp_3000.not_rated.values()))  # small in any published year of the series
    assert found and all(f.file == "(Summen)" and f.gebiet_id in small for f in found)
    assert {f.spalte for f in found} >= {"S1", "KI_01"}


def test_analyses_list_the_areas_they_leave_out(dp_3000):
    dp = dp_3000
    small = set(dp.not_rated[2021])
    reason = "Datenschutz: weniger als 3.000 Einwohner/innen"
    index = pipeline.sozialindex(dp)
    assert small <= set(index.not_rated_)
    own = {"weniger als 300 Einwohner", "Einwohnerzahl fehlt"}  # the recipe's own reasons come first
    assert set(index.not_rated_reasons_[list(small)]) - own - {reason} <= {"ausgeschlossen: Ausreißer"}
    assert (index.not_rated_reasons_[list(small)] == reason).sum() > 40
    assert "aus Datenschutzgründen nicht bewertet" in " ".join(describe_index(index))
    spatial = pipeline.raeumliche_statistik(dp)
    fa = pipeline.faktorenanalyse(dp)
    typology = pipeline.clusteranalyse(dp, fa)
    for result, used in [(spatial, set(dp.reference_ids) - set(spatial.dropped_) - small),
                         (fa, set(fa.scores_.index)), (typology, set(typology.labels_.dropna().index))]:
        reasons = result.not_rated_reasons_
        assert set(reasons.index) == set(dp.reference_ids) - used
        assert set(reasons[list(small)]) == {reason, "Datenschutz: Einwohnerzahl fehlt"}
        assert reasons.drop(index=list(small)).str.startswith("fehlender Wert: ").all()


def test_left_out_names_the_missing_inputs(dp_3000):
    dp = dp_3000
    gid = dp.assessed_ids(dp.reference_ids)[0]
    used = [g for g in dp.reference_ids if g != gid]
    dp.values()  # the cache is per year; poke one value of a copy-free frame for this test only
    dp.__dict__["_values_cache"]["masked", 2021].loc[gid, ["S1", "S4"]] = np.nan
    try:
        assert pipeline.left_out(dp, used, ["S1", "S3", "S4"]).to_dict() == {gid: "fehlender Wert: S1, S4"}
    finally:
        dp.__dict__.pop("_values_cache")
