"""Typology of areas by cluster analysis, ordered by Handlungsbedarf (:class:`ClusterTypology`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import dendrogram, fcluster, linkage
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from threadpoolctl import threadpool_limits

from sozialplanung.errors import SozialplanungError
from sozialplanung.factor import GEBIET_ID, prepare_indicators

__all__ = ["ClusterTypology", "need_level_names"]

METHODS = ("ward", "kmeans")
N_INIT = 10
_LEVELS = {
    1: ["mittlerer"],
    2: ["geringer", "hoher"],
    3: ["geringer", "mittlerer", "hoher"],
    4: ["sehr geringer", "geringer", "hoher", "sehr hoher"],
    5: ["sehr geringer", "geringer", "mittlerer", "hoher", "sehr hoher"],
}


def need_level_names(k: int) -> dict[int, str]:
    """German names of ``k`` types ordered by rising Handlungsbedarf.

    >>> need_level_names(3)[3]
    'Typ 3: hoher Handlungsbedarf'
    """
    if k <= 5:
        levels = _LEVELS[k]
    else:  # more types than words: first and last keep "sehr", the middle ones are numbered
        levels = (["sehr geringer"] + [f"mittlerer (Stufe {i})" for i in range(2, k)]
                  + ["sehr hoher"])
    return {i + 1: f"Typ {i + 1}: {level} Handlungsbedarf" for i, level in enumerate(levels)}


class ClusterTypology:
    r"""Typology of areas by Ward or k-means clustering, ordered by Handlungsbedarf.

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

    Ordering by Handlungsbedarf: every area gets a need score – by default the mean of its
    standardised indicators, **which assumes that all columns are polarity-aligned so that
    higher values mean more disadvantage** (turn resources such as income around first, or
    pass factor scores oriented with a marker) – or the ``need`` Series given to ``fit``.
    The types are numbered by their mean need score: "Typ 1: sehr geringer
    Handlungsbedarf" … "Typ k: sehr hoher Handlungsbedarf".

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
        Type number → German name.
    profiles_ : pd.DataFrame
        Mean z-value of each indicator per type (rows: type number).
    sizes_ : pd.Series
        Number of areas per type.
    stability_ : pd.Series
        Mean bootstrap Jaccard per type.
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
        z_frame = (values - values.mean()) / values.std(ddof=1) if self.standardize else values
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
        self.names_ = need_level_names(self.k_)

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

    # ------------------------------------------------------------------ output
    def _check_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            raise SozialplanungError("Die Clusteranalyse ist noch nicht geschätzt.",
                                     hint="Zuerst .fit(daten) aufrufen.")

    def to_frame(self) -> pd.DataFrame:
        """``gebiet_id``, ``typ`` (number) and ``typ_name``, one row per area."""
        self._check_fitted()
        out = self.labels_.reset_index()
        out["typ_name"] = out["typ"].map(self.names_)
        return out

    def plot_dendrogram(self, ax=None, truncate: int = 30):
        """Dendrogram of the Ward tree, cut at ``k_`` types (last ``truncate`` merges)."""
        from matplotlib.figure import Figure

        self._check_fitted()
        fig = Figure(figsize=(8, 4)) if ax is None else ax.figure
        ax = fig.subplots() if ax is None else ax
        height = self.ward_tree_[-(self.k_ - 1), 2] if self.k_ > 1 else 0.0
        dendrogram(self.ward_tree_, ax=ax, truncate_mode="lastp", p=truncate, no_labels=False,
                   color_threshold=height, above_threshold_color="#999999")
        ax.axhline(height, color="#D55E00", linestyle="--", linewidth=1,
                   label=f"Schnitt bei {self.k_} Typen")
        ax.set_xlabel("Gebiete (Anzahl in Klammern)")
        ax.set_ylabel("Fusionsniveau (Ward)")
        ax.set_title("Dendrogramm (Ward-Verfahren)" if self.method == "ward" else
                     "Dendrogramm (Ward-Verfahren, zur Orientierung; Typen aus k-means)")
        ax.legend(frameon=False)
        fig.tight_layout()
        return fig

    def plot_profiles(self, ax=None):
        """Heatmap of the mean z-values of each indicator per type."""
        from matplotlib.figure import Figure

        self._check_fitted()
        data = self.profiles_
        size = (7.0 + 0.6 * data.shape[1], 2.2 + 0.5 * len(data))
        fig = Figure(figsize=size, layout="constrained") if ax is None else ax.figure
        ax = fig.subplots() if ax is None else ax
        limit = float(np.nanmax(np.abs(data.to_numpy()))) or 1.0
        image = ax.imshow(data.to_numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
        ax.set_xticks(range(data.shape[1]), data.columns, rotation=45, ha="right")
        ax.set_yticks(range(len(data)), [self.names_[t] for t in data.index])
        for (i, j), value in np.ndenumerate(data.to_numpy()):
            ax.text(j, i, f"{value:.1f}".replace(".", ","), ha="center", va="center", fontsize=8)
        fig.colorbar(image, ax=ax, label="Mittlerer z-Wert")
        ax.set_title("Profile der Gebietstypen")
        return fig

    def __repr__(self) -> str:
        if not hasattr(self, "labels_"):
            return f"ClusterTypology(k={self.k!r}, method={self.method!r})"
        table = pd.DataFrame({"Gebiete": self.sizes_, "Jaccard": self.stability_.round(2)})
        table.index = [self.names_[t] for t in table.index]
        verfahren = "Ward" if self.method == "ward" else "k-means"
        return (f"Gebietstypen ({verfahren}, k = {self.k_}, vorgeschlagen: {self.k_suggested_}; "
                f"ausgeschlossen: {len(self.dropped_)})\n" + table.to_string())
