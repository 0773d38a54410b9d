"""Authored chapters: Markdown files with placeholders for computed numbers (co-authoring).

Analysts and university partners write the narrative in Markdown, one file per chapter, in the
folder named by ``texts:`` in the params file (relative to it, e.g. ``params/berlin/texte/``).
The file name is the chapter id (:data:`CHAPTERS`, plus ``themenfeld-<name>`` per Themenfeld,
e.g. ``themenfeld-arbeit-und-transferbezug.md``). A file for a Kommune only may be put in a
subfolder named like the params' ``slug`` (``texte/berlin-mitte/einleitung.md``); it wins over
the shared file. Files starting with ``_`` and ``LIESMICH.md``/``README.md`` are ignored.

Placeholders pull computed numbers into the text, so it never goes stale: ``{{ name }}``.
:func:`placeholders` lists every available name with its current value (the notebook
``09_sozialbericht`` shows the table). An unknown name raises a :class:`SozialplanungError`
naming the file and line. Values are German-formatted strings (``12,5 %``).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from sozialplanung import labels
from sozialplanung.errors import SozialplanungError
from sozialplanung.formatting import fmt_int
from sozialplanung.indicators import reference_value

CHAPTERS = {
    "einleitung": "Einleitung",
    "auf-einen-blick": "Auf einen Blick",
    "sozialindex": "Sozialindex",
    "typologie": "Gebietstypen",
    "faktorenanalyse": "Faktorenanalyse",
    "handlungsempfehlungen": "Handlungsempfehlungen",
}
"""Chapters that take authored text (besides one per Themenfeld)."""

_PLACEHOLDER = re.compile(r"\{\{\s*([^}]*?)\s*\}\}")
_IGNORED = {"liesmich.md", "readme.md"}


def slug(text: str) -> str:
    """ASCII id of a German title: ``Arbeit und Transferbezug`` → ``arbeit-und-transferbezug``."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def chapter_ids(dp) -> dict[str, str]:
    """Every chapter id that takes authored text → its title."""
    out = dict(CHAPTERS)
    for feld in dp.catalogue.themenfelder():
        out[f"themenfeld-{slug(feld)}"] = feld
    return out


def _key(text: str) -> str:
    return slug(text).replace("-", "_")


def placeholders(dp, results: dict) -> dict[str, str]:
    """Every placeholder name → its current value as German text."""
    rated = [g for g in dp.shown_ids if g not in set(dp.not_rated.get(dp.year, []))]
    out = {
        "kommune": dp.params.kommune, "berichtsjahr": str(dp.year), "berichtsgebiet": labels.berichtsgebiet(dp),
        "bezugsgesamtheit": labels.reference(dp), "ebene": dp.params.areas.level,
        "anzahl_gebiete": fmt_int(len(dp.shown_ids)), "anzahl_bewertet": fmt_int(len(rated)),
        "anzahl_nicht_bewertet": fmt_int(len(dp.shown_ids) - len(rated)),
        "einwohner": fmt_int(float(np.nansum(dp.population().loc[dp.shown_ids]))),
    }
    for ind_id, ind in dp.catalogue.items():
        own, approx = reference_value(dp, ind_id, dp.shown_ids)
        ref, _ = reference_value(dp, ind_id, dp.reference_ids)
        key = ind_id.lower()
        out[f"{key}_berichtsgebiet"] = labels.value(own, ind.unit, approx=approx)
        out[f"{key}_bezug"] = labels.value(ref, ind.unit, approx=approx)
        col = dp.values().loc[rated, ind_id].dropna()
        if not col.empty:
            out[f"{key}_max"] = labels.value(col.max(), ind.unit)
            out[f"{key}_max_gebiet"] = labels.area(dp, col.idxmax())
            out[f"{key}_min"] = labels.value(col.min(), ind.unit)
            out[f"{key}_min_gebiet"] = labels.area(dp, col.idxmin())
    index = results.get("index")
    if index is not None:
        for part, spec in index.recipe_.parts().items():
            classes = getattr(index, f"{part}_").reindex(dp.shown_ids)
            for c in spec.classification.classes:
                out[f"{part}_{_key(c.label)}"] = fmt_int(int((classes == c.code).sum()))
    typology = results.get("typology")
    if typology is not None:
        shown = typology.labels_.reindex(dp.shown_ids)
        for k in typology.names_:
            out[f"typ_{k}"] = fmt_int(int((shown == k).sum()))
    return out


