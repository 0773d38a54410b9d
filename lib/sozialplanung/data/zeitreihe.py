"""Zeitreihe: a Datenpaket with several report years and area versions (Gebietsstände).

How a Datenpaket knows its years and Gebietsstände
--------------------------------------------------
* The data table (``daten.csv``) holds every report year (column ``jahr``) on **one** Gebietsstand,
  the one of the geometry. Years published on an older Gebietsstand are carried onto it beforehand
  with a Gebietsschlüssel (counts extensive, rates intensive; :class:`~sozialplanung.data.crosswalk.Crosswalk`);
  each row says how: ``gebietsstand`` (text), ``interpoliert`` (False where the area is one old area
  with the same outline, so the value is the published one) and ``abdeckung`` (share of the area's
  residents at the key's reference date that comes from old areas with a row that year). So
  :func:`~sozialplanung.data.datenpaket.load_datenpaket` needs no change: it sees an ordinary
  multi-year table and applies its Datenschutz rules year by year.
* ``zeitreihe.yaml`` beside the data table (the *manifest*) says per report year the Datenstand, the
  Gebietsstand of the source and the source; per older Gebietsstand the key file
  (``tabellen/gebietsschluessel.csv``: ``alt_id, neu_id, gewicht``, weights of an old area sum to 1)
  and its method; the originals on their own Gebietsstand (``tabellen/originale.csv``, for the
  official classes on their own geometry and for indicators that are not carried in the table); the
  change indicators (``differenzen``: ``D1: {von: S1, abstand: 2}`` means D1(t) = S1(t) − S1(t − 2));
  and the columns of the official classes (``amtliche_klassen``). A Datenpaket without a manifest is
  a plain one (:func:`has_zeitreihe`).

Datenschutz over years (:func:`series_marks`)
---------------------------------------------
A cell (area, year, indicator) is ``"x"`` (not assessed) or ``"."`` (withheld) when

1. the Datenpaket withholds it in that year (``dp.not_assessed(year)``, ``dp.withheld(year)``);
2. the area is not assessed in the report year: small areas stay ``"x"`` in **every** year, so an
   area the report calls too small is not described through its older (often carried) values;
3. it is a change indicator D(t) and S(t) or S(t − abstand) is withheld: otherwise the withheld
   value would follow as S(t) − D(t) or S(t − abstand) + D(t) (:func:`difference_leaks` checks
   exactly this). Changes computed between years (trend tables) are published only where both
   values are.

Carried values of a year are built from that year's published values only (the build script carries
masked values), and rate references over years are weighted means of the values these marks leave
published (:mod:`sozialplanung.indicators.zeitreihe`), so no total contains a withheld value.
Limitation: rules 2 and 3 withhold *values*; for count-based indicators the per-year secondary
suppression of the loader does not know them (Berlin publishes rates only). Extending it needs
``datenschutz._mark_not_rated`` to add the report year's not-assessed areas to every year.

Zeitreihenbrüche (:func:`detect_breaks`): where a published change D(t) disagrees with the
difference of the published levels S(t) − S(t − abstand) on the same geometry (median over the
areas of both years above ``tol`` percentage points), the definition of S changed between the two
years; such changes are left out of change statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sozialplanung.config.catalogue import GEBIET_ID
from sozialplanung.config.yamlio import read_yaml
from sozialplanung.data.crosswalk import Crosswalk
from sozialplanung.errors import SozialplanungError
from sozialplanung.formatting import fmt_date

__all__ = ["Zeitreihe", "read_zeitreihe", "has_zeitreihe", "series_marks", "difference_leaks", "detect_breaks"]

MANIFEST = "zeitreihe.yaml"
NOT_ASSESSED, WITHHELD, SHOWN = "x", ".", ""


@dataclass
class Zeitreihe:
    """The series manifest of a Datenpaket, with its keys and originals loaded."""

    path: Path
    gebietsstand: str
    years: dict[int, dict]
    keys: dict[str, Crosswalk] = field(default_factory=dict)
    key_files: dict[str, Path] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)
    errors: dict[str, dict] = field(default_factory=dict)
    """Per older Gebietsstand the measured error of its key (``fehler`` in the manifest), for the Methodenanhang."""
    originale: pd.DataFrame = field(default_factory=pd.DataFrame)
    differenzen: dict[str, tuple[str, int]] = field(default_factory=dict)
    official: dict[str, str] = field(default_factory=dict)

    def datenstand(self, year: int) -> str:
        """German data date of a report year, e.g. ``31.12.2012`` for MSS 2013."""
        return fmt_date(self.years[int(year)]["datenstand"])

    def label(self, year: int) -> str:
        return f"{int(year)} (Datenstand {self.datenstand(year)})"

    def source_stand(self, year: int) -> str:
        """The Gebietsstand the year was published on."""
        return self.years[int(year)]["gebietsstand"]

    def carried_years(self) -> list[int]:
        return [y for y in sorted(self.years) if self.source_stand(y) != self.gebietsstand]

    def previous(self, indicator: str, year: int) -> int | None:
        """For a change indicator: the earlier year it differences against, if in the series."""
        if indicator not in self.differenzen:
            return None
        prev = int(year) - self.differenzen[indicator][1]
        return prev if prev in self.years else None


def manifest_path(params) -> Path:
    return params.resolve(params.data.file).parent / MANIFEST


def has_zeitreihe(dp) -> bool:
    return manifest_path(dp.params).is_file()


def read_zeitreihe(dp) -> Zeitreihe:
    """Read ``zeitreihe.yaml`` beside the Datenpaket's data table, with its keys and originals."""
    path = manifest_path(dp.params)
    if not path.is_file():
        raise SozialplanungError("Das Datenpaket hat keine Zeitreihenbeschreibung.", file=path,
                                 hint=f"{MANIFEST} neben die Datentabelle legen (Jahre, Gebietsstände, Gebietsschlüssel).")
    raw, _ = read_yaml(path)
    for key in ("gebietsstand", "jahre"):
        if key not in raw:
            raise SozialplanungError(f"Eintrag „{key}“ fehlt.", file=path, field=key)
    years = {}
    for year, info in raw["jahre"].items():
        if not isinstance(info, dict) or "datenstand" not in info or "gebietsstand" not in info:
            raise SozialplanungError(f"Jahr {year}: „datenstand“ und „gebietsstand“ sind nötig.", file=path,
                                     field=f"jahre.{year}")
        years[int(year)] = dict(info)
    zr = Zeitreihe(path=path, gebietsstand=str(raw["gebietsstand"]), years=years,
                   official=dict(raw.get("amtliche_klassen") or {}))
    table_years = set(dp.years())
    if table_years != set(years):
        raise SozialplanungError("Die Jahre der Zeitreihenbeschreibung (" + ", ".join(map(str, sorted(years)))
                                 + ") passen nicht zu den Jahren der Datentabelle ("
                                 + ", ".join(map(str, sorted(table_years))) + ").", file=path, field="jahre")
    for stand, spec in (raw.get("gebietsschluessel") or {}).items():
        file = path.parent / spec["datei"]
        key = pd.read_csv(file, dtype={"alt_id": str, "neu_id": str})
        zr.keys[stand] = Crosswalk.from_table(key, source=str(file))
        zr.key_files[stand], zr.methods[stand] = file, str(spec.get("methode", ""))
        zr.errors[stand] = dict(spec.get("fehler") or {})
    needed = {zr.source_stand(y) for y in zr.carried_years()} - set(zr.keys)
    if needed:
        raise SozialplanungError(f"Für den Gebietsstand „{sorted(needed)[0]}“ fehlt ein Gebietsschlüssel.",
                                 file=path, field="gebietsschluessel")
    if raw.get("originale"):
        zr.originale = pd.read_csv(path.parent / raw["originale"], dtype={GEBIET_ID: str})
    for ind, spec in (raw.get("differenzen") or {}).items():
        zr.differenzen[str(ind)] = (str(spec["von"]), int(spec["abstand"]))
    return zr


