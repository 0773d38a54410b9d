"""Safe, bounded YAML loading: dates stay strings, duplicate keys are rejected, line numbers are kept.

Parameter, catalogue and recipe files are small, so the reader refuses what only a hostile or broken
file contains, each with its own German error: more than :data:`MAX_BYTES` bytes, nesting deeper than
:data:`MAX_DEPTH` levels, more than :data:`MAX_ALIASES` aliases (``*name``), and more than
:data:`MAX_NODES` entries once every alias is expanded (the "billion laughs": nine anchors of nine
aliases each expand to 9⁹ entries from a file of a few hundred bytes). The limits are checked while
the file is composed, before anything is expanded.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import yaml

from sozialplanung.errors import SozialplanungError
from sozialplanung.formatting import fmt_int


MAX_BYTES = 1_000_000
MAX_DEPTH = 50
MAX_ALIASES = 100
MAX_NODES = 100_000


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver (``stichtag: 2020-12-31`` stays a str), with limits."""

    def __init__(self, stream, path: str):
        super().__init__(stream)
        self._path, self._depth, self._aliases, self._sizes = path, 0, 0, {}

    def compose_node(self, parent, index):
        event = self.peek_event()
        row = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                self._fail(f"Die Datei enthält mehr als {MAX_ALIASES} YAML-Verweise („*{event.anchor}“).", row)
            node = super().compose_node(parent, index)
            if id(node) not in self._sizes:  # an alias inside its own anchor: an endless structure
                self._fail(f"Der YAML-Verweis „*{event.anchor}“ steht in dem Eintrag, auf den er verweist.", row)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise SozialplanungError(f"Die Datei ist tiefer als {MAX_DEPTH} Ebenen verschachtelt.", file=self._path,
                                     row=row, hint="Parameterdateien brauchen nur wenige Ebenen; ist es die richtige Datei?")
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else \
            node.value if isinstance(node, yaml.SequenceNode) else []
        self._sizes[id(node)] = size = 1 + sum(self._sizes[id(child)] for child in children)
        if size > MAX_NODES:
            what = "ergäbe nach dem Auflösen der YAML-Verweise („*…“)" if self._aliases else "hat"
            self._fail(f"Die Datei {what} mehr als {fmt_int(MAX_NODES)} Einträge.", row)
        return node

    def _fail(self, message: str, row: int):
        raise SozialplanungError(message, file=self._path, row=row,
                                 hint=_ALIAS_HINT if self._aliases else "Ist es die richtige Datei?")

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:  # e.g. an integer of 5000 digits, !!timestamp 2020-13-01
            if isinstance(exc, SozialplanungError):
                raise
            shown = str(node.value)[:40] + ("…" if len(str(node.value)) > 40 else "")
            raise SozialplanungError(f"Der Wert „{shown}“ ist ungültig.", file=self._path,
                                     row=node.start_mark.line + 1,
                                     hint="Zahlen mit höchstens einigen Dutzend Stellen; Texte in Anführungszeichen.") from None


_ALIAS_HINT = ("Anker („&name“) und Verweise („*name“) sparsam verwenden oder die Werte ausschreiben; "
               "Parameter-, Katalog- und Rezeptdateien brauchen sie nicht.")


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader, node, deep=False):
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, str):
            shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "[…]"
            raise SozialplanungError(
                f"Der Schlüssel „{shown}“ ist kein Text.", file=getattr(loader, "_path", None),
                row=key_node.start_mark.line + 1,
                hint=f"Schlüssel in Anführungszeichen schreiben: \"{shown}\": …")
        if key in seen:
            raise SozialplanungError(
                f"Der Schlüssel „{key}“ steht doppelt (zuerst in Zeile {seen[key]}).",
                file=getattr(loader, "_path", None),
                row=key_node.start_mark.line + 1,
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _lines(node, prefix: str, out: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            out[path] = key_node.start_mark.line + 1
            _lines(value_node, path, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = f"{prefix}.{i}"
            out[path] = item.start_mark.line + 1
            _lines(item, path, out)


def _syntax_hint(exc: yaml.MarkedYAMLError) -> str | None:
    problem = str(exc.problem or "")
    if "\t" in problem or "\\t" in problem:
        return "Zum Einrücken Leerzeichen statt Tabulatoren verwenden."
    if "2002:merge" in problem:
        return "Das Zusammenführen mit „<<: *name“ wird nicht unterstützt; die Werte ausschreiben."
    if "could not determine a constructor" in problem:
        return "Tags wie „!!python/…“ sind nicht erlaubt; Parameterdateien enthalten nur Texte, Zahlen, Listen."
    if "mapping values are not allowed" in problem or "expected <block end>" in problem:
        return "Einrückung prüfen und Texte mit „:“ in Anführungszeichen setzen."
    return None


def read_yaml(path: str | Path, *, shown_as: str | None = None) -> tuple[dict, dict[str, int]]:
    """Read a YAML mapping safely.

    Returns the data and a map from dotted field paths (``areas.file``, ``parents.0.level``) to
    the line number the user sees in an editor, for error messages.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "x.yaml")
    >>> _ = open(p, "w").write("stichtag: 2020-12-31\\nareas:\\n  file: a.gpkg\\n")
    >>> data, lines = read_yaml(p)
    >>> data["stichtag"], lines["areas.file"]
    ('2020-12-31', 3)
    """
    shown = shown_as or str(path)
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise SozialplanungError(f"Die Datei ist größer als {MAX_BYTES // 1_000_000} MB.", file=shown,
                                     hint="Parameter-, Katalog- und Rezeptdateien sind wenige Kilobyte groß; "
                                          "ist es die richtige Datei?")
        text = raw.decode("utf-16" if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig")
    except FileNotFoundError:
        raise SozialplanungError("Die Datei existiert nicht.", file=shown) from None
    except IsADirectoryError:
        raise SozialplanungError("Erwartet wird eine YAML-Datei, gefunden wurde ein Ordner.", file=shown) from None
    except OSError as exc:
        raise SozialplanungError(f"Die Datei ist nicht lesbar ({exc.strerror}).", file=shown) from None
    except UnicodeDecodeError:
        raise SozialplanungError("Die Datei ist nicht UTF-8-kodiert.", file=shown,
                                 hint="Speichern Sie die YAML-Datei als UTF-8.") from None
    try:
        loader = _Loader(text, shown)
    except yaml.YAMLError as exc:  # a control character in the file
        raise SozialplanungError(f"Die Datei enthält ein unzulässiges Zeichen: {str(exc).splitlines()[0]}.",
                                 file=shown, hint="Als UTF-8-Textdatei ohne Steuerzeichen speichern.") from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise SozialplanungError(f"Die YAML-Syntax ist fehlerhaft: {exc.problem}.", file=shown,
                                 row=mark.line + 1 if mark else None, hint=_syntax_hint(exc)) from None
    except yaml.YAMLError as exc:  # e.g. a control character outside any mark
        raise SozialplanungError(f"Die YAML-Syntax ist fehlerhaft: {exc}.", file=shown) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise SozialplanungError("Erwartet wird eine Zuordnung „schlüssel: wert“ auf oberster Ebene.",
                                 file=shown)
    lines: dict[str, int] = {}
    _lines(node, "", lines)
    return data, lines
