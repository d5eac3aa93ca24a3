"""Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: the
protocol's JSON messages on file descriptors 3 and 4, each ending in a NUL byte), so a test can
load a page, fill and submit its forms and read the DOM, frames included, as a person would."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.hostile.conftest import CHROMIUM_FLAGS

FLAGS = [flag for flag in CHROMIUM_FLAGS if not flag.startswith("--virtual-time-budget")]


class Browser:
    def __init__(self, chromium: str, profile: Path) -> None:
        to_browser_read, self.to_browser = os.pipe()
        self.from_browser, from_browser_write = os.pipe()

        def descriptors() -> None:
            """In the child: the pipe's ends on 3 and 4, as Chromium expects (moved above 10
            first, so that neither lands on the other). close_fds=False below: subprocess would
            close them after this runs; every other descriptor of ours is non-inheritable."""
            reading, writing = (
                fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser_read, from_browser_write)
            )
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        self.process = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            close_fds=False,
            preexec_fn=descriptors,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.buffer = b""
        self.next_id = 0
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)[
            "sessionId"
        ]
        self.call("Page.enable", session=True)

    def call(self, method: str, session: bool = False, **params: Any) -> Any:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_browser, 1 << 16)
                assert chunk, "chromium closed its pipe"
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            answer = json.loads(raw)
            if answer.get("id") == self.next_id:
                assert "error" not in answer, answer["error"]
                return answer["result"]

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        return result["result"].get("value")

    def open(self, url: str) -> None:
        self.call("Page.navigate", session=True, url=url)
        self.settle()

    def settle(self, timeout: float = 20) -> None:
        """Wait until the page (after a navigation or a form's submit) has loaded."""
        deadline = time.monotonic() + timeout
        time.sleep(0.2)
        while self.evaluate("document.readyState") != "complete":
            assert time.monotonic() < deadline, "the page did not load"
            time.sleep(0.05)
        time.sleep(0.3)  # frames and images

    def act(self, script: str) -> None:
        """Run a person's action (a click, a submit) and wait for the page it leads to."""
        self.evaluate(script)
        self.settle()

    def dom(self) -> str:
        """The whole DOM as the protocol gives it: the documents of frames (sandboxed ones too)
        included, every attribute and text."""
        return json.dumps(self.call("DOM.getDocument", session=True, depth=-1, pierce=True)["root"])

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        os.close(self.to_browser)
        os.close(self.from_browser)