def placeholder_table(dp, results: dict) -> pd.DataFrame:
    """The available placeholders with their current values (for the notebook and the documentation)."""
    values = placeholders(dp, results)
    return pd.DataFrame({"Platzhalter": [f"{{{{ {k} }}}}" for k in values], "Wert": list(values.values())})


def fill(text: str, values: dict[str, str], *, file: str) -> str:
    """Replace every ``{{ name }}``; an unknown name is a German error with file and line."""
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            line = text.count("\n", 0, match.start()) + 1
            close = [k for k in values if k.split("_")[0] == name.split("_")[0]][:6]
            raise SozialplanungError(f"Unbekannter Platzhalter „{{{{ {name} }}}}“.", file=file, row=line,
                                     hint="Verfügbar sind z. B. " + ", ".join(close or list(values)[:8])
                                     + " (vollständige Liste: sp.texts.placeholder_table im Notebook 09).")
        return values[name]
    return _PLACEHOLDER.sub(replace, text)


def _folder(dp) -> Path | None:
    return dp.params.resolve(dp.params.texts) if dp.params.texts else None


def chapter_files(dp) -> dict[str, Path]:
    """Authored Markdown file per chapter id (Kommune subfolder before the shared folder)."""
    folder = _folder(dp)
    if folder is None or not folder.is_dir():
        return {}
    known = chapter_ids(dp)
    found = {}
    for sub in (folder, folder / dp.params.slug):
        for path in sorted(sub.glob("*.md")) if sub.is_dir() else []:
            if path.name.startswith("_") or path.name.lower() in _IGNORED:
                continue
            if path.stem not in known:
                raise SozialplanungError(f"Die Textdatei „{path.name}“ passt zu keinem Kapitel.", file=str(path),
                                         hint="Erlaubte Dateinamen: " + ", ".join(f"{k}.md" for k in known))
            found[path.stem] = path
    return found


def render_markdown(text: str) -> str:
    """Markdown → HTML (CommonMark plus tables; raw HTML is escaped, headings start at level 3)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    out = md.render(text)
    for level in (4, 3, 2, 1):  # chapter headings are h2: authored headings move two levels down
        out = out.replace(f"<h{level}>", f"<h{min(level + 2, 6)}>").replace(f"</h{level}>", f"</h{min(level + 2, 6)}>")
    return out


def load_texts(dp, results: dict) -> dict[str, str]:
    """Authored chapters as HTML, keyed by chapter id, with placeholders filled in."""
    files = chapter_files(dp)
    if not files:
        return {}
    values = placeholders(dp, results)
    shown_root = Path(dp.params.path).parent
    out = {}
    for chapter, path in files.items():
        try:
            shown = str(path.relative_to(shown_root))
        except ValueError:
            shown = str(path)
        out[chapter] = render_markdown(fill(path.read_text(encoding="utf-8"), values, file=shown))
    return out


def authored(texts: dict[str, str], chapter: str, title: str) -> str:
    """The authored HTML of a chapter, or a visible note that it has none yet."""
    if chapter in texts:
        return f'<div class="autorentext">{texts[chapter]}</div>'
    return (f'<p class="hinweis-fehlt" data-kapitel="{chapter}">Für das Kapitel „{title}“ liegt noch kein '
            f'redaktioneller Text vor (Datei <code>{chapter}.md</code> im Textordner).</p>')
