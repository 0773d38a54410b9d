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

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._write, json.dumps(msg).encode() + b"\0")
        return self._wait(lambda m: m.get("id") == self._id)

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
