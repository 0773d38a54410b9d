"""Parameters of a run: params files, the indicator catalogue, Sozialindex recipes, bounded YAML, German validation errors."""

from sozialplanung._lazy import attach

__getattr__, __dir__ = attach(__name__)
