"""WARC 1.1 files written with warcio: request and response records, revisits for 304s.

Each run writes files of its own (``<run_id>-<n>.warc.gz``), never appending to an older run's
file. warcio's digests are SHA-1; the sha256 of each payload is written as the record's
``WARC-Payload-Digest`` (``sha256:`` + base32, as WARC 1.1 allows any algorithm) and kept in the
state database, so fixity never depends on SHA-1.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tfmigrate import __version__
from tfmigrate.crawl.bodies import CHUNK_SIZE, BodyDecoder, BodyTooLargeError
from tfmigrate.errors import ArchiveError
from tfmigrate.messages import quoted

if TYPE_CHECKING:  # the HTTP side: a process that only reads the archive does not import it
    from tfmigrate.crawl.fetch import Exchange, Replay

# The folder of an archive that holds its WARC files.
WARC_DIR = "warc"
WARC_VERSION = "1.1"
# Bodies are stored de-chunked; a kept Transfer-Encoding header would make readers de-chunk again.
RENAMED_HEADERS = {"transfer-encoding": "X-Archive-Orig-Transfer-Encoding"}
# Each record is a gzip member of its own (readers seek to it), at warcio's level.
GZIP_LEVEL, GZIP_WBITS = 9, 16 + zlib.MAX_WBITS


@dataclass(frozen=True, slots=True)  # slots: an archive index holds one per archived URL
class WarcLocation:
    """Where a record lives: the file name (relative to the WARC folder), offset, length, date."""

    file: str
    offset: int
    length: int
    date: str
    digest: str


def sha256_digest(data: bytes) -> str:
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode("ascii")


class CountedFile:
    """A WARC file: its size counted rather than asked for (a ``tell`` per record is a system call
    each)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.size = 0

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.size += len(data)


class RecordIds:
    """WARC-Record-IDs (random UUIDs), from random bytes asked of the OS 256 records at a time:
    warcio's ``uuid4`` asks once a record, and each ask lets the fetch threads take the GIL from
    the thread that writes the records (an unchanged re-crawl's records wait on the GIL, not CPU)."""

    BATCH = 256

    def __init__(self) -> None:
        self.random, self.used = b"", 0

    def next(self) -> str:
        if self.used == len(self.random):
            self.random, self.used = os.urandom(16 * self.BATCH), 0
        raw = self.random[self.used : self.used + 16]
        self.used += 16
        return f"<urn:uuid:{uuid.UUID(bytes=raw, version=4)}>"


