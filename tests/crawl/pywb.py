"""pywb, the reference open-source Wayback engine, run on 127.0.0.1 as the web archive of the tests.

pywb pins its own dependencies exactly (Werkzeug, which pytest-httpserver uses too, redis, webassets,
pyOpenSSL): installed beside the project's, it held their versions back. So it lives in a virtualenv
of its own, ``.venv-pywb`` at the repository's root (or the one ``TFMIGRATE_PYWB`` names), which
.ci/run makes from ``pywb-requirements.txt`` beside this file; where it is missing, the tests that
need it skip and say how to make it (under CI they fail).

How it is run: pywb's defaults, checked in its ``default_config.yaml`` and ``wayback --help``, serve
the collections under ``-d``'s ``collections/`` with Memento on; the live-web handler (``--live``),
recording (``--record``) and proxy mode (``--proxy``) are off unless asked for, and none is. It binds
0.0.0.0 by default: ``-b 127.0.0.1`` keeps it on loopback. Its process gets proxy variables naming a
closed loopback port, so that nothing in it (tldextract fetching the public suffix list) can reach
the internet; its own internal server on localhost is reached directly.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import urllib3

from tests.conftest import REPO, machine_lacks

REQUIREMENTS = Path(__file__).with_name("pywb-requirements.txt")
# pywb's gevent server writes a response's head and body apart; on a kept-alive connection each
# response then waited for the client's delayed ACK (40 ms a request: Nagle's algorithm, as with
# http.server in the crawl tests). The server is pywb's own; its connections only get TCP_NODELAY.
LAUNCHER = """
import socket, sys
from gevent.pywsgi import WSGIHandler
from pywb.apps.cli import wayback
handler_init = WSGIHandler.__init__
def init(self, sock, *args, **kwargs):
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    handler_init(self, sock, *args, **kwargs)
WSGIHandler.__init__ = init
sys.exit(wayback())
"""
CLOSED_PORT_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens there


def pywb_home() -> Path:
    """pywb's own virtualenv, or a skip (a failure under CI) that says how to make it."""
    home = Path(os.environ.get("TFMIGRATE_PYWB") or REPO / ".venv-pywb")
    if not (home / "bin" / "wayback").is_file():
        machine_lacks(
            f"pywb (the test web archive) in {home}",
            f"python3 -m venv {home} && {home}/bin/pip install -r {REQUIREMENTS.relative_to(REPO)}",
        )
    return home


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Pywb:
    """A pywb instance over the collections under ``root``."""

    def __init__(self, root: Path) -> None:
        self.home = pywb_home()
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "HTTP_PROXY": CLOSED_PORT_PROXY,
            "HTTPS_PROXY": CLOSED_PORT_PROXY,
            "NO_PROXY": "127.0.0.1,localhost",
        }

    def manage(self, *args: str | Path) -> None:
        """wb-manager in the collections' folder (init, add: copies WARC files in and indexes them)."""
        subprocess.run(
            [self.home / "bin/wb-manager", *map(str, args)],
            cwd=self.root, env=self.env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def add_collection(self, name: str, warcs: list[Path]) -> Path:
        self.manage("init", name)
        self.manage("add", name, *warcs)
        return self.root / "collections" / name

    def copy_collection(self, name: str, source: str, leave_out: list[str]) -> None:
        """A collection of the same WARC files whose index leaves out every capture of some URLs: as
        wb-manager lays one out, without a second interpreter start and indexing."""
        collections = self.root / "collections"
        (collections / name / "indexes").mkdir(parents=True)
        (collections / name / "archive").symlink_to(collections / source / "archive")
        index = (collections / source / "indexes" / "index.cdxj").read_text(encoding="utf-8").splitlines(True)
        kept = [line for line in index if json.loads(line.split(" ", 2)[2])["url"] not in leave_out]
        assert len(kept) < len(index)
        (collections / name / "indexes" / "index.cdxj").write_text("".join(kept), encoding="utf-8")

    def url(self, collection: str) -> str:
        return f"http://127.0.0.1:{self.port}/{collection}/"

    def start(self) -> None:
        self.port = free_port()
        command = [self.home / "bin/python", "-c", LAUNCHER, "-b", "127.0.0.1", "-p", str(self.port)]
        with (self.root / "wayback.log").open("wb") as log:
            self.process = subprocess.Popen(
                [*command, "-d", self.root], cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        http = urllib3.PoolManager(retries=False, timeout=2)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if http.request("GET", f"http://127.0.0.1:{self.port}/").status == 200:
                    return
            except urllib3.exceptions.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"pywb did not start: {(self.root / 'wayback.log').read_text(errors='replace')}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
