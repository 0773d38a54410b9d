"""One whole report render of Berlin-Mitte fits each analysis once (issue #9: „a test counts fits“).

The render is the session's Mitte render (``rendered_mitte`` in conftest): ``sozialplanung render`` in a
subprocess with the counting hook of ``tests/fitkit.py``, shared with the output tests of test_render.
"""

import pytest

pytestmark = pytest.mark.xdist_group("mitte")  # shares the one rendered Mitte report


def test_one_mitte_render_fits_each_analysis_once(rendered_mitte, mitte_fits):
    assert mitte_fits["FactorAnalysis"] == 1, mitte_fits
    assert mitte_fits["ClusterTypology"] == 1, mitte_fits
    assert mitte_fits["Moran_Local"] == 1, mitte_fits
    assert mitte_fits["Sensitivity"] == 1, mitte_fits
    # the report's index (the sensitivity starts from it, no refit), plus the status of each of the five editions of
    # the series (2013–2021), fitted by the report's change chapter and again by the export of tabellen/zeitreihe.csv
    # after the notebooks (another process; not in the results cache yet)
    assert mitte_fits["SozialIndex"] == 1 + 2 * 5, mitte_fits

    # the saved results stay beside the published report, never inside it
    assert (rendered_mitte.parent / ".ergebnisse").is_dir()
    assert not [p for p in rendered_mitte.rglob("*") if p.suffix == ".pkl" or ".ergebnisse" in p.parts]
