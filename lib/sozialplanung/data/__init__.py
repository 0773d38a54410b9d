"""The Datenpaket: readers for area geometries and data tables, checks, Datenschutz, aggregation, crosswalks."""

from sozialplanung._lazy import attach

__getattr__, __dir__ = attach(__name__)
