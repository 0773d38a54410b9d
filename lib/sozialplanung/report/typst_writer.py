"""PDF output with Typst: tagged PDF/UA-1 from the report model (:mod:`sozialplanung.report.model`).

The model is serialised to JSON and handed to the template ``typst/report.typ`` through Typst's ``sys.inputs``; the
template reads it with ``json(bytes(sys.inputs.model))`` and shows every data string as text. No data string is ever
spliced into Typst source, so a Themenfeld called ``#read("secret.txt")`` prints literally.

Accessibility (PDF/UA-1, checked by Typst itself at export): document title and language from the model, alt text on
every figure (SVG via ``image(bytes(svg), format: "svg", alt: …)``), tables with header cells (``table.header``),
bookmarks from the headings. Fonts: matplotlib's bundled DejaVu Sans (the font of the SVG figures), dehinted once
(:func:`pdf_fonts`), and Typst's own embedded fonts; system fonts are ignored, so a PDF looks the same on every
machine.

:func:`write_pdf` writes one document; :func:`write_pdfs` writes one PDF per Steckbrief (a top-level
:class:`~sozialplanung.report.model.Group` with an anchor), each a small document of its own so that every file is
tagged and accessible, not a page cut out of the volume.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import threading
from collections.abc import Mapping
from importlib.util import find_spec
from pathlib import Path

from sozialplanung.errors import SozialplanungError

PDF_STANDARD = "ua-1"
"""Typst's PDF/UA-1 export; it refuses a document without title or a figure without alt text."""

TEMPLATES = Path(__file__).with_name("typst")
MAIN = TEMPLATES / "report.typ"
_EXTERNAL = re.compile(r"""(?:\bhref\s*=\s*["']\s*|\burl\(\s*["']?\s*)(?!#|data:)([^"')\s]{1,80})""", re.I)
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}")
_lock = threading.Lock()
_compiler_cache: list = []
_fonts_cache: list = []


def font_dir() -> Path:
    """matplotlib's bundled TrueType fonts (DejaVu Sans), located without importing matplotlib."""
    spec = find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise SozialplanungError("Für PDF-Ausgaben wird die Schrift DejaVu Sans aus dem Paket „matplotlib“ benötigt.",
                                 hint="python -m pip install matplotlib")
    return Path(list(spec.submodule_search_locations)[0]) / "mpl-data" / "fonts" / "ttf"


FACES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")
NAME_PLATFORM = 3
"""The name records kept in the faces given to Typst: those of the Windows platform (Unicode), a full set with the
copyright, trademark and licence text (which the Bitstream Vera licence asks every copy to carry); the Macintosh
platform repeats them."""


def pdf_fonts() -> Path:
    """The fonts given to Typst: the four DejaVu Sans faces without TrueType hinting, made once and cached.

    Typst embeds a subset of each face used in every PDF; in DejaVu Sans more than half of a subset is hinting
    bytecode (instructions for screen rasterisers, which PDF viewers do not need), so dehinting halves the fonts in
    every file (a one-page Steckbrief 51 → 38 KB). Typst copies the name table and the glyph names into each subset
    too, and there each name record is stored twice (Macintosh and Windows platform): one copy stays
    (:data:`NAME_PLATFORM`, the licence text among it), and the glyph names go. Glyph outlines and metrics are
    unchanged. The cache lives in ``$XDG_CACHE_HOME/sozialplanung`` (``~/.cache``); where it cannot be written, the
    hinted faces are used.
    """
    source = font_dir()
    sizes = [f"{n}:{(source / n).stat().st_size}" for n in FACES] + [f"name:{NAME_PLATFORM}"]
    key = hashlib.sha256("|".join(sizes).encode()).hexdigest()[:12]
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sozialplanung" / f"dejavu-{key}"
    if all((root / n).is_file() for n in FACES):
        return root
    try:
        root.mkdir(parents=True, exist_ok=True)
        for name in FACES:
            if not (root / name).is_file():
                _dehint(source / name, root / name)
    except (OSError, ImportError):
        return source
    return root


