"""``report.json``: counts, every case with its change and issues, failures, what was set aside,
and the last run's files found damaged."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from tfmigrate.models import Case

if TYPE_CHECKING:  # a worker makes its cases' entries here: it does not import the crawler
    from tfmigrate.crawl.crawler import CrawlSummary


def case_summary(case: Case, kind: str) -> dict[str, Any]:
    return {
        "case_id": case.case_id,
        "change": kind,
        "title": case.title,
        "url": case.source.url,
        "withdrawn": case.withdrawn.isoformat() if case.withdrawn else None,
        "issues": [issue.code for issue in case.issues],
        **(review_summary(case) if case.review is not None else {}),
    }


def review_summary(case: Case) -> dict[str, Any]:
    """What the archivist said of the case: only in the entries of reviewed cases."""
    review = case.review
    assert review is not None
    return {
        "verified": review.verified,
        "corrected": [c.field for c in review.corrected],
        "conflicts": [
            {"field": c.field, "base": c.base, "new": c.parsed, "corrected": c.value}
            for c in review.corrected
            if c.conflict
        ],
    }


def build_report(
    summaries: list[dict[str, Any]],
    pages: Counter[str],
    failures: list[tuple[str, str]],
    set_aside: dict[str, list[dict[str, Any]]],
    damaged_previous: dict[str, str],
    crawl: CrawlSummary | None,
) -> dict[str, Any]:
    """``pages`` counts the archived pages by what they gave (case, skipped, failed)."""
    issue_counts = Counter(code for summary in summaries for code in summary["issues"])
    return {
        "counts": {
            "cases": len(summaries),
            "pages": pages.total(),
            "skipped_pages": pages["skipped"],
            "failed_pages": len(failures),
            "cases_with_issues": sum(1 for s in summaries if s["issues"]),
            "cases_corrected": sum(1 for s in summaries if s.get("corrected")),
            "cases_in_conflict": sum(1 for s in summaries if s.get("conflicts")),
        },
        "crawl": dict(sorted(crawl.counts.items())) if crawl else None,
        "crawl_failures": [{"url": u, "reason": r} for u, r in crawl.failures] if crawl else [],
        "crawl_notes": crawl.notes if crawl else [],
        "issues": dict(sorted(issue_counts.items())),
        "cases": summaries,
        "failures": [{"url": url, "error": message} for url, message in failures],
        "duplicates": set_aside["duplicates"],
        "collisions": set_aside["collisions"],
        "damaged_previous": [
            {"file": name, "problem": problem} for name, problem in damaged_previous.items()
        ],
    }
