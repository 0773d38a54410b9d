"""Plots of fitted analyses (the estimators in :mod:`sozialplanung.analysis` hold numbers only).

Like scikit-learn's ``*Display`` and PySAL's splot beside esda: each function takes a fitted estimator and returns
a matplotlib ``Figure`` drawn in the project's palette.
"""

from __future__ import annotations

import numpy as np
from scipy.cluster.hierarchy import dendrogram as _dendrogram

from sozialplanung.formatting import fmt_number
from sozialplanung.viz import palettes


def scree(fa, ax=None):
    """Scree plot: observed eigenvalues and the parallel-analysis threshold.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    fa._check_fitted()
    if ax is None:
        fig = Figure(figsize=(6, 4))
        ax = fig.subplots()
    else:
        fig = ax.figure
    table = fa.parallel_.table
    column = "zufall_perzentil" if fa.parallel_.threshold == "percentile" else "zufall_mittel"
    label = ("Parallelanalyse (95. Perzentil)" if column == "zufall_perzentil"
             else "Parallelanalyse (Mittelwert)")
    ax.plot(fa.eigenvalues_.index, fa.eigenvalues_, marker="o", color=palettes.BAR,
            label="Eigenwerte der Daten")
    ax.plot(table.index, table[column], marker="s", linestyle="--", color=palettes.WORSE,
            label=label)
    ax.axhline(1.0, color=palettes.NEUTRAL, linewidth=0.8, linestyle=":", label="Kaiser-Kriterium (1)")
    ax.set_xlabel("Position")
    ax.set_ylabel("Eigenwert")
    ax.set_title(f"Screeplot – vorgeschlagen: {fa.parallel_.n_factors} Faktor(en)")
    ax.set_xticks(list(fa.eigenvalues_.index))
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def dendrogram(typology, ax=None, truncate: int = 30):
    """Dendrogram of the Ward tree, cut at ``k_`` types (last ``truncate`` merges)."""
    from matplotlib.figure import Figure

    typology._check_fitted()
    fig = Figure(figsize=(8, 4)) if ax is None else ax.figure
    ax = fig.subplots() if ax is None else ax
    height = typology.ward_tree_[-(typology.k_ - 1), 2] if typology.k_ > 1 else 0.0
    _dendrogram(typology.ward_tree_, ax=ax, truncate_mode="lastp", p=truncate, no_labels=False,
               link_color_func=lambda _: palettes.BAR)
    ax.axhline(height, color=palettes.HIGHLIGHT, linestyle="--", linewidth=1,
               label=f"Schnitt bei {typology.k_} Typen")
    ax.set_xlabel("Gebiete (Anzahl in Klammern)")
    ax.set_ylabel("Fusionsniveau (Ward)")
    ax.set_title("Dendrogramm (Ward-Verfahren)" if typology.method == "ward" else
                 "Dendrogramm (Ward-Verfahren, zur Orientierung; Typen aus k-means)")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def type_profiles(typology, ax=None):
    """Heatmap of the mean z-values of each indicator per type."""
    from matplotlib.figure import Figure

    typology._check_fitted()
    data = typology.profiles_.loc[list(typology.names_)]
    size = (7.0 + 0.6 * data.shape[1], 2.2 + 0.5 * len(data))
    fig = Figure(figsize=size, layout="constrained") if ax is None else ax.figure
    ax = fig.subplots() if ax is None else ax
    limit = float(np.nanmax(np.abs(data.to_numpy()))) or 1.0
    image = ax.imshow(data.to_numpy(), cmap=palettes.DIVERGING, vmin=-limit, vmax=limit, aspect="auto")
    ax.set_xticks(range(data.shape[1]), data.columns, rotation=45, ha="right")
    ax.set_yticks(range(len(data)), [typology.names_[t] for t in data.index])
    for (i, j), value in np.ndenumerate(data.to_numpy()):
        ax.text(j, i, fmt_number(value, 1), ha="center", va="center", fontsize=8)
    fig.colorbar(image, ax=ax, label="Mittlerer z-Wert")
    ax.set_title("Profile der Gebietstypen")
    return fig
