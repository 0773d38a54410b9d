"""Readers for the files of a Datenpaket: area geometries, data tables, and all inputs of a params file."""

from sozialplanung.io.data import read_data, read_inputs
from sozialplanung.io.geometry import read_areas, read_geometry
from sozialplanung.io.tables import read_table

__all__ = ["read_areas", "read_data", "read_geometry", "read_inputs", "read_table"]
