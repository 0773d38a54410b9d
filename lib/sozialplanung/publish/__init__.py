"""Rendering and publishing: notebooks run by papermill, exports (CSV, XLSX, GeoPackage), manifest, leak scan, batch."""

from sozialplanung._lazy import attach

__getattr__, __dir__ = attach(__name__)
