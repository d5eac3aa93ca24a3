"""tfmigrate migrate under faults, as real processes on real files: SIGKILL at random moments, a full
disk, an output folder that cannot be created, an unreachable site, an archive from a newer version,
and --reparse with the network forbidden. DIR must always be the last complete run, or the new one
complete, and every refusal must be exit 2 with one line on stderr."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, SITE, Tfmigrate, migrated_here
from tests.crawl.conftest import SiteServer, site_copy, site_server  # noqa: F401

# What a user sees in DIR (README), each a symlink through .tfmigrate/current.
PUBLISHED = ("cases", "cases.jsonl", "images", "originals", "provenance", "schema.json", "manifest.json",
             "report.json", "report.html", "changes.json", "state.json")  # fmt: skip
CASE_ID, CASE_PAGE = "bs125", "bs125te148.html"
ANCHOR = "23 year-old paraplegic man"  # starts bs125's full history
KILLS, KILL_SEED = 8, 20261124
NO_SPACE = re.compile(r"No space|disk is full|File too large|disk I/O error", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------- helpers


def command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "tfmigrate", *map(str, args), "-q"]


def tfmigrate(
    *args: str | Path, env: dict[str, str] | None = None, preexec_fn: Callable[[], Any] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*args), capture_output=True, text=True, cwd=REPO, timeout=120, env=env, preexec_fn=preexec_fn
    )


def migrate_ok(*args: str | Path) -> subprocess.CompletedProcess[str]:
    result = tfmigrate("migrate", *args)
    assert result.returncode in (0, 1), result.stderr
    return result


def assert_refused(result: subprocess.CompletedProcess[str], *needles: str | re.Pattern[str]) -> str:
    """Exit 2 and one line on stderr, ``tfmigrate: error: ...`` holding every needle; no traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tfmigrate: error: "), result.stderr
    for needle in needles:
        found = needle.search(lines[0]) if isinstance(needle, re.Pattern) else needle in lines[0]
        assert found, (needle, lines[0])
    return lines[0]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify(out: Path) -> Path:
    """DIR is one complete generation, which it returns: ``current`` names it, its manifest lists
    exactly its other files with their sha256 and size, and DIR's names lead into it."""
    link = out / ".tfmigrate" / "current"
    assert link.is_symlink(), f"{link} is missing"
    generation = link.resolve()
    assert generation.is_dir() and generation.parent == (out / ".tfmigrate" / "generations").resolve()
    manifest = json.loads((generation / "manifest.json").read_bytes())
    assert manifest["run_id"] == generation.name
    files = {p.relative_to(generation).as_posix(): p for p in generation.rglob("*") if p.is_file()}
    del files["manifest.json"]
    assert sorted(manifest["files"]) == sorted(files), "manifest and generation differ"
    for name, path in files.items():
        data = path.read_bytes()
        assert manifest["files"][name] == {"sha256": sha256(data), "size": len(data)}, name
    for name in PUBLISHED:
        assert (out / name).is_symlink() and (out / name).resolve() == generation / name, name
    return generation


def generations(out: Path) -> list[str]:
    return sorted(p.name for p in (out / ".tfmigrate" / "generations").iterdir())


def snapshot(out: Path) -> dict[str, str]:
    """Every file (by sha256) and symlink (by target) of DIR outside its archive."""
    entries = {}
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out).as_posix()
        if relative == "archive" or relative.startswith("archive/"):
            continue
        if path.is_symlink():
            entries[relative] = "-> " + os.readlink(path)
        elif path.is_file():
            entries[relative] = sha256(path.read_bytes())
    return entries


def revise(site: Path, revision: int) -> None:
    """Change the text of one case page: bs125's full history gets ``(revision N)``."""
    page = site / CASE_PAGE
    text = re.sub(rf"{ANCHOR}( \(revision \d+\))?", f"{ANCHOR} (revision {revision})", page.read_text())
    page.write_text(text)


def revision_of(generation: Path) -> int | None:
    history = json.loads((generation / "cases" / f"{CASE_ID}.json").read_bytes())["full_history"]
    found = re.search(r"\(revision (\d+)\)", history)
    return int(found[1]) if found else None


Ready = Callable[[float], bool]  # given the seconds since the run started: kill it now?


def after(delay: float) -> Ready:
    return lambda elapsed: elapsed >= delay


