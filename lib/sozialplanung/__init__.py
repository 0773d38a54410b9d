"""sozialplanung: Werkbank für die integrierte kommunale Sozialplanung."""

from sozialplanung.errors import SozialplanungError, SozialplanungWarning

__version__ = "0.1.0"
__all__ = ["SozialplanungError", "SozialplanungWarning", "__version__"]
