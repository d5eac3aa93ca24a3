"""What changed since the last run, case by case: ``changes.json`` and the closing table."""

from __future__ import annotations

from typing import Any, Literal

from tfmigrate.models import Case

ChangeKind = Literal["added", "changed", "rebuilt", "unchanged", "withdrawn", "pruned", "failed", "kept"]
# changes.json, in this order; "kept": records carried over whose page this archive no longer holds;
# "rebuilt": records whose last version was unreadable, parsed again from their page; "pruned":
# withdrawn records deleted by --prune.
CHANGE_KINDS: tuple[ChangeKind, ...] = (
    "added", "changed", "rebuilt", "withdrawn", "pruned", "failed", "kept", "unchanged",
)  # fmt: skip
# A change: its kind, and its entry in changes.json (a case id, or what changed and why).
Change = tuple[ChangeKind, Any]


def compare(old: Case | None, new: Case) -> Change:
    if old is None:
        return "added", new.case_id
    if old == new:  # field by field, ~10x cheaper than the dumps below (a re-run compares every case)
        return "unchanged", new.case_id
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    if before == after:
        return "unchanged", new.case_id
    if after["withdrawn"] and not before["withdrawn"]:
        return "withdrawn", {"case_id": new.case_id, "date": after["withdrawn"]}
    fields = {k: {"old": before.get(k), "new": after.get(k)} for k in after if before.get(k) != after.get(k)}
    return "changed", {"case_id": new.case_id, "fields": fields}


class Changes:
    """changes.json as a run collects it, case by case in id order."""

    def __init__(self) -> None:
        self.entries: dict[str, list[Any]] = {kind: [] for kind in CHANGE_KINDS}
        # Corrections whose base the page no longer gives (corrections.conflicts): a case may be
        # changed and in conflict at once, so they are a list of their own.
        self.conflicts: list[dict[str, Any]] = []

    def add(self, change: Change) -> None:
        kind, entry = change
        self.entries[kind].append(entry)

    def add_page_failures(self, failures: list[tuple[str, str]]) -> None:
        """Pages that failed and whose failure no kept record names already."""
        named = {entry["url"] for entry in self.entries["failed"]}
        self.entries["failed"] += [
            {"case_id": None, "url": url, "error": message} for url, message in failures if url not in named
        ]

    def counts(self) -> dict[str, int]:
        return {kind: len(self.entries[kind]) for kind in CHANGE_KINDS}
