"""Figures: maps, charts, the Sozialatlas, palettes, and the one figure encoder."""

from sozialplanung._lazy import attach

__getattr__, __dir__ = attach(__name__)