def kill_when(args: list[str], ready: Ready) -> int:
    """Start a run in its own process group, SIGKILL the group once ``ready``; its exit status."""
    started = time.monotonic()
    process = subprocess.Popen(
        args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    while not ready(time.monotonic() - started) and process.poll() is None:
        time.sleep(0.001)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    return process.wait(timeout=30)


def killed_run(site: Path, out: Path, revision: int, ready: Ready) -> str:
    """Revise the site, start a migrate and kill it once ``ready``. DIR must then verify as the
    previous run or the new one: which, it returns."""
    before = verify(out)
    revise(site, revision)
    returncode = kill_when(command("migrate", site, "--out", out), ready)
    after = verify(out)
    state = "previous" if after == before else "new"
    assert revision_of(after) == (revision - 1 if state == "previous" else revision), state
    if returncode != -signal.SIGKILL:  # it finished before the kill
        assert returncode in (0, 1) and state == "new", returncode
    return state


def rerun(site: Path, out: Path, revision: int, state: str) -> None:
    """The same command after a kill completes: the case is changed unless the killed run had
    committed it, DIR verifies, and only the current generation is left."""
    result = migrate_ok(site, "--out", out)
    changes = json.loads((out / "changes.json").read_bytes())
    changed = [entry["case_id"] for entry in changes["changed"]]
    if state == "previous":
        assert changed == [CASE_ID] and f"changed {CASE_ID}: full_history" in result.stdout, result.stdout
    else:
        assert changed == [] and CASE_ID in changes["unchanged"], changes
    generation = verify(out)
    assert revision_of(generation) == revision
    assert generations(out) == [generation.name]


def current_target(out: Path) -> str:
    return os.readlink(out / ".tfmigrate" / "current")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the fixture site that a test may change."""
    return Path(shutil.copytree(SITE, tmp_path / "site"))


@dataclass
class Disk:
    """A small file system at ``root``: a tmpfs, or where mounting is refused, an RLIMIT_FSIZE of
    ``limit`` bytes per file in the runs started with ``preexec()`` (writes fail with EFBIG)."""

    root: Path
    mounted: bool
    limit: int

    def fill(self) -> None:
        """Use up what space is left."""
        if not self.mounted:
            self.limit = 0
            return
        with (self.root / "filler").open("wb", buffering=0) as handle:
            try:
                while True:
                    handle.write(b"\0" * 65536)
            except OSError as exc:
                assert "No space" in str(exc), exc
        with (self.root / "filler-tail").open("wb", buffering=0) as handle:  # the last partial block
            try:
                while True:
                    handle.write(b"\0" * 512)
            except OSError:
                pass

    def preexec(self) -> Callable[[], None] | None:
        if self.mounted:
            return None
        limit = self.limit

        def limit_file_size() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

        return limit_file_size


@contextmanager
def small_disk(root: Path, kib: int) -> Iterator[Disk]:
    root.mkdir(exist_ok=True)
    mounted = False
    if os.geteuid() == 0 and shutil.which("mount"):
        mount = ["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(root)]
        mounted = subprocess.run(mount, capture_output=True).returncode == 0
    try:
        yield Disk(root, mounted, kib * 1024)
    finally:
        if mounted:
            subprocess.run(["umount", str(root)], check=True)


# ------------------------------------------------------------------------------------------------ tests


def test_sigkill_at_random_moments_leaves_the_previous_or_the_new_run(site: Path, tmp_path: Path) -> None:
    """A second run killed (SIGKILL) at seeded random moments, up to the length of a normal run,
    leaves DIR as the previous complete run or the new complete one, never a mix; the same command
    then completes, reports the changed case (or none, when the killed run had committed it), and
    leaves one generation."""
    out = tmp_path / "out"
    migrate_ok(site, "--out", out)
    revise(site, 0)
    started = time.monotonic()
    migrate_ok(site, "--out", out)
    duration = time.monotonic() - started
    rng = random.Random(KILL_SEED)
    seen = []
    for revision in range(1, KILLS + 1):
        delay = rng.uniform(0.05, duration)
        state = killed_run(site, out, revision, after(delay))
        seen.append(f"{delay:.2f}s: {state}")
        rerun(site, out, revision, state)
    print(f"normal run {duration:.2f}s; killed runs left DIR as: " + ", ".join(seen))


def test_sigkill_right_after_the_switch_leaves_the_new_run(site: Path, tmp_path: Path) -> None:
    """A run killed as soon as ``current`` names its generation (before it drops the old one) has
    committed: DIR is the new run, and the next run finds nothing changed and clears the rest."""
    out = tmp_path / "out"
    migrate_ok(site, "--out", out)
    previous = current_target(out)
    state = killed_run(site, out, 1, lambda _: current_target(out) != previous)
    assert state == "new"
    rerun(site, out, 1, state)


def test_disk_full_on_a_fresh_output(tmp_path: Path) -> None:
    """Migrating into a 300 KiB file system: exit 2, one line saying the disk is full, nothing published."""
    with small_disk(tmp_path / "disk", 300) as disk:
        out = disk.root / "out"
        result = tfmigrate("migrate", SITE, "--out", out, preexec_fn=disk.preexec())
        assert_refused(result, str(out), NO_SPACE)
        assert not (out / ".tfmigrate" / "current").exists()
        assert generations(out) == []


@pytest.mark.parametrize("source", ["crawl", "warc"])
def test_disk_full_keeps_the_previous_run(site: Path, tmp_path: Path, source: str) -> None:
    """A complete run on a small file system, the rest of it filled, then a run with a changed page:
    exit 2, one line saying why, and DIR is still the previous run, verified against its manifest.
    ``crawl`` crawls into DIR/archive on the full disk; ``warc`` reads WARC files crawled elsewhere, so
    only the new generation meets the full disk."""
    with small_disk(tmp_path / "disk", 16 * 1024) as disk:
        out = disk.root / "out"
        result = tfmigrate("migrate", site, "--out", out, preexec_fn=disk.preexec())
        assert result.returncode in (0, 1), result.stderr
        previous, before = verify(out), snapshot(out)
        revise(site, 1)
        if source == "warc":
            archive = tmp_path / "elsewhere"
            assert tfmigrate("crawl", site, "--archive", archive).returncode in (0, 1)
            args: tuple[str | Path, ...] = (archive / "warc", "--out", out)
        else:
            args = (site, "--out", out)
        disk.fill()
        assert_refused(tfmigrate("migrate", *args, preexec_fn=disk.preexec()), str(out), NO_SPACE)
        assert verify(out) == previous and snapshot(out) == before
        assert generations(out) == [previous.name] and revision_of(previous) is None


def test_output_folder_that_cannot_be_created(site: Path, tmp_path: Path) -> None:
    """DIR below a regular file cannot be created (root ignores modes, a file in the path does not):
    exit 2 and one line naming DIR."""
    (tmp_path / "afile").write_text("not a folder\n")
    out = tmp_path / "afile" / "out"
    assert_refused(tfmigrate("migrate", site, "--out", out), str(out), "not writable")


def test_unreachable_start_url_leaves_the_previous_run(site: Path, tmp_path: Path) -> None:
    """Nothing listens on 127.0.0.1:9: exit 2, one line naming the host, DIR's output untouched."""
    out = tmp_path / "out"
    migrate_ok(site, "--out", out)
    previous, before = verify(out), snapshot(out)
    result = tfmigrate("migrate", "http://127.0.0.1:9/index.html", "--retries", "0", "--out", out)
    assert_refused(result, "127.0.0.1")
    assert verify(out) == previous and snapshot(out) == before
    assert generations(out) == [previous.name]


def newer_archive(out: Path) -> Path:
    """DIR/archive/state.sqlite as a future tfmigrate (state schema 99) might leave it."""
    state = out / "archive" / "state.sqlite"
    state.parent.mkdir(parents=True)
    with closing(sqlite3.connect(state)) as db:
        db.executescript(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "INSERT INTO meta VALUES ('schema_version', '99');"
        )
    return state


@pytest.mark.parametrize("mode", [(), ("--reparse",)], ids=["crawl", "reparse"])
def test_archive_from_a_newer_version_is_refused(site: Path, tmp_path: Path, mode: tuple[str, ...]) -> None:
    """An archive whose state schema is newer than this tfmigrate reads: exit 2, one line saying so."""
    out = tmp_path / "out"
    newer_archive(out)
    source = () if mode else (site,)
    assert_refused(tfmigrate("migrate", *source, *mode, "--out", out), "newer", "schema 99")
    assert not (out / ".tfmigrate" / "current").exists()


def test_archive_from_a_newer_version_is_left_as_it_was(tmp_path: Path) -> None:
    """Refusing a newer archive does not write to it: its state database keeps its bytes."""
    out = tmp_path / "out"
    state = newer_archive(out)
    before = state.read_bytes()
    assert_refused(tfmigrate("migrate", "--reparse", "--out", out), "newer")
    assert sorted(p.name for p in state.parent.iterdir()) == ["state.sqlite"]
    assert state.read_bytes() == before


SITECUSTOMIZE = """
import os
import socket


def forbidden(*args, **kwargs):
    with open(os.environ["TFMIGRATE_NET_MARKER"], "a") as marker:
        marker.write(repr(args[1:2]) + "\\n")
    raise OSError("network forbidden in --reparse test")


socket.socket.connect = forbidden
socket.socket.connect_ex = forbidden
socket.create_connection = forbidden
"""


def test_reparse_uses_no_network(site_server: SiteServer, tmp_path: Path) -> None:  # noqa: F811
    """--reparse rebuilds DIR from its archive with every socket connection forbidden (a
    sitecustomize.py on PYTHONPATH): exit 0, no connection tried, the same records byte for byte.
    The same environment does stop a plain migrate from the HTTP site (exit 2, connection tried)."""
    out = tmp_path / "out"
    migrate_ok(site_server.url(), "--delay", "0", "--out", out)
    first = {p.name: p.read_bytes() for p in sorted((out / "cases").glob("*.json"))}
    assert len(first) > 20

    hooks, marker = tmp_path / "no-network", tmp_path / "connections.log"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE)
    python_path = os.pathsep.join(filter(None, [str(hooks), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": python_path, "TFMIGRATE_NET_MARKER": str(marker)}

    result = tfmigrate("migrate", "--reparse", "--out", out, env=env)
    assert result.returncode == 0, result.stderr
    assert not marker.exists(), marker.read_text()
    # Every page parsed again: a rebuild trusts no record of the last run.
    parsed, reused, _ = re.search(
        r"pages parsed / reused / skipped\D+(\d+) / (\d+) / (\d+)", result.stdout
    ).groups()
    assert int(parsed) >= len(first) and int(reused) == 0
    assert {p.name: p.read_bytes() for p in sorted((out / "cases").glob("*.json"))} == first
    verify(out)

    blocked = tfmigrate(
        "migrate", site_server.url(), "--delay", "0", "--retries", "0", "--out", tmp_path / "b", env=env
    )
    assert_refused(blocked, "127.0.0.1")
    assert marker.exists() and str(site_server.port) in marker.read_text()


def test_an_unwritable_generations_folder_is_refused_before_the_crawl(site: Path, tmp_path: Path) -> None:
    """DIR/.tfmigrate/generations on a read-only file system (a tmpfs remounted read-only): exit 2
    and one line naming that folder, before a crawl of hours is spent (it once ended in a
    PermissionError traceback after the whole crawl)."""
    out = tmp_path / "out"
    generations = out / ".tfmigrate" / "generations"
    generations.mkdir(parents=True)
    with small_disk(generations, 64) as disk:
        assert disk.mounted, "needs root to mount a tmpfs"
        subprocess.run(["mount", "-o", "remount,ro", str(generations)], check=True)
        assert_refused(tfmigrate("migrate", site, "--out", out), f"{generations} is not writable")
    assert not (out / "archive" / "state.sqlite").exists()


def folder_state(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): sha256(p.read_bytes()) for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("migrate", "{site}", "--out", "{site}/out"), "the output folder"),
        (("migrate", "{site}/index.html", "--out", "{site}"), "the output folder"),
        (("migrate", "{site}", "--out", "{tmp}/out", "--archive", "{site}/archive"), "the archive"),
        (("crawl", "{site}", "--archive", "{site}/archive"), "the archive"),
    ],
    ids=["out inside", "out is the source", "archive inside", "crawl archive inside"],
)
def test_output_inside_the_source_folder_is_refused(
    in_process: Tfmigrate, site: Path, tmp_path: Path, args: tuple[str, ...], named: str
) -> None:
    """``--out`` (or the archive) inside the local copy being crawled once made the next run crawl
    its own output: refused, one line, nothing written in the source folder."""
    before = folder_state(site)
    result = in_process(*(a.format(site=site, tmp=tmp_path) for a in args))
    assert_refused(result, named, "overlap")
    assert (
        folder_state(site) == before
        and sorted(p.name for p in site.iterdir() if p.name in ("out", "archive")) == []
    )


