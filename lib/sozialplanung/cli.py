"""Thin command line: ``sozialplanung validate | render | neu | beispiele``.

Thin and lazy: this module imports only the standard library and :mod:`sozialplanung.errors`; each
command imports what it needs when it runs (``validate`` loads no plotting, modelling or rendering
library, tests/publish/test_cli.py checks it). argparse's own texts (``usage:``, ``options``, its
error messages) are German through :class:`GermanParser`.

Exit codes: 0 ok, 1 a report failed, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path

from sozialplanung.errors import SozialplanungError

DEFAULT_TIMEOUT = 3600
"""Seconds per report (= :data:`sozialplanung.publish.batch.DEFAULT_TIMEOUT`; not imported: batch loads dask)."""

GERMAN = {
    "usage: ": "Aufruf: ",
    "positional arguments": "Positionsargumente",
    "options": "Optionen",
    "optional arguments": "Optionen",
    "show this help message and exit": "diese Hilfe anzeigen und beenden",
    "%(prog)s: error: %(message)s\n": "%(prog)s: Fehler: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "Argument %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "unbekannte Argumente: %s",
    "the following arguments are required: %s": "diese Argumente fehlen: %s",
    "one of the arguments %s is required": "eines der Argumente %s wird gebraucht",
    "not allowed with argument %s": "nicht zusammen mit dem Argument %s erlaubt",
    "expected one argument": "erwartet wird ein Wert",
    "expected at most one argument": "erwartet wird höchstens ein Wert",
    "expected at least one argument": "erwartet wird mindestens ein Wert",
    "expected %s argument": "erwartet wird %s Wert",
    "expected %s arguments": "erwartet werden %s Werte",
    "ambiguous option: %(option)s could match %(matches)s": "mehrdeutige Option: %(option)s passt zu %(matches)s",
    "unexpected option string: %s": "unerwartete Option: %s",
    "ignored explicit argument %r": "Wert %r ignoriert",
    "invalid %(type)s value: %(value)r": "ungültiger Wert (%(type)s): %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "unbekannte Auswahl: %(value)r (möglich: %(choices)s)",
    "can't open '%(filename)s': %(error)s": "„%(filename)s“ lässt sich nicht öffnen: %(error)s",
}
"""argparse's messages (Python 3.11–3.13) in German; any other message stays as argparse writes it."""


@contextmanager
def _german():
    """argparse looks its texts up through ``argparse._`` when it uses them: swap in German, then restore."""
    old = argparse._, argparse.ngettext
    argparse._ = lambda text: GERMAN.get(text, text)
    argparse.ngettext = lambda one, many, n: GERMAN.get(one if n == 1 else many, one if n == 1 else many)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = old


class GermanParser(argparse.ArgumentParser):
    """An ArgumentParser whose own texts (usage, headings, -h, errors) are German."""

    def __init__(self, *args, **kwargs):
        with _german():
            super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):
        with _german():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with _german():
            return super().parse_known_args(args, namespace)

    def format_usage(self):
        with _german():
            return super().format_usage()

    def format_help(self):
        with _german():
            return super().format_help()

    def error(self, message):
        with _german():
            super().error(message)


def _parser() -> argparse.ArgumentParser:
    parser = GermanParser(prog="sozialplanung", description="Werkbank für die kommunale Sozialplanung: eigene "
                          "Kommune anlegen, Parameter prüfen und Sozialberichte rendern.",
                          epilog="Exit-Codes: 0 in Ordnung, 1 ein Bericht ist fehlgeschlagen, 2 Aufruf- oder "
                                 "Eingabefehler. Hilfe zu einem Befehl: sozialplanung BEFEHL --help")
    parser._positionals.title = "Befehle"
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}",
                        help="Version anzeigen und beenden")
    common = GermanParser(add_help=False)
    loud = common.add_mutually_exclusive_group()
    loud.add_argument("-v", "--ausführlich", "--ausfuehrlich", dest="ausfuehrlich", action="store_true",
                      help="mehr ausgeben (alle Prüfungen, Hinweise, verwendete Ordner)")
    loud.add_argument("-q", "--leise", action="store_true", help="nur Fehler ausgeben (für Skripte; Exit-Code zählt)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL")
    _add_validate(sub, common)
    _add_render(sub, common)
    _add_neu(sub, common)
    _add_beispiele(sub, common)
    return parser


def _command(sub, name: str, text: str, common) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=text, description=text, parents=[common])


