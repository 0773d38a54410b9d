"""Palettes: every ordered class legend is monotonic in lightness (CIE L*), for every ordered palette the
code can produce and for the legends of the real maps of Mitte; categories stay distinguishable with colour
vision deficiencies; no map or chart module defines colours of its own."""

import itertools
import re
from pathlib import Path

import matplotlib
import matplotlib.colors as mcolors
import numpy as np
import pytest

matplotlib.use("Agg")

from conftest import edit_yaml  # noqa: E402
from sozialplanung.analysis import pipeline  # noqa: E402
from sozialplanung.viz import atlas  # noqa: E402
from sozialplanung.viz import palettes  # noqa: E402
from sozialplanung.data.datenpaket import load_datenpaket  # noqa: E402
from sozialplanung.config.params import find_params  # noqa: E402

RAMPS = [palettes.NEED, palettes.CHANGE, palettes.DESCRIPTIVE]
CLASS_COUNTS = range(1, 10)  # indicator maps k ≤ 5 (fewer on ties), recipes 3–5, "sd" up to 6; ColorBrewer up to 9
MIN_STEP = 7.5
"""Smallest lightness step between neighbouring classes (CIE ΔL*) for up to nine classes."""
OLD_CATEGORICAL = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9"]
"""What five Sozialformel classes were drawn with before (dark blue, orange, green, red, light blue)."""

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB
CVD = {
    "Protanopie": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "Deuteranopie": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "Tritanopie": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def lightness_steps(colors) -> np.ndarray:
    return np.diff([palettes.lightness(c) for c in colors])


def monotonic(colors) -> bool:
    steps = lightness_steps(colors)
    return bool((steps < 0).all() or (steps > 0).all())


def delta_e(a, b, vision=None) -> float:
    la, lb = palettes.linear_rgb(a), palettes.linear_rgb(b)
    if vision is not None:
        la, lb = np.asarray(CVD[vision]) @ la, np.asarray(CVD[vision]) @ lb
    return float(np.linalg.norm(palettes.lab_from_linear(la) - palettes.lab_from_linear(lb)))


# ----------------------------------------------------------------------------- the colour science
@pytest.mark.parametrize("color, expected", [
    ("#ffffff", (100.0, 0.0, 0.0)), ("#000000", (0.0, 0.0, 0.0)), ("#ff0000", (53.24, 80.09, 67.20)),
    ("#00ff00", (87.73, -86.18, 83.18)), ("#0000ff", (32.30, 79.19, -107.86)), ("#777777", (50.03, 0.0, 0.0)),
])
def test_lab_matches_reference_values(color, expected):
    np.testing.assert_allclose(palettes.lab(color), expected, atol=0.02)


def test_the_check_fails_for_the_old_categorical_classes():
    assert not monotonic(OLD_CATEGORICAL)
    assert monotonic(["#ffffff", "#777777", "#000000"]) and monotonic(["#000000", "#ffffff"])


# ----------------------------------------------------------------------------- every ordered palette
@pytest.mark.parametrize("ramp", RAMPS)
@pytest.mark.parametrize("n", CLASS_COUNTS)
@pytest.mark.parametrize("reverse", [False, True])
def test_every_ordered_palette_is_monotonic_in_lightness(ramp, n, reverse):
    colors = palettes.ordered(n, ramp, reverse=reverse)
    assert len(colors) == n and len(set(colors)) == n
    steps = lightness_steps(colors)
    assert ((steps > 0) if reverse else (steps < 0)).all(), colors  # light → dark, or dark → light reversed
    assert (np.abs(steps) >= MIN_STEP).all(), steps
    # no class may look like a missing value, the context areas or the paper
    for special in (palettes.MISSING, palettes.CONTEXT, "#ffffff"):
        assert min(delta_e(c, special) for c in colors) >= 10, (special, colors)


def test_class_colors_follow_the_codes():
    assert list(palettes.class_colors([1, 3, 5], palettes.CHANGE)) == [1, 3, 5]
    assert monotonic(list(palettes.class_colors([4, 2, 9, 1]).values()))


# ----------------------------------------------------------------------------- categories
@pytest.mark.parametrize("vision", [None, *CVD])
@pytest.mark.parametrize("name, colors", [
    ("LISA", list(palettes.LISA.values())),
    ("Typen", palettes.CATEGORICAL),
])
def test_categories_stay_distinguishable(name, colors, vision):
    pool = colors + [palettes.CONTEXT, palettes.MISSING]
    worst = min((delta_e(a, b, vision), a, b) for a, b in itertools.combinations(pool, 2))
    assert worst[0] >= 10, (name, vision, worst)


def test_lisa_is_categorical_with_light_and_dark_pairs():
    lisa = palettes.LISA
    assert palettes.lightness(lisa["Hoch-Hoch"]) < palettes.lightness(lisa["Hoch-Niedrig"])
    assert palettes.lightness(lisa["Niedrig-Niedrig"]) < palettes.lightness(lisa["Niedrig-Hoch"])
    assert delta_e(lisa["Hoch-Hoch"], lisa["Niedrig-Niedrig"], "Deuteranopie") > 20


# ----------------------------------------------------------------------------- real maps
@pytest.fixture(scope="module")
def mitte():
    dp = load_datenpaket(find_params("berlin/mitte.yaml"))
    return dp, pipeline.sozialindex(dp)


def legend_fills(fig, n_classes: int):
    fills = [mcolors.to_hex(e.fill) for e in fig.legend_entries]
    return fills[:n_classes], fills[n_classes:]


def drawn_fills(fig) -> set[str]:
    """Fills of the SVG's paths (areas and context; the hatch counts as white)."""
    fills = set(re.findall(r'<path d="[^"]*" fill="(#[0-9a-fA-F]{6})"', fig.svg))
    if 'fill="url(#sp-schraffur)"' in fig.svg:
        fills.add("#ffffff")
    return {mcolors.to_hex(f) for f in fills}


def check_ordered_map(fig, n_classes: int) -> list[str]:
    classes, specials = legend_fills(fig, n_classes)
    assert len(classes) == n_classes and monotonic(classes), classes
    assert set(specials) <= {palettes.MISSING, palettes.CONTEXT, "#ffffff"}, specials
    drawn = drawn_fills(fig)
    assert drawn <= set(classes) | set(specials), drawn - set(classes)  # the legend explains every fill
    assert drawn & set(classes), "no class colour drawn"
    return classes


@pytest.mark.parametrize("part", ["status", "dynamik"])
def test_index_maps_of_mitte_are_ordered(mitte, part):
    dp, index = mitte
    codes = [c.code for c in index.recipe_.parts()[part].classification.classes]
    classes = check_ordered_map(atlas.index_map(dp, index, part), len(codes))
    ramp = atlas.INDEX_RAMPS[part]
    assert classes == palettes.ordered(len(codes), ramp)  # darkest = last class = most disadvantage


def test_indicator_maps_of_mitte_are_ordered(mitte):
    dp, _ = mitte
    for ind_id, ind in dp.catalogue.items():
        fig = atlas.indicator_map(dp, ind_id)
        classes = check_ordered_map(fig, len(fig.class_breaks))
        ramp = palettes.DESCRIPTIVE if ind.polarity == 0 else palettes.NEED
        assert classes == palettes.ordered(len(classes), ramp, reverse=ind.polarity == -1), ind_id


def test_factor_score_map_of_mitte_is_ordered(mitte):
    dp, _ = mitte
    fa = pipeline.faktorenanalyse(dp)
    fig = atlas.score_map(dp, fa.scores_.iloc[:, 0], "Faktor 1")
    check_ordered_map(fig, len(fig.class_breaks))


def test_five_class_sozialformel_map_is_ordered(mitte_params):
    """The case of the issue: five „Belastung“ classes, drawn before in five unrelated colours."""
    edit_yaml(mitte_params, "recipe: ../rezepte/mss.yaml", "recipe: ../rezepte/sozialformel.yaml")
    dp = load_datenpaket(mitte_params)
    index = pipeline.sozialindex(dp)
    classes = check_ordered_map(atlas.index_map(dp, index, "status"), 5)
    assert classes == palettes.ordered(5) and not set(classes) & set(OLD_CATEGORICAL)


# ----------------------------------------------------------------------------- one source of colours
COLOUR_LITERAL = re.compile(r"['\"]#[0-9a-fA-F]{3,8}['\"]|tab10|tab20|Set[123]\b|Pastel|Dark2|Paired|"
                            r"['\"](?:YlGnBu|YlOrBr|Purples|RdBu(?:_r)?|viridis)['\"]")
DRAWING_MODULES = ["viz/maps", "viz/mapparts", "viz/mapdraw", "viz/svg", "viz/locator", "viz/analysis_plots", "viz/charts", "viz/atlas", "analysis/cluster", "report/steckbrief", "viz/figures",
                   "report/chapters", "report/bericht"]


@pytest.mark.parametrize("module", DRAWING_MODULES)
def test_drawing_modules_take_their_colours_from_palettes(module):
    source = (Path(__file__).resolve().parents[2] / "lib" / "sozialplanung" / f"{module}.py").read_text("utf-8")
    assert COLOUR_LITERAL.findall(source) == []
