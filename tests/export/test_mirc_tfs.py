"""The exported zips in the real RSNA Teaching File System: its Submit Service, index and searches,
its unknown mode, and its case page (its own MIRCdocument.xsl, run by its own scripts in Chromium).

The TFS code (johnperry/MIRC2 compiled unchanged, with a harness that drives it without its web
server) is third-party and stays outside the repository: these tests look for it at
``../shared/mirc-judge/`` beside the clone and skip where it is absent (under CI, a judge without
Java fails instead). One harness run serves the module: every fixture case exported normally and as
an unknown, a hostile case, the same case with its texts left raw (a control), and an owner-only one.
The harness's own searches are fixed, so TfsQueries.java asks the TFS's index the ones needed here.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import os
import re
import shutil
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import lxml.html
import pytest
from lxml import etree

from tests.conftest import REPO, machine_lacks
from tests.export.test_mirc import (
    HOSTILE_CAPTION,
    HOSTILE_NAME,
    LEVELS,
    PARSER,
    TYPED,
    copy_record,
    export_record,
    record_modalities,
)
from tests.hostile.conftest import dump_dom
from tfmigrate.export.mirc import MircExporter
from tfmigrate.export.registry import ExportOptions, MigratedOutput
from tfmigrate.models import Case

pytestmark = pytest.mark.tfs

JUDGE = REPO.parent / "shared" / "mirc-judge"
QUERIES_TOOL = Path(__file__).with_name("TfsQueries.java")
# The harness is a short run: the JVM's first-tier compiler alone halves its CPU time (measured:
# 26 s to 10 s of CPU for the module's 59 zips), which a 2-core machine running the suite needs.
JAVA_ENVIRONMENT = {**os.environ, "JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1"}
# The TFS page's scripts and styles: its storage files, and the JS* files of the CTP util.jar.
UTIL_JAR = "lib/util.jar"
AGE_DAYS = {"year": 365, "month": 30, "week": 7, "day": 1}  # as IndexEntry counts an age
LEVEL_NAMES = ("primary", "intermediate", "advanced")
HOSTILE, RAW, OWNER = "hostile", "hostile-raw", "bs125-owner"
# Read in every rendered page once it has loaded: what its script built, or null where it broke.
CHECK_SCRIPT = """
window.addEventListener('load', function () {
  var out = {};
  document.querySelectorAll('iframe').forEach(function (frame) {
    var w = frame.contentWindow, d = frame.contentDocument;
    var text = function (id) {
      var e = d.getElementById(id); return e ? e.textContent.replace(/\\s+/g, ' ').trim() : null;
    };
    var value = function (v) { return v === undefined ? null : v; };
    out[frame.dataset.id] = {
      body: d.body ? d.body.className : null,
      scriptRan: typeof w.imageSection !== 'undefined',
      title: value(w.title), altTitle: value(w.altTitle), author: value(w.author),
      images: w.IMAGES ? w.IMAGES.IMAGESETs.map(function (s) {
        return {src: s.pImage.src, caption: s.aCaption, video: s.vImage ? s.vImage.src : null};
      }) : null,
      imageNumber: text('imagenumber'), captions: text('captions'),
      videoButton: d.getElementById('vidbtn') ? !d.getElementById('vidbtn').disabled : null
    };
  });
  document.getElementById('results').textContent = JSON.stringify(out);
});
"""


@dataclass
class TfsRun:
    out: Path  # the harness's OUTDIR: submit-<id>/ holds the stored document and its rendered pages
    report: str
    records: dict[str, Case]
    results: etree._Element  # TfsQueries.java's answer

    @property
    def fixture_ids(self) -> set[str]:
        return {*self.records, *(f"{case_id}-unknown" for case_id in self.records)}

    def submission(self, zip_id: str) -> str:
        """The harness report's section on one zip's run through the Submit Service."""
        section = self.report.split(f"===== SUBMIT SERVICE: {zip_id}.zip =====\n", 1)[1]
        return section.split("\n=====", 1)[0]

    def stored(self, zip_id: str) -> etree._Element:
        return etree.parse(self.out / f"submit-{zip_id}" / "MIRCdocument.xml", PARSER).getroot()

    def hits(self, query: str) -> dict[str, etree._Element]:
        """Each hit among this module's zips, by zip id: the MIRCdocument as the query page gets it."""
        (found,) = self.results.xpath("query[@text=$text]", text=query)
        hits = {}
        for hit in found.iterfind("hit"):
            path = hit.find("MIRCdocument").get("path")
            if match := re.fullmatch(r"docs/sub-(.+)/MIRCdocument\.xml", path):
                hits[match[1]] = hit
        return hits

    def found(self, query: str) -> set[str]:
        return set(self.hits(query)) & self.fixture_ids


