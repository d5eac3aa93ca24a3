"""RSNA MIRC / Teaching File System: one ``<case_id>.zip`` per case, a MIRCdocument and its files.

Each zip holds ``MIRCdocument.xml`` (root ``<MIRCdocument display="mstf">``) and the case's written
files under flat, unique names (``<case_id>-<label>.<ext>``: ASCII letters, digits, ``.``, ``_``, ``-``,
so nothing the TFS submit service renames (``* ' " < >``) and no ``/ \\ :`` or control characters;
``-2``, ``-3`` on a case-insensitive collision). The XML is built with lxml, so every text is escaped,
and written pretty printed, UTF-8, with its declaration; zip entries carry a fixed date, so the same
record gives the same bytes on every run.

Document order: title, alternative-title, authors, abstract, keywords, publication-date, document-id,
document-type, rights; the sections (History, Procedure, Findings, Diagnosis, DDx, Discussion,
Followup, Teaching Points); the image-section, then a Cine section; references; then the index-only
elements (history, findings, diagnosis, differential-diagnosis, discussion, modality, anatomy,
pathology, organ-system, category, level, one ``code coding-system="ACR"`` per ACR code).

Mappings:

- ``level`` from the rating's difficulty: D1 primary, D2 intermediate, D3 and above advanced; no
  rating or a blank one (rs034 ``#D.``) leaves ``level`` out.
- ``organ-system`` from the ACR anatomic field digit (see ``ORGAN_SYSTEMS``); 0 (breast, unconfirmed)
  and unknown digits leave it out.
- ``category`` is always ``Nuclear``: the whole corpus is nuclear medicine.
- Files: those whose media type is ``image/*`` go in the image-section (an animated GIF cine, gi005,
  plays in a browser, so it stays an image); anything else (the AVI cine of rs034) is not an image
  for MIRC: it goes in the zip and a paragraph of the "Cine" section links to it.

Unknown mode (``--unknown``): the case is run as an unknown, with the answer after everything a
reader sees first. ``title`` becomes the alternative title ("Unknown: <brief history>", or
"Unknown case <case_id>" without one); ``keywords`` are left out (bs003's "osteoid osteoma" is the
diagnosis); the History section keeps only the brief history and the patient line; then Procedure,
the image-section and Cine. The answer follows, starting with "Full History" and "Findings" (bs125's
full history and findings both name the heterotopic ossification), then Diagnosis, DDx, Discussion,
Followup and Teaching Points. References and the index-only elements (which the TFS indexes but
does not show) stay as in a normal export.
"""

from __future__ import annotations

import mimetypes
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from tfmigrate.export.registry import ExportOptions, MigratedOutput
from tfmigrate.filenames import safe_name
from tfmigrate.models import Case, Image

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
# In a label even dots go: "../x" becomes "x", never a name with ".." in it.
LABEL_UNSAFE_RE = re.compile(r"[^A-Za-z0-9_-]+")
# Characters XML 1.0 cannot hold at all; lxml refuses them, so they are dropped.
XML_INVALID_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class MircExporter:
    name = "mirc"
    description = "RSNA MIRC / Teaching File System: one <case_id>.zip per case (MIRCdocument.xml + images)"
    supports_unknown = True

    def export(self, source: MigratedOutput, out_dir: Path, options: ExportOptions) -> int:
        count = 0
        for case in source.records():
            files = case_files(source, case)
            document = build_document(case, files, unknown=options.unknown)
            write_zip(out_dir / f"{case.case_id}.zip", document, files)
            count += 1
        return count


class CaseFile:
    """A written file of one image, with its name inside the zip."""

    def __init__(self, image: Image, path: Path, name: str) -> None:
        self.image = image
        self.path = path
        self.name = name

    @property
    def is_image(self) -> bool:
        media_type = self.image.media_type or mimetypes.guess_type(self.path.name)[0] or ""
        return media_type.startswith("image/")


def case_files(source: MigratedOutput, case: Case) -> list[CaseFile]:
    """The case's written files, in page order, each with a unique flat name."""
    files = []
    taken = {DOCUMENT_NAME.casefold()}
    for image in case.images:
        path = source.image_file(image.path) if image.path else None
        if path is not None:
            name = zip_name(case.case_id, image.label, path.suffix, taken)
            taken.add(name.casefold())
            files.append(CaseFile(image, path, name))
    return files


