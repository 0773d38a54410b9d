"""Indicator reference values (Kommune, parent areas) and published totals."""

from sozialplanung._lazy import attach

__getattr__, __dir__ = attach(__name__)
