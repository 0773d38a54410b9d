"""Open ``bericht.html`` in headless Chromium: no network request, no navigation, no console error.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: fd 3 in,
fd 4 out, NUL-separated JSON), with background networking disabled. Every request the page makes
is recorded (``Network.requestWillBeSent``); only the page itself and ``data:`` URIs are allowed.
Console messages, log entries (e.g. a Content-Security-Policy violation) and uncaught exceptions
fail the test. A report whose catalogue holds a ``<meta http-equiv=refresh>`` (``test_escaping.py``)
must neither request nor navigate anywhere. Skipped only outside CI when Chromium is missing; in CI
(``CI=true``) it fails.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest


pytestmark = pytest.mark.xdist_group("bericht_klein")  # shares one rendered report

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
         "--disable-extensions", "--remote-debugging-pipe"]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    if os.environ.get("CI") == "true":
        pytest.fail("Chromium fehlt in CI (apt-get install -y chromium)")
    pytest.skip("Chromium nicht installiert (nur außerhalb von CI übersprungen)")


class Pipe:
    def __init__(self, binary: str):
        to_browser_r, self._write = os.pipe()
        self._read, from_browser_w = os.pipe()
        # move the child's ends above fd 9, then let bash put them on fd 3 (commands) and fd 4 (answers)
        a, b = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser_r, from_browser_w))
        os.close(to_browser_r)
        os.close(from_browser_w)
        script = f'exec "$0" "$@" 3<&{a} 4>&{b} {a}<&- {b}>&-'
        self.proc = subprocess.Popen(
            ["bash", "-c", script, binary, *FLAGS, f"--user-data-dir={tempfile.mkdtemp()}", "about:blank"],
            pass_fds=(a, b), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(a)
        os.close(b)
        self._buffer, self._id, self.events = b"", 0, []

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 60) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._write, json.dumps(msg).encode() + b"\0")
        return self._wait(lambda m: m.get("id") == self._id, timeout)

    def _wait(self, done, timeout: float = 60) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                msg = json.loads(raw)
                if "method" in msg:
                    self.events.append(msg)
                if done(msg):
                    return msg
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium hat die Verbindung beendet")
            self._buffer += chunk
        raise TimeoutError("keine Antwort von Chromium")

    def wait_event(self, method: str, timeout: float = 60) -> dict:
        for msg in self.events:
            if msg.get("method") == method:
                return msg
        return self._wait(lambda m: m.get("method") == method, timeout)

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


NAVIGATION = {"Page.frameRequestedNavigation": "url", "Page.frameScheduledNavigation": "url",
              "Page.frameStartedNavigating": "url", "Page.navigatedWithinDocument": "url"}
"""DevTools events announcing a navigation, and the parameter with its target."""


def _visit(url: str, settle: float = 1.0) -> tuple[list[dict], str]:
    """Open ``url`` in a fresh headless Chromium: (every DevTools event, ``location.href`` after ``settle`` s)."""
    pipe = Pipe(_chromium())
    try:
        target = pipe.send("Target.createTarget", {"url": "about:blank"})["result"]["targetId"]
        session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["result"]["sessionId"]
        for domain in ("Network.enable", "Runtime.enable", "Log.enable", "Page.enable"):
            pipe.send(domain, session=session)
        pipe.send("Page.navigate", {"url": url}, session=session)
        pipe.wait_event("Page.loadEventFired")
        time.sleep(settle)
        answer = pipe.send("Runtime.evaluate", {"expression": "location.href", "returnByValue": True},
                           session=session)
        return pipe.events, answer["result"]["result"]["value"]
    finally:
        pipe.close()


def _requests(events) -> list[str]:
    return [e["params"]["request"]["url"] for e in events if e.get("method") == "Network.requestWillBeSent"]


def _navigations(events) -> list[str]:
    """Targets of every navigation Chromium announced (the page's own load included)."""
    out = [e["params"].get(NAVIGATION[e["method"]], "") for e in events if e.get("method") in NAVIGATION]
    return out + [e["params"]["frame"]["url"] for e in events if e.get("method") == "Page.frameNavigated"]


def _problems(events) -> list[dict]:
    problems = [e for e in events if e.get("method") in ("Runtime.consoleAPICalled", "Runtime.exceptionThrown")]
    return problems + [e for e in events if e.get("method") == "Log.entryAdded"
                       and e["params"]["entry"]["level"] in ("error", "warning")]


def test_bericht_html_offline_without_console_errors(bericht_klein):
    folder, *_ = bericht_klein
    url = (folder / "bericht.html").resolve().as_uri()
    events, _ = _visit(url)
    requests = _requests(events)
    assert url in requests  # the recording works
    assert [u for u in requests if not u.startswith("data:") and u != url] == []
    assert _problems(events) == []


def test_hostile_themenfeld_makes_no_request_and_no_navigation(tmp_path, hostile_report):
    """A Themenfeld ``<meta http-equiv=refresh content=0;url=https://evil.example/>X`` stays text."""
    from test_escaping import REFRESH

    folder, dp, results, pages = hostile_report
    assert REFRESH in dp.catalogue.themenfelder()
    page = tmp_path / "bericht.html"
    page.write_text(pages["bericht"], encoding="utf-8")
    url = page.resolve().as_uri()
    events, href = _visit(url, settle=2.0)
    assert href == url
    assert [u for u in _requests(events) if not u.startswith("data:")] == [url]
    assert set(_navigations(events)) == {url}
    assert _problems(events) == []


def test_meta_refresh_would_be_detected(tmp_path):
    page = tmp_path / "t.html"
    page.write_text('<!DOCTYPE html><html lang="de"><head><title>t</title></head><body><p>'
                    "<meta http-equiv=refresh content=0;url=https://evil.example/>X</p></body></html>",
                    encoding="utf-8")
    events, href = _visit(page.as_uri(), settle=2.0)
    assert "https://evil.example/" in _requests(events) + _navigations(events)
    assert href != page.as_uri()


def test_csp_violation_would_be_detected(tmp_path):
    page = tmp_path / "t.html"
    page.write_text('<!DOCTYPE html><html lang="de"><head><meta http-equiv="Content-Security-Policy" '
                    "content=\"default-src 'none'\"><title>t</title></head><body>"
                    '<img src="https://example.invalid/x.png" alt="x"></body></html>', encoding="utf-8")
    events, _ = _visit(page.as_uri(), settle=0.5)
    assert _problems(events)


# ----------------------------------------------------------------------------- the digital report (issue #12)
class Tab:
    """One page in a fresh headless Chromium, driven like a person would: keys, text, the mouse."""

    def __init__(self, url: str, *, javascript: bool = True):
        self.pipe = Pipe(_chromium())
        target = self.pipe.send("Target.createTarget", {"url": "about:blank"})["result"]["targetId"]
        self.session = self.pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["result"][
            "sessionId"]
        for domain in ("Runtime.enable", "Log.enable", "Page.enable"):
            self.send(domain)
        self.send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 900, "deviceScaleFactor": 1,
                                                         "mobile": False})
        if not javascript:
            self.send("Emulation.setScriptExecutionDisabled", {"value": True})
        self.send("Page.navigate", {"url": url})
        self.pipe.wait_event("Page.loadEventFired")

    def send(self, method: str, params: dict | None = None, timeout: float = 60) -> dict:
        answer = self.pipe.send(method, params, session=self.session, timeout=timeout)
        assert "error" not in answer, answer
        return answer.get("result", {})

    def js(self, expression: str, *, wait: bool = False, timeout: float = 60):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": wait}, timeout)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def key(self, name: str, code: int):
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": name, "code": name,
                                                 "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code,
                                                 **({"text": "\r"} if name == "Enter" and kind == "keyDown" else {})})

    def type(self, text: str):
        self.send("Input.insertText", {"text": text})

    def mouse(self, x: float, y: float):
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})

    def close(self):
        self.pipe.close()


