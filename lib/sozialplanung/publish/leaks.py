"""Leak scan: does any published file show a withheld (geheim gehaltener) value?

:func:`scan_outputs` reads every artifact of a rendered report into records
(:mod:`sozialplanung.publish.leaks_records`: table rows with their column and row headers and context, lines of
text) and decides for each printed number **which area and which indicator it belongs to**:

- the area: the record's ``gebiet_id`` column, else an area named in the row or line (its id,
  ``id name`` or a unique name; the Kommune and parent names are blanked first), else the one area
  named by the context – the section, headings and caption of a table (a Steckbrief), the page of a
  PDF – for table rows, and for lines of text that name an indicator;
- the indicator: the column header (a header of case numbers only – „Fälle“, „Anzahl“ – belongs to
  the indicator of the column before it or of the row), else the row header (Steckbrief: one row
  per indicator), else the context (Indikatorenblatt). In running text each number belongs to the
  nearest indicator named in the line, else to the context.

A withheld cell – a small count, its secondary protection, or any indicator of an area that is
**not assessed** (below ``datenschutz.min_population``) – is a leak where its own number appears:
a rate *r* written with *d* decimals reveals it if ``|t − r| ≤ ½·10⁻ᵈ`` (any precision under its own
header or row; in running text at least one decimal; in table columns belonging to no indicator three
decimals), a count under its own count header or named with its indicator in the line, a deviation
(``abweichung``) as ``r − Kommune``. A number that belongs to another indicator is not this one's
(an SGB II count of 3 next to a withheld count of 3 unemployed is no leak). Skipped: columns of
reference values (header naming the Kommune, a parent level or area, „Bezug“), numbers right after a
reference name in text („Kreis: 2,3 %“), numbers in brackets where the caption says brackets hold
reference values, and table columns of another year.

Recomputation: for every published total (each parent area and the Kommune) the withheld cells not
covered by a smaller published total must not be exactly one – else ``total − published parts −
sub-totals`` is that cell (on the raw counts; for a rate-based indicator on ``weight·rate``, if its
reference value includes withheld rates at all – by design it is the mean of the published rates
only, see :mod:`sozialplanung.data.datenschutz`). A total of one withheld cell alone (a parent area with a
single member) gets its own message with what to do. Images (PNG maps) cannot be scanned: maps
draw withheld areas hatched from the same masked values.

Scanned is the report year, on a series Datenpaket (:mod:`sozialplanung.data.zeitreihe`) every year of the series
(``years`` to choose). There a cell is also secret where the rules over years withhold it (an area not
assessed in the report year stays secret in every year; a change D(t) next to a withheld level), and **differences
between years** are checked: in a column of changes (header „Veränderung“, „Differenz“, „Δ“) a withheld value must
not appear as its difference to the published value of the year before or after (``wert(t) − wert(t − 1)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sozialplanung.errors import SozialplanungError
from sozialplanung.publish.leaks_numbers import Words, close, numbers, reveals
from sozialplanung.publish.leaks_records import Record, read_records

COUNT_WORDS = ("Fälle", "Fallzahl", "Fallzahlen", "Anzahl")
"""Header words that mark a column of case numbers (of the indicator before it or of the row)."""
_EMPTY = {"", "nan", "None", "NaN", ".", "<NA>", "x"}
_CHANGE = re.compile(r"ver(?:ä|ae|a)nderung|differenz|Δ", re.I)
_REF_COLON = re.compile(r"\s*:\s*[≈~]?\s*$")
"""A colon after a reference area's name ends the text before a number: „Eifelkreis Bitburg-Prüm: 2,3 %“."""
_LONG = {"indikator": "inds", "indicator": "inds", "jahr": "years", "year": "years", "berichtsjahr": "years"}
"""Headers of a long table's key columns: the row's indicator or year stands in a cell, not in the header."""
_IMAGES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
_SKIP = {"manifest.json"}  # parameters and SHA-256 hashes, no values
SINGLE = "einziges Teilgebiet"
HINT = ("Der Bericht wurde nicht veröffentlicht. Jede Fundstelle nennt Datei, Gebiet und Indikator. Steht der "
        "Wert in einem eigenen Text (Kapitel, Markdown) oder einer eigenen Notebook-Zelle, dort entfernen oder "
        "die Werte aus dp.values() nehmen: geheim gehaltene und nicht bewertete Werte sind dort leer und als "
        "„.“ (geheim) bzw. „x“ (nicht bewertet, dp.not_assessed()) zu zeigen, Fallzahlen nur zusammen mit "
        "dp.withheld(). Zeigt ihn eine Standardausgabe von sozialplanung, bitte als Fehler melden.")
