"""Crosswalk (Gebietsschlüssel): carry counts and rates from an old area division onto a new one."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sozialplanung.config.catalogue import GEBIET_ID
from sozialplanung.errors import SozialplanungError, SozialplanungWarning
from sozialplanung.formatting import fmt_int

__all__ = ["Crosswalk", "error_summary"]

METHODS = ("ipf", "areal")
KINDS = ("count", "rate")


class Crosswalk:
    r"""Gebietsschlüssel between two area divisions of the same territory.

    The key is a table ``alt_id, neu_id, gewicht``: :math:`g_{ij}` is the share of old area
    :math:`i`'s counts carried to new area :math:`j`, with :math:`\sum_j g_{ij} = 1`.
    Counts are carried as :math:`y_j = \sum_i g_{ij} y_i` (extensive), rates as the mean of
    the old rates weighted by the carried weight :math:`w` (e.g. residents),
    :math:`r_j = \sum_i g_{ij} w_i r_i / \sum_i g_{ij} w_i` (intensive).

    Both divisions are reprojected to ``crs`` and intersected. A piece smaller than
    ``min_share`` of its old area *and* smaller than ``min_area`` m² is a sliver of imperfectly
    matching boundaries and is dropped (``slivers_``); the weights of the remaining pieces are
    renormalised. On the Berlin LOR (447 → 542) the defaults (1 %, 1 ha) drop 2,482 pieces of
    median mean width 2A/P = 0.12 m and 49 ha in all (0.05 % of Berlin); the smallest piece
    kept is 0.8 ha, the narrowest 6.6 m wide.

    ``method="areal"``: areal weighting (Goodchild & Lam 1980), :math:`g_{ij} = a_{ij}/a_i`
    with :math:`a_{ij}` the area of the piece (residents assumed evenly spread in each old area).

    ``method="ipf"``: iterative proportional fitting (Deming & Stephan 1940; the RAS method)
    of the old × new intersection matrix. It is seeded with the areally weighted old counts
    :math:`x^{(0)}_{ij} = P_i a_{ij}/a_i` and alternately scaled to the new totals
    :math:`Q_j` (columns) and the old totals :math:`P_i` (rows) of the *same* count at the
    *same* date, published on both divisions. The limit is the matrix closest to the seed in
    Kullback–Leibler divergence with both margins (Ireland & Kullback 1968); it keeps the
    structural zeros of the intersection. Each iteration ends with the row step, so the old
    counts are always fully distributed; where the new margins cannot be reached (a
    contradiction between geometry and counts), a :class:`SozialplanungWarning` names the
    worst new area. ``new_weight`` is rescaled to the total of ``old_weight``.
    :math:`g_{ij} = x_{ij}/P_i`; an old area with :math:`P_i = 0` keeps its areal weights.
    Because the weights are fitted to ``new_weight``, ``errors_`` then measures the fit, not
    how well other variables are carried.

    Parameters
    ----------
    method : {"ipf", "areal"}, default="ipf"
    crs : str, default="EPSG:25833"
        Projected CRS for the areas (ETRS89 / UTM 33N).
    min_share, min_area : float, default=0.01, 10_000
        Sliver thresholds: share of the old area and area in m².
    max_iter : int, default=5000
    tol : float, default=1e-9
        IPF stops when no new total deviates by more than ``tol`` × the grand total.

    Attributes
    ----------
    table_ : pd.DataFrame
        ``alt_id, neu_id, gewicht`` (the Gebietsschlüssel, sorted).
    pieces_ : pd.DataFrame
        ``alt_id, neu_id, flaeche_m2, anteil_alt, anteil_neu, gewicht_flaeche, gewicht``.
    slivers_ : pd.DataFrame
        The dropped pieces (same columns as ``pieces_`` without the weights).
    unchanged_ : pd.DataFrame
        ``alt_id, neu_id, gleiche_id``: pairs with the same outline (apart from slivers).
    interpoliert_ : pd.Series
        Per new area: True unless it is identical to one old area.
    errors_ : pd.DataFrame or None
        With both weights: per new area ``beobachtet``, ``uebertragen`` (the carried old weight),
        ``rel_fehler`` = |uebertragen − beobachtet| / beobachtet.
    n_iter_, converged_ : int, bool
        IPF iterations and whether the new totals were reached (areal: 0, True).

    References
    ----------
    Deming, W. E. & Stephan, F. F. (1940): On a least squares adjustment of a sampled frequency
    table when the expected marginal totals are known. Ann. Math. Statist. 11(4), 427–444.
    Goodchild, M. F. & Lam, N. S.-N. (1980): Areal interpolation: a variant of the traditional
    spatial problem. Geo-Processing 1, 297–312.
    Ireland, C. T. & Kullback, S. (1968): Contingency tables with given marginals. Biometrika
    55(1), 179–188.

    Examples
    --------
    Old area A (2 km²) is split into A1 and A2; B is unchanged. 300 residents of A live
    100 in A1 and 200 in A2:

    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> old = gpd.GeoDataFrame({"gebiet_id": ["A", "B"], "ew": [300, 50]},
    ...     geometry=[box(0, 0, 2000, 1000), box(2000, 0, 3000, 1000)], crs="EPSG:25833")
    >>> new = gpd.GeoDataFrame({"gebiet_id": ["A1", "A2", "B"], "ew": [100, 200, 50]},
    ...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(2000, 0, 3000, 1000)],
    ...     crs="EPSG:25833")
    >>> cw = Crosswalk("ipf").fit(old, new, old_weight="ew", new_weight="ew")
    >>> cw.table_.round(4)
      alt_id neu_id  gewicht
    0      A     A1   0.3333
    1      A     A2   0.6667
    2      B      B   1.0000
    >>> cw.carry(pd.Series({"A": 30.0, "B": 5.0}), kind="count")  # doctest: +NORMALIZE_WHITESPACE
            wert  interpoliert
    neu_id
    A1      10.0          True
    A2      20.0          True
    B        5.0         False
    >>> Crosswalk("areal").fit(old, new).table_.gewicht.tolist()
    [0.5, 0.5, 1.0]
    """

    def __init__(self, method="ipf", *, crs="EPSG:25833", min_share=0.01, min_area=10_000.0,
                 max_iter=5000, tol=1e-9):
        self.method = method
        self.crs = crs
        self.min_share = min_share
        self.min_area = min_area
        self.max_iter = max_iter
        self.tol = tol

    @classmethod
    def from_table(cls, table: pd.DataFrame, old_weight=None, *, source: str = "Gebietsschlüssel",
                   tol: float = 1e-6) -> "Crosswalk":
        """A fitted crosswalk from a stored key ``alt_id, neu_id, gewicht`` (e.g. ``gebietsschluessel.csv``).

        ``old_weight`` (Series by old id) is the default weight of :meth:`carry` for rates. A new
        area is ``interpoliert`` unless it receives from exactly one old area that goes to it alone.
        The weights of every old area must sum to 1 (± ``tol``); ``source`` names the file in errors.

        >>> key = pd.DataFrame({"alt_id": ["A", "A", "B"], "neu_id": ["A1", "A2", "B"], "gewicht": [0.25, 0.75, 1]})
        >>> Crosswalk.from_table(key).carry(pd.Series({"A": 8.0, "B": 1.0})).wert.tolist()
        [2.0, 6.0, 1.0]
        """
        missing = [c for c in ("alt_id", "neu_id", "gewicht") if c not in table.columns]
        if missing:
            raise SozialplanungError(f"Spalte „{missing[0]}“ fehlt im Gebietsschlüssel.", file=source,
                                     field=missing[0], hint="Erwartet: alt_id, neu_id, gewicht")
        t = table[["alt_id", "neu_id", "gewicht"]].astype({"alt_id": str, "neu_id": str}).copy()
        t["gewicht"] = pd.to_numeric(t.gewicht, errors="coerce")
        bad = t.index[t.gewicht.isna() | (t.gewicht < 0) | (t.gewicht > 1 + tol)]
        if len(bad):
            raise SozialplanungError(f"Ungültiges Gewicht in Zeile {int(bad[0]) + 2} (alt_id {t.alt_id[bad[0]]}): "
                                     "erwartet eine Zahl zwischen 0 und 1.", file=source, field="gewicht")
        sums = t.groupby("alt_id").gewicht.sum()
        off = sums[(sums - 1).abs() > tol]
        if len(off):
            raise SozialplanungError(f"Die Gewichte des alten Gebiets {off.index[0]} ergeben {off.iloc[0]:.6f} "
                                     "statt 1.", file=source, field="gewicht",
                                     hint="Je alt_id müssen sich die Gewichte zu 1 summieren.")
        cw = cls("areal")
        cw.table_ = t.sort_values(["alt_id", "neu_id"]).reset_index(drop=True)
        cw.pieces_ = cw.table_.assign(gewicht_flaeche=np.nan)
        cw.old_ids_ = pd.Index(sorted(t.alt_id.unique()), name=GEBIET_ID)
        cw.new_ids_ = pd.Index(sorted(t.neu_id.unique()), name=GEBIET_ID)
        cw.old_weight_ = (pd.Series(1.0, index=cw.old_ids_) if old_weight is None
                          else _weight(pd.Series(old_weight), None, cw.old_ids_, "old_weight"))
        cw.unchanged_ = _unchanged(cw.table_)
        cw.interpoliert_ = pd.Series(~cw.new_ids_.isin(cw.unchanged_.neu_id), index=cw.new_ids_, name="interpoliert")
        cw.errors_, cw.n_iter_, cw.converged_ = None, 0, True
        return cw

    def _validate_params(self) -> None:
        if self.method not in METHODS:
            raise SozialplanungError(f"Unbekannte Methode „{self.method}“ für den Gebietsschlüssel.",
                                     field="method", hint="Erlaubt: " + ", ".join(METHODS))
        if not 0 <= self.min_share < 1 or self.min_area < 0:
            raise SozialplanungError("Die Splitterschwellen müssen 0 ≤ min_share < 1 und min_area ≥ 0 sein, "
                                     f"gefunden: {self.min_share}, {self.min_area}.", field="min_share")
        if int(self.max_iter) < 1 or not self.tol > 0:
            raise SozialplanungError("max_iter muss ≥ 1 und tol > 0 sein.", field="max_iter")

    def fit(self, old_areas, new_areas, old_weight=None, new_weight=None) -> "Crosswalk":
        """Intersect the divisions and compute the weights.

        ``old_areas``/``new_areas`` are GeoDataFrames with one polygon per area; ids come from a
        ``gebiet_id`` column if present, else from the index. ``old_weight``/``new_weight``
        (needed for ``"ipf"``) are a column name or a Series indexed by id: the same count
        (e.g. residents) at the same date on each division.
        """
        self._validate_params()
        old, new = _areas(old_areas, "alte", self.crs), _areas(new_areas, "neue", self.crs)
        P = _weight(old_weight, old_areas, old.index, "old_weight")
        Q = _weight(new_weight, new_areas, new.index, "new_weight")
        if self.method == "ipf" and (P is None or Q is None):
            raise SozialplanungError("Die Methode „ipf“ braucht old_weight und new_weight "
                                     "(dieselbe Zählgröße zum selben Stichtag auf beiden Gebietsständen).",
                                     field="new_weight" if P is not None else "old_weight")
        pieces = _intersect(old, new)
        sliver = (pieces.anteil_alt < self.min_share) & (pieces.flaeche_m2 < self.min_area)
        self.slivers_ = pieces[sliver].reset_index(drop=True)
        pieces = pieces[~sliver].reset_index(drop=True)
        lost = old.index.difference(pieces.alt_id)
        if len(lost):
            raise SozialplanungError("Alte Gebiete ohne Überschneidung mit dem neuen Gebietsstand: "
                                     + ", ".join(lost[:10]), field="geometry")
        pieces["gewicht_flaeche"] = pieces.flaeche_m2 / pieces.groupby("alt_id").flaeche_m2.transform("sum")
        self.n_iter_, self.converged_ = 0, True
        pieces["gewicht"] = pieces.gewicht_flaeche
        if self.method == "ipf":
            pieces["gewicht"] = self._fit_ipf(pieces, P, Q)
        self.pieces_ = pieces
        self.table_ = pieces[["alt_id", "neu_id", "gewicht"]].sort_values(["alt_id", "neu_id"]).reset_index(drop=True)
        self.old_ids_, self.new_ids_ = old.index, new.index
        self.old_weight_ = P if P is not None else old.area.rename("flaeche_m2")
        self.unchanged_ = _unchanged(pieces)
        self.interpoliert_ = pd.Series(~new.index.isin(self.unchanged_.neu_id), index=new.index,
                                       name="interpoliert")
        self.errors_ = None
        if P is not None and Q is not None:
            carried = self.carry(P, kind="count")["wert"]
            self.errors_ = pd.DataFrame({"beobachtet": Q, "uebertragen": carried})
            self.errors_["rel_fehler"] = (carried - Q).abs() / Q.where(Q > 0)
        return self

    def _fit_ipf(self, pieces, P, Q) -> np.ndarray:
        rows = pd.Index(P.index).get_indexer(pieces.alt_id)
        cols = pd.Index(Q.index).get_indexer(pieces.neu_id)
        p, q = P.to_numpy(float), Q.to_numpy(float)
        if abs(q.sum() - p.sum()) > 1e-9 * max(p.sum(), 1):
            warnings.warn(f"Summe von new_weight ({fmt_int(q.sum())}) ≠ Summe von old_weight ({fmt_int(p.sum())}): "
                          "die neuen Randsummen werden auf die alte Summe skaliert.", SozialplanungWarning,
                          stacklevel=3)
            q = q * p.sum() / q.sum()
        seed = pieces.gewicht_flaeche.to_numpy() * p[rows]
        x, self.n_iter_, dev = _ipf(seed, rows, cols, p, q, int(self.max_iter), self.tol * max(p.sum(), 1))
        self.converged_ = bool(dev.max() <= self.tol * max(p.sum(), 1))
        if not self.converged_:
            worst = int(np.argmax(dev))
            warnings.warn(f"IPF hat die Summen des neuen Gebietsstands nach {self.n_iter_} Iterationen nicht "
                          f"erreicht: größte Abweichung in {Q.index[worst]} ({fmt_int(dev[worst])} von "
                          f"{fmt_int(q[worst])}). Geometrie und Zählwerte widersprechen sich dort.",
                          SozialplanungWarning, stacklevel=3)
        row_sum = np.bincount(rows, x, minlength=len(p))
        fitted = np.divide(x, row_sum[rows], out=np.zeros_like(x), where=row_sum[rows] > 0)
        return np.where(row_sum[rows] > 0, fitted, pieces.gewicht_flaeche.to_numpy())

    def carry(self, values, kind="count", weight=None, *, min_coverage=0.8) -> pd.DataFrame:
        """Carry ``values`` (Series or DataFrame indexed by old id) onto the new division.

        ``kind="count"``: :math:`\\sum_i g_{ij} y_i`; missing if any contributing old area is
        missing. ``kind="rate"``: weighted by :math:`g_{ij} w_i` with ``weight`` (default: the
        ``old_weight`` of :meth:`fit`, else the old areas' area); old areas without a value are
        left out, and the result is missing where they carry more than 1 − ``min_coverage`` of
        the new area's weight. Returns one row per new area (index ``neu_id``): the carried
        column(s) (a Series becomes ``wert``) and ``interpoliert``.
        """
        if not hasattr(self, "table_"):
            raise SozialplanungError("Der Gebietsschlüssel ist noch nicht berechnet.",
                                     hint="Zuerst .fit(alte_gebiete, neue_gebiete) aufrufen.")
        if kind not in KINDS:
            raise SozialplanungError(f"Unbekannte Art „{kind}“.", field="kind", hint="Erlaubt: count, rate")
        if not 0 <= min_coverage <= 1:
            raise SozialplanungError(f"min_coverage muss zwischen 0 und 1 liegen, gefunden: {min_coverage}.",
                                     field="min_coverage")
        frame = values.to_frame("wert") if isinstance(values, pd.Series) else values
        frame = _by_old_id(frame, self.old_ids_, "values")
        t = self.table_
        if kind == "rate":
            w = self.old_weight_ if weight is None else _weight(pd.Series(weight), None, self.old_ids_, "weight")
            gw = t.gewicht.to_numpy() * w.reindex(t.alt_id).to_numpy(float)
        out = {}
        for col in frame.columns:
            v = pd.to_numeric(frame[col], errors="coerce").reindex(t.alt_id).to_numpy(float)
            if kind == "count":
                g = t.gewicht.to_numpy()
                out[col] = _sum_by_new(t, np.where(g > 0, g * v, 0.0), strict=True)
                continue
            has = ~np.isnan(v)
            num = _sum_by_new(t, np.where(has, gw * np.nan_to_num(v), 0.0))
            den = _sum_by_new(t, np.where(has, gw, 0.0))
            full = _sum_by_new(t, gw)
            out[col] = (num / den).where((den > 0) & (den >= min_coverage * full))
        result = pd.DataFrame(out).reindex(self.new_ids_)
        result["interpoliert"] = self.interpoliert_
        return result.rename_axis("neu_id")


def error_summary(carried, observed, *, min_count=300, threshold=0.2) -> dict:
    """Relative errors |carried − observed| / observed over the areas with ``observed ≥ min_count``.

    Returns ``n``, ``median``, ``p90``, ``max``, ``max_id`` (the area with the largest error) and
    ``share_over`` (share of areas with an error above ``threshold``).

    >>> s = error_summary(pd.Series([110.0, 300.0, 500.0]), pd.Series([100.0, 400.0, 500.0]), min_count=100)
    >>> s["median"], s["max"], s["max_id"], round(s["share_over"], 3)
    (0.1, 0.25, 1, 0.333)
    """
    observed = pd.Series(observed, dtype=float)
    keep = observed >= min_count
    carried = pd.Series(carried, dtype=float).reindex(observed.index).fillna(0.0)  # nothing carried: −100 %
    err = ((carried - observed).abs() / observed)[keep]
    return {"n": int(keep.sum()), "median": float(err.median()), "p90": float(err.quantile(0.9)),
            "max": float(err.max()), "max_id": err.idxmax(), "share_over": float((err > threshold).mean())}


def _ipf(seed, rows, cols, p, q, max_iter, atol):
    """Alternate column and row scaling of the sparse matrix ``seed`` (entries at rows × cols).

    A column with a missing total (NaN in ``q``) is left free: only the row steps scale it.
    """
    x = seed.astype(float).copy()
    known = ~np.isnan(q)
    for it in range(1, max_iter + 1):
        c = np.bincount(cols, x, minlength=len(q))
        x *= np.divide(q, c, out=np.ones_like(q), where=(c > 0) & known)[cols]
        r = np.bincount(rows, x, minlength=len(p))
        x *= np.divide(p, r, out=np.ones_like(p), where=r > 0)[rows]
        dev = np.where(known, np.abs(np.bincount(cols, x, minlength=len(q)) - q), 0.0)
        if dev.max() <= atol:
            break
    return x, it, dev


def _sum_by_new(table, contrib, strict=False) -> pd.Series:
    """Sum per new id; with ``strict`` a missing contribution makes the sum missing."""
    s = pd.Series(contrib, index=table.neu_id.to_numpy())
    total = s.groupby(level=0).sum()
    return total.where(~s.isna().groupby(level=0).any()) if strict else total


def _areas(gdf, label: str, crs):
    import geopandas as gpd
    import shapely

    if not isinstance(gdf, gpd.GeoDataFrame):
        raise SozialplanungError(f"Erwartet wurde ein GeoDataFrame der {label}n Gebiete, "
                                 f"gefunden: {type(gdf).__name__}.")
    if gdf.crs is None:
        raise SozialplanungError(f"Die {label}n Gebiete haben kein Koordinatenbezugssystem (CRS).",
                                 field="geometry", hint="GeoDataFrame.set_crs(...) mit dem richtigen EPSG-Code.")
    ids = (gdf[GEBIET_ID] if GEBIET_ID in gdf.columns else gdf.index.to_series()).astype(str)
    if ids.duplicated().any():
        raise SozialplanungError(f"Gebiets-IDs der {label}n Gebiete kommen mehrfach vor: "
                                 + ", ".join(ids[ids.duplicated()].unique()[:5]), field=GEBIET_ID)
    geom = gdf.geometry.to_crs(crs)
    empty = (geom.isna() | geom.is_empty).to_numpy()
    if empty.any():
        raise SozialplanungError(f"{label.capitalize()} Gebiete ohne Geometrie: " + ", ".join(ids[empty][:10]),
                                 field="geometry")
    return gpd.GeoSeries(shapely.make_valid(geom.values), index=pd.Index(ids.to_numpy(), name=GEBIET_ID), crs=crs)


def _weight(weight, gdf, ids, name):
    if weight is None:
        return None
    if isinstance(weight, str):
        if weight not in gdf.columns:
            raise SozialplanungError(f"Spalte „{weight}“ fehlt in den Gebietsdaten.", field=name)
        weight = pd.Series(gdf[weight].to_numpy(), index=ids)
    w = pd.to_numeric(pd.Series(weight), errors="coerce")
    w.index = w.index.astype(str)
    w = w.reindex(ids)
    bad = w.index[w.isna() | (w < 0)]
    if len(bad):
        raise SozialplanungError("Fehlender, nicht numerischer oder negativer Wert für "
                                 + ", ".join(bad[:10]) + (" …" if len(bad) > 10 else ""), field=name)
    return w.astype(float).rename(name)


def _by_old_id(frame, old_ids, name):
    frame = frame.copy()
    frame.index = frame.index.astype(str)
    unknown = frame.index.difference(old_ids)
    if len(unknown):
        raise SozialplanungError(f"{name}: IDs, die im alten Gebietsstand fehlen: " + ", ".join(unknown[:10]),
                                 field=name, hint="Werte und Gebietsschlüssel müssen zum selben Gebietsstand gehören.")
    return frame


def _intersect(old, new) -> pd.DataFrame:
    """Areas (m²) of all old × new intersection pieces with positive area."""
    import shapely

    i, j = new.sindex.query(old.values, predicate="intersects")
    area = shapely.area(shapely.intersection(old.values[i], new.values[j]))
    pieces = pd.DataFrame({"alt_id": old.index[i], "neu_id": new.index[j], "flaeche_m2": area})
    pieces = pieces[pieces.flaeche_m2 > 0].reset_index(drop=True)
    pieces["anteil_alt"] = pieces.flaeche_m2 / old.area.reindex(pieces.alt_id).to_numpy()
    pieces["anteil_neu"] = pieces.flaeche_m2 / new.area.reindex(pieces.neu_id).to_numpy()
    return pieces


def _unchanged(pieces) -> pd.DataFrame:
    """Pairs where the old area has one piece only and the new area receives from it only."""
    alone_old = pieces.groupby("alt_id").neu_id.transform("size") == 1
    alone_new = pieces.groupby("neu_id").alt_id.transform("size") == 1
    pairs = pieces.loc[alone_old & alone_new, ["alt_id", "neu_id"]].reset_index(drop=True)
    pairs["gleiche_id"] = pairs.alt_id == pairs.neu_id
    return pairs
