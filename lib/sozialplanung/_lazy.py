"""Deferred imports for the package's ``__init__`` files (PEP 562 module ``__getattr__``).

``import sozialplanung`` loads no plotting, modelling or rendering library: a stage such as
``sozialplanung.viz`` and its modules are imported when first used (``sp.viz.atlas.key_maps``).
"""

from __future__ import annotations

import importlib


def attach(package: str, names: dict[str, str] | None = None):
    """``__getattr__`` and ``__dir__`` for ``package``: submodules, and ``names`` (name → module) re-exported.

    >>> getattr_, dir_ = attach("sozialplanung.viz")
    >>> getattr_("palettes").__name__
    'sozialplanung.viz.palettes'
    """
    names = names or {}

    def __getattr__(name: str):
        if name in names:
            return getattr(importlib.import_module(names[name]), name)
        try:
            return importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{package}.{name}":
                raise
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

    def __dir__() -> list[str]:
        return sorted(names)

    return __getattr__, __dir__
