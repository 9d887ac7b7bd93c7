"""Shared helpers for the XML importers (TCX, GPX, Apple Health, Polar XML, Suunto SML).

Parsing is done with the standard library's expat-based ElementTree, with care in the spirit of
defusedxml: documents that declare entities are refused (no entity expansion, no external
entities, no network; a DTD that only declares elements, as Apple Health's does, is fine), a UTF-8 BOM and leading whitespace before ``<?xml`` are removed
(Strava bulk exports write TCX files that start with spaces), and every parse failure becomes
one sentence for the user.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from xml.parsers import expat

from stridewise.errors import UnreadableFile

__all__ = ["clean_xml", "parse_xml", "local", "child", "children", "text_of", "parse_time",
           "to_float", "haversine_m", "track_distance_m", "elevation_gain_m"]

_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


class _Found(Exception):
    pass


class _Stop(Exception):
    pass


def declares_entities(body: bytes) -> bool:
    """Whether the document declares any entity, in whatever encoding it is written.

    The prolog is read by expat itself (which decodes UTF-8, UTF-16 with or without a BOM,
    Latin-1 and the encodings a declaration names), so an entity cannot hide behind an
    encoding a byte search would miss. Parsing stops at the root element, where a DTD ends;
    a prolog expat cannot read falls back to a byte search in UTF-8, UTF-16 and UTF-32."""
    if _ENTITY.search(body[:1 << 20]):
        return True
    p = expat.ParserCreate()

    def found(*_args: object) -> None:
        raise _Found

    def stop(*_args: object) -> None:
        raise _Stop

    p.EntityDeclHandler = found
    p.UnparsedEntityDeclHandler = found
    p.StartElementHandler = stop
    try:
        for i in range(0, len(body), 1 << 16):
            p.Parse(body[i:i + (1 << 16)], False)
        p.Parse(b"", True)
    except _Found:
        return True
    except _Stop:
        return False
    except (expat.ExpatError, ValueError, LookupError):
        pass
    head = body[:1 << 20]
    for enc in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        for shift in range(4 if enc.startswith("utf-32") else 2):
            text = head[shift:].decode(enc, "ignore")
            if "<!entity" in text.lower():
                return True
    return False


def clean_xml(data: bytes, file_name: str) -> bytes:
    """Strip BOMs/whitespace before the XML declaration; refuse DTD entity declarations
    (in any encoding: see :func:`declares_entities`)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        body = data  # UTF-16/32 with a byte-order mark: expat reads it as it is
    else:
        body = data.lstrip(b"\xef\xbb\xbf \t\r\n\x00")
        if body.startswith(b"\xef\xbb\xbf"):
            body = body[3:].lstrip()
    if declares_entities(body):
        raise UnreadableFile(
            f"{file_name} declares XML entities in a DTD; such files are refused for safety "
            "(activity exports never need them).")
    return body


#: Largest XML document parsed into a tree (TCX, GPX, Polar, Suunto), in bytes. A tree takes
#: about twelve times the document in memory (88 MB of GPX: 1 GB); a 24-hour TCX at one point
#: per second is about 35 MB. (Apple Health's export.xml is streamed, not held as a tree.)
MAX_TREE_BYTES = 64 * 1024 * 1024


def parse_xml(data: bytes, file_name: str, what: str) -> ET.Element:
    """Parse cleaned XML bytes into a root element; any syntax error is one clear sentence."""
    if len(data) > MAX_TREE_BYTES:
        raise UnreadableFile(
            f"{file_name} is a {len(data) / 1e6:.0f} MB {what} document, more than the "
            f"{MAX_TREE_BYTES // 2**20} MB Stridewise reads as one activity; export the "
            "activities one by one.")
    body = clean_xml(data, file_name)
    try:
        return ET.fromstring(body)
    except ET.ParseError as exc:
        line, col = exc.position if exc.position else (0, 0)
        raise UnreadableFile(
            f"{file_name} is not well-formed {what} (XML error at line {line}, column {col}); "
            "the file may be cut short or damaged.") from exc
    except (LookupError, ValueError) as exc:  # e.g. an unknown encoding in the declaration
        raise UnreadableFile(f"{file_name} cannot be read as {what}: {exc}.") from exc


_LOCAL: dict[str, str] = {}


def local(tag: object) -> str:
    """Tag name without its namespace, lower-cased: '{ns}Trackpoint' -> 'trackpoint'."""
    if not isinstance(tag, str):
        return ""
    name = _LOCAL.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1].split(":")[-1].lower()
        if len(_LOCAL) < 4096:
            _LOCAL[tag] = name
    return name


def children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if local(c.tag) == name]


def child(el: ET.Element | None, name: str) -> ET.Element | None:
    if el is None:
        return None
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def descendants(el: ET.Element, name: str) -> Iterator[ET.Element]:
    for c in el.iter():
        if local(c.tag) == name:
            yield c


def text_of(el: ET.Element | None, *path: str) -> str:
    """Stripped text of the element reached by ``path`` (local names); "" if absent."""
    cur = el
    for name in path:
        cur = child(cur, name)
        if cur is None:
            return ""
    return (cur.text or "").strip() if cur is not None else ""


def to_float(text: object) -> float:
    try:
        v = float(str(text).strip().replace(",", "."))
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


def parse_time(text: str) -> datetime | None:
    """ISO 8601 time ('Z', offsets, fractions) -> naive UTC; naive input is taken as UTC."""
    t = text.strip()
    if not t:
        return None
    if t[-1] in "Zz":
        t = t[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        t = re.sub(r"(\.\d{6})\d+", r"\1", t)  # Python accepts at most microseconds
        try:
            dt = datetime.fromisoformat(t)
        except ValueError:
            return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


_R = 6_371_008.8  # mean Earth radius, metres (IUGG)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points (haversine formula)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _R * math.asin(min(1.0, math.sqrt(a)))


def track_distance_m(segments: Iterable[list[tuple[float, float]]]) -> float:
    """Sum of haversine steps inside each segment (no distance across segment breaks)."""
    total = 0.0
    for seg in segments:
        pts = [(a, b) for a, b in seg if not (math.isnan(a) or math.isnan(b))]
        for (a1, b1), (a2, b2) in zip(pts, pts[1:], strict=False):
            total += haversine_m(a1, b1, a2, b2)
    return total


def elevation_gain_m(elevations: Iterable[float], threshold_m: float = 2.0) -> float:
    """Total climb with a hysteresis threshold (ignores GPS altitude jitter below it)."""
    gain = 0.0
    ref: float | None = None
    for e in elevations:
        if math.isnan(e):
            continue
        if ref is None:
            ref = e
        elif e - ref >= threshold_m:
            gain += e - ref
            ref = e
        elif ref - e >= threshold_m:
            ref = e
    return gain