def _add_validate(sub, common) -> None:
    val = _command(sub, "validate", "Parameterdatei und Datenpaket prüfen (Exit-Code 0 = in Ordnung)", common)
    val.add_argument("params", nargs="+", metavar="PARAMS", help="Parameterdatei(en) (YAML)")
    val.add_argument("--streng", action="store_true", help="Warnungen als Fehler behandeln")


def _add_render(sub, common) -> None:
    ren = _command(sub, "render", "Notebooks ausführen und Berichte nach output/<kurzname>/ schreiben", common)
    ren.add_argument("params", nargs="+", metavar="PARAMS",
                     help="Parameterdatei(en) (YAML) oder Muster wie params/berlin/*.yaml")
    ren.add_argument("--ausgabe", default="output", metavar="ORDNER",
                     help="Ausgabeordner (Standard: output; wird angelegt)")
    ren.add_argument("--notebooks", default=None, metavar="ORDNER",
                     help="Ordner der Notebooks (Standard: notebooks im Arbeitsordner, sonst die mitgelieferten)")
    ren.add_argument("--workers", type=_positive, default=None, metavar="N",
                     help="so viele Berichte gleichzeitig auf diesem Rechner (Standard: Zahl der Kerne, "
                          "höchstens einer je 1,5 GB freien Arbeitsspeichers)")
    ren.add_argument("--scheduler", metavar="ADRESSE",
                     help="auf einem laufenden Dask-Cluster rendern, z. B. tcp://rechner:8786 (statt --workers)")
    ren.add_argument("--zeitlimit", type=_positive, default=DEFAULT_TIMEOUT, metavar="SEKUNDEN",
                     help=f"höchste Dauer je Bericht, dann schlägt er fehl (Standard: {DEFAULT_TIMEOUT})")
    ren.add_argument("--force", action="store_true", help="auch unveränderte Berichte neu rendern")
    ren.add_argument("--nur", metavar="KENNUNGEN", help="bei einem Stapel (batch) nur diese Einheiten, z. B. --nur 07111,03451")
    ren.add_argument("--parallel", type=_positive, default=None, help=argparse.SUPPRESS)


def _add_neu(sub, common) -> None:
    neu = _command(sub, "neu", "eine eigene Kommune anlegen: Parameterdatei und Indikatorenkatalog aus den eigenen "
                               "Dateien vorbereiten", common)
    neu.add_argument("ordner", metavar="ORDNER", help="Ordner für params.yaml und indikatoren.yaml (wird angelegt)")
    neu.add_argument("--gebiete", required=True, metavar="DATEI",
                     help="Geodatei der Gebiete (GeoPackage, Shapefile oder sein Ordner, GeoJSON …)")
    neu.add_argument("--daten", metavar="DATEI", help="Datentabelle (CSV, XLSX, XLS, ODS, Parquet); leer: ohne Daten")
    neu.add_argument("--kommune", metavar="NAME", help="Name der Kommune (Standard: der Ordnername)")
    neu.add_argument("--ebene", metavar="NAME", default="Sozialraum",
                     help="Name der Gebietsebene (Standard: Sozialraum)")
    neu.add_argument("--force", action="store_true", help="vorhandene params.yaml und indikatoren.yaml überschreiben")


def _add_beispiele(sub, common) -> None:
    bsp = _command(sub, "beispiele", "mitgelieferte Beispiele auflisten oder mit den Notebooks in einen Ordner "
                                     "kopieren", common)
    bsp.add_argument("ziel", nargs="?", metavar="ZIEL", help="Zielordner (wird angelegt); leer: nur auflisten")
    bsp.add_argument("--force", action="store_true", help="vorhandene Dateien im Zielordner überschreiben")


def command_table() -> str:
    """Every command, argument and option with its German help, as the README's Markdown table.

    tests/publish/test_cli.py checks that the README carries exactly this table; after a change of the
    command line: ``python -c "from sozialplanung.cli import command_table; print(command_table())"``.
    """
    parser = _parser()
    rows = ["| Befehl | Argument / Option | Bedeutung |", "|---|---|---|"]

    shared = {"-h", "-v", "-q"}  # every command has them: one row each, under „jeder Befehl“

    def add(command: str, sub: argparse.ArgumentParser, skip=frozenset(), only=None) -> None:
        for action in sub._actions:
            if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction) or \
                    skip & set(action.option_strings) or (only and not only & set(action.option_strings)):
                continue
            with _german():
                text = action.help if action.help is not None else ""
                text = GERMAN.get(text, text)
            names = ", ".join(f"`{o}`" for o in action.option_strings) or f"`{action.metavar or action.dest}`"
            if action.option_strings and action.nargs != 0 and action.metavar:
                names += f" `{action.metavar}`"
            rows.append(f"| {command} | {names} | {text.replace('|', '∣')} |")

    add("`sozialplanung`", parser)
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    first = next(iter(subs.choices.values()))
    add("jeder Befehl", first, only=shared)
    for name, sub in subs.choices.items():
        rows.append(f"| `{name}` | | {sub.description} |")
        add(f"`{name}`", sub, skip=frozenset(shared))
    return "\n".join(rows)


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
    """Exit codes: 0 ok, 1 some report failed, 2 usage or input error."""
    args = _parser().parse_args(argv)
    commands = {"validate": _validate, "render": _render, "neu": _neu, "beispiele": _beispiele}
    try:
        return commands[args.command](args)
    except SozialplanungError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2


