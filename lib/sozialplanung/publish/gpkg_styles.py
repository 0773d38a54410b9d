"""QGIS styles (QML) for the GeoPackage layers, taken from the report's own maps.

Every style is read off the legend of the map the report draws (:mod:`sozialplanung.viz.atlas`): the
class labels, fill colours and, for a choropleth, the class breaks (``fig.class_breaks``). Nothing about
classes or colours is decided here, so a layer opens in QGIS with the classes of the report.

The styles use QGIS's rule-based renderer, one rule per legend class. A choropleth rounds values to
the legend's decimals before it assigns a class (:mod:`sozialplanung.viz.maps`), so the rule for "bis 4,2"
is ``"S1" < 4.25`` – every raw value that rounds to at most 4,2 (half away from zero, as the report
rounds) – and a negative bound such as −1,25 is inclusive (−1,25 rounds to −1,3). Empty values (NULL:
withheld, not assessed or no value) get the report's hatched or grey symbol.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal

import matplotlib.colors as mcolors

from sozialplanung.viz import maps
from sozialplanung.formatting import fmt_count

QGIS_VERSION = "3.28.0-Firenze"
OUTLINE_WIDTH = "0.3"  # points, as the area borders of the report's maps
_COUNT = re.compile(r" \(\d{1,3}(?:\.\d{3})*\)$")  # "bis 2,4 (11)" → "bis 2,4"
_NUMBER = re.compile(r"[−-]?\d[\d.]*(?:,(\d+))?")


@dataclass(frozen=True)
class Entry:
    """One legend entry of a report map."""

    label: str
    fill: str
    outline: str
    hatch: bool = False


@dataclass(frozen=True)
class Rule:
    label: str
    filter: str
    entry: Entry
    description: str = ""


@dataclass
class Style:
    """A layer style: ``name`` (QGIS styleName), ``title`` (the legend title), rules in legend order."""

    name: str
    title: str
    column: str
    rules: list[Rule]
    breaks: list[float] | None = None
    decimals: int | None = None
    aliases: dict[str, str] = field(default_factory=dict)


def legend(fig) -> list[Entry]:
    """The legend entries of a map figure (``fig.legend_entries``) in legend order, counts removed: the classes,
    then the entries for missing, withheld or not rated areas and for the context („übrige Gebiete“)."""
    return [Entry(_COUNT.sub("", e.label), mcolors.to_hex(e.fill), mcolors.to_hex(e.edge), e.hatch)
            for e in fig.legend_entries]


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _literal(value) -> str:
    return "'" + value.replace("'", "''") + "'" if isinstance(value, str) else str(int(value))


def _null_rule(entries: list[Entry], column: str) -> list[Rule]:
    """One rule for NULL: the hatched symbol (withheld, not assessed) if the map has one, else the grey.

    The context entry is left out: a layer holds the areas of the report only."""
    entries = [e for e in entries if e.fill != mcolors.to_hex(maps.CONTEXT_COLOR)]
    if not entries:
        return []
    entry = next((e for e in entries if e.hatch), entries[0])
    label = " oder ".join(e.label for e in entries)
    return [Rule(label, f"{_quoted(column)} IS NULL", Entry(label, entry.fill, entry.outline, entry.hatch))]


def choropleth_style(fig, column: str, name: str, title: str) -> Style:
    """The style of a choropleth (:func:`sozialplanung.viz.maps.choropleth`) on ``column``."""
    entries = legend(fig)
    breaks = list(fig.class_breaks)
    classes, specials = entries[:len(breaks)], entries[len(breaks):]
    match = _NUMBER.search(classes[0].label)
    decimals = len(match.group(1) or "") if match else 0
    half = Decimal(5).scaleb(-decimals - 1)
    q = _quoted(column)
    rules = []
    for j, entry in enumerate(classes):
        conditions = []
        if j > 0:
            t = Decimal(repr(breaks[j - 1])) + half
            conditions.append(f"{q} {'>=' if t > 0 else '>'} {t:f}")
        if j < len(classes) - 1:
            t = Decimal(repr(breaks[j])) + half
            conditions.append(f"{q} {'<' if t > 0 else '<='} {t:f}")
        rules.append(Rule(entry.label, " AND ".join(conditions) or f"{q} IS NOT NULL", entry,
                          f"Werte vor der Einteilung auf {fmt_count(decimals, 'Nachkommastelle', 'Nachkommastellen')} "
                          "gerundet wie in der Karte des Berichts"))
    return Style(name, title, column, rules + _null_rule(specials, column), breaks, decimals)


def class_style(fig, column: str, codes: list, name: str, title: str) -> Style:
    """The style of a class map (:func:`sozialplanung.viz.maps.class_map`): legend entry *i* is ``codes[i]``."""
    entries = legend(fig)
    classes, specials = entries[:len(codes)], entries[len(codes):]
    rules = [Rule(e.label, f"{_quoted(column)} = {_literal(code)}", e) for code, e in zip(codes, classes)]
    return Style(name, title, column, rules + _null_rule(specials, column))


# -- QML ------------------------------------------------------------------------------------------------

def _rgba(hex_color: str) -> str:
    r, g, b, a = (round(255 * c) for c in mcolors.to_rgba(hex_color))
    return f"{r},{g},{b},{a}"


def _fill_layer(parent, style: str, color: str, outline: str) -> None:
    layer = ET.SubElement(parent, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"})
    props = {"color": _rgba(color), "style": style, "outline_color": _rgba(outline), "outline_style": "solid",
             "outline_width": OUTLINE_WIDTH, "outline_width_unit": "Point", "joinstyle": "bevel"}
    options = ET.SubElement(layer, "Option", {"type": "Map"})
    for key, value in props.items():
        ET.SubElement(options, "Option", {"name": key, "type": "QString", "value": value})
    for key, value in props.items():  # QGIS before 3.26 reads <prop>
        ET.SubElement(layer, "prop", {"k": key, "v": value})


def _symbol(parent, name: str, entry: Entry) -> None:
    symbol = ET.SubElement(parent, "symbol", {"type": "fill", "name": name, "alpha": "1", "clip_to_extent": "1",
                                              "force_rhr": "0"})
    if entry.hatch:
        _fill_layer(symbol, "solid", "#ffffff", entry.outline)
        _fill_layer(symbol, "b_diagonal", entry.outline, entry.outline)
    else:
        _fill_layer(symbol, "solid", entry.fill, maps.EDGE_COLOR)


def qml(style: Style) -> str:
    """The QML document of ``style`` (rule-based renderer, field aliases)."""
    root = ET.Element("qgis", {"version": QGIS_VERSION, "styleCategories": "Symbology|Fields"})
    renderer = ET.SubElement(root, "renderer-v2", {"type": "RuleRenderer", "forceraster": "0", "symbollevels": "0",
                                                   "enableorderby": "0", "referencescale": "-1"})
    rules = ET.SubElement(renderer, "rules", {"key": "root"})
    symbols = ET.SubElement(renderer, "symbols")
    for i, rule in enumerate(style.rules):
        ET.SubElement(rules, "rule", {"key": f"klasse-{i + 1}", "symbol": str(i), "label": rule.label,
                                      "filter": rule.filter, "description": rule.description})
        _symbol(symbols, str(i), rule.entry)
    aliases = ET.SubElement(root, "aliases")
    for i, (code, header) in enumerate(style.aliases.items()):
        ET.SubElement(aliases, "alias", {"field": code, "index": str(i), "name": header})
    ET.SubElement(root, "layerGeometryType").text = "2"
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")
