"""Thin command line: ``sozialplanung validate`` and ``sozialplanung render``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sozialplanung.publish.batch import DEFAULT_TIMEOUT
from sozialplanung.errors import SozialplanungError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sozialplanung",
        description="Werkbank für die kommunale Sozialplanung: Parameter prüfen und Sozialberichte rendern.")
    parser._positionals.title = "Befehle"
    parser._optionals.title = "Optionen"
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}",
                        help="Version anzeigen und beenden")
    sub = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL")
    text = "Parameterdatei und Datenpaket prüfen (Exit-Code 0 = in Ordnung)"
    val = sub.add_parser("validate", help=text, description=text)
    val.add_argument("params", nargs="+", metavar="PARAMS", help="Parameterdatei(en) (YAML)")
    val.add_argument("--streng", action="store_true", help="Warnungen als Fehler behandeln")
    text = "Notebooks ausführen und Berichte nach output/<kurzname>/ schreiben"
    ren = sub.add_parser("render", help=text, description=text)
    ren.add_argument("params", nargs="+", metavar="PARAMS", help="Parameterdatei(en) (YAML) oder Muster wie params/berlin/*.yaml")
    ren.add_argument("--ausgabe", default="output", metavar="ORDNER", help="Ausgabeordner (Standard: output; wird angelegt)")
    ren.add_argument("--notebooks", default=None, metavar="ORDNER",
                     help="Ordner der Notebooks (Standard: notebooks im Arbeitsordner, sonst die des Projekts)")
    ren.add_argument("--workers", type=_positive, default=None, metavar="N",
                     help="so viele Berichte gleichzeitig auf diesem Rechner (Standard: Zahl der Kerne, "
                          "höchstens eine je 1,5 GB freien Arbeitsspeichers)")
    ren.add_argument("--scheduler", metavar="ADRESSE",
                     help="auf einem laufenden Dask-Cluster rendern, z. B. tcp://rechner:8786 (statt --workers)")
    ren.add_argument("--zeitlimit", type=_positive, default=DEFAULT_TIMEOUT, metavar="SEKUNDEN",
                     help=f"höchste Dauer je Bericht, dann schlägt er fehl (Standard: {DEFAULT_TIMEOUT})")
    ren.add_argument("--force", action="store_true", help="auch unveränderte Berichte neu rendern")
    ren.add_argument("-q", "--leise", action="store_true", help="nur Fehler ausgeben (für Skripte; Exit-Code zählt)")
    ren.add_argument("--parallel", type=_positive, default=None, help=argparse.SUPPRESS)
    for p in (val, ren):
        p._positionals.title = "Argumente"
        p._optionals.title = "Optionen"
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sozialplanung")
    except PackageNotFoundError:  # run from a source tree without installing
        return "unbekannt (nicht installiert)"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine ganze Zahl ≥ 1")
    return value


def main(argv: list[str] | None = None) -> int:
    """Exit codes: 0 every report published (or unchanged), 1 some report failed, 2 usage error."""
    args = _parser().parse_args(argv)
    if args.command == "validate":
        return _validate(args.params, strict=args.streng)
    return _render(args)


def _render(args) -> int:
    from sozialplanung.publish.batch import expand_params, run_batch
    from sozialplanung.publish.liveview import LiveView

    if args.parallel is not None:
        print(f"Hinweis: --parallel heißt jetzt --workers (verwendet: --workers {args.parallel}).", file=sys.stderr)
        args.workers = args.workers or args.parallel
    if args.scheduler and args.workers:
        print("✗ --workers gilt für diesen Rechner; mit --scheduler bestimmt der Cluster die Zahl der Worker.",
              file=sys.stderr)
        return 2
    try:
        files = expand_params(args.params)
        view = LiveView(len(files), quiet=args.leise)
        results = run_batch(files, output_root=args.ausgabe, notebooks=args.notebooks, workers=args.workers,
                            scheduler=args.scheduler, timeout=args.zeitlimit, force=args.force,
                            on_result=lambda r: view.done(r, Path(args.ausgabe)))
    except SozialplanungError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    view.close(results, Path(args.ausgabe))
    failed = [r for r in results if not r.ok]
    if failed:
        print("Fehlgeschlagen: " + ", ".join(r.params_file for r in failed), file=sys.stderr)
    return 1 if failed else 0


def _validate(files: list[str], strict: bool) -> int:
    """Load each Datenpaket and print its findings; exit 2 on an error, with ``strict`` also on a warning."""
    from sozialplanung.data.checks import failed, findings, format_findings
    from sozialplanung.data.datenpaket import load_datenpaket

    code = 0
    for f in files:
        try:
            dp = load_datenpaket(f)
        except SozialplanungError as exc:
            print(f"✗ {exc}", file=sys.stderr)
            code = 2
            continue
        table = findings(dp)
        bad = failed(table, strict=strict)
        mark = "✗" if bad else "✓"
        print(f"{mark} {f}: {len(dp.areas)} Gebiete, {len(dp.catalogue)} Indikatoren, Jahre {', '.join(map(str, dp.years()))}")
        counts = table["Ergebnis"].value_counts()
        shown = format_findings(table, all_rows=strict)
        if shown:
            print(shown)
        print("  Prüfungen: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in ("Fehler", "Warnung", "Hinweis", "ok"))
              + ("" if strict else " (alle Prüfungen: --streng)"))
        if bad:
            print(f"✗ {f}: " + ("Fehler oder Warnungen (--streng) in der Datenprüfung." if strict
                               else "Fehler in der Datenprüfung."), file=sys.stderr)
            code = 2
    return code


if __name__ == "__main__":
    sys.exit(main())
