"""RSNA Teaching File System (TFS, the MIRC software): one ``<case_id>.zip`` per case.

The zips are for the TFS's Submit Service (``/submit/ssN``, uploaded by a user with the author
role), which unpacks a zip, keeps its ``MIRCdocument.xml`` and indexes it. Not for the Zip Service
(``/zip/ssN``): that one builds documents from folders of plain files, throws ``MIRCdocument.xml``
away and makes an "Untitled" case of the images. What the TFS does with these zips was read in its
code (johnperry/MIRC2: SubmitService, Index, IndexEntry, IndexDocument.xsl, MIRCdocument.xsl,
StorageService.fixResult, the Author Service's Editor.js) and is checked by running that code
(tests/export/test_mirc_tfs.py).

Each zip holds ``MIRCdocument.xml`` and the case's written files under flat, unique names
(``<case_id>-<label>.<ext>``: ASCII letters, digits, ``.``, ``_``, ``-``, so nothing the Submit
Service renames (``* ' " < >``) and no ``/ \\ :`` or control characters; ``-2``, ``-3`` on a
case-insensitive collision), each image with its icon ``<name>_icon.jpeg`` (export/icons.py). The
XML is built with lxml, so every text is escaped, and written pretty printed, UTF-8, with its
declaration; zip entries carry a fixed date, so the same record gives the same bytes on every run.

Document order: title, alternative-title, authors, abstract, alternative-abstract, keywords,
publication-date, document-id, document-type, rights; the sections (History with the structured
``<patient>``, Procedure, Findings, Diagnosis, DDx, Discussion, Followup, Teaching Points); the
image-section, a Cine section for cine files no image can carry, an owner-only "Migration notes"
section; references; the index-only elements (history, findings, diagnosis,
differential-diagnosis, discussion, modality, anatomy, pathology, organ-system, category, level,
one ``code coding-system="ACR"`` per ACR code); ``authorization``.

How the TFS shows it, and the choices that follow:

- Access (``--access``): without ``<authorization>`` the Submit Service makes a case private to the
  uploader. ``public`` writes ``<read>*</read>``: a publisher's upload is public at once; anyone
  else's is held back (readable by publishers) with a publication request, in the approval queue.
  ``owner`` writes an empty ``<read/>``: private to the uploader.
- Unknowns: the TFS's unknown mode (a query or page with ``unknown=yes``) shows the
  ``alternative-title`` and ``alternative-abstract`` in place of the title and abstract (without an
  alternative abstract, no abstract at all) and still shows the ``keywords`` on the document's
  first tab. So every export, not only ``--unknown``, writes "Unknown: <brief history>" as the
  alternative title, the brief history as the alternative abstract, and no keyword that names the
  diagnosis or the title (bs003's "osteoid osteoma"): the ``diagnosis`` element carries it for
  searches.
- Patient searches read ``<patient>``: ``pt-age`` (years, months, weeks or days by the record's unit)
  and ``pt-sex``, written from the record beside the patient line as printed.
- MIRCdocument.xsl writes the title, the alternative title, the first author's name and every image
  caption into JavaScript string literals of the case page, unescaped: one ``"`` or ``\\`` there
  (or ``</`` or ``<!``, which end or unbalance the ``<script>`` element) stops the page's script and
  leaves the page blank. In those texts ``"`` becomes “ or ”, ``\\`` becomes ∖ and such a ``<``
  becomes ‹; the export summary names the cases.
- Publication date: the byline date; else the date of the archived page's ``Last-Modified``; else
  none, and the TFS shows the upload date (it fills in an empty one): never written by us. Both
  fallbacks are noted in the owner-only section and the summary.
- ``display="mstf"`` (the MIRC standard teaching file: tabs, with an image pane) when the case has
  images; ``display="page"`` (one page) without, where the image pane would stand empty.
- Authors: login ids (newtfh's ``kwinkl01``, ``is_user_id``) are no names: they go in the
  owner-only note.
- Files: those whose media type is ``image/*`` go in the image-section (an animated GIF cine, gi005,
  plays in a browser, so it stays an image). Anything else (the AVI cine of rs034) is the TFS's
  ``alternative-image role="video"`` of the nearest image before it (else after it) that has none,
  which the page's Video button opens, its caption a click caption of that image; a cine with no
  image to go to is linked from a "Cine" section.
- ``level`` from the rating's difficulty: D1 primary, D2 intermediate, D3 and above advanced; no
  rating or a blank one (rs034 ``#D.``) leaves ``level`` out. ``organ-system`` from the ACR
  anatomic field digit (see ``ORGAN_SYSTEMS``); 0 (breast, unconfirmed) and unknown digits leave it
  out. ``category`` is always ``Nuclear``: the whole corpus is nuclear medicine.

Unknown mode (``--unknown``): the case is run as an unknown, with the answer after everything a
reader sees first. ``title`` becomes the alternative title (or "Unknown case <case_id>" without a
brief history); the History section keeps only the brief history and the patient; then Procedure,
the image-section and Cine. The answer follows, starting with "Full History" and "Findings" (bs125's
full history and findings both name the heterotopic ossification), then Diagnosis, DDx, Discussion,
Followup and Teaching Points. References and the index-only elements (which the TFS indexes but
does not show) stay as in a normal export.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from tfmigrate.export.icons import IconError, make_icon
from tfmigrate.export.registry import ExportOptions, ExportSummary, MigratedOutput
from tfmigrate.filenames import safe_name
from tfmigrate.models import Author, Case, Image, Patient

DOCUMENT_NAME = "MIRCdocument.xml"
DOCUMENT_TYPE = "radiologic teaching file"
CATEGORY = "Nuclear"
# Zip entries are dated 1980-01-01 (the earliest DOS date), so zips are byte-identical run to run.
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
KEYWORD_SEPARATOR = "; "
# The ACR Index top-level anatomic fields, named as MIRC's organ-system is usually filled.
ORGAN_SYSTEMS = {
    "1": "neuro",
    "2": "head and neck",
    "3": "spine",
    "4": "musculoskeletal",
    "5": "cardiac",
    "6": "chest",
    "7": "gastrointestinal",
    "8": "genitourinary",
    "9": "vascular",
}
LEVELS = {1: "primary", 2: "intermediate"}  # 3 and above: advanced
# <authorization><read>: "*" anyone (after publication), "" the owner only.
READ_ACCESS = {"public": "*", "owner": ""}
AGE_ELEMENTS = {"year": "years", "month": "months", "week": "weeks", "day": "days"}
ICON_SUFFIX = "_icon"  # the TFS names the icons it makes <name>_icon.jpeg
NOTES_HEADING = "Migration notes"
NO_HISTORY_ABSTRACT = "The history and the images are in the case."
# In a label even dots go: "../x" becomes "x", never a name with ".." in it.
LABEL_UNSAFE_RE = re.compile(r"[^A-Za-z0-9_-]+")
# Characters XML 1.0 cannot hold at all; lxml refuses them, so they are dropped.
XML_INVALID_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Texts MIRCdocument.xsl writes into a script: a quote opens after a space or bracket, else closes.
OPENING_QUOTE_RE = re.compile(r'(^|[\s(\[{])"')
SCRIPT_TAG_RE = re.compile(r"<(?=[/!])")
WORD_RE = re.compile(r"\w+")

# The export summary's notes, one line per kind, naming the cases.
NOTE_SCRIPT_TEXT = (
    'in titles, author names or captions, " \\ </ <! became “ ” ∖ ‹/ ‹! '
    "(the TFS's case page writes these texts into its script unescaped)"
)
NOTE_KEYWORD = "keywords left out because they name the diagnosis (the diagnosis element carries it)"
NOTE_LOGIN = "login ids kept in the owner-only migration note, not as authors"
NOTE_LAST_MODIFIED = "no date printed: publication date from the archived page's Last-Modified"
NOTE_NO_DATE = "no date printed and no Last-Modified: no publication date, so the TFS shows the upload date"
# What the owner-only migration note says of a publication date that is not the byline's.
DATE_NOTES = {
    NOTE_LAST_MODIFIED: "The legacy page printed no date: the publication date is the archived page's "
    "Last-Modified date.",
    NOTE_NO_DATE: "The legacy page printed no date and its server sent no Last-Modified: the publication "
    "date shown is the upload date.",
}
NOTE_NO_ICON = "images without an icon (the TFS shows the image itself, scaled)"
NOTE_CINE_LINK = "cine files linked from a Cine section: the case has no image to carry them"


class MircExporter:
    name = "mirc"
    description = (
        "RSNA Teaching File System: a <case_id>.zip per case (MIRCdocument.xml, images, icons).\n"
        "Upload each to the TFS's Submit Service (/submit/ssN) as a user with the author role, never\n"
        "to its Zip Service (/zip/ssN), which drops MIRCdocument.xml. The TFS shows each case in its\n"
        "tabbed teaching-file display (one page without images), found by diagnosis, modality, level,\n"
        'patient age and sex; in its unknown mode, under "Unknown: <brief history>" (see README).'
    )
    supports_unknown = True

    def export(self, source: MigratedOutput, out_dir: Path, options: ExportOptions) -> ExportSummary:
        notes = Notes()
        count = 0
        for case in source.records():
            files = case_files(source, case, notes)
            document = build_document(case, files, options, notes)
            write_zip(out_dir / f"{case.case_id}.zip", document, files)
            count += 1
        return ExportSummary(count, notes.lines())


@dataclass
class Notes:
    """What the export changed or left out, by kind, with the cases (and details) it concerns."""

    by_kind: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, what: str) -> None:
        items = self.by_kind.setdefault(kind, [])
        if what not in items:
            items.append(what)

    def lines(self) -> list[str]:
        return [f"mirc: {kind}: {', '.join(items)}" for kind, items in self.by_kind.items()]


class CaseFile:
    """A written file of one image, with its name inside the zip, and the icon of an image."""

    def __init__(self, image: Image, path: Path, name: str) -> None:
        self.image = image
        self.path = path
        self.name = name
        self.icon: bytes | None = None
        self.icon_name: str | None = None

    @property
    def is_image(self) -> bool:
        media_type = self.image.media_type or mimetypes.guess_type(self.path.name)[0] or ""
        return media_type.startswith("image/")


def case_files(source: MigratedOutput, case: Case, notes: Notes) -> list[CaseFile]:
    """The case's written files, in page order, each with a unique flat name; icons for the images."""
    files = []
    taken = {DOCUMENT_NAME.casefold()}
    for image in case.images:
        path = source.image_file(image.path) if image.path else None
        if path is None:
            continue
        file = CaseFile(image, path, zip_name(case.case_id, image.label, path.suffix, taken))
        taken.add(file.name.casefold())
        if file.is_image:
            try:
                file.icon = make_icon(path.read_bytes())
            except IconError as exc:
                notes.add(NOTE_NO_ICON, f"{case.case_id} {image.label} ({exc})")
            else:
                file.icon_name = unique_name(f"{Path(file.name).stem}{ICON_SUFFIX}", ".jpeg", taken)
                taken.add(file.icon_name.casefold())
        files.append(file)
    return files


