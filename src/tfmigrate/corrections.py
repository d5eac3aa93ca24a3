"""An archivist's corrections: ``DIR/corrections/<case_id>.jsonl``, read, checked, applied and saved.

They live beside the generated tree, never in it, so that a re-run (``migrate``, ``--reparse``)
cannot undo them and ``git`` can keep them. One JSON object a line, one line a field (and one for
the whole case), sorted: a line names the field it corrects or verifies, so a load error names the
file and line, and a review's diff in ``git`` shows one line per field changed.

A line: ``{"field": "images[second].caption", "value": ..., "base": ..., "reviewer": ..., "when":
..., "note": ..., "verified": false}``. ``field`` null: the whole case (verified only). ``value``
present: a correction; ``base``: the parsed value it replaced. A record carries its corrections
in ``review`` (models.Review), with the value parsed this run, so the next run can take them off
again (``uncorrected``) and set them on the record parsed then.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import re
import types
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from tfmigrate.errors import TfMigrateError
from tfmigrate.locks import folder_lock
from tfmigrate.messages import quoted
from tfmigrate.models import CASE_ID_PATTERN, Case, Corrected, Record, Review
from tfmigrate.records import record_name

CORRECTIONS_DIR = "corrections"
SUFFIX = ".jsonl"
# What the page and the run decide, never an archivist: who the case is, where it came from, what
# the parser found wrong with it, and the review itself.
NOT_CORRECTABLE = frozenset({"schema_version", "case_id", "source", "withdrawn", "issues", "review"})
STEP = re.compile(r"(?P<name>[a-z_]+)(?:\[(?P<selector>[^\]]+)\])?")


class CorrectionsError(TfMigrateError):
    """A corrections file does not read, or names a field or value the record model refuses."""


class StaleCorrections(TfMigrateError):
    """A save made from a version of the corrections that another save has replaced since."""


class Entry(Record):
    """One line of a corrections file."""

    field: str | None = Field(description="The field's path; null: the whole case.")
    value: Any = None  # a correction only when set (``corrects``): null is a value too
    base: Any = None
    verified: bool = False
    reviewer: str
    when: dt.datetime
    note: str | None = None

    @property
    def corrects(self) -> bool:
        return "value" in self.model_fields_set


Step = tuple[str, int | str | None]  # a field's name, and the list item it selects (index or label)


def parse_path(path: str) -> list[Step]:
    steps: list[Step] = []
    for part in path.split("."):
        match = STEP.fullmatch(part)
        if match is None:
            raise ValueError(f"{quoted(path)} is not a field path (e.g. diagnosis, images[second].caption)")
        selector = match["selector"]
        steps.append((match["name"], int(selector) if selector and selector.isdigit() else selector))
    return steps


def field_type(path: str) -> Any:
    """The model's type of the value at ``path``: ValueError when the record has no such field."""
    model: type[BaseModel] | None = Case
    annotation: Any = None
    for position, (name, selector) in enumerate(parse_path(path)):
        info = model.model_fields.get(name) if model is not None else None
        if info is None or (position == 0 and name in NOT_CORRECTABLE):
            raise ValueError(f"unknown or uncorrectable field {name!r} in {quoted(path)}")
        annotation = info.annotation
        if selector is not None:
            item = list_item(annotation)
            if item is None:
                raise ValueError(f"{quoted(path)}: {name} is not a list")
            if isinstance(selector, str) and "label" not in getattr(model_of(item), "model_fields", {}):
                raise ValueError(f"{quoted(path)}: items of {name} are chosen by number, as {name}[0]")
            annotation = item
        model = model_of(annotation)
    return annotation


def list_item(annotation: Any) -> Any:
    for candidate in (annotation, *optional_parts(annotation)):
        if get_origin(candidate) is list:
            return get_args(candidate)[0]
    return None


