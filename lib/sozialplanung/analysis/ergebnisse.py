"""The results of a report: every analysis of a Datenpaket fitted once and saved beside the report.

:class:`Ergebnisse` holds the fitted Sozialindex, its sensitivity, the factor analysis, the cluster
typology and the spatial autocorrelation (LISA) of one Datenpaket, and for each analysis that could not
be run its German message. Notebooks 03–06 fit what they show through it, ``09_sozialbericht``
(:func:`sozialplanung.report.bericht.compute_results`) and the GeoPackage styles read what they saved;
a notebook run on its own (JupyterLab, nothing saved yet) computes what it needs.

Where: ``<output_dir>/../.ergebnisse/<fingerprint>/<analysis>.pkl``, i.e. *beside* the report folder
and never inside it. ``output_dir`` is the notebooks' parameter: the staging folder of
:mod:`sozialplanung.publish.render` (published as a whole) or ``output/lab/<slug>``. The results hold
values of every area of the Bezugsgesamtheit – areas outside the Berichtsgebiet, small areas that are
not assessed – so they must never be published; the hidden folder in the output root is not a report
(the index page skips hidden folders) and may always be deleted.

Fingerprint (:func:`fingerprint`): sha256 over the params fields an analysis result depends on
(:data:`ANALYSIS_FIELDS`), the contents of every input file, the library code of the stages the
analyses use (``config``, ``data``, ``indicators``, ``analysis`` and the top-level modules) and the
versions of Python and the numerical packages. The folder is named after it and every file repeats it
in its header, which is checked before the pickle is loaded: a file of other inputs, other code or
other package versions is never used (it is recomputed and replaced).

Shared across a batch: the other params fields (name, slug, Berichtsgebiet, texts, …) change only what
a report shows, so every report over the same Bezugsgesamtheit and inputs has the same fingerprint –
Berlin and each of its Bezirke – and the first to need an analysis fits it; the others read it. A lock
per file (:func:`locked`) makes a report that runs at the same time wait for that fit instead of
repeating it. The report's figures that are the same across such reports are kept in the same folder
(``abbildungen/``, :func:`sozialplanung.report.page.figure`).

Format: one JSON header line ``{"format": 1, "fingerprint": …, "analyse": …, "bibliothek": …}``,
then a pickle of ``{"ergebnis": result}`` or ``{"fehler": German message}``; written to a temporary
file and renamed, so a parallel reader never sees half a file. Pickles run code when loaded: only
files in the project's own output folder with the expected header are read.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import pickle
import platform
import warnings
from importlib import metadata
from pathlib import Path

from sozialplanung.analysis import pipeline
from sozialplanung.data.manifest import sha256
from sozialplanung.data.stored import folder_for, locked, write_atomic  # noqa: F401 - public here before
from sozialplanung.errors import SozialplanungError, SozialplanungWarning

FORMAT = 1
"""Version of the file format; a new one makes every saved file stale."""
ANALYSES = ("index", "sensitivity", "fa", "typology", "spatial", "vergleich")
"""The analyses an :class:`Ergebnisse` holds, by key (the keys of ``compute_results``)."""
REPORT = {"index": "sozialindex", "fa": "faktorenanalyse", "typology": "clusteranalyse",
          "spatial": "raeumliche_statistik"}
"""The analyses of the report: key → its name in ``Params.analyses_run()``."""
PACKAGES = ("numpy", "pandas", "scipy", "scikit-learn", "statsmodels", "geopandas", "shapely", "libpysal", "esda",
            "mapclassify")
"""Packages whose version enters the fingerprint (they compute or pickle the results)."""
_CODE = ("config", "data", "indicators", "analysis")
ANALYSIS_FIELDS = ("report_year", "edition", "areas", "data", "catalogue", "recipe", "vergleichsrezepte",
                   "bezugsgesamtheit", "datenschutz", "nur_gesamt", "analyses")
"""The params fields an analysis result depends on (the fingerprint's): what the Datenpaket reads and
protects (areas, data, catalogue, report year; the Datenschutz rules, the edition and the
Bezugsgesamtheit decide what is withheld; ``nur_gesamt`` merges sub-areas into their parent's total when
the Datenpaket is loaded) and what the analyses are fitted with (recipe, the
``vergleichsrezepte``, ``analyses`` except ``analyses.run``, which only chooses the notebooks). The others
(``kommune``, ``bezugsname``, ``slug``, ``berichtsgebiet``, ``indicators``, ``key_indicators``, ``texts``,
``rangfolgen``, ``vergleichsring`` – fitted by the report each run, not kept here –, …) change only what a report shows;
tests/analysis/test_ergebnisse.py holds each field to its side."""


class Ergebnisse:
    """The analyses of ``dp``, each fitted at most once and saved under :func:`folder_for` ``(output_dir)``.

    Parameters
    ----------
    dp : Datenpaket
    output_dir : str or Path, optional
        The report folder (the notebooks' ``output_dir``); None: keep the results in memory only.
    quiet : bool
        Suppress :class:`~sozialplanung.errors.SozialplanungWarning` while fitting (the report and the
        GeoPackage: the notebooks have shown them).

    Examples
    --------
    >>> ergebnisse = Ergebnisse(dp, out)          # doctest: +SKIP
    >>> ergebnisse.get("fa").explained_variance_  # doctest: +SKIP
    """

    def __init__(self, dp, output_dir: str | Path | None = None, *, quiet: bool = False):
        self.dp, self.quiet = dp, quiet
        self.folder = folder_for(output_dir) if output_dir is not None else None
        self.hinweise: dict[str, str] = {}  # key → German message of an analysis that could not be run
        self._results: dict[str, object] = {}
        self._fingerprint: str | None = None

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = fingerprint(self.dp)
        return self._fingerprint

    def get(self, key: str):
        """The result ``key`` (one of :data:`ANALYSES`): in memory, saved, or fitted now and saved.

        Raises the analysis' :class:`~sozialplanung.errors.SozialplanungError` (German) if it cannot be run.
        """
        result = self.optional(key)
        if result is None:
            raise SozialplanungError(self.hinweise[key])
        return result

    def optional(self, key: str):
        """The result ``key``, or None if it cannot be run (its German message is in :attr:`hinweise`)."""
        if key not in ANALYSES:
            raise KeyError(key)
        if key not in self._results and key not in self.hinweise:
            path = self.path(key)
            with locked(path) if path is not None else contextlib.nullcontext():
                saved = self._load(key)  # another report of the batch may have fitted it meanwhile
                if saved is None:
                    saved = self._compute(key)
                    self._save(key, saved)
            if "fehler" in saved:
                self.hinweise[key] = saved["fehler"]
            else:
                self._results[key] = saved["ergebnis"]
        return self._results.get(key)

    def for_report(self) -> dict:
        """``index``, ``fa``, ``typology``, ``spatial``, ``vergleich`` (with ``vergleichsrezepte``) and the list
        ``hinweise`` as the report uses them:
        only the analyses of ``Params.analyses_run()`` (the typology only with a factor analysis), None
        where one could not be run, its message as ``"<key>: <message>"``; ``ergebnisse``: this object
        (its folder also keeps the figures shared across a batch, :func:`sozialplanung.report.page.figure`)."""
        run = self.dp.params.analyses_run()
        out, asked = dict.fromkeys(REPORT), []
        for key, name in REPORT.items():
            if name in run and (key != "typology" or out["fa"] is not None):
                asked.append(key)
                out[key] = self.optional(key)
        if self.dp.params.vergleichsrezepte and out["index"] is not None:  # further recipes beside the index
            asked.append("vergleich")
            out["vergleich"] = self.optional("vergleich")
        out["hinweise"] = [f"{key}: {self.hinweise[key]}" for key in asked if key in self.hinweise]
        out["ergebnisse"] = self
        return out

    # -- computing ----------------------------------------------------------------------------
    def _compute(self, key: str) -> dict:
        try:
            with warnings.catch_warnings():
                if self.quiet:
                    warnings.simplefilter("ignore", SozialplanungWarning)
                return {"ergebnis": self._fit(key)}
        except SozialplanungError as exc:
            return {"fehler": exc.message}

    def _fit(self, key: str):
        dp = self.dp
        if key == "index":
            return pipeline.sozialindex(dp)
        if key == "sensitivity":
            return pipeline.sensitivity(dp, index=self.get("index"))  # the report's index, not a second fit
        if key == "fa":
            return pipeline.faktorenanalyse(dp)
        if key == "vergleich":
            from sozialplanung.analysis import vergleichsrezepte

            return vergleichsrezepte.fit(dp, self.get("index"))
        if key == "typology":  # the Status-Index letters the types where a recipe exists
            index = self.optional("index") if dp.params.recipe else None
            return pipeline.clusteranalyse(dp, self.get("fa"), index)
        return pipeline.raeumliche_statistik(dp)

    # -- files ----------------------------------------------------------------------------------
    def path(self, key: str) -> Path | None:
        """The file of result ``key`` (None without a folder)."""
        return None if self.folder is None else self.folder / self.fingerprint[:32] / f"{key}.pkl"

    def _header(self, key: str) -> dict:
        from sozialplanung import __version__

        return {"format": FORMAT, "fingerprint": self.fingerprint, "analyse": key, "bibliothek": __version__}

    def _load(self, key: str) -> dict | None:
        path = self.path(key)
        if path is None or not path.is_file():
            return None
        try:
            with open(path, "rb") as f:
                if json.loads(f.readline()) != self._header(key):
                    return None  # stale: other inputs, code or package versions
                return pickle.load(f)
        except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None  # unreadable: computed again and replaced

    def _save(self, key: str, saved: dict) -> None:
        path = self.path(key)
        if path is not None:
            write_atomic(path, json.dumps(self._header(key)).encode() + b"\n"
                         + pickle.dumps(saved, protocol=pickle.HIGHEST_PROTOCOL))


def analysis_params(params) -> dict:
    """The params fields of :data:`ANALYSIS_FIELDS` as JSON (without ``analyses.run``)."""
    out = params.model_dump(mode="json", include=set(ANALYSIS_FIELDS))
    out["analyses"].pop("run", None)
    return out


def fingerprint(dp) -> str:
    """sha256 over everything the analyses of ``dp`` depend on (see the module docstring)."""
    parts = {"format": FORMAT, "parameter": analysis_params(dp.params), "code": code_hash(),
             "versionen": versions(),
             "eingaben": {k: sha256(p) for k, p in sorted(dp.inputs.items()) if k != "params" and p.is_file()}}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def versions() -> dict[str, str | None]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def code_files(stages: tuple[str, ...] = _CODE) -> list[Path]:
    """The library files the analyses run: the top-level modules and the stages up to ``analysis``
    (``stages``: others, e.g. ``("viz", "report")`` for the figures)."""
    root = Path(__file__).parents[1]
    return [*sorted(root.glob("*.py")), *(p for stage in stages for p in sorted((root / stage).rglob("*.py")))]


def code_hash(stages: tuple[str, ...] = _CODE) -> str:
    """sha256 over :func:`code_files` (recomputed when a file's size or modification time changes)."""
    return _code_hash(tuple((str(p), st.st_size, st.st_mtime_ns) for p in code_files(stages) for st in [p.stat()]))


@functools.lru_cache(maxsize=4)
def _code_hash(stamp: tuple) -> str:
    root = Path(__file__).parents[1]
    h = hashlib.sha256()
    for name, *_ in stamp:
        h.update(str(Path(name).relative_to(root)).encode() + b"\0" + sha256(Path(name)).encode())
    return h.hexdigest()

