"""tfmigrate parse and schema, run as a user runs them: a real subprocess."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import REPO, SEED, SITE, Tfmigrate
from tfmigrate.cli import build_parser

GOOD_PAGE = SEED.read_bytes()


def run(
    *args: str | Path, cwd: Path = REPO, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tfmigrate", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env=env,
    )


def test_parse_writes_records_and_a_summary(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "bs125te148.txt").write_bytes(GOOD_PAGE)
    (pages / "list.html").write_text("<html><body><a href='bs125te148.html'>Bone</a></body></html>")
    (pages / "bs125.gif").write_bytes(b"GIF89a")  # not a page suffix: never read
    result = run("parse", pages, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("parsed 1, skipped 1 (not a case page), failed 0")
    record = json.loads((tmp_path / "out/cases/bs125.json").read_text(encoding="utf-8"))
    lines = (tmp_path / "out/cases.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [record]
    assert record["diagnosis"] == "Heterotopic Ossification"


BAD_INPUTS = {
    "empty.html": b"",
    "binary.html": bytes(range(256)) * 40,
    "picture.html": b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 100,
    "huge.html": b"<p>" + b"x" * (50 * 1024 * 1024),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gets_one_line_and_the_batch_goes_on(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(BAD_INPUTS[name])
    (tmp_path / "bs125te148.txt").write_bytes(GOOD_PAGE)
    result = run("parse", tmp_path / name, tmp_path / "bs125te148.txt", "--out", tmp_path / "out")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and name in result.stderr
    assert "Traceback" not in result.stderr
    assert "parsed 1, skipped 0 (not a case page), failed 1" in result.stdout
    assert (tmp_path / "out/cases/bs125.json").exists()


def test_a_page_longer_than_its_file_size_says_is_read_whole(tmp_path: Path) -> None:
    # A pipe says it holds 0 bytes: the page is read to its end (to the limit), not to its size.
    pipe = tmp_path / "bs125te148.txt"
    os.mkfifo(pipe)
    writer = threading.Thread(target=pipe.write_bytes, args=(GOOD_PAGE,))
    writer.start()
    result = run("parse", pipe, "--out", tmp_path / "out")
    writer.join()
    assert result.returncode == 0, result.stderr
    record = json.loads((tmp_path / "out/cases/bs125.json").read_text(encoding="utf-8"))
    assert record["source"]["sha256"] == hashlib.sha256(GOOD_PAGE).hexdigest()


@pytest.mark.parametrize(
    "raw",
    [
        GOOD_PAGE[: len(GOOD_PAGE) // 3],  # truncated text rendering
        b"<html><body><b>Case Author(s):</b> A. B, M.D. , 1/30/01 . Rating: #D2, #Q3<p>Diagnosis: X<p>Brief",
        # Invalid in every candidate encoding.
        b"<p>Case number: bs999<p>Diagnosis: \xff\xfe\x81 undecodable \x9d bytes",
    ],
    ids=["truncated-text", "truncated-html", "undecodable"],
)
def test_damaged_case_pages_still_give_records(tmp_path: Path, raw: bytes) -> None:
    (tmp_path / "bs999te100.html").write_bytes(raw)
    result = run("parse", tmp_path / "bs999te100.html", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "parsed 1" in result.stdout


def test_verbose_shows_the_traceback(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"")
    result = run("parse", tmp_path / "empty.html", "--out", tmp_path / "out", "-v")
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "InputError" in result.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("parse", "--out", tmp_path).returncode == 2
    missing = run("parse", tmp_path / "nope", "--out", tmp_path / "out")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    (tmp_path / "page.txt").write_bytes(GOOD_PAGE)
    (tmp_path / "file").write_text("a file where the output folder should be")
    blocked = run("parse", tmp_path / "page.txt", "--out", tmp_path / "file")
    assert blocked.returncode == 2 and blocked.stderr.startswith("tfmigrate: error: cannot write")
    assert "Traceback" not in blocked.stderr


def test_duplicate_case_ids_keep_the_first_and_say_so(tmp_path: Path) -> None:
    for name in ("a_bs125te148.txt", "b_bs125te148.txt"):
        (tmp_path / name).write_bytes(GOOD_PAGE)
    result = run("parse", tmp_path, "--out", tmp_path / "out")
    assert result.returncode == 0
    assert "duplicates 1" in result.stdout and "already read from" in result.stderr


def test_a_batch_replaces_the_last_one_whole(in_process: Tfmigrate, tmp_path: Path) -> None:
    """A batch is written into a fresh folder and switched in when done: the last batch's records
    go with it (they once stayed in cases/, missing from cases.jsonl), and nothing is left over."""
    out = tmp_path / "out"
    first = sorted(SITE.glob("bs*te*.html"))
    assert in_process("parse", *first, "--out", out).returncode == 0
    assert len(list((out / "cases").glob("*.json"))) == len(first)
    assert in_process("parse", SEED, "--out", out).returncode == 0
    assert sorted(p.name for p in (out / "cases").iterdir()) == ["bs125.json"]
    lines = (out / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["case_id"] for line in lines] == ["bs125"]
    assert sorted(p.name for p in out.iterdir()) == ["cases", "cases.jsonl"]


def test_a_record_that_cannot_be_written_fails_the_batch_and_keeps_the_last(
    in_process: Tfmigrate, tmp_path: Path
) -> None:
    """Records are written on a thread: its failure still stops the batch, one line, exit 2, and the
    last batch stays whole. The failure is real: a file size limit the kernel enforces (EFBIG)."""
    out = tmp_path / "out"
    assert in_process("parse", SEED, "--out", out).returncode == 0
    before = {p.name: p.read_bytes() for p in (out / "cases").iterdir()}
    pages = sorted(SITE.glob("bs*te*.html"))
    limit = min(len(p.read_bytes()) for p in pages)  # every record is larger than its smallest page

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [sys.executable, "-m", "tfmigrate", "parse", *map(str, pages), "--out", str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=120, preexec_fn=limit_file_size,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("tfmigrate: error: cannot write") and result.stderr.count("\n") == 1
    assert {p.name: p.read_bytes() for p in (out / "cases").iterdir()} == before
    assert sorted(p.name for p in out.iterdir()) == ["cases", "cases.jsonl"]


@pytest.mark.parametrize("planted", ["cases/notes.txt", ".tfmigrate/"])
def test_a_batch_never_replaces_a_folder_of_someone_elses(
    in_process: Tfmigrate, tmp_path: Path, planted: str
) -> None:
    """A cases/ folder with other files in it, or a migrated DIR, is refused before a page is
    read, and left as it was."""
    out = tmp_path / "out"
    if planted.endswith("/"):
        (out / planted).mkdir(parents=True)
    else:
        (out / planted).parent.mkdir(parents=True)
        (out / planted).write_text("mine")
    result = in_process("parse", SEED, "--out", out)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "folder of its own" in result.stderr or "another folder" in result.stderr
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == sorted(
        {planted.rstrip("/"), planted.partition("/")[0]}
    )


def test_schema_command_matches_the_committed_schema() -> None:
    result = run("schema")
    assert result.returncode == 0
    committed = (REPO / "schema/case.schema.json").read_text(encoding="utf-8")
    assert result.stdout == committed, "regenerate with: tfmigrate schema > schema/case.schema.json"
    schema = json.loads(committed)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    required = {"schema_version", "case_id", "template", "title", "authors", "date", "date_raw", "rating",
                "diagnosis", "brief_history", "full_history", "findings", "discussion", "followup",
                "teaching_points", "differential_diagnosis", "patient", "procedure", "images", "references",
                "acr_codes", "keywords", "general_discussion", "anatomic_field", "category", "links",
                "copyright", "source", "issues", "unassigned"}  # fmt: skip
    assert required <= set(schema["properties"])


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (subcommands,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert sorted(subcommands.choices) == [
        "correct", "corrections", "crawl", "doctor", "export", "migrate", "parse", "review", "schema",
        "stats",
    ]  # fmt: skip
    usage = run("--help").stdout
    for command in subcommands.choices:
        assert f"`tfmigrate {command}" in readme
        assert command in usage


# The README's bullet of each command; migrate's says it "takes every crawl option" crawl's lists.
README_COMMAND_RE = re.compile(r"^- `tfmigrate (\w+)(.*?)(?=^- |^## )", re.MULTILINE | re.DOTALL)
DOCUMENTED_WITH = {"migrate": "crawl"}


def test_every_option_of_every_command_is_documented_in_the_readme() -> None:
    # As sqlite-utils checks its CLI reference: an option the README does not name is one nobody finds.
    sections = dict(README_COMMAND_RE.findall((REPO / "README.md").read_text(encoding="utf-8")))
    (subcommands,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    undocumented = []
    for command, parser in subcommands.choices.items():
        text = sections[command] + sections.get(DOCUMENTED_WITH.get(command, ""), "")
        for action in parser._actions:
            names = [o for o in action.option_strings if o not in ("-h", "--help")]
            if names and not any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", text) for o in names):
                undocumented.append(f"{command} {names[-1]}")
    assert undocumented == []


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("tfmigrate")
    result = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("tfmigrate ")


def test_the_fixture_site_parses_cleanly(tmp_path: Path) -> None:
    result = run("parse", "fixtures/html", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("parsed 31, skipped ")
    assert result.stdout.rstrip().endswith(f"failed 0, image-size alternates 2 -> {tmp_path / 'cases'}")
    # newtfh prints each case at two image sizes; the as-submitted page (original images) is kept.
    record = json.loads((tmp_path / "cases/newtfh-271472.json").read_text(encoding="utf-8"))
    assert record["source"]["url"].endswith("/submitted_271472.html")
    assert record["images"][0]["url"].endswith("/fig1-submitted.jpg")


def test_jobs_give_the_same_files_and_failures_keep_their_message(tmp_path: Path) -> None:
    # --jobs 2 parses on worker processes; output, summary and failure lines must not change.
    (tmp_path / "empty.html").write_bytes(b"")
    results = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        results[jobs] = run(
            "parse", "fixtures/html", tmp_path / "empty.html", "--out", out, "--jobs", jobs, "-v"
        )
        assert results[jobs].returncode == 1
        assert "empty.html: empty file\nTraceback" in results[jobs].stderr
        assert "InputError" in results[jobs].stderr
    assert results["1"].stdout.replace("out1", "out2") == results["2"].stdout
    files = {
        jobs: sorted(p.relative_to(tmp_path / f"out{jobs}") for p in (tmp_path / f"out{jobs}").rglob("*"))
        for jobs in ("1", "2")
    }
    assert files["1"] == files["2"] and len(files["1"]) == 33  # cases/, 31 records, cases.jsonl
    for name in files["1"]:
        if (tmp_path / "out1" / name).is_file():
            assert (tmp_path / "out1" / name).read_bytes() == (tmp_path / "out2" / name).read_bytes(), name
    lines = (tmp_path / "out2/cases.jsonl").read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["case_id"] for line in lines]
    assert ids == sorted(ids) and len(ids) == 31
