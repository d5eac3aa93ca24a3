"""The last complete run: what each page gave (its state file), the records it holds, and the
sha256 and size of every file it wrote (its manifest).

A cache, never a precondition: a truncated record, state or manifest once stopped every run with
a traceback (``--reparse`` too, the way out doctor names). A file that does not read is named in
``damage`` and rebuilt from the archive; a record whose bytes are not what the last run wrote is
never reused unread (the workers check each one they reuse: ``cases.LastRecord``).
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tfmigrate.messages import quoted
from tfmigrate.migrate.generation import Digest, bytes_digest
from tfmigrate.migrate.state import STATE_FILE, PageState, RunState
from tfmigrate.records import case_ids
from tfmigrate.runs import iso_ns

MANIFEST_FILE = "manifest.json"


@dataclass
class PreviousRun:
    root: Path | None  # its generation; None on a first run
    pages: dict[str, PageState] = field(default_factory=dict)  # what each page gave, by URL
    case_ids: frozenset[str] = frozenset()  # every record file it holds, readable or not
    case_urls: dict[str, str] = field(default_factory=dict)  # case id -> the page its record is from
    files: dict[str, Digest] = field(default_factory=dict)  # its manifest: every file's sha256 and size
    damage: dict[str, str] = field(default_factory=dict)  # file -> what is wrong with it
    finished_ns: int | None = None  # when it finished writing (its manifest's word), ns since the epoch
    archive_files: dict[str, Digest] = field(default_factory=dict)  # the sha256 and size of its WARC files

    @classmethod
    def load(cls, root: Path | None) -> PreviousRun:
        if root is None:
            return cls(None)
        run = cls(root, case_ids=frozenset(case_ids(root)))
        run.files = run.read_manifest()
        state = run.read_state()
        if state is not None:
            run.pages = state.pages
            run.case_urls = {
                page.case_id: url
                for url, page in state.pages.items()
                if page.result == "case" and page.case_id
            }
        return run

    def read_manifest(self) -> dict[str, Digest]:
        assert self.root is not None
        try:
            manifest = json.loads((self.root / MANIFEST_FILE).read_bytes())
            files = digests(manifest["files"])
            self.finished_ns = iso_ns(manifest.get("finished"))
            self.archive_files = digests(manifest.get("archive_files", {}))
            return files
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            self.damage[MANIFEST_FILE] = f"unreadable ({quoted(exc, 80)})"
            return {}

    def read_state(self) -> RunState | None:
        """The state, when it is what the last run wrote (pages are reused on its word alone)."""
        assert self.root is not None
        try:
            data = (self.root / STATE_FILE).read_bytes()
            state = RunState.model_validate_json(data)
        except (OSError, ValidationError) as exc:
            self.damage[STATE_FILE] = f"unreadable ({quoted(exc, 80)})"
            return None
        if bytes_digest(data) != self.expected(STATE_FILE):
            if self.files:
                self.damage[STATE_FILE] = "not what it wrote (edited or damaged since)"
            return None
        return state

    def expected(self, relative: str) -> Digest | None:
        """The sha256 and size its manifest gives a file: what the last run wrote."""
        return self.files.get(relative)


def digests(listed: dict[str, Any]) -> dict[str, Digest]:
    """A manifest's list of files: name -> (sha256, size)."""
    return {name: (facts["sha256"], facts["size"]) for name, facts in listed.items()}


def untouched(path: str | Path, expected: Digest | None, finished_ns: int | None) -> bool:
    """A file is still what a run's manifest says (``expected``), unread: a regular file of
    that size, modified no later than the run finished. An edit since (by hand, or a tool's)
    gives a later mtime; a hard link made or dropped (the next generation, the last one
    deleted) changes only the ctime. Damage that keeps the size and mtime (a bad sector) is
    tfmigrate doctor's to find: it hashes every file. Reading and hashing each file instead
    was most of an unchanged re-run's case work (cold reads, 130-180 us each) and a hash of the
    whole archive, growing by a WARC file a run (benchmarks/CHANGES.md)."""
    if expected is None or finished_ns is None:
        return False
    try:
        facts = os.lstat(path)
    except OSError:
        return False
    regular = stat.S_ISREG(facts.st_mode)
    return regular and facts.st_size == expected[1] and facts.st_mtime_ns <= finished_ns