HINT_SUMS = ("„rückrechenbar“: eine veröffentlichte Summe minus ihre veröffentlichten Teile ergibt einen geheim "
             "gehaltenen Wert – sekundäre Geheimhaltung einschalten (datenschutz.secondary: true).")
HINT_SINGLE = ("Ein übergeordnetes Gebiet mit nur einem Teilgebiet: sein veröffentlichter Bezugswert ist der geheim "
               "gehaltene Wert selbst. Abhilfe, eines davon: (1) die Fallzahlgrenze ändern (datenschutz.min_count "
               "bzw. min_count des Indikators im Katalog), wenn diese Fallzahl veröffentlicht werden darf – eine "
               "höhere Grenze hilft nicht, die Summe bleibt der eine Wert; (2) das Teilgebiet mit einem "
               "Nachbargebiet zusammenlegen (Geometrien und Datentabelle), so dass das übergeordnete Gebiet "
               "mindestens zwei Teilgebiete hat; (3) nur die übergeordnete Ebene veröffentlichen (areas.level "
               "eine Ebene höher), dann wird ihr Wert selbst geschützt.")


@dataclass(frozen=True)
class Leak:
    """One finding: ``file`` (relative to the output folder), area, indicator or column, what was found."""

    file: str
    gebiet_id: str
    spalte: str
    found: str

    def __str__(self) -> str:
        return f"{self.file}: Gebiet {self.gebiet_id}, „{self.spalte}“: {self.found}"


@dataclass(frozen=True)
class _Secret:
    gebiet_id: str
    spalte: str          # indicator id (rate) or count column (count)
    value: float
    kind: str            # "rate" or "count"
    indicators: frozenset[str]  # the indicators it belongs to
    jahr: int
    deviation: float | None = None  # value − Kommune reference, for "abweichung" columns
    changes: tuple[float, ...] = ()  # differences to the published values of the neighbouring years


def scan_outputs(folder: str | Path, dp, years: list[int] | None = None) -> list[Leak]:
    """Every leak of a withheld value in the published files of ``folder`` (empty list: none found)."""
    folder = Path(folder)
    years = years or _published_years(dp)
    secrets = _secrets(dp, years)
    scan = _Scanner(dp, secrets)
    leaks: list[Leak] = _recomputation(dp, years)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if path.name in _SKIP or path.suffix.lower() in _IMAGES or any(part.startswith(".") for part in path.parts[len(folder.parts):]):
            continue
        if not secrets:
            break  # nothing withheld, nothing to find
        for record in read_records(path):
            if record is None:
                leaks.append(Leak(rel, "", "", "Datei nicht prüfbar (PDF nicht lesbar)"))
                continue
            leaks.extend(Leak(rel, gid, spalte, found) for gid, spalte, found in scan.check(record))
    return sorted(set(leaks), key=lambda x: (x.file, x.gebiet_id, x.spalte, x.found))


def _published_years(dp) -> list[int]:
    """Every year of a series Datenpaket (its report shows them all); the report year otherwise."""
    from sozialplanung.data.zeitreihe import has_zeitreihe

    return dp.years() if len(dp.years()) > 1 and has_zeitreihe(dp) else [dp.year]


def check_outputs(folder: str | Path, dp, years: list[int] | None = None) -> None:
    """Raise a German :class:`SozialplanungError` listing every leak found by :func:`scan_outputs`."""
    leaks = scan_outputs(folder, dp, years)
    if leaks:
        shown = "\n".join(f"- {leak}" for leak in leaks[:20])
        more = f"\n… und {len(leaks) - 20} weitere" if len(leaks) > 20 else ""
        sums = [leak for leak in leaks if leak.file == "(Summen)"]
        hint = " ".join([*([HINT] if len(sums) < len(leaks) else []),
                         *([HINT_SUMS] if any(SINGLE not in leak.found for leak in sums) else []),
                         *([HINT_SINGLE] if any(SINGLE in leak.found for leak in sums) else [])])
        raise SozialplanungError(
            f"Datenschutz-Prüfung fehlgeschlagen: {len(leaks)} geheim gehaltene Werte sind in den Ausgaben "
            f"sichtbar oder rückrechenbar.\n{shown}{more}", file=str(folder), hint=hint)


# -- what must not appear --------------------------------------------------------------------------

