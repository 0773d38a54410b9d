"""The batch engine: failures stay local, lines in finishing order, retries after a killed worker,
incremental reruns, Dask clusters (local and started separately), German errors, exit codes.

The notebooks are tiny real notebooks (tests/batchkit.py) run by papermill in real kernels; the
reports are real Berlin params without analyses, so a batch takes seconds, not minutes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sozialplanung.publish.batch import expand_params, render_task, run_batch
from sozialplanung.publish.render import render_one
from sozialplanung.cli import main
from sozialplanung.data.manifest import read_manifest, sha256
from batchkit import berlin_params, tiny_notebooks
from conftest import REPO, edit_yaml

WAIT_FOR_PANKOW = """\
import time
from pathlib import Path
if "mitte" in params_file:  # finishes only after Pankow is published
    end = time.time() + 120
    while not (Path(output_dir).parent / "berlin-pankow" / "manifest.json").exists() and time.time() < end:
        time.sleep(0.2)"""
CRASH_SPANDAU = 'if "spandau" in params_file:\n    raise ValueError("kaputt in Spandau")'


def cli(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "sozialplanung.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def assert_complete(report: Path) -> None:
    """Every file listed in the manifest is there with its hash, and nothing else: never half-written."""
    manifest = read_manifest(report)
    files = {str(p.relative_to(report)) for p in report.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert files == set(manifest["ausgaben"])
    assert all(sha256(report / rel) == digest for rel, digest in manifest["ausgaben"].items())


def test_failures_stay_local_and_lines_come_in_finishing_order(tmp_path):
    """Mitte (first argument) waits for Pankow; Spandau's notebook raises; Neukölln's params are broken."""
    notebooks = tiny_notebooks(tmp_path / "nb", **{"02_sozialraumanalyse": CRASH_SPANDAU,
                                                   "09_sozialbericht": WAIT_FOR_PANKOW})
    files = berlin_params(tmp_path, "mitte", "pankow", "spandau", "neukoelln")
    edit_yaml(files[3], "report_year: 2021", "report_year: zwanzig")
    out = tmp_path / "output"
    res = cli("render", *files, "--ausgabe", out, "--notebooks", notebooks, "--workers", "2")
    assert res.returncode == 1, res.stderr
    lines = [line for line in res.stdout.split("\nZusammenfassung")[0].splitlines() if line[:1] in "✓✗"]
    assert [line.split()[1] for line in lines if line.startswith("✓")] == [str(files[1]), str(files[0])]
    assert lines.index(next(x for x in lines if "pankow" in x)) < lines.index(next(x for x in lines if "mitte" in x))
    spandau = next(x for x in lines if "spandau" in x)
    assert "Notebook 02_sozialraumanalyse.ipynb, Zelle 4: ValueError: kaputt in Spandau" in spandau
    assert "ganze Zahl" in next(x for x in lines if "neukoelln" in x)
    assert "4 Berichte in" in res.stdout and "2 erstellt, 0 übersprungen (unverändert), 2 fehlgeschlagen" in res.stdout
    assert f"Fehlgeschlagen: {files[3]}, {files[2]}" in res.stderr  # broken params: found before the cluster starts
    assert "KeyboardInterrupt" not in res.stderr + res.stdout and "[IPKernelApp]" not in res.stderr
    for slug in ("berlin-mitte", "berlin-pankow"):
        assert_complete(out / slug)
    assert not (out / "berlin-spandau").exists() and not (out / "berlin-neukoelln").exists()
    assert (out / ".fehler" / "berlin-spandau" / "notebooks" / "02_sozialraumanalyse.ipynb").is_file()
    assert not [p for p in out.iterdir() if ".neu-" in p.name or ".alt-" in p.name]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "kaputt in Spandau" in index and 'href="berlin-pankow/bericht.html"' in index


def test_killed_worker_is_retried_and_nothing_half_written(tmp_path):
    """SIGKILL of the worker rendering Mitte: the scheduler runs Mitte again, every report completes."""
    marker = tmp_path / "worker.pid"
    victim = (f'import os, time\nfrom pathlib import Path\nmarker = Path({str(marker)!r})\n'
              'if "mitte" in params_file and not marker.exists():\n'
              '    marker.write_text(os.environ["JPY_PARENT_PID"])\n    time.sleep(300)')
    notebooks = tiny_notebooks(tmp_path / "nb", **{"02_sozialraumanalyse": victim})
    files = berlin_params(tmp_path, "mitte", "spandau", "pankow")
    out = tmp_path / "output"
    killed = []

    def kill_when_ready():
        end = time.time() + 300
        while not marker.exists() and time.time() < end:
            time.sleep(0.1)
        time.sleep(0.5)
        pid = int(marker.read_text())
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    killer = threading.Thread(target=kill_when_ready, daemon=True)
    killer.start()
    results = run_batch([str(f) for f in files], output_root=out, notebooks=notebooks, workers=2)
    killer.join(5)
    assert killed and killed[0] != os.getpid()
    assert [r.status for r in results if "mitte" in r.params_file] == ["ok"]
    assert all(r.status == "ok" for r in results), [r.message for r in results]
    for slug in ("berlin-mitte", "berlin-spandau", "berlin-pankow"):
        assert_complete(out / slug)
    assert not [p for p in out.iterdir() if ".neu-" in p.name or ".alt-" in p.name]


def test_unchanged_reports_are_skipped(tmp_path):
    """The worker's task, here in-process: skipped while params, inputs, texts and notebooks are unchanged;
    each change (params, a chapter text, a notebook) and ``force`` render again."""
    notebooks = tiny_notebooks(tmp_path / "nb")
    [mitte] = berlin_params(tmp_path, "mitte")
    texts = mitte.parent / "texte"
    edit_yaml(mitte, "texts: null", "texts: texte")
    out = tmp_path / "output"

    def run(force=False):
        return render_task(str(mitte), str(out), str(notebooks), 60, force).status

    assert run() == "ok"
    before = read_manifest(out / "berlin-mitte")["zeitpunkt"]
    assert run() == "übersprungen"
    assert read_manifest(out / "berlin-mitte")["zeitpunkt"] == before
    edit_yaml(mitte, "report_year: 2021", "report_year: 2021  # geändert")
    assert run() == "ok"
    (texts / "einleitung.md").write_text("Ein neuer Text.", encoding="utf-8")  # Mitte's chapter text
    assert run() == "ok"
    nb = notebooks / "09_sozialbericht.ipynb"
    nb.write_text(nb.read_text(encoding="utf-8").replace("print(", "print('neu', "), encoding="utf-8")
    assert run() == "ok"
    assert run() == "übersprungen"
    assert run(force=True) == "ok"


def test_report_time_limit(tmp_path):
    """A hanging notebook fails its report after ``timeout`` seconds; nothing is published."""
    notebooks = tiny_notebooks(tmp_path / "nb", **{"02_sozialraumanalyse": "import time\ntime.sleep(3600)"})
    out = tmp_path / "output"
    start = time.monotonic()
    result = render_task(str(berlin_params(tmp_path, "mitte")[0]), str(out), str(notebooks), 8, False)
    assert result.status == "fehler" and time.monotonic() - start < 60
    assert "Zeitlimit von 8 s für den Bericht überschritten (Notebook 02_sozialraumanalyse.ipynb)" in result.message
    assert not (out / "berlin-mitte").exists() and (out / ".fehler" / "berlin-mitte").is_dir()


def test_batch_on_a_separately_started_scheduler(tmp_path):
    """``--scheduler``: a ``dask scheduler`` and a ``dask worker`` started here, on 127.0.0.1 only."""
    scheduler_file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs = [subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(scheduler_file)], stderr=subprocess.DEVNULL)]
    try:
        end = time.time() + 60
        while not scheduler_file.exists() and time.time() < end:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--host",
                                       "127.0.0.1", "--nthreads", "1", "--no-dashboard"], stderr=subprocess.DEVNULL))
        notebooks = tiny_notebooks(tmp_path / "nb")
        files = berlin_params(tmp_path, "mitte", "pankow")
        out = tmp_path / "output"
        res = cli("render", *files, "--ausgabe", out, "--notebooks", notebooks, "--scheduler", address)
        assert res.returncode == 0, res.stdout + res.stderr
        assert "2 erstellt" in res.stdout
        for slug in ("berlin-mitte", "berlin-pankow"):
            assert_complete(out / slug)
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(30)


def test_unreachable_scheduler_is_a_usage_error(tmp_path):
    notebooks = tiny_notebooks(tmp_path / "nb")
    res = cli("render", *berlin_params(tmp_path, "mitte"), "--ausgabe", tmp_path / "out", "--notebooks", notebooks,
              "--scheduler", "tcp://127.0.0.1:9", cwd=tmp_path)
    assert res.returncode == 2 and "Der Dask-Scheduler „tcp://127.0.0.1:9“ ist nicht erreichbar" in res.stderr


@pytest.mark.parametrize("where", ["/sys/sozialplanung-ausgabe", "/sys"])
def test_output_folder_not_writable(tmp_path, where):
    notebooks = tiny_notebooks(tmp_path / "nb")
    res = cli("render", *berlin_params(tmp_path, "mitte"), "--ausgabe", where, "--notebooks", notebooks)
    assert res.returncode == 2
    assert f"In den Ausgabeordner „{where}“ kann nicht geschrieben werden" in res.stderr
    assert "Traceback" not in res.stderr and "Interner Fehler" not in res.stderr


def test_output_folder_is_created_from_another_working_directory(tmp_path):
    """No ``output`` folder in the working directory: it is created there, no FileNotFoundError."""
    notebooks = tiny_notebooks(tmp_path / "nb")
    work = tmp_path / "anderswo"
    work.mkdir()
    bad = berlin_params(tmp_path, "mitte")[0]
    edit_yaml(bad, "report_year: 2021", "report_year: zwanzig")
    res = cli("render", bad, "--notebooks", notebooks, "-q", "--parallel", "1", cwd=work)
    assert res.returncode == 1, res.stderr
    assert "Hinweis: --parallel heißt jetzt --workers (verwendet: --workers 1)." in res.stderr
    assert "ganze Zahl" in res.stderr and "Traceback" not in res.stderr and res.stdout == ""
    assert (work / "output" / "index.html").is_file()


def test_usage_errors_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["render", "params/berlin/mitte.yaml", "--workers", "0"])
    assert exc.value.code == 2 and "„0“ ist keine ganze Zahl ≥ 1" in capsys.readouterr().err
    assert main(["render", "params/gibt_es_nicht/*.yaml"]) == 2
    assert "Keine Parameterdatei passt zu „params/gibt_es_nicht/*.yaml“" in capsys.readouterr().err
    assert main(["render", "params/berlin/mitte.yaml", "--notebooks", str(tmp_path)]) == 2
    assert "Notebook „01_datenpruefung.ipynb“ fehlt" in capsys.readouterr().err
    assert main(["render", "params/berlin/mitte.yaml", "--scheduler", "tcp://127.0.0.1:9", "--workers", "2"]) == 2


def test_globs_are_expanded_when_the_shell_did_not():
    files = expand_params([str(REPO / "params" / "berlin" / "*.yaml")])
    assert len(files) == 13 and files == sorted(files)


# -- batch over a level of the areas (issue 16): one report per Kreis ---------------------------------

KREISE = REPO / "params" / "deutschland" / "kreise-gemeinden.yaml"


def test_batch_params_expand_to_one_report_per_kreis():
    from sozialplanung.config.params import read_params

    every = expand_params([str(KREISE)])
    assert len(every) == 400 and every[0] == f"{KREISE}#01001" and every[-1] == f"{KREISE}#16077"
    assert expand_params([f"{KREISE}#07111, 03451"]) == [f"{KREISE}#07111", f"{KREISE}#03451"]
    assert expand_params([str(KREISE)], only=["07232"]) == [f"{KREISE}#07232"]
    unit = read_params(f"{KREISE}#07232")
    assert (unit.kommune, unit.bezugsname, unit.slug) == ("Eifelkreis Bitburg-Prüm", "Deutschland",
                                                          "eifelkreis-bitburg-pruem-07232")
    assert (unit.berichtsgebiet.level, unit.berichtsgebiet.ids, unit.bezugsgesamtheit) == ("Kreis", ["07232"], None)
    assert unit.ref == f"{KREISE}#07232" and unit.path == str(KREISE)


def test_batch_errors_are_german(tmp_path, capsys):
    from sozialplanung.config.params import read_params
    from sozialplanung.errors import SozialplanungError

    assert main(["render", str(KREISE), "--nur", "07111,07999", "--ausgabe", str(tmp_path / "out")]) == 2
    assert "Die Einheit „07999“ gibt es auf der Ebene Kreis nicht" in capsys.readouterr().err

    with pytest.raises(SozialplanungError, match="Die Einheit „07999“ gibt es auf der Ebene Kreis nicht") as exc:
        read_params(f"{KREISE}#07999")
    assert "Vorhanden sind 400 Einheiten" in exc.value.hint
    with pytest.raises(SozialplanungError, match="hat kein Feld „batch“"):
        expand_params([str(REPO / "params" / "berlin" / "mitte.yaml")], only=["01"])
    for old, new, message in [("batch: {level: Kreis}", "batch: {level: Gemeinde}", "kein Stapel laufen"),
                              ("batch: {level: Kreis}", "batch: {ebene: Kreis}", "ebene"),
                              ("batch: {level: Kreis}", "batch: {level: Kreis}\nberichtsgebiet: {level: Land, ids: ['07']}",
                               "schließen sich aus")]:
        params = tmp_path / "k.yaml"
        params.write_text(KREISE.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        with pytest.raises(SozialplanungError, match=message):
            read_params(params)


def test_two_small_kreise_with_the_batch_engine(tmp_path):
    """A kreisfreie Stadt (Koblenz, one Gemeinde) and Ammerland (six): one folder each, own Berichtsgebiet,
    the same Datenschutz for both (all of Germany protected together), both on the index page."""
    notebooks = tiny_notebooks(tmp_path / "nb")
    out = tmp_path / "output"
    res = cli("render", f"{KREISE}#07111,03451", "--ausgabe", out, "--notebooks", notebooks, "--workers", "1")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "2 Berichte in" in res.stdout and "2 erstellt" in res.stdout
    for slug, n in [("koblenz-07111", 1), ("ammerland-03451", 6)]:
        assert_complete(out / slug)
        manifest = read_manifest(out / slug)
        assert manifest["bericht"]["gebiete"] == n
        assert manifest["parameter"]["berichtsgebiet"]["ids"] == [slug[-5:]]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="koblenz-07111/bericht.html"' in index and 'href="ammerland-03451/bericht.html"' in index


SHOW_FIGURES_AND_TABLES = """\
import json
from pathlib import Path
from sozialplanung.data.datenpaket import load_datenpaket
from sozialplanung.report import bericht, model, steckbrief
from sozialplanung.viz import atlas
drawn, locator = [], atlas.SteckbriefLocators.__call__
atlas.SteckbriefLocators.__call__ = lambda self, gid: drawn.append(gid) or locator(self, gid)
dp = load_datenpaket(params_file)
docs = {"steckbriefe": steckbrief.volume(dp, bericht.compute_results(dp, output_dir))}
staging = Path(output_dir).resolve()
seen = staging.parents[1] / "vergleich" / staging.parent.name / dp.params.slug  # outside the published report
seen.mkdir(parents=True)
blocks = [b for doc in docs.values() for b in model.walk(doc.blocks)]
for b in blocks:
    if isinstance(b, model.Figure) and b.role == "lage":
        (seen / (b.key + ".svg")).write_text(b.svg, encoding="utf-8")
