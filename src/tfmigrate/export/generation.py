"""The output folder, switched from one complete run to the next in a single atomic step.

Each run writes a new generation under ``DIR/.tfmigrate/generations/<run_id>/``; files that did
not change are hard links to the previous generation's, so an unchanged record stays the same
bytes at no cost. ``DIR/.tfmigrate/current`` is a symlink to the complete generation, and the
names a user sees (``DIR/cases/``, ``DIR/cases.jsonl``, ``DIR/report.html``...) are symlinks
through it. Switching ``current`` is one ``rename``: a run killed at any moment leaves DIR as
the previous complete run left it, or as the new run completed it, never a mix.

Hand-over drives (exFAT, FAT), SMB shares and Windows without the privilege have no links of one
kind or both; a probe finds out, and the run falls back to copies: unchanged files are copied
from the previous generation, ``current`` is a small file naming the generation (still switched
by one ``rename``), and DIR's names are copies of the current generation, refreshed one by one
right after the switch; a run killed while refreshing them leaves the next run to refresh them.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tfmigrate.errors import OutputError

STATE_DIR = ".tfmigrate"
GENERATIONS = "generations"
CURRENT = "current"
PUBLISHING = "publishing"  # DIR's names being refreshed, where they are copies
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


@dataclass(frozen=True)
class Links:
    """Which links DIR's filesystem makes: hard links share an unchanged file with the previous
    generation, symbolic links lead DIR's names into the current one. Without them: copies."""

    hard: bool
    symbolic: bool

    def note(self) -> str | None:
        missing = [kind for kind, made in (("hard", self.hard), ("symbolic", self.symbolic)) if not made]
        if not missing:
            return None
        copies = ["unchanged files are copied"] if not self.hard else []
        copies += (
            ["DIR's names are copies of the current run, refreshed after it"] if not self.symbolic else []
        )
        return f"the output's filesystem makes no {' or '.join(missing)} links: {'; '.join(copies)}"


def probe_links(folder: Path) -> Links:
    """Try both kinds of link in ``folder``: a refusal (EPERM on exFAT, ENOSYS or EOPNOTSUPP on
    FUSE and SMB) means that kind is not there; any other error is the disk's and is raised."""
    source, hard, symbolic = folder / ".probe", folder / ".probe-hard", folder / ".probe-symbolic"
    for path in (source, hard, symbolic):
        path.unlink(missing_ok=True)
    source.write_bytes(b"")
    try:
        return Links(
            hard=link_made(os.link, str(source), hard), symbolic=link_made(os.symlink, source.name, symbolic)
        )
    finally:
        for path in (source, hard, symbolic):
            path.unlink(missing_ok=True)


# How filesystems say they make no such link.
REFUSALS = frozenset({errno.EPERM, errno.ENOSYS, errno.EOPNOTSUPP, errno.EACCES})


def link_made(make_link: Callable[[str, Path], None], source: str, target: Path) -> bool:
    try:
        make_link(source, target)
    except OSError as exc:
        if exc.errno in REFUSALS:
            return False
        raise
    return True


