"""The one exception type for user mistakes, and the one warning type for numerical trouble."""

from __future__ import annotations


class SozialplanungError(ValueError):
    """A problem in the user's input, reported in German with where it happened.

    Parameters
    ----------
    message : str
        German text: what was expected and what was found.
    file, field, row : optional
        ``file`` is the path as the user wrote it, ``field`` the dotted YAML path or the
        column name, ``row`` the line the user sees in Excel or an editor (header = 1).
    hint : str, optional
        How to fix it.

    Examples
    --------
    >>> str(SozialplanungError("Spalte fehlt.", file="daten.csv", field="EW", row=3))
    'Datei daten.csv, Feld „EW“, Zeile 3: Spalte fehlt.'
    """

    def __init__(self, message, *, file=None, field=None, row=None, hint=None):
        self.message, self.file, self.field, self.row, self.hint = message, file, field, row, hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [
            f"Datei {self.file}" if self.file else "",
            f"Feld „{self.field}“" if self.field else "",
            f"Zeile {self.row}" if self.row is not None else "",
        ]
        text = ", ".join(w for w in where if w)
        text = f"{text}: {self.message}" if text else self.message
        return f"{text}\n→ {self.hint}" if self.hint else text


class SozialplanungWarning(UserWarning):
    """Numerical or data trouble that does not stop an analysis (e.g. a Heywood case)."""
