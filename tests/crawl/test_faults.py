"""The crawler against real servers on 127.0.0.1 that misbehave: retries, stalls, resets, short
bodies, redirect loops, off-scope redirects, robots.txt, oversized bodies and gzip bombs.

HTTP-level faults use pytest-httpserver; faults below HTTP (a reset, a stall, a body shorter than
its Content-Length) use a bare socket server whose routes write whatever bytes they like.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import socket
import sqlite3
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from werkzeug import Request, Response

from tests.test_cli import run
from tfmigrate.config import CrawlSettings
from tfmigrate.crawl.archive import WARC_DIR
from tfmigrate.crawl.crawler import Crawler, CrawlSummary
from tfmigrate.crawl.index import ArchiveIndex
from tfmigrate.crawl.state import STATE_FILE

MB = 1024 * 1024
CHUNK = 64 * 1024  # what the crawler reads at a time: a cap may overshoot by one chunk


# --- settings and running a crawl ----------------------------------------------------------------


def fast(**overrides: Any) -> CrawlSettings:
    """Settings that keep each crawl to a few seconds even when every fault fires."""
    values: dict[str, Any] = {
        "delay": 0,
        "retries": 2,
        "backoff_factor": 0.01,
        "connect_timeout": 2,
        "read_timeout": 1,
        "max_time": 5,
    }
    return CrawlSettings(**{**values, **overrides})


@dataclass
class Crawl:
    summary: CrawlSummary
    rows: dict[str, dict[str, Any]]  # the state database's urls table, by URL
    archive: Path

    def outcome(self, url: str) -> str | None:
        return self.rows[url]["outcome"]

    def reason(self, url: str) -> str:
        return str(self.rows[url]["reason"] or "")

    def responses(self, url: str) -> list[tuple[StatusAndHeaders, bytes]]:
        """(WARC headers, payload as stored) of every response record archived for the URL."""
        found = []
        for path in sorted((self.archive / WARC_DIR).glob("*.warc.gz")):
            with path.open("rb") as handle:
                for record in ArchiveIterator(handle):
                    if (
                        record.rec_type == "response"
                        and record.rec_headers.get_header("WARC-Target-URI") == url
                    ):
                        found.append((record.rec_headers, record.raw_stream.read()))
        return found


def crawl(start: str, archive: Path, **overrides: Any) -> Crawl:
    summary = Crawler(start, archive, fast(**overrides)).run()
    with closing(sqlite3.connect(archive / STATE_FILE)) as db:
        db.row_factory = sqlite3.Row
        rows = {row["url"]: dict(row) for row in db.execute("SELECT * FROM urls")}
    return Crawl(summary, rows, archive)


def crawl_within(seconds: float, start: str, archive: Path, **overrides: Any) -> Crawl:
    """A crawl that must end within ``seconds``; the test fails (rather than hangs) if it does not."""
    done: list[Crawl | BaseException] = []

    def run() -> None:
        try:
            done.append(crawl(start, archive, **overrides))
        except BaseException as exc:  # handed to the test's thread below
            done.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert done, f"the crawl had not finished after {seconds} s"
    if isinstance(done[0], BaseException):
        raise done[0]
    return done[0]


def page(*hrefs: str) -> str:
    return "<html><body>" + "".join(f'<a href="{href}">{href}</a>\n' for href in hrefs) + "</body></html>"


# --- pytest-httpserver on 127.0.0.1 ----------------------------------------------------------------


@pytest.fixture(scope="module")
def http_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1")  # the plugin's default, "localhost", may resolve to ::1
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def httpserver(http_server: HTTPServer) -> HTTPServer:
    """A clean server for each test; anything it has no handler for (robots.txt too) is a 404."""
    http_server.clear()
    http_server.no_handler_status_code = 404
    return http_server


def serve(server: HTTPServer, pages: dict[str, str]) -> None:
    for path, html in pages.items():
        server.expect_request(path).respond_with_data(html, content_type="text/html")


def requested(server: HTTPServer) -> list[str]:
    return [request.full_path.rstrip("?") for request, _ in server.log]


def stamped(times: list[float], body: str | bytes, status: int = 200, **headers: str) -> Callable[..., Any]:
    """A handler that notes when each request arrived."""

    def handle(request: Request) -> Response:
        times.append(time.monotonic())
        return Response(body, status=status, headers=headers, content_type="text/html")

    return handle


# --- a bare socket server for faults below HTTP -----------------------------------------------------

Route = Callable[[socket.socket, threading.Event], None]


def send(data: bytes) -> Route:
    """Write these bytes, then close the connection."""

    def route(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(data)

    return route


def reply(status: str, body: bytes, content_type: str = "text/html") -> Route:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    return send(head.encode() + b"Connection: close\r\n\r\n" + body)


def stall(conn: socket.socket, stop: threading.Event) -> None:
    """Headers and the first bytes of the body, then nothing until the server closes."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n<html>")
    stop.wait(30)


