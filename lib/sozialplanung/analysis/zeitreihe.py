"""Results over the report years of a series Datenpaket: status per year, Statuswechsel, pooled breaks.

* :func:`status_by_year` fits the Sozialindex recipe in every year on the current Gebietsstand, from the
  values :func:`~sozialplanung.data.zeitreihe.series_marks` leaves published (older years carried;
  indicators the data table does not carry, e.g. S2 of 2013–2017, are carried from the originals).
* :func:`status_table` puts the computed classes beside the official ones of each year (an official
  class of an older year is the class of the old area that gives the new one most residents, empty
  below 80 %: „nicht eindeutig“).
* :func:`transition_matrix` is ``tabellen/statuswechsel.csv``: rows class then, columns class now, counts;
  :func:`class_change` the direction per area (günstiger, unverändert, ungünstiger) for the map.
* :func:`change_contributions`: each indicator's contribution to the change of the index score. The
  MSS score is ``Σᵢ zᵢ / sd(Σᵢ zᵢ)`` (the z-values have mean 0 over the rated areas), so
  ``Δ score = Σᵢ (zᵢ,now / sdₙₒ𝓌 − zᵢ,then / sd_then)`` exactly; an indicator used in one year only
  (S2 until 2017) contributes with one term and is flagged ``bruch``, as is one with a Zeitreihenbruch.
* :func:`pooled_breaks`: class breaks comparable over years – one scheme on the values of all years
  pooled (as ``mapclassify.Pooled``, missing values left out) or fixed from a reference year.
* :func:`reproduce_official`: the recipe on each year's own Gebietsstand against the official classes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialplanung.analysis.classify import apply_cutoffs, mapclassify_scheme
from sozialplanung.analysis.sozialindex import SozialIndex
from sozialplanung.config.catalogue import GEBIET_ID
from sozialplanung.data.zeitreihe import NOT_ASSESSED, Zeitreihe, carry_originals, detect_breaks, read_zeitreihe, series_marks
from sozialplanung.indicators.zeitreihe import series_values

__all__ = ["status_by_year", "status_table", "transition_matrix", "class_change", "change_contributions", "pooled_breaks",
           "reproduce_official", "agreement"]

NOT_CLEAR, NOT_RATED = "nicht eindeutig", "nicht bewertet"


def _recipe_columns(index_recipe, year) -> list[str]:
    return list(dict.fromkeys(i.id for p in index_recipe.parts().values() for i in p.indicators_for(year)))


def status_by_year(dp, recipe, zr: Zeitreihe | None = None) -> dict[int, SozialIndex]:
    """The Sozialindex of every year of the series on the current Gebietsstand (module docstring)."""
    from sozialplanung.config.recipes import Recipe, read_recipe

    zr = read_zeitreihe(dp) if zr is None else zr
    recipe = recipe if isinstance(recipe, Recipe) else read_recipe(recipe)
    marks = series_marks(dp, zr)
    values = series_values(dp, zr, marks)
    out = {}
    for year in dp.years():
        frame = values.xs(year, level="jahr").copy()
        x = marks.xs(year, level="jahr").eq(NOT_ASSESSED).any(axis=1)
        extra = [c for c in _recipe_columns(recipe, year) if c not in frame.columns]
        if extra:
            frame[extra] = carry_originals(dp, zr, extra, year).where(~x)
        reasons = pd.Series("Datenschutz: nicht bewertet", index=x.index[x])
        out[year] = SozialIndex(recipe).fit(frame, einwohner=dp.population(year), year=year, excluded=reasons)
    return out


def status_table(dp, indices: dict[int, SozialIndex], zr: Zeitreihe | None = None) -> pd.DataFrame:
    """Per (area, year): computed score and classes, the official classes (carried for older years)."""
    zr = read_zeitreihe(dp) if zr is None else zr
    cols = zr.official or {}
    rows = []
    for year, index in indices.items():
        frame = index.to_frame().set_index(GEBIET_ID)
        data = dp.rows(year)
        part = pd.DataFrame({"jahr": year, "status_score": frame["status_score"],
                             "status_klasse": frame["status_klasse"], "dynamik_klasse": frame["dynamik_klasse"],
                             "bewertet": frame["bewertet"]}, index=frame.index)
        for name, col in cols.items():
            official = pd.to_numeric(data[col], errors="coerce").reindex(frame.index) if col in data else np.nan
            part[f"{name}_amtlich"] = pd.array(pd.Series(official).where(part["bewertet"]), dtype="Int64")
        part["amtlich_bewertung"] = data["mss_bewertung"].reindex(frame.index) if "mss_bewertung" in data else ""
        rows.append(part)
    return pd.concat(rows).rename_axis(GEBIET_ID).reset_index()


def agreement(table: pd.DataFrame, part: str = "status") -> pd.DataFrame:
    """Per year: areas with a computed and an official class, how many agree, share."""
    both = table.dropna(subset=[f"{part}_klasse", f"{part}_amtlich"])
    same = both[f"{part}_klasse"] == both[f"{part}_amtlich"]
    out = pd.DataFrame({"n": both.groupby("jahr").size(), "gleich": same.groupby(both["jahr"]).sum()})
    out["anteil"] = out["gleich"] / out["n"]
    return out.reset_index()


def _class_labels(table, column, year, labels) -> pd.Series:
    part = table[table["jahr"] == year].set_index(GEBIET_ID)
    code = part[column]
    lab = code.map(labels).astype(object)
    if "amtlich" in column and "amtlich_bewertung" in part:
        lab = lab.mask(code.isna() & part["amtlich_bewertung"].eq(NOT_CLEAR), NOT_CLEAR)
    return lab.fillna(NOT_RATED)


def transition_matrix(table: pd.DataFrame, then: int, now: int, column: str = "status_amtlich",
                      labels: dict | None = None) -> pd.DataFrame:
    """Counts of areas by class in ``then`` (rows) and in ``now`` (columns), with row and column sums."""
    labels = labels or {1: "hoch", 2: "mittel", 3: "niedrig", 4: "sehr niedrig"}
    a, b = _class_labels(table, column, then, labels), _class_labels(table, column, now, labels)
    order = list(labels.values()) + [NOT_CLEAR, NOT_RATED]
    m = pd.crosstab(a, b.reindex(a.index)).reindex(index=order, columns=order, fill_value=0)
    m = m.loc[m.sum(axis=1) > 0, m.sum(axis=0) > 0]
    m["Summe"] = m.sum(axis=1)
    m.loc["Summe"] = m.sum(axis=0)
    m.index.name, m.columns.name = f"klasse_{then}", f"klasse_{now}"
    return m.reset_index()


CHANGE = {-1: "günstiger", 0: "unverändert", 1: "ungünstiger"}
"""Direction of a class change: the classes run from least to most disadvantage (MSS status 1 hoch … 4 sehr niedrig)."""


def class_change(table: pd.DataFrame, then: int, now: int, column: str = "status_amtlich") -> pd.Series:
    """Per area of ``table`` (:func:`status_table`): „günstiger“, „unverändert“ or „ungünstiger“ by the sign of
    class now − class then (a higher class number is less favourable); NaN where either year has no class
    („nicht eindeutig“, „nicht bewertet“)."""
    wide = table[table["jahr"].isin([then, now])].pivot(index=GEBIET_ID, columns="jahr", values=column)
    wide = wide.reindex(columns=[then, now]).astype(float)
    sign = np.sign(wide[now] - wide[then])
    return sign.map(CHANGE).rename("wechsel")


def change_contributions(then: SozialIndex, now: SozialIndex, part: str = "status", breaks=None) -> pd.DataFrame:
    """Per area rated in both years: score then and now, Δ, and each indicator's contribution (``beitrag_*``)."""
    def scaled(index):
        z = index.standardized_[part]
        total = z.sum(axis=1)
        score = getattr(index, f"{part}_score_").reindex(z.index)
        ok = (total - total.mean()).abs() > 1e-9
        factor = float(np.median(score[ok] / (total[ok] - total.mean())))
        return (z - z.mean()) * factor, score

    za, sa = scaled(then)
    zb, sb = scaled(now)
    ids = za.index.intersection(zb.index)
    cols = list(dict.fromkeys([*za.columns, *zb.columns]))
    out = pd.DataFrame({"score_vorher": sa[ids], "score_jetzt": sb[ids]})
    out["delta"] = out.score_jetzt - out.score_vorher
    for c in cols:
        out[f"beitrag_{c}"] = zb.reindex(columns=cols).loc[ids, c].fillna(0) - za.reindex(columns=cols).loc[ids, c].fillna(0)
    broken = {c for c in cols if c not in za.columns or c not in zb.columns} | set(breaks or ())
    out.attrs["bruch"] = sorted(broken)
    return out.rename_axis(GEBIET_ID).reset_index()


