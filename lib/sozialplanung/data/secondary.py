"""Secondary suppression for nested totals (Land → Kreis → Gemeindeverband → Gemeinde), bottom-up.

When the published totals form a **nested** (laminar) family – any two totals are either disjoint or
one contains the other, as the areas of parent levels are – the question "which withheld cell do the
totals determine?" has an exact answer without linear algebra over all totals at once:

- The *home* of a cell is the smallest total containing it; the *own cells* of a total are the cells
  whose home it is (the members not in any of its sub-totals).
- Each total minus its maximal sub-totals (all published) is the sum of its own cells. These
  equations have the same span as the totals themselves (a triangular change of basis), and their
  supports are disjoint. So a withheld cell is determined **iff it is the only withheld own cell of
  its home** – exactly what the recomputation check (:func:`sozialplanung.data.datenschutz.determined_cells`,
  null space of the incidence matrix) decides, in one pass over the cells.

Protection, per total from the smallest up: a total with exactly one withheld own cell gets a
second one – its smallest non-zero published own count (zeros only if no non-zero one is left),
ties by id: the choice of the recomputation greedy. Sums of published totals – the Kreis as the
sum of its Gemeindeverbände, the Land of its Kreise – add no equation, so nothing has to be
propagated upwards: a withheld cell is never recomputable from a higher level once it is protected
in its home. A total with a single own cell that is withheld cannot be protected (``unprotected``).
Cost: linear in the number of memberships (10.990 Gemeinden in well under a second per column and
year), against one null space per determined cell before.

Totals that are not nested (a Bezugsgesamtheit cutting across parent areas) return ``None`` from
:func:`homes`; the caller then uses the general recomputation greedy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def homes(members: Sequence[np.ndarray], n_cells: int) -> np.ndarray | None:
    """The home total of each cell (−1: in no total), or None if the totals are not nested.

    Parameters
    ----------
    members : sequence of int arrays
        Cell positions summed into each total.
    n_cells : int

    Examples
    --------
    >>> homes([np.array([0, 1]), np.array([0, 1, 2]), np.array([3])], 5).tolist()
    [0, 0, 1, 2, -1]
    >>> homes([np.array([0, 1]), np.array([1, 2])], 3) is None
    True
    """
    sizes = np.array([len(set(m.tolist())) for m in members])
    order = sorted(range(len(members)), key=lambda g: (sizes[g], g))  # small to large
    chains: list[list[int]] = [[] for _ in range(n_cells)]
    for g in order:
        for c in set(members[g].tolist()):
            chains[c].append(g)
    sets = {}
    checked = set()
    for chain in chains:
        for a, b in zip(chain, chain[1:]):
            if (a, b) in checked:
                continue
            sa = sets.setdefault(a, frozenset(members[a].tolist()))
            sb = sets.setdefault(b, frozenset(members[b].tolist()))
            if not sa <= sb:
                return None
            checked.add((a, b))
    return np.array([chain[0] if chain else -1 for chain in chains], dtype=int)


def determined(home: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Withheld cells the nested totals determine: the only withheld own cell of their home.

    Examples
    --------
    >>> determined(np.array([0, 0, 0, 1, 1]), np.array([True, False, False, True, True])).tolist()
    [True, False, False, False, False]
    """
    counts = np.bincount(home[hidden & (home >= 0)], minlength=home.max(initial=-1) + 1)
    return hidden & (home >= 0) & (counts[np.maximum(home, 0)] == 1)


def protect_nested(home: np.ndarray, hidden: np.ndarray, values: np.ndarray, ids: Sequence[str]
                   ) -> tuple[list[tuple[int, int, int]], list[int]]:
    """Complementary cells for nested totals: ``([(added, home, protected), …], [unprotectable, …])``.

    ``hidden`` is updated in place. Every total is handled once, from its own cells alone (module
    docstring); within a total the smallest non-zero published count is taken, then zeros, ties by id.

    Examples
    --------
    >>> hidden = np.array([True, False, False, False, True, False])
    >>> protect_nested(np.array([0, 0, 0, 0, 1, 2]), hidden, np.array([1., 0., 7., 4., 2., 9.]), list("abcdef"))
    ([(3, 0, 0)], [4])
    >>> hidden.tolist()
    [True, False, False, True, True, False]
    """
    added, unprotected = [], []
    rank = np.argsort(np.argsort(np.asarray(ids, dtype=object)))
    for x in np.flatnonzero(determined(home, hidden)):
        own = np.flatnonzero((home == home[x]) & ~hidden)
        if own.size == 0:
            unprotected.append(int(x))
            continue
        nonzero = own[values[own] != 0]
        pool = nonzero if nonzero.size else own
        y = int(pool[np.lexsort((rank[pool], np.abs(values[pool])))[0]])
        hidden[y] = True
        added.append((y, int(home[x]), int(x)))
    return added, unprotected


# -- the general case: recomputation check and greedy (any totals, also not nested) ----------------

