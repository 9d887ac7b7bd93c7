"""Bounded unpacking: gzip data is inflated with a cap on its output, never all at once.

A few megabytes of gzip can inflate to gigabytes (a "gzip bomb"); :func:`gunzip_capped` stops
as soon as the output would pass the limit and says so in one sentence. Every importer that
meets gzip bytes (the dispatcher, the FIT reader, the zip reader) uses it.
"""

from __future__ import annotations

import zlib

from stridewise.errors import UnreadableFile
from stridewise.ingest.base import MAX_FILE_BYTES

__all__ = ["GZIP_MAGIC", "gunzip_capped", "is_gzip"]

GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(data: bytes) -> bool:
    return data[:2] == GZIP_MAGIC


def gunzip_capped(data: bytes, file_name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The unpacked bytes of gzip ``data`` (one or several concatenated members).

    Raises :class:`UnreadableFile` when the output would exceed ``limit`` bytes (checked while
    inflating: at most ``limit + 1`` bytes are ever produced) or the data is damaged.
    """
    parts: list[bytes] = []
    produced = 0
    rest = data
    while True:
        d = zlib.decompressobj(wbits=31)  # gzip wrapper only
        try:
            out = d.decompress(rest, limit - produced + 1)
        except zlib.error as exc:
            raise UnreadableFile(
                f"{file_name} is a damaged gzip file and cannot be unpacked ({exc}).") from exc
        produced += len(out)
        if produced > limit or d.unconsumed_tail:
            raise UnreadableFile(
                f"{file_name} unpacks to more than the {limit // 2**20} MB limit for one file; "
                "upload the activity files separately or split the file.")
        if not d.eof:
            raise UnreadableFile(f"{file_name} is a damaged gzip file (it ends early).")
        parts.append(out)
        rest = d.unused_data.lstrip(b"\x00")
        if not rest.startswith(GZIP_MAGIC):
            break
    return parts[0] if len(parts) == 1 else b"".join(parts)
