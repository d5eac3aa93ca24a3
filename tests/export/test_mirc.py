"""The MIRC exporter: every fixture case's zip read back and checked against its record."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import GOLDEN, REPO
from tfmigrate.export.mirc import DOCUMENT_NAME, MircExporter, case_level, zip_name
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


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("migrated") / "out"
    result = subprocess.run(
        [sys.executable, "-m", "tfmigrate", "migrate", "--out", str(out), "-q"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr  # 1: the fixture site's lost applet class
    return out


@pytest.fixture(scope="module")
def records(migrated: Path) -> dict[str, Case]:
    return {case.case_id: case for case in MigratedOutput(migrated).records()}


@pytest.fixture(scope="module")
def exported(migrated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mirc")
    assert MircExporter().export(MigratedOutput(migrated), out, ExportOptions()) == 28
    return out


@pytest.fixture(scope="module")
def unknowns(migrated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mirc-unknown")
    assert MircExporter().export(MigratedOutput(migrated), out, ExportOptions(unknown=True)) == 28
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


def case_mismatches(
    case: Case, root: etree._Element, entries: dict[str, bytes], source: MigratedOutput
) -> list[str]:
    """Every element that disagrees with the record, as '<case_id> <what>: <got> != <expected>'."""
    bad: list[str] = []

    def check(what: str, got: object, expected: object) -> None:
        if got != expected:
            bad.append(f"{case.case_id} {what}: {got!r} != {expected!r}")

    check("root", (root.tag, root.get("display")), ("MIRCdocument", "mstf"))
    check("title", root.findtext("title"), case.title or case.diagnosis or case.case_id)
    check("alternative-title", (root.findtext("alternative-title") or "").startswith("Unknown"), True)
    names = [", ".join([a.display_name or a.name, *a.degrees]) for a in case.authors]
    check("authors", [a.findtext("name") for a in root.findall("author")], names)
    check("affiliation", root.findall("author/affiliation"), [])
    check("publication-date", root.findtext("publication-date"), case.date.isoformat() if case.date else None)
    check("document-id", root.findtext("document-id"), case.case_id)
    check("document-type", root.findtext("document-type"), "radiologic teaching file")
    check("rights", root.findtext("rights"), case.copyright)
    check("abstract", [p.text for p in root.findall("abstract/p")], paragraphs(case.brief_history))
    keywords = (root.findtext("keywords") or "").split("; ")
    for keyword in [*case.keywords, case.diagnosis]:
        check(f"keyword {keyword!r}", keyword is None or keyword in keywords, True)

    patient = case.patient.text if case.patient else None
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
    files = [i for i in case.images if i.path and source.image_file(i.path)]
    expected_headings |= {"Cine"} if any(not is_image(case, i.path) for i in files) else set()
    check("section headings", set(found), expected_headings)
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

    # Images: one per written image file, in page order, the bytes as written; other files as Cine links.
    shown = root.findall("image-section/image")
    linked = root.findall("section[@heading='Cine']/p/a")
    headings = [s.get("heading") for s in root.findall("image-section")]
    check("image-section heading", headings, ["Images"] if shown else [])
    pictures = [i for i in files if is_image(case, i.path)]
    others = [i for i in files if not is_image(case, i.path)]
    check("image count", len(shown), len(pictures))
    check("cine count", len(linked), len(others))
    targets = [(e.get("src"), e.findtext("image-caption")) for e in shown]
    targets += [(a.get("href"), a.text) for a in linked]
    check("zip entries", sorted(entries), sorted([DOCUMENT_NAME, *(str(t) for t, _ in targets)]))
    for image, (target, caption) in zip([*pictures, *others], targets, strict=False):
        written = source.image_file(image.path or "")
        assert written is not None
        check(
            f"{image.label} bytes equal the written file",
            entries.get(str(target)) == written.read_bytes(),
            True,
        )
        caption = caption or ""
        check(f"{image.label} caption label", caption.startswith(image.label), True)
        if image.type_code:
            check(f"{image.label} caption type", f"({image.type_code})" in caption, True)
        if image.caption:
            check(f"{image.label} caption text", caption.endswith(image.caption), True)
    displays = [c.get("display") for c in root.findall("image-section/image/image-caption")]
    check("caption display", displays, ["always"] * len(shown))

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
    modalities = list(dict.fromkeys(i.dicom_modality for i in case.images if i.dicom_modality))
    if not modalities and case.case_family:
        modalities = [case.case_family.dicom_modality]
    check("modality", root.findtext("modality"), ", ".join(modalities) or None)
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
    root, entries = read_document(exported / "bs125.zip")
    assert root.findtext("modality") == "NM, CR" and root.findtext("level") == "intermediate"
    assert root.findtext("publication-date") == "2001-01-30"
    assert [a.findtext("name") for a in root.findall("author")] == [
        "Stephen Schmitter, M.D.",
        "Keith Fischer, M.D.",
    ]
    assert "21.6 mCi Tc-99m MDP i.v. (799.2 MBq)" in [li.text for li in root.iter("li")]
    root, entries = read_document(exported / "rs034.zip")
    assert root.find("level") is None  # printed blank: #D., #Q.
    assert [a.get("href") for a in root.iter("a")] == ["rs034-cine.avi"] and "rs034-cine.avi" in entries
    assert "rs034-cine.avi" not in [i.get("src") for i in root.iter("image")]
    root, _ = read_document(exported / "newtfh-271472.zip")
    assert section_paragraphs(root, "DDx") == ["Localized bone scintigraphy uptake (Mettler, 2006)"]
    assert root.find("publication-date") is None and root.find("organ-system") is None


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


def test_hostile_record(migrated: Path, tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "cases").mkdir(parents=True)
    shutil.copytree(migrated / "images" / "bs125", source / "images" / "bs125")
    (tmp_path / "outside.jpg").write_bytes(b"secret")
    record = json.loads((migrated / "cases/bs125.json").read_text(encoding="utf-8"))
    caption = "<script>alert(1)</script> & co ]]> &amp; \x0b"
    record["images"][0]["label"] = "*'\"<>../x"
    record["images"][0]["caption"] = caption
    record["images"][3]["label"] = "SECOND"  # bs125-SECOND.gif against bs125-second.gif
    record["images"].append({**record["images"][2], "label": "escape", "path": "../outside.jpg"})
    record["diagnosis"] = 'A & B <b>"bold"</b>'
    (source / "cases/bs125.json").write_text(json.dumps(record), encoding="utf-8")

    out = tmp_path / "out"
    out.mkdir()
    assert MircExporter().export(MigratedOutput(source), out, ExportOptions()) == 1
    assert check_names(out / "bs125.zip") == []
    root, entries = read_document(out / "bs125.zip")
    assert sorted(entries) == sorted(
        [DOCUMENT_NAME, "bs125-x.jpg", "bs125-second.gif", "bs125-third.jpg", "bs125-SECOND-2.gif"]
    ), "the file outside the output folder must not be packed"
    assert b"secret" not in b"".join(entries.values())
    first = next(root.iter("image"))
    assert first.findtext("image-caption") == f"*'\"<>../x (bs): {caption[:-1]}"
    assert root.findtext("diagnosis") == 'A & B <b>"bold"</b>' and root.find(".//b") is None
    assert b"<script>" not in entries[DOCUMENT_NAME]


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
