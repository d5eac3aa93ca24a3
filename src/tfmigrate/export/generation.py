"""The output folder, switched from one complete run to the next in a single atomic step.

Each run writes a new generation under ``DIR/.tfmigrate/generations/<run_id>/``; files that did
not change are hard links to the previous generation's, so an unchanged record stays the same
bytes at no cost. ``DIR/.tfmigrate/current`` is a symlink to the complete generation, and the
names a user sees (``DIR/cases/``, ``DIR/cases.jsonl``, ``DIR/report.html``...) are symlinks
through it. Switching ``current`` is one ``rename``: a run killed at any moment leaves DIR as
the previous complete run left it, or as the new run completed it, never a mix.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from tfmigrate.errors import OutputError

STATE_DIR = ".tfmigrate"
GENERATIONS = "generations"
CURRENT = "current"
# The names a user sees in DIR, each a symlink through ``current``.
PUBLISHED = (
    "cases",
    "cases.jsonl",
    "images",
    "originals",
    "schema.json",
    "manifest.json",
    "report.json",
    "report.html",
    "changes.json",
)


class Generation:
    """A generation being written: a folder of its own until ``commit`` publishes it."""

    def __init__(self, out_dir: Path, run_id: str) -> None:
        self.out_dir = out_dir
        self.base = out_dir / STATE_DIR
        self.root = self.base / GENERATIONS / run_id
        self.previous = current_generation(out_dir)
        self.root.mkdir(parents=True)
        self._folders = {""}  # relative folders made so far

    def path(self, relative: str) -> Path:
        return self.root / relative

    def write_bytes(self, relative: str, data: bytes) -> None:
        """Write a file, or hard-link the previous generation's copy when it holds the same bytes."""
        target = self._target(relative)
        if self.previous is not None:
            old = self.previous / relative
            if old.is_file() and old.stat().st_size == len(data) and old.read_bytes() == data:
                os.link(old, target)
                return
        with target.open("xb") as handle:
            handle.write(data)

    def link_previous(self, relative: str) -> bool:
        """Hard-link the previous generation's file unread (a caller that knows it is unchanged);
        False when there is none to link."""
        if self.previous is None:
            return False
        try:
            os.link(self.previous / relative, self._target(relative))
        except FileNotFoundError:
            return False
        return True

    def is_linked(self, relative: str) -> bool:
        """Whether the file is the previous generation's own copy (a hard link to it)."""
        if self.previous is None:
            return False
        try:
            return os.path.samefile(self.root / relative, self.previous / relative)
        except OSError:
            return False

    def write_text(self, relative: str, text: str) -> None:
        self.write_bytes(relative, text.encode("utf-8"))

    def open_text(self, relative: str) -> TextIO:
        """A new file to write in pieces (a file too large to build in memory first)."""
        return self._target(relative).open("x", encoding="utf-8", newline="\n")

    def write_json(self, relative: str, value: object) -> None:
        """Pretty JSON, written as it is encoded: the report and manifest of a large site are
        megabytes, never built as one string (the same bytes as ``json.dumps(indent=2)``)."""
        with self.open_text(relative) as out:
            for chunk in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(value):
                out.write(chunk)
            out.write("\n")

    def _target(self, relative: str) -> Path:
        """The path to write ``relative`` to, its folder created (once: a run writes thousands)."""
        target = self.root / relative
        folder = relative.rpartition("/")[0]
        if folder not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        return target

    def files(self) -> Iterator[tuple[str, Path]]:
        """Every file, by name (the order of ``sorted(rglob())``), one folder listed at a time."""
        yield from walk_files(self.root, "")

    def commit(self) -> None:
        """fsync the generation, switch ``current`` to it, publish the names, drop old generations.

        Only files written by this run are synced: a hard link's data was synced by the commit of
        the generation it comes from (an unchanged re-run links nearly every file), and its name by
        the sync of its folder."""
        for folder in walk_folders(self.root):
            for entry in os.scandir(folder):
                if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_nlink == 1:
                    with open(entry.path, "rb") as handle:
                        os.fsync(handle.fileno())
            sync_dir(folder)
        link = self.base / CURRENT
        temporary = self.base / f".{CURRENT}.{self.root.name}"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(Path(GENERATIONS) / self.root.name)
        os.replace(temporary, link)
        sync_dir(self.base)
        publish_names(self.out_dir)
        for old in (self.base / GENERATIONS).iterdir():
            if old.name != self.root.name:
                shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def prepare_output(out_dir: Path) -> None:
    """Create DIR, check that every folder a run writes can be written (before a crawl of hours:
    an unwritable generations folder once ended a whole crawl in a traceback), refuse names that
    are not ours, and clear generations a killed run left."""
    folder = out_dir
    try:
        (out_dir / STATE_DIR / GENERATIONS).mkdir(parents=True, exist_ok=True)
        for folder in (out_dir, out_dir / STATE_DIR, out_dir / STATE_DIR / GENERATIONS):
            probe = folder / ".tfmigrate-write-test"
            probe.mkdir()
            probe.rmdir()
    except OSError as exc:
        raise OutputError(f"output folder {folder} is not writable: {exc.strerror or exc}") from exc
    for name in PUBLISHED:
        path = out_dir / name
        if path.exists() and not path.is_symlink():
            raise OutputError(
                f"{path} exists and was not written by tfmigrate migrate; move it or use another --out"
            )
    current = current_generation(out_dir)
    for old in (out_dir / STATE_DIR / GENERATIONS).iterdir():
        if current is None or old.resolve() != current.resolve():
            shutil.rmtree(old, ignore_errors=True)  # a run killed before its commit


def walk_files(folder: Path, prefix: str) -> Iterator[tuple[str, Path]]:
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_dir(follow_symlinks=False):
            yield from walk_files(Path(entry.path), f"{prefix}{entry.name}/")
        elif entry.is_file(follow_symlinks=False):
            yield f"{prefix}{entry.name}", Path(entry.path)


def walk_folders(root: Path) -> Iterator[Path]:
    yield root
    for entry in os.scandir(root):
        if entry.is_dir(follow_symlinks=False):
            yield from walk_folders(Path(entry.path))


def current_generation(out_dir: Path) -> Path | None:
    """The published generation; None when ``current`` is missing, or names a generation that is
    gone or one outside DIR's (then there is no previous run to build on: doctor names it)."""
    link = out_dir / STATE_DIR / CURRENT
    if not link.is_symlink():
        return None
    target = link.resolve()
    inside = target.parent == (out_dir / STATE_DIR / GENERATIONS).resolve()
    return target if inside and target.is_dir() else None


def publish_names(out_dir: Path) -> None:
    """DIR's names as symlinks through ``current``; one that leads elsewhere is put right."""
    for name in PUBLISHED:
        path = out_dir / name
        target = Path(STATE_DIR) / CURRENT / name
        if path.is_symlink() and Path(os.readlink(path)) == target:
            continue
        temporary = out_dir / f".{name}.tfmigrate-link"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(target)
        os.replace(temporary, path)


def sync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
