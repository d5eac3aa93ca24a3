"""Reaching a site through a proxy (the environment's, or --proxy with a login) and a site behind
basic auth (the login from ~/.netrc): a real forwarding proxy and a real site on 127.0.0.1.

The site is named ``teaching-file.invalid``, a name no resolver knows (RFC 2606): only the proxy,
which maps it to the site server, can reach it, so a crawl that fetches it went through the proxy.
"""

from __future__ import annotations

import http.client
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.crawl.conftest import FAST, SiteServer, basic_auth, site_files
from tests.test_cli import run
from tfmigrate.crawl.access import SiteAccess
from tfmigrate.crawl.crawler import Crawler

SITE_NAME = "teaching-file.invalid"
# Not forwarded: they are about one connection, or (Proxy-Authorization) for the proxy alone.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authorization", "proxy-connection", "te", "trailer",
              "transfer-encoding", "upgrade", "content-length"}  # fmt: skip


class ForwardProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site_port: int, login: str | None) -> None:
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.site_port, self.login = site_port, login
        self.seen: list[str] = []  # the absolute URIs it was asked for

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class ProxyHandler(BaseHTTPRequestHandler):
    """GET http://teaching-file.invalid/...: forwarded to the site server, the answer relayed."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as the site server's: keep-alive answers would wait 40 ms each
    server: ForwardProxy

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.seen.append(self.path)
        login = self.server.login
        if login and self.headers.get("Proxy-Authorization") != basic_auth(login):
            self.send_response(407)
            self.send_header("Proxy-Authenticate", 'Basic realm="hospital proxy"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        target = urlsplit(self.path)
        if target.hostname != SITE_NAME:
            self.send_error(502, f"no route to {target.hostname}")
            return
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.site_port, timeout=5)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream.request("GET", target.path + (f"?{target.query}" if target.query else ""), headers=headers)
        answer = upstream.getresponse()
        body = answer.read()
        upstream.close()
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def start_proxy(site_server: SiteServer, login: str | None = None) -> Iterator[ForwardProxy]:
    proxy = ForwardProxy(site_server.port, login)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()


@pytest.fixture
def proxy(site_server: SiteServer) -> Iterator[ForwardProxy]:
    yield from start_proxy(site_server)


@pytest.fixture
def proxy_with_login(site_server: SiteServer) -> Iterator[ForwardProxy]:
    yield from start_proxy(site_server, login="nuclear:medicine")


def proxied_url(site_server: SiteServer, path: str = "index.html") -> str:
    return f"http://{SITE_NAME}{site_server.prefix}{path}"


def environment(**changes: str | None) -> dict[str, str]:
    """The tests' environment (no proxy, an empty netrc file: see conftest) with these changes."""
    merged = {**os.environ, **changes}
    return {name: value for name, value in merged.items() if value is not None}