def trickle(conn: socket.socket, stop: threading.Event) -> None:
    """Headers, then a byte of body every 0.2 s: every read is quick, the body never ends."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
    while not stop.wait(0.2):
        conn.sendall(b"x")


def reset(conn: socket.socket, stop: threading.Event) -> None:
    """Close with SO_LINGER 0: the kernel answers the request with a TCP RST."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


class RawServer:
    """A TCP server on 127.0.0.1: each request path has a route that writes the raw response."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.routes: dict[str, Route] = {}
        self.seen: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.listener.close()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                path = request.split(b" ", 2)[1].decode()
                self.seen.append(path)
                self.routes.get(path, reply("404 Not Found", b"not found", "text/plain"))(conn, self.stop)
            except OSError:
                pass  # the crawler gave up on this connection: that is the point of these routes


@pytest.fixture
def raw() -> Iterator[RawServer]:
    server = RawServer()
    yield server
    server.close()


def raw_site(server: RawServer, faults: dict[str, Route]) -> None:
    """/site/index.html linking every fault and /site/ok.html, a page that works."""
    server.routes.update(faults)
    server.routes["/site/index.html"] = reply(
        "200 OK", page(*[p.removeprefix("/site/") for p in faults], "ok.html").encode()
    )
    server.routes["/site/ok.html"] = reply("200 OK", b"<html>fine</html>")


# --- retries ----------------------------------------------------------------------------------------


def test_500_once_then_200_is_retried(httpserver: HTTPServer, tmp_path: Path) -> None:
    """A page whose first answer is a 500 (a server hiccup) is fetched on the retry."""
    serve(httpserver, {"/site/index.html": page("flaky.html")})
    httpserver.expect_oneshot_request("/site/flaky.html").respond_with_data("oops", status=500)
    serve(httpserver, {"/site/flaky.html": "<html>at last</html>"})

    result = crawl(httpserver.url_for("/site/index.html"), tmp_path)

    assert result.outcome(httpserver.url_for("/site/flaky.html")) == "new"
    assert requested(httpserver).count("/site/flaky.html") == 2


def test_429_retry_after_is_waited_for(httpserver: HTTPServer, tmp_path: Path) -> None:
    """A 429 with Retry-After: 1 (a rate limiter) makes the crawler wait a second, then fetch."""
    times: list[float] = []
    serve(httpserver, {"/site/index.html": page("limited.html")})
    limited = "/site/limited.html"
    httpserver.expect_oneshot_request(limited).respond_with_handler(
        stamped(times, "slow down", 429, **{"Retry-After": "1"})
    )
    httpserver.expect_request(limited).respond_with_handler(stamped(times, "<html>ok</html>"))

    result = crawl(httpserver.url_for("/site/index.html"), tmp_path)

    assert result.outcome(httpserver.url_for(limited)) == "new"
    assert len(times) == 2
    assert times[1] - times[0] >= 0.9


def test_huge_retry_after_is_capped(httpserver: HTTPServer, tmp_path: Path) -> None:
    """A 503 asking for an hour's wait (Retry-After: 3600) is waited for retry_after_max at most."""
    serve(httpserver, {"/site/index.html": page("down.html")})
    httpserver.expect_request("/site/down.html").respond_with_data(
        "maintenance", status=503, headers={"Retry-After": "3600"}
    )

    result = crawl_within(20, httpserver.url_for("/site/index.html"), tmp_path, retry_after_max=1)

    down = httpserver.url_for("/site/down.html")
    assert result.outcome(down) == "failed"
    assert "503" in result.reason(down)
    assert requested(httpserver).count("/site/down.html") == 3  # the first try and two retries


# --- faults below HTTP ------------------------------------------------------------------------------


