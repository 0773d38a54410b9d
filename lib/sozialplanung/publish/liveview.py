"""The terminal during a batch: a progress bar with ETA (stderr), one line per finished report in
the order they finish (stdout), and a closing summary table."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from sozialplanung.formatting import fmt_count, fmt_number

MARK = {"ok": "✓", "fehler": "✗", "übersprungen": "–"}
STATUS = {"ok": "erstellt", "fehler": "fehlgeschlagen", "übersprungen": "übersprungen (unverändert)"}


def duration(seconds: float) -> str:
    """``12,3 s`` or ``4:05 min``."""
    if seconds < 60:
        return f"{fmt_number(seconds, 1)} s"
    return f"{int(seconds // 60)}:{int(seconds % 60):02d} min"


def result_line(result, output_root: Path) -> str:
    """One line for one finished report."""
    where = f" → {Path(output_root) / result.slug}" if result.slug and result.ok else ""
    head = f"{MARK[result.status]} {result.params_file}{where} ({duration(result.seconds)}"
    if result.status == "fehler":
        return f"{head}): {result.message}"
    warnings = f", {fmt_count(result.warnings, 'Warnung', 'Warnungen')}" if result.warnings else ""
    skipped = ", übersprungen: unverändert" if result.status == "übersprungen" else ""
    return f"{head}{warnings}{skipped})"


class LiveView:
    """Progress bar and report lines; ``quiet``: only failures (stderr), no bar, no table."""

    def __init__(self, total: int, *, quiet: bool = False, out=None, err=None):
        from tqdm import tqdm

        self.out, self.err, self.quiet = out or sys.stdout, err or sys.stderr, quiet
        self.start = time.perf_counter()
        sized = _width(self.err) > 0  # a terminal without a size (a bare pty) gets 100 × 20
        self.bar = tqdm(total=total, file=self.err, dynamic_ncols=sized, ncols=None if sized else 100,
                        nrows=None if sized else 20, smoothing=0, disable=True if quiet else None, desc="Berichte",
                        bar_format="{desc}: {n_fmt}/{total_fmt} |{bar}| {elapsed}, noch ≈ {remaining}")

    def done(self, result, output_root: Path) -> None:
        line = result_line(result, output_root)
        if self.quiet:
            if not result.ok:
                print(line, file=self.err, flush=True)
            return
        self.bar.write(line, file=self.out)
        self.out.flush()
        self.bar.update(1)

    def close(self, results: list, output_root: Path) -> None:
        self.bar.close()
        if self.quiet:
            return
        print(summary(results, time.perf_counter() - self.start, output_root), file=self.out, flush=True)


def _width(stream) -> int:
    """Columns of the terminal ``stream`` writes to; 0 if unknown (a pty without a size)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 0


def summary(results: list, seconds: float, output_root: Path) -> str:
    """The closing table: one row per report, then the counts."""
    rows = [("", "Bericht", "Status", "Dauer", "Warnungen")]
    rows += [(MARK[r.status], r.slug or r.params_file, STATUS[r.status], duration(r.seconds), str(r.warnings))
             for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i < 3 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
             for row in rows]
    counts = {s: sum(r.status == s for r in results) for s in STATUS}
    total = (f"{fmt_count(len(results), 'Bericht', 'Berichte')} in {duration(seconds)}: {counts['ok']} erstellt, "
             f"{counts['übersprungen']} übersprungen (unverändert), {counts['fehler']} fehlgeschlagen. "
             f"Übersicht: {Path(output_root) / 'index.html'}")
    return "\n".join(["", "Zusammenfassung", *lines, total])
