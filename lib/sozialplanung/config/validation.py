"""German errors: pydantic validation errors as :class:`SozialplanungError`, and every error of a file at once.

:class:`Errors` collects the errors of independent checks; :meth:`Errors.raise_all` raises the only
one unchanged, or one :class:`SeveralErrors` listing all (still a :class:`SozialplanungError`, so the
command line prints it and exits with 2).
"""

from __future__ import annotations

import difflib
from contextlib import contextmanager

import pydantic

from sozialplanung.errors import SozialplanungError

_MESSAGES = {
    "missing": "Pflichtfeld fehlt.",
    "string_type": "Erwartet wird ein Text.",
    "int_parsing": "Erwartet wird eine ganze Zahl.",
    "int_type": "Erwartet wird eine ganze Zahl.",
    "float_parsing": "Erwartet wird eine Zahl.",
    "float_type": "Erwartet wird eine Zahl.",
    "bool_parsing": "Erwartet wird ja/nein (true/false).",
    "list_type": "Erwartet wird eine Liste.",
    "dict_type": "Erwartet wird eine Zuordnung „schlüssel: wert“.",
    "model_type": "Erwartet wird eine Zuordnung „schlüssel: wert“.",
    "int_from_float": "Erwartet wird eine ganze Zahl.",
    "bool_type": "Erwartet wird ja/nein (true/false).",
    "too_short": "Die Liste darf nicht leer sein.",
    "string_too_short": "Der Text darf nicht leer sein.",
    "string_pattern_mismatch": "Der Wert hat nicht die erwartete Form.",
    "none_required": "Hier ist kein Wert erlaubt.",
    "finite_number": "Erwartet wird eine endliche Zahl (nicht .inf oder .nan).",
}
_BOUNDS = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<", "less_than_equal": "≤"}


def _found(value) -> str:
    if value is None:
        return "nichts (leerer Wert)"
    if isinstance(value, dict):
        return "eine Zuordnung"
    if isinstance(value, list):
        return "eine Liste"
    return f"„{value}“"


def _named_path(loc: list[str], data) -> list[str]:
    """Replace list positions by the item's ``id`` (``status.indicators.0`` → ``status.indicators.S1``)."""
    names, node = [], data
    for key in loc:
        if key.isdigit() and isinstance(node, list) and int(key) < len(node):
            node = node[int(key)]
            ident = node.get("id", node.get("gebiet_id")) if isinstance(node, dict) else None
            names.append(str(ident) if ident is not None else key)
        else:
            node = node.get(key) if isinstance(node, dict) else None
            names.append(key)
    return names


class SeveralErrors(SozialplanungError):
    """Several user mistakes at once; ``errors`` holds each one, ``field`` and ``row`` are the first one's."""

    def __init__(self, errors: list[SozialplanungError]):
        self.errors = list(errors)
        files = {e.file for e in errors}
        common = files.pop() if len(files) == 1 else None
        items = []
        for i, e in enumerate(errors, 1):
            own = SozialplanungError(e.message, file=None if common else e.file, field=e.field, row=e.row, hint=e.hint)
            items.append(f"  {i}. " + str(own).replace("\n", "\n     "))
        super().__init__(f"{len(errors)} Fehler:\n" + "\n".join(items), file=common,
                         field=errors[0].field, row=errors[0].row)

    def __str__(self) -> str:
        return f"Datei {self.file}: {self.message}" if self.file else self.message


class Errors:
    """Collect the errors of independent checks (``with errors.collect(): ...``), then :meth:`raise_all`."""

    def __init__(self):
        self.items: list[SozialplanungError] = []

    @contextmanager
    def collect(self):
        try:
            yield
        except SeveralErrors as exc:
            self.items.extend(exc.errors)
        except SozialplanungError as exc:
            self.items.append(exc)

    def raise_all(self) -> None:
        raise_all(self.items)