@pytest.fixture
def tab(bericht_klein):
    folder, *_ = bericht_klein
    page = Tab((folder / "bericht.html").resolve().as_uri())
    yield page
    page.close()


def _source_titles(folder, label: str) -> list[str]:
    """The area titles of the map whose alt text starts with ``label``, from the written file (not the DOM)."""
    import html
    import re

    page = (folder / "bericht.html").read_text(encoding="utf-8")
    start = page.index(f'aria-label="{label}')
    svg = page[start:page.index("</svg>", start)]
    return [html.unescape(t) for t in re.findall(r"<title>([^<]*)</title>", svg)]


MAP = "Karte: Arbeitslosigkeit,"
"""Alt text start of the Arbeitslosigkeit map (S1) in its Themenfeld."""
FIND_MAP = f'[...document.querySelectorAll("svg[aria-label]")].find(s => s.getAttribute("aria-label").startsWith({MAP!r}))'


def test_search_for_an_area_jumps_to_its_steckbrief(tab):
    assert tab.js('!document.getElementById("suche").hidden')  # the script shows the search box
    tab.js('document.getElementById("suche-feld").focus()')
    tab.type("Stülerstraße")
    assert tab.js('document.querySelector("#suche-treffer a").getAttribute("href")') == "#steckbrief-01100101"
    tab.key("Enter", 13)
    assert tab.js("location.hash") == "#steckbrief-01100101"
    assert tab.js("document.activeElement.id") == "steckbrief-01100101"
    assert "Stülerstraße" in tab.js("document.activeElement.querySelector('h3, h2').textContent")
    assert tab.js("Math.abs(document.activeElement.getBoundingClientRect().top) < 50")  # scrolled to it
    tab.js('document.getElementById("suche-feld").value = ""; document.getElementById("suche-feld").focus()')
    tab.type("01100101")  # by id
    tab.key("Enter", 13)
    assert tab.js("document.activeElement.id") == "steckbrief-01100101"