def zip_name(case_id: str, label: str, suffix: str, taken: set[str]) -> str:
    """``<case_id>-<label>.<ext>``, safe for the TFS and every file system, unique among ``taken``."""
    label = LABEL_UNSAFE_RE.sub("_", label).strip("_-")
    stem = safe_name(f"{case_id}-{label}" if label else case_id, fallback=case_id)
    ext = safe_name(suffix.lstrip(".").lower(), max_length=10, fallback="")
    ext = f".{ext}" if ext else ""
    name, n = f"{stem}{ext}", 1
    while name.casefold() in taken:
        n += 1
        name = f"{stem}-{n}{ext}"
    return name


def build_document(case: Case, files: list[CaseFile], *, unknown: bool) -> bytes:
    root = etree.Element("MIRCdocument", display="mstf")
    alternative_title = make_alternative_title(case)
    add_text(root, "title", alternative_title if unknown else (case.title or case.diagnosis or case.case_id))
    add_text(root, "alternative-title", alternative_title)
    for author in case.authors:
        element = etree.SubElement(root, "author")
        name = author.display_name or author.name
        add_text(element, "name", ", ".join([name, *author.degrees]))
    if case.brief_history:
        add_paragraphs(etree.SubElement(root, "abstract"), case.brief_history)
    if not unknown:
        add_text(root, "keywords", KEYWORD_SEPARATOR.join(case_keywords(case)))
    add_text(root, "publication-date", case.date.isoformat() if case.date else None)
    add_text(root, "document-id", case.case_id)
    add_text(root, "document-type", DOCUMENT_TYPE)
    add_text(root, "rights", case.copyright)

    history = [case.brief_history, case.full_history, case.patient.text if case.patient else None]
    if unknown:
        add_section(root, "History", [case.brief_history, case.patient.text if case.patient else None])
        add_procedure(root, case)
        add_images(root, files)
        add_section(root, "Full History", [case.full_history])
    else:
        add_section(root, "History", history)
        add_procedure(root, case)
    add_section(root, "Findings", [case.findings])
    add_section(root, "Diagnosis", [case.diagnosis])
    add_differential(root, case)
    add_section(root, "Discussion", [case.discussion])
    add_section(root, "Followup", [case.followup])
    add_list_section(root, "Teaching Points", case.teaching_points)
    if not unknown:
        add_images(root, files)

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
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def make_alternative_title(case: Case) -> str:
    """What a list shows for the case run as an unknown: the brief history never names the diagnosis."""
    if case.brief_history:
        return f"Unknown: {case.brief_history.rstrip(' .')}"
    return f"Unknown case {case.case_id}"


def case_keywords(case: Case) -> list[str]:
    """The record's keywords and the diagnosis, each once (case-insensitively), in that order."""
    seen: set[str] = set()
    keywords = []
    for keyword in [*case.keywords, case.diagnosis or ""]:
        if keyword and keyword.casefold() not in seen:
            seen.add(keyword.casefold())
            keywords.append(keyword)
    return keywords


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


def add_images(root: etree._Element, files: list[CaseFile]) -> None:
    images = [f for f in files if f.is_image]
    if images:
        section = etree.SubElement(root, "image-section", heading="Images")
        for file in images:
            element = etree.SubElement(section, "image", src=file.name)
            add_text(element, "image-caption", image_caption(file.image)).set("display", "always")
    others = [f for f in files if not f.is_image]
    if others:
        # rs034: an AVI cine is no image for MIRC; a link lets the browser hand it to a player.
        section = etree.SubElement(root, "section", heading="Cine")
        for file in others:
            paragraph = etree.SubElement(section, "p")
            add_text(paragraph, "a", image_caption(file.image)).set("href", file.name)


def write_zip(path: Path, document: bytes, files: list[CaseFile]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        write_entry(archive, DOCUMENT_NAME, document)
        for file in files:
            write_entry(archive, file.name, file.path.read_bytes())


def write_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever system writes it: the bytes never depend on the platform
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)
