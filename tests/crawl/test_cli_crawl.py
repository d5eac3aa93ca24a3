"""tfmigrate crawl as a user runs it: log lines, summary, exit codes, one-line errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import SITE
from tests.test_cli import run
from tfmigrate.cli import main
from tfmigrate.crawl.state import STATE_FILE


def test_crawl_the_fixture_folder(tmp_path: Path) -> None:
    result = run("crawl", "fixtures/html", "--archive", tmp_path / "archive", "--delay", "0")
    assert result.returncode == 1, result.stderr  # the applet class the Java cine viewer names is lost
    assert "new 210, changed 0, unchanged 0, gone 0, failed 1, skipped 66 (out of scope)" in result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 211 and all(line.startswith(("fetched 200 new ", "failed 404 ")) for line in lines)
    (failure,) = [line for line in lines if line.startswith("failed")]
    assert failure.endswith("viewer/CineViewer.class (HTTP 404 Not Found)")
    again = run("crawl", "fixtures/html", "--archive", tmp_path / "archive", "--delay", "0", "-q")
    assert "new 0, changed 0, unchanged 210, gone 0, failed 1" in again.stdout
    # -q drops the progress lines, never the failures: each is named once, with its reason.
    missing = (SITE / "viewer/CineViewer.class").resolve().as_uri()
    assert again.stderr == f"failed {missing}: HTTP 404 Not Found\n"


def test_include_widens_and_a_refused_start_url_fails(tmp_path: Path) -> None:
    # --include adds URLs to the scope; it never takes the site's own pages out of it.
    widened = run("crawl", "fixtures/html", "--archive", tmp_path / "a", "--include", "icons/", "-q")
    assert "new 210, changed 0, unchanged 0, gone 0, failed 1" in widened.stdout, widened.stderr
    refused = run("crawl", "fixtures/html", "--archive", tmp_path / "b", "--exclude", "index", "-q")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
    assert "index.html is out of the crawl's scope (matches --exclude)" in refused.stderr


def test_start_errors_are_one_line(tmp_path: Path) -> None:
    for start in ("no/such/folder", "ftp://example.org/"):
        result = run("crawl", start, "--archive", tmp_path / "a")
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and "neither an http(s) URL nor an existing" in result.stderr
    unreachable = run("crawl", "http://127.0.0.1:9/index.html", "--archive", tmp_path / "b", "--retries", "0")
    assert unreachable.returncode == 2 and unreachable.stderr.startswith(
        "tfmigrate: error: cannot reach 127.0.0.1:9"
    )
    assert "Traceback" not in unreachable.stderr


def test_archive_errors_are_one_line(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    result = run("crawl", "fixtures/html", "--archive", blocked)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    newer = tmp_path / "newer"
    newer.mkdir()
    with sqlite3.connect(newer / STATE_FILE) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema_version', '99')")
    result = run("crawl", "fixtures/html", "--archive", newer)
    assert result.returncode == 2 and "written by a newer tfmigrate" in result.stderr


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    for option in (["--delay", "-1"], ["--concurrency", "0"], ["--include", "("]):
        result = run("crawl", "fixtures/html", "--archive", tmp_path / "a", *option)
        assert result.returncode == 2 and "bad crawl option" in result.stderr, option


OUT_OF_RANGE = [
    ("crawl", "--delay", "inf"),
    ("crawl", "--delay", "1e300"),
    ("crawl", "--timeout", "1e300"),
    ("crawl", "--timeout", "nan"),
    ("crawl", "--max-bytes", "9" * 30),
    ("crawl", "--retries", "9" * 20),
    ("crawl", "--include", "("),
    ("crawl", "--exclude", "["),
    ("migrate", "--delay", "inf"),
    ("migrate", "--include", "("),
]


@pytest.mark.parametrize(
    ("command", "option", "value"), OUT_OF_RANGE, ids=[" ".join(o) for o in OUT_OF_RANGE]
)
def test_options_out_of_range_are_named(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    option: str,
    value: str,
) -> None:
    """``--delay inf`` and ``--timeout 1e300`` once passed and ended in OverflowError tracebacks,
    ``--include "("`` in a regex error naming no option: each is one line naming its option."""
    where = "--archive" if command == "crawl" else "--out"
    polite = () if option == "--delay" else ("--delay", "0")
    code = main([command, "http://127.0.0.1:9/", where, str(tmp_path / "a"), option, value, *polite])
    stderr = capsys.readouterr().err
    assert code == 2, stderr
    assert stderr.count("\n") == 1 and f" option: {option}: " in stderr, stderr
