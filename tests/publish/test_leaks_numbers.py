"""The leak scan's word matcher (:class:`sozialplanung.publish.leaks_numbers.Words`) against a second
implementation: the regex alternation it replaces, ``(?<![word])(?:t1|t2|…)(?![word])`` with the terms sorted
longest first, on real area names and on random texts made of them."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from sozialplanung.publish.leaks_numbers import _WORD, Words

TERMS = ["Halle (Saale)", "Halle", "Halle-Neustadt", "Bad Kreuznach", "Kreuznach", "Sachsenwald (Forstgutsbez.)",
         "St. Ingbert", "Neustadt a.d.Waldnaab", "Aach", "Ölsnitz/Erzgeb.", "Großenhain", "08237", "Hörnum (Sylt)"]
"""Real names (INKAR/VG5000) with brackets, dots, slashes, hyphens, umlauts, one being part of another."""


def regex(terms) -> re.Pattern:
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![{_WORD}])(?:{alternatives})(?![{_WORD}])", re.I)


pieces = st.lists(st.one_of(st.sampled_from(TERMS), st.sampled_from(TERMS).map(str.upper),
                            st.sampled_from([" ", "-", "(", ")", ": ", ".", ",", "x", "3", "ß", "Bad ", "\n"])),
                  max_size=12)


@settings(max_examples=400, deadline=None)
@given(pieces)
def test_finds_what_the_regex_finds(parts):
    text = "".join(parts)
    expected = regex(TERMS)
    words = Words(TERMS)
    assert [(s, t) for s, t in words.finditer(text)] == [(m.start(), m.group()) for m in expected.finditer(text)]
    assert words.sub(" ", text) == expected.sub(" ", text)
    assert words.search(text) == bool(expected.search(text))
    ends = re.compile(rf"(?:{expected.pattern})\Z", re.I)
    assert words.ends(text) == bool(ends.search(text))


def test_whole_words_only_and_longest_first():
    words = Words(TERMS)
    assert words.findall("Hallenbad, Halle-Neustadt und Halle (Saale)") == ["Halle-Neustadt", "Halle (Saale)"]
    assert words.findall("082371 08237") == ["08237"]
    assert not Words([])


def test_hostile_names_are_matched_literally():
    """Names are data: regex syntax, markup, control characters and a huge name are plain text to the matcher."""
    hostile = ["a.*(b", "[x]+", "<script>alert(1)</script>", "Ort\x00mit\tNull", "Z" * 10_000, "(?i)Kiel|"]
    words = Words(hostile)
    text = " ".join(hostile) + " ab axxb Kiel"
    assert words.findall(text) == hostile
    assert words.sub("_", text) == " ".join(["_"] * len(hostile)) + " ab axxb Kiel"