def judge_classpath(judge: Path) -> str:
    """As the judge's run.sh puts it together."""
    return os.pathsep.join(str(judge / part) for part in ("classes", "files", "lib/*", "lib2/*", "libxml/*"))


@pytest.fixture(scope="module")
def judge() -> Path:
    if not JUDGE.is_dir():
        pytest.skip(f"the TFS code is not at {JUDGE} (a lone clone): see README.md, Tests")
    needed = {"java": shutil.which("java") is not None, "run.sh": (JUDGE / "run.sh").is_file()}
    missing = [name for name, found in needed.items() if not found]
    if missing:
        machine_lacks(f"{JUDGE} is there but {' and '.join(missing)} is not", ".ci/run installs Java")
    return JUDGE


def queries_for(records: dict[str, Case]) -> list[str]:
    patients = [c.patient for c in records.values() if c.patient]
    ages = {(p.age, p.age_unit) for p in patients if p.age is not None and p.age_unit}
    return [
        *(f"<MIRCquery><patient>{sex}</patient></MIRCquery>" for sex in ("female", "male")),
        *(age_query(age, unit) for age, unit in sorted(ages)),
        "<MIRCquery><pt-age><years>40-50</years></pt-age></MIRCquery>",  # the search form's age range
        *(f"<MIRCquery><modality>{m}</modality></MIRCquery>" for m in sorted(modalities(records))),
        *(f"<MIRCquery><level>{level}</level></MIRCquery>" for level in LEVEL_NAMES),
        *(diagnosis_query(c) for c in records.values() if c.diagnosis),
        '<MIRCquery unknown="yes"></MIRCquery>',  # every document, as the TFS lists it in unknown mode
    ]  # fmt: skip


def age_query(age: int, unit: str) -> str:
    return f"<MIRCquery><pt-age><{unit}s>{age}</{unit}s></pt-age></MIRCquery>"


def diagnosis_query(case: Case) -> str:
    return f"<MIRCquery><diagnosis>{escape(case.diagnosis or '')}</diagnosis></MIRCquery>"


def modalities(records: dict[str, Case]) -> set[str]:
    return {m for case in records.values() for m in record_modalities(case)}


def with_unknowns(case_ids: set[str]) -> set[str]:
    return {*case_ids, *(f"{case_id}-unknown" for case_id in case_ids)}


@pytest.fixture(scope="module")
def tfs(judge: Path, migrated: Path, tmp_path_factory: pytest.TempPathFactory) -> TfsRun:
    """Every zip of the module through the judge's harness once, then the searches."""
    root = tmp_path_factory.mktemp("tfs")
    zips = root / "zips"
    zips.mkdir()
    source = MigratedOutput(migrated)
    for suffix, options in (("", ExportOptions()), ("-unknown", ExportOptions(unknown=True))):
        exported = root / f"export{suffix}"
        exported.mkdir()
        MircExporter().export(source, exported, options)
        for path in exported.glob("*.zip"):
            shutil.copy(path, zips / f"{path.stem}{suffix}.zip")
    hostile = hostile_export(migrated, root / "hostile")
    shutil.copy(hostile, zips / f"{HOSTILE}.zip")
    write_raw_copy(hostile, zips / f"{RAW}.zip")
    shutil.copy(owner_export(migrated, root / "owner"), zips / f"{OWNER}.zip")

    work, out = root / "work", root / "out"
    harness = subprocess.run(
        [str(judge / "run.sh"), str(work), str(out), *map(str, sorted(zips.glob("*.zip")))],
        capture_output=True, text=True, timeout=600, env=JAVA_ENVIRONMENT,
    )  # fmt: skip
    assert harness.returncode == 0, harness.stderr[-3000:]
    records = {case.case_id: case for case in source.records()}
    logging = f"-Dlog4j.configuration=file:{judge / 'log4j.properties'}"
    searched = subprocess.run(
        ["java", "-cp", judge_classpath(judge), logging, str(QUERIES_TOOL), str(work)],
        input="\n".join(queries_for(records)),
        capture_output=True, text=True, timeout=300, env=JAVA_ENVIRONMENT,
    )  # fmt: skip
    assert searched.returncode == 0, searched.stderr[-3000:]
    results = etree.fromstring(searched.stdout.encode("utf-8"), PARSER)
    return TfsRun(out, (out / "harness-report.txt").read_text(encoding="utf-8"), records, results)