def pooled_breaks(values: pd.DataFrame, indicator: str, *, scheme: str = "Quantiles", k: int = 5,
                  reference_year: int | None = None) -> tuple[tuple[float, ...], pd.DataFrame]:
    """Breaks of ``indicator`` comparable over years, and the class (1..k) per (area, year).

    ``values`` is indexed (``gebiet_id``, ``jahr``). Breaks come from the values of all years pooled
    or, with ``reference_year``, from that year alone; every boundary belongs to the lower class
    (mapclassify convention). Withheld values (NaN) take no part and stay without class.
    """
    v = values[indicator]
    basis = v if reference_year is None else v.xs(reference_year, level="jahr")
    breaks = mapclassify_scheme(basis.dropna().reset_index(drop=True), scheme=scheme, k=k).breaks
    classes = pd.Series(apply_cutoffs(v.to_numpy(float), breaks, ["lower"] * len(breaks)), index=v.index)
    classes = classes.where(v.notna()).astype("Int64").rename("klasse")
    return tuple(float(b) for b in breaks), classes.reset_index()


def reproduce_official(zr: Zeitreihe, recipe) -> pd.DataFrame:
    """The recipe on each year's originals (own Gebietsstand) against the official classes of that year."""
    cols = zr.official or {"status": "mss_status_amtlich", "dynamik": "mss_dynamik_amtlich"}
    rows = []
    for year in sorted(zr.years):
        own = zr.originale[zr.originale["jahr"] == year].set_index(GEBIET_ID)
        index = SozialIndex(recipe).fit(own, einwohner="einwohner", year=year)
        row = {"jahr": year, "gebietsstand": zr.source_stand(year), "bewertet": int(index.status_.notna().sum())}
        for part, col in cols.items():
            official = pd.to_numeric(own[col], errors="coerce")
            mine = getattr(index, f"{part}_")
            both = official.notna() & mine.notna()
            row[f"{part}_n"], row[f"{part}_gleich"] = int(both.sum()), int((mine[both] == official[both]).sum())
        rows.append(row)
    return pd.DataFrame(rows)


