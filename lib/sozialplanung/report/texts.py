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
naming the file and line. Values are German-formatted strings (``12,5 %``); they are inserted
as literal text (Markdown and HTML characters in an area name are shown, not interpreted).

Raw HTML in a chapter is shown as text. Images (``![Karte](bilder/karte.png)``) come only from
files inside the texts folder and are embedded as ``data:`` URIs; an external address (``http:``,
``https:``, ``//``, ``file:``, ``data:``) is a German error naming file and line, and so is a
chapter file that is a symlink to somewhere outside the texts folder.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from sozialplanung.data import labels
from sozialplanung.errors import SozialplanungError
from sozialplanung.formatting import fmt_int
from sozialplanung.indicators.reference import reference_value
from sozialplanung.markup import escape_markdown

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
    rated = dp.assessed_ids(dp.shown_ids)
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
            out[f"{key}_min"] = labels.value(col.min(), ind.unit)
        if not col.empty and dp.params.rangfolgen:  # naming the extremes ranks the areas: only where enabled
            out[f"{key}_max_gebiet"] = labels.area(dp, col.idxmax())
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
        for k, name in typology.names_.items():  # typ_a … by the neutral name (typ_1 … by number kept)
            out[f"typ_{k}"] = out[f"typ_{_key(name.removeprefix('Typ '))}"] = fmt_int(int((shown == k).sum()))
    return out


def placeholder_table(dp, results: dict) -> pd.DataFrame:
    """The available placeholders with their current values (for the notebook and the documentation)."""
    values = placeholders(dp, results)
    return pd.DataFrame({"Platzhalter": [f"{{{{ {k} }}}}" for k in values], "Wert": list(values.values())})



def fill(text: str, values: dict[str, str], *, file: str) -> str:
    """Replace every ``{{ name }}`` by its value as literal text; an unknown name is a German error (file, line)."""
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            line = text.count("\n", 0, match.start()) + 1
            close = [k for k in values if k.split("_")[0] == name.split("_")[0]][:6]
            raise SozialplanungError(f"Unbekannter Platzhalter „{{{{ {name} }}}}“.", file=file, row=line,
                                     hint="Verfügbar sind z. B. " + ", ".join(close or list(values)[:8])
                                     + " (vollständige Liste: sp.texts.placeholder_table im Notebook 09).")
        return escape_markdown(values[name])
    return _PLACEHOLDER.sub(replace, text)


def _folder(dp) -> Path | None:
    return dp.params.resolve(dp.params.texts) if dp.params.texts else None


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


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
            if not _inside(path, folder):
                raise SozialplanungError(f"Die Textdatei „{path.name}“ verweist auf {path.resolve()}, außerhalb "
                                         f"des Textordners {folder}.", file=str(path),
                                         hint="Kapiteltexte als Datei in den Textordner legen, nicht als Verweis "
                                              "(Symlink) auf einen anderen Ordner.")
            found[path.stem] = path
    return found


def _read(path: Path, what: str, *, file: str, row: int | None = None) -> bytes:
    """The bytes of ``path``; a missing, unreadable file or a folder is a German error (``what``: its name)."""
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise SozialplanungError(f"{what} ist ein Ordner, keine Datei.", file=file, row=row,
                                 hint="Den Ordner umbenennen (ohne Dateiendung) oder entfernen.") from None
    except FileNotFoundError:
        raise SozialplanungError(f"{what} ist nicht vorhanden ({path}).", file=file, row=row,
                                 hint="Dateinamen prüfen; ein Verweis (Symlink) darf nicht ins Leere zeigen.",
                                 ) from None
    except PermissionError:
        raise SozialplanungError(f"{what} kann nicht gelesen werden (keine Leseberechtigung).", file=file, row=row,
                                 hint="Leserechte der Datei prüfen (z. B. chmod a+r).") from None
    except OSError as exc:
        raise SozialplanungError(f"{what} kann nicht gelesen werden (Systemmeldung: {exc}).", file=file,
                                 row=row) from None


def read_text(path: Path, shown: str) -> str:
    """The text of a chapter file (UTF-8); unreadable files are German errors naming the file."""
    data = _read(path, f"Die Textdatei „{path.name}“", file=shown)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SozialplanungError(f"Die Textdatei ist nicht UTF-8-kodiert (ungültiges Byte 0x{data[exc.start]:02x}).",
                                 file=shown, row=data.count(b"\n", 0, exc.start) + 1,
                                 hint="Die Datei im Editor mit der Kodierung UTF-8 speichern.") from None


_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
                ".webp": "image/webp", ".svg": "image/svg+xml"}


