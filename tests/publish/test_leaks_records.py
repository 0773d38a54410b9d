"""The recomputation check of the leak scan (:func:`own_cells`, :func:`recomputable`) against the
pairwise set comparison it replaced (a second implementation), on random nested and overlapping totals."""

from __future__ import annotations

import numpy as np
import pytest

from sozialplanung.publish.leaks_records import own_cells, recomputable


def pairwise(groups, hidden, valued):
    """The former check, group by group: own cells = members not in any proper sub-group (as sets)."""
    sets = [frozenset(int(c) for c in g) for g in groups]
    out = []
    for g, members in enumerate(sets):
        subs = [m for m in sets if m < members]
        covered = frozenset().union(*subs)
        rest = [c for c in members - covered if valued[c]]
        residual = [c for c in rest if hidden[c]]
        if len(residual) == 1:
            shown = [c for c in rest if not hidden[c]]
            out.append((g, residual[0], not shown and not covered))
    return sorted(out)


def random_family(rng, n_cells: int, nested: bool):
    """Land → Kreis → Gemeindeverband over ``n_cells`` Gemeinden (some verbandsfrei), the whole, and –
    unless ``nested`` – a few totals across the hierarchy (a Bezugsgesamtheit, a duplicate)."""
    cells = np.arange(n_cells)
    verband = rng.integers(0, n_cells // 3 + 1, n_cells)
    kreis = rng.integers(0, n_cells // 8 + 1, n_cells)
    groups = []
    for k in np.unique(kreis):
        members = cells[kreis == k]
        groups.append(members)
        for v in np.unique(verband[members]):
            part = members[verband[members] == v]
            if rng.random() < 0.7:  # the others are verbandsfrei: no total of their own
                groups.append(part)
    groups.append(cells[kreis < kreis.max() // 2 + 1])  # a Land of several Kreise
    groups.append(cells)
    if not nested:
        groups += [rng.choice(cells, size=rng.integers(1, n_cells), replace=False) for _ in range(3)]
        groups.append(groups[0].copy())  # identical totals (Kreis = Land, as in Hamburg)
    return groups


@pytest.mark.parametrize("nested", [True, False])
def test_same_findings_as_the_pairwise_set_comparison(nested):
    rng = np.random.default_rng(7 if nested else 8)
    findings = 0
    for _ in range(60):
        n = int(rng.integers(3, 40))
        groups = random_family(rng, n, nested)
        own, has_sub = own_cells(groups, n)
        for share in (0.05, 0.2, 0.5):
            hidden = rng.random(n) < share
            valued = rng.random(n) < 0.9
            fast = sorted(recomputable(own, has_sub, hidden, valued))
            assert fast == pairwise(groups, hidden, valued)
            findings += len(fast)
    assert findings > 100  # the comparison saw many recomputable cells, not only empty lists


def test_a_cell_is_recomputable_from_a_deep_or_a_crossing_total():
    """Each total is checked against all of its sub-totals: a withheld cell hidden from the Kreis by a
    second withheld cell is still recomputable from its Gemeindeverband; a total across the hierarchy
    (Bezugsgesamtheit) that holds one withheld cell outside its sub-totals reveals it too."""
    verband, kreis, across = np.array([0, 1, 2]), np.array([0, 1, 2, 3, 4, 5]), np.array([2, 3, 6])
    groups = [verband, kreis, across]
    hidden = np.zeros(7, dtype=bool)
    hidden[[0, 4]] = True
    own, has_sub = own_cells(groups, 7)
    assert sorted(recomputable(own, has_sub, hidden, np.ones(7, dtype=bool))) == [(0, 0, False), (1, 4, False)]
    hidden[[4, 6]] = [False, True]
    assert sorted(recomputable(own, has_sub, hidden, np.ones(7, dtype=bool))) == [(0, 0, False), (2, 6, False)]
    single = own_cells([np.array([5])], 7)
    assert recomputable(*single, np.eye(7, dtype=bool)[5], np.ones(7, dtype=bool)) == [(0, 5, True)]
