"""The migrated case record: pydantic models, the contract a receiving platform imports.

No HTML knowledge lives here. Field names are the JSON keys and match the ``extract_*`` helpers
that fill them. Text fields keep the characters as printed (entities decoded, mojibake kept);
paragraphs are separated by a blank line ("\\n\\n") and whitespace inside a paragraph is collapsed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://tfmigrate.invalid/schema/case.schema.json"

# Safe as a file name on every platform: it names cases/<case_id>.json.
CASE_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,99}$"

Template = Literal["classic", "newtfh"]
EncodingRule = Literal["bom", "http", "meta", "detected", "default"]


class Record(BaseModel):
    """Base of every model: unknown keys are errors, so a typo never passes validation."""

    model_config = ConfigDict(extra="forbid")


class Author(Record):
    name: str = Field(description="The name as printed, without degrees.")
    degrees: list[str] = Field(default_factory=list, description='As printed, e.g. ["M.D.", "Ph.D."].')
    given: str | None = None
    family: str | None = None
    suffix: str | None = None
    display_name: str | None = Field(default=None, description="Title case for names printed in lower case.")
    is_user_id: bool = Field(default=False, description="A login id (newtfh 'kwinkl01'), not a name.")


class Rating(Record):
    difficulty: int | None = Field(description="#D<n>: difficulty, null when printed blank (#D.).")
    quality: int | None = Field(description="#Q<n>: quality, null when printed blank (#Q.).")


class Patient(Record):
    text: str = Field(description="As printed (newtfh 'Patient:').")
    age: int | None = None
    age_unit: Literal["year", "month", "week", "day"] | None = None
    age_years: float | None = Field(default=None, description="The age in years (months / 12 ...).")
    sex: Literal["female", "male"] | None = None


class Quantity(Record):
    value: float
    unit: str = Field(description="As printed: mCi, uCi, µCi, MBq, GBq, mg, mg/kg ...")
    text: str = Field(description="As printed, e.g. '.459 mCi'.")


class Administration(Record):
    """One administered agent of the procedure line; activity also in MBq, as FHIR's dose guide codes it."""

    text: str = Field(description="The part of the procedure line it was read from, as printed.")
    kind: Literal["radiopharmaceutical", "drug"]
    activity: Quantity | None = None
    activity_mbq: float | None = Field(default=None, description="1 mCi = 37 MBq.")
    radionuclide: str | None = Field(default=None, description="Normalised: Tc-99m, In-111, I-123 ...")
    pharmaceutical: str | None = Field(default=None, description="As printed: MDP, MAG3, sulfur colloid ...")
    drug: str | None = Field(default=None, description="A non-radioactive drug: furosemide, dipyridamole ...")
    dose: Quantity | None = None
    route: str | None = Field(default=None, description="Normalised: intravenous, oral, intrathecal ...")
    route_text: str | None = None
    phase: str | None = Field(default=None, description="rest, stress, initial study, repeat study ...")


class Procedure(Record):
    text: str = Field(description="The radiopharmaceutical line as printed, without its label.")
    administrations: list[Administration] = Field(default_factory=list)


class Image(Record):
    label: str = Field(description="main, second, third, ..., followup, cine; fig1, fig2 on newtfh pages.")
    type_code: str | None = Field(description="The bracketed image type, e.g. bs, xr; null when not printed.")
    caption: str | None
    modality: str | None = Field(
        default=None, description="From the type code: bone scintigraphy, radiograph."
    )
    dicom_modality: str | None = Field(default=None, description="NM, CR, CT, MR, US, XA, PT or RF.")
    note: str | None = Field(default=None, description="Printed text about the image besides its caption.")
    viewer_url: str | None = Field(
        description="The link target (image viewer page), resolved against the page."
    )
    url: str | None = Field(default=None, description="The image file's URL (embedded, or from its viewer).")
    path: str | None = Field(default=None, description="Where the file was written, relative to the output.")
    sha256: str | None = None
    media_type: str | None = Field(default=None, description="Sniffed from the file's bytes.")
    size: int | None = None
    width: int | None = Field(default=None, description="Pixels, where the file's header states it.")
    height: int | None = None


class Reference(Record):
    text: str = Field(description="The citation as printed.")
    origin: Literal["block", "inline"] = Field(
        description="block: a references section; inline: a 'Reference(s):' line kept in the discussion too."
    )
    csl: dict[str, Any] | None = Field(default=None, description="The citation as CSL-JSON.")
    style: str | None = Field(default=None, description="journal, book-chapter, book or unknown.")
    confidence: float | None = Field(default=None, description="0-1: how completely the citation was read.")


class AcrCode(Record):
    code: str = Field(description="As printed: '642.3212', '8.-1'.")
    anatomy: str
    pathology: str
    anatomic_field: str = Field(description="The anatomy's first digit: the ACR top-level anatomic field.")


class CaseFamily(Record):
    code: str = Field(description="From the case id: bs, rs, tr ...")
    name: str | None = Field(description="bone scintigraphy, renal scintigraphy ...; null when not known.")
    dicom_modality: str = "NM"


class GeneralDiscussion(Record):
    title: str | None = Field(
        description="The study named in the link, e.g. 'Bone Scintigraphy'; null if blank."
    )
    url: str | None


class NavigationLink(Record):
    text: str = Field(description="The link's text as printed, e.g. 'Case List'.")
    url: str = Field(description="Its target, resolved against the page URL.")