def test_the_environments_proxy_carries_the_crawl(
    site_server: SiteServer, proxy: ForwardProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    start = proxied_url(site_server)
    summary = Crawler(start, tmp_path / "archive", FAST).run()
    assert summary.counts["new"] == len(site_files(site_server.root))
    assert f"http://{SITE_NAME}/robots.txt" in proxy.seen
    assert {p for p in proxy.seen if p.startswith(proxied_url(site_server, ""))} == {
        proxied_url(site_server, path) for path in [*site_files(site_server.root), "viewer/CineViewer.class"]
    }


def test_no_proxy_hosts_are_reached_directly(
    site_server: SiteServer, proxy: ForwardProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    summary = Crawler(site_server.url(), tmp_path / "archive", FAST).run()
    assert summary.counts["new"] == len(site_files(site_server.root))
    assert proxy.seen == []


def test_proxy_option_with_a_login(
    site_server: SiteServer, proxy_with_login: ForwardProxy, tmp_path: Path
) -> None:
    start = proxied_url(site_server)
    address = proxy_with_login.url.removeprefix("http://")
    # An HTTP_PROXY the option wins over: nothing listens there.
    env = environment(HTTP_PROXY="http://127.0.0.1:9")
    archive = tmp_path / "archive"
    result = run("crawl", start, "--archive", archive, "--proxy", f"http://nuclear:medicine@{address}",
                       "--delay", "0", "-q", env=env)  # fmt: skip
    assert result.returncode == 1, result.stderr  # the applet class the Java cine viewer names is lost
    assert f"new {len(site_files(site_server.root))}, changed 0" in result.stdout
    # The proxy's password is in no file of the archive (nor in the settings the state database keeps).
    assert not [p for p in archive.rglob("*") if p.is_file() and b"medicine" in p.read_bytes()]
    wrong = run("crawl", start, "--archive", tmp_path / "b", "--proxy", f"http://nuclear:x-ray@{address}",
                      "--delay", "0", "-q", env=env)  # fmt: skip
    assert wrong.returncode == 1
    assert (
        f"failed {start}: HTTP 407 Proxy Authentication Required: the proxy wants a login:"
        " --proxy http://USER:PASSWORD@HOST:PORT"
    ) in wrong.stderr.splitlines()


def test_a_bad_proxy_url_is_a_usage_error(tmp_path: Path) -> None:
    result = run("crawl", "http://127.0.0.1:9/", "--archive", tmp_path, "--proxy", "socks5://h:1080",
                       env=environment())  # fmt: skip
    assert result.returncode == 2 and "is not a proxy URL: give http://HOST:PORT" in result.stderr


@pytest.mark.parametrize("where", ["HOME", "NETRC"])
def test_a_site_behind_basic_auth_with_the_login_from_netrc(
    where: str, site_server: SiteServer, tmp_path: Path
) -> None:
    site_server.login = "archivist:s3cret-tf"
    start, archive = site_server.url(), tmp_path / "archive"
    without = run("crawl", start, "--archive", archive, "--delay", "0", "-q",
                        env=environment(HOME=str(tmp_path), NETRC=None))  # fmt: skip
    assert without.returncode == 1
    assert (
        f"failed {start}: HTTP 401 Unauthorized: the site wants a login: put it in ~/.netrc"
        " (machine HOST login USER password PASSWORD)"
    ) in without.stderr.splitlines()

    netrc = tmp_path / (".netrc" if where == "HOME" else "logins")
    netrc.write_text("machine 127.0.0.1 login archivist password s3cret-tf\n")
    netrc.chmod(0o600)  # Python refuses a ~/.netrc others may read
    env = environment(HOME=str(tmp_path), NETRC=None) if where == "HOME" else environment(NETRC=str(netrc))
    result = run("crawl", start, "--archive", archive, "--delay", "0", "-q", env=env)
    assert f"new {len(site_files(site_server.root))}, changed 0" in result.stdout, result.stderr
    # The login went to the site on every request, and into no file of the archive.
    credentials = basic_auth(site_server.login).removeprefix("Basic ").encode()
    assert not [p for p in archive.rglob("*") if p.is_file() and credentials in p.read_bytes()]
    assert not [p for p in archive.rglob("*") if p.is_file() and b"s3cret-tf" in p.read_bytes()]


def test_a_netrc_others_may_read_is_refused(site_server: SiteServer, tmp_path: Path) -> None:
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login archivist password s3cret-tf\n")
    (tmp_path / ".netrc").chmod(0o644)
    result = run("crawl", site_server.url(), "--archive", tmp_path / "a", "--delay", "0",
                       env=environment(HOME=str(tmp_path), NETRC=None))  # fmt: skip
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "cannot read the logins in ~/.netrc" in result.stderr and "too permissive" in result.stderr


def test_a_hosts_proxy_is_decided_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each request once asked the environment again whether NO_PROXY names its host (urllib reads
    every variable for it). The run decides per host, at its first request."""
    monkeypatch.setenv("HTTP_PROXY", "proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    access = SiteAccess.from_environment(None)
    assert access.proxy_for("http://gamma.wustl.edu/a.html") == "http://proxy.example:3128"
    monkeypatch.setenv("NO_PROXY", "gamma.wustl.edu")
    assert access.proxy_for("http://gamma.wustl.edu/b.html") == "http://proxy.example:3128"
    assert SiteAccess.from_environment(None).proxy_for("http://gamma.wustl.edu/b.html") is None
