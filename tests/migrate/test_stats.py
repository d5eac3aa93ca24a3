"""tfmigrate stats over a migrated output: the coverage report an archivist checks before import."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import run


def test_stats_of_the_fixture_site(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("migrate", "--out", out, "-q").returncode in (0, 1)  # 1: the fixture site's lost applet class
    result = run("stats", out, "--json")
    assert result.returncode == 0, result.stderr
    coverage = json.loads(result.stdout)
    assert coverage["cases"] == 31
    assert coverage["fields"]["diagnosis"] == 31 and coverage["fields"]["procedure"] == 25
    assert "links" in coverage["fields"] and "withdrawn" not in coverage["fields"]
    structured = coverage["structured"]
    assert structured["administrations: activity in MBq"] == {
        "read": 20,
        "of": 27,
    }  # 7 lines print no activity (bs054: Tc-99m MDP)
    assert structured["references: CSL-JSON (confidence >= 0.5)"] == {"read": 7, "of": 7}
    assert structured["images: file written"]["read"] == structured["images: file written"]["of"] == 72
    assert structured["authors: given and family name"] == {"read": 59, "of": 61}  # two newtfh login ids
    assert coverage["issues"]["procedure_missing"] == 4 and coverage["issues"]["acr_field_mismatch"] == 2
    table = run("stats", out)
    assert (
        table.returncode == 0
        and "structured values read" in table.stdout
        and "issues by code" in table.stdout
    )


def test_stats_of_a_folder_without_cases(tmp_path: Path) -> None:
    result = run("stats", tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "no cases/ folder" in result.stderr
