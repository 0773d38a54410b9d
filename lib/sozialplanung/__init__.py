"""sozialplanung: Werkbank für die integrierte kommunale Sozialplanung.

Data flow, one subpackage per stage (no module imports from a later stage):
``config`` (params, catalogue, recipes) → ``data`` (readers, Datenpaket, checks, Datenschutz) →
``indicators`` (reference values, published totals) → ``analysis`` (Sozialindex, factor, cluster,
spatial statistics, the results of a report) → ``viz`` (maps, charts, palettes, figure encoding) →
``report`` (chapters, Steckbriefe, writers) → ``publish`` (render, exports, manifest, leak scan, batch).

Everything is imported on first use, so ``import sozialplanung`` is cheap.

>>> import sozialplanung as sp
>>> dp = sp.load_datenpaket(sp.find_params("berlin/mitte.yaml"))
>>> dp.params.kommune
'Berlin-Mitte'
"""

from sozialplanung._lazy import attach

__version__ = "0.1.0"
STAGES = ("config", "data", "indicators", "analysis", "viz", "report", "publish")
_API = {
    "SozialplanungError": "sozialplanung.errors", "SozialplanungWarning": "sozialplanung.errors",
    "Params": "sozialplanung.config.params", "find_params": "sozialplanung.config.params",
    "read_params": "sozialplanung.config.params", "Datenpaket": "sozialplanung.data.datenpaket",
    "load_datenpaket": "sozialplanung.data.datenpaket", "output_dir": "sozialplanung.publish.export",
}
__getattr__, __dir__ = attach(__name__, _API)
__all__ = [*sorted(_API), *STAGES, "__version__"]
