"""Consistency checks on a built record: a wrong field must be loud.

The templates read labels where a page prints them and page order where it does not; a page drawn in a
way nobody here foresaw can put text in the wrong field without any rule failing. These checks read the
record as an archivist would and put an issue naming the field on it wherever the record does not hold
together: a classic page without its diagnosis, brief history or findings; a caption or a section that
holds a label, the diagnosis or a history; a procedure that does not read as one while another section
does; sections whose text does not read as what their name says. They never move text; they say where
to look.
"""

from __future__ import annotations

from collections.abc import Iterator

from tfmigrate.fields.procedures import ACTIVITY_RE, looks_like_procedure
from tfmigrate.fields.sections import reads_as_patient
from tfmigrate.models import Case, Issue
from tfmigrate.templates.classic import CLASSIC_LABELS, looks_like_caption, paragraphs_of

REQUIRED = {"classic": ("diagnosis", "brief_history", "findings"), "newtfh": ("diagnosis", "findings")}
BODY_ORDER = ["brief_history", "full_history", "findings", "discussion"]
TEXT_FIELDS = ("brief_history", "full_history", "findings", "discussion", "followup")
# Labels that head a field or a marker line: one inside a field's text means the field ran on past it.
SECTION_LABELS = frozenset(
    {"byline", "diagnosis", "brief_history", "full_history", "procedure", "findings", "discussion"}
    | {"followup", "teaching_points", "differential_diagnosis", "images", "acr", "case_number"}
)
MAX_PROCEDURE_LINE = 160  # a procedure line found in another section: short, with an activity


def check_case(case: Case) -> list[Issue]:
    """Issues for what does not hold together, one per (code, field), none where one already names it."""
    found: dict[tuple[str, str], Issue] = {}
    named = {issue.field for issue in case.issues}
    checks = (missing_fields, labels_in_text, suspect_captions, procedure_checks, content_checks)
    for issue in (issue for check in checks for issue in check(case)):
        if issue.field not in named:
            found.setdefault((issue.code, issue.field or ""), issue)
    return list(found.values())


def missing_fields(case: Case) -> Iterator[Issue]:
    """The fields every case has. A page without findings, or a whole page (it goes on to its general
    discussion line and footer; a copy the archive cut short does not) without a discussion, may have
    run them into the section before: that one is named too."""
    for name in REQUIRED[case.template]:
        if not getattr(case, name):
            yield Issue(
                code=f"{name}_missing", field=name, message=f"the page has no {name.replace('_', ' ')}"
            )
    if case.template != "classic":
        return
    whole_page = (
        case.general_discussion is not None or case.copyright is not None or case.links.home is not None
    )
    for name in ("findings", "discussion"):
        if getattr(case, name) or (name == "discussion" and not whole_page):
            continue
        if name == "discussion":
            yield Issue(code="discussion_missing", field=name, message="the whole page has no discussion")
        before = next((f for f in reversed(BODY_ORDER[: BODY_ORDER.index(name)]) if getattr(case, f)), None)
        if before is not None:
            yield Issue(
                code="section_suspect",
                field=before,
                message=f"the page has no {name}: the {before.replace('_', ' ')} may hold it",
            )


def labels_in_text(case: Case) -> Iterator[Issue]:
    """A field whose text holds a label ran on into the next section (classic labels only: newtfh
    sections hold upper-case sub-headings of their own)."""
    if case.template != "classic":
        return
    for name in ("diagnosis", *TEXT_FIELDS):
        for paragraph in paragraphs_of(getattr(case, name)):
            label = CLASSIC_LABELS.find(paragraph)
            if label is not None and label.form in ("colon", "alone") and label.name in SECTION_LABELS:
                yield Issue(
                    code="label_in_text",
                    field=name,
                    message=f"the {name.replace('_', ' ')} holds a {label.printed!r} label: it may run on"
                    " into the next section",
                )
                break


def suspect_captions(case: Case) -> Iterator[Issue]:
    """A caption that holds a label, the diagnosis or a patient's history took a line of the head."""
    diagnosis = normalized(case.diagnosis)
    for image in case.images:
        caption = image.caption or ""
        label = CLASSIC_LABELS.find(caption) if case.template == "classic" else None
        if label is not None and label.form == "colon":
            why = f"it starts with the {label.printed!r} label"
        elif diagnosis and normalized(caption) == diagnosis:
            why = "it is the diagnosis"
        elif reads_as_patient(caption):
            why = "it introduces a patient, as a history does"
        else:
            continue
        yield Issue(code="caption_suspect", field="images", message=f"{image.label} image caption: {why}")


def procedure_checks(case: Case) -> Iterator[Issue]:
    """The procedure slot holds what reads as a procedure, and no other section holds a procedure line."""
    if case.procedure is not None and not any(
        looks_like_procedure(p) for p in paragraphs_of(case.procedure.text)
    ):
        yield Issue(
            code="procedure_suspect",
            field="procedure",
            message="the procedure does not read as a radiopharmaceutical and dose",
        )
    for name in TEXT_FIELDS:
        lines = [p for p in paragraphs_of(getattr(case, name)) if is_procedure_line(p)]
        if not lines:
            continue
        holds_only_procedure = len(lines) == len(paragraphs_of(getattr(case, name)))
        if case.procedure is None or holds_only_procedure:
            yield Issue(
                code="procedure_in_text",
                field=name,
                message=f"the {name.replace('_', ' ')} holds a procedure line: {lines[0][:80]!r}",
            )
            if case.procedure is None:
                yield Issue(
                    code="procedure_misplaced",
                    field="procedure",
                    message=f"no procedure, but the {name.replace('_', ' ')} holds one",
                )


def content_checks(case: Case) -> Iterator[Issue]:
    """A brief history that ends with what reads as a caption ran into the images below it."""
    brief = paragraphs_of(case.brief_history)
    if case.template == "classic" and len(brief) > 1 and looks_like_caption(brief[-1], loose=True):
        yield Issue(
            code="section_suspect",
            field="brief_history",
            message=f"the brief history ends with what reads as an image caption: {brief[-1][:80]!r}",
        )


def is_procedure_line(text: str) -> bool:
    return (
        len(text) <= MAX_PROCEDURE_LINE
        and ACTIVITY_RE.search(text) is not None
        and looks_like_procedure(text)
    )


def normalized(text: str | None) -> str:
    return " ".join((text or "").lower().split()).rstrip(".")