class Links(Record):
    """The page's navigation links, resolved against the page URL; null where absent."""

    similar_cases: str | None = None
    edit: str | None = None
    add_comment: str | None = None
    read_comments: str | None = None
    home: str | None = None
    case_list: str | None = None
    case_list_unknowns: str | None = None
    image_size_small: str | None = None
    image_size_submitted: str | None = None
    site: list[NavigationLink] = Field(
        default_factory=list,
        description="The site's own menu printed on the page (a column or bar of links beside the case):"
        " kept here, never read as case text.",
    )


def is_unknown(value: object) -> bool:
    return value is None


class Source(Record):
    url: str = Field(description="Where the page came from; file:// for a local file.")
    sha256: str = Field(description="sha256 of the raw bytes as fetched or read.")
    encoding: str = Field(description="The encoding the text was decoded with (a Python codec name).")
    encoding_rule: EncodingRule = Field(description="Which rule decided the encoding.")
    input_format: Literal["html", "text"] = Field(description="html, or a plain-text rendering of a page.")
    template_version: str
    parser_version: str
    last_modified: dt.datetime | None = Field(
        default=None,
        # Left out of the JSON while unknown, so the records of pages served without one keep their bytes.
        exclude_if=is_unknown,
        description="The Last-Modified time (UTC) the web server sent with the archived page; set by "
        "migrate, left out when unknown (always for a folder source).",
    )
    archive_url: str | None = Field(
        default=None,
        exclude_if=is_unknown,
        description="The web archive's address of the capture the page was read from (migrate --wayback); "
        "left out for a page read from the live site or from disk.",
    )
    captured: dt.datetime | None = Field(
        default=None,
        exclude_if=is_unknown,
        description="When the web archive captured the page (UTC); left out unless read from a web archive.",
    )


class Issue(Record):
    code: str
    field: str | None
    message: str


class Corrected(Record):
    """A field an archivist corrected (DIR/corrections/), as applied to this run's record."""

    field: str = Field(description="Its path: diagnosis, images[second].caption, authors[0].family ...")
    value: Any = Field(description="The corrected value: the record holds it.")
    base: Any = Field(description="The parsed value the correction replaced when it was made.")
    parsed: Any = Field(description="The value parsed from the page this run (null when not found).")
    found: bool = Field(default=True, description="Whether this run's record has the field at all.")
    conflict: bool = Field(
        default=False, description="The page now gives another value than the base: review it again."
    )
    reviewer: str
    when: dt.datetime
    note: str | None = None


class Review(Record):
    """What an archivist said of the record: corrected fields and verified marks."""

    verified: bool = Field(default=False, description="The whole case was marked verified.")
    verified_fields: list[str] = Field(default_factory=list)
    corrected: list[Corrected] = Field(default_factory=list)


class Case(Record):
    """One migrated teaching case.

    ``title``: newtfh pages print an upper-case title; classic pages print none, so their title
    is the diagnosis as printed (null when the page has no diagnosis), which is what an importing
    platform shows in its case lists.
    """

    schema_version: str = SCHEMA_VERSION
    case_id: str = Field(
        pattern=CASE_ID_PATTERN,
        description="bs125 from 'Case number:' or the URL; newtfh-<id> for newtfh pages.",
    )
    template: Template
    title: str | None
    authors: list[Author] = Field(default_factory=list)
    date: dt.date | None = None
    date_raw: str | None = None
    rating: Rating | None = None
    diagnosis: str | None = None
    brief_history: str | None = None
    full_history: str | None = None
    patient: Patient | None = None
    procedure: Procedure | None = None
    findings: str | None = None
    discussion: str | None = None
    followup: str | None = None
    teaching_points: list[str] = Field(default_factory=list)
    differential_diagnosis: list[str] = Field(default_factory=list)
    differential_diagnosis_title: str | None = Field(
        default=None, description="Text printed on the differential list's heading line (newtfh)."
    )
    images: list[Image] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    acr_codes: list[str] = Field(default_factory=list, description="ACR Index codes, always strings.")
    acr: list[AcrCode] = Field(default_factory=list, description="The ACR codes read into their parts.")
    keywords: list[str] = Field(default_factory=list)
    general_discussion: GeneralDiscussion | None = None
    anatomic_field: str | None = None
    anatomic_field_code: str | None = Field(default=None, description="The ACR digit of the anatomic field.")
    case_family: CaseFamily | None = None
    category: str | None = Field(default=None, description="The ACR pathology class as printed.")
    links: Links = Field(default_factory=Links)
    copyright: str | None = None
    unassigned: list[str] = Field(
        default_factory=list, description="Text the parser could not place in a field, as printed."
    )
    source: Source
    withdrawn: dt.date | None = Field(
        default=None,
        description="When the page was found gone (404/410): the record is its last good version.",
    )
    issues: list[Issue] = Field(default_factory=list)
    review: Review | None = Field(
        default=None,
        # Left out while no archivist has reviewed the case: the records of a fresh run keep their bytes.
        exclude_if=lambda value: value is None,
        description="The archivist's corrections and verified marks (DIR/corrections/), applied by migrate.",
    )


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of a case record, as committed in schema/case.schema.json."""
    schema = Case.model_json_schema(mode="serialization")
    return {"$schema": JSON_SCHEMA_DIALECT, "$id": SCHEMA_ID, **schema}
