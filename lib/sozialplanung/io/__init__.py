"""Readers for the files of a Datenpaket: area geometries and data tables."""

from sozialplanung.io.geometry import read_areas
from sozialplanung.io.tables import read_table

__all__ = ["read_areas", "read_table"]
