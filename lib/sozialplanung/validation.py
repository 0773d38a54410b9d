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
    "greater_than": "Der Wert ist zu klein.",
    "greater_than_equal": "Der Wert ist zu klein.",
    "less_than_equal": "Der Wert ist zu groß.",
}


def raise_german(exc: pydantic.ValidationError, *, file: str, lines: dict[str, int],
                 model: type[pydantic.BaseModel] | None = None, prefix: str = "") -> None:
    """Raise the first error of ``exc`` as a German :class:`SozialplanungError`.

    ``lines`` maps dotted field paths to line numbers (from :func:`sozialplanung.yamlio.read_yaml`).
    """
    errors = exc.errors()
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])  # a typo explains a "missing"
    loc = [str(p) for p in err["loc"]]
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
        expected = err.get("ctx", {}).get("expected", "")
        message = f"Der Wert „{err.get('input')}“ ist nicht erlaubt. Erlaubt sind: {expected}."
    elif kind in ("value_error", "assertion_error"):
        message = str(err.get("ctx", {}).get("error", err["msg"]))
    else:
        message = _MESSAGES.get(kind, err["msg"])
        if kind != "missing":
            message = f"{message} Gefunden: „{err.get('input')}“."
    row = lines.get(field) or lines.get(".".join(field.split(".")[:-1]))
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
