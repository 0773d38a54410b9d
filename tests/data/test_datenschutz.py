"""Geheimhaltung: primary suppression, secondary suppression (checked by independent attackers), editions.

The attackers here do not use the library's own recoverability test: a brute-force search for another
non-negative integer table consistent with everything published, and an exact rank test in rational
arithmetic (fractions), independent of the floating-point null space used by ``datenschutz``.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import sozialplanung as sp
from sozialplanung.data import datenschutz
from sozialplanung.indicators.reference import reference_value
from sozialplanung.config.params import find_params
from paramkit import copied_params

BITBURG = find_params("eifelkreis/bitburg-pruem.yaml")
DATEN = Path(sp.__file__).parent / "demo" / "bitburg_pruem" / "daten.csv"


# -- a tiny Datenpaket ---------------------------------------------------------------------------

def make_paket(tmp_path: Path, counts: dict[str, int], parents: dict[str, str], *, min_count: int = 3,
               edition: str = "oeffentlich", secondary: bool = True, indicator_min_count: int | None = None,
               population: dict[str, int] | None = None, min_population: int = 0,
               bezugsgesamtheit: list[str] | None = None):
    """Areas ``counts`` (id → numerator) in parents ``parents`` (id → parent id), one year (2021)."""
    ids = list(counts)
    areas = gpd.GeoDataFrame({"gebiet_id": ids, "name": [f"Ort {i}" for i in ids],
                              "eltern_id": [parents[i] for i in ids]},
                             geometry=[box(k, 0, k + 1, 1) for k in range(len(ids))], crs=25832)
    areas.to_file(tmp_path / "gebiete.gpkg", layer="orte", driver="GPKG")
    outline = areas.dissolve(by="eltern_id").reset_index()[["eltern_id", "geometry"]]
    outline = outline.rename(columns={"eltern_id": "gebiet_id"})
    outline.insert(1, "name", outline["gebiet_id"])
    outline.to_file(tmp_path / "gebiete.gpkg", layer="teile", driver="GPKG")
    pop = population or {i: 1000 for i in ids}
    pd.DataFrame({"gebiet_id": ids, "jahr": 2021, "faelle": [counts[i] for i in ids],
                  "basis": [pop[i] for i in ids]}).to_csv(tmp_path / "daten.csv", index=False)
    extra = f"\n    min_count: {indicator_min_count}" if indicator_min_count is not None else ""
    (tmp_path / "katalog.yaml").write_text(f"""indicators:
  Q:
    name: "Quote"
    definition: "Fälle je 100"
    themenfeld: "Test"
    numerator: faelle
    denominator: basis
    source: "synthetisch"
    stichtag: "2021-12-31"{extra}
""", encoding="utf-8")
    bzg = (f"bezugsgesamtheit: {{level: Ort, ids: [{', '.join(repr(i) for i in bezugsgesamtheit)}]}}"
           if bezugsgesamtheit else "bezugsgesamtheit: null")
    (tmp_path / "p.yaml").write_text(f"""kommune: Testkreis
slug: test
report_year: 2021
edition: {edition}
areas:
  file: gebiete.gpkg
  layer: orte
  level: Ort
  parents:
    - {{column: eltern_id, level: Teil, layer: teile}}