def test_hovering_an_area_of_the_map_shows_its_title(tab, bericht_klein):
    titles = _source_titles(bericht_klein[0], MAP)
    assert len(titles) == 16
    tab.js(f"{FIND_MAP}.scrollIntoView({{block: 'center'}})")
    points = tab.js(f"""[...{FIND_MAP}.querySelectorAll('.gebiet')].map(a => {{
        const r = a.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
        const hit = document.elementFromPoint(x, y);
        return hit && hit.closest('.gebiet') === a ? [x, y, a.getAttribute('data-titel')] : null; }})""")
    hits = [p for p in points if p]
    assert len(hits) >= 8, points  # most areas are hit at the centre of their box
    for x, y, expected in hits[:4]:
        tab.mouse(x, y)
        assert tab.js('!document.getElementById("karten-titel").hidden')
        assert tab.js('document.getElementById("karten-titel").textContent') == expected
        assert expected in titles
    tab.mouse(2, 2)
    assert tab.js('document.getElementById("karten-titel").hidden')


def test_tab_reaches_every_map_area_with_visible_focus_and_title(tab, bericht_klein):
    titles = _source_titles(bericht_klein[0], MAP)
    tab.js("""window.seen = []; document.addEventListener('focusin', e => {
        const a = e.target, path = a.querySelector && a.querySelector('path'), tip = document.getElementById('karten-titel');
        window.seen.push({area: a.classList.contains('gebiet'), title: a.getAttribute('data-titel'),
          map: a.closest('svg') ? a.closest('svg').getAttribute('aria-label') : null,
          tip: tip.hidden ? null : tip.textContent, stroke: path ? getComputedStyle(path).stroke : null,
          width: path ? getComputedStyle(path).strokeWidth : null}); });""")
    n_areas = tab.js("document.querySelectorAll('.gebiet').length")
    n_stops = tab.js("document.querySelectorAll('a[href], button, input, summary, [tabindex=\"0\"]').length")
    assert n_areas >= 16 * 3  # every map of the small report
    for _ in range(n_stops + 5):
        tab.key("Tab", 9)
    seen = tab.js("window.seen")
    areas = [s for s in seen if s["area"]]
    assert len(areas) == n_areas  # each map area once, none skipped
    in_map = [s for s in areas if s["map"].startswith(MAP)]
    assert sorted(s["title"] for s in in_map) == sorted(titles)
    for s in in_map:
        assert s["tip"] == s["title"]  # focus shows the title
        assert s["stroke"] == "rgb(11, 87, 208)" and s["width"] == "4px"  # visible focus