(seen / "tabellen.txt").write_text("\\n".join(repr(b) for b in blocks if isinstance(b, model.Table)), encoding="utf-8")
(seen / "gezeichnet.json").write_text(json.dumps(drawn), encoding="utf-8")"""


def test_figures_shared_in_a_batch_are_identical_to_a_solo_render(tmp_path):
    """Two views of Mitte sharing areas (a Prognoseraum and one of its Bezirksregionen) in one batch: each
    locator map of their Steckbriefe is drawn once for both (kept beside the reports, never in them); the SVGs
    and tables are byte for byte those of solo renders."""
    notebooks = tiny_notebooks(tmp_path / "nb", **{"09_sozialbericht": SHOW_FIGURES_AND_TABLES})
    mitte, = berlin_params(tmp_path, "mitte")
    views = {}
    for slug, level, pid in (("berlin-0110", "Prognoseraum", "0110"), ("berlin-011001", "Bezirksregion", "011001")):
        views[slug] = mitte.with_name(f"{slug}.yaml")
        views[slug].write_text(mitte.read_text(encoding="utf-8").replace("slug: berlin-mitte", f"slug: {slug}")
                               .replace('level: Bezirk\n  ids: ["01"]', f'level: {level}\n  ids: ["{pid}"]'),
                               encoding="utf-8")
    big, small = views
    res = subprocess.run([sys.executable, "-m", "sozialplanung.cli", "render", *views.values(), "--ausgabe",
                          tmp_path / "stapel", "--notebooks", notebooks, "--workers", "2", "-q"],
                         capture_output=True, text=True, cwd=REPO, timeout=1800)
    assert res.returncode == 0, res.stdout + res.stderr
    for slug, params in views.items():  # solo: each in its own output folder, no cluster needed
        render_one(params, output_root=tmp_path / f"allein-{slug}", notebooks=notebooks)
    seen = tmp_path / "vergleich"
    drawn = {root: {slug: json.loads((seen / root / slug / "gezeichnet.json").read_text()) for slug in views
                    if (seen / root / slug).is_dir()} for root in ("stapel", *(f"allein-{s}" for s in views))}
    n_big, n_small = len(drawn[f"allein-{big}"][big]), len(drawn[f"allein-{small}"][small])
    assert 1 < n_small < n_big
    batch = [gid for ids in drawn["stapel"].values() for gid in ids]
    assert sorted(batch) == sorted(drawn[f"allein-{big}"][big])  # each area's map drawn once for both
    assert len(list((tmp_path / "stapel" / ".ergebnisse").glob("*/abbildungen/lage-*.json"))) == n_big
    for slug, n in ((big, n_big), (small, n_small)):
        files = sorted(p.name for p in (seen / f"allein-{slug}" / slug).iterdir() if p.suffix != ".json")
        assert len(files) == n + 1  # the locator maps and the tables
        for name in files:
            assert (seen / "stapel" / slug / name).read_bytes() == (seen / f"allein-{slug}" / slug / name).read_bytes()
        report = tmp_path / "stapel" / slug
        assert_complete(report)  # the leak scan reads every file of the folder (hidden ones skipped): none is hidden
        assert not [p for p in report.rglob("*") if any(part.startswith(".") for part in p.relative_to(report).parts)]


def test_a_cluster_that_does_not_stop_cleanly_does_not_fail_the_batch():
    """After the last report, a ``TimeoutError`` while closing the client or cluster is a warning, not a crash."""
    from sozialplanung.errors import SozialplanungWarning
    from sozialplanung.publish.batch import _client

    class Stuck:
        def close(self):
            raise TimeoutError("worker did not stop")

    client = _client(None, 1)
    client.client, client.cluster = Stuck(), Stuck()
    with pytest.warns(SozialplanungWarning, match="nicht sauber beenden"):
        client.__exit__(None, None, None)