data: {{file: daten.csv, population: basis}}
catalogue: katalog.yaml
{bzg}
datenschutz: {{min_count: {min_count}, min_population: {min_population}, secondary: {str(secondary).lower()}}}
""", encoding="utf-8")
    return sp.load_datenpaket(tmp_path / "p.yaml")


def published_groups(dp) -> list[list[str]]:
    """Independent list of published totals: each parent area and the Kommune (Bezugsgesamtheit)."""
    groups = [list(dp.areas.index[dp.areas[p.level] == pid]) for p in dp.params.areas.parents
              for pid in dp.areas[p.level].unique()]
    return [*groups, list(dp.reference_ids)]


def brute_force_recoverable(values: dict[str, int], hidden: set[str], groups) -> set[str]:
    """Hidden cells for which no other non-negative integer table fits all published numbers.

    Searches perturbations of ±1 on up to four hidden cells that keep every group total.
    """
    hidden = sorted(hidden)
    safe = set()
    for size in (2, 3, 4):
        for cells in itertools.combinations(hidden, size):
            for signs in itertools.product((1, -1), repeat=size):
                delta = dict(zip(cells, signs))
                if any(values[c] + d < 0 for c, d in delta.items()):
                    continue
                if all(sum(delta.get(m, 0) for m in g) == 0 for g in groups):
                    safe.update(cells)
    return set(hidden) - safe


def rank(rows: list[list[Fraction]]) -> int:
    """Rank by exact Gaussian elimination."""
    m = [r[:] for r in rows if any(r)]
    r = 0
    for c in range(len(m[0]) if m else 0):
        pivot = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
        if pivot is None:
            continue
        m[r], m[pivot] = m[pivot], m[r]
        for i in range(len(m)):
            if i != r and m[i][c] != 0:
                f = m[i][c] / m[r][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[r])]
        r += 1
    return r


def exactly_recoverable(hidden: list[str], groups) -> set[str]:
    """Hidden cells x with e_x in the row space of the group equations (exact arithmetic)."""
    rows = [[Fraction(int(c in g)) for c in hidden] for g in groups]
    base = rank(rows)
    out = set()
    for k, cell in enumerate(hidden):
        unit = [Fraction(int(j == k)) for j in range(len(hidden))]
        if rank([*rows, unit]) == base:
            out.add(cell)
    return out


# -- primary ---------------------------------------------------------------------------------------

def test_primary_withholds_counts_between_zero_and_min_count(tmp_path):
    counts = {"a": 0, "b": 1, "c": 2, "d": 3, "e": 10, "f": 25}
    dp = make_paket(tmp_path, counts, {k: "T1" for k in counts}, secondary=False)
    withheld = dp.withheld(2021)["Q"]
    assert sorted(withheld.index[withheld]) == ["b", "c"]
    assert dp.values(2021)["Q"].isna().tolist() == [False, True, True, False, False, False]
    assert dp.values(2021).at["d", "Q"] == pytest.approx(3 / 1000 * 100)
    mask = dp.suppressed_counts.xs(2021, level="jahr")["faelle"]
    assert sorted(mask.index[mask]) == ["b", "c"]
    assert set(dp.suppression_log["grund"]) == {"primär: Fallzahl < 3"}


def test_indicator_min_count_overrides_the_kommune(tmp_path):
    counts = {"a": 2, "b": 4, "c": 5, "d": 9}
    dp = make_paket(tmp_path, counts, {k: "T1" for k in counts}, indicator_min_count=5, secondary=False)
    withheld = dp.withheld(2021)["Q"]
    assert sorted(withheld.index[withheld]) == ["a", "b"]


def test_intern_edition_shows_counts_but_keeps_not_rated(tmp_path):
    """Intern shows every small count (b: 2), but an area not assessed (a) publishes no value there either."""
    counts = {"a": 1, "b": 2, "c": 30}
    dp = make_paket(tmp_path, counts, {k: "T1" for k in counts}, edition="intern", min_population=500,
                    population={"a": 100, "b": 1000, "c": 1000})
    assert dp.withheld(2021)["Q"].to_dict() == {"a": True, "b": False, "c": False}
    assert dp.not_assessed(2021)["Q"].to_dict() == {"a": True, "b": False, "c": False}
    assert dp.values(2021).at["b", "Q"] == pytest.approx(0.2)
    assert dp.values(2021)["Q"].isna().tolist() == [True, False, False]
    assert dp.raw_values(2021).at["a", "Q"] == pytest.approx(1.0)
    assert dp.not_rated[2021] == ["a"]
    assert "Interne Ausgabe" in " ".join(datenschutz.describe_suppression(dp))


# -- secondary -------------------------------------------------------------------------------------

def test_single_withheld_cell_gets_a_partner_the_smallest_nonzero_count(tmp_path):
    counts = {"a": 1, "b": 0, "c": 7, "d": 4, "e": 12, "f": 50, "g": 60}
    parents = {"a": "T1", "b": "T1", "c": "T1", "d": "T1", "e": "T2", "f": "T2", "g": "T2"}
    dp = make_paket(tmp_path, counts, parents)
    withheld = dp.withheld(2021)["Q"]
    assert sorted(withheld.index[withheld]) == ["a", "d"]   # d: smallest non-zero count in Teil T1
    log = dp.suppression_log.set_index("gebiet_id")
    assert log.at["d", "grund"] == "sekundär: Schutz von a in Teil T1"
    # without it, a = total(T1) − b − c − d
    assert brute_force_recoverable(counts, {"a"}, published_groups(dp)) == {"a"}
    assert brute_force_recoverable(counts, {"a", "d"}, published_groups(dp)) == set()


def test_parent_with_one_member_cannot_be_protected_and_says_so(tmp_path):
    counts = {"a": 2, "b": 40, "c": 50}
    dp = make_paket(tmp_path, counts, {"a": "T1", "b": "T2", "c": "T2"})
    log = dp.suppression_log
    assert (log["art"] == "nicht schützbar").sum() == 1
    assert "nicht durch weitere Zellen schützen" in " ".join(datenschutz.describe_suppression(dp))


@pytest.mark.parametrize("seed", range(12))
def test_secondary_leaves_no_cell_recoverable_random_tables(tmp_path, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(6, 12))
    ids = [f"g{k:02d}" for k in range(n)]
    counts = {i: int(rng.choice([0, 1, 2, 2, 3, 5, 8, 13, 40])) for i in ids}
    parents = {i: f"T{int(rng.integers(0, 3))}" for i in ids}
    for k, t in enumerate(["T0", "T1", "T2"]):          # every parent with at least two members
        parents[ids[2 * k]] = parents[ids[2 * k + 1]] = t
    bzg = ids[: n - 2] if seed % 3 == 0 else None        # sometimes a Bezugsgesamtheit across parents
    dp = make_paket(tmp_path, counts, parents, bezugsgesamtheit=bzg)
    withheld = dp.withheld(2021)["Q"]
    hidden = set(withheld.index[withheld])
    assert {i for i in ids if 0 < counts[i] < 3} <= hidden
    assert brute_force_recoverable(counts, hidden, published_groups(dp)) == set()


def test_without_secondary_a_published_total_reveals_a_gemeinde_bitburg_pruem(tmp_path):
    """Real data: with primary suppression only, a withheld Gemeinde follows from published numbers.

    2021, Verbandsgemeinde Speicher: Philippsheim (1 unemployed) is its only withheld Gemeinde, so the
    published reference value of the Verbandsgemeinde (part of the Kreis report, next to the Kreis
    total) minus the eight published Gemeinden gives it back.
    """
    raw = pd.read_csv(DATEN, dtype={"gebiet_id": str})
    raw = raw[raw["jahr"] == 2021].set_index("gebiet_id")
    assert ((raw["arbeitslose"] > 0) & (raw["arbeitslose"] < 3)).sum() == 73   # README claim

    params = tmp_path / "ohne.yaml"
    text = copied_params(BITBURG, demo_local=False).replace("min_count: 3 ", "min_count: 3\n  secondary: false ")
    params.write_text(text, encoding="utf-8")
    naive = sp.load_datenpaket(params)
    protected = sp.load_datenpaket(BITBURG)

    def attack(dp):
        """What a reader computes from the report: parent total − published Gemeinden, per parent."""
        values, pop = dp.values(2021)["A1"], dp.population(2021)       # published rates and residents
        found = {}
        for vg in dp.areas["Verbandsgemeinde"].unique():
            members = dp.areas.index[dp.areas["Verbandsgemeinde"] == vg]
            total = reference_value(dp, "A1", members, 2021)[0] / 100 * pop[members].sum()
            shown = values[members].notna()
            rest = round(total - (values[members][shown] / 100 * pop[members][shown]).sum())
            if (~shown).sum() == 1:
                found[members[~shown][0]] = rest
        return found

    revealed = attack(naive)
    assert revealed, "ohne sekundäre Geheimhaltung sollte eine Gemeinde rückrechenbar sein"
    assert revealed == {"07232104": 1}                                     # Philippsheim
    for gid, value in revealed.items():
        assert value == raw.at[gid, "arbeitslose"] and 0 < value < 3
    assert attack(protected) == {}

    groups = published_groups(protected)
    for dp, expect_leak in [(naive, True), (protected, False)]:
        w = dp.withheld(2021)["A1"]
        hidden = sorted(w.index[w])
        sub = [[g for g in grp if g in set(hidden)] for grp in groups]
        found = exactly_recoverable(hidden, sub)
        assert bool(found) == expect_leak
    sentences = " ".join(datenschutz.describe_suppression(protected))
    assert "73 von 234" in sentences and "Verbandsgemeinde" in sentences


def test_secondary_suppression_counts_on_bitburg_pruem():
    dp = sp.load_datenpaket(BITBURG)
    log = dp.suppression_log
    per_year = log.groupby(["jahr", "art"]).size().to_dict()
    raw = pd.read_csv(DATEN, dtype={"gebiet_id": str})
    for year in (2019, 2020, 2021):
        small = raw[(raw["jahr"] == year) & raw["arbeitslose"].between(1, 2)]
        assert per_year[(year, "primär")] == len(small)
        w = dp.withheld(year)["A1"]
        hidden = sorted(w.index[w])
        groups = [[g for g in grp if g in set(hidden)] for grp in published_groups(dp)]
        assert exactly_recoverable(hidden, groups) == set()


# -- nested totals: the bottom-up algorithm against the greedy and the exact attacker ----------------

def random_hierarchy(rng, n: int) -> list[np.ndarray]:
    """Totals of a random 3-level hierarchy over n cells (Gemeindeverband → Kreis → all), deduplicated."""
    gv = np.sort(rng.integers(0, max(2, n // 3), n))
    kreis = {g: int(rng.integers(0, 3)) for g in np.unique(gv)}
    groups = [np.flatnonzero(gv == g) for g in np.unique(gv)]
    groups += [np.flatnonzero([kreis[g] == k for g in gv]) for k in range(3)]
    groups.append(np.arange(n))
    seen, out = set(), []
    for g in groups:
        if g.size and tuple(g) not in seen:
            seen.add(tuple(g))
            out.append(g)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_bottom_up_equals_the_greedy_on_nested_totals(seed):
    """Same withheld cells and same unprotectable cells as the recomputation greedy; the exact attacker
    (fractions) recovers nothing else."""
    from sozialplanung.data import secondary

    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 30))
    ids = [f"{k:03d}" for k in rng.permutation(n)]
    values = rng.choice([0, 0, 1, 2, 3, 5, 8, 40], n).astype(float)
    members = random_hierarchy(rng, n)
    home = secondary.homes(members, n)
    assert home is not None
    primary = (values > 0) & (values < 3)
    fast, slow = primary.copy(), primary.copy()
    added_fast, unprotected_fast = secondary.protect_nested(home, fast, values, ids)
    added_slow, unprotected_slow = secondary.greedy(members, slow, values, ids)
    assert fast.tolist() == slow.tolist()
    assert sorted(unprotected_fast) == sorted(unprotected_slow)
    assert sorted(added_fast) == sorted(added_slow)                  # same cell, same total, same reason
    hidden = [ids[i] for i in np.flatnonzero(fast)]
    groups = [[ids[i] for i in g if fast[i]] for g in members]
    assert exactly_recoverable(hidden, groups) == {ids[i] for i in unprotected_fast}
    incidence = secondary.incidence_matrix(members, n)
    assert set(np.flatnonzero(secondary.determined_cells(incidence, fast))) == set(unprotected_fast)


def test_overlapping_totals_are_not_nested_and_use_the_greedy(tmp_path):
    from sozialplanung.data import secondary

    assert secondary.homes([np.array([0, 1]), np.array([1, 2]), np.arange(3)], 3) is None
    counts = {"a": 1, "b": 5, "c": 7, "d": 9, "e": 2, "f": 30}
    dp = make_paket(tmp_path, counts, {"a": "T1", "b": "T1", "c": "T1", "d": "T2", "e": "T2", "f": "T2"},
                    bezugsgesamtheit=["a", "b", "d", "e"])
    withheld = dp.withheld(2021)["Q"]
    assert brute_force_recoverable(counts, set(withheld.index[withheld]), published_groups(dp)) == set()


def test_bottom_up_equals_the_greedy_on_bitburg_pruem():
    """Real data, every year: the shipped method (bottom-up, verified) gives the greedy's cells."""
    from sozialplanung.data import secondary

    dp = sp.load_datenpaket(BITBURG)
    groups = datenschutz.published_groups(dp)
    for year in dp.years():
        values = dp.table[dp.table["jahr"] == year].set_index("gebiet_id")["arbeitslose"].reindex(dp.areas.index)
        cells = list(values.index[values.notna()])
        pos = {c: i for i, c in enumerate(cells)}
        members = [np.array([pos[m] for m in g.members if m in pos]) for g in groups]
        primary = ((values[cells] > 0) & (values[cells] < 3)).to_numpy()
        slow = primary.copy()
        secondary.greedy(members, slow, values[cells].to_numpy(), cells)
        shipped = dp.suppressed_counts.xs(year, level="jahr")["arbeitslose"].reindex(cells)
        assert shipped.tolist() == slow.tolist()


