"""The MIRC exporter: every fixture case's zip read back and checked against its record."""

from __future__ import annotations

import difflib
import io
import json
import re
import shutil
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any, NamedTuple

import PIL.Image
import pytest
from lxml import etree

from tests.conftest import GOLDEN
from tests.test_cli import run
from tfmigrate.export.icons import IconError, make_icon
from tfmigrate.export.mirc import (
    DOCUMENT_NAME,
    NO_HISTORY_ABSTRACT,
    MircExporter,
    case_level,
    make_script_safe,
    zip_name,
)
from tfmigrate.export.registry import ExportOptions, MigratedOutput
from tfmigrate.models import Case, Rating

# Never resolve entities or fetch anything while reading our own output back.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
GOLDEN_CASES = ("bs125", "rs034", "newtfh-271472")
FORBIDDEN_NAME_CHARS = set("*'\"<>/\\:") | {chr(c) for c in range(32)} | {"\x7f"}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Written out here, not imported, so a slip in the exporter's tables shows.
LEVELS = {None: None, 1: "primary", 2: "intermediate", 3: "advanced", 4: "advanced", 5: "advanced"}
ORGAN_SYSTEMS = {
    None: None, "1": "neuro", "2": "head and neck", "3": "spine", "4": "musculoskeletal", "5": "cardiac",
    "6": "chest", "7": "gastrointestinal", "8": "genitourinary", "9": "vascular",
}  # fmt: skip
# What MIRCdocument.xsl writes into its page's script unescaped; and the stand-ins, read back as typed.
SCRIPT_UNSAFE_RE = re.compile(r'["\\]|<[/!]')
TYPED = str.maketrans({"“": '"', "”": '"', "∖": "\\", "‹": "<"})
HOSTILE_CAPTION = '</script><!--<script> "x" \\ C:\\temp & co ]]> &amp; \x0b'
HOSTILE_NAME = 'O\'Brien "Bob" \\ Jr'


@pytest.fixture(scope="module")
def records(migrated: Path) -> dict[str, Case]:
    return {case.case_id: case for case in MigratedOutput(migrated).records()}


