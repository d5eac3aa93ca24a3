"""A crawl killed with SIGKILL resumes with the same command and loses nothing."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import REPO
from tests.crawl.conftest import SiteServer, site_files
from tfmigrate.crawl.archive import WARC_DIR
from tfmigrate.crawl.state import STATE_FILE


def crawl_command(site_server: SiteServer, archive: Path, concurrency: int) -> list[str]:
    return [sys.executable, "-m", "tfmigrate", "crawl", site_server.url(), "--archive", str(archive),
            "--delay", "0.01", "--concurrency", str(concurrency), "-q"]  # fmt: skip


def done_count(archive: Path) -> int:
    try:
        with sqlite3.connect(f"file:{archive / STATE_FILE}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT COUNT(*) FROM urls WHERE state = 'done'").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.parametrize(("kill_after", "concurrency"), [(3, 1), (60, 1), (140, 2)])
def test_sigkill_mid_crawl_then_resume(
    site_server: SiteServer, tmp_path: Path, kill_after: int, concurrency: int
) -> None:
    archive = tmp_path / "archive"
    command = crawl_command(site_server, archive, concurrency)
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while done_count(archive) < kill_after and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert process.poll() is None, "the crawl ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    fetched_before_kill = len(site_server.seen)

    resumed = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)

    assert resumed.returncode == 1, resumed.stderr  # 1: the fixture's missing applet class fails
    assert "(resumed)" in resumed.stdout
    with sqlite3.connect(archive / STATE_FILE) as db:
        states = Counter(state for (state,) in db.execute("SELECT state FROM urls"))
        fetched = {url for (url,) in db.execute("SELECT url FROM urls WHERE outcome = 'new'")}
    assert set(states) == {"done"}, states
    assert {u.removeprefix(site_server.url("")) for u in fetched} == site_files(site_server.root)
    # Only the URLs in flight at the kill were fetched twice (robots.txt is read at every start).
    twice = [p for p, n in Counter(p for p, _ in site_server.seen if p != "/robots.txt").items() if n > 1]
    assert len(twice) <= concurrency, twice
    assert fetched_before_kill > 0
    # Every WARC file reads to its end: the torn record of the killed run was cut off.
    for warc in (archive / WARC_DIR).glob("*.warc.gz"):
        with warc.open("rb") as handle:
            assert sum(1 for _ in ArchiveIterator(handle)) >= 1