def model_of(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *optional_parts(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def optional_parts(annotation: Any) -> tuple[Any, ...]:
    return get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else ()


def checked_value(path: str, value: Any) -> Any:
    """``value`` as the model takes it at ``path``, in its JSON form; ValueError when refused."""
    adapter: TypeAdapter[Any] = TypeAdapter(field_type(path))
    try:
        return adapter.dump_python(adapter.validate_python(value), mode="json")
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{quoted(path)}: {quoted(value, 60)} refused: {first['msg']}") from None


def value_from_text(path: str, text: str) -> Any:
    """A value typed on a command line or in a form: as the text itself when the field takes
    text, else read as JSON (a number, a list, null); nothing at all clears a field that may be
    null (a followup the parser filled with the page's footer)."""
    if not text.strip():
        with suppress(ValueError):
            return checked_value(path, None)
    try:
        return checked_value(path, text)
    except ValueError as first:
        try:
            value = json.loads(text)
        except ValueError:
            raise first from None
        return checked_value(path, value)


@dataclass
class CaseCorrections:
    case_id: str
    entries: list[Entry] = field(default_factory=list)
    version: str = ""  # the sha256 of the file as read ("" when there is none): a save checks it

    def entry(self, path: str | None) -> Entry | None:
        return next((entry for entry in self.entries if entry.field == path), None)

    def put(self, entry: Entry) -> None:
        """``entry`` replaces the line of its field; the file keeps one line a field, sorted."""
        self.entries = [e for e in self.entries if e.field != entry.field] + [entry]
        self.entries.sort(key=lambda e: (e.field is not None, e.field or ""))

    def remove(self, path: str | None) -> None:
        self.entries = [e for e in self.entries if e.field != path]


def corrections_dir(out_dir: Path) -> Path:
    return out_dir / CORRECTIONS_DIR


def read_case_corrections(path: Path) -> CaseCorrections:
    """One case's file, every line checked; CorrectionsError naming the file and line."""
    case_id = path.name.removesuffix(SUFFIX)
    if not re.fullmatch(CASE_ID_PATTERN, case_id):
        raise CorrectionsError(f"{path}: {quoted(case_id)} is not a case id; name the file <case_id>{SUFFIX}")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return CaseCorrections(case_id)
    except OSError as exc:
        raise CorrectionsError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    found = CaseCorrections(case_id, version=hashlib.sha256(data).hexdigest())
    seen: set[str | None] = set()
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = Entry.model_validate_json(line)
            if entry.field in seen:
                raise ValueError(f"a second line for {quoted(entry.field or 'the case')}")
            seen.add(entry.field)
            if entry.field is None and entry.corrects:
                raise ValueError("a line without a field can only mark the case verified")
            if entry.field is not None and entry.corrects:
                entry.value = checked_value(entry.field, entry.value)
            elif entry.field is not None:
                field_type(entry.field)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            problem = f"{where}: {first['msg']}" if where else first["msg"]
            raise CorrectionsError(f"{path} line {number}: {problem}; fix or remove the line") from None
        except ValueError as exc:
            raise CorrectionsError(f"{path} line {number}: {exc}; fix or remove the line") from None
        found.entries.append(entry)
    return found


def load_corrections(out_dir: Path) -> dict[str, CaseCorrections]:
    """Every case's corrections in DIR, all checked before any is used: one bad line stops the run
    before it writes anything, naming the file and line."""
    folder = corrections_dir(out_dir)
    if not folder.is_dir():
        return {}
    read = (read_case_corrections(path) for path in sorted(folder.glob(f"*{SUFFIX}")))
    return {found.case_id: found for found in read if found.entries}


def save_case_corrections(out_dir: Path, found: CaseCorrections, expected_version: str) -> str:
    """Write a case's file in one step (a new file renamed over the old), unless it is no longer
    the version the change was made from: then StaleCorrections, and nothing is written. Its new
    version."""
    folder = corrections_dir(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{found.case_id}{SUFFIX}"
    with folder_lock(folder, writes=True):
        now = read_case_corrections(path).version
        if now != expected_version:
            raise StaleCorrections(
                f"{found.case_id} was corrected elsewhere since this version was read; reload it and"
                " make the change again"
            )
        data = "".join(entry_line(entry) for entry in found.entries)
        if not data:
            path.unlink(missing_ok=True)
            return ""
        temporary = folder / f".{found.case_id}{SUFFIX}.new"
        with temporary.open("w", encoding="utf-8") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def entry_line(entry: Entry) -> str:
    """An entry's line: a mark alone has no value or base (a null value is a correction to null)."""
    return entry.model_dump_json(exclude=None if entry.corrects else {"value", "base"}) + "\n"


def default_reviewer() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def correct(
    out_dir: Path,
    case_id: str,
    path: str | None,
    *,
    value: str | None = None,
    accept: bool = False,
    verified: bool | None = None,
    note: str | None = None,
    reviewer: str | None = None,
    version: str | None = None,
) -> CaseCorrections:
    """One change to a case's corrections, saved: ``value`` (text, as typed) corrects the field,
    its base the value the page gives now; ``accept`` drops the correction for the page's value;
    ``verified`` marks or unmarks the field (``path`` None: the case). ``version``: the version the
    change was made from (a form's), refused when stale; None: whatever is there now."""
    record = current_record(out_dir, case_id)
    found = read_case_corrections(corrections_dir(out_dir) / f"{case_id}{SUFFIX}")
    expected = found.version if version is None else version
    old = found.entry(path)
    who, when = reviewer or default_reviewer(), now()
    fields: dict[str, Any] = {"field": path, "reviewer": who, "when": when, "note": note}
    if old is not None:
        fields |= {"verified": old.verified} | (
            {"value": old.value, "base": old.base} if old.corrects else {}
        )
        fields["note"] = note if note is not None else old.note
    if path is not None and value is not None:
        try:
            fields |= {"value": value_from_text(path, value), "base": parsed_value(record, path)}
        except ValueError as exc:
            raise CorrectionsError(f"{case_id}: {exc}") from None
    if accept or ("value" in fields and fields["value"] == fields["base"]):  # the page's value: no correction
        fields.pop("value", None)
        fields.pop("base", None)
    if verified is not None:
        fields["verified"] = verified
    entry = Entry.model_validate(fields)
    if entry.corrects or entry.verified:
        found.put(entry)
    else:
        found.remove(path)
    found.version = save_case_corrections(out_dir, found, expected)
    return found


def current_record(out_dir: Path, case_id: str) -> Case:
    path = out_dir / record_name(case_id)
    try:
        return Case.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise CorrectionsError(
            f"{case_id}: no record in {out_dir} ({exc.strerror or exc}); migrate first"
        ) from exc
    except ValidationError as exc:
        raise CorrectionsError(
            f"{path} does not read ({quoted(exc, 80)}): tfmigrate doctor {out_dir}"
        ) from exc


def parsed_value(record: Case, path: str) -> Any:
    """The value the page gave at ``path`` in the last run (under any correction of it)."""
    try:
        field_type(path)
    except ValueError as exc:
        raise CorrectionsError(f"{record.case_id}: {exc}") from None
    try:
        return read_at(uncorrected(record).model_dump(mode="json"), parse_path(path))
    except LookupError:
        raise CorrectionsError(f"{record.case_id} has no {path}") from None


# --- applying them to a record -------------------------------------------------------------------


def read_at(data: Any, steps: list[Step]) -> Any:
    """The value at a path of a record's JSON form; LookupError when the record has none there."""
    for name, selector in steps:
        if not isinstance(data, dict) or name not in data:
            raise LookupError(name)
        data = data[name]
        if selector is not None:
            data = data[item_index(data, selector)]
    return data


def write_at(data: Any, steps: list[Step], value: Any) -> None:
    *parents, (name, selector) = steps
    holder = read_at(data, parents) if parents else data
    if not isinstance(holder, dict) or name not in holder:
        raise LookupError(name)
    if selector is None:
        holder[name] = value
    else:
        holder[name][item_index(holder[name], selector)] = value


def item_index(items: Any, selector: int | str) -> int:
    if not isinstance(items, list):
        raise LookupError(selector)
    if isinstance(selector, int):
        if selector >= len(items):
            raise LookupError(selector)
        return selector
    for position, item in enumerate(items):
        if isinstance(item, dict) and item.get("label") == selector:
            return position
    raise LookupError(selector)


def uncorrected(record: Case) -> Case:
    """The record as parsed: its corrections taken off again (a reused or carried-over record)."""
    if record.review is None:
        return record
    data = record.model_dump(mode="json")
    for corrected in record.review.corrected:
        if corrected.found:
            write_at(data, parse_path(corrected.field), corrected.parsed)
    data.pop("review", None)
    return Case.model_validate(data)


def apply_corrections(record: Case, found: CaseCorrections | None) -> Case:
    """The parsed record with the archivist's corrections set on it; each says whether the page now
    gives another value than the one it replaced (a conflict: the correction still wins)."""
    record = uncorrected(record)
    if found is None or not found.entries:
        return record
    data = record.model_dump(mode="json")
    corrected: list[Corrected] = []
    for entry in found.entries:
        if entry.field is None or not entry.corrects:
            continue
        steps = parse_path(entry.field)
        try:
            parsed, present = read_at(data, steps), True
            write_at(data, steps, entry.value)
        except LookupError:  # the page no longer gives the field (an image gone): kept, and named
            parsed, present = None, False
        corrected.append(
            Corrected(
                field=entry.field,
                value=entry.value,
                base=entry.base,
                parsed=parsed,
                found=present,
                conflict=not present or parsed != entry.base,
                reviewer=entry.reviewer,
                when=entry.when,
                note=entry.note,
            )
        )
    corrected += title_that_follows(record, found, corrected, data)
    case_entry = found.entry(None)
    data["review"] = Review(
        verified=bool(case_entry and case_entry.verified),
        verified_fields=[e.field for e in found.entries if e.field is not None and e.verified],
        corrected=corrected,
    ).model_dump(mode="json")
    return Case.model_validate(data)


def title_that_follows(
    record: Case, found: CaseCorrections, corrected: list[Corrected], data: dict[str, Any]
) -> list[Corrected]:
    """A title that is the diagnosis as parsed (every classic page's) follows a corrected diagnosis,
    unless the archivist corrected the title too: a record must not be titled with the diagnosis
    its archivist corrected away. Set on ``data``; said as a correction of its own, so that a later
    run takes it off again with the diagnosis's."""
    diagnosis = next((c for c in corrected if c.field == "diagnosis" and c.found), None)
    if (
        diagnosis is None
        or found.entry("title") is not None
        or record.title is None
        or record.title != record.diagnosis
        or not isinstance(diagnosis.value, str)
        or not diagnosis.value
    ):
        return []
    data["title"] = diagnosis.value
    note = "follows the corrected diagnosis"
    return [diagnosis.model_copy(update={"field": "title", "base": record.title, "parsed": record.title,
                                         "conflict": False, "note": note})]  # fmt: skip


def conflicts(record: Case) -> list[dict[str, Any]]:
    """The record's corrections whose base the page no longer gives: base, new parsed, corrected."""
    if record.review is None:
        return []
    return [
        {"case_id": record.case_id, "field": c.field, "base": c.base, "new": c.parsed, "corrected": c.value}
        | ({} if c.found else {"gone": True})
        for c in record.review.corrected
        if c.conflict
    ]