def series_marks(dp, zr: Zeitreihe | None = None, indicators=None) -> pd.DataFrame:
    """``"x"``, ``"."`` or ``""`` per (``gebiet_id``, ``jahr``) × indicator after the rules of the module docstring."""
    zr = read_zeitreihe(dp) if zr is None else zr
    indicators = list(dp.catalogue) if indicators is None else list(indicators)
    small_now = dp.not_assessed(dp.year).any(axis=1)
    frames = {}
    for year in dp.years():
        marks = pd.DataFrame(SHOWN, index=dp.areas.index, columns=indicators, dtype=object)
        marks = marks.mask(dp.withheld(year)[indicators], WITHHELD)
        x = dp.not_assessed(year)[indicators].to_numpy() | small_now.to_numpy()[:, None]
        frames[year] = marks.mask(x, NOT_ASSESSED)
    for ind in indicators:
        if ind not in zr.differenzen or zr.differenzen[ind][0] not in indicators:
            continue
        base = zr.differenzen[ind][0]
        for year in dp.years():
            prev = zr.previous(ind, year)
            if prev is None:
                continue
            hidden = (frames[year][base] != SHOWN) | (frames[prev][base] != SHOWN)
            frames[year].loc[hidden & (frames[year][ind] == SHOWN), ind] = WITHHELD
    out = pd.concat(frames, names=["jahr", GEBIET_ID]).swaplevel().sort_index()
    return out