def test_enter_on_a_map_area_opens_its_steckbrief(tab):
    href = tab.js(f"{FIND_MAP}.querySelector('a.gebiet').getAttribute('href')")
    assert href.startswith("#steckbrief-")
    tab.js(f"{FIND_MAP}.querySelector('a.gebiet').focus()")
    tab.key("Enter", 13)
    assert tab.js("location.hash") == href
    assert tab.js(f"document.getElementById({href[1:]!r}).getBoundingClientRect().top") < 50


def test_tables_sort_by_a_column(tab):
    table = f"{FIND_MAP}.closest('figure').querySelector('details table')"
    values = f"[...{table}.tBodies[0].rows].map(r => r.cells[2].textContent)"
    before = tab.js(values)
    tab.js(f"{table}.tHead.rows[0].cells[0].querySelector('button').click()")
    ids = tab.js(f"[...{table}.tBodies[0].rows].map(r => r.cells[0].textContent)")
    assert ids == sorted(ids) and tab.js(f"{table}.tHead.rows[0].cells[0].getAttribute('aria-sort')") == "ascending"
    tab.js(f"{table}.tHead.rows[0].cells[2].querySelector('button').click()")
    tab.js(f"{table}.tHead.rows[0].cells[2].querySelector('button').click()")
    after = tab.js(values)
    numbers = [float(v.split("\xa0")[0].replace(".", "").replace(",", ".")) for v in after if v[0].isdigit()]
    assert numbers == sorted(numbers, reverse=True) and sorted(after) == sorted(before)


def test_without_javascript_the_content_stays_reachable(bericht_klein):
    folder, *_ = bericht_klein
    page = Tab((folder / "bericht.html").resolve().as_uri(), javascript=False)
    try:
        assert page.js('document.getElementById("suche").hidden')  # no dead search box
        assert page.js("document.getElementById('karten-titel')") is None
        assert page.js("document.querySelectorAll('a.gebiet > title').length") >= 16  # the browser's own tooltip
        assert page.js("document.querySelectorAll('details.kartenwerte table').length") >= 3
        assert page.js("document.querySelectorAll('#steckbriefe .steckbrief').length") == 16
    finally:
        page.close()


def _axe_source() -> str:
    """axe-core as shipped in the PyPI package axe-playwright-python (read from disk, nothing fetched)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("axe_playwright_python")
    assert spec is not None, "axe-playwright-python fehlt (Testabhängigkeit in pyproject.toml)"
    return (Path(next(iter(spec.submodule_search_locations))) / "axe.min.js").read_text(encoding="utf-8")


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe(tab) -> list[dict]:
    tab.js(_axe_source())
    assert tab.js("axe.version").startswith("4.")
    return tab.js(f"""axe.run(document, {{runOnly: {{type: 'tag', values: {AXE_TAGS}}}, resultTypes: ['violations']}})
        .then(r => r.violations.map(v => ({{id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)}})))""", wait=True,
        timeout=900)  # colour contrast of ~13,000 elements: 20 s on an idle machine, minutes under load


def test_axe_finds_no_wcag21_aa_violation(tab):
    tab.js("document.querySelectorAll('details').forEach(d => d.open = true)")  # check the folded tables too
    assert _axe(tab) == []


def test_axe_would_find_a_violation(tmp_path):
    page = tmp_path / "t.html"
    page.write_text('<!DOCTYPE html><html lang="de"><head><title>t</title></head><body><main>'
                    '<p style="color:#aaa;background:#fff">blass</p><svg role="img"><path d="M0 0h9v9z"/></svg>'
                    "</main></body></html>", encoding="utf-8")
    tab = Tab(page.as_uri())
    try:
        assert {v["id"] for v in _axe(tab)} >= {"color-contrast", "svg-img-alt"}
    finally:
        tab.close()
