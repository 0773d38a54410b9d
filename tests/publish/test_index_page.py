"""``output/index.html``: status, key figures, duration, warnings, German local date, overview map; escaped."""

from __future__ import annotations

import re

import pytest

import sozialplanung as sp
from sozialplanung.publish.batch import RenderResult
from sozialplanung.publish.index_page import german_time, write_index
from sozialplanung.data.manifest import write_manifest
from sozialplanung.publish.render import report_summary

from conftest import PARAMS

SQUARE = [[[13.3, 52.5], [13.4, 52.5], [13.4, 52.6], [13.3, 52.6], [13.3, 52.5]]]


def report(root, slug, kommune, **figures):
    (root / slug).mkdir(parents=True)
    (root / slug / "bericht.html").write_text("<html></html>", encoding="utf-8")
    write_manifest({"kommune": kommune, "slug": slug, "zeitpunkt": "2026-12-02T02:58:00+00:00",
                    "bericht": {"gebiete": 1234, "einwohner": 385744, "warnungen": 2, "dauer_s": 83.4,
                                "umriss": SQUARE, **figures}}, root / slug)


def test_index_rows_map_and_escaping(tmp_path):
    report(tmp_path, "a-b", "<b>Nord & Süd</b>")
    report(tmp_path, "mitte", "Berlin-Mitte", umriss=[])
    results = [RenderResult("a.yaml", "ok", 83.4, "a-b", "<b>Nord & Süd</b>", warnings=2),
               RenderResult("mitte.yaml", "fehler", 3.0, "mitte", "Berlin-Mitte", message="<script>x</script>"),
               RenderResult("kaputt.yaml", "fehler", 0.5, message="Datei kaputt.yaml: „zwanzig“ & mehr")]
    page = write_index(tmp_path, results).read_text(encoding="utf-8")
    assert "<b>Nord" not in page and "&lt;b&gt;Nord &amp; Süd&lt;/b&gt;" in page
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "02.12.2026, 03:58 Uhr" in page and "1.234" in page and "385.744" in page and "83,4 s" in page
    assert "✓ neu erstellt" in page and "✗ fehlgeschlagen – der vorige Bericht bleibt" in page
    assert "„zwanzig“ &amp; mehr" in page  # failed, never published: still listed with its message
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert svg.count("<path") == 1 and '<a href="a-b/bericht.html">' in svg
    # a later batch over one Kommune keeps the other rows and their status
    page = write_index(tmp_path, [RenderResult("mitte.yaml", "übersprungen", 0.1, "mitte", "Berlin-Mitte")])
    page = page.read_text(encoding="utf-8")
    assert "✓ neu erstellt" in page and "✓ unverändert" in page and "&lt;script&gt;" not in page


@pytest.mark.parametrize("iso, shown", [("2026-12-02T02:58:00+00:00", "02.12.2026, 03:58 Uhr"),
                                        ("2026-07-01T22:05:00+00:00", "02.07.2026, 00:05 Uhr")])
def test_german_local_time(iso, shown):
    assert german_time(iso) == shown  # Europe/Berlin: UTC+1 in winter, UTC+2 in summer


def test_key_figures_of_a_real_report(tmp_path):
    dp = sp.load_datenpaket(PARAMS / "berlin" / "mitte.yaml")
    (tmp_path / "notebooks").mkdir()
    figures = report_summary(dp, tmp_path, seconds=12.345)
    assert figures["gebiete"] == len(dp.shown_ids) == 49
    assert figures["einwohner"] == round(dp.population().loc[dp.shown_ids].sum())
    assert figures["dauer_s"] == 12.3 and figures["warnungen"] >= 0
    lon, lat = zip(*(pt for ring in figures["umriss"] for pt in ring))
    assert 13.3 < min(lon) < max(lon) < 13.5 and 52.49 < min(lat) < max(lat) < 52.57  # Mitte, WGS 84