def test_all_gemeinden_of_germany_in_seconds(tmp_path):
    """10,990 Gemeinden, 4,600 Gemeindeverbände, 400 Kreise, 16 Länder, 5 years: bottom-up plus the
    null-space verifier. The greedy took > 25 CPU-min here; the attack below is the leak scan's."""
    import time

    start = time.process_time()
    dp = sp.load_datenpaket(find_params("deutschland/kreise-gemeinden.yaml"))
    assert time.process_time() - start < 30
    log = dp.suppression_log
    # verbandsfreie Gemeinden have no Gemeindeverband here (its total would be their own value), so every
    # withheld cell can be protected – Reußenköge (2021: 2) by another verbandsfreie Gemeinde of Nordfriesland
    assert (log["art"] == "nicht schützbar").sum() == 0
    assert log[(log["jahr"] == 2021) & (log["art"] == "sekundär")].shape[0] > 0
    for year in (2019, 2021):
        hidden = dp.suppressed_counts.xs(year, level="jahr")["arbeitslose"].reindex(dp.areas.index)
        hidden &= dp.rows(year)["arbeitslose"].notna()
        # the leak scan's attack: a total minus its published sub-totals and members (own members:
        # Gemeinden of a Gemeindeverband; the verbandsfreie Gemeinden of a Kreis)
        own = dp.areas["Gemeindeverband"].fillna("Kreis " + dp.areas["Kreis"])
        per_total = hidden.groupby(own).sum()
        assert (per_total != 1).all(), per_total[per_total == 1]
        assert hidden.sum() >= (log[(log["jahr"] == year) & (log["art"] == "primär")].shape[0])
