"""tfmigrate review in real Chromium: filter, open a case, correct a field and find it in
cases.jsonl; a page changed under a correction shows as a conflict; nothing from a page ever runs;
a request from another Host, without the token or without the form's token changes nothing."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from tests.hostile.conftest import chromium  # noqa: F401
from tests.hostile.test_output_safety import PAYLOADS, hostile_site
from tests.migrate.test_migrate import edit
from tests.review.browser import Browser
from tfmigrate.cli import main
from tfmigrate.corrections import CORRECTIONS_DIR
from tfmigrate.review.app import COOKIE, create_app

TOKEN = "test-token-of-this-run"


@dataclass
class App:
    out: Path
    site: Path
    server: BaseWSGIServer
    flask: Flask

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def request(self, method: str, path: str, *, host: str | None = None, cookie: bool = True,
                form: dict[str, str] | None = None) -> tuple[int, str]:  # fmt: skip
        connection = http.client.HTTPConnection("127.0.0.1", self.server.server_port, timeout=30)
        headers = {"Host": host or f"127.0.0.1:{self.server.server_port}"}
        if cookie:
            headers["Cookie"] = f"{COOKIE}={TOKEN}"
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The hostile fixture site migrated once, and the review app serving it on 127.0.0.1."""
    root = tmp_path_factory.mktemp("review")
    site, out = hostile_site(root), root / "out"
    assert main(["migrate", str(site), "--out", str(out), "-q", "--jobs", "1"]) in (0, 1)
    flask_app = create_app(out, token=TOKEN, reviewer="tester")
    server = make_server("127.0.0.1", 0, flask_app, threaded=True)
    port = server.server_port
    flask_app.config["STATE"]["hosts"] = {f"127.0.0.1:{port}", f"localhost:{port}"}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield App(out, site, server, flask_app)
    server.shutdown()


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:  # noqa: F811
    opened = Browser(chromium, tmp_path_factory.mktemp("profile"))
    yield opened
    opened.close()