def _dehint(source: Path, target: Path) -> None:
    from fontTools import subset  # matplotlib's own dependency
    from fontTools.ttLib import TTFont

    options = subset.Options(hinting=False, layout_features=["*"], name_IDs=["*"], name_languages=["*"],
                             glyph_names=False, notdef_outline=True, legacy_kern=True, drop_tables=["FFTM"])
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=range(font["maxp"].numGlyphs))
    subsetter.subset(font)
    font["name"].names = [r for r in font["name"].names if r.platformID == NAME_PLATFORM]
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    font.save(tmp)
    os.replace(tmp, target)


def _compiler():
    """One Typst compiler per process (fonts scanned once; Typst's caches shared between documents)."""
    if not _compiler_cache:
        try:
            import typst
        except ImportError as exc:  # pragma: no cover - dependency missing
            raise SozialplanungError("Für PDF-Ausgaben wird das Paket „typst“ benötigt.",
                                     hint="python -m pip install typst") from exc
        fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=[str(pdf_fonts())])
        _fonts_cache.append(fonts)
        _compiler_cache.append(typst.Compiler(input=str(MAIN), root=str(TEMPLATES), font_paths=fonts,
                                              ignore_system_fonts=True))
    return _compiler_cache[0]


def to_data(obj):
    """The model as plain JSON data: every dataclass becomes a dict with its class name under ``"type"``."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {"type": type(obj).__name__}
        for f in dataclasses.fields(obj):
            out[f.name] = to_data(getattr(obj, f.name))
        return out
    if isinstance(obj, (list, tuple)):
        return [to_data(x) for x in obj]
    if isinstance(obj, Mapping):
        return {str(k): to_data(v) for k, v in obj.items()}
    if obj is None or isinstance(obj, (str, bool, int, float)):
        return obj
    raise TypeError(f"not part of the report model: {type(obj).__name__}")


def _walk(blocks: list):
    """Every block dict in document order (groups first, then their content)."""
    for block in blocks:
        yield block
        if block.get("type") == "Group":
            yield from _walk(block.get("blocks", []))


def _normalise_levels(blocks: list) -> None:
    """PDF/UA-1 wants the first heading at level 1 and no skipped level: shift and clamp, in place."""
    headings = [b for b in _walk(blocks) if b.get("type") == "Heading"]
    if not headings:
        return
    base = min(int(h["level"]) for h in headings) - 1
    previous = 0
    for h in headings:
        h["level"] = max(1, min(int(h["level"]) - base, previous + 1))
        previous = h["level"]


def _anchors(blocks: list) -> list[str]:
    """Anchors that occur exactly once (only those become link targets and labels)."""
    seen: dict[str, int] = {}
    for b in _walk(blocks):
        if b.get("type") in ("Heading", "Group") and b.get("anchor"):
            seen[b["anchor"]] = seen.get(b["anchor"], 0) + 1
    return sorted(a for a, n in seen.items() if n == 1)


def _check(data: dict) -> None:
    if not str(data.get("title") or "").strip():
        raise SozialplanungError("Das Dokument hat keinen Titel; ein barrierefreies PDF (PDF/UA-1) braucht einen.",
                                 hint="Titel im Berichtsmodell setzen (Document.title).")
    for b in _walk(data.get("blocks", [])):
        if b.get("type") == "Figure":
            name = b.get("key") or b.get("caption") or "ohne Bildunterschrift"
            if not str(b.get("alt") or "").strip():
                raise SozialplanungError(f"Die Abbildung „{name[:80]}“ in „{data['title'][:80]}“ hat keinen "
                                         "Alternativtext; ein barrierefreies PDF braucht ihn für jede Abbildung.",
                                         hint="Beim Erzeugen der Abbildung einen Alternativtext angeben (alt=…).")
            svg = str(b.get("svg") or "")
            if "<svg" not in svg:
                raise SozialplanungError(f"Die Abbildung „{name[:80]}“ ist keine SVG-Grafik.",
                                         hint="Abbildungen über sozialplanung.viz.figures.encode erzeugen.")
            external = _EXTERNAL.search(svg)
            if external:
                raise SozialplanungError(f"Die Abbildung „{name[:80]}“ verweist auf eine Ressource außerhalb des "
                                         f"Dokuments ({external.group(1)}); beim Erzeugen des PDF wird nichts "
                                         "nachgeladen.", hint="Bilder in SVG-Abbildungen als data:-URI einbetten.")


def prepare(document, kind: str | None = None) -> dict:
    """The JSON data the template reads: the model plus ``anchors`` and ``groups``; heading levels normalised."""
    data = document if isinstance(document, dict) else to_data(document)
    if kind:
        data["kind"] = kind
    data.setdefault("subtitle", "")
    data.setdefault("kommune", "")
    data.setdefault("lang", "de")
    data["provenance"] = data.get("provenance") or {}
    _normalise_levels(data["blocks"])
    data["anchors"] = _anchors(data["blocks"])
    data["groups"] = sum(1 for b in data["blocks"] if b.get("type") == "Group")
    _check(data)
    return data


def _timestamp():
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else None


def render_pdf(document, kind: str | None = None) -> bytes:
    """Compile one model :class:`Document` (or its prepared data) to PDF/UA-1 bytes."""
    return _render(prepare(document, kind))[0]


def _render(data: dict, fits: bool = False) -> tuple[bytes, dict[str, float]]:
    """PDF bytes and, with ``fits``, the figure height each anchored kept-together group was fitted to (pt)."""
    compiler = _compiler()
    import typst

    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        with _lock:
            pdf = compiler.compile(format="pdf", sys_inputs={"model": payload}, pdf_standards=PDF_STANDARD,
                                   timestamp=_timestamp())
            if not fits:
                return pdf, {}
            # the same document again, only queried: Typst's caches answer it without a new layout
            query = typst.Compiler(input=str(MAIN), root=str(TEMPLATES), font_paths=_fonts_cache[0],
                                   ignore_system_fonts=True, sys_inputs={"model": payload})
            found = json.loads(query.query("<fit>", field="value"))
    except typst.TypstError as exc:
        raise SozialplanungError(f"Das PDF „{data['title'][:80]}“ konnte nicht gesetzt werden: {exc.message}",
                                 hint="Bitte melden: das Berichtsmodell sollte sich immer setzen lassen.") from None
    return pdf, {f["anchor"]: float(f["fig_max"]) for f in found if f.get("anchor")}


def compact(pdf: bytes) -> bytes:
    """The same PDF, smaller: the structure tree and other objects packed into compressed object streams.

    Typst writes every object (one per tagged table cell, figure, link, …) uncompressed; qpdf (through ``pikepdf``)
    packs them, which halves a report with large tables. Content, tags and metadata are unchanged. Without
    ``pikepdf`` the PDF is returned as it is.
    """
    try:
        import pikepdf
    except ImportError:
        return pdf
    import io

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        out = io.BytesIO()
        doc.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True,
                 recompress_flate=False, deterministic_id=True)
    packed = out.getvalue()
    return packed if len(packed) < len(pdf) else pdf


def _write_bytes(pdf: bytes, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(pdf)
    os.replace(tmp, path)
    return path


def write_pdf(document, path: str | Path) -> Path:
    """Write one model document as a tagged PDF/UA-1 file (via a temporary file); returns the path."""
    return _write_bytes(compact(render_pdf(document)), Path(path))


def write_pdf_fits(document, path: str | Path) -> tuple[Path, dict[str, float]]:
    """:func:`write_pdf`, and the fitted figure height (pt) of every anchored kept-together group, for
    :func:`write_pdfs` (``fits``)."""
    pdf, fits = _render(prepare(document), fits=True)
    return _write_bytes(compact(pdf), Path(path)), fits


def page_count(pdf: bytes | str | Path) -> int:
    """Number of pages of a PDF written here (read from its XMP metadata, no PDF library needed)."""
    data = pdf if isinstance(pdf, bytes) else Path(pdf).read_bytes()
    found = re.search(rb"<xmpTPg:NPages>(\d+)</xmpTPg:NPages>", data)
    return int(found.group(1)) if found else len(re.findall(rb"/Type\s*/Page\b", data))


def _groups(source, prefix: str) -> tuple[dict | None, list[tuple[str, dict]]]:
    """(parent document data or None, [(file stem, group data)]) from a Document, Groups or a mapping."""
    if isinstance(source, Mapping):
        return None, [(str(k), to_data(v)) for k, v in source.items()]
    if dataclasses.is_dataclass(source) and type(source).__name__ == "Document":
        parent = to_data(source)
        items = [b for b in parent["blocks"] if b.get("type") == "Group" and b.get("anchor")]
    else:
        parent, items = None, [to_data(g) for g in source]
    return parent, [(g["anchor"][len(prefix):] if g["anchor"].startswith(prefix) else g["anchor"], g)
                    for g in items]


def _first_heading(group: dict) -> str:
    return next((b["text"] for b in _walk(group.get("blocks", [])) if b.get("type") == "Heading"), "")


def _single(parent: dict | None, group: dict) -> dict:
    """A one-Steckbrief document: the group alone, titled by its first heading."""
    if group.get("type") == "Document":
        return group
    base = parent or {}
    name = _first_heading(group) or group.get("anchor", "")
    title = f"{name} – {base['title']}" if base.get("title") else name
    return {"type": "Document", "title": title, "subtitle": base.get("subtitle", ""),
            "kommune": base.get("kommune", ""), "lang": base.get("lang", "de"),
            "provenance": base.get("provenance", {}), "kind": "steckbrief", "blocks": [group]}


FIT_MARGIN = 8.0
"""Points a Steckbrief's figures give up against the height they had in the volume or the Bericht: its own PDF
has a larger first heading (level 1)."""


def write_pdfs(source: object, folder: str | Path, *, prefix: str = "steckbrief-",
               parent=None, fits: Mapping[str, float] | None = None) -> list[Path]:
    """One PDF per Steckbrief in ``folder``: ``<anchor without prefix>.pdf``.

    ``source`` is the Steckbrief volume (a :class:`Document` whose top-level Groups carry anchors such as
    ``steckbrief-<gebiet_id>``), an iterable of such Groups (``parent`` then gives title, Kommune and provenance), or
    a mapping ``{gebiet_id: Document or Group}``. ``fits`` (anchor → figure height in pt, from
    :func:`write_pdf_fits` of a document holding the same groups) spares Typst fitting each page again; a
    Steckbrief that then takes more pages than fitted is set again with fitting.
    """
    own_parent, items = _groups(source, prefix)
    parent_data = own_parent or (to_data(parent) if parent is not None else None)
    folder = Path(folder)
    paths = []
    for stem, group in items:
        if not _SAFE_NAME.fullmatch(stem):
            raise SozialplanungError(f"Der Steckbrief „{stem[:80]}“ hat keinen gültigen Dateinamen.",
                                     hint="Gebietsnummern bestehen aus Buchstaben, Ziffern, Punkt, Binde- und "
                                          "Unterstrich.")
        paths.append(_write_bytes(compact(_render_single(_single(parent_data, group), fits or {})),
                                  folder / f"{stem}.pdf"))
    return paths


def _render_single(data: dict, fits: Mapping[str, float]) -> bytes:
    """One Steckbrief: with the known figure height where there is one, fitted by Typst where it is not or where
    the known height does not keep the page count of the fitted layout (at most one page per group)."""
    group = data["blocks"][0]
    known = fits.get(group.get("anchor", "")) if group.get("type") == "Group" else None
    if known is None:
        return render_pdf(data)
    fixed = {**data, "blocks": [{**group, "fig_max": max(0.0, known - FIT_MARGIN)}]}
    pdf = render_pdf(fixed)
    return pdf if page_count(pdf) <= 1 else render_pdf(data)