def incidence_matrix(members: Sequence[np.ndarray], n_cells: int) -> np.ndarray:
    """Totals × cells, 1 where a cell is summed into a total."""
    out = np.zeros((len(members), n_cells), dtype=np.int8)
    for g, m in enumerate(members):
        out[g, m] = 1
    return out


def determined_cells(incidence: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Which hidden cells the published totals determine exactly (the recomputation check).

    Parameters
    ----------
    incidence : array (groups × cells) of 0/1
        Row *g* marks the cells summed into total *g*. Totals and every non-hidden cell are known,
        so each row gives one linear equation in the hidden cells.
    hidden : bool array (cells)

    Returns
    -------
    bool array (cells): True where a hidden cell equals a linear combination of published numbers,
    i.e. where the null space of ``incidence[:, hidden]`` is zero in that cell's position.
    """
    from scipy.linalg import null_space

    out = np.zeros(len(hidden), dtype=bool)
    idx = np.flatnonzero(hidden)
    if idx.size == 0 or incidence.shape[0] == 0:
        return out
    sub = incidence[:, idx].astype(float)
    sub = sub[sub.any(axis=1)]
    if sub.shape[0] == 0:
        return out
    basis = null_space(sub)
    free = np.abs(basis).max(axis=1) > _TOL if basis.size else np.zeros(idx.size, dtype=bool)
    out[idx[~free]] = True
    return out


_TOL = 1e-9


def greedy(members: Sequence[np.ndarray], hidden: np.ndarray, values: np.ndarray, ids: Sequence[str]
           ) -> tuple[list[tuple[int, int, int]], list[int]]:
    """The general greedy (any totals): while a withheld cell is determined, withhold in the smallest
    total containing it the smallest non-zero published count that makes it undetermined (ties by
    id). Same result format as :func:`protect_nested`; ``hidden`` is updated in place."""
    incidence = incidence_matrix(members, len(hidden))
    added, given_up = [], []
    isolated = determined_cells(incidence, np.ones_like(hidden))  # determined even if all were withheld
    while True:
        open_ = [i for i in np.flatnonzero(determined_cells(incidence, hidden)) if i not in given_up]
        if not open_:
            return added, given_up
        x = open_[0]
        choice = None if isolated[x] else _cover(incidence, hidden, values, ids, x)
        if choice is None:
            given_up.append(int(x))
            continue
        y, g = choice
        hidden[y] = True
        added.append((y, g, int(x)))


def _cover(incidence, hidden, vals, cells, x) -> tuple[int, int]:
    """The cell to withhold additionally to protect ``x``, and the total it is taken from.

    Candidates, in order: the published cells of the totals containing ``x`` (smallest first),
    then every other published cell (totals that overlap without nesting); non-zero counts before
    zeros, smallest value first, ties by id. The first candidate that makes ``x`` undetermined wins
    (:func:`_helps`); if none does alone, the first candidate is taken anyway (progress; the caller
    loops until no cell is determined).
    """
    size = incidence.sum(axis=1)
    containing = sorted(np.flatnonzero(incidence[:, x]), key=lambda g: size[g])
    ranked = np.lexsort((np.argsort(np.argsort(np.asarray(cells, dtype=object))), np.abs(vals)))
    helps = _helps(incidence, hidden, x, ranked)
    first = None
    for allow_zero in (False, True):
        for g in [*containing, None]:
            members = incidence[g, ranked] > 0 if g is not None else np.ones(len(ranked), dtype=bool)
            ok = members & ~hidden[ranked] & ((vals[ranked] == 0) == allow_zero)
            if ok.any():
                first = first or (int(ranked[np.argmax(ok)]), g)
            if (ok & helps).any():
                y = int(ranked[np.argmax(ok & helps)])
                return y, int(_home(incidence, size, y) if g is None else g)
    y, g = first
    return y, int(_home(incidence, size, y) if g is None else g)


def _helps(incidence, hidden, x, candidates) -> np.ndarray:
    """For each candidate cell y: does withholding y (too) make the determined cell ``x`` undetermined?

    ``x`` is determined iff some λ over the totals gives λᵀ·A = eₓ (A: totals × withheld cells). These
    λ are λ₀ + L·μ (L: left null space of A). With y withheld as well, λ must also give λᵀ·a_y = 0:
    impossible – y helps – iff Lᵀ·a_y = 0 and λ₀ᵀ·a_y ≠ 0. One decomposition for all candidates.
    """
    from scipy.linalg import null_space

    idx = np.flatnonzero(hidden)
    sub = incidence[:, idx].astype(float)
    lam = np.linalg.lstsq(sub.T, (idx == x).astype(float), rcond=None)[0]
    left = null_space(sub.T)
    cols = incidence[:, candidates].astype(float)
    fixed = np.abs(left.T @ cols).max(axis=0) <= _TOL if left.size else np.ones(len(candidates), dtype=bool)
    return fixed & (np.abs(lam @ cols) > _TOL)


def _home(incidence, size, y) -> int:
    """The smallest total containing cell ``y``."""
    return min(np.flatnonzero(incidence[:, y]), key=lambda g: size[g])
