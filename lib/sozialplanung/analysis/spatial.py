"""Spatial autocorrelation: global Moran's I and LISA with FDR (:class:`SpatialAutocorrelation`)."""

from __future__ import annotations

import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd

from sozialplanung.config.catalogue import GEBIET_ID
from sozialplanung.errors import SozialplanungError, SozialplanungWarning

__all__ = ["SpatialAutocorrelation", "LISA_LABELS"]

QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
LISA_LABELS = {
    "HH": "Hoch-Hoch",
    "LL": "Niedrig-Niedrig",
    "HL": "Hoch-Niedrig",
    "LH": "Niedrig-Hoch",
}
NOT_SIGNIFICANT = "nicht signifikant"
ISLAND = "ohne Nachbarn"


@contextmanager
def _global_seed(seed):
    """Seed NumPy's global generator for a dependency that accepts no local one (``esda.Moran`` and
    ``Moran_Local`` accept no ``np.random.Generator``), and restore the caller's state afterwards."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


class SpatialAutocorrelation:
    r"""Global Moran's I and local Moran (LISA) of one indicator on area polygons.

    Neighbours are polygons sharing at least one boundary point (queen contiguity,
    :meth:`libpysal.graph.Graph.build_contiguity`); weights are row-standardised. Areas
    without neighbours ("islands") are listed in ``islands_``, left out of all statistics
    and named in a :class:`SozialplanungWarning`; they appear in ``lisa_`` as "ohne Nachbarn".

    Global Moran's I (Moran 1950; Cliff & Ord 1981), with :math:`z = y - \bar y`:

    .. math:: I = \frac{n}{S_0} \frac{z' W z}{z' z}, \qquad S_0 = \sum_{ij} w_{ij},

    and the local statistic (Anselin 1995, in esda's scaling)
    :math:`I_i = (n - 1) \, z_i \sum_j w_{ij} z_j / \sum_k z_k^2`. Pseudo p-values come from
    ``permutations`` conditional random permutations (``esda.Moran``,
    ``esda.Moran_Local``; one-sided "directed" pseudo p-values, :math:`(M + 1)/(R + 1)`
    with :math:`M` permuted values at least as extreme as the observed one). Local significance is judged after the false-discovery-rate
    correction of Benjamini & Hochberg (1995) via :func:`esda.fdr`: an area is significant
    if its pseudo p-value is at most the FDR threshold for ``alpha``.

    Parameters
    ----------
    permutations : int, default=999
    alpha : float, default=0.05
    fdr : bool, default=True
        False: compare the pseudo p-values with ``alpha`` directly (not recommended).
    random_state : int, default=0

    Attributes
    ----------
    column_ : str
        The analysed column (indicator id).
    islands_ : list of str
        gebiet_ids without neighbours (excluded).
    dropped_ : list of str
        gebiet_ids with a missing value (excluded).
    n_ : int
        Areas in the statistic.
    graph_ : libpysal.graph.Graph
        Row-standardised contiguity graph of the areas in the statistic.
    I_, EI_, z_sim_, p_sim_ : float
        Moran's I, its expectation -1/(n-1), the permutation z-value and pseudo p-value.
    fdr_threshold_ : float
        Largest p-value still significant after FDR correction.
    lisa_ : pd.DataFrame
        One row per area: ``gebiet_id``, ``Ii``, ``p_sim``, ``q`` (esda quadrant 1–4),
        ``quadrant`` (HH/LH/LL/HL), ``signifikant``, ``cluster`` (German label).
    """

    def __init__(self, permutations=999, alpha=0.05, *, fdr=True, random_state=0):
        self.permutations = permutations
        self.alpha = alpha
        self.fdr = fdr
        self.random_state = random_state

    def _validate(self, gdf, column) -> pd.Series:
        import geopandas as gpd

        if not isinstance(gdf, gpd.GeoDataFrame):
            raise SozialplanungError(
                f"Erwartet wurde ein GeoDataFrame mit Gebietsgeometrien, gefunden: {type(gdf).__name__}."
            )
        if column not in gdf.columns:
            raise SozialplanungError(
                f"Spalte „{column}“ fehlt in den Gebietsdaten.", field=str(column),
                hint="Vorhandene Spalten: " + ", ".join(map(str, gdf.columns)),
            )
        if not pd.api.types.is_numeric_dtype(gdf[column]):
            raise SozialplanungError(f"Spalte „{column}“ ist nicht numerisch.", field=str(column))
        if not 0 < self.alpha < 1:
            raise SozialplanungError(f"alpha muss zwischen 0 und 1 liegen, gefunden: {self.alpha}.",
                                     field="alpha")
        if int(self.permutations) < 99:
            raise SozialplanungError("Für Pseudo-p-Werte werden mindestens 99 Permutationen gebraucht.",
                                     field="permutations")
        ids = gdf[GEBIET_ID] if GEBIET_ID in gdf.columns else gdf.index.to_series()
        ids = ids.astype(str)
        if ids.duplicated().any():
            raise SozialplanungError(
                "Gebiets-IDs kommen mehrfach vor: " + ", ".join(ids[ids.duplicated()].unique()[:5]),
                field=GEBIET_ID,
            )
        if gdf.geometry.isna().any() or gdf.geometry.is_empty.any():
            bad = ids[(gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()].tolist()
            raise SozialplanungError("Gebiete ohne Geometrie: " + ", ".join(bad[:10]), field="geometry")
        return ids

    def _linked_areas(self, gdf, column: str):
        """All ids, the areas with a value and a neighbour (warning about the others), their contiguity graph."""
        from libpysal.graph import Graph

        ids = self._validate(gdf, column)
        self.column_ = column
        frame = gdf.set_index(pd.Index(ids.to_numpy(), name=GEBIET_ID))[[column, "geometry"]]
        frame = frame.set_geometry("geometry")
        missing = frame[column].isna()
        self.dropped_ = frame.index[missing].tolist()
        if self.dropped_:
            warnings.warn(
                f"{len(self.dropped_)} Gebiete ohne Wert für „{column}“ werden ausgeschlossen: "
                + ", ".join(self.dropped_[:10]) + (" …" if len(self.dropped_) > 10 else ""),
                SozialplanungWarning, stacklevel=3,
            )
        frame = frame.loc[~missing]
        graph = Graph.build_contiguity(frame, rook=False)
        self.islands_ = [str(i) for i in graph.isolates]
        if self.islands_:
            warnings.warn(
                f"{len(self.islands_)} Gebiete ohne Nachbarn (Inseln) werden aus der räumlichen "
                "Statistik ausgeschlossen: " + ", ".join(self.islands_),
                SozialplanungWarning, stacklevel=3,
            )
            frame = frame.drop(index=self.islands_)
            graph = Graph.build_contiguity(frame, rook=False)
        if len(frame) < 3:
            raise SozialplanungError(
                f"Zu wenige benachbarte Gebiete für Moran's I: {len(frame)}.",
                hint="Mindestens drei Gebiete mit gemeinsamen Grenzen werden gebraucht.",
            )
        return ids, frame, graph

    def fit(self, gdf, column: str) -> "SpatialAutocorrelation":
        """Compute Moran's I and LISA of ``gdf[column]``.

        ``gdf`` is a GeoDataFrame with one polygon per area; the ids are taken from a
        ``gebiet_id`` column if present, else from the index.
        """
        with warnings.catch_warnings():  # esda imports tqdm.auto, which warns without ipywidgets (noise only)
            warnings.filterwarnings("ignore", message="IProgress not found")
            import esda
        ids, frame, graph = self._linked_areas(gdf, column)
        y = frame[column].to_numpy(dtype=float)
        if np.ptp(y) == 0:
            raise SozialplanungError(f"„{column}“ hat in allen Gebieten denselben Wert.",
                                     field=str(column))
        self.graph_ = graph.transform("r")
        self.n_ = len(y)
        with _global_seed(self.random_state):  # esda.Moran draws from NumPy's global generator
            moran = esda.Moran(y, self.graph_, permutations=int(self.permutations))
        self.I_, self.EI_ = float(moran.I), float(moran.EI)
        self.z_sim_, self.p_sim_ = float(moran.z_sim), float(moran.p_sim)
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"), \
                _global_seed(self.random_state):  # Moran_Local(seed=…) seeds the global generator
            # esda announces a future change of its default alternative; we use the
            # current directed pseudo p-value (Anselin 1995) and say so in the docstring
            warnings.filterwarnings("ignore", message="The alternative hypothesis",
                                    category=DeprecationWarning)
            local = esda.Moran_Local(y, self.graph_, permutations=int(self.permutations),
                                     seed=self.random_state)
        p = np.asarray(local.p_sim, dtype=float)
        self.fdr_threshold_ = float(esda.fdr(p, self.alpha)) if self.fdr else float(self.alpha)
        significant = p <= self.fdr_threshold_
        quadrant = [QUADRANTS[int(q)] for q in local.q]
        lisa = pd.DataFrame(
            {
                GEBIET_ID: frame.index.to_numpy(),
                "Ii": local.Is,
                "p_sim": p,
                "q": pd.array(np.asarray(local.q, dtype=int), dtype="Int64"),
                "quadrant": quadrant,
                "signifikant": significant,
                "cluster": [LISA_LABELS[q] if s else NOT_SIGNIFICANT
                            for q, s in zip(quadrant, significant)],
            }
        )
        excluded = pd.DataFrame({GEBIET_ID: self.islands_, "cluster": ISLAND})
        if len(excluded):
            excluded["signifikant"] = False
            lisa = pd.concat([lisa, excluded], ignore_index=True)
        order = {g: i for i, g in enumerate(ids)}
        self.lisa_ = lisa.sort_values(GEBIET_ID, key=lambda s: s.map(order)).reset_index(drop=True)
        self.column_ = column
        return self

    def to_frame(self) -> pd.DataFrame:
        """The LISA table (``gebiet_id`` first)."""
        if not hasattr(self, "lisa_"):
            raise SozialplanungError("Die räumliche Statistik ist noch nicht berechnet.",
                                     hint="Zuerst .fit(gdf, spalte) aufrufen.")
        return self.lisa_.copy()

    def __repr__(self) -> str:
        if not hasattr(self, "lisa_"):
            return f"SpatialAutocorrelation(permutations={self.permutations}, alpha={self.alpha})"
        counts = self.lisa_["cluster"].value_counts()
        lines = [
            f"Räumliche Autokorrelation von „{self.column_}“ ({self.n_} Gebiete, Queen-Nachbarschaft)",
            f"Moran's I = {self.I_:.3f} (Erwartung {self.EI_:.3f}), Pseudo-p = {self.p_sim_:.3g}",
            f"Inseln ausgeschlossen: {len(self.islands_)}",
            counts.to_string(),
        ]
        return "\n".join(lines).replace("I = 0.", "I = 0,")
