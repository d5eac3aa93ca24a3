"""Two tfmigrate processes on one archive or one output folder: the second stops at once, naming
the first by its pid (exit 2), and the first finishes with nothing damaged. Before the locks, a
second crawl "resumed" the first's live run and cut its WARC file (6 of 6 tries damaged), and two
migrates into one DIR crashed on one run id or deleted each other's unfinished generation."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, SITE, Tfmigrate
from tests.crawl.conftest import SiteServer
from tests.migrate.test_migrate_faults import assert_refused, verify
from tfmigrate.crawl.state import STATE_FILE
from tfmigrate.locks import LOCK_FILE

SLOW = ("--delay", "0.015")  # a crawl of the fixture site over HTTP takes a few seconds


def start(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tfmigrate", *map(str, args), "-q"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_holder(lock: Path, process: subprocess.Popen[str]) -> None:
    """Until ``process`` holds the lock (its pid is in the lock file)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if lock.is_file() and lock.read_text().strip() == str(process.pid):
            return
        time.sleep(0.01)
    pytest.fail(f"{process.args} never held {lock} (exit {process.poll()})")


def finish(process: subprocess.Popen[str]) -> None:
    _, stderr = process.communicate(timeout=120)
    assert process.returncode in (0, 1), stderr  # 1: the fixture's missing applet class


def test_a_second_run_on_a_live_archive_is_refused(
    in_process: Tfmigrate, site_server: SiteServer, tmp_path: Path
) -> None:
    """While a crawl runs: a second crawl, a migrate crawling into the same --archive, and doctor
    (which would find the live file's tail torn) each stop at once; the crawl completes whole."""
    archive = tmp_path / "archive"
    first = start("crawl", site_server.url(), "--archive", archive, *SLOW)
    wait_for_holder(archive / LOCK_FILE, first)
    busy = f"another tfmigrate (pid {first.pid}) is running on {archive}"
    assert_refused(in_process("crawl", site_server.url(), "--archive", archive, *SLOW), busy)
    assert_refused(in_process("migrate", SITE, "--archive", archive, "--out", tmp_path / "out"), busy)
    assert not (tmp_path / "out" / ".tfmigrate" / "current").exists()
    assert_refused(in_process("doctor", archive), busy)
    assert first.poll() is None, "the crawl ended before every second run was tried"
    finish(first)
    doctor = in_process("doctor", archive)
    assert doctor.returncode == 0, doctor.stdout
    assert (archive / STATE_FILE).is_file() and (archive / LOCK_FILE).read_text() == ""


def test_two_migrates_into_one_folder(in_process: Tfmigrate, site_server: SiteServer, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = start("migrate", site_server.url(), "--out", out, *SLOW)
    wait_for_holder(out / ".tfmigrate" / LOCK_FILE, first)
    assert_refused(
        in_process("migrate", SITE, "--out", out), f"another tfmigrate (pid {first.pid}) is running on {out}"
    )
    finish(first)
    generation = verify(out)
    manifest = json.loads((out / "manifest.json").read_bytes())
    # The generation's run id is its own, not the crawl's (a resumed crawl keeps its id).
    assert manifest["crawl_run_id"] and manifest["run_id"] == generation.name != manifest["crawl_run_id"]
    assert in_process("doctor", out).returncode == 0


@pytest.mark.parametrize("link", ["symlink", "hard link"])
def test_a_planted_lock_file_is_never_written_through(
    in_process: Tfmigrate, tmp_path: Path, link: str
) -> None:
    """The lock file is emptied and written: one planted as a link to another file would have
    truncated that file. The run is refused instead, and the file keeps its bytes."""
    precious = tmp_path / "precious.txt"
    precious.write_text("the department's only copy\n")
    archive = tmp_path / "archive"
    archive.mkdir()
    if link == "symlink":
        (archive / LOCK_FILE).symlink_to(precious)
    else:
        (archive / LOCK_FILE).hardlink_to(precious)
    assert_refused(in_process("crawl", SITE, "--archive", archive), "is not a lock file of tfmigrate's")
    assert precious.read_text() == "the department's only copy\n"