def _secrets(dp, years: list[int]) -> dict[str, list[_Secret]]:
    """Withheld cells by area id, with their true values from the unmasked table."""
    from sozialplanung.indicators.reference import reference_value

    out: dict[str, list[_Secret]] = {}
    for year in years:
        rows, raw, withheld = dp.rows(year), dp.raw_values(year), dp.withheld(year)
        for ind in dp.catalogue.values():
            ref = reference_value(dp, ind.id, dp.reference_ids, year)[0]
            for gid in withheld.index[withheld[ind.id] & raw[ind.id].notna()]:
                rate = float(raw.at[gid, ind.id])
                out.setdefault(gid, []).append(_Secret(gid, ind.id, rate, "rate", frozenset([ind.id]), year, rate - ref))
        counts = dp.suppressed_counts.xs(year, level="jahr") if not dp.suppressed_counts.empty else None
        for col in [] if counts is None else counts.columns:
            owners = frozenset(i.id for i in dp.catalogue.values() if i.from_counts and i.numerator == col)
            for gid in counts.index[counts[col]]:
                if not np.isnan(float(rows.at[gid, col])):
                    out.setdefault(gid, []).append(_Secret(gid, col, float(rows.at[gid, col]), "count", owners, year))
    _series_secrets(dp, years, out)
    from sozialplanung.data.nur_gesamt import member_values  # nur_gesamt: members shown only in their total

    for gid, col, value, kind, inds, year in member_values(dp, years):
        out.setdefault(gid, []).append(_Secret(gid, col, value, kind, inds, year))
    return out


def _series_secrets(dp, years: list[int], out: dict[str, list[_Secret]]) -> None:
    """Add the rate cells a series Datenpaket withholds over years, each with its differences to the published
    values of the neighbouring years (:func:`sozialplanung.indicators.zeitreihe.withheld_cells`)."""
    from dataclasses import replace

    from sozialplanung.indicators.zeitreihe import withheld_cells

    for gid, ind, year, value, diffs in withheld_cells(dp, years):
        items = out.setdefault(gid, [])
        k = next((k for k, s in enumerate(items) if s.kind == "rate" and s.spalte == ind and s.jahr == year), None)
        if k is None:
            items.append(_Secret(gid, ind, value, "rate", frozenset([ind]), year, changes=diffs))
        else:
            items[k] = replace(items[k], changes=diffs)


