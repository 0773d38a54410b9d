"""``output/index.html``: every report with its status in the last batch, key figures, duration,
warnings and date, and an overview map (inline SVG) of the reported Kommunen linking to each report.

The status of the last run per report is kept in ``output/.status.json``, so a batch over a few
Kommunen keeps the others' rows. All text is escaped.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from sozialplanung.formatting import fmt_int, fmt_number
from sozialplanung.data.manifest import read_manifest

BERLIN = ZoneInfo("Europe/Berlin")
FILES = [("Bericht (HTML)", "bericht.html"), ("Bericht (PDF)", "bericht.pdf"), ("Kurzfassung (PDF)", "kurzfassung.pdf"),
         ("Tabellen (Excel)", "ergebnisse.xlsx"), ("Geodaten (GeoPackage)", "ergebnisse.gpkg")]
STATUS = {"ok": ("✓", "neu erstellt"), "übersprungen": ("✓", "unverändert"),
          "fehler": ("✗", "fehlgeschlagen"), None: ("✓", "veröffentlicht")}
STYLE = ("body{font-family:sans-serif;margin:2em;color:#222}td,th{padding:.3em .8em;text-align:left;vertical-align:top}"
         "td.n{text-align:right}tr:nth-child(even){background:#f3f3f3}.fehler{color:#b00}"
         "svg a path{fill:#9ecae1;stroke:#08519c;stroke-width:.6}svg a:hover path{fill:#3182bd}"
         "svg a path.fehler{fill:#fcbba1;stroke:#b00}pre{white-space:pre-wrap;margin:0}")


def german_time(iso: str) -> str:
    """``2026-12-02T02:58:00+00:00`` → ``02.12.2026, 03:58 Uhr`` (local time in Berlin).

    >>> german_time("2026-12-02T02:58:00+00:00")
    '02.12.2026, 03:58 Uhr'
    """
    local = dt.datetime.fromisoformat(iso).astimezone(BERLIN)
    return f"{local:%d.%m.%Y, %H:%M} Uhr"


def _update_status(root: Path, results: list) -> dict:
    path = root / ".status.json"
    try:
        status = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        status = {}
    for r in results:
        status[r.slug or r.params_file] = {"status": r.status, "meldung": r.message, "parameter": r.params_file,
                                          "kommune": r.kommune, "dauer_s": round(r.seconds, 1),
                                          "warnungen": r.warnings}
    _write(path, json.dumps(status, ensure_ascii=False, indent=1))
    return status


def write_index(output_root: Path, results: list = ()) -> Path:
    """Write ``output_root/index.html`` from the published manifests and the last status per report."""
    root = Path(output_root)
    status = _update_status(root, results)
    reports = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if (folder / "manifest.json").exists():
            reports[folder.name] = read_manifest(folder)
    rows = [_row(root, slug, reports.get(slug), status.get(slug, {})) for slug in sorted({*reports, *status})
            if slug in reports or status[slug]["status"] == "fehler"]
    page = ("<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Sozialberichte</title>"
            f"<style>{STYLE}</style></head><body><h1>Sozialberichte</h1>"
            f"<p>{len(reports)} Berichte veröffentlicht</p>{overview_map(reports, status)}"
            "<table><thead><tr><th>Status</th><th>Kommune</th><th>Gebiete</th><th>Einwohner</th><th>Dauer</th>"
            "<th>Warnungen</th><th>Erstellt</th><th>Dateien</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></body></html>")
    return _write(root / "index.html", page)


def _row(root: Path, slug: str, manifest: dict | None, last: dict) -> str:
    mark, text = STATUS[last.get("status")]
    if manifest is None:  # failed, never published
        name = last.get("kommune") or last.get("parameter") or slug
        return (f'<tr class="fehler"><td>{mark} {escape(text)}</td><td>{escape(name)}</td>'
                f'<td colspan="6"><pre>{escape(last.get("meldung", ""))}</pre></td></tr>')
    figures = manifest.get("bericht", {})
    if last.get("status") == "fehler":
        text = "fehlgeschlagen – der vorige Bericht bleibt"
    links = " · ".join(f'<a href="{escape(slug)}/{f}">{escape(label)}</a>' for label, f in FILES
                       if (root / slug / f).exists())
    note = f'<pre class="fehler">{escape(last["meldung"])}</pre>' if last.get("status") == "fehler" else ""
    seconds = figures.get("dauer_s")
    return (f"<tr><td>{mark} {escape(text)}</td><td>{escape(manifest.get('kommune', slug))}{note}</td>"
            f"<td class=\"n\">{escape(fmt_int(figures.get('gebiete')))}</td>"
            f"<td class=\"n\">{escape(fmt_int(figures.get('einwohner')))}</td>"
            f"<td class=\"n\">{escape(fmt_number(seconds, 1) + ' s' if seconds is not None else '.')}</td>"
            f"<td class=\"n\">{escape(fmt_int(figures.get('warnungen')))}</td>"
            f"<td>{escape(german_time(manifest['zeitpunkt']))}</td><td>{links}</td></tr>")


def overview_map(reports: dict, status: dict, width: int = 640) -> str:
    """Inline SVG: the outline of every report (largest first, so smaller ones lie on top), each a link."""
    shapes = [(slug, m.get("kommune", slug), m.get("bericht", {}).get("umriss") or []) for slug, m in reports.items()]
    shapes = [s for s in shapes if s[2]]
    if not shapes:
        return ""
    points = [pt for _, _, rings in shapes for ring in rings for pt in ring]
    lat0 = math.radians(sum(p[1] for p in points) / len(points))
    xs, ys = [p[0] * math.cos(lat0) for p in points], [p[1] for p in points]
    x0, y1 = min(xs), max(ys)
    scale = width / max(max(xs) - x0, max(ys) - min(ys), 1e-9)
    height = (max(ys) - min(ys)) * scale

    def path(rings):
        return " ".join("M" + " L".join(f"{(x * math.cos(lat0) - x0) * scale:.1f},{(y1 - y) * scale:.1f}"
                                       for x, y in ring) + " Z" for ring in rings)

    def size(rings):
        return sum(abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(r, r[1:]))) for r in rings)

    def css(slug):
        return ' class="fehler"' if status.get(slug, {}).get("status") == "fehler" else ""

    links = "".join(f'<a href="{escape(slug)}/bericht.html"><path d="{path(rings)}"{css(slug)}>'
                    f"<title>{escape(name)}</title></path></a>"
                    for slug, name, rings in sorted(shapes, key=lambda s: -size(s[2])))
    return (f'<figure><svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height:.0f}" '
            f'viewBox="-2 -2 {width + 4} {height + 4:.0f}" aria-label="Übersichtskarte der Berichte">{links}</svg>'
            "<figcaption>Übersichtskarte: ein Umriss je Bericht (Link zum Bericht)</figcaption></figure>")


def _write(path: Path, text: str) -> Path:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