class WarcArchive:
    """The WARC files of one run, rolled over past ``max_bytes``; flushed to disk before the state
    commits the records they hold."""

    def __init__(self, directory: Path, run_id: str, max_bytes: int, info: dict[str, str]) -> None:
        self.directory = directory
        self.run_id = run_id
        self.max_bytes = max_bytes
        self.info = info
        self.sequence = 0
        self.file: CountedFile | None = None
        # warcio writes each record here, plain, and it is gzipped as one member in one call:
        # warcio's own gzip compresses each part of a record in a call of its own, and each call
        # hands the GIL to the fetch threads, to wait for it back (benchmarks/CHANGES.md).
        self.record = io.BytesIO()
        self.writer: WARCWriter | None = None
        self.ids = RecordIds()
        self.name = ""
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def position(self) -> int:
        """Where the current file ends: every record before it is complete (on disk once flushed)."""
        return self.file.size if self.file else 0

    def flush(self) -> None:
        """Every record written so far to the OS: a killed process loses none of them. (fsync
        happens when a file is closed, not per record: a 10,000-page crawl spent its time there;
        after a power cut, resuming cuts files back to the committed ends.)"""
        if self.file:
            self.file.handle.flush()

    def close(self) -> None:
        if self.file:
            self.file.handle.flush()
            os.fsync(self.file.handle.fileno())
            self.file.handle.close()
            self.file = self.writer = None

    def _open_next(self) -> WARCWriter:
        self.close()
        while True:
            self.sequence += 1
            self.name = f"{self.run_id}-{self.sequence:05d}.warc.gz"
            path = self.directory / self.name
            if not path.exists():
                break
        self.file = CountedFile(path.open("xb"))
        self.writer = WARCWriter(self.record, gzip=False, warc_version=WARC_VERSION)
        info = {"software": f"tfmigrate/{__version__}", "format": "WARC File Format 1.1", **self.info}
        self._write(self.writer.create_warcinfo_record(self.name, info))
        return self.writer

    def _current(self) -> WARCWriter:
        if self.writer is None or self.file is None or self.file.size >= self.max_bytes:
            return self._open_next()
        return self.writer

    def _write(self, record: object) -> WarcLocation:
        assert self.writer is not None and self.file is not None
        offset = self.file.size
        self.record.seek(0)
        self.record.truncate()
        self.writer.write_record(record)
        with self.record.getbuffer() as plain:
            self.file.write(zlib.compress(plain, GZIP_LEVEL, wbits=GZIP_WBITS))
        headers = record.rec_headers  # type: ignore[attr-defined]
        return WarcLocation(
            file=self.name,
            offset=offset,
            length=self.file.size - offset,
            date=headers.get_header("WARC-Date") or "",
            digest=headers.get_header("WARC-Payload-Digest") or "",
        )

    def write_exchange(self, exchange: Exchange) -> WarcLocation:
        """A request and a response record (a resource record for a file read from disk)."""
        writer = self._current()
        extra = {"WARC-Truncated": exchange.truncated} if exchange.truncated else {}
        if not exchange.is_http:
            content_type = exchange.header("Content-Type") or "application/octet-stream"
            record = writer.create_warc_record(
                exchange.url,
                "resource",
                payload=io.BytesIO(exchange.body),
                length=len(exchange.body),
                warc_content_type=content_type,
                warc_headers_dict={
                    "WARC-Record-ID": self.ids.next(),
                    "WARC-Payload-Digest": sha256_digest(exchange.body),
                    **extra,
                },
            )
            return self._write(record)
        if exchange.replay is not None:
            return self._write(replayed_response(writer, exchange, exchange.replay, self.ids.next(), extra))
        request = writer.create_warc_record(
            exchange.url,
            "request",
            warc_headers_dict={"WARC-Record-ID": self.ids.next()},
            http_headers=StatusAndHeaders(
                f"GET {request_target(exchange.url)} {exchange.http_version}",
                exchange.request_headers,
                is_http_request=True,
            ),
        )
        response = response_record(writer, exchange, {"WARC-Record-ID": self.ids.next(), **extra})
        response.rec_headers.add_header(
            "WARC-Concurrent-To", request.rec_headers.get_header("WARC-Record-ID")
        )
        self._write(request)
        return self._write(response)

    def write_revisit(self, exchange: Exchange, refers_to: WarcLocation, refers_to_uri: str) -> WarcLocation:
        """A 304: a revisit record pointing at the response it confirms."""
        writer = self._current()
        headers = [(RENAMED_HEADERS.get(k.lower(), k), v) for k, v in exchange.response_headers]
        record = writer.create_revisit_record(
            exchange.url,
            digest=refers_to.digest,
            refers_to_uri=refers_to_uri,
            refers_to_date=refers_to.date,
            http_headers=StatusAndHeaders(
                f"{exchange.status} {exchange.reason}".strip(), headers, protocol=exchange.http_version
            ),
            warc_headers_dict={"WARC-Record-ID": self.ids.next()},
        )
        return self._write(record)


def replayed_response(
    writer: WARCWriter, exchange: Exchange, replay: Replay, record_id: str, extra: dict[str, str]
) -> ArcWarcRecord:
    """A capture read from a web archive, recorded as its original response: keyed by the original
    URL and dated when the archive captured it, with the archive's address of the capture
    (``WARC-Source-URI``, as pywb records captures it loads from another archive), the archive's
    own payload digest and when this copy was made. No request record: the request went to the
    archive, never to the original URL."""
    source = {
        "WARC-Record-ID": record_id,
        "WARC-Date": replay.captured,
        "WARC-Source-URI": replay.url,
        "WARC-Creation-Date": warc_now(),
    }
    if replay.digest:
        source["WARC-Source-Payload-Digest"] = replay.digest
    return response_record(writer, exchange, {**source, **extra})


def response_record(writer: WARCWriter, exchange: Exchange, warc_headers: dict[str, str]) -> ArcWarcRecord:
    headers = [(RENAMED_HEADERS.get(k.lower(), k), v) for k, v in exchange.response_headers]
    return writer.create_warc_record(
        exchange.url,
        "response",
        payload=io.BytesIO(exchange.body),
        length=len(exchange.body),
        http_headers=StatusAndHeaders(
            f"{exchange.status} {exchange.reason}".strip(), headers, protocol=exchange.http_version
        ),
        warc_headers_dict={"WARC-Payload-Digest": sha256_digest(exchange.body), **warc_headers},
    )


def warc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_capture(directory: Path, location: WarcLocation) -> tuple[str, str] | None:
    """(the web archive's address of the capture, its WARC-Date) of a record replayed from a web
    archive; None for one fetched from the live site or read from disk."""
    try:
        with (directory / location.file).open("rb") as handle:
            handle.seek(location.offset)
            record = next(iter(ArchiveIterator(handle)), None)
    except (OSError, EOFError, ValueError, zlib.error, ArchiveLoadFailed) as exc:
        raise ArchiveError(f"archive record {location.file} at offset {location.offset}: {exc}") from exc
    headers = record.rec_headers if record is not None else None
    source = headers.get_header("WARC-Source-URI") if headers is not None else None
    if headers is None or not source:
        return None
    return source, headers.get_header("WARC-Date") or ""


