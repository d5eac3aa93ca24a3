"""DIR/provenance/<case_id>.json: where each value of a record stands on its page, written by
migrate from the provenance API, and linked unread by a re-run that leaves the page alone."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Tfmigrate, migrated_here
from tfmigrate import parse
from tfmigrate.parse import trace_page
from tfmigrate.provenance import Provenance


def test_every_record_has_its_provenance_and_a_rerun_links_it(migrated: Path, in_process: Tfmigrate) -> None:
    records = sorted(p.stem for p in (migrated / "cases").glob("*.json"))
    assert sorted(p.stem for p in (migrated / "provenance").glob("*.json")) == records
    provenance = Provenance.model_validate_json((migrated / "provenance/bs125.json").read_bytes())
    record = json.loads((migrated / "cases/bs125.json").read_text(encoding="utf-8"))
    _, traced = trace_page((migrated / "originals/bs125.html").read_bytes(), record["source"]["url"])
    assert provenance == traced  # the API's answer for the archived bytes, nothing of its own
    (diagnosis,) = [p for p in provenance.placements if p.field == "diagnosis"]
    assert diagnosis.rule == "label" and diagnosis.where and diagnosis.where.startswith("/html/body")

    inode = (migrated / "provenance/bs125.json").stat().st_ino
    migrated_here(in_process, migrated / "archive", "--out", migrated)
    assert (migrated / "provenance/bs125.json").stat().st_ino == inode
    assert in_process("doctor", migrated).returncode == 0


def test_a_run_parses_each_page_once(
    migrated: Path, in_process: Tfmigrate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The provenance of a page parsed this run comes from the parse that gave its record: every
    page was once parsed a second time to trace it, a third of a first run's work."""
    reads: Counter[str] = Counter()
    read_page = parse.read_page

    def counted(raw: bytes, url: str, **options: Any) -> parse.PageRead:
        reads[url] += 1
        return read_page(raw, url, **options)

    monkeypatch.setattr(parse, "read_page", counted)
    out = tmp_path / "again"
    migrated_here(in_process, migrated / "archive", "--out", out)
    assert len(list((out / "provenance").glob("*.json"))) > 30
    assert reads and max(reads.values()) == 1, reads.most_common(3)
    bs125 = json.loads((out / "cases/bs125.json").read_text(encoding="utf-8"))["source"]["url"]
    _, traced = trace_page((out / "originals/bs125.html").read_bytes(), bs125)
    assert Provenance.model_validate_json((out / "provenance/bs125.json").read_bytes()) == traced