def test_stalled_body_times_out_and_crawl_goes_on(raw: RawServer, tmp_path: Path) -> None:
    """A server that sends headers and then goes silent longer than read_timeout."""
    raw_site(raw, {"/site/stall.html": stall})

    result = crawl(raw.url("/site/index.html"), tmp_path)

    assert result.outcome(raw.url("/site/stall.html")) == "failed"
    assert "timeout" in result.reason(raw.url("/site/stall.html"))
    assert result.outcome(raw.url("/site/ok.html")) == "new"


def test_trickling_body_stops_at_max_time(raw: RawServer, tmp_path: Path) -> None:
    """A server that never stalls long enough for read_timeout, yet never finishes the body."""
    raw_site(raw, {"/site/slow.html": trickle})

    result = crawl_within(4, raw.url("/site/index.html"), tmp_path, max_time=1)

    slow = raw.url("/site/slow.html")
    assert result.outcome(slow) == "failed"
    assert "not complete after 1 s" in result.reason(slow)
    [(headers, _)] = result.responses(slow)
    assert headers.get_header("WARC-Truncated") == "time"
    assert result.outcome(raw.url("/site/ok.html")) == "new"


def test_connection_reset_fails_and_crawl_goes_on(raw: RawServer, tmp_path: Path) -> None:
    """A server that reads the request and answers with a TCP RST (SO_LINGER 0)."""
    raw_site(raw, {"/site/reset.html": reset})

    result = crawl(raw.url("/site/index.html"), tmp_path)

    assert result.outcome(raw.url("/site/reset.html")) == "failed"
    assert "reset" in result.reason(raw.url("/site/reset.html")).lower()
    assert raw.seen.count("/site/reset.html") == 3  # connection errors are retried too
    assert result.outcome(raw.url("/site/ok.html")) == "new"