def request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def read_payload(
    directory: Path,
    location: WarcLocation,
    sha256: str | None = None,
    max_bytes: int | None = None,
    head: int | None = None,
) -> bytes:
    """The payload of the record at a location, content coding undone (what was parsed), held to the
    sha256 the archive recorded for it when given; with ``head``, only its first ``head`` bytes (what
    sniffing needs), the rest unread.

    A missing file, a damaged record or one cut short, or a payload over ``max_bytes`` raises
    ArchiveError naming the place, never a library error, and never returns other bytes: warcio reads
    a gzip member whose first block does not inflate as if it were uncompressed, and damaged bytes can
    then pass for an empty ARC record (a damaged bs125 record once gave an empty page). So the member
    is inflated here, strictly (zlib checks its CRC), a chunk at a time (a record can hold gigabytes).
    """
    where = f"{location.file} at offset {location.offset}"
    try:
        with (directory / location.file).open("rb") as handle:
            handle.seek(location.offset)
            source = StrictGzipMember(handle, location.length) if location.file.endswith(".gz") else handle
            for record in ArchiveIterator(source):
                decoder = payload_decoder(record, max_bytes)
                chunks = decoded_chunks(record, decoder)
                if head is not None:
                    return first_bytes(chunks, head)
                digest, parts = hashlib.sha256(), []
                for chunk in chunks:
                    digest.update(chunk)
                    parts.append(chunk)
                if not read_to_end(record):
                    raise ArchiveError(f"archive record {where} is cut short; run tfmigrate doctor")
                if sha256 is not None and digest.hexdigest() != sha256:
                    raise ArchiveError(
                        f"archive record {where} is damaged (not the payload archived); run tfmigrate doctor"
                    )
                return b"".join(parts)
    except BodyTooLargeError as exc:
        raise ArchiveError(f"archive record {where}: {exc}") from exc
    except (OSError, EOFError, ValueError, zlib.error, ArchiveLoadFailed) as exc:
        raise ArchiveError(
            f"archive record {where} is damaged or missing ({quoted(exc)}); run tfmigrate doctor"
        ) from exc
    raise ArchiveError(f"no archive record {where}; run tfmigrate doctor")


def payload_decoder(record: ArcWarcRecord, max_bytes: int | None) -> BodyDecoder:
    """The crawl's own decoder for a record's content coding (warcio's stops after a gzip body's
    first member), counting and hashing the payload within ``max_bytes``."""
    coding = record.http_headers.get_header("Content-Encoding") if record.http_headers else None
    return BodyDecoder(coding, sys.maxsize if max_bytes is None else max_bytes)


def decoded_chunks(record: ArcWarcRecord, decoder: BodyDecoder) -> Iterator[bytes]:
    """A record's payload a chunk at a time, de-chunked by warcio and decoded by ``decoder``;
    BodyTooLargeError past its cap, zlib.error when the coding does not decode."""
    stream = record.raw_stream
    headers = record.http_headers
    if headers is not None and (headers.get_header("Transfer-Encoding") or "").lower() == "chunked":
        stream = ChunkedDataReader(stream)
    while chunk := stream.read(CHUNK_SIZE):
        yield decoder.feed(chunk)
    decoder.finish()


def first_bytes(chunks: Iterator[bytes], count: int) -> bytes:
    found = bytearray()
    for chunk in chunks:
        found += chunk
        if len(found) >= count:
            break
    return bytes(found[:count])


def read_to_end(record: ArcWarcRecord) -> bool:
    """Read the rest of a record a chunk at a time (one can hold gigabytes); whether it was whole.

    warcio ends a record cut short without a word; its Content-Length says what was missing."""
    while record.raw_stream.read(CHUNK_SIZE):
        pass
    return getattr(record.raw_stream, "limit", None) == 0


class StrictGzipMember(io.RawIOBase):
    """The record's gzip member, ``length`` bytes from where ``handle`` stands, inflated a chunk at a
    time; zlib.error when it does not inflate or ends before its end (warcio would read it as plain)."""

    def __init__(self, handle: BinaryIO, length: int) -> None:
        self.handle, self.left = handle, length
        self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self.pending and not self.inflater.eof:
            if self.left <= 0:
                raise zlib.error("the record's gzip member ends before its end")
            data = self.handle.read(min(CHUNK_SIZE, self.left))
            if not data:
                raise zlib.error("the archive file ends inside the record")
            self.left -= len(data)
            self.pending = self.inflater.decompress(data)
        count = min(len(buffer), len(self.pending))
        buffer[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count
