"""tfmigrate doctor: check an output folder and its archive against what they claim to hold.

Output files against the manifest's sha256 and sizes; archive WARC files against the manifest and
read record by record; the crawl state database's integrity, and every archived payload against
the sha256 the state recorded. Each finding says what is damaged and the way out.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tfmigrate.crawl import STATE_FILE, WARC_DIR
from tfmigrate.crawl.archive import read_payload
from tfmigrate.crawl.index import WARC_SUFFIXES
from tfmigrate.crawl.state import CrawlState
from tfmigrate.errors import ArchiveError, StartError, TfMigrateError
from tfmigrate.export.generation import file_digest

REBUILD = "rebuild the output with: tfmigrate migrate --reparse --out DIR"


@dataclass(frozen=True)
class Finding:
    where: str
    problem: str
    remedy: str

    def line(self) -> str:
        return f"{self.where}: {self.problem} -> {self.remedy}"


@dataclass
class Examination:
    findings: list[Finding]
    notes: list[Finding] = field(default_factory=list)  # damage that no record in use depends on
    checked_files: int = 0
    checked_records: int = 0
    checked_payloads: int = 0
    damaged_urls: list[str] | None = None


def examine(out_dir: Path) -> Examination:
    """Everything doctor can check in DIR (an output folder, or an archive folder alone)."""
    result = Examination(findings=[], damaged_urls=[])
    manifest_path = out_dir / "manifest.json"
    archive_dir = out_dir / "archive" if (out_dir / "archive").is_dir() else out_dir
    if manifest_path.exists():
        manifest = check_manifest(out_dir, manifest_path, result)
        recorded = Path(str(manifest.get("archive"))) if manifest and manifest.get("archive") else None
        if not (out_dir / "archive").is_dir() and recorded is not None and recorded.is_dir():
            archive_dir = recorded  # migrated from an archive outside DIR
        if manifest:
            check_archive_files(archive_dir, manifest.get("archive_files", {}), result)
    elif not (archive_dir / STATE_FILE).exists():
        raise StartError(
            f"{out_dir}: no such folder"
            if not out_dir.is_dir()
            else f"{out_dir} is neither a migrated"
            f" output (no manifest.json) nor an archive (no {STATE_FILE}): name the folder migrate wrote"
        )
    check_warc_records(archive_dir, result)
    check_state(archive_dir, result)
    return result


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
    warc_dir = archive_dir / WARC_DIR if (archive_dir / WARC_DIR).is_dir() else archive_dir
    for path in sorted(p for p in warc_dir.rglob("*") if p.name.endswith(WARC_SUFFIXES)):
        offset = 0
        try:
            with path.open("rb") as handle:
                records = ArchiveIterator(handle)
                for record in records:
                    offset = records.get_record_offset()
                    record.content_stream().read()
                    result.checked_records += 1
        except Exception as exc:  # any library error here is damage to report, not a crash
            where, problem = (
                f"{path.name} after offset {offset}",
                f"WARC records unreadable ({type(exc).__name__})",
            )
            finding = Finding(where, problem, "tfmigrate doctor --repair, then crawl again")
            # With a state database every record in use is checked one by one (check_state); damage
            # in records nothing uses any more (superseded by a later capture) is only noted.
            (result.notes if (archive_dir / STATE_FILE).exists() else result.findings).append(finding)


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
    state = CrawlState.open(archive_dir / STATE_FILE)
    try:
        with state.transaction():
            for url in urls:
                state.db.execute(
                    "UPDATE urls SET sha256 = NULL, warc_file = NULL, warc_offset = NULL, warc_length = NULL,"
                    " etag = NULL, last_modified = NULL WHERE url = ?",
                    (url,),
                )
    finally:
        state.close()
    return len(urls)
