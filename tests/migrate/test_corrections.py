"""An archivist's corrections (DIR/corrections/) against real runs of the fixture site served on
127.0.0.1: they survive re-runs and --reparse, reach the exporters, and a page changed under one
is a conflict with its three values; a bad line stops a run before it writes anything."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.conftest import Tfmigrate, migrated_here
from tests.crawl.conftest import SiteServer, site_copy, site_server  # noqa: F401
from tests.migrate.test_migrate import edit
from tfmigrate.corrections import CORRECTIONS_DIR
from tfmigrate.migrate.generation import CURRENT, STATE_DIR


def load(out: Path, name: str) -> Any:
    return json.loads((out / name).read_text(encoding="utf-8"))


def jsonl_record(out: Path, case_id: str) -> dict[str, Any]:
    for line in (out / "cases.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["case_id"] == case_id:
            return record
    raise AssertionError(f"{case_id} not in cases.jsonl")


def test_a_correction_survives_reruns_reparse_and_export_and_a_page_change_is_a_conflict(
    site_server: SiteServer,  # noqa: F811
    in_process: Tfmigrate,
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    site = (site_server.url(), "--delay", "0", "--out", out)
    migrated_here(in_process, *site)
    assert in_process("correct", out, "bs125", "diagnosis", "Heterotopic ossification of the hip",
                      "--note", "site typo", "--reviewer", "ann").returncode == 0  # fmt: skip
    assert in_process("correct", out, "bs125", "images[second].caption", "Pelvis, anterior").returncode == 0
    assert in_process("correct", out, "bs125", "authors[0].family", "Smith", "--verified").returncode == 0
    assert in_process("correct", out, "pa002", "diagnosis", "Parathyroid adenoma, left").returncode == 0
    assert in_process("correct", out, "bs010", "--verified").returncode == 0
    lines = (out / CORRECTIONS_DIR / "bs125.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["field"] for line in lines] == [
        "authors[0].family", "diagnosis", "images[second].caption",
    ]  # fmt: skip
    first = json.loads(lines[1])
    assert first["base"] == "Heterotopic Ossification" and first["reviewer"] == "ann"

    migrated_here(in_process, *site)  # a re-run: the pages unchanged (304s)
    record = load(out, "cases/bs125.json")
    assert record["diagnosis"] == "Heterotopic ossification of the hip"
    assert [i["caption"] for i in record["images"] if i["label"] == "second"] == ["Pelvis, anterior"]
    assert record["authors"][0]["family"] == "Smith"
    assert [c["field"] for c in record["review"]["corrected"]] == [
        "authors[0].family", "diagnosis", "images[second].caption", "title",  # the title follows
    ]  # fmt: skip
    assert record["title"] == "Heterotopic ossification of the hip"
    assert record["review"]["verified_fields"] == ["authors[0].family"]
    assert jsonl_record(out, "bs010")["review"]["verified"] is True
    assert jsonl_record(out, "bs125")["diagnosis"] == "Heterotopic ossification of the hip"
    assert "review" not in jsonl_record(out, "bs003")  # an unreviewed record keeps its bytes
    assert load(out, "changes.json")["conflicts"] == []

    unchanged = (out / "cases/bs125.json").read_bytes()
    migrated_here(in_process, *site)
    assert (out / "cases/bs125.json").read_bytes() == unchanged
    assert "bs125" in load(out, "changes.json")["unchanged"]
    migrated_here(in_process, site_server.url(), "--out", out, "--reparse")
    assert (out / "cases/bs125.json").read_bytes() == unchanged

    for format_name in ("jsonl", "csv", "markdown"):
        exported = in_process("export", out, "--format", format_name, "--out", tmp_path / format_name)
        assert exported.returncode == 0, exported.stderr
        files = [p for p in (tmp_path / format_name).rglob("*") if p.suffix in (".jsonl", ".csv", ".md")]
        text = "".join(p.read_text(encoding="utf-8") for p in files)
        assert "Heterotopic ossification of the hip" in text and "Pelvis, anterior" in text, format_name

    # The site changes the corrected diagnosis, and withdraws a corrected case.
    edit(
        site_server.root / "bs125te148.html",
        b"Heterotopic Ossification",
        b"Heterotopic Ossification (mature)",
    )
    (site_server.root / "pa002te123.html").unlink()
    result = migrated_here(in_process, *site)
    changes = load(out, "changes.json")
    assert changes["conflicts"] == [
        {
            "case_id": "bs125",
            "field": "diagnosis",
            "base": "Heterotopic Ossification",
            "new": "Heterotopic Ossification (mature)",
            "corrected": "Heterotopic ossification of the hip",
        }
    ]
    assert load(out, "cases/bs125.json")["diagnosis"] == "Heterotopic ossification of the hip"
    assert (
        'conflict bs125 diagnosis: base "Heterotopic Ossification", page now "Heterotopic Ossification'
        ' (mature)", corrected "Heterotopic ossification of the hip"'
    ) in result.stdout
    summary = next(c for c in load(out, "report.json")["cases"] if c["case_id"] == "bs125")
    assert summary["conflicts"] == [{k: v for k, v in changes["conflicts"][0].items() if k != "case_id"}]
    assert load(out, "report.json")["counts"]["cases_in_conflict"] == 1
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "conflict in <code>diagnosis</code>" in page and "Heterotopic Ossification (mature)" in page
    listed = in_process("corrections", out, "--conflicts")
    assert (
        listed.stdout.count("\n") == 1 and "CONFLICT" in listed.stdout and "bs125 diagnosis" in listed.stdout
    )

    pa002 = load(out, "cases/pa002.json")
    assert pa002["withdrawn"] and pa002["diagnosis"] == "Parathyroid adenoma, left"
    assert (out / CORRECTIONS_DIR / "pa002.jsonl").is_file()

    # Resolved by taking the page's new value as the correction's base: no conflict from then on.
    assert (
        in_process("correct", out, "bs125", "diagnosis", "Heterotopic ossification of the hip").returncode
        == 0
    )
    migrated_here(in_process, *site)
    assert load(out, "changes.json")["conflicts"] == []
    assert in_process("doctor", out).returncode == 0  # the archivist's files are not damage


def test_a_bad_line_stops_the_run_naming_file_and_line(migrated: Path, in_process: Tfmigrate) -> None:
    folder = migrated / CORRECTIONS_DIR
    folder.mkdir()
    good = {
        "field": "diagnosis",
        "value": "x",
        "base": "y",
        "reviewer": "ann",
        "when": "2026-01-01T00:00:00Z",
    }
    current = os.readlink(migrated / STATE_DIR / CURRENT)
    for bad, says in (
        ({**good, "field": "diagnosys"}, "unknown or uncorrectable field 'diagnosys'"),
        (
            {**good, "field": "rating", "value": {"difficulty": "hard"}},
            "rating: {'difficulty': 'hard'} refused",
        ),
        ({**good, "field": "case_id"}, "uncorrectable field 'case_id'"),
        ({**good, "colour": "red"}, "colour: Extra inputs are not permitted"),
    ):
        (folder / "bs125.jsonl").write_text(
            json.dumps(good | {"field": "findings"}) + "\n" + json.dumps(bad) + "\n"
        )
        result = in_process("migrate", migrated / "archive", "--out", migrated, "-q")
        assert result.returncode == 2
        assert "corrections/bs125.jsonl line 2: " in result.stderr and says in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert os.readlink(migrated / STATE_DIR / CURRENT) == current  # nothing written


def test_correct_refuses_what_the_model_refuses(migrated: Path, in_process: Tfmigrate) -> None:
    refused = in_process("correct", migrated, "bs125", "rating", '{"difficulty": "hard"}')
    assert refused.returncode == 2 and "rating" in refused.stderr and "refused" in refused.stderr
    missing = in_process("correct", migrated, "bs125", "images[ninth].caption", "x")
    assert missing.returncode == 2 and "bs125 has no images[ninth].caption" in missing.stderr
    assert not (migrated / CORRECTIONS_DIR / "bs125.jsonl").exists()
    unchanged = in_process("correct", migrated, "bs125", "diagnosis", "Heterotopic Ossification")
    assert unchanged.returncode == 0  # the page's own value: no correction to keep
    assert not (migrated / CORRECTIONS_DIR / "bs125.jsonl").exists()
    assert (
        in_process("correct", migrated, "bs125", "rating", '{"difficulty": 4, "quality": null}').returncode
        == 0
    )
    line = json.loads((migrated / CORRECTIONS_DIR / "bs125.jsonl").read_text(encoding="utf-8"))
    assert line["value"] == {"difficulty": 4, "quality": None} and line["base"] == {
        "difficulty": 2,
        "quality": 3,
    }


def test_an_empty_value_clears_a_field_that_may_be_null(migrated: Path, in_process: Tfmigrate) -> None:
    assert in_process("correct", migrated, "bs125", "findings", "").returncode == 0
    line = json.loads((migrated / CORRECTIONS_DIR / "bs125.jsonl").read_text(encoding="utf-8"))
    assert line["field"] == "findings" and line["value"] is None and line["base"]
    migrated_here(in_process, migrated / "archive", "--out", migrated)
    assert load(migrated, "cases/bs125.json")["findings"] is None


def test_a_title_that_is_the_diagnosis_follows_its_correction(migrated: Path, in_process: Tfmigrate) -> None:
    parsed = load(migrated, "cases/bs125.json")
    assert parsed["title"] == parsed["diagnosis"]  # a classic page's title is its diagnosis
    assert (
        in_process(
            "correct", migrated, "bs125", "diagnosis", "Heterotopic ossification, both hips"
        ).returncode
        == 0
    )
    migrated_here(in_process, migrated / "archive", "--out", migrated)
    record = load(migrated, "cases/bs125.json")
    assert record["title"] == record["diagnosis"] == "Heterotopic ossification, both hips"
    title = next(c for c in record["review"]["corrected"] if c["field"] == "title")
    assert (title["parsed"], title["conflict"]) == (parsed["title"], False)

    # A title the archivist sets stays theirs; and a re-run takes nothing off twice.
    assert (
        in_process("correct", migrated, "bs125", "title", "Bilateral heterotopic ossification").returncode
        == 0
    )
    migrated_here(in_process, migrated / "archive", "--out", migrated)
    migrated_here(in_process, migrated / "archive", "--out", migrated)
    record = load(migrated, "cases/bs125.json")
    assert record["title"] == "Bilateral heterotopic ossification"
    assert record["diagnosis"] == "Heterotopic ossification, both hips"
