"""One tfmigrate at a time on a folder: an exclusive lock on a file in it, held while a run lasts.

Two crawls on one archive once "resumed" each other's live run and cut the WARC file the other was
still writing; two migrates into one DIR deleted each other's unfinished generation. So every
command that writes an output folder or an archive, or reads one whole (doctor, migrate from an
archive), holds that folder's lock, and a second one stops at once with the first one's pid.

``flock(2)``: the kernel releases the lock when its holder exits, however it exits (SIGKILL too),
so a killed run never leaves a stale lock behind. While held, the file holds the holder's pid.
Within one process a lock is re-entrant (migrate holds the archive's lock around its crawl).
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tfmigrate.errors import OutputError, StartError

LOCK_FILE = "tfmigrate.lock"
# Errors that mean "this folder cannot be written here": a reader goes on without a lock (an
# archive on read-only media; nothing can write there either), a writer stops.
READ_ONLY_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
NOT_OURS = "{path} is not a lock file of tfmigrate's (a link, or not a file); move it away"

_held: dict[Path, tuple[int, int]] = {}  # lock file -> (descriptor, depth) held by this process


@contextmanager
def folder_lock(folder: Path, *, writes: bool) -> Iterator[None]:
    """Hold ``folder``'s lock for the block; StartError naming the holder when another has it.

    ``writes``: the caller changes the folder (its lock file is created with the folder); a reader
    of a folder it cannot write goes on unlocked."""
    path = (folder / LOCK_FILE).absolute()
    if path in _held:
        descriptor, depth = _held[path]
        _held[path] = (descriptor, depth + 1)
        try:
            yield
        finally:
            _held[path] = (descriptor, depth)
        return
    opened = open_lock_file(path, writes=writes)
    if opened is None:
        yield
        return
    descriptor = opened
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StartError(
                f"another tfmigrate (pid {holder(descriptor)}) is running on {folder}; wait for it to end"
            ) from None
        with suppress(OSError):  # a lock file on read-only media holds no pid
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        _held[path] = (descriptor, 1)
        try:
            yield
        finally:
            del _held[path]
            with suppress(OSError):  # the file names a pid only while it is held
                os.ftruncate(descriptor, 0)
    finally:
        os.close(descriptor)  # releases the lock


def open_lock_file(path: Path, *, writes: bool) -> int | None:
    """The lock file, opened (made if need be); never through a symlink or onto another file's
    bytes (the file is emptied and written): a planted ``tfmigrate.lock`` could name any file."""
    try:
        if writes:
            path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if writes and exc.errno == errno.ELOOP:
            raise OutputError(NOT_OURS.format(path=path)) from exc
        if writes:
            raise OutputError(f"{path.parent} is not writable: {exc.strerror or exc}") from exc
        if exc.errno not in READ_ONLY_ERRNOS:
            return None  # no such folder: nothing to read, and the reader says so itself
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return None
    status = os.fstat(descriptor)
    if stat.S_ISREG(status.st_mode) and status.st_nlink == 1:
        return descriptor
    os.close(descriptor)
    if writes:
        raise OutputError(NOT_OURS.format(path=path))
    return None


def holder(descriptor: int) -> str:
    """The pid the holding process wrote, or "unknown" while it has not written it yet."""
    text = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
    return text if text.isdigit() else "unknown"