def _image_uri(src: str, *, base: Path | None, root: Path | None, file: str, line: int) -> str:
    """``data:`` URI of an image file beside the chapter; anything else is a German error with file and line."""
    import base64
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith(("/", "\\")):
        raise SozialplanungError(f"Das Bild „{src}“ ist eine externe Adresse; der Bericht lädt nichts nach.",
                                 file=file, row=line, hint="Das Bild als Datei in den Textordner legen und mit "
                                                           "relativem Pfad einbinden: ![Karte](bilder/karte.png).")
    path = (base or Path(".")) / unquote(parts.path)
    if root is None or not _inside(path, root):
        raise SozialplanungError(f"Das Bild „{src}“ liegt außerhalb des Textordners.", file=file, row=line,
                                 hint="Bilder müssen im Textordner liegen (auch nicht als Verweis nach außen).")
    mime = _IMAGE_TYPES.get(path.suffix.lower())
    if mime is None:
        raise SozialplanungError(f"Das Bild „{src}“ hat kein unterstütztes Format.", file=file, row=line,
                                 hint="Erlaubt: " + ", ".join(_IMAGE_TYPES) + ".")
    data = _read(path, f"Das Bild „{src}“", file=file, row=line)
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _line(block, url: str) -> int:
    """Line (1-based) of ``url`` in the source of an inline block (its first line if not found)."""
    from urllib.parse import unquote

    pos = max(block.content.find(unquote(url)), 0)
    return (block.map[0] if block.map else 0) + 1 + block.content.count("\n", 0, pos)


def _check_urls(tokens, allowed, **where) -> None:
    """Embed every image as a data URI (:func:`_image_uri`); a link markdown-it finds unsafe is an error."""
    for block in tokens:
        for token in block.children or []:
            if token.type == "image":
                src = token.attrGet("src") or ""
                token.attrSet("src", _image_uri(src, line=_line(block, src), **where))
            elif token.type == "link_open" and not allowed(token.attrGet("href") or ""):
                href = token.attrGet("href")
                raise SozialplanungError(f"Der Verweis „{href}“ ist nicht erlaubt.", file=where["file"],
                                         row=_line(block, href), hint="Verweise nur auf Webseiten (https://…), "
                                                                      "E-Mail-Adressen (mailto:) oder Sprungmarken.")


def render_markdown(text: str, *, file: str = "Text", base: Path | None = None, root: Path | None = None) -> list:
    """Markdown → report-model blocks (CommonMark plus tables; raw HTML stays text, headings one level below the
    chapter's).

    Images are read from ``base`` (the chapter's folder) and must lie inside ``root`` (the texts folder).
    """
    from markdown_it import MarkdownIt

    from sozialplanung.report.markdown import to_blocks

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    allowed, md.validateLink = md.validateLink, lambda url: True  # so that a refused image is an error, not text
    tokens = md.parse(text)
    _check_urls(tokens, allowed, file=file, base=base, root=root)
    return to_blocks(tokens)


def load_texts(dp, results: dict) -> dict[str, list]:
    """Authored chapters as model blocks, keyed by chapter id, with placeholders filled in."""
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
        text = fill(read_text(path, shown), values, file=shown)
        out[chapter] = render_markdown(text, file=shown, base=path.parent, root=_folder(dp))
    return out


def authored(texts: dict[str, list], chapter: str, title: str) -> list:
    """The authored blocks of a chapter, or a visible note that it has none yet."""
    from sozialplanung.report.model import Group, Note

    if chapter in texts:
        return [Group(list(texts[chapter]), keep_together=False, role="autorentext")]
    return [Note(f"Für das Kapitel „{title}“ liegt noch kein redaktioneller Text vor (Datei {chapter}.md im "
                 "Textordner).", kind="hinweis", role="fehlt", key=chapter)]
