"""Turn pydantic validation errors into one German :class:`SozialplanungError`."""

from __future__ import annotations

import difflib

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


def raise_german(exc: pydantic.ValidationError, *, file: str, lines: dict[str, int],
                 model: type[pydantic.BaseModel] | None = None, prefix: str = "", data=None) -> None:
    """Raise the first error of ``exc`` as a German :class:`SozialplanungError`.

    ``lines`` maps dotted field paths to line numbers (from :func:`sozialplanung.yamlio.read_yaml`).
    With the validated ``data``, list items are named by their ``id`` in the field path.
    """
    errors = exc.errors()
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])  # a typo explains a "missing"
    loc = [str(p) for p in err["loc"] if isinstance(p, int) or not str(p).startswith(("function-", "literal["))]
    numeric = ".".join([prefix, *loc] if prefix else loc)
    if data is not None:
        loc = _named_path(loc, data)
    field = ".".join([prefix, *loc] if prefix else loc)
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
    parts = numeric.split(".")
    row = next((lines[key] for n in range(len(parts), 0, -1) if (key := ".".join(parts[:n])) in lines), None)
    if len(errors) > 1 and hint is None:
        hint = f"{len(errors) - 1} weitere Fehler in derselben Datei."
    raise SozialplanungError(message, file=file, field=field, row=row, hint=hint) from None


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