def zip_name(case_id: str, label: str, suffix: str, taken: set[str]) -> str:
    """``<case_id>-<label>.<ext>``, safe for the TFS and every file system, unique among ``taken``."""
    label = LABEL_UNSAFE_RE.sub("_", label).strip("_-")
    stem = safe_name(f"{case_id}-{label}" if label else case_id, fallback=case_id)
    ext = safe_name(suffix.lstrip(".").lower(), max_length=10, fallback="")
    return unique_name(stem, f".{ext}" if ext else "", taken)


def unique_name(stem: str, ext: str, taken: set[str]) -> str:
    name, n = f"{stem}{ext}", 1
    while name.casefold() in taken:
        n += 1
        name = f"{stem}-{n}{ext}"
    return name


def build_document(case: Case, files: list[CaseFile], options: ExportOptions, notes: Notes) -> bytes:
    unknown = options.unknown
    images = [f for f in files if f.is_image]
    videos, unhosted = host_videos(files)
    root = etree.Element("MIRCdocument", display="mstf" if images else "page")

    def script_text(text: str) -> str:
        safe = make_script_safe(text)
        if safe != text:
            notes.add(NOTE_SCRIPT_TEXT, case.case_id)
        return safe

    alternative_title = make_alternative_title(case)
    add_text(root, "title", script_text(alternative_title if unknown else case_title(case)))
    add_text(root, "alternative-title", script_text(alternative_title))
    names, logins = split_authors(case.authors)
    for name in names:
        add_text(etree.SubElement(root, "author"), "name", script_text(name))
    for login in logins:
        notes.add(NOTE_LOGIN, f"{case.case_id} ({login})")
    if case.brief_history:
        add_paragraphs(etree.SubElement(root, "abstract"), case.brief_history)
    alternative_abstract = case.brief_history or (case.patient.text if case.patient else None)
    alternative_abstract = alternative_abstract or NO_HISTORY_ABSTRACT
    add_paragraphs(etree.SubElement(root, "alternative-abstract"), alternative_abstract)
    keywords, revealing = split_keywords(case)
    add_text(root, "keywords", KEYWORD_SEPARATOR.join(keywords))
    for keyword in revealing:
        notes.add(NOTE_KEYWORD, f"{case.case_id} ({keyword})")
    date, date_note = publication_date(case)
    add_text(root, "publication-date", date)
    if date_note:
        notes.add(date_note, case.case_id)
    add_text(root, "document-id", case.case_id)
    add_text(root, "document-type", DOCUMENT_TYPE)
    add_text(root, "rights", case.copyright)

    patient_text = case.patient.text if case.patient else None
    history = [case.brief_history, case.full_history, patient_text]
    add_history(root, [case.brief_history, patient_text] if unknown else history, case.patient)
    add_procedure(root, case)
    if unknown:
        add_images(root, images, videos, unhosted, script_text)
        add_section(root, "Full History", [case.full_history])
    add_section(root, "Findings", [case.findings])
    add_section(root, "Diagnosis", [case.diagnosis])
    add_differential(root, case)
    add_section(root, "Discussion", [case.discussion])
    add_section(root, "Followup", [case.followup])
    add_list_section(root, "Teaching Points", case.teaching_points)
    if not unknown:
        add_images(root, images, videos, unhosted, script_text)
    for file in unhosted:
        notes.add(NOTE_CINE_LINK, f"{case.case_id} {file.image.label}")
    add_owner_notes(root, logins, DATE_NOTES.get(date_note or ""))

    if case.references:
        references = etree.SubElement(root, "references")
        for reference in case.references:
            add_text(references, "reference", reference.text)
    add_text(root, "history", "\n\n".join(t for t in history if t))
    add_text(root, "findings", case.findings)
    add_text(root, "diagnosis", case.diagnosis)
    add_text(root, "differential-diagnosis", KEYWORD_SEPARATOR.join(case.differential_diagnosis))
    add_text(root, "discussion", case.discussion)
    add_text(root, "modality", ", ".join(case_modalities(case)))
    add_text(root, "anatomy", case.anatomic_field)
    add_text(root, "pathology", case.category)
    add_text(root, "organ-system", ORGAN_SYSTEMS.get(case.anatomic_field_code or ""))
    add_text(root, "category", CATEGORY)
    add_text(root, "level", case_level(case))
    for code in case.acr_codes:
        add_text(root, "code", code).set("coding-system", "ACR")
    authorization = etree.SubElement(root, "authorization")
    etree.SubElement(authorization, "read").text = READ_ACCESS[options.access]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def case_title(case: Case) -> str:
    return case.title or case.diagnosis or case.case_id


