"""Estimators over a Datenpaket: standardisation, classification, Sozialindex, factor and cluster analysis, spatial statistics, sensitivity."""

from sozialplanung._lazy import attach

__getattr__, __dir__ = attach(__name__)
