"""File bytes -> canonical sessions. One entry point, :func:`read_bytes`, sniffs the format.

Format modules (each exposes ``read(data: bytes, file_name: str, ctx: ReadContext)
-> ImportReport``):

* ``csvfile``      every CSV/text session log (Strava, Garmin, other apps, generic + mapping)
* ``fit``          FIT activity files
* ``tcx`` / ``gpx`` XML activity files
* ``stravazip``    a Strava bulk export zip, or any zip of supported files
* ``garminexport`` a Garmin Connect account export (zip or unpacked folder)
* ``otherformats`` Apple Health export.xml, Nike Run Club JSON, Polar HRM/XML, Suunto SML

Every failure is a :class:`~stridewise.errors.StridewiseError` with a sentence for the user.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from stridewise.errors import StridewiseError, UnexpectedReadError, UnreadableFile
from stridewise.ingest.base import (
    MAX_FILE_BYTES,
    ImportReport,
    ReadContext,
    SkippedRow,
    finish_sessions,
    sha1_bytes,
    utc_to_local,
)
from stridewise.ingest.safeio import gunzip_capped, is_gzip

__all__ = [
    "MAX_FILE_BYTES", "ImportReport", "ReadContext", "SkippedRow", "finish_sessions",
    "read_bytes", "read_path", "sniff_format", "utc_to_local",
]

#: File endings offered in upload widgets.
UPLOAD_TYPES = ["csv", "txt", "fit", "gz", "tcx", "gpx", "zip", "xml", "json", "hrm", "sml"]


def _strip_gz(data: bytes, file_name: str) -> tuple[bytes, str]:
    """Unpack gzip bytes with a cap on the output (see :mod:`stridewise.ingest.safeio`)."""
    if not is_gzip(data):
        return data, file_name
    inner = gunzip_capped(data, file_name, MAX_FILE_BYTES)
    name = file_name[:-3] if file_name.lower().endswith(".gz") else file_name
    return inner, name


def _utf8_head(head: bytes) -> bytes:
    """The first bytes as UTF-8 for sniffing: UTF-16 text (a byte-order mark, or NUL bytes
    between ASCII letters) is decoded first, so a UTF-16 GPX/TCX is recognised as XML."""
    enc = None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    elif len(head) >= 4 and head[1:2] == b"\x00" and head[3:4] == b"\x00" and head[:1] != b"\x00":
        enc = "utf-16-le"
    elif len(head) >= 4 and head[0:1] == b"\x00" and head[2:3] == b"\x00" and head[1:2] != b"\x00":
        enc = "utf-16-be"
    if enc is None:
        return head
    return head[:len(head) // 2 * 2].decode(enc, "replace").encode("utf-8")


def sniff_format(data: bytes, file_name: str) -> str:
    """The module name that reads these bytes: csvfile, fit, tcx, gpx, stravazip, otherformats.

    Decided by content first (magic bytes, XML root), by the file ending only as a tie-break.
    """
    name = file_name.lower()
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        from stridewise.ingest.garminexport import is_export_zip

        return "garminexport" if is_export_zip(data) else "stravazip"
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    head = _utf8_head(data[:8192]).lstrip(b"\xef\xbb\xbf \t\r\n\x00")
    low = head[:4096].lower()
    if low.startswith(b"<") or name.endswith((".tcx", ".gpx", ".xml", ".sml")):
        if b"<trainingcenterdatabase" in low:
            return "tcx"
        if b"<gpx" in low:
            return "gpx"
        if low.startswith(b"<") or b"<?xml" in low:
            return "otherformats"
    if name.endswith(".fit"):
        return "fit"
    if low.startswith((b"{", b"[")) and name.endswith(".json") or low.startswith(b"[params]"):
        return "otherformats"
    if name.endswith((".json", ".hrm")):
        return "otherformats"
    return "csvfile"


def read_bytes(data: bytes, file_name: str, ctx: ReadContext | None = None) -> ImportReport:
    """Read one file's bytes (any supported format, gzip-wrapped or not) into a report.

    Raises :class:`~stridewise.errors.StridewiseError` subclasses only: ImportRefused for files
    that are understood but hold no sessions, UnreadableFile for damaged/unknown ones,
    NeedsMapping for CSVs whose columns need the user's confirmation.
    """
    ctx = ctx or ReadContext()
    ctx.zone()
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(
            f"{file_name} is {len(data) / 1e6:.0f} MB, above the {MAX_FILE_BYTES // 2**20} MB "
            "limit; split it or upload the activity files separately.")
    if not data or not data.strip(b" \t\r\n\x00"):
        raise UnreadableFile(f"{file_name} is empty: there is nothing to import.")
    digest = sha1_bytes(data)
    data, inner_name = _strip_gz(data, file_name)
    fmt = sniff_format(data, inner_name)
    module = importlib.import_module(f"stridewise.ingest.{fmt}")
    try:
        report: ImportReport = module.read(data, file_name, ctx)
    except StridewiseError:
        raise
    except (RecursionError, MemoryError) as exc:  # pragma: no cover - pathological input
        raise UnreadableFile(f"{file_name} could not be read: it is too deeply nested or large.") from exc
    except Exception as exc:  # noqa: BLE001 - last line of the bad-input policy
        raise UnexpectedReadError(
            f"{file_name} could not be read as {fmt.replace('file', '')} data "
            f"({type(exc).__name__}: {exc}).") from exc
    report.content_sha1 = digest
    return report


def read_path(path: str | Path, ctx: ReadContext | None = None) -> ImportReport:
    """Read a file from disk (or an unpacked Garmin export folder); see :func:`read_bytes`.

    The size is checked before anything is read, so a huge file is refused without loading it
    (a Garmin account export is read member by member with its own caps).
    """
    p = Path(path)
    from stridewise.ingest import garminexport

    if garminexport.is_export_dir(p) or (p.suffix.lower() == ".zip" and p.is_file()
                                         and garminexport.is_export_file(p)):
        return garminexport.read_path(p, ctx or ReadContext())
    try:
        with p.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise UnreadableFile(
                    f"{p.name} is {size / 1e6:.0f} MB, above the {MAX_FILE_BYTES // 2**20} MB "
                    "limit; split it or upload the activity files separately.")
            # read at most one byte past the limit: a file that grows while read stays bounded
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UnreadableFile(f"{p} cannot be opened: {exc.strerror or exc}.") from exc
    return read_bytes(data, p.name, ctx)
