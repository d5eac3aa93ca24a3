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

from tfmigrate.fields.procedures import ACTIVITY_RE, AGENT_RE, RADIONUCLIDE_RE, looks_like_procedure
from tfmigrate.fields.sections import reads_as_history, reads_as_patient, reports_images, tells_what_happened
from tfmigrate.models import Case, Issue
from tfmigrate.templates.classic import CLASSIC_LABELS, looks_like_caption, paragraphs_of

REQUIRED = {
    "classic": ("diagnosis", "brief_history", "full_history", "findings"),
    "newtfh": ("diagnosis", "findings"),
}
BODY_ORDER = ["brief_history", "full_history", "findings", "discussion", "followup"]
TEXT_ORDER = ["diagnosis", "brief_history", "full_history", "findings", "discussion", "followup"]
SENTENCE_ENDS = (".", "!", "?", ")", '"', "'", ":")
TEXT_FIELDS = ("brief_history", "full_history", "findings", "discussion", "followup")
# Labels that head a field or a marker line: one inside a field's text means the field ran on past it.
SECTION_LABELS = frozenset(
    {"byline", "diagnosis", "brief_history", "full_history", "procedure", "findings", "discussion"}
    | {"followup", "teaching_points", "differential_diagnosis", "images", "acr", "case_number"}
)
MAX_PROCEDURE_LINE = 160  # a procedure line found in another section: short, with an activity
MAX_UNPLACED_READ = 100  # a real page leaves a line or two unplaced; a hostile one, a million


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
    findings = paragraphs_of(case.findings)
    for name in ("findings", "discussion"):
        if getattr(case, name):
            continue
        if name == "discussion" and not whole_page and len(findings) < 2:
            continue  # a copy the archive cut in its findings ends there
        if name == "discussion":
            yield Issue(
                code="discussion_missing", field=name, message="no discussion: the findings may hold it"
            )
        before = next((f for f in reversed(BODY_ORDER[: BODY_ORDER.index(name)]) if getattr(case, f)), None)
        if before is None:
            continue
        yield Issue(
            code="section_suspect",
            field=before,
            message=f"the page has no {name}: the {before.replace('_', ' ')} may hold it",
        )
        for after in BODY_ORDER[BODY_ORDER.index(name) + 1 :]:
            if not getattr(case, after):
                yield Issue(
                    code=f"{after}_missing",
                    field=after,
                    message=f"no {after}: with the {name}, it may have run into the {before}",
                )
        break
    if not whole_page:
        yield from cut_page(case)


def cut_page(case: Case) -> Iterator[Issue]:
    """A copy the archive cut short (about 2,000 characters, mid-sentence): its last field is cut too."""
    last = next((name for name in reversed(TEXT_ORDER) if getattr(case, name)), None)
    text = getattr(case, last) if last else None
    if last and isinstance(text, str) and not text.rstrip().endswith(SENTENCE_ENDS):
        yield Issue(
            code="text_cut",
            field=last,
            message=f"the page ends inside the {last.replace('_', ' ')}: the archived copy was cut there",
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
    """The procedure holds procedure lines only, and no other section holds one: a line with an
    activity anywhere, or an agent where the procedure borders (the end of the full history, the start
    of the findings), or text left unplaced."""
    if case.procedure is not None and not all(
        looks_like_procedure(p) for p in paragraphs_of(case.procedure.text)
    ):
        yield Issue(
            code="procedure_suspect",
            field="procedure",
            message="the procedure holds text that does not read as a radiopharmaceutical and dose",
        )
    for name, lines in procedure_lines_elsewhere(case):
        texts = case.unassigned if name == "unassigned" else paragraphs_of(getattr(case, name))
        holds_only_procedure = len(lines) == len(texts)
        if case.procedure is not None and not holds_only_procedure:
            continue
        if name != "unassigned":
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


def procedure_lines_elsewhere(case: Case) -> Iterator[tuple[str, list[str]]]:
    for name in TEXT_FIELDS:
        texts = paragraphs_of(getattr(case, name))
        borders = {"full_history": texts[-1:], "findings": texts[:1]}.get(name, [])
        lines = [p for p in texts if is_procedure_line(p) or (p in borders and names_an_agent(p))]
        if lines:
            yield name, lines
    unplaced = [text for text in case.unassigned[:MAX_UNPLACED_READ] if is_procedure_line(text)]
    if unplaced:
        yield "unassigned", unplaced


def content_checks(case: Case) -> Iterator[Issue]:
    """A brief history that ends with what reads as a caption ran into the images below it; a full
    history that ends with a procedure line or with what reports images ran into the body."""
    history = paragraphs_of(case.full_history)
    if case.template == "classic" and len(history) > 1:
        last = history[-1]
        if looks_like_procedure(last) or (reports_images(last) and not reads_as_history(last)):
            yield Issue(
                code="section_suspect",
                field="full_history",
                message=f"the full history ends with what reads as the next section: {last[:80]!r}",
            )
    discussion = paragraphs_of(case.discussion)
    if (
        case.template == "classic"
        and not case.followup
        and len(discussion) > 1
        and tells_what_happened(discussion[-1])
    ):
        yield Issue(
            code="section_suspect",
            field="discussion",
            message=f"the discussion ends with what reads as a followup: {discussion[-1][:80]!r}",
        )
        yield Issue(code="followup_missing", field="followup", message="the discussion may hold the followup")
    yield from histories_that_start_elsewhere(case)
    brief = paragraphs_of(case.brief_history)
    if case.template == "classic" and len(brief) > 1 and looks_like_caption(brief[-1], loose=True):
        yield Issue(
            code="section_suspect",
            field="brief_history",
            message=f"the brief history ends with what reads as an image caption: {brief[-1][:80]!r}",
        )


def histories_that_start_elsewhere(case: Case) -> Iterator[Issue]:
    """A history placed by page order that starts with what reads as no history: text above it ran
    in (a site's banner over a copy that lost its top). One paragraph alone is suspect only on a page
    without byline and diagnosis, where nothing else tells where the case begins ("Elevated calcium"
    is a brief history)."""
    if case.template != "classic":
        return
    lost_top = not case.authors and not case.diagnosis
    for name in ("brief_history", "full_history"):
        texts = paragraphs_of(getattr(case, name))
        if not texts or reads_as_a_history(texts[0]):
            continue
        if any(reads_as_a_history(text) for text in texts[1:]) or (lost_top and len(texts) == 1):
            named = name.replace("_", " ")
            message = f"the {named} starts with what reads as no history: {texts[0][:80]!r}"
            yield Issue(code="section_suspect", field=name, message=message)


def reads_as_a_history(text: str) -> bool:
    return reads_as_history(text) or reads_as_patient(text)


def names_an_agent(text: str) -> bool:
    """A short line naming a radionuclide and an agent ("Tc-99m DTPA by lumbar subarachnoid injection")."""
    return (
        len(text) <= MAX_PROCEDURE_LINE
        and RADIONUCLIDE_RE.search(text) is not None
        and AGENT_RE.search(text) is not None
        and looks_like_procedure(text)
    )


def is_procedure_line(text: str) -> bool:
    return (
        len(text) <= MAX_PROCEDURE_LINE
        and ACTIVITY_RE.search(text) is not None
        and looks_like_procedure(text)
    )


def normalized(text: str | None) -> str:
    return " ".join((text or "").lower().split()).rstrip(".")
