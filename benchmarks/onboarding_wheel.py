"""A new user's walkthrough from a wheel (issue 13, Must show), timed step by step. Not part of the tests.

Builds the wheel from the committed sources (``git archive HEAD``, build isolation: setuptools ≥ 77
from the package index), installs it with its dependencies into a fresh venv (not editable: the
repository is not on that venv's path), then works in an empty folder outside the repository:

1. Berlin MSS 2021 (../shared/data/berlin_mss): ``sozialplanung neu`` on the raw LOR shapefile and
   ``mss_2021_index_indikatoren.csv`` (−9999 = missing), ``validate`` (names the empty fields),
   the user's edits (:func:`fill_berlin`: names, definitions, Themenfeld, source, Stichtag, units of
   D1–D4, parents by id prefix 6/4/2, min_population 300, sources), ``validate`` ✓, ``render`` →
   bericht.html, bericht.pdf, steckbriefe.
2. INKAR (../shared/data/inkar_kreise): ``neu`` on the raw sheet E_Schuldnerquote.xls with the VG5000
   2021 Kreise, ``validate`` (empty fields), the user's edits and the Gebietsstand fix neu asks for
   (Eisenach 16056 joined Wartburgkreis 16063 in 2021; the sheet has the 400 Kreise of 2022),
   ``validate`` ✓, and with ``--inkar-render`` also ``render``.

    python benchmarks/onboarding_wheel.py [--venv /tmp/wheelvenv] [--work /tmp/leer] [--inkar-render]

``--venv`` reuses a venv made by an earlier run (the wheel is reinstalled, dependencies kept). Each
step prints its wall time; the exit code is 1 if a step did not do what a user expects.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
TIMES: list[tuple[str, float]] = []


def step(name: str, cmd: list[str], cwd: Path, env: dict, expect: int = 0) -> subprocess.CompletedProcess:
    start = time.perf_counter()
    res = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    TIMES.append((name, took))
    mark = "✓" if res.returncode == expect else "✗"
    print(f"{mark} {name}: {took:.1f} s (Exit-Code {res.returncode})", flush=True)
    if res.returncode != expect:
        print(res.stdout[-3000:], res.stderr[-3000:], sep="\n")
        raise SystemExit(1)
    return res


def build_and_install(venv: Path, reuse: bool) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="wheel-"))
    src = tmp / "src"
    src.mkdir()
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    step("Wheel bauen (pip wheel, Build-Isolation)", [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                                                     str(tmp / "dist"), str(src)], tmp, dict(os.environ))
    (wheel,) = (tmp / "dist").glob("sozialplanung-*.whl")
    if not reuse or not (venv / "bin" / "python").exists():
        shutil.rmtree(venv, ignore_errors=True)
        step("frische venv", [sys.executable, "-m", "venv", str(venv)], tmp, dict(os.environ))
        step("Wheel mit Abhängigkeiten installieren", [str(venv / "bin" / "pip"), "install", "-q", str(wheel)], tmp,
             dict(os.environ))
    else:
        step("Wheel neu installieren (Abhängigkeiten schon da)", [str(venv / "bin" / "pip"), "install", "-q",
                                                                   "--no-deps", "--force-reinstall", str(wheel)],
             tmp, dict(os.environ))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import sozialplanung; print(sozialplanung.__file__)"],
                           cwd=tmp, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(venv)), f"sozialplanung kommt nicht aus der venv: {where}"
    print(f"  sozialplanung aus {where}")
    return env


def sub(pattern: str, repl: str, text: str) -> str:
    out, n = re.subn(pattern, repl, text, flags=re.M)
    assert n, f"nicht gefunden: {pattern}"
    return out


def fill_catalogue(path: Path, entries: dict[str, tuple[str, str, str]], theme: str, source: str, day: str) -> None:
    """What the user types into indikatoren.yaml: per key (name, definition, unit), Themenfeld, source, Stichtag."""
    text = path.read_text(encoding="utf-8")
    for key, (name, definition, unit) in entries.items():
        block = re.search(rf"^  {re.escape(key)}:\n(?:    .*\n)+", text, flags=re.M).group(0)
        new = sub(r"^    name: .*$", f'    name: "{name}"', block)
        new = sub(r"^    definition: .*$", f'    definition: "{definition}"', new)
        new = sub(r"^    themenfeld: .*$", f'    themenfeld: "{theme}"', new)
        new = sub(r"^    unit: .*$", f'    unit: "{unit}"', new)
        new = sub(r"^    source: .*$", f'    source: "{source}"', new)
        new = sub(r"^    stichtag: .*$", f'    stichtag: "{day}"', new)
        text = text.replace(block, new)
    path.write_text(text, encoding="utf-8")


def fill_berlin(folder: Path) -> None:
    fill_catalogue(folder / "indikatoren.yaml", {
        "S1": ("Arbeitslosigkeit", "Arbeitslose nach SGB II je 100 Einwohner/innen von 15 bis unter Rentenalter", "%"),
        "S3": ("Transferbezug", "Nicht arbeitslose Leistungsbeziehende nach SGB II und XII je 100 Einwohner/innen", "%"),
        "S4": ("Kinderarmut", "Unter 15-Jährige in Bedarfsgemeinschaften nach SGB II je 100 unter 15-Jährige", "%"),
        "D1": ("Veränderung Arbeitslosigkeit", "Veränderung von S1 vom 31.12.2018 zum 31.12.2020", "Prozentpunkte"),
        "D3": ("Veränderung Transferbezug", "Veränderung von S3 vom 31.12.2018 zum 31.12.2020", "Prozentpunkte"),
        "D4": ("Veränderung Kinderarmut", "Veränderung von S4 vom 31.12.2018 zum 31.12.2020", "Prozentpunkte"),
    }, "Arbeit und Transferbezug", "SenSBW Berlin, Monitoring Soziale Stadtentwicklung 2021", "2020-12-31")
    params = folder / "params.yaml"
    text = params.read_text(encoding="utf-8")
    text = sub(r'^  level: "Sozialraum"', '  level: "Planungsraum"', text)
    text = sub(r"^  parents: \[\]", "  parents:", text)
    text = sub(r"^  #  - \{level: AUSFÜLLEN, prefix: 6\}", "    - {level: Bezirksregion, prefix: 6}", text)
    text = sub(r"^  #  - \{level: AUSFÜLLEN, prefix: 4\}", "    - {level: Prognoseraum, prefix: 4}", text)
    text = sub(r"^  #  - \{level: AUSFÜLLEN, prefix: 2\}", "    - {level: Bezirk, prefix: 2}", text)
    text = sub(r"min_population: 0", "min_population: 300", text)
    text = sub(r"^sources: \[\]", 'sources: ["Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen Berlin, '
               'Monitoring Soziale Stadtentwicklung 2021 (dl-de/zero-2.0)", "Amt für Statistik Berlin-Brandenburg, '
               'LOR 2021 (CC BY 3.0 DE)"]', text)
    params.write_text(text, encoding="utf-8")


def fill_inkar(folder: Path) -> None:
    fill_catalogue(folder / "indikatoren.yaml", {"Schuldnerquote": (
        "Schuldnerquote", "Personen mit Negativmerkmalen und nachhaltigen Zahlungsstörungen je 100 Einwohner/innen "
        "ab 18 Jahren", "%")}, "Einkommen und Verschuldung", "BBSR, INKAR Ausgabe 03/2024", "2021-12-31")
    params = folder / "params.yaml"
    text = params.read_text(encoding="utf-8")
    text = sub(r'^  file: "\.\./inkar/geometry_vg5000_2021"', '  file: "../inkar/kreise_2022.gpkg"', text)
    text = sub(r'^  layer: "VG5000_KRS".*$', '  layer: "kreise"', text)
    params.write_text(text, encoding="utf-8")


EISENACH = """import geopandas as gpd
k = gpd.read_file("inkar/geometry_vg5000_2021", layer="VG5000_KRS")
merged = k[k["ARS"].isin(["16056", "16063"])].dissolve().geometry.iloc[0]
k = k[k["ARS"] != "16056"].copy()
k.loc[k["ARS"] == "16063", "geometry"] = merged
k.to_file("inkar/kreise_2022.gpkg", layer="kreise", driver="GPKG")
"""


def berlin(work: Path, env: dict) -> None:
    (work / "mss").mkdir()
    shutil.copytree(SHARED / "berlin_mss" / "geometry_lor2021_plr", work / "mss" / "geometry_lor2021_plr")
    shutil.copy(SHARED / "berlin_mss" / "mss_2021" / "mss_2021_index_indikatoren.csv", work / "mss")
    res = step("Berlin: neu", ["sozialplanung", "neu", "berlin", "--gebiete", "mss/geometry_lor2021_plr", "--daten",
                               "mss/mss_2021_index_indikatoren.csv", "--kommune", "Berlin", "-v"], work, env)
    assert "Codes für fehlende Werte: -9999" in res.stdout and "die ersten 4 Stellen" in res.stdout
    res = step("Berlin: validate (nennt die leeren Felder)", ["sozialplanung", "validate", "berlin/params.yaml"], work,
               env, expect=2)
    assert "24 Fehler" in res.stderr and "Traceback" not in res.stderr
    fill_berlin(work / "berlin")
    res = step("Berlin: validate nach dem Ausfüllen", ["sozialplanung", "validate", "berlin/params.yaml"], work, env)
    assert "542 Gebiete, 6 Indikatoren" in res.stdout
    step("Berlin: render", ["sozialplanung", "render", "berlin/params.yaml"], work, env)
    report = work / "output" / "berlin"
    for name in ("bericht.html", "bericht.pdf", "steckbriefe.pdf", "kurzfassung.pdf", "ergebnisse.xlsx"):
        size = (report / name).stat().st_size
        print(f"  {name}: {size / 1e6:.2f} MB")
    print(f"  steckbriefe/: {len(list((report / 'steckbriefe').glob('*')))} Dateien")


def inkar(work: Path, env: dict, render: bool) -> None:
    (work / "inkar").mkdir()
    shutil.copytree(SHARED / "inkar_kreise" / "geometry_vg5000_2021", work / "inkar" / "geometry_vg5000_2021")
    shutil.copy(SHARED / "inkar_kreise" / "inkar_raw_kreise" / "E_Schuldnerquote.xls", work / "inkar")
    res = step("INKAR: neu", ["sozialplanung", "neu", "kreise", "--gebiete", "inkar/geometry_vg5000_2021", "--daten",
                              "inkar/E_Schuldnerquote.xls", "--kommune", "Deutschland", "--ebene", "Kreis"], work, env)
    assert "16056 (Eisenach)" in res.stdout
    step("INKAR: validate (nennt die leeren Felder)", ["sozialplanung", "validate", "kreise/params.yaml"], work, env,
         expect=2)
    step("INKAR: Gebietsstand angleichen (Eisenach → Wartburgkreis)", [env["PATH"].split(os.pathsep)[0] + "/python",
                                                                        "-c", EISENACH], work, env)
    fill_inkar(work / "kreise")
    res = step("INKAR: validate nach dem Ausfüllen", ["sozialplanung", "validate", "kreise/params.yaml"], work, env)
    assert "400 Gebiete, 1 Indikatoren" in res.stdout
    if render:
        step("INKAR: render", ["sozialplanung", "render", "kreise/params.yaml"], work, env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir()) / "sozialplanung-wheelvenv")
    parser.add_argument("--reuse", action="store_true", help="existing --venv: only reinstall the wheel")
    parser.add_argument("--work", type=Path, default=None, help="empty folder (default: a new temporary one)")
    parser.add_argument("--inkar-render", action="store_true")
    args = parser.parse_args()
    env = build_and_install(args.venv, args.reuse)
    work = args.work or Path(tempfile.mkdtemp(prefix="leer-"))
    work.mkdir(parents=True, exist_ok=True)
    assert not any(work.iterdir()), f"{work} ist nicht leer"
    inkar(work, env, args.inkar_render)
    berlin(work, env)
    print("\n| Schritt | Sekunden |\n|---|---|\n" + "\n".join(f"| {n} | {t:.1f} |" for n, t in TIMES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