def test_a_users_own_archive_folder_is_not_mixed_with_ours(
    in_process: Tfmigrate, site: Path, tmp_path: Path
) -> None:
    """DIR/archive holding someone's own files is refused (they were once mixed with the WARC files
    and the state database); an empty DIR/archive is used."""
    out = tmp_path / "out"
    (out / "archive").mkdir(parents=True)
    (out / "archive" / "scans.txt").write_text("the department's own notes\n")
    assert_refused(in_process("migrate", site, "--out", out), f"{out / 'archive'} is not a tfmigrate archive")
    assert sorted(p.name for p in (out / "archive").iterdir()) == ["scans.txt"]
    (out / "archive" / "scans.txt").unlink()
    migrated_here(in_process, site, "--out", out)
    verify(out)


def test_the_write_probe_a_killed_run_left_is_no_obstacle(migrated: Path, in_process: Tfmigrate) -> None:
    """A run SIGKILLed between making and removing its write probe (test_sigkill_at_random_moments
    once hit that moment) left the probe folder; the next run said DIR was "not writable"."""
    for folder in (migrated, migrated / ".tfmigrate", migrated / ".tfmigrate/generations"):
        (folder / ".tfmigrate-write-test").mkdir()
    migrated_here(in_process, migrated / "archive", "--out", migrated)
    assert not (migrated / ".tfmigrate-write-test").exists()
