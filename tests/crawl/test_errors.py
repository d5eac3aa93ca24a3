"""Why a fetch failed, in words a user can act on: urllib3's exceptions mapped by type at one place,
checked against every class urllib3 defines and against real faults on 127.0.0.1."""

from __future__ import annotations

import inspect
import socket
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import urllib3.exceptions

from tests.crawl.test_faults import RawServer, fast, raw, reset, send  # noqa: F401
from tests.test_cli import run
from tfmigrate.crawl.fetch import ERROR_REASONS, HttpFetcher
from tfmigrate.crawl.state import state_error
from tfmigrate.errors import OutputError, StateError


def urllib3_exception_classes() -> list[type[BaseException]]:
    return [
        cls
        for _, cls in inspect.getmembers(urllib3.exceptions, inspect.isclass)
        if cls.__module__ == urllib3.exceptions.__name__
        and issubclass(cls, Exception)
        and not issubclass(cls, Warning)  # warnings are logged, never raised
    ]


def test_every_urllib3_exception_is_mapped() -> None:
    # As httpx checks its map of httpcore's exceptions: a urllib3 release that adds a class fails here.
    unmapped = [cls.__name__ for cls in urllib3_exception_classes() if cls not in ERROR_REASONS]
    assert unmapped == []


def free_port() -> int:
    with closing(socket.create_server(("127.0.0.1", 0))) as probe:
        return int(probe.getsockname()[1])


def failure(url: str) -> str:
    fetcher = HttpFetcher(fast(retries=0))
    try:
        result = fetcher.fetch(url)
    finally:
        fetcher.close()
    assert result.failure is not None
    return result.failure


def test_a_refused_connection_says_so_and_the_way_out(tmp_path: Path) -> None:
    port = free_port()
    assert (
        failure(f"http://127.0.0.1:{port}/")
        == "connection refused: is the site up, and the URL's port right?"
    )
    result = run("crawl", f"http://127.0.0.1:{port}/tf/", "--archive", tmp_path / "a", "--retries", "0")
    assert result.returncode == 2
    assert result.stderr == (
        f"tfmigrate: error: cannot reach 127.0.0.1:{port}:"
        " connection refused: is the site up, and the URL's port right?\n"
    )


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (reset, "connection reset by the server: try again later, or raise --delay"),
        (send(b""), "the server closed the connection without answering: try again later"),
        (send(b"SSH-2.0-OpenSSH_9.2\r\n\r\n"), "not an HTTP answer (bad status line)"),
        (
            send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"),
            "body shorter than announced (connection closed early)",
        ),
    ],
    ids=["reset", "closed", "not-http", "short-body"],
)
def test_faults_below_http_are_named(raw: RawServer, route: object, reason: str) -> None:  # noqa: F811
    raw.routes["/page.html"] = route  # type: ignore[assignment]
    assert failure(raw.url("/page.html")) == reason


def sqlite_error(make: str, tmp_path: Path) -> sqlite3.Error:
    """A real error from SQLite: a locked database, a read-only one, or a file that is not one."""
    path = tmp_path / "state.sqlite"
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE t (x)")
        db.commit()
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        if make == "locked":
            holder.execute("BEGIN EXCLUSIVE")
            with closing(sqlite3.connect(path, timeout=0)) as db, pytest.raises(sqlite3.Error) as caught:
                db.execute("SELECT * FROM t")
        elif make == "read-only":
            read_only = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
            with closing(read_only) as db, pytest.raises(sqlite3.Error) as caught:
                db.execute("INSERT INTO t VALUES (1)")
        else:
            path.write_bytes(b"not a database, whatever its name says" * 100)
            with closing(sqlite3.connect(path)) as db, pytest.raises(sqlite3.Error) as caught:
                db.execute("SELECT * FROM t")
    finally:
        holder.close()
    return caught.value


@pytest.mark.parametrize(
    ("make", "kind", "words"),
    [
        ("locked", StateError, "in use by another process"),
        ("read-only", OutputError, "cannot write"),
        ("damaged", StateError, "not a readable crawl state database"),
    ],
)
def test_sqlite_errors_are_told_apart_by_their_code(
    make: str, kind: type[Exception], words: str, tmp_path: Path
) -> None:
    error = state_error(tmp_path / "state.sqlite", sqlite_error(make, tmp_path))
    assert type(error) is kind and words in str(error)
    # A locked database is not damaged: doctor has nothing to repair there.
    assert ("doctor" in str(error)) == (make == "damaged")