def hostile_export(migrated: Path, folder: Path) -> Path:
    """bs125 with a caption, an author name and a title that would each break the TFS's page."""
    folder.mkdir()
    record, source = copy_record(migrated, folder, "bs125")
    record["images"][0]["caption"] = HOSTILE_CAPTION
    record["authors"][0]["display_name"] = HOSTILE_NAME
    record["diagnosis"] = record["title"] = 'Heterotopic "Ossification" \\'
    return export_record(record, source).path


def write_raw_copy(path: Path, copy: Path) -> None:
    """The zip with the typographic stand-ins turned back into what the record held: the control."""
    raw = {"“": '"', "”": '"', "∖": "\\", "‹": "&lt;"}
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "MIRCdocument.xml":
                text = data.decode("utf-8")
                for typed, printed in raw.items():
                    text = text.replace(typed, printed)
                data = text.encode("utf-8")
            target.writestr(name, data)


def owner_export(migrated: Path, folder: Path) -> Path:
    folder.mkdir()
    record, source = copy_record(migrated, folder, "bs125")
    return export_record(record, source, ExportOptions(access="owner")).path


def test_every_case_is_accepted_with_publication_requested(tfs: TfsRun) -> None:
    problems = []
    for zip_id in sorted(tfs.fixture_ids):
        section = tfs.submission(zip_id)
        stored = tfs.stored(zip_id)
        if "index.insertDocument: true" not in section or "REJECTED" in section:
            problems.append(f"{zip_id}: not accepted and indexed")
        if "DANGLING" in section:
            problems.append(f"{zip_id}: {section[section.index('DANGLING') :].splitlines()[0]}")
        # A non-publisher's public upload: held for publishers, with a publication request.
        if (stored.get("pubreq"), stored.findtext("authorization/read")) != ("yes", "publisher"):
            problems.append(
                f"{zip_id}: pubreq={stored.get('pubreq')!r} read={stored.findtext('authorization/read')!r}"
            )
    assert not problems, "\n".join(problems)
    listing = tfs.hits('<MIRCquery unknown="yes"></MIRCquery>')
    flags = {(h.get("access"), h.get("pubreq")) for zip_id, h in listing.items() if zip_id in tfs.fixture_ids}
    assert flags == {("restricted", "true")}
    # --access owner: private to the uploader, no publication request.
    owner = tfs.stored(OWNER)
    assert owner.get("pubreq") is None and owner.findtext("authorization/read") == ""
    assert (listing[OWNER].get("access"), listing[OWNER].get("pubreq")) == ("owner", "false")
    # The Zip Service is no target: it throws MIRCdocument.xml away (README, export --help).
    zip_service = tfs.report.split("===== ZIP SERVICE: bs125.zip =====\n", 1)[1].split("\n=====", 1)[0]
    assert "<title>Untitled</title>" in zip_service


def test_no_keyword_names_the_diagnosis_and_unknowns_have_an_abstract(tfs: TfsRun) -> None:
    problems = []
    for zip_id in sorted(tfs.fixture_ids):
        case = tfs.records[zip_id.removesuffix("-unknown")]
        stored = tfs.stored(zip_id)
        keywords = (stored.findtext("keywords") or "").casefold()
        answers = [a.casefold().rstrip(".") for a in (case.diagnosis, case.title) if a]
        problems += [f"{zip_id}: keyword names {a!r}" for a in answers if keywords and a in keywords]
        if stored.find("alternative-title") is not None and not stored.findall("alternative-abstract/p"):
            problems.append(f"{zip_id}: an alternative-title without an alternative-abstract")
    assert not problems, "\n".join(problems)


