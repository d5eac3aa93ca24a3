"""One page's bytes -> a validated Case: decode, blocks, template, fields, record."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import ValidationError

from tfmigrate import __version__
from tfmigrate.blocks import Block, blocks_from_html, blocks_from_text
from tfmigrate.checks import check_case
from tfmigrate.decode import byte_order_mark, decode_html
from tfmigrate.errors import CaseLikePageError, InputError, NotACasePageError, ParseError
from tfmigrate.filenames import is_reserved
from tfmigrate.models import Case, Issue, Source
from tfmigrate.provenance import Placement, Provenance
from tfmigrate.structure import structure_case
from tfmigrate.templates import PARSERS, weigh_evidence
from tfmigrate.templates.base import Trace

InputFormat = Literal["html", "text"]


@dataclass(frozen=True, slots=True)
class PageRead:
    case: Case
    traces: list[Trace]
    stream: list[Block]


# Real case pages are about 2-10 KB; a page of megabytes is not a hand-made case page.
MAX_PAGE_BYTES = 5 * 1024 * 1024
# A case page draws a few hundred lines; a hostile one of 164,000 image lines would take seconds a
# pass of every rule, for no case anyone wrote.
MAX_CASE_LINES = 20_000
# Signatures of files that are not pages (images, cine, archives) found among a site's files.
BINARY_SIGNATURES = (b"GIF8", b"\xff\xd8\xff", b"\x89PNG", b"%PDF", b"PK\x03\x04", b"RIFF", b"\x1f\x8b")
HTML_SNIFF_RE = re.compile(
    r"<\s*(?:!doctype|html|head|body|p|br|a|b|table|div|font|img|h\d|hr|center)\b", re.I
)
CLASSIC_ID_RE = re.compile(r"(?P<case_id>[a-z]{2}\d{3})te\d+", re.IGNORECASE)
UNSAFE_ID_CHARS_RE = re.compile(r"[^a-z0-9_-]+")
NEWTFH_ID_RE = re.compile(r"(?:small|submitted)_(?P<number>\d+)", re.IGNORECASE)


def parse_page(
    raw: bytes,
    url: str,
    *,
    http_charset: str | None = None,
    input_format: InputFormat | None = None,
    base_url: str | None = None,
) -> Case:
    """The record of one case page; NotACasePageError for other pages, InputError for non-pages.

    ``url`` is the page's address (its record's source and case id); links resolve against
    ``base_url`` when the bytes came from elsewhere (a redirect's target)."""
    read = read_page(raw, url, http_charset=http_charset, input_format=input_format, base_url=base_url)
    return read.case


def trace_page(
    raw: bytes,
    url: str,
    *,
    http_charset: str | None = None,
    input_format: InputFormat | None = None,
    base_url: str | None = None,
) -> tuple[Case, Provenance]:
    """The record of one case page and where each of its values came from on the page."""
    read = read_page(
        raw, url, http_charset=http_charset, input_format=input_format, base_url=base_url, locate=True
    )
    placements = [
        Placement(field=name, rule=rule, lines=(first, last), where=where)
        for name, rule, first, last, where in read.traces
    ]
    case = read.case
    return case, Provenance(
        case_id=case.case_id,
        url=url,
        input_format=case.source.input_format,
        placements=placements,
        line_places=[block.where for block in read.stream],
    )


def read_page(
    raw: bytes,
    url: str,
    *,
    http_charset: str | None = None,
    input_format: InputFormat | None = None,
    base_url: str | None = None,
    locate: bool = False,
) -> PageRead:
    """The record, the lines it was read from (``locate``: with their places in the source) and
    where each value came from."""
    check_input(raw)
    decoded = decode_html(raw, http_charset)
    input_format = input_format or sniff_format(decoded.text, url)
    if input_format == "html":
        stream = blocks_from_html(decoded.text, base_url=base_url or url, locate=locate)
    else:
        stream = blocks_from_text(decoded.text, locate=locate)
    evidence = weigh_evidence(stream, url)
    if evidence.template is None or not (evidence.is_case_page or evidence.is_case_like):
        raise NotACasePageError("not a case page (no label or line of a case page)")
    if evidence.is_case_like:
        raise CaseLikePageError(
            f"looks like a {evidence.template} case page ({evidence.describe()}) but carries too little of"
            " one to read; check the page, or whether its archived copy is whole"
        )
    template = evidence.template
    if len(stream) > MAX_CASE_LINES:
        raise CaseLikePageError(
            f"a {template} case page of {len(stream):,} lines is over the {MAX_CASE_LINES:,}-line limit"
            " (a case page draws hundreds); check the page"
        )
    parser, template_version = PARSERS[template]
    fields = parser(stream)
    issues: list[Issue] = fields.pop("issues")
    traces: list[Trace] = fields.pop("traces")
    if decoded.replaced:
        issues.append(
            Issue(
                code="decode_replaced",
                field=None,
                message=f"{decoded.replaced} byte(s) invalid in {decoded.encoding} replaced by U+FFFD",
            )
        )
    fields.setdefault("case_id", case_id_from_url(url, template))
    if is_reserved(fields["case_id"]):
        issues.append(
            Issue(code="case_id_renamed", field="case_id", message=f"{fields['case_id']!r} names a device")
        )
        fields["case_id"] = f"{fields['case_id']}-case"
    source = Source(
        url=url,
        sha256=hashlib.sha256(raw).hexdigest(),
        encoding=decoded.encoding,
        encoding_rule=decoded.rule,
        input_format=input_format,
        template_version=template_version,
        parser_version=__version__,
    )
    try:
        case = Case.model_validate({**fields, "source": source, "issues": issues})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ParseError(f"record does not validate: {where}: {first['msg']}") from exc
    structure_case(case)
    case.issues.extend(check_case(case))
    return PageRead(case, traces, stream)


def check_input(raw: bytes) -> None:
    if not raw.strip():
        raise InputError("empty file")
    if len(raw) > MAX_PAGE_BYTES:
        raise InputError(f"{len(raw):,} bytes is over the {MAX_PAGE_BYTES:,}-byte page limit")
    # UTF-16 and UTF-32 text is half NUL bytes: only its byte-order mark tells it from binary.
    is_wide_text = (byte_order_mark(raw) or "").startswith(("utf-16", "utf-32"))
    if raw.startswith(BINARY_SIGNATURES) or (raw[:4096].count(0) > 8 and not is_wide_text):
        raise InputError("binary file, not a page")


def sniff_format(text: str, url: str) -> InputFormat:
    """HTML or a plain-text rendering, read from the decoded text (a UTF-16 page's markup is no
    ASCII in its bytes)."""
    if urlsplit(url).path.lower().endswith(".txt"):
        return "text"
    return "html" if HTML_SNIFF_RE.search(text[:8192]) else "text"


def case_id_from_url(url: str, template: str) -> str:
    """bs125 from ``/bs125te148.html``; ``newtfh-271472`` from ``.../small_271472.html``."""
    name = PurePosixPath(unquote(urlsplit(url).path)).name
    if template == "newtfh" and (match := NEWTFH_ID_RE.search(name)):
        return f"newtfh-{match['number']}"
    if match := CLASSIC_ID_RE.search(name):
        return match["case_id"].lower()
    stem = UNSAFE_ID_CHARS_RE.sub("-", PurePosixPath(name).stem.lower()).strip("-_")[:90]
    return stem or "unknown"
