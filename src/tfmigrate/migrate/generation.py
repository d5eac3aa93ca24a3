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

import ctypes
import errno
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pydantic_core import to_json

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
    "provenance",
    "schema.json",
    "manifest.json",
    "report.json",
    "report.html",
    "changes.json",
    "state.json",
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


# A file's sha256 (hex) and size: what the manifest lists.
Digest = tuple[str, int]


class GenerationFiles:
    """Where a generation's files go, for whichever process writes them (a run's workers write each
    case's files): new bytes, or a link to the previous generation's copy of the same bytes."""

    def __init__(self, root: Path, previous: Path | None, links: Links) -> None:
        self.root, self.previous, self.links = root, previous, links
        self._folders = {""}  # relative folders made so far (a run writes thousands of files)
        # Joined as strings: two Paths built for each of a re-run's 30,000 links cost twice the
        # link itself (39 against 13.5 us a link, benchmarks/CHANGES.md).
        self._root = os.fspath(root)
        self._previous = os.fspath(previous) if previous is not None else None

    def __getstate__(self) -> tuple[Path, Path | None, Links]:
        return self.root, self.previous, self.links

    def __setstate__(self, state: tuple[Path, Path | None, Links]) -> None:
        self.__init__(*state)  # type: ignore[misc]

    def write_bytes(self, relative: str, data: bytes) -> Digest:
        """Write a file, or hard-link the previous generation's copy when it holds the same bytes."""
        target = self.target(relative)
        if self.previous is not None and self.links.hard:
            old = self.previous / relative
            if old.is_file() and old.stat().st_size == len(data) and old.read_bytes() == data:
                os.link(old, target)
                return bytes_digest(data)
        with open(target, "xb") as handle:
            handle.write(data)
        return bytes_digest(data)

    def write_text(self, relative: str, text: str) -> Digest:
        return self.write_bytes(relative, text.encode("utf-8"))

    def link_previous(self, relative: str) -> bool:
        """Hard-link (or copy) the previous generation's file unread (a caller that knows it is
        unchanged); False when there is none."""
        if self._previous is None:
            return False
        link = os.link if self.links.hard else shutil.copyfile
        try:
            link(f"{self._previous}/{relative}", self.target(relative))
        except FileNotFoundError:
            return False
        return True

    def target(self, relative: str) -> str:
        """The path to write ``relative`` to, its folder created (once)."""
        folder = relative.rpartition("/")[0]
        if folder not in self._folders:
            os.makedirs(f"{self._root}/{folder}", exist_ok=True)
            self._folders.add(folder)
        return f"{self._root}/{relative}"


class CaseWrites:
    """The files one piece of work (a case) writes into a generation, with the sha256 and size of
    each for the manifest: the process that writes a file knows its bytes, the one that writes the
    manifest need not read them again."""

    def __init__(self, files: GenerationFiles) -> None:
        self.files = files
        self.written: list[tuple[str, Digest]] = []

    def write_bytes(self, relative: str, data: bytes) -> Digest:
        digest = self.files.write_bytes(relative, data)
        self.written.append((relative, digest))
        return digest

    def write_text(self, relative: str, text: str) -> Digest:
        return self.write_bytes(relative, text.encode("utf-8"))

    def link_previous(self, relative: str, digest: Digest) -> bool:
        """Link the previous generation's file, known to hold ``digest``, unread."""
        if not self.files.link_previous(relative):
            return False
        self.written.append((relative, digest))
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
        self.files = GenerationFiles(self.root, self.previous, links)
        self.digests: dict[str, Digest] = {}  # the files this process wrote whole, hashed as written

    def path(self, relative: str) -> Path:
        return self.root / relative

    def write_text(self, relative: str, text: str) -> None:
        self.digests[relative] = self.files.write_text(relative, text)

    @contextmanager
    def open_text(self, relative: str) -> Iterator[HashedText]:
        """A new file to write in pieces (a file too large to build in memory first), hashed as
        it is written."""
        with open(self.files.target(relative), "xb") as handle:
            out = HashedText(handle)
            yield out
        self.digests[relative] = out.digest()

    def write_json(self, relative: str, value: object) -> None:
        """Pretty JSON (the same bytes as ``json.dumps(value, indent=2, ensure_ascii=False)``),
        encoded by pydantic's serializer (Rust): the report and manifest of a large site are
        megabytes, which Python's encoder took seconds over."""
        self.write_bytes(relative, to_json(value, indent=2) + b"\n")

    def write_bytes(self, relative: str, data: bytes) -> None:
        self.digests[relative] = self.files.write_bytes(relative, data)

    def published_files(self) -> Iterator[str]:
        """The name of every file DIR shows (the order of ``sorted(rglob())``), one folder at a time."""
        for name in sorted(PUBLISHED):
            path = self.root / name
            if path.is_dir():
                yield from walk_files(str(path), f"{name}/")
            elif path.is_file():
                yield name

    def commit(self) -> None:
        """Make the generation durable, switch ``current`` to it, publish the names, drop old
        generations."""
        sync_generation(self.root)
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
            probe.mkdir(exist_ok=True)  # a run killed between these two lines left it
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


def walk_files(folder: str, prefix: str) -> Iterator[str]:
    """Names only: a Path for each of a large site's 30,000 files was a third of the manifest's cost."""
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_dir(follow_symlinks=False):
            yield from walk_files(entry.path, f"{prefix}{entry.name}/")
        elif entry.is_file(follow_symlinks=False):
            yield f"{prefix}{entry.name}"


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


def sync_generation(root: Path) -> None:
    """Every file and folder of a generation on disk before ``current`` names it. One ``syncfs``
    of its filesystem where there is one (Linux): an fsync per file cost 3 ms each on the shared
    machine, 12 of a 2,000-case run's 45 seconds (benchmarks/), as one flush of the disk's cache
    per file. Elsewhere, an fsync of each file this run wrote (a hard link's data was synced by the
    commit of the generation it comes from) and of each folder."""
    syncfs = filesystem_sync()
    if syncfs is not None:
        descriptor = os.open(root, os.O_RDONLY)
        try:
            if syncfs(descriptor) != 0:
                code = ctypes.get_errno()
                raise OSError(code, os.strerror(code), str(root))
        finally:
            os.close(descriptor)
        return
    for folder in walk_folders(root):
        for entry in os.scandir(folder):
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_nlink == 1:
                with open(entry.path, "rb") as handle:
                    os.fsync(handle.fileno())
        sync_dir(folder)


def filesystem_sync() -> Callable[[int], int] | None:
    """libc's ``syncfs(fd)`` (Linux), or None where there is none."""
    try:
        syncfs: Callable[[int], int] = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError, TypeError):
        return None
    return syncfs


def sync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class HashedText:
    """A text file written in pieces (UTF-8, ``\\n`` lines) whose sha256 and size are known at the end."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._sha256 = hashlib.sha256()
        self._size = 0

    def write(self, text: str) -> None:
        self.write_bytes(text.encode("utf-8"))

    def write_bytes(self, data: bytes) -> None:
        """UTF-8 text already encoded."""
        self._handle.write(data)
        self._sha256.update(data)
        self._size += len(data)

    def digest(self) -> Digest:
        return self._sha256.hexdigest(), self._size


def bytes_digest(data: bytes) -> Digest:
    return hashlib.sha256(data).hexdigest(), len(data)


def file_digest(path: Path) -> Digest:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
