"""Params: validation with German messages naming file, field and row."""

import pytest

import sozialplanung as sp
from sozialplanung.errors import SozialplanungError

from conftest import PARAMS, edit_yaml


def test_all_demo_params_validate():
    files = sorted((PARAMS / "berlin").glob("*.yaml"))
    assert len(files) == 13
    slugs = {sp.read_params(f).slug for f in files}
    assert len(slugs) == 13


def test_misspelled_field_names_field_and_suggestion(mitte_params):
    edit_yaml(mitte_params, "report_year:", "report_yaer:")
    with pytest.raises(SozialplanungError) as exc:
        sp.read_params(mitte_params)
    text = str(exc.value)
    assert "report_yaer" in text and "Tippfehler" in text and "report_year" in text
    assert exc.value.row is not None and str(mitte_params) in text


def test_missing_file_named(mitte_params):
    edit_yaml(mitte_params, "paket:berlin/daten.csv", "paket:berlin/fehlt.csv")
    with pytest.raises(SozialplanungError, match="„paket:berlin/fehlt.csv“ existiert nicht") as exc:
        sp.read_params(mitte_params)
    assert exc.value.field == "data.file"


def test_wrong_literal_lists_allowed(mitte_params):
    edit_yaml(mitte_params, "edition: oeffentlich", "edition: geheim")
    with pytest.raises(SozialplanungError, match="Erlaubt sind"):
        sp.read_params(mitte_params)


def test_unknown_level(mitte_params):
    edit_yaml(mitte_params, "level: Bezirk\n  ids", "level: Landkreis\n  ids")
    with pytest.raises(SozialplanungError, match="Ebene „Landkreis“ gibt es nicht") as exc:
        sp.read_params(mitte_params)
    assert exc.value.field == "berichtsgebiet.level"


@pytest.mark.parametrize("slug", ["../../x", "a/b", "Groß", ""])
def test_slug_cannot_escape_output(mitte_params, slug):
    edit_yaml(mitte_params, "slug: berlin-mitte", f'slug: "{slug}"')
    with pytest.raises(SozialplanungError) as exc:
        sp.read_params(mitte_params)
    assert exc.value.field == "slug"


def test_duplicate_key_rejected(mitte_params):
    edit_yaml(mitte_params, "report_year: 2021", "report_year: 2021\nreport_year: 2020")
    with pytest.raises(SozialplanungError, match="doppelt"):
        sp.read_params(mitte_params)


def test_dates_stay_strings(tmp_path):
    from sozialplanung.config.yamlio import read_yaml

    p = tmp_path / "x.yaml"
    p.write_text("stichtag: 2020-12-31\n", encoding="utf-8")
    assert read_yaml(p)[0]["stichtag"] == "2020-12-31"


def test_yaml_is_loaded_safely(tmp_path):
    from sozialplanung.config.yamlio import read_yaml

    p = tmp_path / "x.yaml"
    p.write_text("a: !!python/object/apply:os.system ['echo boom']\n", encoding="utf-8")
    with pytest.raises(SozialplanungError):
        read_yaml(p)
