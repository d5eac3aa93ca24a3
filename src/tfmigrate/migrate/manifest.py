"""``manifest.json``: the tool, the source, the settings, the run, and the sha256 and size of every
file DIR shows and of every WARC file of the archive; ``tfmigrate doctor`` holds DIR to it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfmigrate import __version__
from tfmigrate.crawl.index import WARC_SUFFIXES
from tfmigrate.migrate.generation import Digest, Generation, file_digest
from tfmigrate.migrate.previous import MANIFEST_FILE, PreviousRun, untouched
from tfmigrate.migrate.source import Archive
from tfmigrate.runs import now_iso


def write_manifest(
    generation: Generation,
    digests: Mapping[str, Digest],
    archive: Archive,
    previous: PreviousRun,
    source: str,
    settings: dict[str, Any],
    started: str,
) -> None:
    """``digests``: what the run's workers wrote, hashed as they wrote it; the run's own files are
    in ``generation.digests``. A file neither knows (none, unless a writer forgot one) is read."""
    files = {
        name: entry(digests.get(name) or generation.digests.get(name) or file_digest(generation.path(name)))
        for name in generation.published_files()
    }
    manifest = {
        "tool": "tfmigrate",
        "version": __version__,
        "run_id": generation.root.name,
        "crawl_run_id": archive.crawl.run_id if archive.crawl else None,
        "started": started,
        "finished": now_iso(),
        "source": source,
        "archive": str(archive.folder),
        "settings": settings,
        "files": files,
        "archive_files": archive_digests(archive, previous),
    }
    generation.write_json(MANIFEST_FILE, manifest)


def archive_digests(archive: Archive, previous: PreviousRun) -> dict[str, dict[str, Any]]:
    """Every WARC file of the archive, hashed; one the last run listed and that is untouched since
    (a finished crawl's files are never written again; their names hold the crawl's run id) keeps
    the digest it gave."""
    digests = {}
    for path in sorted(p for p in archive.folder.rglob("*") if p.name.endswith(WARC_SUFFIXES)):
        name = path.relative_to(archive.folder).as_posix()
        listed = previous.archive_files.get(name)
        if listed is None or not untouched(path, listed, previous.finished_ns):
            listed = file_digest(path)
        digests[name] = entry(listed)
    return digests


def entry(digest: Digest) -> dict[str, Any]:
    sha256, size = digest
    return {"sha256": sha256, "size": size}
