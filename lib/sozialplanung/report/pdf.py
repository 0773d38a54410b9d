"""PDF output with WeasyPrint, offline: tagged PDF/UA-1 from the report's own HTML.

The HTML documents are self-contained (images as data URIs, inline styles), so WeasyPrint never
fetches anything: :func:`_fetcher` refuses every URL that is not a ``data:`` URI with a German error. One layout can
be written whole or split by page (:func:`write_pages`), which is how one Steckbrief PDF per area
comes out of a single layout of the Steckbrief volume.

Checks for tests and CI: :func:`overflowing_boxes` walks WeasyPrint's layout boxes and lists tables
and figures that run past the page's content box.
"""

from __future__ import annotations

import os
from pathlib import Path

from sozialplanung.errors import SozialplanungError

PDF_VARIANT = "pdf/ua-1"
"""Tagged PDF for accessibility (PDF/UA-1, toward BITV 2.0); WeasyPrint adds the structure tree."""


def _refuse(url: str):
    raise SozialplanungError(f"Der Bericht verweist auf eine Ressource außerhalb des Dokuments ({url[:80]}); "
                             "beim Erzeugen des PDF wird nichts nachgeladen.",
                             hint="Bilder und Stile müssen eingebettet sein (data:-URI); Bilder in Kapiteltexten "
                                  "als Datei in den Textordner legen.")


def _fetcher():
    """A WeasyPrint ``URLFetcher`` that resolves only ``data:`` URIs and refuses everything else in German."""
    from weasyprint.urls import URLFetcher

    class DataOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.lower().startswith("data:"):
                _refuse(url)
            return super().fetch(url, headers)

    return DataOnly(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=True)


def layout(html_text: str):
    """Lay out an HTML string with WeasyPrint; returns a ``weasyprint.Document``.

    A reference to anything but a ``data:`` URI is a :class:`SozialplanungError` (WeasyPrint's
    ``FatalURLFetchingError`` would otherwise end the run as an internal error).
    """
    try:
        from weasyprint import HTML
        from weasyprint.urls import FatalURLFetchingError
    except ImportError as exc:  # pragma: no cover - dependency missing
        raise SozialplanungError("Für PDF-Ausgaben wird das Paket „weasyprint“ benötigt.",
                                 hint="python -m pip install weasyprint") from exc
    try:
        return HTML(string=html_text, url_fetcher=_fetcher(), base_url=".").render()
    except FatalURLFetchingError as exc:
        if isinstance(exc.__cause__, SozialplanungError):
            raise exc.__cause__ from None
        raise SozialplanungError(f"Eine eingebettete Ressource des Berichts ist fehlerhaft ({exc.__cause__ or exc}).",
                                 hint="Bitte melden: eingebettete Bilder sollten immer lesbar sein.") from None


def _write(document, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    document.write_pdf(tmp, pdf_variant=PDF_VARIANT, pdf_tags=True)
    os.replace(tmp, path)
    return path


def write_pdf(html_text: str, path: str | Path, document=None) -> tuple[Path, int]:
    """Write ``html_text`` as a tagged PDF (via a temporary file). Returns the path and the page count."""
    document = document if document is not None else layout(html_text)
    return _write(document, Path(path)), len(document.pages)


def page_of_anchor(document, prefix: str) -> dict[str, int]:
    """Page index of every anchor (HTML ``id``) starting with ``prefix``, keyed by the rest of the id."""
    out = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith(prefix) and anchor[len(prefix):] not in out:
                out[anchor[len(prefix):]] = number
    return out


def write_pages(document, folder: str | Path, prefix: str) -> list[Path]:
    """One PDF per anchor ``<prefix><key>``: the pages from that anchor up to the next one."""
    starts = sorted(page_of_anchor(document, prefix).items(), key=lambda kv: kv[1])
    paths = []
    for j, (key, first) in enumerate(starts):
        last = starts[j + 1][1] if j + 1 < len(starts) else len(document.pages)
        part = document.copy(document.pages[first:max(last, first + 1)])
        paths.append(_write(part, Path(folder) / f"{key}.pdf"))
    return paths


def _boxes(box):
    yield box
    for child in getattr(box, "children", []) or []:
        yield from _boxes(child)


def overflowing_boxes(document, tags=("table", "figure", "img", "pre"), tolerance: float = 1.0) -> list[str]:
    """Tables and figures whose right or bottom edge lies outside the page's content box.

    Returns German descriptions (``"Seite 3: <table> ragt 12,0 pt über den rechten Rand"``); empty
    when everything fits.
    """
    problems = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        left = page_box.content_box_x()
        top = page_box.content_box_y()
        right = left + page_box.width
        bottom = top + page_box.height
        for box in _boxes(page_box):
            tag = getattr(box, "element_tag", None)
            if tag not in tags or not hasattr(box, "position_x"):
                continue
            box_right = box.border_box_x() + box.border_width()
            box_bottom = box.border_box_y() + box.border_height()
            if box_right > right + tolerance:
                problems.append(f"Seite {number}: <{tag}> ragt {box_right - right:.1f} pt über den rechten Rand")
            if box_bottom > bottom + tolerance:
                problems.append(f"Seite {number}: <{tag}> ragt {box_bottom - bottom:.1f} pt über den unteren Rand")
    return problems