def _render(args) -> int:
    from sozialplanung.config.units import unit_ids
    from sozialplanung.publish.batch import expand_params, run_batch
    from sozialplanung.publish.liveview import LiveView

    if args.parallel is not None:
        print(f"Hinweis: --parallel heißt jetzt --workers (verwendet: --workers {args.parallel}).", file=sys.stderr)
        args.workers = args.workers or args.parallel
    if args.scheduler and args.workers:
        print("✗ --workers gilt für diesen Rechner; mit --scheduler bestimmt der Cluster die Zahl der Worker.",
              file=sys.stderr)
        return 2
    files = expand_params(args.params, only=unit_ids(args.nur) if args.nur else None)
    if args.ausfuehrlich:
        from sozialplanung.publish.batch import default_notebooks

        print(f"{len(files)} Parameterdatei(en): {', '.join(files)}\nNotebooks: "
              f"{Path(args.notebooks or default_notebooks()).resolve()}\nAusgabe: {Path(args.ausgabe).resolve()}")
    view = LiveView(len(files), quiet=args.leise)
    results = run_batch(files, output_root=args.ausgabe, notebooks=args.notebooks, workers=args.workers,
                        scheduler=args.scheduler, timeout=args.zeitlimit, force=args.force,
                        on_result=lambda r: view.done(r, Path(args.ausgabe)))
    view.close(results, Path(args.ausgabe))
    failed = [r for r in results if not r.ok]
    if failed:
        print("Fehlgeschlagen: " + ", ".join(r.params_file for r in failed), file=sys.stderr)
    return 1 if failed else 0


def _validate(args) -> int:
    """Load each Datenpaket and print its findings; exit 2 on an error, with ``--streng`` also on a warning."""
    from sozialplanung.analysis.needs import findings
    from sozialplanung.data.checks import failed, format_findings
    from sozialplanung.data.datenpaket import load_datenpaket

    code, strict = 0, args.streng
    for f in args.params:
        try:
            dp = load_datenpaket(f)
        except SozialplanungError as exc:
            print(f"✗ {exc}", file=sys.stderr)
            code = 2
            continue
        table = findings(dp)
        bad = failed(table, strict=strict)
        if not args.leise:
            mark = "✗" if bad else "✓"
            print(f"{mark} {f}: {len(dp.areas)} Gebiete, {len(dp.catalogue)} Indikatoren, "
                  f"Jahre {', '.join(map(str, dp.years()))}")
            counts = table["Ergebnis"].value_counts()
            shown = format_findings(table, all_rows=strict or args.ausfuehrlich)
            if shown:
                print(shown)
            print("  Prüfungen: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in ("Fehler", "Warnung", "Hinweis", "ok"))
                  + ("" if strict or args.ausfuehrlich else " (alle Prüfungen: -v)"))
        if bad:
            if args.leise:
                print(format_findings(table[table["Ergebnis"].isin({"Fehler", "Warnung"} if strict else {"Fehler"})]),
                      file=sys.stderr)
            print(f"✗ {f}: " + ("Fehler oder Warnungen (--streng) in der Datenprüfung." if strict
                               else "Fehler in der Datenprüfung."), file=sys.stderr)
            code = 2
    return code


def _neu(args) -> int:
    from sozialplanung.publish.scaffold import scaffold

    result = scaffold(args.ordner, areas_file=args.gebiete, data_file=args.daten, kommune=args.kommune,
                      level=args.ebene, force=args.force)
    if not args.leise:
        print(result.report(verbose=args.ausfuehrlich))
    return 0


def _beispiele(args) -> int:
    from sozialplanung.publish.examples import copy_examples, list_examples

    if args.ziel is None:
        print(list_examples(verbose=args.ausfuehrlich))
        return 0
    text = copy_examples(args.ziel, force=args.force)
    if not args.leise:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
