"""The review app's case list: one small summary per case, read once from DIR's ``cases.jsonl``
and ``report.json``, filtered and paged in memory (20,000 cases: a few milliseconds a view,
benchmarks/review.py)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfmigrate.records import JSONL_FILE

# The fields a reviewer looks for when they are empty ("missing field" filter).
WATCHED_FIELDS = (
    "diagnosis", "brief_history", "full_history", "findings", "discussion", "authors", "date",
    "procedure", "images", "references", "acr_codes", "teaching_points",
)  # fmt: skip
SEARCHED_FIELDS = (
    "title",
    "diagnosis",
    "brief_history",
    "full_history",
    "findings",
    "discussion",
    "followup",
)
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Summary:
    case_id: str
    title: str
    family: str
    change: str
    issues: tuple[str, ...]
    missing: tuple[str, ...]
    corrected: int
    conflicts: int
    verified: bool
    withdrawn: bool
    text: str  # lower case: what the search box looks in


@dataclass(frozen=True)
class Filters:
    issue: str = ""
    family: str = ""
    missing: str = ""
    change: str = ""
    conflicts: bool = False
    verified: str = ""  # "yes", "no" or ""
    q: str = ""

    def keeps(self, case: Summary) -> bool:
        return (
            (not self.issue or self.issue in case.issues)
            and (not self.family or case.family == self.family)
            and (not self.missing or self.missing in case.missing)
            and (not self.change or case.change == self.change)
            and (not self.conflicts or case.conflicts > 0)
            and (not self.verified or case.verified == (self.verified == "yes"))
            and (not self.q or self.q.lower() in case.text)
        )


@dataclass
class CaseIndex:
    cases: list[Summary] = field(default_factory=list)
    issue_counts: Counter[str] = field(default_factory=Counter)
    family_counts: Counter[str] = field(default_factory=Counter)
    change_counts: Counter[str] = field(default_factory=Counter)

    @classmethod
    def read(cls, out_dir: Path) -> CaseIndex:
        changes = {}
        report = out_dir / "report.json"
        if report.is_file():
            changes = {c["case_id"]: c["change"] for c in json.loads(report.read_bytes())["cases"]}
        index = cls()
        with (out_dir / JSONL_FILE).open("rb") as lines:
            for line in lines:
                index.cases.append(summary(json.loads(line), changes))
        for case in index.cases:
            index.issue_counts.update(set(case.issues))
            index.family_counts[case.family] += 1
            index.change_counts[case.change] += 1
        return index

    def select(self, filters: Filters, page: int) -> tuple[list[Summary], int]:
        """One page of the cases the filters keep, and how many they keep in all."""
        kept = [case for case in self.cases if filters.keeps(case)]
        start = max(page - 1, 0) * PAGE_SIZE
        return kept[start : start + PAGE_SIZE], len(kept)


def summary(record: dict[str, Any], changes: dict[str, str]) -> Summary:
    review = record.get("review") or {}
    corrected = review.get("corrected", [])
    authors = " ".join(author["name"] for author in record["authors"])
    text = " ".join([record["case_id"], authors, *(record.get(name) or "" for name in SEARCHED_FIELDS)])
    return Summary(
        case_id=record["case_id"],
        title=record["title"] or record["diagnosis"] or "",
        family=(record.get("case_family") or {}).get("code") or "none",
        change=changes.get(record["case_id"], ""),
        issues=tuple(issue["code"] for issue in record["issues"]),
        missing=tuple(name for name in WATCHED_FIELDS if not record.get(name)),
        corrected=len(corrected),
        conflicts=sum(1 for c in corrected if c["conflict"]),
        verified=bool(review.get("verified")),
        withdrawn=bool(record["withdrawn"]),
        text=text.lower(),
    )