def wait_for(condition: object, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def jsonl_record(out: Path, case_id: str) -> dict[str, object]:
    for line in (out / "cases.jsonl").read_text(encoding="utf-8").splitlines():
        if json.loads(line)["case_id"] == case_id:
            return json.loads(line)  # type: ignore[no-any-return]
    raise AssertionError(case_id)


def test_filter_open_a_case_correct_it_and_see_the_conflict_of_a_changed_page(
    app: App, browser: Browser
) -> None:
    browser.open(f"{app.origin}/?token={TOKEN}")
    assert browser.evaluate("document.querySelectorAll('tr.case-row').length") == 31
    browser.act(
        "document.getElementById('issue').value='procedure_missing';"
        " document.getElementById('filters').submit()"
    )
    shown = browser.evaluate("[...document.querySelectorAll('tr.case-row')].map(r => r.dataset.case)")
    expected = [json.loads(line)["case_id"] for line in (app.out / "cases.jsonl").read_text().splitlines()
                if "procedure_missing" in line]  # fmt: skip
    assert shown == expected and 0 < len(shown) < 31
    browser.act("document.getElementById('q').value='bs003'; document.getElementById('issue').value='';"
                " document.getElementById('filters').submit()")  # fmt: skip
    assert browser.evaluate("[...document.querySelectorAll('tr.case-row')].map(r => r.dataset.case)") == [
        "bs003"
    ]
    browser.act("document.querySelector('tr.case-row a').click()")
    assert browser.evaluate("location.pathname") == "/case/bs003"
    old = jsonl_record(app.out, "bs003")["diagnosis"]

    browser.act(
        "const f = document.querySelector('#field-diagnosis form');"
        " f.querySelector('textarea').value = 'Corrected in the browser';"
        " f.querySelector('button[value=save]').click()"
    )
    assert browser.evaluate("document.getElementById('saved') !== null"), browser.evaluate(
        "document.body.innerText"
    )
    assert (
        browser.evaluate("document.querySelector('#field-diagnosis textarea').value")
        == "Corrected in the browser"
    )
    line = json.loads((app.out / CORRECTIONS_DIR / "bs003.jsonl").read_text(encoding="utf-8"))
    assert (
        line["value"] == "Corrected in the browser" and line["base"] == old and line["reviewer"] == "tester"
    )
    wait_for(lambda: jsonl_record(app.out, "bs003")["diagnosis"] == "Corrected in the browser", "applied")

    # The site changes the corrected field; a migrate from the command line shows it as a conflict.
    wait_for(lambda: not app.flask.config["APPLIER"].running, "the app's run ended")
    edit(app.site / "bs003te114.html", str(old).encode(), f"{old} (revised)".encode())
    assert main(["migrate", str(app.site), "--out", str(app.out), "-q", "--jobs", "1"]) in (0, 1)
    conflicts = json.loads((app.out / "changes.json").read_text(encoding="utf-8"))["conflicts"]
    assert conflicts == [{"case_id": "bs003", "field": "diagnosis", "base": old, "new": f"{old} (revised)",
                          "corrected": "Corrected in the browser"}]  # fmt: skip
    browser.open(f"{app.origin}/?conflicts=1")
    assert browser.evaluate("[...document.querySelectorAll('tr.case-row')].map(r => r.dataset.case)") == [
        "bs003"
    ]
    browser.open(f"{app.origin}/case/bs003")
    text = browser.evaluate("document.getElementById('conflicts').innerText")
    assert f"{old} (revised)" in text and "Corrected in the browser" in text

    # Resolved in the app: the correction kept, its base now the page's new value.
    browser.act("document.querySelector('#conflicts button[value=save]').click()")
    line = json.loads((app.out / CORRECTIONS_DIR / "bs003.jsonl").read_text(encoding="utf-8"))
    assert line["value"] == "Corrected in the browser" and line["base"] == f"{old} (revised)"
    assert browser.evaluate("document.getElementById('conflicts')") is None
    wait_for(
        lambda: json.loads((app.out / "changes.json").read_text(encoding="utf-8"))["conflicts"] == [],
        "resolved",
    )


def test_no_script_of_a_page_ever_runs(app: App, browser: Browser, tmp_path: Path) -> None:
    browser.open(f"{app.origin}/case/bs125?token={TOKEN}")
    # The payloads, printed as text in the diagnosis and a caption, are text in the record's forms.
    assert (
        browser.evaluate("document.querySelector('#field-diagnosis textarea').value").count("<script>") == 1
    )
    assert browser.evaluate("document.getElementById('original').getAttribute('sandbox')") == ""
    browser.act("document.getElementById('field-diagnosis').click()")  # its place in the original
    assert "/case/bs125/original?field=diagnosis" in browser.evaluate(
        "document.getElementById('original').src"
    )
    dom = browser.dom()
    assert "tf-mark" in dom  # the frame's document, as loaded: the diagnosis's place is marked
    assert "javascript:document.body.setAttribute" in dom  # the original's live payloads are there...
    for link in ("a[href^=javascript]",):  # ...and a click on its javascript: link runs nothing either
        browser.evaluate(f"document.querySelectorAll('{link}').forEach(a => a.click())")
    time.sleep(0.5)
    assert "pwned-42" not in browser.dom()
    browser.act("document.querySelectorAll('.images figure')[1].click()")  # an image's place: by index
    assert "field=images%5B1%5D" in browser.evaluate("document.getElementById('original').src")
    assert "tf-mark" in browser.dom() and "pwned-42" not in browser.dom()
    # The same payloads do run in this browser in a page of no app: the check above can fail.
    control = tmp_path / "control.html"
    control.write_text("<html><body>" + "".join(PAYLOADS[:3]) + "</body></html>", encoding="utf-8")
    browser.open(control.as_uri())
    assert "pwned-42" in browser.dom()


def test_another_host_no_token_or_no_form_token_changes_nothing(app: App) -> None:
    status, page = app.request("GET", "/case/bs010")
    assert status == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]  # type: ignore[index]
    version = re.search(r'name="version" value="([^"]*)"', page)[1]  # type: ignore[index]
    form = {"csrf": csrf, "version": version, "field": "findings", "value": "forged", "action": "save"}
    assert app.request("POST", "/case/bs010/save", form=form, host="attacker.example")[0] == 403
    assert (
        app.request("POST", "/case/bs010/save", form=form, host=f"attacker.example:{app.server.server_port}")[
            0
        ]
        == 403
    )
    assert app.request("POST", "/case/bs010/save", form=form, cookie=False)[0] == 403
    assert app.request("POST", "/case/bs010/save", form={**form, "csrf": "x"})[0] == 403
    assert app.request("GET", "/case/bs010", cookie=False)[0] == 403
    assert not (app.out / CORRECTIONS_DIR / "bs010.jsonl").exists()


def test_a_second_tab_saving_a_stale_version_is_refused(app: App) -> None:
    status, page = app.request("GET", "/case/bs028")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]  # type: ignore[index]
    version = re.search(r'name="version" value="([^"]*)"', page)[1]  # type: ignore[index]
    first = {"csrf": csrf, "version": version, "field": "findings", "value": "first tab", "action": "save"}
    assert app.request("POST", "/case/bs028/save", form=first)[0] == 303
    second = {**first, "value": "second tab"}
    status, page = app.request("POST", "/case/bs028/save", form=second)
    assert status == 409 and "corrected elsewhere since this version was read" in page
    saved = json.loads((app.out / CORRECTIONS_DIR / "bs028.jsonl").read_text(encoding="utf-8"))
    assert saved["value"] == "first tab"


def test_the_command_serves_on_loopback_with_a_token_of_its_own(app: App) -> None:
    process = subprocess.Popen([sys.executable, "-m", "tfmigrate", "review", str(app.out)],
                               stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        match = re.fullmatch(r"tfmigrate review: http://127\.0\.0\.1:(\d+)/\?token=([\w-]{32})", url)
        assert match, url
        connection = http.client.HTTPConnection("127.0.0.1", int(match[1]), timeout=30)
        connection.request("GET", "/")
        assert connection.getresponse().status == 403  # no token
        connection.request("GET", f"/?token={match[2]}")
        answer = connection.getresponse()
        assert answer.status == 302 and f"{COOKIE}={match[2]}" in (answer.getheader("Set-Cookie") or "")
        assert "SameSite=Strict" in (answer.getheader("Set-Cookie") or "")
    finally:
        process.terminate()
        process.wait()