@pytest.fixture(scope="module")
def exported(migrated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mirc")
    assert MircExporter().export(MigratedOutput(migrated), out, ExportOptions()).count == 31
    return out


@pytest.fixture(scope="module")
def unknowns(migrated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mirc-unknown")
    assert MircExporter().export(MigratedOutput(migrated), out, ExportOptions(unknown=True)).count == 31
    return out


def read_document(path: Path) -> tuple[etree._Element, dict[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    return etree.fromstring(entries[DOCUMENT_NAME], PARSER), entries


def paragraphs(*texts: str | None) -> list[str]:
    return [p for text in texts for p in (text or "").split("\n\n") if p.strip()]


def sections(root: etree._Element) -> dict[str, etree._Element]:
    found = root.findall("section")
    assert len(found) == len({s.get("heading") for s in found}), "a section heading is repeated"
    return {str(s.get("heading")): s for s in found}


def section_paragraphs(root: etree._Element, heading: str) -> list[str]:
    section = sections(root).get(heading)
    return [p.text or "" for p in section.findall("p")] if section is not None else []


def is_image(case: Case, path: str | None) -> bool:
    image = next(i for i in case.images if i.path == path)
    return (image.media_type or "").startswith("image/")


def as_typed(text: str | None) -> str | None:
    """A text with the typographic stand-ins of the script-safe texts read back as typed."""
    return text.translate(TYPED) if text is not None else None


def names_answer(keyword: str, case: Case) -> bool:
    answers = [a.casefold() for a in (case.diagnosis, case.title) if a]
    return any(keyword.casefold() in a or a in keyword.casefold() for a in answers)


def record_modalities(case: Case) -> list[str]:
    """The DICOM modalities of the images in page order; the case family's when none is known."""
    modalities = list(dict.fromkeys(i.dicom_modality for i in case.images if i.dicom_modality))
    if not modalities and case.case_family:
        modalities = [case.case_family.dicom_modality]
    return modalities


def case_mismatches(
    case: Case, root: etree._Element, entries: dict[str, bytes], source: MigratedOutput
) -> list[str]:
    """Every element that disagrees with the record, as '<case_id> <what>: <got> != <expected>'."""
    bad: list[str] = []

    def check(what: str, got: object, expected: object) -> None:
        if got != expected:
            bad.append(f"{case.case_id} {what}: {got!r} != {expected!r}")

    files = [i for i in case.images if i.path and source.image_file(i.path)]
    pictures = [i for i in files if is_image(case, i.path)]
    others = [i for i in files if not is_image(case, i.path)]
    check("root", (root.tag, root.get("display")), ("MIRCdocument", "mstf" if pictures else "page"))
    for element in root.iterfind("title|alternative-title|author/name|image-section/image/image-caption"):
        check(f"{element.tag} script-safe", SCRIPT_UNSAFE_RE.findall(element.text or ""), [])
    check("title", as_typed(root.findtext("title")), case.title or case.diagnosis or case.case_id)
    check("alternative-title", (root.findtext("alternative-title") or "").startswith("Unknown"), True)
    names = [", ".join([a.display_name or a.name, *a.degrees]) for a in case.authors if not a.is_user_id]
    check("authors", [as_typed(a.findtext("name")) for a in root.findall("author")], names)
    check("affiliation", root.findall("author/affiliation"), [])
    modified = case.source.last_modified
    date = case.date or (modified.date() if modified else None)
    check("publication-date", root.findtext("publication-date"), date.isoformat() if date else None)
    check("document-id", root.findtext("document-id"), case.case_id)
    check("document-type", root.findtext("document-type"), "radiologic teaching file")
    check("rights", root.findtext("rights"), case.copyright)
    check("abstract", [p.text for p in root.findall("abstract/p")], paragraphs(case.brief_history))
    patient = case.patient.text if case.patient else None
    check(
        "alternative-abstract",
        [p.text for p in root.findall("alternative-abstract/p")],
        paragraphs(case.brief_history or patient) or [NO_HISTORY_ABSTRACT],
    )
    keywords = (root.findtext("keywords") or "").split("; ")
    for keyword in case.keywords:
        check(f"keyword {keyword!r} shown", keyword in keywords, not names_answer(keyword, case))
    check("authorization", [r.text for r in root.findall("authorization/read")], ["*"])

    expected_sections = {
        "History": paragraphs(case.brief_history, case.full_history, patient),
        "Procedure": paragraphs(case.procedure.text if case.procedure else None),
        "Findings": paragraphs(case.findings),
        "Diagnosis": paragraphs(case.diagnosis),
        "DDx": paragraphs(case.differential_diagnosis_title),
        "Discussion": paragraphs(case.discussion),
        "Followup": paragraphs(case.followup),
    }
    for heading, expected in expected_sections.items():
        check(f"section {heading}", section_paragraphs(root, heading), expected)
    found = sections(root)
    expected_headings = {h for h, p in expected_sections.items() if p}
    expected_headings |= {"DDx"} if case.differential_diagnosis else set()
    expected_headings |= {"Teaching Points"} if case.teaching_points else set()
    expected_headings |= {"Cine"} if len(others) > len(pictures) else set()
    logins = [a.name for a in case.authors if a.is_user_id]
    expected_headings |= {"Migration notes"} if logins or not case.date else set()
    check("section headings", set(found), expected_headings)
    if "Migration notes" in found:
        check("notes for the owner only", found["Migration notes"].get("visible"), "owner")
        notes = " ".join(section_paragraphs(root, "Migration notes"))
        check("login ids in the notes", [login for login in logins if login not in notes], [])
        check("date noted", case.date is None and "printed no date" not in notes, False)
    if "DDx" in found:
        check("DDx items", [li.text for li in found["DDx"].findall("ul/li")], case.differential_diagnosis)
    if "Teaching Points" in found:
        check(
            "teaching points",
            [li.text for li in found["Teaching Points"].findall("ul/li")],
            case.teaching_points,
        )
    if case.procedure and "Procedure" in found:
        items = [li.text or "" for li in found["Procedure"].findall("ul/li")]
        with_mbq = [a for a in case.procedure.administrations if a.activity_mbq is not None]
        if with_mbq:
            check("administrations", len(items), len(case.procedure.administrations))
            for item, administration in zip(items, case.procedure.administrations, strict=False):
                check("administration text", item.startswith(administration.text), True)
                if administration.activity_mbq is not None:
                    check("administration MBq", item.endswith(" MBq)"), True)
        else:
            check("administrations", items, [])
    age = case.patient and case.patient.age is not None and case.patient.age_unit
    sex = case.patient.sex if case.patient else None
    check("patient", len(root.findall("section[@heading='History']/patient")), 1 if age or sex else 0)
    if case.patient and age:
        ages = [(e.tag, e.text) for e in root.iterfind("section/patient/pt-age/*")]
        check("pt-age", ages, [(f"{case.patient.age_unit}s", str(case.patient.age))])
    check("pt-sex", root.findtext("section/patient/pt-sex"), sex)

    # Images: one per written image file, in page order, the bytes as written, each with its icon;
    # the other files (cine) as the video of an image, or as Cine links when the case has no image.
    shown = root.findall("image-section/image")
    headings = [s.get("heading") for s in root.findall("image-section")]
    check("image-section heading", headings, ["Images"] if shown else [])
    check("image count", len(shown), len(pictures))
    videos = [e.get("src") for e in root.iterfind("image-section/image/alternative-image[@role='video']")]
    linked = [a.get("href") for a in root.iterfind("section[@heading='Cine']/p/a")]
    check("cine count", (len(videos), len(linked)), (min(len(others), len(pictures)), len(linked)))
    check("cine files", len(videos + linked), len(others))
    icons = [e.get("src") for e in root.iterfind("image-section/image/alternative-image[@role='icon']")]
    check("icon count", len(icons), len(pictures))
    targets = [str(e.get("src")) for e in shown] + [str(t) for t in videos + linked]
    check("zip entries", sorted(entries), sorted([DOCUMENT_NAME, *targets, *map(str, icons)]))
    for image, target in zip([*pictures, *others], targets, strict=False):
        written = source.image_file(image.path or "")
        assert written is not None
        check(
            f"{image.label} bytes equal the written file", entries.get(target) == written.read_bytes(), True
        )
    for element, image in zip(shown, pictures, strict=False):
        caption = as_typed(element.findtext("image-caption[@display='always']")) or ""
        check(f"{image.label} caption label", caption.startswith(image.label), True)
        if image.type_code:
            check(f"{image.label} caption type", f"({image.type_code})" in caption, True)
        if image.caption:
            check(f"{image.label} caption text", caption.endswith(image.caption), True)
        icon = element.find("alternative-image[@role='icon']")
        data = entries.get(str(icon.get("src"))) if icon is not None else None
        check(f"{image.label} icon is a JPEG", (data or b"")[:3], b"\xff\xd8\xff")

    check(
        "references",
        [r.text for r in root.findall("references/reference")],
        [r.text for r in case.references],
    )
    # Index-only elements.
    history = "\n\n".join(t for t in (case.brief_history, case.full_history, patient) if t)
    check("history", root.findtext("history"), history or None)
    check("findings", root.findtext("findings"), case.findings)
    check("diagnosis", root.findtext("diagnosis"), case.diagnosis)
    check("discussion", root.findtext("discussion"), case.discussion)
    check(
        "differential-diagnosis",
        root.findtext("differential-diagnosis"),
        "; ".join(case.differential_diagnosis) or None,
    )
    check("modality", root.findtext("modality"), ", ".join(record_modalities(case)) or None)
    check("anatomy", root.findtext("anatomy"), case.anatomic_field)
    check("pathology", root.findtext("pathology"), case.category)
    check("organ-system", root.findtext("organ-system"), ORGAN_SYSTEMS[case.anatomic_field_code])
    check("category", root.findtext("category"), "Nuclear")
    check("level", root.findtext("level"), LEVELS[case.rating.difficulty if case.rating else None])
    codes = root.findall("code")
    check("codes", [c.text for c in codes], case.acr_codes)
    check("coding systems", {c.get("coding-system") for c in codes}, {"ACR"} if codes else set())
    return bad


def test_every_case_matches_its_record(exported: Path, records: dict[str, Case], migrated: Path) -> None:
    assert sorted(p.stem for p in exported.glob("*.zip")) == sorted(records)
    source = MigratedOutput(migrated)
    mismatches = []
    for case_id, case in records.items():
        root, entries = read_document(exported / f"{case_id}.zip")
        mismatches += case_mismatches(case, root, entries, source)
    assert not mismatches, "\n".join(mismatches)


def test_spot_checks(exported: Path) -> None:
    """A few facts known from the pages themselves, not from the records."""
    root, _ = read_document(exported / "bs003.zip")
    assert [c.text for c in root.findall("code")] == ["4.4", "642.3212", "8.-1"]
    assert root.findtext("level") == "primary"
    assert root.findtext("keywords") == "nidus"  # "osteoid osteoma" is the diagnosis
    root, entries = read_document(exported / "bs125.zip")
    assert root.findtext("modality") == "NM, CR" and root.findtext("level") == "intermediate"
    assert root.findtext("publication-date") == "2001-01-30"
    assert [a.findtext("name") for a in root.findall("author")] == [
        "Stephen Schmitter, M.D.",
        "Keith Fischer, M.D.",
    ]
    assert "21.6 mCi Tc-99m MDP i.v. (799.2 MBq)" in [li.text for li in root.iter("li")]
    assert (
        root.find("keywords") is None
    )  # the diagnosis is no keyword (it was before: TFS unknowns showed it)
    root, entries = read_document(exported / "rs034.zip")
    assert root.find("level") is None  # printed blank: #D., #Q.
    main = root.find("image-section/image[@src='rs034-main.jpg']")
    assert main is not None and "rs034-cine.avi" in entries and root.find(".//a") is None
    assert main.find("alternative-image[@role='video']").get("src") == "rs034-cine.avi"
    assert main.findtext("image-caption[@display='click']") == (
        "Video: cine: Posterior images after furosemide administration"
    )
    root, _ = read_document(exported / "newtfh-271472.zip")
    assert section_paragraphs(root, "DDx") == ["Localized bone scintigraphy uptake (Mettler, 2006)"]
    assert root.find("organ-system") is None
    assert root.find("publication-date") is None  # no byline date, and a folder source sends no Last-Modified
    assert [a.findtext("name") for a in root.findall("author")] == ["Delphine Chen"]  # not kwinkl01
    assert "kwinkl01" in " ".join(section_paragraphs(root, "Migration notes"))
    patient = root.find("section[@heading='History']/patient")
    assert patient is not None and etree.tostring(patient, method="c14n") == (
        b"<patient>\n      <pt-age>\n        <years>48</years>\n      </pt-age>\n      "
        b"<pt-sex>female</pt-sex>\n    </patient>"
    )
    root, entries = read_document(exported / "pa004.zip")
    assert root.get("display") == "page" and root.find("image-section") is None  # no images


def check_names(path: Path) -> list[str]:
    bad = []
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    if len({n.casefold() for n in names}) != len(names):
        bad.append(f"{path.name}: names not unique: {names}")
    for info in infos:
        if FORBIDDEN_NAME_CHARS & set(info.filename) or info.filename.startswith(".") or not info.filename:
            bad.append(f"{path.name}: unsafe name {info.filename!r}")
        if info.date_time != ZIP_DATE:
            bad.append(f"{path.name}: {info.filename} dated {info.date_time}")
    return bad


def test_zip_names_are_flat_unique_and_safe(exported: Path) -> None:
    bad = [problem for path in sorted(exported.glob("*.zip")) for problem in check_names(path)]
    assert not bad, "\n".join(bad)


def copy_record(migrated: Path, tmp_path: Path, case_id: str) -> tuple[dict[str, Any], Path]:
    """A migrated DIR of one record (to change) with its image files."""
    source = tmp_path / "src"
    (source / "cases").mkdir(parents=True)
    shutil.copytree(migrated / "images" / case_id, source / "images" / case_id)
    return json.loads((migrated / f"cases/{case_id}.json").read_text(encoding="utf-8")), source


def export_record(record: dict[str, Any], source: Path, options: ExportOptions | None = None) -> Export:
    (source / f"cases/{record['case_id']}.json").write_text(json.dumps(record), encoding="utf-8")
    out = source.parent / "out"
    out.mkdir(exist_ok=True)
    summary = MircExporter().export(MigratedOutput(source), out, options or ExportOptions())
    assert summary.count == 1
    root, entries = read_document(out / f"{record['case_id']}.zip")
    return Export(root, entries, summary.notes, out / f"{record['case_id']}.zip")


class Export(NamedTuple):
    root: etree._Element
    entries: dict[str, bytes]
    notes: list[str]
    path: Path


def test_hostile_record(migrated: Path, tmp_path: Path) -> None:
    record, source = copy_record(migrated, tmp_path, "bs125")
    (tmp_path / "outside.jpg").write_bytes(b"secret")
    record["images"][0]["label"] = "*'\"<>../x"
    record["images"][0]["caption"] = HOSTILE_CAPTION
    record["images"][3]["label"] = "SECOND"  # bs125-SECOND.gif against bs125-second.gif
    record["images"].append({**record["images"][2], "label": "escape", "path": "../outside.jpg"})
    record["diagnosis"] = 'A & B <b>"bold"</b>'
    record["authors"][0]["display_name"] = HOSTILE_NAME

    exported = export_record(record, source)
    root, entries = exported.root, exported.entries
    assert check_names(exported.path) == []
    assert sorted(name for name in entries if "_icon" not in name) == sorted(
        [DOCUMENT_NAME, "bs125-x.jpg", "bs125-second.gif", "bs125-third.jpg", "bs125-SECOND-2.gif"]
    ), "the file outside the output folder must not be packed"
    assert b"secret" not in b"".join(entries.values())
    # What the TFS's page writes into its script: no quote, backslash or tag-like "<" left.
    first = next(root.iter("image"))
    assert first.findtext("image-caption") == (
        "*'”<>../x (bs): ‹/script>‹!--<script> “x” ∖ C:∖temp & co ]]> &amp; "
    )
    assert root.findtext("author/name") == "O'Brien “Bob” ∖ Jr, M.D."
    assert [n for n in exported.notes if n.startswith("mirc: in titles, author names or captions")] == [
        'mirc: in titles, author names or captions, " \\ </ <! became “ ” ∖ ‹/ ‹! '
        "(the TFS's case page writes these texts into its script unescaped): bs125"
    ]
    # Elsewhere the text stays as printed (escaped by lxml).
    assert root.findtext("diagnosis") == 'A & B <b>"bold"</b>' and root.find(".//b") is None
    assert b"<script>" not in entries[DOCUMENT_NAME]


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('He said "stop" twice', "He said “stop” twice"),
        ('"Hot" spot', "“Hot” spot"),
        ('("x")', "(“x”)"),
        ("C:\\dir\\", "C:∖dir∖"),
        ("a </script> b", "a ‹/script> b"),
        ("<!-- x", "‹!-- x"),
        ("SUV < 2.5, <b>", "SUV < 2.5, <b>"),
        ("Meckel’s", "Meckel’s"),
    ],
    ids=["quotes", "leading-quote", "bracket", "backslash", "end-tag", "comment", "plain-less-than", "as-is"],
)
def test_script_safe_text(text: str, safe: str) -> None:
    assert make_script_safe(text) == safe


def test_access(migrated: Path, tmp_path: Path) -> None:
    record, source = copy_record(migrated, tmp_path, "bs125")
    public = export_record(record, source).root
    assert (
        etree.tostring(public.find("authorization"))
        == b"<authorization>\n    <read>*</read>\n  </authorization>\n"
    )
    owner = export_record(record, source, ExportOptions(access="owner")).root
    assert (
        etree.tostring(owner.find("authorization")) == b"<authorization>\n    <read/>\n  </authorization>\n"
    )


def test_the_tfs_unknown_view_of_every_export_names_no_diagnosis(
    exported: Path, unknowns: Path, records: dict[str, Case]
) -> None:
    """The TFS's unknown mode shows alternative-title, authors, alternative-abstract and keywords."""
    leaks = []
    for folder in (exported, unknowns):
        for case_id, case in records.items():
            root, _ = read_document(folder / f"{case_id}.zip")
            shown = [root.findtext("alternative-title"), root.findtext("keywords")]
            shown += [p.text for p in root.iterfind("alternative-abstract/p")]
            shown += [a.text for a in root.iterfind("author/name")]
            text = " ".join(t for t in shown if t).casefold()
            leaks += [
                f"{folder.name}/{case_id}: {a!r}"
                for a in (case.diagnosis, case.title)
                if a and a.casefold() in text
            ]
    assert not leaks, "\n".join(leaks)


def test_publication_date_without_a_byline(migrated: Path, tmp_path: Path) -> None:
    record, source = copy_record(migrated, tmp_path, "newtfh-271472")
    assert record["date"] is None and "last_modified" not in record["source"]  # a folder source
    exported = export_record(record, source)
    assert exported.root.find("publication-date") is None  # the TFS shows the upload date: said, not written
    assert "sent no Last-Modified" in " ".join(section_paragraphs(exported.root, "Migration notes"))
    assert (
        "mirc: no date printed and no Last-Modified: no publication date, so the TFS shows the upload date: "
        "newtfh-271472" in exported.notes
    )
    record["source"]["last_modified"] = "2008-02-14T23:30:00-05:00"  # as a server sent it, crawled
    exported = export_record(record, source)
    assert exported.root.findtext("publication-date") == "2008-02-15"  # its date in UTC
    assert "Last-Modified date" in " ".join(section_paragraphs(exported.root, "Migration notes"))
    assert (
        "mirc: no date printed: publication date from the archived page's Last-Modified: newtfh-271472"
        in (exported.notes)
    )


def test_age_units(migrated: Path, tmp_path: Path) -> None:
    record, source = copy_record(migrated, tmp_path, "newtfh-271472")
    record["patient"] = {"text": "15 month old", "age": 15, "age_unit": "month"}
    patient = export_record(record, source).root.find("section/patient")
    assert patient is not None and [(e.tag, e.text) for e in patient.iter("months", "pt-sex")] == [
        ("months", "15")
    ]
    record["patient"] = {"text": "a woman", "sex": "female"}
    patient = export_record(record, source).root.find("section/patient")
    assert patient is not None and [e.tag for e in patient] == ["pt-sex"]
    record["patient"] = {"text": "an adult"}
    assert export_record(record, source).root.find("section/patient") is None


def image_bytes(size: tuple[int, int], form: str) -> bytes:
    out = io.BytesIO()
    PIL.Image.new("RGB", size, (200, 30, 30)).save(out, form)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims a size and holds no pixels."""
    chunks = [b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0), b"IEND"]
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(c) - 4) + c + struct.pack(">I", zlib.crc32(c)) for c in chunks
    )


def test_icons(migrated: Path, tmp_path: Path) -> None:
    icon = PIL.Image.open(io.BytesIO(make_icon(image_bytes((640, 480), "JPEG"))))
    assert (icon.format, icon.size) == ("JPEG", (64, 48))
    small = PIL.Image.open(io.BytesIO(make_icon(image_bytes((8, 8), "GIF"))))
    assert (small.format, small.size) == ("JPEG", (8, 8))  # never enlarged
    with pytest.raises(IconError, match="cannot decode"):
        make_icon(b"\xff\xd8\xff\xe0 not a JPEG after all")
    with pytest.raises(IconError, match="more than any teaching image"):
        make_icon(png_header(9000, 9000))  # a decompression bomb's header: nothing is decoded

    record, source = copy_record(migrated, tmp_path, "bs125")
    (source / record["images"][1]["path"]).write_bytes(b"GIF89a broken")
    exported = export_record(record, source)
    second = exported.root.find("image-section/image[@src='bs125-second.gif']")
    assert second is not None and second.find("alternative-image") is None
    (note,) = [n for n in exported.notes if "without an icon" in n]
    assert note.startswith("mirc: images without an icon (the TFS shows the image itself, scaled): ")
    assert "bs125 second (cannot decode: " in note


def test_a_cine_without_images(migrated: Path, tmp_path: Path) -> None:
    record, source = copy_record(migrated, tmp_path, "rs034")
    record["images"] = [i for i in record["images"] if i["label"] == "cine"]
    exported = export_record(record, source)
    assert exported.root.get("display") == "page" and exported.root.find("image-section") is None
    assert [a.get("href") for a in exported.root.iterfind("section[@heading='Cine']/p/a")] == [
        "rs034-cine.avi"
    ]
    assert "mirc: cine files linked from a Cine section: the case has no image to carry them: rs034 cine" in (
        exported.notes
    )


def test_the_cli_says_what_it_changed(migrated: Path, tmp_path: Path) -> None:
    result = run("export", migrated, "--format", "mirc", "--access", "owner", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == f"exported 31 cases as mirc -> {tmp_path}"
    assert (
        "note: mirc: keywords left out because they name the diagnosis (the diagnosis element carries it): "
        "bs003 (osteoid osteoma)" in lines
    )
    root, _ = read_document(tmp_path / "bs125.zip")
    assert root.findtext("authorization/read") == ""  # read by the owner only


@pytest.mark.parametrize(
    ("label", "suffix", "taken", "name"),
    [
        ("main", ".jpg", set(), "bs125-main.jpg"),
        ("main", ".JPG", {"bs125-main.jpg"}, "bs125-main-2.jpg"),
        ("Main", ".jpg", {"bs125-main.jpg", "bs125-main-2.jpg"}, "bs125-Main-3.jpg"),
        ("a/b\\c:d", ".gif", set(), "bs125-a_b_c_d.gif"),
        ("*'\"<>", ".gif", set(), "bs125.gif"),
        ("x", "", set(), "bs125-x"),
        ("x", ".a<b", set(), "bs125-x.a_b"),
    ],
    ids=["plain", "collision", "second-collision", "separators", "tfs-renamed", "no-extension", "bad-ext"],
)
def test_zip_name(label: str, suffix: str, taken: set[str], name: str) -> None:
    assert zip_name("bs125", label, suffix, taken) == name


@pytest.mark.parametrize(("difficulty", "level"), [*LEVELS.items(), (0, None)])
def test_level(records: dict[str, Case], difficulty: int | None, level: str | None) -> None:
    case = records["bs125"].model_copy(update={"rating": Rating(difficulty=difficulty, quality=None)})
    assert case_level(case) == level
    assert case_level(case.model_copy(update={"rating": None})) is None


def test_export_is_deterministic(migrated: Path, exported: Path, tmp_path: Path) -> None:
    MircExporter().export(MigratedOutput(migrated), tmp_path, ExportOptions())
    differ = [
        p.name for p in sorted(exported.glob("*.zip")) if p.read_bytes() != (tmp_path / p.name).read_bytes()
    ]
    assert not differ


def check_golden(name: str, data: bytes, regen: bool) -> None:
    golden = GOLDEN / "mirc" / name
    if regen:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(data)
    expected = golden.read_bytes()
    diff = "".join(
        difflib.unified_diff(
            expected.decode("utf-8").splitlines(True),
            data.decode("utf-8").splitlines(True),
            name,
            "actual",
            n=1,
        )
    )
    assert data == expected, diff[:5000]


@pytest.mark.parametrize("case_id", GOLDEN_CASES)
def test_golden(exported: Path, case_id: str, regen_golden: bool) -> None:
    _, entries = read_document(exported / f"{case_id}.zip")
    check_golden(f"{case_id}.xml", entries[DOCUMENT_NAME], regen_golden)


def test_golden_unknown(unknowns: Path, regen_golden: bool) -> None:
    _, entries = read_document(unknowns / "bs125.zip")
    check_golden("bs125-unknown.xml", entries[DOCUMENT_NAME], regen_golden)


# The sections that reveal the diagnosis: in unknown mode none may come before the images.
ANSWER_HEADINGS = (
    "Full History",
    "Findings",
    "Diagnosis",
    "DDx",
    "Discussion",
    "Followup",
    "Teaching Points",
)


def text_before_answer(root: etree._Element) -> str:
    """All text and attribute values a reader meets before the first answer section."""
    parts: list[str] = []
    for child in root:
        if child.tag == "section" and child.get("heading") in ANSWER_HEADINGS:
            return "\n".join(parts)
        for element in child.iter():
            parts += [*element.attrib.values(), element.text or "", element.tail or ""]
    raise AssertionError("no answer section")


def test_unknown_holds_the_answer_back(unknowns: Path, exported: Path, records: dict[str, Case]) -> None:
    root, _ = read_document(unknowns / "bs125.zip")
    before = text_before_answer(root)
    assert "Heterotopic Ossification" not in before
    assert "heterotopic ossification" not in before.lower()  # bs125's full history and findings name it
    assert root.findtext("title") == "Unknown: 23 year-old man with reduced range of motion in both hips"
    assert root.findtext("alternative-title") == root.findtext("title")
    assert root.find("keywords") is None
    assert section_paragraphs(root, "History") == [
        "23 year-old man with reduced range of motion in both hips"
    ]
    # The answer is all there, after the images.
    tags = [(c.tag, c.get("heading")) for c in root]
    assert tags.index(("image-section", "Images")) < tags.index(("section", "Full History"))
    assert tags.index(("section", "Findings")) < tags.index(("section", "Diagnosis"))
    assert section_paragraphs(root, "Diagnosis") == ["Heterotopic Ossification"]
    assert len(section_paragraphs(root, "Discussion")) == 4
    assert root.findtext("diagnosis") == "Heterotopic Ossification" and root.findtext("discussion")

    # Every case: neither its diagnosis nor its title (the diagnosis on classic pages) shows early.
    leaks = []
    for case_id, case in records.items():
        root, entries = read_document(unknowns / f"{case_id}.zip")
        before = text_before_answer(root).casefold()
        for text in (case.diagnosis, case.title):
            if text and text.casefold().rstrip(".") in before:
                leaks.append(f"{case_id}: {text!r}")
        if case.diagnosis:
            assert section_paragraphs(root, "Diagnosis") == paragraphs(case.diagnosis), case_id
        normal, _ = read_document(exported / f"{case_id}.zip")
        assert sorted(entries) == sorted(read_document(exported / f"{case_id}.zip")[1]), case_id
        assert [e.attrib for e in root.iter("image")] == [e.attrib for e in normal.iter("image")], case_id
    assert not leaks, "\n".join(leaks)