def difference_leaks(marks: pd.DataFrame, zr: Zeitreihe) -> list[tuple[str, int, str]]:
    """(``gebiet_id``, year, change indicator) where a published D(t) and one published level reveal the
    other, withheld level. Empty for the output of :func:`series_marks`."""
    out = []
    for ind, (base, _) in zr.differenzen.items():
        if ind not in marks.columns or base not in marks.columns:
            continue
        for year in sorted(marks.index.get_level_values("jahr").unique()):
            prev = zr.previous(ind, year)
            if prev is None:
                continue
            now, before = marks.xs(year, level="jahr"), marks.xs(prev, level="jahr")
            shown = (now[ind] == SHOWN) & ((now[base] == SHOWN) != (before[base] == SHOWN))
            out += [(gid, int(year), ind) for gid in now.index[shown]]
    return out


def detect_breaks(dp, zr: Zeitreihe, tol: float = 0.1) -> pd.DataFrame:
    """Per change indicator and pair of years: median |S(t) − S(t − abstand) − D(t)| over the areas with
    all three values, on the originals' own Gebietsstand where both years share one, else on the
    data table (carried values). ``bruch`` where the median exceeds ``tol`` (percentage points)."""
    rows = []
    for ind, (base, _) in zr.differenzen.items():
        for year in sorted(zr.years):
            prev = zr.previous(ind, year)
            if prev is None:
                continue
            same = zr.source_stand(year) == zr.source_stand(prev) and not zr.originale.empty
            table = zr.originale if same else dp.table
            if ind not in table.columns or base not in table.columns:
                continue
            now = table[table["jahr"] == year].set_index(GEBIET_ID)
            before = table[table["jahr"] == prev].set_index(GEBIET_ID)
            dev = (now[base] - before[base].reindex(now.index) - now[ind]).abs().dropna()
            if dev.empty:
                continue
            rows.append({"indikator": base, "veraenderung": ind, "von_jahr": prev, "bis_jahr": int(year),
                         "gebietsstand": zr.source_stand(year) if same else zr.gebietsstand + " (übertragen)",
                         "n": len(dev), "median_abweichung": float(dev.median()),
                         "bruch": bool(dev.median() > tol)})
    return pd.DataFrame(rows, columns=["indikator", "veraenderung", "von_jahr", "bis_jahr", "gebietsstand",
                                       "n", "median_abweichung", "bruch"])


def carry_originals(dp, zr: Zeitreihe, columns, year: int) -> pd.DataFrame:
    """Columns of ``tabellen/originale.csv`` of an older ``year`` carried onto the current Gebietsstand as
    rates (weighted by the originals' residents of that year), for indicators the data table does not
    carry (e.g. S2 of 2013–2017). Areas the data table has no residents for that year stay missing."""
    stand = zr.source_stand(year)
    if stand == zr.gebietsstand:
        own = zr.originale[zr.originale["jahr"] == year].set_index(GEBIET_ID)
        return own[list(columns)].reindex(dp.areas.index)
    cw = zr.keys[stand]
    own = zr.originale[zr.originale["jahr"] == year].set_index(GEBIET_ID).reindex(cw.old_ids_)
    weight = own["einwohner"].astype(float).fillna(0.0)
    carried = cw.carry(own[list(columns)], kind="rate", weight=weight, min_coverage=0.0)
    has_pop = dp.rows(year)[dp.params.data.population].notna() if dp.params.data.population else True
    return carried[list(columns)].reindex(dp.areas.index).where(has_pop, np.nan)