class Generation:
    """A generation being written: a folder of its own until ``commit`` publishes it."""

    def __init__(self, out_dir: Path, run_id: str, links: Links) -> None:
        self.out_dir = out_dir
        self.links = links
        self.base = out_dir / STATE_DIR
        self.root = self.base / GENERATIONS / run_id
        self.previous = current_generation(out_dir)
        self.root.mkdir(parents=True)
        self._folders = {""}  # relative folders made so far
        self._carried: set[str] = set()  # files that are the previous generation's bytes

    def path(self, relative: str) -> Path:
        return self.root / relative

    def write_bytes(self, relative: str, data: bytes) -> None:
        """Write a file, or hard-link the previous generation's copy when it holds the same bytes."""
        target = self._target(relative)
        if self.previous is not None:
            old = self.previous / relative
            if old.is_file() and old.stat().st_size == len(data) and old.read_bytes() == data:
                self._carried.add(relative)
                if self.links.hard:
                    os.link(old, target)
                    return
        with target.open("xb") as handle:
            handle.write(data)

    def link_previous(self, relative: str) -> bool:
        """Hard-link (or copy) the previous generation's file unread (a caller that knows it is
        unchanged); False when there is none."""
        if self.previous is None:
            return False
        link = os.link if self.links.hard else shutil.copyfile
        try:
            link(self.previous / relative, self._target(relative))
        except FileNotFoundError:
            return False
        self._carried.add(relative)
        return True

    def is_carried(self, relative: str) -> bool:
        """Whether the file holds the previous generation's bytes, carried over (linked or copied)."""
        return relative in self._carried

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
        temporary = self.base / f".{CURRENT}.{self.root.name}"
        temporary.unlink(missing_ok=True)
        if self.links.symbolic:
            temporary.symlink_to(Path(GENERATIONS) / self.root.name)
        else:
            with temporary.open("x", encoding="utf-8") as pointer:
                pointer.write(f"{GENERATIONS}/{self.root.name}\n")
                pointer.flush()
                os.fsync(pointer.fileno())
        os.replace(temporary, self.base / CURRENT)
        sync_dir(self.base)
        publish_names(self.out_dir, self.root, self.links)
        for old in (self.base / GENERATIONS).iterdir():
            if old.name != self.root.name:
                shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def refuse_a_file(out_dir: Path) -> None:
    """Before DIR's lock is taken in it: ``--out FILE`` once said "File exists"."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} is a file, not a folder: choose another --out")


def prepare_output(out_dir: Path) -> Links:
    """Create DIR, check that every folder a run writes can be written (before a crawl of hours:
    an unwritable generations folder once ended a whole crawl in a traceback), find out which links
    DIR's filesystem makes, refuse names that are not ours, and clear what a killed run left."""
    folder = out_dir
    try:
        (out_dir / STATE_DIR / GENERATIONS).mkdir(parents=True, exist_ok=True)
        for folder in (out_dir, out_dir / STATE_DIR, out_dir / STATE_DIR / GENERATIONS):
            probe = folder / ".tfmigrate-write-test"
            probe.mkdir()
            probe.rmdir()
        links = probe_links(out_dir / STATE_DIR)
    except OSError as exc:
        raise OutputError(f"output folder {folder} is not writable: {exc.strerror or exc}") from exc
    pointer = out_dir / STATE_DIR / CURRENT
    copies = pointer.is_file() and not pointer.is_symlink()  # DIR's names are tfmigrate's copies
    for name in PUBLISHED:
        path = out_dir / name
        if path.exists() and not path.is_symlink() and not copies:
            raise OutputError(
                f"{path} exists and was not written by tfmigrate migrate; move it or use another --out"
            )
    current = current_generation(out_dir)
    for old in (out_dir / STATE_DIR / GENERATIONS).iterdir():
        if current is None or old.resolve() != current.resolve():
            shutil.rmtree(old, ignore_errors=True)  # a run killed before its commit
    shutil.rmtree(out_dir / STATE_DIR / PUBLISHING, ignore_errors=True)  # ... or while refreshing copies
    return links


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
    """The published generation, which ``current`` names (a symbolic link to it, or a file holding
    its name); None when ``current`` is missing, or names a generation that is gone or one outside
    DIR's (then there is no previous run to build on: doctor names it)."""
    pointer = out_dir / STATE_DIR / CURRENT
    if pointer.is_symlink():
        target = pointer.resolve()
    elif pointer.is_file():
        target = (pointer.parent / pointer.read_text(encoding="utf-8").strip()).resolve()
    else:
        return None
    inside = target.parent == (out_dir / STATE_DIR / GENERATIONS).resolve()
    return target if inside and target.is_dir() else None


def publish_names(out_dir: Path, generation: Path, links: Links) -> None:
    """DIR's names: symbolic links through ``current`` (one that leads elsewhere is put right); or
    fresh copies of the generation, each swapped in by a rename once it is complete."""
    staging = out_dir / STATE_DIR / PUBLISHING
    for name in PUBLISHED:
        path = out_dir / name
        if links.symbolic:
            target = Path(STATE_DIR) / CURRENT / name
            if path.is_symlink() and Path(os.readlink(path)) == target:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)  # a copy an earlier run made on a filesystem without symbolic links
            temporary = out_dir / f".{name}.tfmigrate-link"
            temporary.unlink(missing_ok=True)
            temporary.symlink_to(target)
            os.replace(temporary, path)
            continue
        staging.mkdir(exist_ok=True)
        fresh, old = staging / name, staging / f"{name}.old"
        copy = shutil.copytree if (generation / name).is_dir() else shutil.copyfile
        copy(generation / name, fresh)
        if path.exists() or path.is_symlink():
            os.replace(path, old)
        os.replace(fresh, path)
        remove(old)
    shutil.rmtree(staging, ignore_errors=True)


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


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
