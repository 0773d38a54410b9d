"""Safe by default: YAML loaded safely, output cannot escape output/, secrets never reach an output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sozialplanung as sp
from sozialplanung.errors import SozialplanungError
from sozialplanung.publish import render
from sozialplanung.data.manifest import build_manifest
from sozialplanung.config.params import read_params
from conftest import REPO, edit_yaml

SECRET = "geheim-7f3c1e9a-kein-passwort-im-bericht"


@pytest.mark.parametrize("payload", [
    "!!python/object/apply:os.system ['touch /tmp/sozialplanung_pwned']",
    "!!python/name:os.system",
    "!!python/object/new:subprocess.Popen [[touch, /tmp/sozialplanung_pwned]]",
])
@pytest.mark.parametrize("target", ["mitte.yaml", "catalogue", "recipe"])
def test_yaml_never_runs_code(mitte_params, tmp_path, payload, target):
    if target == "mitte.yaml":
        edit_yaml(mitte_params, 'kommune: "Berlin-Mitte"', f"kommune: {payload}")
    elif target == "catalogue":
        cat = tmp_path / "katalog.yaml"
        cat.write_text(f"indicators:\n  S1: {payload}\n", encoding="utf-8")
        edit_yaml(mitte_params, "catalogue: paket:berlin/indikatoren.yaml", f"catalogue: {cat}")
    else:
        edit_yaml(mitte_params.parent.parent / "rezepte" / "mss.yaml", "name: mss", f"name: {payload}")
    with pytest.raises(SozialplanungError):
        sp.load_datenpaket(mitte_params)
    assert not Path("/tmp/sozialplanung_pwned").exists()


@pytest.mark.parametrize("slug", ["../../x", "../x", "/tmp/x", "a/b", ".versteckt", "x/../../y"])
def test_slug_cannot_escape_output(mitte_params, tmp_path, slug):
    edit_yaml(mitte_params, "slug: berlin-mitte", f'slug: "{slug}"')
    with pytest.raises(SozialplanungError, match="nicht die erwartete Form") as exc:
        read_params(mitte_params)
    assert exc.value.field == "slug"
    with pytest.raises(SozialplanungError, match="außerhalb"):
        render.output_folder(tmp_path / "output", "../../x")


@pytest.fixture()
def secret_params(mitte_params, monkeypatch):
    monkeypatch.setenv("SOZIALPLANUNG_DB_PASSWORT", SECRET)
    edit_yaml(mitte_params, "  population: einwohner\n",
              "  population: einwohner\n  password_env: SOZIALPLANUNG_DB_PASSWORT\n")
    return mitte_params


def test_params_keep_only_the_variable_name(secret_params):
    dumped = json.dumps(read_params(secret_params).model_dump(mode="json"), ensure_ascii=False)
    assert "SOZIALPLANUNG_DB_PASSWORT" in dumped and SECRET not in dumped


def test_manifest_without_secret(secret_params):
    dp = sp.load_datenpaket(secret_params)
    manifest = json.dumps(build_manifest(dp.params, dp.inputs), ensure_ascii=False)
    assert SECRET not in manifest


def test_papermill_gets_only_params_file_and_output_dir(secret_params, tmp_path, monkeypatch):
    import papermill

    calls = []

    def fake(input_path, output_path, parameters=None, **kwargs):
        calls.append(parameters)
        nb = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        Path(output_path).write_text(json.dumps(nb), encoding="utf-8")

    monkeypatch.setattr(papermill, "execute_notebook", fake)
    final = render.render_one(secret_params, output_root=tmp_path / "output", notebooks=REPO / "notebooks")
    assert calls and all(set(c) == {"params_file", "output_dir"} for c in calls)
    assert all(SECRET not in json.dumps(c) for c in calls)
    for path in final.rglob("*"):  # manifest, notebooks: nothing written may contain the value
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
