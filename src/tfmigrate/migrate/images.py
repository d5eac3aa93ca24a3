"""A record's image and cine files: found in the archive (embedded, linked, or shown by a viewer
page), written under ``images/<case_id>/`` with their facts read from their own bytes; or, for a
record carried over, the last run's copies."""

from __future__ import annotations

import hashlib
import os
from contextlib import suppress
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from tfmigrate.crawl.index import ArchivedPage, ArchiveIndex
from tfmigrate.crawl.links import extract_links
from tfmigrate.errors import ArchiveError
from tfmigrate.filenames import UNSAFE_RE, safe_name
from tfmigrate.media import sniff_media
from tfmigrate.migrate.generation import CaseWrites
from tfmigrate.models import Case, Image, Issue

MAX_NAME_LENGTH = 80
# Issues attach_images adds, so that it can be run again on a reused record.
IMAGE_ISSUES = frozenset({"image_missing", "image_unreadable"})


def attach_images(case: Case, index: ArchiveIndex, writes: CaseWrites) -> None:
    """Write each image's original bytes under images/<case_id>/ and describe the file.

    Idempotent: a record reused from the last run is described afresh, its old image issues dropped.
    """
    case.issues = [issue for issue in case.issues if issue.code not in IMAGE_ISSUES]
    used: set[str] = set()
    for image in case.images:
        image.path = image.sha256 = image.media_type = None
        image.size = image.width = image.height = None
        try:
            file_page = resolve_image_file(image, index)
            data = index.payload(file_page) if file_page is not None else b""
        except ArchiveError as exc:
            case.issues.append(
                Issue(code="image_unreadable", field="images", message=f"{image.label}: {exc}")
            )
            continue
        if file_page is None:
            where = image.url or image.viewer_url or "no link"
            case.issues.append(
                Issue(code="image_missing", field="images", message=f"{image.label}: no file ({where})")
            )
            continue
        facts = sniff_media(data)
        name = unique_name(image.label, file_page.url, facts.extension, used)
        relative = f"images/{case.case_id}/{name}"
        image.sha256, image.size = writes.write_bytes(relative, data)
        image.url, image.path = file_page.url, relative
        image.media_type, image.width, image.height = facts.media_type, facts.width, facts.height


def keep_images(case: Case, previous: Path, index: ArchiveIndex, writes: CaseWrites) -> None:
    """A record carried over keeps its image files: the last run's copies when they are whole (the
    sha256 the record gives), else the archived files again; one that is neither gets an issue."""
    for image in case.images:
        if not image.path:
            continue
        data = read_if_whole(previous / image.path, image.sha256)
        archived = index.get(image.url) if image.url and data is None else None
        if archived is not None:
            with suppress(ArchiveError):
                data = index.payload(archived) if archived.sha256 == image.sha256 else None
        if data is None:
            message = f"{image.label}: the last run's {image.path} is damaged and the archive has no copy"
            case.issues.append(Issue(code="image_unreadable", field="images", message=message))
            continue
        writes.write_bytes(image.path, data)


def read_if_whole(path: Path, sha256: str | None) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == sha256 else None


def resolve_image_file(image: Image, index: ArchiveIndex) -> ArchivedPage | None:
    """The image or cine file an image entry shows: embedded, linked directly, or on its viewer page."""
    for url in (image.url, image.viewer_url):
        page = index.get(url) if url else None
        if page is not None and is_media(index, page):
            return page
    viewer = index.get(image.viewer_url) if image.viewer_url else None
    if viewer is None:
        return None
    candidates = [index.get(link) for link in extract_links(index.payload(viewer), viewer.base_url)]
    media = [p for p in candidates if p is not None and p.url != viewer.url and is_media(index, p)]
    # The image a viewer shows is its largest picture; icons and rules are small.
    return max(media, key=lambda p: p.size, default=None)


def is_media(index: ArchiveIndex, page: ArchivedPage) -> bool:
    content_type = (page.content_type or "").lower()
    if content_type.startswith(("image/", "video/")):
        return True
    if content_type.startswith(("text/", "application/xhtml")):
        return False
    return sniff_media(index.payload(page)).media_type.startswith(("image/", "video/"))


def unique_name(label: str, url: str, extension: str, used: set[str]) -> str:
    """``<label>-<file name>``, safe on every file system and unique within the case (any case)."""
    original = PurePosixPath(unquote(urlsplit(url).path)).name
    stem, suffix = os.path.splitext(original)
    if suffix.lower() not in (extension, ".jpeg", ".tif", ".tiff", ".mpeg"):
        stem, suffix = original, extension
    prefixed = stem if stem.lower().startswith(label.lower()) else f"{label}-{stem}"
    base = safe_name(prefixed, MAX_NAME_LENGTH, fallback="image")
    suffix = UNSAFE_RE.sub("", suffix.lower())
    name, counter = f"{base}{suffix}", 1
    while name.lower() in used:
        counter += 1
        name = f"{base}-{counter}{suffix}"
    used.add(name.lower())
    return name