def raise_all(errors: list[SozialplanungError]) -> None:
    """Raise nothing, the one error, or all of them as one :class:`SeveralErrors`."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise SeveralErrors(errors)


def raise_german(exc: pydantic.ValidationError, *, file: str, lines: dict[str, int],
                 model: type[pydantic.BaseModel] | None = None, prefix: str = "", data=None) -> None:
    """Raise every error of ``exc`` in German (one :class:`SozialplanungError`, or :class:`SeveralErrors`).

    ``lines`` maps dotted field paths to line numbers (from :func:`sozialplanung.config.yamlio.read_yaml`).
    With the validated ``data``, list items are named by their ``id`` in the field path.
    """
    errors = _without_explained(exc.errors())
    raise_all([german(err, file=file, lines=lines, model=model, prefix=prefix, data=data) for err in errors])


def _without_explained(errors: list[dict]) -> list[dict]:
    """Typos first; a missing field is left out where a typo beside it explains it (``komune`` → ``kommune``)."""
    typos = {(tuple(e["loc"][:-1]), str(e["loc"][-1])) for e in errors if e["type"] == "extra_forbidden"}

    def explained(e) -> bool:
        near = [name for parent, name in typos if parent == tuple(e["loc"][:-1])]
        return e["type"] == "missing" and bool(difflib.get_close_matches(str(e["loc"][-1]), near, n=1))

    return sorted((e for e in errors if not explained(e)), key=lambda e: e["type"] != "extra_forbidden")


def german(err: dict, *, file: str, lines: dict[str, int], model=None, prefix: str = "",
           data=None) -> SozialplanungError:
    """One pydantic error (an item of ``ValidationError.errors()``) as a German :class:`SozialplanungError`."""
    loc = [str(p) for p in err["loc"] if isinstance(p, int) or not str(p).startswith(("function-", "literal["))]
    numeric = ".".join([prefix, *loc] if prefix else loc)
    if data is not None:
        loc = _named_path(loc, data)
    field = ".".join([prefix, *loc] if prefix else loc)
    message, hint = _message(err, loc, model)
    parts = numeric.split(".")
    row = next((lines[key] for n in range(len(parts), 0, -1) if (key := ".".join(parts[:n])) in lines), None)
    return SozialplanungError(message, file=file, field=field, row=row, hint=hint)


def _message(err: dict, loc: list[str], model) -> tuple[str, str | None]:
    kind = err["type"]
    hint = None
    if kind == "extra_forbidden":
        message = f"Unbekanntes Feld „{loc[-1]}“ (Tippfehler?)."
        allowed = _allowed_fields(model, loc[:-1])
        close = difflib.get_close_matches(loc[-1], allowed, n=1)
        if close:
            hint = f"Meinten Sie „{close[0]}“? Erlaubt sind: {', '.join(allowed)}."
        elif allowed:
            hint = f"Erlaubt sind: {', '.join(allowed)}."
    elif kind == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", "")).replace(" or ", " oder ")
        message = f"Der Wert {_found(err.get('input'))} ist nicht erlaubt. Erlaubt sind: {expected}."
    elif kind in ("value_error", "assertion_error"):
        message = str(err.get("ctx", {}).get("error", err["msg"]))
    elif kind in _BOUNDS:
        bound = next(iter(err.get("ctx", {}).values()), "")
        message = f"Der Wert muss {_BOUNDS[kind]} {bound} sein. Gefunden: {_found(err.get('input'))}."
    else:
        message = _MESSAGES.get(kind, f"Ungültiger Wert ({err['msg']}).")
        if kind != "missing":
            message = f"{message} Gefunden: {_found(err.get('input'))}."
        if kind == "string_type" and isinstance(err.get("input"), (int, float)):
            hint = f"In Anführungszeichen schreiben, z. B. \"{err.get('input')}\" (Kennungen mit führender Null: \"01\")."
        elif kind == "string_pattern_mismatch" and loc[-1] == "slug":
            hint = "Der Kurzname besteht aus Kleinbuchstaben, Ziffern, „-“ und „_“ (z. B. berlin-mitte), ohne „/“ oder „..“."
        elif kind == "string_pattern_mismatch":
            hint = f"Erwartetes Muster: {err.get('ctx', {}).get('pattern', '')}"
    return message, hint


def _allowed_fields(model, loc: list[str]) -> list[str]:
    """Field names allowed at ``loc`` inside ``model`` (best effort, for the typo hint)."""
    current = model
    for part in loc:
        if current is None or part.isdigit():
            continue
        field = current.model_fields.get(part)
        if field is None:
            return []
        current = _inner_model(field.annotation)
    return list(current.model_fields) if current is not None else []


def _inner_model(annotation):
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