def test_patient_searches_find_every_record_with_age_or_sex(tfs: TfsRun) -> None:
    records = tfs.records
    with_sex = [c for c in records.values() if c.patient and c.patient.sex]
    with_age = [c for c in records.values() if c.patient and c.patient.age is not None and c.patient.age_unit]
    assert with_sex and with_age  # the fixture site has both (newtfh's "48 year old female")
    for sex in ("female", "male"):
        expected = with_unknowns({c.case_id for c in with_sex if c.patient and c.patient.sex == sex})
        assert tfs.found(f"<MIRCquery><patient>{sex}</patient></MIRCquery>") == expected, sex
    for case in with_age:
        assert case.patient and case.patient.age is not None and case.patient.age_unit
        days = case.patient.age * AGE_DAYS[case.patient.age_unit]
        expected = with_unknowns({c.case_id for c in with_age if age_days(c) == days})
        assert tfs.found(age_query(case.patient.age, case.patient.age_unit)) == expected, case.case_id
    expected = with_unknowns({c.case_id for c in with_age if 40 * 365 <= age_days(c) <= 50 * 365})
    assert tfs.found("<MIRCquery><pt-age><years>40-50</years></pt-age></MIRCquery>") == expected


def age_days(case: Case) -> int:
    assert case.patient and case.patient.age is not None and case.patient.age_unit
    return case.patient.age * AGE_DAYS[case.patient.age_unit]


def test_modality_level_and_diagnosis_searches_find_the_right_cases(tfs: TfsRun) -> None:
    records = tfs.records
    for modality in modalities(records):
        expected = with_unknowns({c.case_id for c in records.values() if modality in record_modalities(c)})
        assert tfs.found(f"<MIRCquery><modality>{modality}</modality></MIRCquery>") == expected, modality
    for level in LEVEL_NAMES:
        expected = with_unknowns(
            {
                c.case_id
                for c in records.values()
                if LEVELS[c.rating.difficulty if c.rating else None] == level
            }
        )
        assert tfs.found(f"<MIRCquery><level>{level}</level></MIRCquery>") == expected, level
    diagnosed = [c for c in records.values() if c.diagnosis]
    missed = [c.case_id for c in diagnosed if not with_unknowns({c.case_id}) <= tfs.found(diagnosis_query(c))]
    assert not missed
    # Known from the pages: three cases are heterotopic ossification, and no other.
    ossification = with_unknowns({"bs125", "newtfh-271472", "newtfh-97104"})
    assert tfs.found(diagnosis_query(records["bs125"])) == ossification


def test_the_unknown_mode_shows_no_diagnosis(tfs: TfsRun) -> None:
    """As the TFS lists cases in unknown mode (fixResult), and as its page shows one (unknown=yes):
    title, authors, abstract and keywords come first; the answer is a click away, in its own tab."""
    listing = tfs.hits('<MIRCquery unknown="yes"></MIRCquery>')
    leaks = []
    for zip_id in sorted(tfs.fixture_ids):
        case = tfs.records[zip_id.removesuffix("-unknown")]
        result = listing[zip_id].find("MIRCdocument")
        stored = tfs.stored(zip_id)
        if result.findtext("title") != stored.findtext("alternative-title"):
            leaks.append(f"{zip_id}: listed as {result.findtext('title')!r}")
        if [p.text for p in result.iterfind("abstract/p")] != [
            p.text for p in stored.iterfind("alternative-abstract/p")
        ]:
            leaks.append(f"{zip_id}: listed without its alternative abstract")
        page = lxml.html.parse(str(tfs.out / f"submit-{zip_id}" / "MIRCdocument-unknown.html")).getroot()
        first_view = page.get_element_by_id("tab1", None)
        if first_view is None:  # display="page": everything down to the first section
            first_view = page.find("body")
        shown = [result.findtext("title"), *(a.text for a in result.iterfind("author/name"))]
        shown += [p.text for p in result.iterfind("abstract/p")]
        shown += [page.findtext(".//title"), first_view_text(first_view)]
        text = " ".join(t or "" for t in shown).casefold()
        leaks += [
            f"{zip_id}: shows {a!r}"
            for a in (case.diagnosis, case.title)
            if a and a.casefold().rstrip(".") in text
        ]
    assert not leaks, "\n".join(leaks)


def first_view_text(element: Any) -> str:
    """The text up to the first section heading other than the abstract's and the keywords'."""
    parts = []
    for child in element.iter():
        if child.tag == "h2" and child.text_content().strip() not in ("Abstract", "Keywords"):
            break
        if child.tag not in ("script", "style"):
            parts += [child.text or "", child.tail or ""]
    return " ".join(parts)


