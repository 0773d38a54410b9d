"""Typology of areas by cluster analysis (:class:`ClusterTypology`), types named neutrally „Typ A“ … with a profile line."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from threadpoolctl import threadpool_limits

from sozialplanung.errors import SozialplanungError
from sozialplanung.analysis.factor import prepare_indicators
from sozialplanung.config.catalogue import GEBIET_ID

__all__ = ["ClusterTypology", "type_names", "profile_text"]

METHODS = ("ward", "kmeans")
N_INIT = 10
PROFILE_THRESHOLD = 0.5
"""A type's mean z-value must reach ±0,5 for an indicator to be named in its profile line."""
PROFILE_TOP = 3
"""At most this many indicators in a profile line (the largest absolute mean z-values)."""


def type_names(types) -> dict:
    """Neutral names „Typ A“, „Typ B“ … for the given type numbers, in the given order.

    >>> type_names([1, 3, 2])
    {1: 'Typ A', 3: 'Typ B', 2: 'Typ C'}
    """
    types = list(types)
    letters = string.ascii_uppercase if len(types) <= 26 else [str(i + 1) for i in range(len(types))]
    return {t: f"Typ {letters[i]}" for i, t in enumerate(types)}


def _enumerate(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " und " + words[-1]


def profile_text(mean_z: pd.Series, names=None, *, top: int = PROFILE_TOP,
                 threshold: float = PROFILE_THRESHOLD) -> str:
    """German profile line of a type from its mean z-value per indicator.

    The ``top`` indicators with the largest absolute mean z-value of at least ``threshold`` are
    named with „hoch“ or „niedrig“ (``names`` maps column → catalogue name).

    >>> profile_text(pd.Series({"S3": 1.4, "KI_07": 0.9, "KI_10": -0.7, "S1": 0.2}),
    ...              {"S3": "Transferbezug", "KI_07": "Alleinerziehende", "KI_10": "Wohndauer über 5 Jahre"})
    'Transferbezug und Alleinerziehende hoch, Wohndauer über 5 Jahre niedrig'
    >>> profile_text(pd.Series({"S1": 0.1}))
    'alle Werte nahe dem Durchschnitt'
    """
    names = names or {}
    z = mean_z.dropna()
    strong = z[z.abs() >= threshold].abs().sort_values(ascending=False, kind="stable").index[:top]
    if not len(strong):
        return "alle Werte nahe dem Durchschnitt"
    parts = []
    for sign, word in ((1, "hoch"), (-1, "niedrig")):
        chosen = [str(names.get(c, c)) for c in strong if np.sign(z[c]) == sign]
        if chosen:
            parts.append(f"{_enumerate(chosen)} {word}")
    return ", ".join(parts)


class ClusterTypology:
    r"""Typology of areas by Ward or k-means clustering, types named neutrally „Typ A“ … „Typ D“.

    The indicators are z-standardised (ddof=1) unless ``standardize=False`` (e.g. for
    factor scores). Ward's minimum-variance method (Ward 1963) uses
    :func:`scipy.cluster.hierarchy.linkage` and cuts the tree with ``fcluster(...,
    "maxclust")``; k-means uses :class:`sklearn.cluster.KMeans` with ``n_init=10``.

    Choice of k: for each k in ``k_range`` the table ``k_scores_`` lists the silhouette
    (Rousseeuw 1987, higher is better), Calinski–Harabasz (1974, higher is better),
    Davies–Bouldin (1979, lower is better) and the within-cluster sum of squares
    :math:`W_k = \sum_c \sum_{i \in c} \lVert z_i - \bar z_c \rVert^2` (elbow). The suggested
    k (``k_suggested_``) maximises the silhouette.

    Stability (Hennig 2007, ``fpc::clusterboot``): ``n_bootstrap`` samples of the areas
    are drawn with replacement and clustered again with the same method and k; for each
    type the Jaccard similarity :math:`|C \cap D| / |C \cup D|` between the type (restricted
    to the drawn areas) and the most similar bootstrap cluster is averaged. Values below
    0.6 indicate an unstable type, above 0.75 a stable one.

    Type numbers: every area gets a need score – by default the mean of its standardised
    indicators, **which assumes that all columns are polarity-aligned so that higher values
    mean more disadvantage** (turn resources such as income around first, or pass factor
    scores oriented with a marker) – or the ``need`` Series given to ``fit``. The types are
    numbered 1 … k by their mean need score (the ``typ`` column of :meth:`to_frame`).

    Names: the types are named neutrally („Typ A“ …), not by a level of need, so that a type
    never contradicts an index class. :meth:`describe` adds a one-line profile per type from
    the mean z-values of the indicators („Transferbezug und Kinderarmut hoch“) and orders the
    letters by the mean of an index score (e.g. the Status-Index); without it the letters
    follow the type numbers. ``names_`` is in that order (legends, tables).

    Parameters
    ----------
    k : int or None, default=None
        None: ``k_suggested_``.
    method : {"ward", "kmeans"}, default="ward"
    k_range : iterable of int, default=range(2, 9)
    n_bootstrap : int, default=100
        0 switches the stability analysis off.
    standardize : bool, default=True
    random_state : int, default=0

    Attributes
    ----------
    indicators_ : list of str
    dropped_ : pd.Index
        Areas excluded because of missing values.
    k_scores_ : pd.DataFrame
        Index k; columns ``Silhouette``, ``Calinski-Harabasz``, ``Davies-Bouldin``,
        ``Within-SS``.
    k_suggested_ : int
    k_ : int
    ward_tree_ : np.ndarray
        Ward linkage of the data (for the dendrogram, also when the types come from k-means).
    linkage_ : np.ndarray or None
        Ward linkage matrix.
    need_ : pd.Series
        Need score per area.
    labels_ : pd.Series
        gebiet_id → type number (1 = lowest need).
    names_ : dict
        Type number → neutral name („Typ A“), in presentation order.
    descriptions_ : dict
        Type number → profile line (empty until :meth:`describe`).
    profiles_ : pd.DataFrame
        Mean z-value of each clustered column per type (rows: type number).
    sizes_ : pd.Series
        Number of areas per type.
    stability_ : pd.Series
        Mean bootstrap Jaccard per type.
    centres_ : pd.DataFrame
        Type number × clustered column: the mean vector (centroid) of each type in the clustering
        space (z-values with ``standardize=True``, else the columns as given); used by :meth:`predict`.
    mean_, scale_ : pd.Series or None
        With ``standardize=True`` the mean and standard deviation (ddof=1) of the fitted areas,
        applied to new rows by :meth:`predict`; None otherwise.
    """

    def __init__(self, k=None, *, method="ward", k_range=range(2, 9), n_bootstrap=100,
                 standardize=True, random_state=0):
        self.k = k
        self.method = method
        self.k_range = k_range
        self.n_bootstrap = n_bootstrap
        self.standardize = standardize
        self.random_state = random_state

    def _validate_params(self) -> list[int]:
        if self.method not in METHODS:
            raise SozialplanungError(
                f"Unbekanntes Clusterverfahren „{self.method}“.", field="method",
                hint="Erlaubt sind „ward“ und „kmeans“.",
            )
        ks = sorted({int(k) for k in self.k_range})
        if not ks or ks[0] < 2:
            raise SozialplanungError(
                "Der Bereich für k muss Werte ab 2 enthalten.", field="k_range",
            )
        if self.k is not None and (not isinstance(self.k, (int, np.integer)) or self.k < 2):
            raise SozialplanungError(
                f"Die Typenzahl k muss eine ganze Zahl ≥ 2 oder None sein, gefunden: {self.k!r}.",
                field="k",
            )
        if int(self.n_bootstrap) < 0:
            raise SozialplanungError("n_bootstrap darf nicht negativ sein.", field="n_bootstrap")
        return ks

    # ------------------------------------------------------------------ clustering
    def _cluster(self, z: np.ndarray, k: int, tree=None) -> np.ndarray:
        """Labels 0..k-1 for the rows of ``z``."""
        if self.method == "ward":
            tree = linkage(z, method="ward") if tree is None else tree
            return fcluster(tree, t=k, criterion="maxclust") - 1
        model = KMeans(n_clusters=k, n_init=N_INIT, random_state=self.random_state)
        # area tables are small: one thread avoids OpenMP oversubscription, which made a
        # single fit of 536 areas 50 times slower on a busy two-core machine
        with threadpool_limits(limits=1, user_api="openmp"):
            return model.fit_predict(z)

    def fit(self, frame: pd.DataFrame, need: pd.Series | None = None) -> "ClusterTypology":
        """Cluster the areas of ``frame`` (gebiet_id × indicator).

        Parameters
        ----------
        frame : pd.DataFrame
        need : pd.Series, optional
            Need score per gebiet_id (higher = more Handlungsbedarf).
        """
        ks = self._validate_params()
        values, self.dropped_ = prepare_indicators(frame, min_columns=1)
        self.indicators_ = [str(c) for c in values.columns]
        n = len(values)
        ks = [k for k in ks if k < n]
        if self.k is not None and self.k >= n:
            raise SozialplanungError(f"k = {self.k} ist nicht kleiner als die Zahl der Gebiete ({n}).",
                                     field="k")
        if not ks:
            raise SozialplanungError(f"Zu wenige Gebiete ({n}) für die verlangten Typenzahlen.")
        self.mean_, self.scale_ = (values.mean(), values.std(ddof=1)) if self.standardize else (None, None)
        z_frame = (values - self.mean_) / self.scale_ if self.standardize else values
        z = z_frame.to_numpy()
        self.ward_tree_ = linkage(z, method="ward")
        self.linkage_ = self.ward_tree_ if self.method == "ward" else None
        rows = {}
        for k in ks:
            lab = self._cluster(z, k, self.linkage_)
            if len(np.unique(lab)) < 2:
                continue
            centres = np.vstack([z[lab == c].mean(axis=0) for c in np.unique(lab)])
            rows[k] = {
                "Silhouette": silhouette_score(z, lab),
                "Calinski-Harabasz": calinski_harabasz_score(z, lab),
                "Davies-Bouldin": davies_bouldin_score(z, lab),
                "Within-SS": float(((z - centres[np.searchsorted(np.unique(lab), lab)]) ** 2).sum()),
            }
        self.k_scores_ = pd.DataFrame.from_dict(rows, orient="index").rename_axis("k")
        self.k_suggested_ = int(self.k_scores_["Silhouette"].idxmax())
        self.k_ = int(self.k or self.k_suggested_)
        raw = self._cluster(z, self.k_, self.linkage_)
        self._order_by_need(z_frame, raw, need)
        self.profiles_ = z_frame.groupby(self.labels_).mean().rename_axis("typ")
        self.centres_ = self.profiles_.copy()
        self.sizes_ = self.labels_.value_counts().sort_index().rename("Gebiete")
        self.stability_ = self._bootstrap(z, raw)
        return self

    def _order_by_need(self, z_frame: pd.DataFrame, raw: np.ndarray, need) -> None:
        if need is None:
            score = z_frame.mean(axis=1)
        else:
            if not isinstance(need, pd.Series):
                raise SozialplanungError("need muss eine pandas Series je gebiet_id sein.", field="need")
            missing = z_frame.index.difference(need.index)
            if len(missing) or need.reindex(z_frame.index).isna().any():
                raise SozialplanungError(
                    "Für einige Gebiete fehlt der Bedarfswert: "
                    + ", ".join(map(str, missing[:10])), field="need",
                )
            score = need.reindex(z_frame.index).astype(float)
        self.need_ = score.rename("bedarf").rename_axis(GEBIET_ID)
        means = pd.Series(score.to_numpy()).groupby(raw).mean().sort_values(kind="stable")
        mapping = {old: new + 1 for new, old in enumerate(means.index)}
        self._raw_to_type = mapping
        self.labels_ = pd.Series([mapping[c] for c in raw], index=z_frame.index.rename(GEBIET_ID),
                                 name="typ")
        self.names_ = type_names(range(1, self.k_ + 1))
        self.descriptions_ = {}

    def _bootstrap(self, z: np.ndarray, raw: np.ndarray) -> pd.Series:
        """Mean Jaccard per type under bootstrap resampling (Hennig 2007)."""
        types = range(1, self.k_ + 1)
        if int(self.n_bootstrap) == 0:
            return pd.Series(np.nan, index=pd.Index(types, name="typ"), name="Jaccard")
        rng = np.random.default_rng(self.random_state)
        n = len(z)
        original = np.array([self._raw_to_type[c] for c in raw])
        sums = np.zeros(self.k_)
        counts = np.zeros(self.k_)
        for _ in range(int(self.n_bootstrap)):
            draw = rng.integers(0, n, size=n)
            boot = self._cluster(z[draw], self.k_)
            # one label per distinct drawn area (duplicates share a label except rarely)
            unique_pos, first = np.unique(draw, return_index=True)
            boot_lab = boot[first]
            orig_lab = original[unique_pos]
            for t in types:
                member = orig_lab == t
                if not member.any():
                    continue
                best = 0.0
                for b in np.unique(boot_lab):
                    other = boot_lab == b
                    inter = np.sum(member & other)
                    union = np.sum(member | other)
                    best = max(best, inter / union)
                sums[t - 1] += best
                counts[t - 1] += 1
        with np.errstate(invalid="ignore"):
            mean = sums / counts
        return pd.Series(mean, index=pd.Index(types, name="typ"), name="Jaccard")

    def predict(self, frame: pd.DataFrame) -> pd.Series:
        r"""Type number of the nearest type centre for each row of ``frame`` (gebiet_id × clustered column).

        Nearest-centroid classification: a row :math:`x` (standardised with the fitted ``mean_`` and
        ``scale_`` if ``standardize=True``) gets the type :math:`c` minimising the Euclidean distance
        :math:`\lVert x - \bar z_c \rVert` to the centres ``centres_``. This is the assignment step of
        k-means (Lloyd 1982; MacQueen 1967) and SPSS QUICK CLUSTER with ``/METHOD=CLASSIFY`` (classify only):
        the type that adds the least to the within-cluster sum of squares :math:`W_k` that Ward's method
        and k-means minimise. Ward's hierarchical merges need not put every fitted area into its nearest
        centre, so on the fitted data the agreement with ``labels_`` is high but not always complete.
        A row with a missing value gets no type (``<NA>``); ties go to the lower type number.
        """
        self._check_fitted()
        missing = [c for c in self.indicators_ if c not in frame.columns]
        if missing:
            raise SozialplanungError("Spalten der Clusteranalyse fehlen: " + ", ".join(map(str, missing)) + ".")
        values = frame[self.indicators_].astype(float)
        z = ((values - self.mean_) / self.scale_ if self.standardize else values).to_numpy()
        centres = self.centres_.to_numpy()
        dist = ((z[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        complete = ~np.isnan(z).any(axis=1)
        nearest = np.where(complete[:, None], dist, 0.0).argmin(axis=1)
        types = pd.array(self.centres_.index.to_numpy()[nearest], dtype="Int64")
        out = pd.Series(types, index=values.index.rename(GEBIET_ID), name="typ")
        return out.mask(~complete)

    # ------------------------------------------------------------------ names
    def describe(self, values: pd.DataFrame, names=None, order_by: pd.Series | None = None) -> "ClusterTypology":
        """Profile line per type and the order of the letters (the fit is not touched).

        Parameters
        ----------
        values : pd.DataFrame
            gebiet_id × indicator for the clustered areas (e.g. the indicators behind the factor
            scores); z-standardised (ddof=1) over these areas, averaged per type.
        names : mapping, optional
            Column → name in the profile line (the catalogue name).
        order_by : pd.Series, optional
            Score per gebiet_id (e.g. the Status-Index score): the letters follow its mean per
            type, lowest first; types without a score come last.
        """
        self._check_fitted()
        values = values.reindex(self.labels_.index).astype(float)
        z = (values - values.mean()) / values.std(ddof=1)
        self.indicator_profiles_ = z.groupby(self.labels_).mean().rename_axis("typ")
        self.descriptions_ = {t: profile_text(self.indicator_profiles_.loc[t], names)
                              for t in self.indicator_profiles_.index}
        order = list(range(1, self.k_ + 1))
        if order_by is not None:
            means = order_by.reindex(self.labels_.index).astype(float).groupby(self.labels_).mean()
            self.order_score_ = means.reindex(order)
            order = list(self.order_score_.sort_values(kind="stable", na_position="last").index)
        self.names_ = type_names(order)
        return self

    def title(self, typ: int, brackets: bool = False) -> str:
        """„Typ A: Transferbezug und Kinderarmut hoch“, or with ``brackets`` „Typ A (Transferbezug …)“ for
        running text (the name alone without a profile)."""
        text = self.descriptions_.get(typ)
        if not text:
            return self.names_[typ]
        return f"{self.names_[typ]} ({text})" if brackets else f"{self.names_[typ]}: {text}"

    def titles(self) -> dict:
        """Type number → :meth:`title`, in presentation order."""
        return {t: self.title(t) for t in self.names_}

    # ------------------------------------------------------------------ output
    def _check_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            raise SozialplanungError("Die Clusteranalyse ist noch nicht geschätzt.",
                                     hint="Zuerst .fit(daten) aufrufen.")

    def to_frame(self) -> pd.DataFrame:
        """``gebiet_id``, ``typ`` (number) and ``typ_name`` (:meth:`title`), one row per area."""
        self._check_fitted()
        out = self.labels_.reset_index()
        out["typ_name"] = out["typ"].map(self.titles())
        return out

    def __repr__(self) -> str:
        if not hasattr(self, "labels_"):
            return f"ClusterTypology(k={self.k!r}, method={self.method!r})"
        order = list(self.names_)
        table = pd.DataFrame({"Gebiete": self.sizes_, "Jaccard": self.stability_.round(2)}).loc[order]
        table.index = [self.title(t) for t in order]
        verfahren = "Ward" if self.method == "ward" else "k-means"
        return (f"Gebietstypen ({verfahren}, k = {self.k_}, vorgeschlagen: {self.k_suggested_}; "
                f"ausgeschlossen: {len(self.dropped_)})\n" + table.to_string())
