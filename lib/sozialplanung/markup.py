"""HTML fragments through one escaping path (markupsafe): ``Markup`` templates escape every argument.

Report modules never build HTML with f-strings: a fragment is ``Markup('<td>{}</td>').format(text)``
(``text`` is escaped, a ``Markup`` argument is kept), and fragments are joined with :func:`join`.
The Jinja templates use autoescape, so a data string is escaped exactly once on its way to the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

__all__ = ["Markup", "escape", "join", "paragraph", "css_string"]


def join(parts: Iterable, sep: str = "") -> Markup:
    """Fragments (kept) and plain text (escaped) as one HTML string.

    Examples
    --------
    >>> print(join([Markup("<b>fett</b>"), " & <i>"]))
    <b>fett</b> &amp; &lt;i&gt;
    """
    return Markup(sep).join(parts)


def paragraph(text) -> Markup:
    """``<p>`` with escaped text.

    Examples
    --------
    >>> print(paragraph("1 < 2"))
    <p>1 &lt; 2</p>
    """
    return Markup("<p>{}</p>").format(text)


def css_string(text) -> Markup:
    r"""``text`` for the inside of a double-quoted CSS string (``content: "…"`` in a ``<style>``).

    Inside ``<style>`` HTML entities are not decoded, so the text is CSS-escaped instead of
    HTML-escaped: letters, digits and a few harmless signs stay, everything else becomes ``\hex``.

    Examples
    --------
    >>> print(css_string('Bericht <script> "A&B" 2021'))
    Bericht \3c script\3e  \22 A\26 B\22  2021
    """
    return Markup("".join(c if c.isalnum() or c in " .,:-–·()" else f"\\{ord(c):x} " for c in str(text)))


_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")  # ASCII punctuation


def escape_markdown(value: str) -> str:
    r"""``value`` as literal Markdown text: every ASCII punctuation character backslash-escaped.

    Examples
    --------
    >>> print(escape_markdown("<b>Nord & Süd</b> {{ x }}"))
    \<b\>Nord \& Süd\<\/b\> \{\{ x \}\}
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value).replace("\n", " "))
