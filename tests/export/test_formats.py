"""csv, markdown and jsonl exports of the fixture site's records, the registry, and a plug-in."""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest

from tests.conftest import GOLDEN, REPO, SITE
from tests.test_cli import run
from tfmigrate.export import tables
from tfmigrate.export.registry import ExportOptions, MigratedOutput, available_exporters, export
from tfmigrate.export.tables import safe_cell
from tfmigrate.models import Case

SITE_URL = SITE.resolve().as_uri() + "/"


def portable(text: str) -> str:
    """Golden files name the fixture site {SITE}/, wherever the repository is."""
    return text.replace(SITE_URL, "{SITE}/").replace(quote_uri(SITE_URL), "{SITE}/")


def quote_uri(url: str) -> str:
    return quote(url, safe=":/?&=#%~+,;@")


def check_golden(name: str, text: str, regen: bool) -> None:
    golden = GOLDEN / "export" / name
    text = portable(text)
    if regen:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8", newline="")
    expected = golden.read_bytes().decode("utf-8")
    diff = "".join(
        difflib.unified_diff(expected.splitlines(True), text.splitlines(True), name, "actual", n=1)
    )
    assert text == expected, diff[:5000]


def test_csv_export(migrated: Path, tmp_path: Path, regen_golden: bool) -> None:
    assert export("csv", migrated, tmp_path, ExportOptions()).count == 31
    cases_text = (tmp_path / "cases.csv").read_bytes().decode("utf-8")
    assert cases_text.count("\r\n") >= 29 and not cases_text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(cases_text, newline="")))
    records = {c.case_id: c for c in MigratedOutput(migrated).records()}
    assert [r["case_id"] for r in rows] == sorted(records)
    for row in rows:
        case = records[row["case_id"]]
        assert row["findings"] == (case.findings or "") and row["diagnosis"] == (case.diagnosis or "")
        assert row["acr_codes"] == "; ".join(case.acr_codes)
    images = list(
        csv.DictReader(io.StringIO((tmp_path / "images.csv").read_text(encoding="utf-8"), newline=""))
    )
    assert len(images) == sum(len(c.images) for c in records.values())
    check_golden("cases.csv", cases_text, regen_golden)
    check_golden("images.csv", (tmp_path / "images.csv").read_bytes().decode("utf-8"), regen_golden)
    export("csv", migrated, tmp_path / "bom", ExportOptions(bom=True))
    assert (tmp_path / "bom" / "cases.csv").read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("8.-1", "8.-1"), (None, ""), (3, "3"), ("a=b", "a=b")],
)  # fmt: skip
def test_csv_cells_never_run_as_formulas(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_markdown_export(migrated: Path, tmp_path: Path, regen_golden: bool) -> None:
    assert export("markdown", migrated, tmp_path, ExportOptions()).count == 31
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert index.count("](") == 31
    for case_id in ("bs125", "rs034", "newtfh-271472"):
        check_golden(f"{case_id}.md", (tmp_path / f"{case_id}.md").read_text(encoding="utf-8"), regen_golden)
    # Every linked image file is there, relative to the case file.
    for page in tmp_path.glob("*.md"):
        for target in re.findall(r"\]\((images/[^)]+)\)", page.read_text(encoding="utf-8")):
            assert (tmp_path / unquote(target)).is_file(), (page.name, target)


def test_markdown_unknowns_hold_the_answer_back(migrated: Path, tmp_path: Path) -> None:
    export("markdown", migrated, tmp_path, ExportOptions(unknown=True))
    case = (tmp_path / "bs125.md").read_text(encoding="utf-8")
    assert "Heterotopic Ossification" not in case and "Unknown case bs125" in case
    assert "23 year-old man with reduced range of motion in both hips" in case
    answer = (tmp_path / "bs125-answer.md").read_text(encoding="utf-8")
    assert "## Diagnosis\n\nHeterotopic Ossification" in answer and "## Discussion" in answer


def test_jsonl_export_is_the_records(migrated: Path, tmp_path: Path) -> None:
    assert export("jsonl", migrated, tmp_path, ExportOptions()).count == 31
    assert (tmp_path / "cases.jsonl").read_bytes() == (migrated / "cases.jsonl").read_bytes()
    for line in (tmp_path / "cases.jsonl").read_text(encoding="utf-8").splitlines():
        Case.model_validate(json.loads(line))


def test_hostile_text_stays_text(migrated: Path, tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "cases").mkdir(parents=True)
    record = json.loads((migrated / "cases/bs125.json").read_text(encoding="utf-8"))
    record["diagnosis"] = "=cmd|' /C calc'!A0 <script>alert(1)</script> [x](javascript:alert(2))"
    record["source"]["url"] = "javascript:alert(3)"
    (source / "cases/bs125.json").write_text(json.dumps(record), encoding="utf-8")
    export("csv", source, tmp_path / "csv", ExportOptions())
    row = next(csv.DictReader((tmp_path / "csv/cases.csv").open(encoding="utf-8", newline="")))
    assert row["diagnosis"].startswith("'=cmd")
    export("markdown", source, tmp_path / "md", ExportOptions())
    page = (tmp_path / "md/bs125.md").read_text(encoding="utf-8")
    assert "<script>" not in page and "javascript:alert(3)" not in page
    assert not re.search(r"(?<!\\)\]\(javascript:", page), "an unescaped link"
    assert "&lt;script&gt;" in page and "\\[x\\](javascript:alert(2))" in page


def test_registry_and_usage_errors(migrated: Path, tmp_path: Path) -> None:
    assert {"mirc", "csv", "markdown", "jsonl"} <= set(available_exporters())
    bad = run("export", migrated, "--format", "nope", "--out", tmp_path)
    assert bad.returncode == 2 and "unknown format 'nope'" in bad.stderr
    unknown_csv = run("export", migrated, "--format", "csv", "--unknown", "--out", tmp_path)
    assert unknown_csv.returncode == 2 and "no unknown-case form" in unknown_csv.stderr
    missing = run("export", tmp_path / "nothing", "--format", "csv", "--out", tmp_path / "x")
    assert missing.returncode == 2 and "no cases/ folder" in missing.stderr
    assert not (tmp_path / "x").exists(), "refused before anything is written"


def test_csv_builds_each_case_row_once(
    migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    case_row = tables.case_row

    def counted(case: Case) -> dict[str, Any]:
        built.append(case.case_id)
        return case_row(case)

    monkeypatch.setattr(tables, "case_row", counted)
    count = tables.CsvExporter().export(MigratedOutput(migrated), tmp_path, ExportOptions())
    assert len(built) == count and sorted(built) == built


PLUGIN = """
from pathlib import Path


class CountExporter:
    name = "count"
    description = "a third-party test format: one line with the number of cases"
    supports_unknown = False

    def export(self, source, out_dir: Path, options) -> int:
        count = sum(1 for _ in source.records())
        (out_dir / "count.txt").write_text(f"{count}\\n")
        return count
"""


def test_a_third_party_exporter_registered_by_entry_point(migrated: Path, tmp_path: Path) -> None:
    """A package installed beside tfmigrate adds a format through the tfmigrate.exporters group."""
    site = tmp_path / "site-packages"
    (site / "tfcount-1.0.dist-info").mkdir(parents=True)
    (site / "tfcount.py").write_text(PLUGIN)
    (site / "tfcount-1.0.dist-info/METADATA").write_text(
        "Metadata-Version: 2.1\nName: tfcount\nVersion: 1.0\n"
    )
    (site / "tfcount-1.0.dist-info/entry_points.txt").write_text(
        "[tfmigrate.exporters]\ncount = tfcount:CountExporter\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    command = [sys.executable, "-m", "tfmigrate", "export"]
    help_text = subprocess.run([*command, "--help"], capture_output=True, text=True, env=env, cwd=REPO).stdout
    assert "count      a third-party test format" in help_text
    result = subprocess.run(
        [*command, str(migrated), "--format", "count", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, env=env, cwd=REPO,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/count.txt").read_text() == "31\n"
    assert (
        "count" not in subprocess.run([*command, "--help"], capture_output=True, text=True, cwd=REPO).stdout
    )
