"""DIR/provenance/<case_id>.json: where each value of a record stands on its page, written by
migrate from the provenance API, and linked unread by a re-run that leaves the page alone."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Tfmigrate, migrated_here
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
