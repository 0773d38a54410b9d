"""sozialplanung: Werkbank für die integrierte kommunale Sozialplanung.

Data flow: params → Datenpaket → Indikatoren → Analysen → Bericht.

>>> import sozialplanung as sp
>>> dp = sp.load_datenpaket(sp.find_params("berlin/mitte.yaml"))
>>> dp.params.kommune
'Berlin-Mitte'
"""

from sozialplanung.errors import SozialplanungError, SozialplanungWarning
from sozialplanung.params import Params, find_params, read_params
from sozialplanung.datenpaket import Datenpaket, load_datenpaket
from sozialplanung.export import output_dir
from sozialplanung import analyses, atlas, checks, export, findings, indicators, manifest, report, texts

__version__ = "0.1.0"
__all__ = [
    "Datenpaket", "Params", "SozialplanungError", "SozialplanungWarning", "analyses", "atlas", "checks", "export",
    "find_params", "findings", "indicators", "load_datenpaket", "manifest", "output_dir", "read_params", "report", "texts",
    "__version__",
]
