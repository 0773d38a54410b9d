"""The Sozialbericht: chapters, Steckbriefe, Indikatorenblätter, Methodenanhang, tables, authored texts, writers."""

from sozialplanung._lazy import attach

__getattr__, __dir__ = attach(__name__)
