"""Exit statuses that tell the truth, and failures that are named: a migrate that migrated nothing,
a parse with nothing to parse, a doctor pointed at the wrong folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.test_cli import run


@pytest.fixture
def site_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1")
    server.no_handler_status_code = 404
    server.start()
    yield server
    server.clear()
    server.stop()


def test_a_migrate_whose_only_page_fails_says_which_and_why(site_server: HTTPServer, tmp_path: Path) -> None:
    site_server.expect_request("/tf/index.html").respond_with_data("down for maintenance", status=500)
    start = site_server.url_for("/tf/index.html")
    result = run("migrate", start, "--out", tmp_path / "out", "--retries", "0", "--delay", "0", "-q")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"failed {start}: HTTP 500 INTERNAL SERVER ERROR after 0 retries",
        "tfmigrate: nothing migrated: no page was archived",
    ]


def test_a_migrate_of_pages_that_are_not_cases_migrated_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body><a href='list.html'>Cases</a></body></html>")
    (site / "list.html").write_text("<html><body>No cases yet.</body></html>")
    result = run("migrate", site, "--out", tmp_path / "out", "-q")
    assert result.returncode == 1
    assert (
        result.stderr
        == "tfmigrate: nothing migrated: of 2 archived pages, 2 are not case pages and 0 failed\n"
    )


@pytest.mark.parametrize(
    "content", [{}, {"scan.pdf": b"%PDF-1.4", "notes.doc": b"\xd0\xcf"}], ids=["empty", "pdfs"]
)
def test_parse_with_no_page_files_says_so(content: dict[str, bytes], tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, data in content.items():
        (folder / name).write_bytes(data)
    result = run("parse", folder, "--out", tmp_path / "out")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"tfmigrate: error: no .htm/.html/.shtml/.txt files under {folder}\n"
    assert not (tmp_path / "out").exists()


def test_doctor_on_a_wrong_path_is_a_usage_error(tmp_path: Path) -> None:
    missing = run("doctor", tmp_path / "nope")
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr == f"tfmigrate: error: {tmp_path / 'nope'}: no such folder\n"
    empty = run("doctor", tmp_path)
    assert (empty.returncode, empty.stdout) == (2, "")
    neither = "is neither a migrated output (no .tfmigrate folder or manifest.json) nor an archive"
    assert neither in empty.stderr


def test_jobs_below_one_is_a_usage_error(tmp_path: Path) -> None:
    result = run("parse", tmp_path, "--out", tmp_path / "out", "--jobs", "0")
    assert (
        result.returncode == 2
        and "argument --jobs: 0 is not a number of processes (1 or more)" in result.stderr
    )


def test_migrate_into_a_file_says_it_is_a_file(tmp_path: Path) -> None:
    blocked = tmp_path / "out"
    blocked.write_text("a file where the output folder should be")
    result = run("migrate", "--out", blocked, "-q")
    assert result.returncode == 2
    assert result.stderr == f"tfmigrate: error: {blocked} is a file, not a folder: choose another --out\n"