def series_results(dp, recipe, zr: Zeitreihe | None = None) -> dict[str, pd.DataFrame]:
    """The tables of a series report: ``status_zeitreihe``, ``statuswechsel`` (official classes, last two
    years), ``statuswechsel_berechnet``, ``statuswechsel_gebiete`` (areas that changed, with contributions),
    ``zeitreihenbrueche`` and ``uebereinstimmung`` (computed vs official classes per year)."""
    zr = read_zeitreihe(dp) if zr is None else zr
    indices = status_by_year(dp, recipe, zr)
    table = status_table(dp, indices, zr)
    then, now = dp.years()[-2:]
    breaks = detect_breaks(dp, zr)
    broken = set(breaks.loc[breaks.bruch & (breaks.bis_jahr == now), "indikator"])
    contrib = change_contributions(indices[then], indices[now], breaks=broken)
    classes = table[table.jahr.isin([then, now])].pivot(index=GEBIET_ID, columns="jahr", values="status_amtlich")
    changed = classes.index[classes.notna().all(axis=1) & (classes[then] != classes[now])]
    moved = contrib[contrib[GEBIET_ID].isin(changed)].merge(
        classes.loc[changed].rename(columns={then: "klasse_vorher", now: "klasse_jetzt"}).reset_index(), on=GEBIET_ID)
    agree = agreement(table).merge(agreement(table, "dynamik"), on="jahr", suffixes=("_status", "_dynamik"))
    return {"status_zeitreihe": table, "statuswechsel": transition_matrix(table, then, now),
            "statuswechsel_berechnet": transition_matrix(table, then, now, "status_klasse"),
            "statuswechsel_gebiete": moved, "zeitreihenbrueche": breaks, "uebereinstimmung": agree}
