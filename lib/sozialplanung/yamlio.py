"""Safe YAML loading: dates stay strings, duplicate keys are rejected, line numbers are kept."""

from __future__ import annotations

from pathlib import Path

import yaml

from sozialplanung.errors import SozialplanungError


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver (``stichtag: 2020-12-31`` stays a str)."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader, node, deep=False):
    seen = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, str):
            raise SozialplanungError(
                f"Der Schlüssel „{key_node.value}“ ist kein Text.", file=getattr(loader, "_path", None),
                row=key_node.start_mark.line + 1,
                hint=f"Schlüssel in Anführungszeichen schreiben: \"{key_node.value}\": …")
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
        text = Path(path).read_text(encoding="utf-8")
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
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # a control character in the file
        raise SozialplanungError(f"Die Datei enthält ein unzulässiges Zeichen: {str(exc).splitlines()[0]}.",
                                 file=shown, hint="Als UTF-8-Textdatei ohne Steuerzeichen speichern.") from None
    loader._path = shown
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
