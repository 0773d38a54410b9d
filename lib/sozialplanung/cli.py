"""Thin command line: ``sozialplanung validate`` and ``sozialplanung render``."""

from __future__ import annotations

import argparse
import sys

from sozialplanung.errors import SozialplanungError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sozialplanung",
        description="Werkbank für die kommunale Sozialplanung: Parameter prüfen und Sozialberichte rendern.")
    parser._positionals.title = "Befehle"
    parser._optionals.title = "Optionen"
    sub = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL")
    text = "Parameterdatei und Datenpaket prüfen (Exit-Code 0 = in Ordnung)"
    val = sub.add_parser("validate", help=text, description=text)
    val.add_argument("params", nargs="+", metavar="PARAMS", help="Parameterdatei(en) (YAML)")
    val.add_argument("--streng", action="store_true", help="Warnungen als Fehler behandeln")
    text = "Notebooks ausführen und Berichte nach output/<kurzname>/ schreiben"
    ren = sub.add_parser("render", help=text, description=text)
    ren.add_argument("params", nargs="+", metavar="PARAMS", help="Parameterdatei(en) (YAML)")
    ren.add_argument("--ausgabe", default="output", metavar="ORDNER", help="Ausgabeordner (Standard: output)")
    ren.add_argument("--notebooks", default="notebooks", metavar="ORDNER", help="Ordner der Notebooks (Standard: notebooks)")
    ren.add_argument("--parallel", type=int, default=1, metavar="N",
                     help="so viele Berichte gleichzeitig rendern (Standard: 1; sinnvoll bis zur Zahl der Prozessorkerne)")
    for p in (val, ren):
        p._positionals.title = "Argumente"
        p._optionals.title = "Optionen"
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "validate":
        return _validate(args.params, strict=args.streng)
    from sozialplanung.render import render_many

    results = render_many(args.params, output_root=args.ausgabe, notebooks=args.notebooks, jobs=args.parallel)
    failed = [r for r in results if not r.ok]
    print(f"{len(results) - len(failed)} von {len(results)} Berichten erstellt; Übersicht: {args.ausgabe}/index.html")
    if failed:
        print("Fehlgeschlagen: " + ", ".join(r.params_file for r in failed), file=sys.stderr)
    return 2 if failed else 0


def _validate(files: list[str], strict: bool) -> int:
    """Load each Datenpaket and print its findings; exit 2 on an error, with ``strict`` also on a warning."""
    from sozialplanung.checks import failed, findings, format_findings
    from sozialplanung.datenpaket import load_datenpaket

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
