"""The Sozialbericht: a self-contained HTML document assembled from the library's results.

Every section is a small function ``(dp, results) -> html``; :data:`SECTIONS` lists them in order.
Images are embedded as data URIs, styles are inline: opening ``bericht.html`` makes no network
request.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path

import jinja2

from sozialplanung import atlas, figures, indicators, tables
from sozialplanung.datenpaket import Datenpaket
from sozialplanung.formatting import fmt_date, fmt_int

_ENV = jinja2.Environment(loader=jinja2.PackageLoader("sozialplanung", "templates"),
                          autoescape=jinja2.select_autoescape(["html", "j2"]))


def markdown_list(items: list[str]):
    """Show sentences as a Markdown list in a notebook."""
    from IPython.display import Markdown

    return Markdown("\n".join(f"- {item}" for item in items))


def _figure(fig, caption: str) -> str:
    img = figures.figure_to_img_tag(fig)
    figures.close(fig)
    return f"<figure>{img}<figcaption>{html.escape(caption)}</figcaption></figure>"


def section_einleitung(dp: Datenpaket, results: dict) -> str:
    p = dp.params
    shown, ref = len(dp.shown_ids), len(dp.reference_ids)
    level = p.areas.level
    text = (f"<p>Dieser Bericht beschreibt die soziale Lage in {shown} Gebieten der Ebene {html.escape(level)} "
            f"({html.escape(p.kommune)}). Bezugswerte, Indizes und Klassen sind über {ref} Gebiete berechnet "
            f"(Bezugsgesamtheit"
            + (f": {html.escape(p.bezugsgesamtheit.level)} {', '.join(p.bezugsgesamtheit.ids)}" if p.bezugsgesamtheit else
               ": die ganze Kommune") + "). Jedes Gebiet wird mit Nummer und Namen genannt, da Namen mehrfach vorkommen.</p>")
    not_rated = dp.not_rated.get(p.report_year, [])
    if not_rated:
        text += (f"<p>{len(not_rated)} Gebiete haben weniger als {fmt_int(p.datenschutz.min_population)} "
                 "Einwohner/innen und werden nicht bewertet.</p>")
    return text


def section_themenfelder(dp: Datenpaket, results: dict) -> str:
    parts = []
    refs = indicators.reference_table(dp)
    for feld in dp.catalogue.themenfelder():
        ids = [i for i, ind in dp.catalogue.items() if ind.themenfeld == feld]
        parts.append(f"<h3>{html.escape(feld)}</h3>")
        for ind_id in ids:
            ind = dp.catalogue[ind_id]
            fig = atlas.indicator_map(dp, ind_id)
            parts.append(_figure(fig, f"Karte: {ind.name} – {ind.definition}. Quelle: {ind.source}, Stand {fmt_date(ind.stichtag)}."))
        parts.append(tables.indicator_table(dp, ids, caption=f"{feld}: Gebiete im Vergleich mit "
                                            f"{indicators.top_level(dp) or 'Kommune'} und Kommune", references=refs))
    return "".join(parts)


def section_quellen(dp: Datenpaket, results: dict) -> str:
    items = "".join(f"<li>{html.escape(s)}</li>" for s in dp.params.sources)
    return (f"<ul>{items}</ul><p>Die Gebietsgrenzen sind für die Darstellung vereinfacht (Daten verändert). "
            "Bezugswerte aus veröffentlichten Quoten sind einwohnergewichtete Mittel und daher Näherungswerte.</p>")


def section_provenienz(dp: Datenpaket, results: dict) -> str:
    m = results.get("manifest") or {}
    lines = [f"Parameterdatei: {dp.params.path}", f"Git-Commit: {m.get('git_commit')}",
             f"Erstellt: {m.get('zeitpunkt')}"]
    lines += [f"Eingabe {k}: {v['pfad']} (SHA-256 {v['sha256'][:16]}…)" for k, v in m.get("eingaben", {}).items()]
    lines += [f"{k} {v}" for k, v in m.get("versionen", {}).items()]
    return f'<pre class="provenienz">{html.escape(chr(10).join(lines))}</pre>'


SECTIONS = [
    ("einleitung", "Einleitung", section_einleitung),
    ("themenfelder", "Sozialraumanalyse nach Themenfeldern", section_themenfelder),
    ("quellen", "Datenquellen und Lizenzen", section_quellen),
    ("provenienz", "Provenienz", section_provenienz),
]


def render_html(dp: Datenpaket, results: dict | None = None) -> str:
    results = results or {}
    stichtage = sorted({ind.stichtag for ind in dp.catalogue.values()})
    sections = [{"id": sid, "title": title, "html": func(dp, results)} for sid, title, func in SECTIONS]
    return _ENV.get_template("bericht.html.j2").render(
        title=f"Sozialbericht {dp.params.kommune} {dp.params.report_year}", kommune=dp.params.kommune,
        jahr=dp.params.report_year, datenstand=", ".join(fmt_date(s) for s in stichtage),
        untertitel=f"{len(dp.shown_ids)} {dp.params.areas.level}e",
        entwurf=dp.params.status == "entwurf",
        status_text="Entwurf" if dp.params.status == "entwurf" else "Veröffentlichung",
        erstellt=dt.date.today().strftime("%d.%m.%Y"), sections=sections)


def write_bericht(dp: Datenpaket, output_dir: str | Path) -> Path:
    """Write ``bericht.html`` into ``output_dir`` (via a temporary file, then renamed)."""
    from sozialplanung.manifest import ensure_manifest

    output_dir = Path(output_dir)
    results = {"manifest": ensure_manifest(dp, output_dir)}
    path = output_dir / "bericht.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(render_html(dp, results), encoding="utf-8")
    os.replace(tmp, path)
    return path