def make_alternative_title(case: Case) -> str:
    """What a list shows for the case run as an unknown: the brief history never names the diagnosis."""
    if case.brief_history:
        return f"Unknown: {case.brief_history.rstrip(' .')}"
    return f"Unknown case {case.case_id}"


def make_script_safe(text: str) -> str:
    """The text with typographic stand-ins for what would break a JavaScript string literal, or the
    ``<script>`` element around it, where MIRCdocument.xsl writes it unescaped."""
    text = OPENING_QUOTE_RE.sub("\\1\u201c", text).replace('"', "\u201d").replace("\\", "\u2216")
    return SCRIPT_TAG_RE.sub("\u2039", text)


def split_authors(authors: list[Author]) -> tuple[list[str], list[str]]:
    """Author names with their degrees; and the login ids, which are no names."""
    names = [", ".join([a.display_name or a.name, *a.degrees]) for a in authors if not a.is_user_id]
    return names, [a.name for a in authors if a.is_user_id]


def split_keywords(case: Case) -> tuple[list[str], list[str]]:
    """The record's keywords, each once (case-insensitively); and those left out for naming the
    diagnosis or the title (the diagnosis on classic pages): the TFS shows keywords to unknowns too."""
    answers = [words(text) for text in (case.diagnosis, case.title) if text]
    seen: set[str] = set()
    keywords, revealing = [], []
    for keyword in case.keywords:
        if not keyword or keyword.casefold() in seen:
            continue
        seen.add(keyword.casefold())
        kept = words(keyword)
        if any(contains(answer, kept) or contains(kept, answer) for answer in answers):
            revealing.append(keyword)
        else:
            keywords.append(keyword)
    return keywords, revealing


