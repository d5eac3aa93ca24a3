"""A body's content coding undone (gzip, deflate) under a cap on the decoded size: for the fetcher
as bytes arrive, and for readers of the archive. No HTTP here, so that a process that only reads the
archive (a migrate worker) does not import the HTTP stack."""

from __future__ import annotations

import hashlib
import sys
import zlib

CHUNK_SIZE = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"


class BodyTooLargeError(Exception):
    pass


class BodyDecoder:
    """Decodes gzip/deflate while counting decoded bytes, so a gzip bomb stops at the cap.

    A gzip body may be a series of members (RFC 1952; ``gzip -dc`` reads them all): zlib stops at
    the end of the first, which once cut a page short and recorded it as an ordinary change. Every
    member is decoded; bytes after the last that start no member are ignored, as gzip does."""

    def __init__(self, encoding: str | None, max_bytes: int) -> None:
        encoding = (encoding or "identity").strip().lower()
        self.max_bytes = max_bytes
        self.size = 0
        self.coded = 0  # bytes fed
        self.digest = hashlib.sha256()
        self.is_gzip = encoding in ("gzip", "x-gzip")
        self.pending = b""  # the start of what may be another gzip member
        self.ignoring = False  # past the last member
        self.decompressor = None
        if self.is_gzip:
            self.decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.decompressor = zlib.decompressobj()

    def feed(self, chunk: bytes) -> bytes:
        """The decoded bytes of the next chunk (counted and hashed)."""
        self.coded += len(chunk)
        if self.decompressor is None:
            return self._count(chunk)
        decoded = []
        data, self.pending = self.pending + chunk, b""
        while data and not self.ignoring:
            if self.decompressor.eof:
                if self.is_gzip and GZIP_MAGIC.startswith(data[: len(GZIP_MAGIC)]):
                    if len(data) < len(GZIP_MAGIC):  # a member may start here: the next chunk says
                        self.pending = data
                        break
                    self.decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
                else:
                    self.ignoring = True  # bytes that start no member: ignored, as gzip does
                    break
            decoded.append(self._count(self.decompressor.decompress(data, CHUNK_SIZE)))
            data = self.decompressor.unused_data + self.decompressor.unconsumed_tail
        return b"".join(decoded)

    def finish(self) -> None:
        """zlib.error when the coded body ended inside a member (a stream cut short); an empty body
        (a 304 or a HEAD-like answer that names its coding) is no stream at all."""
        if self.decompressor is not None and self.coded and not self.decompressor.eof:
            raise zlib.error("incomplete or truncated stream")

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise BodyTooLargeError(f"body over the {self.max_bytes:,}-byte cap (decoded)")
        self.digest.update(data)
        return data


def decode_payload(body: bytes, encoding: str | None, max_bytes: int = sys.maxsize) -> bytes:
    """A body with its content coding undone; zlib.error when it does not decode, BodyTooLargeError
    past ``max_bytes``."""
    decoder = BodyDecoder(encoding, max_bytes)
    if decoder.decompressor is None:
        return body
    decoded = decoder.feed(body)
    decoder.finish()
    return decoded