def test_body_shorter_than_content_length(raw: RawServer, tmp_path: Path) -> None:
    """Content-Length: 1000, then 10 bytes and a closed connection."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n"
    raw_site(raw, {"/site/short.html": send(head + b"<html>abcd")})

    result = crawl(raw.url("/site/index.html"), tmp_path)

    short = raw.url("/site/short.html")
    assert result.outcome(short) == "failed"
    assert "shorter" in result.reason(short)
    [(headers, payload)] = result.responses(short)
    assert headers.get_header("WARC-Truncated") == "disconnect"
    assert payload == b"<html>abcd"
    assert result.outcome(raw.url("/site/ok.html")) == "new"


# --- redirects --------------------------------------------------------------------------------------


def redirect(server: HTTPServer, path: str, location: str) -> None:
    server.expect_request(path).respond_with_data("", status=302, headers={"Location": location})


def test_redirect_loop(httpserver: HTTPServer, tmp_path: Path) -> None:
    """/a redirects to /b, which redirects back to /a."""
    serve(httpserver, {"/site/index.html": page("a.html")})
    redirect(httpserver, "/site/a.html", "/site/b.html")
    redirect(httpserver, "/site/b.html", "/site/a.html")

    result = crawl(httpserver.url_for("/site/index.html"), tmp_path)

    a = httpserver.url_for("/site/a.html")
    assert result.outcome(a) == "failed"
    assert "loop" in result.reason(a)


def redirect_chain(server: HTTPServer, name: str, hops: int) -> None:
    """/site/<name>0.html redirects to <name>1.html ... up to <name><hops>.html, a page."""
    for n in range(hops):
        redirect(server, f"/site/{name}{n}.html", f"{name}{n + 1}.html")
    serve(server, {f"/site/{name}{hops}.html": "<html>the end</html>"})


def test_redirect_chains_are_capped(httpserver: HTTPServer, tmp_path: Path) -> None:
    """A chain of 12 redirects fails at max_redirects=10; a chain of exactly 10 is followed."""
    serve(httpserver, {"/site/index.html": page("long0.html", "ten0.html")})
    redirect_chain(httpserver, "long", 12)
    redirect_chain(httpserver, "ten", 10)

    result = crawl(httpserver.url_for("/site/index.html"), tmp_path, max_redirects=10)

    long = httpserver.url_for("/site/long0.html")
    assert result.outcome(long) == "failed"
    assert "more than 10 redirects" in result.reason(long)
    assert "/site/long11.html" not in requested(httpserver)
    assert result.outcome(httpserver.url_for("/site/ten0.html")) == "new"


def test_off_scope_redirects_are_not_followed(httpserver: HTTPServer, tmp_path: Path) -> None:
    """In-scope pages redirect outside the path prefix and to another host name."""
    elsewhere = httpserver.url_for("/elsewhere/x.html")
    other_host = f"http://localhost:{httpserver.port}/site/x.html"
    serve(httpserver, {"/site/index.html": page("out.html", "host.html")})
    serve(httpserver, {"/elsewhere/x.html": "<html>no</html>", "/site/x.html": "<html>no</html>"})
    redirect(httpserver, "/site/out.html", elsewhere)
    redirect(httpserver, "/site/host.html", other_host)

    result = crawl(httpserver.url_for("/site/index.html"), tmp_path)

    for path in ("/site/out.html", "/site/host.html"):
        assert result.outcome(httpserver.url_for(path)) == "failed"
        assert "leaves the crawl's scope" in result.reason(httpserver.url_for(path))
    assert "/elsewhere/x.html" not in requested(httpserver)
    assert "/site/x.html" not in requested(httpserver)


# --- robots.txt -------------------------------------------------------------------------------------


def test_robots_503_disallows_everything(httpserver: HTTPServer, tmp_path: Path) -> None:
    """robots.txt answers 503 (RFC 9309: the whole site is off limits)."""
    httpserver.expect_request("/robots.txt").respond_with_data("busy", status=503)
    serve(httpserver, {"/site/index.html": page("a.html"), "/site/a.html": "<html>a</html>"})

    result = crawl(httpserver.url_for("/site/index.html"), tmp_path)

    assert set(requested(httpserver)) == {"/robots.txt"}
    start = httpserver.url_for("/site/index.html")
    assert result.outcome(start) == "failed"
    assert "robots" in result.reason(start)
    assert "disallowed" in result.summary.robots


def test_robots_404_allows_everything(httpserver: HTTPServer, tmp_path: Path) -> None:
    """robots.txt is missing (a 404: RFC 9309 allows everything)."""
    serve(
        httpserver,
        {"/site/index.html": page("a.html", "b.html"), "/site/a.html": "<p>a", "/site/b.html": "<p>b"},
    )

    result = crawl(httpserver.url_for("/site/index.html"), tmp_path)

    assert "allowed" in result.summary.robots
    assert "disallowed" not in result.summary.robots
    assert result.summary.counts["new"] == 3
    assert {"/site/index.html", "/site/a.html", "/site/b.html"} <= set(requested(httpserver))


ROBOTS_TXT = b"# Rules for robots\nUser-agent: *\nDisallow: /site/private/\n"


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        pytest.param("identity", ROBOTS_TXT, id="plain"),
        pytest.param("gzip", gzip.compress(ROBOTS_TXT * 20), id="gzip"),
    ],
)
def test_robots_cut_short_disallows_everything(
    raw: RawServer, tmp_path: Path, encoding: str, body: bytes
) -> None:
    """robots.txt whose connection closes after 19 bytes of a longer body (a network error)."""
    head = f"HTTP/1.1 200 OK\r\nContent-Encoding: {encoding}\r\nContent-Length: {len(body)}\r\n\r\n"
    raw.routes["/robots.txt"] = send(head.encode() + body[:19])
    raw_site(raw, {"/site/private/x.html": reply("200 OK", b"<p>secret")})

    result = crawl(raw.url("/site/index.html"), tmp_path)

    assert "disallowed" in result.summary.robots
    assert set(raw.seen) == {"/robots.txt"}


def test_robots_disallow_rule(httpserver: HTTPServer, tmp_path: Path) -> None:
    """robots.txt disallows /site/private/, which the index links to."""
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /site/private/\n", content_type="text/plain"
    )
    serve(
        httpserver,
        {
            "/site/index.html": page("private/x.html", "a.html"),
            "/site/private/x.html": "<p>secret",
            "/site/a.html": "<p>a",
        },
    )

    result = crawl(httpserver.url_for("/site/index.html"), tmp_path)

    private = httpserver.url_for("/site/private/x.html")
    assert "/site/private/x.html" not in requested(httpserver)
    assert result.outcome(private) == "failed"
    assert "robots.txt" in result.reason(private)
    assert result.outcome(httpserver.url_for("/site/a.html")) == "new"


def test_robots_crawl_delay_is_honoured(httpserver: HTTPServer, tmp_path: Path) -> None:
    """robots.txt asks for Crawl-delay: 0.5 while the settings ask for no delay at all."""
    times: list[float] = []
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nCrawl-delay: 0.5\n", content_type="text/plain"
    )
    httpserver.expect_request("/site/index.html").respond_with_handler(
        stamped(times, page("a.html", "b.html"))
    )
    for path in ("/site/a.html", "/site/b.html"):
        httpserver.expect_request(path).respond_with_handler(stamped(times, "<p>page"))

    result = crawl(httpserver.url_for("/site/index.html"), tmp_path)

    assert result.summary.counts["new"] == 3
    assert len(times) == 3
    assert min(later - earlier for earlier, later in itertools.pairwise(times)) >= 0.45


# --- caps -------------------------------------------------------------------------------------------


def test_oversized_body_is_cut_at_the_cap(httpserver: HTTPServer, tmp_path: Path) -> None:
    """A 20 MB body when max_bytes is 1 MB."""
    serve(httpserver, {"/site/index.html": page("big.bin", "a.html"), "/site/a.html": "<p>a"})
    httpserver.expect_request("/site/big.bin").respond_with_data(
        bytes(20 * MB), content_type="application/octet-stream"
    )

    result = crawl(httpserver.url_for("/site/index.html"), tmp_path, max_bytes=MB)

    big = httpserver.url_for("/site/big.bin")
    assert result.outcome(big) == "failed"
    assert "cap" in result.reason(big)
    [(headers, payload)] = result.responses(big)
    assert headers.get_header("WARC-Truncated") == "length"
    assert MB < len(payload) <= MB + CHUNK
    assert result.outcome(httpserver.url_for("/site/a.html")) == "new"


def test_gzip_bomb_stops_at_the_decoded_cap(httpserver: HTTPServer, tmp_path: Path) -> None:
    """10 MB of zeros gzipped to ~10 KB, sent with Content-Encoding: gzip, when max_bytes is 1 MB."""
    bomb = gzip.compress(bytes(10 * MB))
    assert len(bomb) < CHUNK
    serve(httpserver, {"/site/index.html": page("bomb.html", "a.html"), "/site/a.html": "<p>a"})
    httpserver.expect_request("/site/bomb.html").respond_with_data(
        bomb, content_type="text/html", headers={"Content-Encoding": "gzip"}
    )

    result = crawl(httpserver.url_for("/site/index.html"), tmp_path, max_bytes=MB)

    url = httpserver.url_for("/site/bomb.html")
    assert result.outcome(url) == "failed"
    assert "cap (decoded)" in result.reason(url)
    [(headers, payload)] = result.responses(url)
    assert headers.get_header("WARC-Truncated") == "length"
    # Archived as transferred (compressed), never inflated; reading stops once the decoded size
    # passes the cap, which may be before the last compressed byte has arrived.
    assert payload and bomb.startswith(payload)
    assert result.outcome(httpserver.url_for("/site/a.html")) == "new"


# --- identity and scope -----------------------------------------------------------------------------


def test_user_agent_names_tool_and_contact(httpserver: HTTPServer, tmp_path: Path) -> None:
    """Every request (robots.txt included) says who crawls and how to reach them."""
    serve(httpserver, {"/site/index.html": page("a.html"), "/site/a.html": "<p>a"})

    crawl(httpserver.url_for("/site/index.html"), tmp_path, contact="archivist@example.org")

    agents = [request.headers.get("User-Agent", "") for request, _ in httpserver.log]
    assert len(agents) == 3
    for agent in agents:
        assert "tfmigrate/" in agent
        assert "archivist@example.org" in agent


def test_off_scope_and_action_links_are_skipped(httpserver: HTTPServer, tmp_path: Path) -> None:
    """A page links to a CGI edit action, mailto:, javascript:, data:, file: and another path."""
    links = {
        "cgi-bin/edit.cgi?case=x": httpserver.url_for("/site/cgi-bin/edit.cgi?case=x"),
        "mailto:a@b": "mailto:a@b",
        "javascript:alert(1)": "javascript:alert(1)",
        "data:text/html,x": "data:text/html,x",
        "file:///etc/passwd": "file:///etc/passwd",
        "/other/page.html": httpserver.url_for("/other/page.html"),
    }
    serve(httpserver, {"/site/index.html": page(*links)})

    result = crawl(httpserver.url_for("/site/index.html"), tmp_path)

    assert requested(httpserver) == ["/robots.txt", "/site/index.html"]
    for url in links.values():
        assert result.outcome(url) == "skipped", url
        assert result.reason(url), url


def test_a_link_after_the_end_of_html_is_followed(httpserver: HTTPServer, tmp_path: Path) -> None:
    """Hand-made pages go on after ``</HTML>`` (a footer pasted below it); a browser shows that
    text and its links, and so does the crawler (the parser reads the text too)."""
    serve(
        httpserver,
        {
            "/site/index.html": '<html><body><a href="a.html">a</a></body></html><p><a href="b.html">b</a>',
            "/site/a.html": page(),
            "/site/b.html": page(),
        },
    )

    result = crawl(httpserver.url_for("/site/index.html"), tmp_path)

    assert result.outcome(httpserver.url_for("/site/b.html")) == "new"
    assert "/site/b.html" in requested(httpserver)


def test_a_page_a_script_opens_is_followed(httpserver: HTTPServer, tmp_path: Path) -> None:
    """Late-1990s pages open their image viewers in windows of their own, from a script."""
    serve(
        httpserver,
        {
            "/site/index.html": (
                "<html><body><a href=\"javascript:openViewer('viewer/a.html', 600, 500)\">main image</a>"
                "<a href=\"#\" onclick=\"window.open('b.html','view')\">second image</a></body></html>"
            ),
            "/site/viewer/a.html": page(),
            "/site/b.html": page(),
        },
    )

    result = crawl(httpserver.url_for("/site/index.html"), tmp_path)

    assert result.outcome(httpserver.url_for("/site/viewer/a.html")) == "new"
    assert result.outcome(httpserver.url_for("/site/b.html")) == "new"


def test_a_crawl_delay_of_a_day_is_capped_and_said_once(httpserver: HTTPServer, tmp_path: Path) -> None:
    """robots.txt asks for Crawl-delay: 86400: the crawl waits the cap (here 0.2 s) instead of a day
    per request, and says so once."""
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nCrawl-delay: 86400\n", content_type="text/plain"
    )
    serve(
        httpserver,
        {"/site/index.html": page("a.html", "b.html"), "/site/a.html": "<p>a", "/site/b.html": "<p>b"},
    )
    result = crawl_within(15, httpserver.url_for("/site/index.html"), tmp_path, crawl_delay_max=0.2)
    assert result.summary.counts["new"] == 3
    (note,) = result.summary.notes
    assert "Crawl-delay of 86400 s" in note and "waiting 0.2 s" in note


def test_the_crawl_delay_note_reaches_the_command_line(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 86400\n")
    serve(httpserver, {"/site/index.html": "<p>one page, no wait</p>"})
    result = run("crawl", httpserver.url_for("/site/index.html"), "--archive", tmp_path / "a", "-q")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("tfmigrate: note: robots.txt asks for a Crawl-delay of 86400 s") == 1


def test_a_gzip_body_of_two_members_is_read_whole(httpserver: HTTPServer, tmp_path: Path) -> None:
    """Content-Encoding: gzip with the page in two members (valid: ``gzip -dc`` reads both). The
    sha256, the payload read back from the archive and the links found all cover both members; the
    first member alone was once archived and parsed as if it were the page."""
    whole = page("a.html", "b.html").encode()
    first, second = whole[: len(whole) // 2], whole[len(whole) // 2 :]  # the b.html link in the second
    body = gzip.compress(first) + gzip.compress(second)
    httpserver.expect_request("/site/index.html").respond_with_data(
        body, content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    serve(httpserver, {"/site/a.html": "<p>a", "/site/b.html": "<p>b"})
    result = crawl(httpserver.url_for("/site/index.html"), tmp_path)
    start = result.rows[httpserver.url_for("/site/index.html")]
    assert start["sha256"] == hashlib.sha256(whole).hexdigest() and start["size"] == len(whole)
    index = ArchiveIndex.open(tmp_path)
    assert index.payload(index.get(httpserver.url_for("/site/index.html"))) == whole
    assert result.outcome(httpserver.url_for("/site/b.html")) == "new"