def test_display_follows_the_images(tfs: TfsRun) -> None:
    page = lxml.html.parse(str(tfs.out / "submit-pa004" / "MIRCdocument.html")).getroot()
    assert page.find("body").get("class") == "page"  # pa004 has no image: one page, no empty image pane
    page = lxml.html.parse(str(tfs.out / "submit-bs125" / "MIRCdocument.html")).getroot()
    assert page.find("body").get("class") == "mstf"
    # ls002 printed no date and a folder source sends no Last-Modified: the TFS fills in the upload date.
    assert tfs.stored("ls002").findtext("publication-date")
    assert tfs.stored("bs125").findtext("publication-date") == "2001-01-30"  # its byline


@pytest.fixture(scope="module")
def rendered(
    tfs: TfsRun, judge: Path, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """Every fixture case's page (an unknown's in the TFS's unknown mode), the hostile case's and its
    control's, loaded with the TFS's scripts from a server on 127.0.0.1 in one Chromium run."""
    # Asked for only now: a session fixture would be set up (and installed) before the judge's skip.
    chromium: str = request.getfixturevalue("chromium")
    web = tmp_path_factory.mktemp("web")
    with zipfile.ZipFile(judge / UTIL_JAR) as jar:
        for name in jar.namelist():
            if re.fullmatch(r"JS\w+\.(js|css)", name):
                (web / name).write_bytes(jar.read(name))
    shutil.copytree(judge / "files" / "storage", web / "storage")
    pages = {}
    for zip_id in sorted([*tfs.fixture_ids, HOSTILE, RAW]):
        shutil.copytree(tfs.out / f"submit-{zip_id}", web / "docs" / zip_id)
        view = "MIRCdocument-unknown.html" if zip_id.endswith("-unknown") else "MIRCdocument.html"
        pages[zip_id] = f"/docs/{zip_id}/{view}"
    frames = "".join(
        f'<iframe data-id="{i}" src="{p}" width="640" height="480"></iframe>' for i, p in pages.items()
    )
    head = f"<head><script>{CHECK_SCRIPT}</script></head>"
    body = f"<body><pre id='results'></pre>{frames}</body>"
    (web / "check.html").write_text(f"<html>{head}{body}</html>", encoding="utf-8")
    with serve(web) as base:
        dom = dump_dom(chromium, f"{base}/check.html", tmp_path_factory.mktemp("profile"))
    match = re.search(r"<pre id=\"results\">(.*?)</pre>", dom, re.S)
    assert match and match[1], "the check page did not run"
    results: dict[str, Any] = json.loads(html.unescape(match[1]))
    return results


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def normal_space(text: str | None) -> str:
    """As XSLT's normalize-space()."""
    return " ".join((text or "").split())


def test_every_page_is_whole(tfs: TfsRun, rendered: dict[str, Any]) -> None:
    broken = []
    for zip_id in sorted(tfs.fixture_ids):
        page, stored = rendered[zip_id], tfs.stored(zip_id)
        captions = [
            normal_space(e.findtext("image-caption[@display='always']")) for e in stored.iter("image")
        ]
        expected = {
            "body": stored.get("display"),
            "scriptRan": True,
            "author": normal_space(stored.findtext("author/name")),
            "captions": captions,
            "imageNumber": "Image: 1" if captions else None,
        }
        got = {key: page[key] for key in ("body", "scriptRan", "author", "imageNumber")}
        got["captions"] = [image["caption"] for image in page["images"] or []]
        if got != expected:
            broken.append(f"{zip_id}: {got} != {expected}")
    assert not broken, "\n".join(broken)
    # rs034's cine is the Video of its first image: the page's Video button opens it.
    assert rendered["rs034"]["images"][0]["video"] == "rs034-cine.avi" and rendered["rs034"]["videoButton"]


def test_hostile_captions_and_names_leave_the_page_whole(tfs: TfsRun, rendered: dict[str, Any]) -> None:
    stored = tfs.stored(HOSTILE)
    page = rendered[HOSTILE]
    caption = normal_space(stored.findtext("image-section/image/image-caption"))
    assert page["scriptRan"] and page["imageNumber"] == "Image: 1"
    assert page["images"][0]["caption"] == caption and page["captions"] == caption
    assert page["author"] == stored.findtext("author/name") == "O'Brien “Bob” ∖ Jr, M.D."
    assert page["title"] == "Heterotopic “Ossification” ∖"
    assert caption.translate(TYPED).startswith("main (bs): </script><!--<script>")
    # The control: the same texts as the record held them blank the page, as they did before.
    assert not rendered[RAW]["scriptRan"] and rendered[RAW]["imageNumber"] in (None, "")
