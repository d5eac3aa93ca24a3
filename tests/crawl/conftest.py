"""A threaded http.server over a copy of the fixture site, with ETags and a log of what it saw."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import SITE
from tfmigrate.config import CrawlSettings

FAST = CrawlSettings(delay=0, retries=1, backoff_factor=0.01, connect_timeout=2, read_timeout=2, max_time=10)


@dataclass
class SiteServer:
    root: Path
    port: int
    prefix: str = "/site/"
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    login: str | None = None  # "user:password": every request must carry it (basic auth)

    def url(self, path: str = "index.html") -> str:
        return f"http://127.0.0.1:{self.port}{self.prefix}{path}"

    def requests_for(self, path: str) -> list[dict[str, str]]:
        return [headers for seen_path, headers in self.seen if seen_path == self.prefix + path]


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves the site under /site/ with strong ETags (like nginx) besides Last-Modified."""

    protocol_version = "HTTP/1.1"
    # Without this, HTTP/1.1 keep-alive responses wait on Nagle's algorithm: about 23 pages a second.
    disable_nagle_algorithm = True
    server: SiteHTTPServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        self.server.site.seen.append((self.path, dict(self.headers)))
        self.etag = None
        login = self.server.site.login
        if login and self.headers.get("Authorization") != basic_auth(login):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="teaching file"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        path = Path(self.translate_path(self.path))
        if path.is_file():
            self.etag = '"' + hashlib.sha256(path.read_bytes()).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == self.etag:
                self.send_response(304)
                self.end_headers()
                return None
        return super().send_head()

    def end_headers(self) -> None:
        if getattr(self, "etag", None):
            self.send_header("ETag", self.etag)
        super().end_headers()

    def translate_path(self, path: str) -> str:
        prefix = self.server.site.prefix
        if not path.startswith(prefix):
            return str(self.server.site.root / "__missing__")
        relative = path[len(prefix) :].split("?", 1)[0].split("#", 1)[0]
        return str(self.server.site.root / relative)


class SiteHTTPServer(ThreadingHTTPServer):
    request_queue_size = 64  # the stock listen backlog of 5 refuses concurrent clients' connections
    daemon_threads = True
    site: SiteServer


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """A copy of the fixture site that a test may change; robots.txt moves to the host root."""
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    return root


@pytest.fixture
def site_server(site_copy: Path) -> Iterator[SiteServer]:
    server = SiteHTTPServer(("127.0.0.1", 0), SiteHandler)
    server.site = SiteServer(root=site_copy, port=server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.site
    finally:
        server.shutdown()
        server.server_close()


def basic_auth(login: str) -> str:
    return "Basic " + base64.b64encode(login.encode()).decode()


def site_files(root: Path) -> set[str]:
    """Relative paths of every file of the site that a crawl should reach."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name != "robots.txt"}


def touch_later(path: Path) -> None:
    """Move a file's mtime forward, as an editor saving it would."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000_000))
