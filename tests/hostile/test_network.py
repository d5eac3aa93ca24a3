"""Hostile servers: oversized headers, endless chunked bodies, a crawl killed at random moments.

The faults of the crawler issue (stalls, resets, short bodies, gzip bombs, trickles, redirect
loops and scope escapes, robots.txt answers) are in tests/crawl/test_faults.py; these add what a
server could do on purpose. Each is bounded, recorded with a reason, and never ends the run.
"""

from __future__ import annotations

import random
import socket
import threading
from pathlib import Path

from tests.crawl.conftest import SiteServer
from tests.crawl.test_faults import RawServer, crawl, raw_site
from tests.crawl.test_resume import test_sigkill_mid_crawl_then_resume as resume_after_kill

SEED = 20261124


def huge_headers(conn: socket.socket, stop: threading.Event) -> None:
    """A status line, then one header line of a megabyte."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 1_000_000 + b"\r\n\r\nbody")


def many_headers(conn: socket.socket, stop: threading.Event) -> None:
    """Ten thousand small headers."""
    conn.sendall(b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 10_000 + b"Content-Length: 2\r\n\r\nok")


def endless_chunks(conn: socket.socket, stop: threading.Event) -> None:
    """Chunked transfer that never sends its last chunk: 64 KB chunks, as fast as they are read."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
    while not stop.is_set():
        conn.sendall(chunk)


def test_oversized_headers_are_refused_and_recorded(raw: RawServer, tmp_path: Path) -> None:
    raw_site(raw, {"/site/huge.html": huge_headers, "/site/many.html": many_headers})
    result = crawl(raw.url("/site/index.html"), tmp_path, retries=0)
    for path in ("/site/huge.html", "/site/many.html"):
        assert result.outcome(raw.url(path)) == "failed", path
        assert result.reason(raw.url(path))
    assert result.outcome(raw.url("/site/ok.html")) == "new"


def test_an_endless_chunked_body_stops_at_the_cap(raw: RawServer, tmp_path: Path) -> None:
    raw_site(raw, {"/site/endless.html": endless_chunks})
    result = crawl(raw.url("/site/index.html"), tmp_path, max_bytes=2 * 1024 * 1024)
    url = raw.url("/site/endless.html")
    assert result.outcome(url) == "failed" and "cap" in result.reason(url)
    [(headers, payload)] = result.responses(url)
    assert headers.get_header("WARC-Truncated") == "length" and len(payload) <= 3 * 1024 * 1024
    assert result.outcome(raw.url("/site/ok.html")) == "new"


def test_crawl_killed_at_random_moments_resumes(site_server: SiteServer, tmp_path: Path) -> None:
    """The crawler's SIGKILL test at seeded random points (see tests/crawl/test_resume.py)."""
    rng = random.Random(SEED)
    for attempt in range(3):
        site_server.seen.clear()
        resume_after_kill(
            site_server, tmp_path / f"attempt{attempt}", rng.randrange(2, 170), rng.choice((1, 2))
        )