def words(text: str) -> tuple[str, ...]:
    return tuple(WORD_RE.findall(text.casefold()))


def contains(text: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """Whether ``part`` occurs in ``text`` as a run of whole words."""
    n = len(part)
    return n > 0 and any(text[i : i + n] == part for i in range(len(text) - n + 1))


def publication_date(case: Case) -> tuple[str | None, str | None]:
    """The byline date; else the date (UTC) of the archived page's Last-Modified; else none. With the
    note to make when it is not the byline's."""
    if case.date:
        return case.date.isoformat(), None
    modified = case.source.last_modified
    if modified:
        modified = modified.astimezone(dt.UTC) if modified.tzinfo else modified
        return modified.date().isoformat(), NOTE_LAST_MODIFIED
    return None, NOTE_NO_DATE


def case_modalities(case: Case) -> list[str]:
    """The distinct DICOM modalities of the images in page order; the case family's when none is known."""
    modalities = list(dict.fromkeys(i.dicom_modality for i in case.images if i.dicom_modality))
    if not modalities and case.case_family:
        modalities = [case.case_family.dicom_modality]
    return modalities


def case_level(case: Case) -> str | None:
    difficulty = case.rating.difficulty if case.rating else None
    if difficulty is None or difficulty < 1:
        return None
    return LEVELS.get(difficulty, "advanced")


def image_caption(image: Image) -> str:
    """``main (bs): Anterior ...``: the label, the type code and the caption as printed."""
    head = f"{image.label} ({image.type_code})" if image.type_code else image.label
    return f"{head}: {image.caption}" if image.caption else head


def host_videos(files: list[CaseFile]) -> tuple[dict[str, CaseFile], list[CaseFile]]:
    """Each cine file's host: the nearest image before it that has none yet, else the nearest after it.
    Returns cine by host name, and the cine files left without a host."""
    hosts: dict[str, CaseFile] = {}
    unhosted = []
    for i, file in enumerate(files):
        if file.is_image:
            continue
        free = [f for f in [*reversed(files[:i]), *files[i + 1 :]] if f.is_image and f.name not in hosts]
        if free:
            hosts[free[0].name] = file
        else:
            unhosted.append(file)
    return hosts, unhosted


def split_paragraphs(text: str | None) -> list[str]:
    return [p for p in (text or "").split("\n\n") if p.strip()]


def clean(text: str) -> str:
    return XML_INVALID_RE.sub("", text)


def add_text(parent: etree._Element, tag: str, text: str | None) -> etree._Element:
    """A child with escaped text; nothing is added for an empty text (but the title always is)."""
    if not text and tag != "title":
        return etree.Element(tag)  # detached: the caller may still set attributes on it
    element = etree.SubElement(parent, tag)
    element.text = clean(text or "")
    return element


def add_paragraphs(parent: etree._Element, text: str | None) -> None:
    for paragraph in split_paragraphs(text):
        add_text(parent, "p", paragraph)


def add_section(root: etree._Element, heading: str, texts: Iterable[str | None]) -> etree._Element | None:
    paragraphs = [p for text in texts for p in split_paragraphs(text)]
    if not paragraphs:
        return None
    section = etree.SubElement(root, "section", heading=heading)
    for paragraph in paragraphs:
        add_text(section, "p", paragraph)
    return section


def add_history(root: etree._Element, texts: list[str | None], patient: Patient | None) -> None:
    """The History section; then the patient's age and sex, as the TFS's patient searches read them."""
    section = add_section(root, "History", texts)
    age = AGE_ELEMENTS.get(patient.age_unit or "") if patient and patient.age is not None else None
    if patient is None or (age is None and patient.sex is None):
        return
    if section is None:
        section = etree.SubElement(root, "section", heading="History")
    element = etree.SubElement(section, "patient")
    if age is not None:
        add_text(etree.SubElement(element, "pt-age"), age, str(patient.age))
    add_text(element, "pt-sex", patient.sex)


def add_list(parent: etree._Element, items: Iterable[str]) -> None:
    element = etree.SubElement(parent, "ul")
    for item in items:
        add_text(element, "li", item)


def add_list_section(root: etree._Element, heading: str, items: list[str]) -> None:
    if items:
        add_list(etree.SubElement(root, "section", heading=heading), items)


def add_procedure(root: etree._Element, case: Case) -> None:
    """The procedure line as printed, then each administration with its activity in MBq where known."""
    if case.procedure is None:
        return
    section = add_section(root, "Procedure", [case.procedure.text])
    administrations = case.procedure.administrations
    if section is not None and any(a.activity_mbq is not None for a in administrations):
        items = []
        for administration in administrations:
            mbq = administration.activity_mbq
            unit = administration.activity.unit if administration.activity else None
            if mbq is not None and unit != "MBq":
                items.append(f"{administration.text} ({format_number(mbq)} MBq)")
            else:
                items.append(administration.text)
        add_list(section, items)


def format_number(value: float) -> str:
    return f"{round(value, 1):.1f}".removesuffix(".0")


def add_differential(root: etree._Element, case: Case) -> None:
    if not case.differential_diagnosis and not case.differential_diagnosis_title:
        return
    section = etree.SubElement(root, "section", heading="DDx")
    add_text(section, "p", case.differential_diagnosis_title)
    if case.differential_diagnosis:
        add_list(section, case.differential_diagnosis)


def add_images(
    root: etree._Element,
    images: list[CaseFile],
    videos: dict[str, CaseFile],
    unhosted: list[CaseFile],
    script_text: Callable[[str], str],
) -> None:
    """The image-section, in Editor.js's order: icon, video, the caption, the video's caption on click."""
    if images:
        section = etree.SubElement(root, "image-section", heading="Images")
        for file in images:
            element = etree.SubElement(section, "image", src=file.name)
            if file.icon_name:
                etree.SubElement(element, "alternative-image", role="icon", src=file.icon_name)
            video = videos.get(file.name)
            if video is not None:
                etree.SubElement(element, "alternative-image", role="video", src=video.name)
            caption = script_text(image_caption(file.image))
            add_text(element, "image-caption", caption).set("display", "always")
            if video is not None:
                video_caption = script_text(f"Video: {image_caption(video.image)}")
                add_text(element, "image-caption", video_caption).set("display", "click")
    if unhosted:
        section = etree.SubElement(root, "section", heading="Cine")
        for file in unhosted:
            paragraph = etree.SubElement(section, "p")
            add_text(paragraph, "a", image_caption(file.image)).set("href", file.name)


def add_owner_notes(root: etree._Element, logins: list[str], date_note: str | None) -> None:
    """What the uploader should know and readers need not: shown to the case's owner only."""
    paragraphs = [
        f"Submitted on the legacy site by the login id {login} (not a name, so not listed as an author)."
        for login in logins
    ]
    if date_note:
        paragraphs.append(date_note)
    if paragraphs:
        section = etree.SubElement(root, "section", heading=NOTES_HEADING, visible="owner")
        for paragraph in paragraphs:
            add_text(section, "p", paragraph)


def write_zip(path: Path, document: bytes, files: list[CaseFile]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        write_entry(archive, DOCUMENT_NAME, document)
        for file in files:
            write_entry(archive, file.name, file.path.read_bytes())
            if file.icon is not None and file.icon_name is not None:
                write_entry(archive, file.icon_name, file.icon)


def write_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever system writes it: the bytes never depend on the platform
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)
