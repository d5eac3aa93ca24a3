"""tfmigrate doctor: check an output folder and its archive against what they claim to hold.

Output files against the manifest's sha256 and sizes; archive WARC files against the manifest and
read record by record; the crawl state database's integrity, and every archived payload against
the sha256 the state recorded. Each finding says what is damaged and the way out.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tfmigrate.crawl.archive import WARC_DIR, read_payload, read_to_end
from tfmigrate.crawl.index import WARC_SUFFIXES
from tfmigrate.crawl.state import STATE_FILE, CrawlState
from tfmigrate.errors import ArchiveError, StartError, TfMigrateError
from tfmigrate.locks import folder_lock
from tfmigrate.messages import quoted
from tfmigrate.migrate.generation import CURRENT, PUBLISHED, STATE_DIR, current_generation, file_digest

REBUILD = "rebuild the output with: tfmigrate migrate --reparse --out DIR"
TORN_OR_DAMAGED = (
    "if a crawl was killed while writing it, run that crawl again (it cuts the torn tail back);"
    " else restore the file from a backup, or tfmigrate doctor --repair and crawl again"
)


@dataclass(frozen=True)
class Finding:
    where: str
    problem: str
    remedy: str

    def line(self) -> str:
        return f"{quoted(self.where)}: {quoted(self.problem, 400)} -> {self.remedy}"


@dataclass
class Examination:
    findings: list[Finding]
    checked_files: int = 0
    checked_records: int = 0
    checked_payloads: int = 0
    damaged_urls: list[str] | None = None


def examine(out_dir: Path) -> Examination:
    """Everything doctor can check in DIR (an output folder, or an archive folder alone), with the
    folders locked: a run still writing them would look damaged."""
    result = Examination(findings=[], damaged_urls=[])
    archive_dir = out_dir / "archive" if (out_dir / "archive").is_dir() else out_dir
    is_output = (out_dir / STATE_DIR).is_dir() or any((out_dir / name).is_symlink() for name in PUBLISHED)
    # DIR handed over as the README says (copied following its links, .tfmigrate/ left out): its
    # manifest.json still holds every file to the run's bytes.
    is_copy = not is_output and (out_dir / "manifest.json").is_file()
    if not (is_output or is_copy or (archive_dir / STATE_FILE).exists()):
        raise StartError(
            f"{out_dir}: no such folder"
            if not out_dir.is_dir()
            else f"{out_dir} is neither a migrated output (no {STATE_DIR} folder or manifest.json) nor an"
            f" archive (no {STATE_FILE}): name the folder migrate wrote"
        )
    with ExitStack() as locks:
        manifest = None
        if is_copy:
            manifest = check_manifest(out_dir, out_dir / "manifest.json", result)
        elif is_output:
            locks.enter_context(folder_lock(out_dir / STATE_DIR, writes=False))
            manifest = check_output(out_dir, result)
            recorded = Path(str(manifest.get("archive"))) if manifest and manifest.get("archive") else None
            if not (out_dir / "archive").is_dir() and recorded is not None and recorded.is_dir():
                archive_dir = recorded  # migrated from an archive outside DIR
        if archive_dir != out_dir or not is_output:
            locks.enter_context(folder_lock(archive_dir, writes=False))
        if manifest:
            check_archive_files(archive_dir, manifest.get("archive_files", {}), result)
        check_warc_records(archive_dir, result)
        check_state(archive_dir, result)
    return result


def check_output(out_dir: Path, result: Examination) -> dict[str, object] | None:
    """The published run: ``current`` names a generation of DIR's own, DIR's names lead through it,
    and its files match its manifest. The manifest, or None when there is no run to check."""
    pointer = out_dir / STATE_DIR / CURRENT
    target = current_generation(out_dir)
    if target is None:
        named = (
            os.readlink(pointer)
            if pointer.is_symlink()
            else pointer.read_text(encoding="utf-8", errors="replace").strip()
            if pointer.is_file()
            else None
        )
        problem = f"names {named}, which is gone or not DIR's" if named is not None else "missing"
        result.findings.append(Finding(f"{STATE_DIR}/{CURRENT}", f"{problem}: no run is published", REBUILD))
        return None
    # Where the filesystem makes no symbolic links, DIR's names are copies (``current`` is a file):
    # the manifest check below holds them to the run's bytes.
    for name in PUBLISHED if pointer.is_symlink() else ():
        path = out_dir / name
        expected = Path(STATE_DIR) / CURRENT / name
        if not path.is_symlink() or Path(os.readlink(path)) != expected:
            problem = f"does not lead to {expected}"
            result.findings.append(Finding(name, problem, REBUILD))
    manifest = check_manifest(out_dir, out_dir / "manifest.json", result)
    if manifest is not None and manifest.get("run_id") != target.name:
        problem = f"belongs to run {manifest.get('run_id')}, not to {target.name}"
        result.findings.append(Finding("manifest.json", problem, REBUILD))
    return manifest


def check_manifest(out_dir: Path, manifest_path: Path, result: Examination) -> dict[str, object] | None:
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        result.findings.append(Finding(str(manifest_path), f"unreadable ({exc})", REBUILD))
        return None
    for name, expected in sorted(files.items()):
        path = out_dir / name
        result.checked_files += 1
        if not path.is_file():
            result.findings.append(Finding(name, "missing", REBUILD))
            continue
        digest, size = file_digest(path)
        if (digest, size) != (expected.get("sha256"), expected.get("size")):
            result.findings.append(
                Finding(name, f"changed since the run ({size} bytes, sha256 {digest[:12]})", REBUILD)
            )
    return dict(manifest)


def check_archive_files(archive_dir: Path, files: object, result: Examination) -> None:
    if not isinstance(files, dict):
        return
    for name, expected in sorted(files.items()):
        path = archive_dir / name
        result.checked_files += 1
        if not path.is_file():
            result.findings.append(
                Finding(f"archive/{name}", "missing", "restore it from a backup, or re-crawl")
            )
        elif file_digest(path) != (expected.get("sha256"), expected.get("size")):
            remedy = "its damaged records follow; tfmigrate doctor --repair lets the next crawl refetch them"
            result.findings.append(Finding(f"archive/{name}", "changed since the run", remedy))


def check_warc_records(archive_dir: Path, result: Examination) -> None:
    """Read every record of every WARC file to its end: a record shorter than its Content-Length,
    bytes that are no record, anything unreadable is damage to the archive of record, whether or
    not a page in use depends on it (those are also checked one by one, by ``check_state``)."""
    warc_dir = archive_dir / WARC_DIR if (archive_dir / WARC_DIR).is_dir() else archive_dir
    for path in sorted(p for p in warc_dir.rglob("*") if p.name.endswith(WARC_SUFFIXES)):
        end = 0
        try:
            with path.open("rb") as handle:
                records = ArchiveIterator(handle)
                for record in records:
                    if not read_to_end(record):
                        raise ValueError("a record shorter than its Content-Length")
                    records.read_to_end(record)
                    end = records.get_record_offset() + records.get_record_length()
                    result.checked_records += 1
            if end != path.stat().st_size:
                raise ValueError(f"{path.stat().st_size - end:,} bytes that are no WARC record")
        except Exception as exc:  # any library error here is damage to report, not a crash
            problem = f"unreadable from offset {end:,} ({type(exc).__name__}: {exc})"
            result.findings.append(Finding(path.name, problem, TORN_OR_DAMAGED))


def check_state(archive_dir: Path, result: Examination) -> None:
    state_path = archive_dir / STATE_FILE
    if not state_path.exists():
        return
    try:
        # closing(): a sqlite3 connection's own ``with`` commits, it does not close.
        with closing(sqlite3.connect(f"file:{state_path}?mode=ro", uri=True)) as db:
            verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise sqlite3.DatabaseError(verdict)
        state = CrawlState.open_read_only(state_path)
    except (sqlite3.Error, TfMigrateError) as exc:
        remedy = (
            f"move it away and migrate from the WARC files alone: tfmigrate migrate {archive_dir / WARC_DIR}"
        )
        result.findings.append(
            Finding(str(state_path), f"crawl state damaged ({exc})", remedy + " --out NEWDIR")
        )
        return
    try:
        for row in state.all_rows():
            if row.location is None or row.sha256 is None:
                continue
            result.checked_payloads += 1
            try:
                read_payload(archive_dir / WARC_DIR, row.location, row.sha256)
            except ArchiveError as exc:
                damaged(result, row.url, str(exc))
    finally:
        state.close()


def damaged(result: Examination, url: str, problem: str) -> None:
    result.findings.append(Finding(url, problem, "tfmigrate doctor --repair lets the next crawl refetch it"))
    assert result.damaged_urls is not None
    result.damaged_urls.append(url)


def forget_damaged(archive_dir: Path, urls: list[str]) -> int:
    """--repair: drop the damaged copies' locations and validators, so the next crawl fetches them anew."""
    with folder_lock(archive_dir, writes=True):
        state = CrawlState.open(archive_dir / STATE_FILE)
        try:
            with state.transaction():
                for url in urls:
                    state.db.execute(
                        "UPDATE urls SET sha256 = NULL, warc_file = NULL, warc_offset = NULL,"
                        " warc_length = NULL, etag = NULL, last_modified = NULL WHERE url = ?",
                        (url,),
                    )
        finally:
            state.close()
    return len(urls)