class _Scanner:
    """Which area and indicator a printed number belongs to, and whether it reveals a secret."""

    def __init__(self, dp, secrets):
        from sozialplanung.data import labels

        self.secrets = secrets
        self._areas: dict[str, list[str]] = {}
        self._contexts: dict[tuple, tuple] = {}
        self.merged = {m: pid for (_, pid), ms in dp.merged.items() for m in ms}  # nur_gesamt: never named
        self.ids = set(dp.areas.index) | set(self.merged)
        names = pd.concat([dp.areas["name"], dp.merged_rows.drop_duplicates("gebiet_id").set_index("gebiet_id")
                           ["name"]] if len(dp.merged_rows) else [dp.areas["name"]]).astype(str)
        refs = {dp.params.kommune, dp.params.bezugsname, labels.reference(dp)} - {None, ""}
        refs |= {str(n) for layer in dp.parents.values() if "name" in layer for n in layer["name"]}
        self.refs = Words(refs)
        self.ref_heads = Words([*dp.params.levels()[1:], "Bezug", "Bezugswert", "Gesamtstadt",
                                 "Bezugsgesamtheit", *refs])
        counts = names.value_counts()
        self.by_name = {n: g for g, n in names.items() if counts[n] == 1 and n not in refs}
        self.names = Words(self.by_name)
        self._by_lower = {n.lower(): g for n, g in self.by_name.items()}  # self.names matches case-insensitively
        self.terms: dict[str, set[tuple[str, str]]] = {}
        for ind in dp.catalogue.values():
            for term in {ind.id, ind.name, ind.rate} - {None}:
                self.terms.setdefault(term.lower(), set()).add(("rate", ind.id))
            if ind.from_counts:
                self.terms.setdefault(ind.numerator.lower(), set()).add(("count", ind.id))
        for word in COUNT_WORDS:
            self.terms.setdefault(word.lower(), set()).add(("count", ""))
        self.term_re = Words(self.terms)
        columns = {i.numerator for i in dp.catalogue.values() if i.from_counts}
        self.only_count = ({("rate", i.id) for i in dp.catalogue.values() if i.from_counts}
                           if len(columns) == 1 else set())  # "Fälle" can only mean this count

    # -- areas and indicators named in a text
    def areas_in(self, text: str) -> list[str]:
        if text not in self._areas:
            self._areas[text] = self._find_areas(text)
        return self._areas[text]

    def _find_areas(self, text: str) -> list[str]:
        text = self.refs.sub(" ", text) if self.refs else text
        out = [t for t in re.findall(r"(?<![\d.,])\d{2,12}(?!\d|[.,]\d)", text) if t in self.ids]
        out += [self._by_lower[m.lower()] for m in self.names.findall(text)
                if m.lower() in self._by_lower] if self.names else []
        return list(dict.fromkeys(out))

    def mentions(self, text: str | None) -> list[tuple[int, set[tuple[str, str]]]]:
        """(position, targets) of every indicator term in ``text``; targets are (kind, indicator)."""
        if not text:
            return []
        return [(start, self.terms[term.lower()]) for start, term in self.term_re.finditer(text)]

    def targets(self, text: str | None, fallback: set | None = None) -> set[tuple[str, str]]:
        """Targets named in a header; case-number words go to the indicators of ``fallback``."""
        found = set().union(*(t for _, t in self.mentions(text)))
        if ("count", "") in found:
            found.discard(("count", ""))
            own = {i for k, i in found if k == "rate"} or {i for _, i in fallback or ()}
            found = {t for t in found if t[0] == "count"} | {("count", i) for i in own}
        return found

    def context(self, record: Record) -> tuple[list[str], set]:
        """The one area and the indicators of the innermost context part naming any."""
        if record.context not in self._contexts:
            self._contexts[record.context] = self._context(record)
        return self._contexts[record.context]

    def _context(self, record: Record) -> tuple[list[str], set]:
        area = next((a for a in (self.areas_in(c) for c in reversed(record.context)) if a), [])
        inds = next((t for t in (self.targets(c) for c in reversed(record.context)) if t), set())
        return (area if len(area) == 1 else []), inds

    # -- checking
    def check(self, record: Record):
        for gid in {record.key, *(g for _, t in record.cells for g in self.areas_in(t))} & set(self.merged):
            yield gid, "nur_gesamt", f"Teilgebiet von {self.merged[gid]} (nur_gesamt) genannt"
        yield from self._text(record) if record.text or all(h is None for h, _ in record.cells) else self._row(record)

    def _row(self, record: Record):
        area, ctx = self.context(record)
        if record.key is not None:
            gids = [record.key]
        else:
            gids = list(dict.fromkeys(g for _, text in record.cells for g in self.areas_in(text))) or area
        if not any(g in self.secrets for g in gids):
            return
        row_text = record.cells[record.row_head][1] if record.row_head is not None else None
        keys = {h.strip().lower(): t for h, t in record.cells if h and h.strip().lower() in _LONG}
        row = self.targets(row_text, ctx).union(*(self.targets(t) for h, t in keys.items() if _LONG[h] == "inds"))
        row_years = {int(t) for h, t in keys.items() if _LONG[h] == "years" and re.fullmatch(r"(?:19|20)\d\d", t.strip())}
        before: set = set()
        for i, (header, text) in enumerate(record.cells):
            col = self.targets(header, before or row or ctx or self.only_count)
            before = {t for t in col if t[0] == "rate"} or before
            if i == record.row_head or text.strip() in _EMPTY or (header and self.ref_heads.search(header)):
                continue
            text = re.sub(r"\([^)]*\)", " ", text) if record.bracket_refs else text
            deviation = bool(header and re.search("abweichung", header, re.I))
            change = bool(header and _CHANGE.search(header))
            own = col or row or ctx
            years = row_years or {int(y) for y in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", f"{header} {row_text}")}
            for gid in gids:
                for s in self.secrets.get(gid, []):
                    hit = (_change(s, text, own) if change
                           else None if years and s.jahr not in years else _cell(s, text, own, deviation))
                    if hit:
                        yield gid, s.spalte, f"{hit} in Spalte „{header or '?'}“"

    def _text(self, record: Record):
        line = " ".join(text for _, text in record.cells)
        mentions = self.mentions(line)
        area, ctx = self.context(record)
        gids = self.areas_in(line) or (area if mentions else [])
        if not any(g in self.secrets for g in gids):
            return
        for value, decimals, start in numbers(line):
            if self.refs and (head := _REF_COLON.search(line[:start])) and self.refs.ends(line[:head.start()]):
                continue  # "Eifelkreis Bitburg-Prüm: 2,3 %" – a reference value
            near = min(mentions, key=lambda m: abs(m[0] - start))[1] if mentions else ctx
            inds = {i for _, i in near if i} or ({i for _, i in ctx | self.only_count} if near else set())
            for gid in gids:
                for s in self.secrets.get(gid, []):
                    if (inds and not s.indicators & inds) or (not inds and s.kind == "count"):
                        continue
                    if close(value, decimals, s.value, 1 if s.kind == "rate" else 0):
                        what = "Quote" if s.kind == "rate" else "Fallzahl"
                        yield gid, s.spalte, f"{what} im Text: „{line[:120]}“"


def _change(s: _Secret, text: str, own: set) -> str | None:
    """A change between years that is a withheld value's difference to a published neighbouring year."""
    if s.kind != "rate" or not s.changes or (own and not any(i in s.indicators for _, i in own)):
        return None
    found = any(reveals(text, c, 1 if own else 2) for c in s.changes)
    return f"Veränderung zu einem Nachbarjahr „{text}“" if found else None


def _cell(s: _Secret, text: str, own: set, deviation: bool) -> str | None:
    """What in a table cell reveals ``s`` given the cell's targets ``own`` (empty: no indicator known)."""
    what = "Quote" if s.kind == "rate" else "Fallzahl"
    if deviation:
        ours = s.kind == "rate" and any(i in s.indicators for _, i in own)
        return f"Abweichung zur Kommune „{text}“" if ours and s.deviation is not None and reveals(text, s.deviation, 0) else None
    if not own:
        return f"{what} „{text}“" if s.kind == "rate" and reveals(text, s.value, 3) else None
    if not any(k == s.kind and i in s.indicators for k, i in own):
        return None  # another indicator's number
    if reveals(text, s.value, 0) or (s.value == 0 and text.strip() in ("–", "-")):
        return f"{what} „{text}“"
    return None


# -- recomputation from totals ---------------------------------------------------------------------

def _recomputation(dp, years: list[int]) -> list[Leak]:
    """Withheld cells that equal a published total minus its published parts and sub-totals
    (:func:`sozialplanung.publish.leaks_records.own_cells`: every group against all its sub-groups)."""
    from sozialplanung.data.datenschutz import cell_values
    from sozialplanung.publish.leaks_records import own_cells, recomputable

    pos = {gid: i for i, gid in enumerate(dp.areas.index)}
    labels, groups = [], []
    for parent in dp.params.areas.parents:
        for pid, members in dp.areas.groupby(parent.level).groups.items():
            labels.append(f"{parent.level} {pid}")
            groups.append(np.array([pos[m] for m in members], dtype=np.int64))
    labels.append(dp.params.kommune)
    groups.append(np.array([pos[m] for m in dp.reference_ids], dtype=np.int64))
    own, has_sub = own_cells(groups, len(pos))
    cells = cell_values(dp)
    leaks = []
    for year in years:
        withheld = dp.withheld(year)
        for ind in dp.catalogue.values():
            if not ind.from_counts and not _totals_include_withheld(dp, ind, year):
                continue
            values = cells[ind.numerator if ind.from_counts else ind.id].xs(year, level="jahr").reindex(dp.areas.index)
            hidden = withheld[ind.id].reindex(dp.areas.index).to_numpy(dtype=bool)
            for g, cell, alone in recomputable(own, has_sub, hidden, values.notna().to_numpy()):
                how = (f"{labels[g]} hat es als {SINGLE}: Bezugswert = dieser Wert" if alone
                       else f"{labels[g]} minus veröffentlichte Teile")
                leaks.append(Leak("(Summen)", dp.areas.index[cell], ind.id,
                                  f"rückrechenbar: {how} = {values.iloc[cell]:g}"))
    return leaks


def _totals_include_withheld(dp, ind, year: int) -> bool:
    """Does the published reference value of a rate-based indicator include withheld rates?"""
    from sozialplanung.indicators.reference import reference_value

    values, raw = dp.values(year).loc[dp.reference_ids, ind.id], dp.raw_values(year).loc[dp.reference_ids, ind.id]
    rows = dp.rows(year).loc[dp.reference_ids]
    weight = rows[ind.weight].astype(float) if ind.weight else raw * 0 + 1
    ok = values.notna() & (weight > 0)
    if not (raw.notna() & values.isna() & (weight > 0)).any() or not ok.any():
        return False
    published = float(np.average(values[ok], weights=weight[ok]))
    return not np.isclose(reference_value(dp, ind.id, dp.reference_ids, year)[0], published, rtol=1e-12, atol=1e-12)
