"""``Datenpaket``: the central object — areas, data table, catalogue and provenance of one Kommune.

Data flow: params → **Datenpaket** → Indikatoren → Analysen → Bericht. Small-number suppression
happens here, when the package is loaded, before any notebook sees a value
(:func:`sozialplanung.data.datenschutz.protect`).

What a report may show of a cell (area × indicator), from the Datenpaket alone:

==========================  =========================================  ======
``dp.values(year)``         NaN                                         value
``dp.not_assessed(year)``   True: area not assessed (small area) → "x"
``dp.withheld(year)``       True: withheld, either reason → "." or "x"
==========================  =========================================  ======

So: ``"x"`` where :meth:`~Datenpaket.not_assessed`, else ``"."`` where :meth:`~Datenpaket.withheld`
(a small count or its secondary protection), else the value (NaN there: no value, ``.`` too).
Residents (:meth:`~Datenpaket.population`) are published for every area. Counts of assessed areas:
:meth:`~Datenpaket.assessed_ids`, reasons for the others: :meth:`~Datenpaket.not_assessed_reasons`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from sozialplanung.config.catalogue import GEBIET_ID, Catalogue
from sozialplanung.errors import SozialplanungError
from sozialplanung.data.inputs import input_files, read_inputs  # noqa: F401 - input_files public here before
from sozialplanung.config.params import Params, read_params



@dataclass
class Datenpaket:
    """Everything one report needs to know about its data.

    Attributes
    ----------
    params : Params
    areas : GeoDataFrame
        Indexed by ``gebiet_id``; columns ``name``, one column per parent level (named as the level,
        e.g. ``Bezirk``) and ``geometry``.
    parents : dict[str, GeoDataFrame]
        Outlines and names of each parent level, indexed by its id.
    table : DataFrame
        The data table as read, with ``gebiet_id`` and ``jahr`` columns.
    catalogue : Catalogue
    inputs : dict[str, Path]
        Every input file, for the manifest.
    suppressed : DataFrame
        Index (``gebiet_id``, ``jahr``), one boolean column per indicator: True where the value is
        withheld (geheim gehalten) – a small count, its secondary protection, or an area that is not
        assessed. Filled by :func:`sozialplanung.data.datenschutz.protect`.
    suppressed_counts : DataFrame
        The same for the count columns (numerators) of the data table.
    suppression_log : DataFrame
        One row per withheld cell with its reason (internal: never published).
    totals : DataFrame
        Total rows of parent levels and of the Kommune declared in ``data.totals`` (column ``ebene``),
        kept out of the areas; see :mod:`sozialplanung.indicators.totals`.
    not_rated : dict[int, list[str]]
        Per year the areas below the minimum population ("nicht bewertet", shown as ``x``); prefer
        :meth:`assessed_ids`, :meth:`not_assessed` and :meth:`not_assessed_reasons`.
    merged, merged_rows : dict, DataFrame
        ``params.nur_gesamt``: ``(level, parent id) → member ids`` and the members' own data rows, which
        are replaced by the parent's total (:mod:`sozialplanung.data.nur_gesamt`); internal, for the leak
        scan only – never publish them.
    """

    params: Params
    areas: gpd.GeoDataFrame
    parents: dict[str, gpd.GeoDataFrame]
    table: pd.DataFrame
    catalogue: Catalogue
    inputs: dict[str, Path]
    suppressed: pd.DataFrame = field(default_factory=pd.DataFrame)
    suppressed_counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    suppression_log: pd.DataFrame = field(default_factory=pd.DataFrame)
    not_rated: dict[int, list[str]] = field(default_factory=dict)
    protocol: list[str] = field(default_factory=list)
    totals: pd.DataFrame = field(default_factory=pd.DataFrame)
    merged: dict = field(default_factory=dict)
    merged_rows: pd.DataFrame = field(default_factory=pd.DataFrame)

    # -- selections -------------------------------------------------------------------------
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.table["jahr"].unique())

    def _select(self, selection) -> list[str]:
        if selection is None or selection.level == "Kommune":
            return list(self.areas.index)
        if selection.level == self.params.areas.level:
            return [i for i in self.areas.index if i in set(selection.ids)]
        return list(self.areas.index[self.areas[selection.level].isin(selection.ids)])

    @property
    def reference_ids(self) -> list[str]:
        """Areas of the Bezugsgesamtheit: the population indices and statistics are computed over."""
        return self._select(self.params.bezugsgesamtheit)

    @property
    def shown_ids(self) -> list[str]:
        """Areas of the Berichtsgebiet: the areas the report shows."""
        return self._select(self.params.berichtsgebiet)

    @property
    def key_indicators(self) -> list[str]:
        """Schlüsselindikatoren: from the params, else the first three with polarity 1."""
        chosen = self.params.key_indicators or [i for i, ind in self.catalogue.items() if ind.polarity == 1][:3]
        unknown = [i for i in chosen if i not in self.catalogue]
        if unknown:
            raise SozialplanungError(f"Der Schlüsselindikator „{unknown[0]}“ steht nicht im Katalog.",
                                     file=self.params.path, field="key_indicators",
                                     hint=f"Vorhanden: {', '.join(self.catalogue)}")
        return chosen

    @property
    def year(self) -> int:
        return self.params.report_year

    def label(self, ids=None) -> pd.Series:
        """``"01100101 Stülerstraße"``: id and name, since names repeat; the name alone where it is the id."""
        names = self.areas["name"] if ids is None else self.areas.loc[list(ids), "name"]
        names = names.astype(str)
        return pd.Series(names.where(names.index == names, names.index + " " + names), index=names.index)

    # -- values -----------------------------------------------------------------------------
    def rows(self, year: int | None = None) -> pd.DataFrame:
        """The data table rows of one year, indexed by ``gebiet_id``."""
        year = self.year if year is None else year
        rows = self.table[self.table["jahr"] == year].set_index(GEBIET_ID)
        if rows.empty:
            raise SozialplanungError(f"Für das Jahr {year} gibt es keine Daten.", file=self.params.data.file,
                                     field=self.params.data.year,
                                     hint=f"Vorhandene Jahre: {', '.join(map(str, self.years()))}")
        return rows.reindex(self.areas.index)

    def population(self, year: int | None = None) -> pd.Series:
        col = self.params.data.population
        if col is None:
            return pd.Series(np.nan, index=self.areas.index, name="einwohner")
        return self.rows(year)[col].astype(float).rename("einwohner")

    def values(self, year: int | None = None, ids: list[str] | None = None) -> pd.DataFrame:
        """Indicator values (rates) per area, one column per catalogue indicator, as a report may show them:
        NaN where withheld (:meth:`withheld`), so every indicator of an area not assessed is NaN.

        Computed once per year (the Datenpaket does not change after loading); a copy is returned.
        """
        year = self.year if year is None else year
        cache = self.__dict__.setdefault("_values_cache", {})
        if ("masked", year) not in cache:
            cache["masked", year] = self.raw_values(year).mask(self.withheld(year))
        out = cache["masked", year].copy()
        return out if ids is None else out.loc[list(ids)]

    def raw_values(self, year: int | None = None) -> pd.DataFrame:
        """Indicator values without the Datenschutz mask – **never publish them**.

        Only for totals over all areas (reference values, which secondary suppression protects) and
        for the leak scan. A copy is returned.
        """
        year = self.year if year is None else year
        cache = self.__dict__.setdefault("_values_cache", {})
        if year not in cache:
            cache[year] = self._compute_values(year)
        return cache[year].copy()

    def _compute_values(self, year: int) -> pd.DataFrame:
        rows = self.rows(year)
        out = pd.DataFrame(index=rows.index)
        for ind in self.catalogue.values():
            if ind.from_counts:
                num, den = rows[ind.numerator].astype(float), rows[ind.denominator].astype(float)
                out[ind.id] = (num / den.where(den > 0)) * ind.factor
            else:
                out[ind.id] = rows[ind.rate].astype(float)
        out.index.name = GEBIET_ID
        return out

    def withheld(self, year: int | None = None) -> pd.DataFrame:
        """Boolean frame (gebiet_id × indicator): True where a value is geheim gehalten, for either reason
        (small count or its protection: ``.``; area not assessed: ``x``, see :meth:`not_assessed`)."""
        year = self.year if year is None else year
        if self.suppressed.empty:
            return pd.DataFrame(False, index=self.areas.index, columns=list(self.catalogue))
        return self.suppressed.xs(year, level="jahr").reindex(self.areas.index).fillna(False).astype(bool)

    def not_assessed(self, year: int | None = None) -> pd.DataFrame:
        """Boolean frame (gebiet_id × indicator): True for every indicator of an area not assessed
        (below ``datenschutz.min_population``): the report shows ``x``, never a value."""
        small = self.areas.index.isin(self.not_rated.get(self.year if year is None else year, []))
        return pd.DataFrame(np.repeat(small[:, None], len(self.catalogue), axis=1), index=self.areas.index,
                            columns=list(self.catalogue))

    def assessed_ids(self, ids=None, year: int | None = None) -> list[str]:
        """The areas of ``ids`` (default: all) that are assessed, in their order – the one rule for every
        count of assessed areas (text, tables, maps, analyses)."""
        skip = set(self.not_rated.get(self.year if year is None else year, []))
        return [i for i in (self.areas.index if ids is None else ids) if i not in skip]

    def not_assessed_reasons(self, ids=None, year: int | None = None) -> pd.Series:
        """German reason per area of ``ids`` (default: all) that is not assessed, indexed by ``gebiet_id``."""
        from sozialplanung.formatting import fmt_int

        year = self.year if year is None else year
        skip = set(self.not_rated.get(year, []))
        small = [i for i in (self.areas.index if ids is None else ids) if i in skip]
        pop = self.population(year).reindex(small)
        limit = fmt_int(self.params.datenschutz.min_population)
        reasons = np.where(pop.isna(), "Datenschutz: Einwohnerzahl fehlt",
                           f"Datenschutz: weniger als {limit} Einwohner/innen")
        return pd.Series(reasons, index=pd.Index(small, name=GEBIET_ID), dtype=object, name="grund")


def load_datenpaket(params: Params | str | Path, output_dir: str | Path | None = None) -> Datenpaket:
    """Load the Datenpaket named by ``params`` and apply the Datenschutz rules.

    ``output_dir``: the report folder of a render (the notebooks' ``output_dir``); the loaded Datenpaket is kept
    beside it and read by the other notebooks and reports of the run with the same params and inputs
    (:mod:`sozialplanung.data.stored`). None or ``""``: always read the inputs.

    Examples
    --------
    >>> from sozialplanung.config.params import find_params
    >>> dp = load_datenpaket(find_params("berlin/mitte.yaml"))
    >>> len(dp.areas), len(dp.reference_ids), len(dp.shown_ids)
    (542, 542, 49)
    """
    if not isinstance(params, Params):
        params = read_params(params)
    if output_dir:
        from sozialplanung.data import stored

        return stored.load(params, output_dir, _load)
    return _load(params)


def _load(params: Params) -> Datenpaket:
    from sozialplanung.data import datenschutz, nur_gesamt

    areas, parents, table, totals, catalogue = read_inputs(params)
    merged = nur_gesamt.hidden_members(params, areas) if params.nur_gesamt else {}
    hidden = [m for ms in merged.values() for m in ms]
    merged_rows = table[table[GEBIET_ID].isin(hidden)].copy()
    merged_names = areas.loc[hidden, "name"]
    areas, table = nur_gesamt.merge(params, areas, parents, table, catalogue)
    dp = Datenpaket(params=params, areas=areas, parents=parents, table=table, catalogue=catalogue,
                    inputs=input_files(params), totals=totals, merged=merged,
                    merged_rows=merged_rows.assign(name=merged_rows[GEBIET_ID].map(merged_names)))
    datenschutz.protect(dp)
    dp.__dict__.pop("_values_cache", None)  # values are computed only after the Datenschutz rules
    return dp
