"""FIT activity files (``.fit`` and ``.fit.gz``) -> canonical sessions, fast.

The reader follows the public FIT protocol: a file header, then records that are either
*definition* messages (which describe the layout of a local message type) or *data* messages.
Stridewise needs only a handful of messages (file_id, session, lap, set, sport, activity and,
when a summary is missing, record), so every other data message is skipped by the size its
definition declares, without being decoded. That is where the speed comes from: a watch file is
mostly per-second ``record`` messages.

Handled: compressed-timestamp headers, developer fields (skipped by size), big- and
little-endian definitions, chained FIT files (several headers in one file), a header whose data
size is wrong, truncated files (what is whole is imported and the loss is reported), and
non-activity FIT files (refused with a sentence saying what they are). The file CRC is checked
only when the structure looks damaged, to explain what went wrong; a clean structural decode of
every message up to the declared end is the integrity check on the fast path.

One canonical session per ``session`` message (multi-sport files give several). Strength
``set`` messages become the ``sets`` JSON of the session they fall in.
"""

from __future__ import annotations

import bisect
import math
import struct
from array import array
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from stridewise.errors import ImportRefused, UnreadableFile
from stridewise.ingest import fit_profile as P
from stridewise.ingest.base import ImportReport, ReadContext
from stridewise.ingest.safeio import gunzip_capped, is_gzip
from stridewise.ingest.summary import Summary, to_report
from stridewise.schema import RANGES, sets_to_json

__all__ = ["FitData", "decode", "read", "sessions_from_fit", "summarise"]

# base type number (low 5 bits of the base type byte) -> (struct char, size, invalid value)
_BASE: dict[int, tuple[str, int, Any]] = {
    0: ("B", 1, 0xFF), 1: ("b", 1, 0x7F), 2: ("B", 1, 0xFF), 3: ("h", 2, 0x7FFF),
    4: ("H", 2, 0xFFFF), 5: ("i", 4, 0x7FFFFFFF), 6: ("I", 4, 0xFFFFFFFF), 7: ("s", 1, None),
    8: ("f", 4, "nan"), 9: ("d", 8, "nan"), 10: ("B", 1, 0), 11: ("H", 2, 0),
    12: ("I", 4, 0), 13: ("B", 1, None), 14: ("q", 8, 0x7FFFFFFFFFFFFFFF),
    15: ("Q", 8, 0xFFFFFFFFFFFFFFFF), 16: ("Q", 8, 0),
}
#: Bounds that keep time and memory linear and small on hostile files. No watch writes more
#: than a few dozen sessions or a few thousand sets into one file, and 5 million messages are
#: about 58 days of one-second records.
MAX_MESSAGES = 5_000_000
#: Most messages of one kind kept (beyond: a session/set overflow refuses the file; laps,
#: sports and activities beyond it are not needed and are ignored).
MAX_KEPT = {P.MESG_SESSION: 10_000, P.MESG_SET: 100_000, P.MESG_LAP: 100_000,
            P.MESG_SPORT: 10_000, P.MESG_ACTIVITY: 10_000}
#: Most per-second records kept (about 23 days at one per second), 32 bytes each.
MAX_RECORDS = 2_000_000
_TS_LE = struct.Struct("<I")
_TS_BE = struct.Struct(">I")


@dataclass
class _Decoder:
    """Unpacks the wanted fields of one definition with a single precompiled Struct."""

    mesg: int
    st: struct.Struct
    # (name, scale, count, invalid, is_string) per wanted field, in layout order
    fields: tuple[tuple[str, float, int, Any, bool], ...]
    has_ts: bool

    def __post_init__(self) -> None:
        # all fields scalar integers: one comprehension does the invalid check and scaling
        self.simple = all(c == 1 and not s and inv != "nan" for _, _, c, inv, s in self.fields)
        self.zipped = tuple((name, inv, sc) for name, sc, _, inv, _ in self.fields)

    def unpack(self, buf: bytes, pos: int) -> dict[str, Any]:
        flat = self.st.unpack_from(buf, pos)
        if self.simple:
            return {name: (v / sc if sc != 1 else v)
                    for (name, inv, sc), v in zip(self.zipped, flat, strict=True) if v != inv}
        out: dict[str, Any] = {}
        i = 0
        for name, scale, count, invalid, is_str in self.fields:
            if is_str:
                raw = flat[i]
                i += 1
                text = raw.split(b"\x00", 1)[0].decode("utf-8", "replace").strip()
                if text:
                    out[name] = text
                continue
            vals = flat[i:i + count]
            i += count
            good = []
            for v in vals:
                if invalid == "nan":
                    if v != v or math.isinf(v):
                        continue
                elif v == invalid:
                    continue
                good.append(v / scale if scale != 1 else v)
            if not good:
                continue
            out[name] = good if count > 1 else good[0]
        return out


def _make_decoder(mesg: int, big: bool, layout: list[tuple[int, int, int]]) -> _Decoder | None:
    """layout: (field number, size in bytes, base type byte) in message order."""
    wanted = P.FIELDS.get(mesg)
    if wanted is None:
        return None
    fmt = [">" if big else "<"]
    fields = []
    pad = 0
    has_ts = False
    for num, size, base in layout:
        spec = wanted.get(num)
        bt = _BASE.get(base & 0x1F)
        if spec is None or bt is None or bt[2] is None and bt[0] != "s":
            pad += size
            continue
        ch, bsize, invalid = bt
        if ch == "s":
            if pad:
                fmt.append(f"{pad}x")
                pad = 0
            fmt.append(f"{size}s")
            fields.append((spec[0], 1.0, 1, None, True))
            continue
        if size % bsize or size == 0:  # size does not fit the base type: leave it alone
            pad += size
            continue
        if pad:
            fmt.append(f"{pad}x")
            pad = 0
        count = size // bsize
        fmt.append(f"{count}{ch}" if count > 1 else ch)
        fields.append((spec[0], spec[1], count, invalid, False))
        if num == P.FIELD_TIMESTAMP or (mesg == P.MESG_SET and num == 254):
            has_ts = True
    if not fields and mesg != P.MESG_RECORD:
        return None  # nothing Stridewise needs: skipped by size like any other message
    if pad:
        fmt.append(f"{pad}x")
    return _Decoder(mesg, struct.Struct("".join(fmt)), tuple(fields), has_ts)


class RecordColumns:
    """Per-second ``record`` messages stored as compact columns (32 bytes per record).

    ts: FIT seconds (-1 when missing); hr: heart rate (NaN when missing); dist: cumulative
    distance in metres (NaN when missing); file: index of the chained FIT file.
    """

    __slots__ = ("ts", "hr", "dist", "file", "dropped")

    def __init__(self) -> None:
        self.ts = array("q")
        self.hr = array("d")
        self.dist = array("d")
        self.file = array("q")
        self.dropped = 0

    def __len__(self) -> int:
        return len(self.ts)

    def add(self, rec: dict[str, Any], file_index: int) -> None:
        if len(self.ts) >= MAX_RECORDS:
            self.dropped += 1
            return
        t = rec.get("timestamp")
        self.ts.append(t if isinstance(t, int) else -1)
        self.hr.append(_num(rec.get("heart_rate")))
        self.dist.append(_num(rec.get("distance")))
        self.file.append(file_index)


@dataclass
class FitData:
    """What :func:`decode` found. Times are FIT seconds (since 1989-12-31 UTC) as ints."""

    file_types: list[int | None] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    laps: list[dict[str, Any]] = field(default_factory=list)
    sets: list[dict[str, Any]] = field(default_factory=list)
    sports: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    rec: RecordColumns = field(default_factory=RecordColumns)
    #: file_id.time_created per chained file (FIT seconds), None when absent
    time_created: list[int | None] = field(default_factory=list)
    #: message kinds with more messages than :data:`MAX_KEPT` allows
    overflow: set[int] = field(default_factory=set)
    #: more than :data:`MAX_MESSAGES` data messages: decoding stopped there
    too_many_messages: bool = False
    n_messages: int = 0
    warnings: list[str] = field(default_factory=list)
    damaged: bool = False
    n_files: int = 0
    #: field numbers that ``record`` definitions declare (3 = heart rate, 5 = distance)
    record_fields: set[int] = field(default_factory=set)

    @property
    def records(self) -> list[dict[str, Any]]:
        """The decoded records as dicts (timestamp, heart_rate, distance, file_index)."""
        out = []
        r = self.rec
        for t, h, d, f in zip(r.ts, r.hr, r.dist, r.file, strict=True):
            rec: dict[str, Any] = {"file_index": f}
            if t >= 0:
                rec["timestamp"] = t
            if h == h:
                rec["heart_rate"] = h
            if d == d:
                rec["distance"] = d
            out.append(rec)
        return out


def _crc16(data: bytes | memoryview) -> int:
    """FIT CRC-16 (polynomial 0x8005 reflected, init 0), as the protocol document gives it."""
    crc = 0
    for byte in data:
        tmp = _CRC_TABLE[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ _CRC_TABLE[byte & 0xF]
        tmp = _CRC_TABLE[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ _CRC_TABLE[(byte >> 4) & 0xF]
    return crc


_CRC_TABLE = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
              0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)


def _is_header(buf: bytes, pos: int) -> bool:
    return (len(buf) - pos >= 12 and buf[pos + 8:pos + 12] == b".FIT"
            and buf[pos] in (12, 14) and pos + buf[pos] <= len(buf))


def decode(data: bytes, *, records: bool = False) -> FitData:
    """Decode the messages Stridewise needs from FIT bytes (possibly several chained files).

    ``records=True`` also decodes per-second ``record`` messages (timestamp, heart rate,
    distance), which is slower; the importer asks for them only when a summary is missing.
    Raises :class:`UnreadableFile` when the bytes are not FIT at all; damage after a valid
    start is reported in ``FitData.warnings`` and ``damaged``.
    """
    buf = bytes(data)
    out = FitData()
    if not _is_header(buf, 0):
        raise UnreadableFile("This is not a FIT file: its header lacks the '.FIT' signature.")
    start = 0
    while _is_header(buf, start):
        out.n_files += 1
        out.file_types.append(None)
        out.time_created.append(None)
        ok = _decode_one(buf, start, out, records)
        if not ok or out.too_many_messages:
            break
        start = ok
    else:
        rest = buf[start:]
        if rest.strip(b"\x00") and start < len(buf):
            out.warnings.append(
                f"{len(rest)} bytes after the end of the FIT data were not recognised and "
                "were ignored.")
    return out


def _decode_one(buf: bytes, start: int, out: FitData, want_records: bool) -> int:
    """Decode one FIT file starting at ``start``; return the next file's offset, or 0 to stop."""
    hsize = buf[start]
    data_size = int.from_bytes(buf[start + 4:start + 8], "little")
    pos = start + hsize
    declared_end = pos + data_size
    n = len(buf)
    size_wrong = False
    if data_size == 0 or declared_end + 2 > n:
        # Header data size is wrong or the file was cut short: read up to the physical end,
        # leaving room for the 2-byte CRC when the file looks complete.
        size_wrong = data_size != 0 and declared_end > n
        end = n - 2 if n - pos >= 2 else n
    else:
        end = declared_end
    defs: list[tuple[int, int, Any, int, bool] | None] = [None] * 16
    cache: dict[tuple[int, bool, bytes], Any] = {}
    file_index = out.n_files - 1
    mesg_lists = {
        P.MESG_FILE_ID: None, P.MESG_SESSION: out.sessions, P.MESG_LAP: out.laps,
        P.MESG_SET: out.sets, P.MESG_SPORT: out.sports, P.MESG_ACTIVITY: out.activities,
        P.MESG_RECORD: out.rec if want_records else None,
    }
    budget = MAX_MESSAGES - out.n_messages
    last_ts = 0
    last_ts_pos = -1  # position of the newest not-yet-read timestamp field
    last_ts_big = False
    problem = ""
    ts_le = _TS_LE.unpack_from
    ts_be = _TS_BE.unpack_from
    try:
        while pos < end:
            h = buf[pos]
            pos += 1
            if h & 0x80:  # compressed timestamp header: local type in bits 5-6
                d = defs[(h >> 5) & 0x03]
                if d is None:
                    problem = "a message refers to a layout that was never defined"
                    pos -= 1
                    break
                size, mesg, dec, ts_off, big = d
                if pos + size > end:
                    pos -= 1
                    problem = "the file ends in the middle of a message"
                    break
                if last_ts_pos >= 0:
                    last_ts = (ts_be if last_ts_big else ts_le)(buf, last_ts_pos)[0]
                    last_ts_pos = -1
                budget -= 1
                if budget < 0:
                    out.too_many_messages = True
                    break
                off = h & 0x1F
                ts = (last_ts & ~0x1F) + off
                if off < (last_ts & 0x1F):
                    ts += 0x20
                last_ts = ts
                if dec is not None:
                    rec = dec.unpack(buf, pos)
                    if rec or mesg == P.MESG_RECORD:  # a message with no valid field is nothing
                        rec.setdefault("timestamp", ts)
                        _store(mesg, rec, mesg_lists, out, file_index)
                pos += size
            elif h & 0x40:  # definition message
                if pos + 5 > end:
                    pos -= 1
                    problem = "the file ends in the middle of a message definition"
                    break
                big = buf[pos + 1] == 1
                mesg = int.from_bytes(buf[pos + 2:pos + 4], "big" if big else "little")
                nf = buf[pos + 4]
                fpos = pos + 5
                fend = fpos + 3 * nf
                if fend > end:
                    pos -= 1
                    problem = "the file ends in the middle of a message definition"
                    break
                nums = buf[fpos:fend:3]
                sizes = buf[fpos + 1:fend:3]
                size = sum(sizes)
                ts_off = -1
                k = nums.find(P.FIELD_TIMESTAMP)
                if k >= 0 and sizes[k] == 4:
                    ts_off = sum(sizes[:k])
                pos = fend
                if h & 0x20:  # developer fields follow: skip them by size
                    if pos + 1 > end:
                        pos -= 1
                        problem = "the file ends in the middle of a message definition"
                        break
                    nd = buf[pos]
                    dend = pos + 1 + 3 * nd
                    if dend > end:
                        pos -= 1
                        problem = "the file ends in the middle of a message definition"
                        break
                    size += sum(buf[i + 1] for i in range(pos + 1, dend, 3))
                    pos = dend
                if mesg == P.MESG_RECORD:
                    out.record_fields.update(nums)
                dec = None
                if mesg == P.MESG_FILE_ID or mesg_lists.get(mesg) is not None:
                    key = (mesg, big, buf[fpos:fend])
                    dec = cache.get(key, False)
                    if dec is False:
                        layout = [(buf[i], buf[i + 1], buf[i + 2]) for i in range(fpos, fend, 3)]
                        dec = cache[key] = _make_decoder(mesg, big, layout)
                defs[h & 0x0F] = (size, mesg, dec, ts_off, big)
            else:  # data message
                d = defs[h & 0x0F]
                if d is None:
                    pos -= 1
                    problem = "a message refers to a layout that was never defined"
                    break
                size, mesg, dec, ts_off, big = d
                if pos + size > end:
                    pos -= 1
                    problem = "the file ends in the middle of a message"
                    break
                budget -= 1
                if size == 0 and dec is None:
                    # a run of empty messages (never written by a device; a flood in hostile
                    # files) is counted in one step instead of one loop turn each
                    seg = buf[pos:min(end, pos + budget + 1)]
                    run = len(seg) - len(seg.lstrip(buf[pos - 1:pos]))
                    budget -= run
                    pos += run
                if budget < 0:
                    out.too_many_messages = True
                    break
                if ts_off >= 0:
                    last_ts_pos = pos + ts_off
                    last_ts_big = big
                if dec is not None:
                    rec = dec.unpack(buf, pos)
                    if not rec and mesg != P.MESG_RECORD:
                        pos += size
                        continue
                    if not dec.has_ts:
                        if last_ts_pos >= 0:
                            last_ts = (ts_be if last_ts_big else ts_le)(buf, last_ts_pos)[0]
                            last_ts_pos = -1
                        rec.setdefault("timestamp", last_ts)
                    _store(mesg, rec, mesg_lists, out, file_index)
                pos += size
    except (struct.error, IndexError):
        problem = "a message is malformed"
    out.n_messages = MAX_MESSAGES - budget
    if out.too_many_messages:
        return 0
    if problem or (pos < end):
        out.damaged = True
        lost = max(0, min(declared_end, n) - pos)
        crc_note = ""
        if declared_end + 2 <= n and _crc16(memoryview(buf)[start:declared_end + 2]) != 0:
            crc_note = " (its checksum does not match either: the bytes were damaged)"
        out.warnings.append(
            f"The FIT data is damaged at byte {pos}: {problem or 'a message is malformed'}"
            f"{crc_note}; {lost} bytes after that point could not be read and were left out.")
        return 0
    if size_wrong:
        out.warnings.append(
            "The FIT header states a wrong data size; the file was read up to its real end.")
        return 0
    return end + 2


def _store(mesg: int, rec: dict[str, Any], lists: dict[int, Any], out: FitData,
           file_index: int) -> None:
    if mesg == P.MESG_FILE_ID:
        t = rec.get("type")
        t = t[0] if isinstance(t, list) else t
        if out.file_types[file_index] is None and isinstance(t, int):
            out.file_types[file_index] = t
        created = _first(rec.get("time_created"))
        if out.time_created[file_index] is None and isinstance(created, int):
            out.time_created[file_index] = created
        return
    if mesg == P.MESG_RECORD:
        out.rec.add(rec, file_index)
        return
    target = lists.get(mesg)
    if target is not None:
        if len(target) >= MAX_KEPT.get(mesg, 0):
            out.overflow.add(mesg)
            return
        rec["file_index"] = file_index
        target.append(rec)


# --------------------------------------------------------------------------------------------
# FitData -> canonical rows


def _absolute(t: Any) -> bool:
    """A FIT date_time counted from the FIT epoch (not from the device's power-on)."""
    return isinstance(t, int) and t >= P.FIT_TIME_MIN_ABSOLUTE


def _fit_time(t: Any) -> datetime | None:
    if isinstance(t, float) and t == t:
        t = int(t)
    if not _absolute(t):
        return None
    try:
        return datetime.fromtimestamp(int(t) + P.FIT_EPOCH_S, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def _first(v: Any) -> Any:
    return v[0] if isinstance(v, list) else v


def _num(v: Any) -> float:
    v = _first(v)
    if v is None:
        return math.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _plausible_s(v: float) -> bool:
    lo, hi = RANGES["duration_s"]
    return not math.isnan(v) and lo <= v <= hi


def _span(s: dict[str, Any]) -> float:
    """The session's length in seconds: elapsed time, or the timer time when the elapsed time
    is missing or impossible (a clock jump can give a 2-hour ride 27 days of elapsed time)."""
    elapsed = _num(s.get("total_elapsed_time"))
    if _plausible_s(elapsed):
        return elapsed
    timer = _num(s.get("total_timer_time"))
    return timer if _plausible_s(timer) else math.nan


def _session_window(s: dict[str, Any]) -> tuple[float, float]:
    """(start, end) in FIT seconds; NaN when the session itself gives no absolute start."""
    start = _first(s.get("start_time"))
    end = _first(s.get("timestamp"))
    start = start if _absolute(start) else None
    end = end if _absolute(end) else None
    span = _span(s)
    if start is None and end is not None and not math.isnan(span):
        start = end - span
    if start is None:
        return math.nan, math.nan
    if not math.isnan(span):
        end_t = start + span
    else:
        end_t = end if end is not None and end >= start else start
    return float(start), float(end_t)


def _set_record(s: dict[str, Any]) -> dict[str, Any]:
    cats = s.get("category")
    cats = cats if isinstance(cats, list) else ([cats] if cats is not None else [])
    subs = s.get("category_subtype")
    subs = subs if isinstance(subs, list) else ([subs] if subs is not None else [])
    # the first recognised (category, exercise name) pair: the set's exercise is the profile's
    # name for it ("single leg deadlift with dumbbell"), the category stays as context; a set
    # without a known name keeps the category in words
    category, exercise = "", ""
    for i, c in enumerate(cats):
        if c is None or int(c) == P.EXERCISE_UNKNOWN or int(c) not in P.EXERCISE_CATEGORIES:
            continue
        sub = subs[i] if i < len(subs) else None
        name = P.exercise_name(int(c), int(sub)) if isinstance(sub, int | float) else ""
        if not category:
            category = P.EXERCISE_CATEGORIES[int(c)]
            exercise = name
        if name:
            category, exercise = P.EXERCISE_CATEGORIES[int(c)], name
            break
    reps = _num(s.get("repetitions"))
    weight = _num(s.get("weight"))
    seconds = _num(s.get("duration"))
    return {
        "exercise": exercise or (category.replace("_", " ") if category else ""),
        "category": category,
        "reps": None if math.isnan(reps) else int(reps),
        "weight_kg": None if math.isnan(weight) else round(weight, 2),
        "seconds": None if math.isnan(seconds) else round(seconds, 3),
    }


class _Starts:
    """Session starts of a group of sessions, sorted, to find 'the session that had most
    recently started' at a time with one binary search."""

    def __init__(self, idxs: list[int], windows: list[tuple[float, float]]) -> None:
        pairs = sorted((windows[i][0], i) for i in idxs if not math.isnan(windows[i][0]))
        self.starts = [p[0] for p in pairs]
        self.index = [p[1] for p in pairs]

    def latest_started(self, t: float) -> int | None:
        """Index of the latest session started at or before ``t`` (the first of equal starts)."""
        pos = bisect.bisect_right(self.starts, t) - 1
        if pos < 0:
            return None
        return self.index[bisect.bisect_left(self.starts, self.starts[pos])]


def _assign_sets(sessions: list[dict[str, Any]], sets: list[dict[str, Any]],
                 windows: list[tuple[float, float]] | None = None) -> list[list[dict]]:
    """Active sets grouped per session: the latest session that had started when the set began.

    (Session windows can overlap: Garmin's strength-run-strength files give the run an elapsed
    time that reaches into the next strength session.) One pass over the sets with a binary
    search each: O((sets + sessions) log sessions)."""
    out: list[list[dict]] = [[] for _ in sessions]
    if not sessions:
        return out
    if windows is None:
        windows = [_session_window(s) for s in sessions]
    by_file: dict[Any, list[int]] = {}
    for i, s in enumerate(sessions):
        if not math.isnan(windows[i][0]):
            by_file.setdefault(s.get("file_index"), []).append(i)
    tables = {k: _Starts(v, windows) for k, v in by_file.items()}
    everyone = list(range(len(sessions)))
    fallback = _Starts(everyone, windows)
    for st in sets:
        if _first(st.get("set_type")) != P.SET_TYPE_ACTIVE:
            continue
        t = _first(st.get("start_time"))
        if not isinstance(t, (int, float)):
            t = _first(st.get("timestamp"))
        key = st.get("file_index")
        same, table = (by_file[key], tables[key]) if key in by_file else (everyone, fallback)
        best = same[0]
        if isinstance(t, (int, float)):
            found = table.latest_started(t + 1)
            if found is not None:
                best = found
        out[best].append(_set_record(st))
    return out


class _RangeMax:
    """Maximum of any slice of a float array in O(block) time, from per-block maxima."""

    B = 1024

    def __init__(self, v: np.ndarray) -> None:
        self.v = v
        self.blocks = (np.maximum.reduceat(v, np.arange(0, len(v), self.B)) if len(v)
                       else np.empty(0))

    def query(self, lo: int, hi: int) -> float:
        if hi <= lo:
            return -math.inf
        b_lo, b_hi = -(-lo // self.B), hi // self.B
        if b_lo >= b_hi:
            return float(self.v[lo:hi].max())
        m = float(self.blocks[b_lo:b_hi].max())
        if lo < b_lo * self.B:
            m = max(m, float(self.v[lo:b_lo * self.B].max()))
        if b_hi * self.B < hi:
            m = max(m, float(self.v[b_hi * self.B:hi].max()))
        return m


class _RecIndex:
    """The records with absolute times, sorted by time, answering window summaries in
    logarithmic time (prefix sums and block maxima), so many sessions stay linear."""

    def __init__(self, rc: RecordColumns) -> None:
        ts = np.frombuffer(rc.ts, dtype=np.int64) if len(rc) else np.empty(0, np.int64)
        keep = ts >= P.FIT_TIME_MIN_ABSOLUTE
        order = np.argsort(ts[keep], kind="stable")
        self.ts = ts[keep][order]
        self.n_relative = int((ts >= 0).sum() - keep.sum())
        hr = np.frombuffer(rc.hr, dtype=np.float64)[keep][order] if len(rc) else np.empty(0)
        dist = np.frombuffer(rc.dist, dtype=np.float64)[keep][order] if len(rc) else np.empty(0)
        files = np.frombuffer(rc.file, dtype=np.int64)[keep][order] if len(rc) else np.empty(0)
        good_hr = np.nan_to_num(hr, nan=0.0) > 0
        self.hr_sum = np.concatenate([[0.0], np.cumsum(np.where(good_hr, hr, 0.0))])
        self.hr_n = np.concatenate([[0], np.cumsum(good_hr)])
        self.hr_max = _RangeMax(np.where(good_hr, hr, -np.inf))
        good_d = ~np.isnan(dist)
        self.d_max = _RangeMax(np.where(good_d, dist, -np.inf))
        self.d_neg_min = _RangeMax(np.where(good_d, -dist, -np.inf))
        self.by_file = {int(f): self.ts[files == f] for f in np.unique(files)}

    def __len__(self) -> int:
        return len(self.ts)

    def summary(self, a: float, b: float) -> dict[str, float]:
        """Distance, HR and first/last time of the records inside [a, b] (all if a is NaN).

        Record distance is cumulative over the file, so a window's distance is its max - min."""
        if math.isnan(a):
            lo, hi = 0, len(self.ts)
        else:
            lo = int(np.searchsorted(self.ts, a, "left"))
            hi = int(np.searchsorted(self.ts, b, "right"))
        res: dict[str, float] = {}
        if hi <= lo:
            return res
        d_hi = self.d_max.query(lo, hi)
        if d_hi > -math.inf:
            res["distance"] = d_hi - (-self.d_neg_min.query(lo, hi) if not math.isnan(a) else 0.0)
        n = int(self.hr_n[hi] - self.hr_n[lo])
        if n:
            res["avg_hr"] = float(self.hr_sum[hi] - self.hr_sum[lo]) / n
            res["max_hr"] = self.hr_max.query(lo, hi)
        res["first"] = float(self.ts[lo])
        res["last"] = float(self.ts[hi - 1])
        return res

    def first_after(self, file_index: Any, t: float) -> int | None:
        """The first record time of a chained file at or after ``t`` (any, if t is NaN)."""
        ts = self.by_file.get(file_index) if isinstance(file_index, int) else None
        if ts is None or not len(ts):
            return None
        pos = 0 if math.isnan(t) else int(np.searchsorted(ts, t, "left"))
        return int(ts[pos]) if pos < len(ts) else None


def _date_sessions(sessions: list[dict[str, Any]], fd: FitData, recs: _RecIndex | None,
                   notes: list[str]) -> list[tuple[float, float]]:
    """Each session's (start, end) in FIT seconds, from the best evidence: its own start time,
    its end minus its length, the first of its records, or its file's creation time. What was
    assumed goes to ``notes``. Start NaN: no absolute time anywhere (the watch's clock was not
    set, so its times count from power-on)."""
    windows = [_session_window(s) for s in sessions]
    # per chained file: the earliest power-on-relative start, the zero of its offsets
    base: dict[Any, int] = {}
    for s in sessions:
        rel = _first(s.get("start_time"))
        if isinstance(rel, int) and not _absolute(rel):
            fi = s.get("file_index")
            base[fi] = min(base.get(fi, rel), rel)
    prev_end: dict[Any, float] = {}
    from_records = from_created = 0
    for i, s in enumerate(sessions):
        fi = s.get("file_index")
        a, b = windows[i]
        if math.isnan(a):
            span = _span(s)
            t = recs.first_after(fi, prev_end.get(fi, math.nan)) if recs is not None else None
            if t is not None:
                from_records += 1
            else:
                created = fd.time_created[fi] if isinstance(fi, int) and fi < len(
                    fd.time_created) else None
                if _absolute(created):
                    # the creation time plus how far into the device's run this session began
                    rel = _first(s.get("start_time"))
                    offset = rel - base[fi] if isinstance(rel, int) and fi in base else 0
                    t = created + offset
                    from_created += 1
            if t is not None:
                a = float(t)
                if not math.isnan(span):
                    b = a + span
                elif recs is not None:
                    b = recs.summary(a, math.inf).get("last", a)
                else:
                    b = a
                windows[i] = (a, b)
        if not math.isnan(windows[i][1]):
            prev_end[fi] = windows[i][1] + 1
    if from_records:
        notes.append(f"{from_records} session(s) carry no usable start time; they were dated "
                     "from their first per-second record.")
    if from_created:
        notes.append(f"{from_created} session(s) carry only times counted from when the watch "
                     "was switched on; they were dated from the file's creation time.")
    return windows


def sessions_from_fit(fd: FitData, file_name: str, data: bytes | None = None,
                      assumptions: list[str] | None = None
                      ) -> tuple[list[dict[str, Any]], list[str]]:
    """Canonical row dicts (``start`` still UTC) and warnings from decoded FIT data.

    When a session lacks its distance, heart rate or start time, or a damaged file has no
    session summary at all, and the raw ``data`` is given, the per-second records are decoded
    to fill the gap (what was filled or assumed is appended to ``assumptions`` when given).
    """
    warnings: list[str] = []
    notes = assumptions if assumptions is not None else []
    sessions = [s for s in fd.sessions
                if fd.file_types[s["file_index"]] in (None, P.FILE_ACTIVITY)]
    has_hr, has_dist = 3 in fd.record_fields, 5 in fd.record_fields
    need_records = (not sessions) or any(
        (has_dist and "total_distance" not in s and P.SPORT_NAMES.get(
            _first(s.get("sport")) or 0) in ("running", "cycling", "walking", "hiking",
                                               "swimming"))
        or (has_hr and not _first(s.get("avg_heart_rate")))
        or math.isnan(_session_window(s)[0]) for s in sessions)
    rc = fd.rec
    if need_records and not len(rc) and data is not None:
        rc = decode(data, records=True).rec
    recs = _RecIndex(rc) if len(rc) else None
    if rc.dropped:
        warnings.append(f"Only the first {MAX_RECORDS:,} per-second records were read; "
                        f"{rc.dropped:,} more were left out.")
    if not sessions:
        if recs is None or not len(recs):
            return [], warnings
        sport, sub = None, None
        if fd.sports:
            sport, sub = _first(fd.sports[0].get("sport")), _first(fd.sports[0].get("sub_sport"))
        summ = recs.summary(math.nan, math.nan)
        sessions = [{
            "start_time": int(summ["first"]), "timestamp": int(summ["last"]),
            "total_elapsed_time": summ["last"] - summ["first"], "sport": sport,
            "sub_sport": sub, "file_index": min(recs.by_file) if recs.by_file else 0,
            **({"total_distance": summ["distance"]} if "distance" in summ else {}),
            **({"avg_heart_rate": summ["avg_hr"], "max_heart_rate": summ["max_hr"]}
               if "avg_hr" in summ else {}),
            "_rebuilt": True,
        }]
        warnings.append(
            f"{file_name} has no session summary (the recording was cut short); the session "
            f"was rebuilt from its {len(recs)} per-second records.")
    windows = _date_sessions(sessions, fd, recs, notes)
    sport_names: dict[Any, list[Any]] = {}
    for sp in fd.sports:
        if sp.get("name"):
            sport_names.setdefault(sp.get("file_index"), []).append(sp.get("name"))
    sets_per = _assign_sets(sessions, fd.sets, windows)
    rows = []
    hr_from_records = 0
    dist_from_records: list[datetime] = []
    undated = 0
    for s, sets, (a, b) in zip(sessions, sets_per, windows, strict=True):
        start = _fit_time(int(a)) if not math.isnan(a) else None
        if start is None:
            undated += 1
            continue
        sport_v, sub_v = _first(s.get("sport")), _first(s.get("sub_sport"))
        elapsed = _num(s.get("total_elapsed_time"))
        timer = _num(s.get("total_timer_time"))
        dist = _num(s.get("total_distance"))
        avg_hr, max_hr = _num(s.get("avg_heart_rate")), _num(s.get("max_heart_rate"))
        summ: dict[str, float] | None = None
        if recs is not None and not s.get("_rebuilt") and (
                math.isnan(dist) or math.isnan(avg_hr) or avg_hr < 20):
            summ = recs.summary(a, b)
        if math.isnan(dist) and summ and "distance" in summ:
            dist = summ["distance"]
            dist_from_records.append(start)
        if (math.isnan(avg_hr) or avg_hr < 20) and summ and "avg_hr" in summ:
            avg_hr = summ["avg_hr"]
            max_hr = max_hr if max_hr and max_hr >= 20 else summ["max_hr"]
            hr_from_records += 1
        if not math.isnan(elapsed) and not _plausible_s(elapsed) and _plausible_s(timer):
            notes.append(
                f"the session starting {start:%Y-%m-%d %H:%M} UTC states an impossible "
                f"elapsed time ({elapsed / 86400:.1f} days); its timer time "
                f"({timer / 3600:.1f} h) was used as its duration.")
            elapsed = timer
        if math.isnan(elapsed):
            elapsed = max(0.0, b - a) if not math.isnan(b) else math.nan
        title = s.get("sport_profile_name") or ""
        if not title:
            names = sport_names.get(s.get("file_index"), [])
            title = names[0] if len(names) == 1 else P.sport_label(sport_v, sub_v)
        row = {
            "start": start, "sport": P.canonical_sport(sport_v, sub_v), "title": str(title),
            "duration_s": elapsed, "moving_s": timer, "distance_m": dist,
            "elevation_gain_m": _num(s.get("total_ascent")),
            "avg_hr": avg_hr if avg_hr and avg_hr >= 20 else math.nan,
            "max_hr": max_hr if max_hr and max_hr >= 20 else math.nan,
            "calories": _num(s.get("total_calories")),
            "sets": sets_to_json(sets), "source_id": "",
        }
        for col, (lo, hi) in RANGES.items():
            v = row.get(col)
            if isinstance(v, float) and not math.isnan(v) and not lo <= v <= hi:
                if col == "duration_s":
                    row[col] = math.nan
                else:
                    warnings.append(
                        f"The session starting {start:%Y-%m-%d %H:%M} UTC has an implausible "
                        f"{col} ({v:g}); it was left empty.")
                    row[col] = math.nan
        if math.isnan(row["duration_s"]):
            warnings.append(
                f"The session starting {start:%Y-%m-%d %H:%M} UTC has no usable duration and "
                "was left out.")
            continue
        if not math.isnan(row["moving_s"]) and row["moving_s"] > row["duration_s"] + 60:
            row["moving_s"] = row["duration_s"]
        rows.append(row)
    if len(dist_from_records) == 1:
        warnings.append(
            f"The session starting {dist_from_records[0]:%Y-%m-%d %H:%M} UTC has no total "
            "distance; it was taken from the per-second records.")
    elif dist_from_records:
        warnings.append(
            f"{len(dist_from_records)} sessions have no total distance; it was taken from the "
            "per-second records.")
    if undated:
        warnings.append(_UNDATED.format(n=undated, file_name=file_name))
    if hr_from_records and assumptions is not None:
        assumptions.append(
            f"heart rate of {hr_from_records} session(s) computed from the per-second records "
            "(the file's session summary has none).")
    return rows, warnings


_UNDATED = ("{n} session(s) in {file_name} carry no date: their times count from when the watch "
            "was switched on (its clock was not set) and no record or creation time gives the "
            "real date, so they were left out.")


def _check_bounds(fd: FitData, file_name: str) -> None:
    """Refuse files past the bounds no recording reaches (they are built to exhaust memory)."""
    if fd.too_many_messages:
        raise UnreadableFile(
            f"{file_name} holds more than {MAX_MESSAGES:,} FIT messages, far more than any "
            "activity recording, so it was not read.")
    for mesg in (P.MESG_SESSION, P.MESG_SET):
        if mesg in fd.overflow:
            what = "sessions" if mesg == P.MESG_SESSION else "strength sets"
            raise UnreadableFile(
                f"{file_name} holds more than {MAX_KEPT[mesg]:,} {what}, far more than any "
                "activity recording, so it was not read.")


def _refusal(fd: FitData, file_name: str) -> ImportRefused:
    kinds = [t for t in fd.file_types if t is not None and t != P.FILE_ACTIVITY]
    if kinds:
        what = P.FILE_TYPES.get(kinds[0], f"a FIT file of type {kinds[0]}")
        kind = what.split("(")[0].replace("a ", "", 1).replace("an ", "", 1).strip()
        return ImportRefused(
            f"{file_name} is a FIT {what.split(' ', 1)[1]}, not a recorded activity, so it "
            "holds no training sessions; import the activity FIT files instead.",
            kind=f"FIT {kind}")
    if fd.damaged:
        return ImportRefused(
            f"{file_name} is a damaged FIT file that ends before any session or record could "
            "be read; export the activity again from the watch or app.",
            kind="damaged FIT file")
    return ImportRefused(
        f"{file_name} is a FIT file without any activity session or record in it, so there "
        "is nothing to import.", kind="empty FIT file")


def read(data: bytes, file_name: str, ctx: ReadContext) -> ImportReport:
    """Read FIT bytes (gzip already removed by the dispatcher, but accepted here too)."""
    return to_report(summarise(data, file_name), file_name, ctx, "fit")


def summarise(data: bytes, file_name: str) -> Summary:
    """The sessions of FIT bytes as row dicts (start in UTC) with the report notes."""
    if is_gzip(data):
        data = gunzip_capped(data, file_name)
    try:
        fd = decode(data)
    except UnreadableFile as exc:
        raise UnreadableFile(f"{file_name}: {exc.message}") from exc
    _check_bounds(fd, file_name)
    try:
        if fd.file_types and all(t not in (None, P.FILE_ACTIVITY) for t in fd.file_types):
            raise _refusal(fd, file_name)
        notes: list[str] = []
        rows, warns = sessions_from_fit(fd, file_name, data, notes)
    except UnreadableFile as exc:
        raise UnreadableFile(f"{file_name}: {exc.message}") from exc
    except (TypeError, ValueError, ArithmeticError, IndexError, KeyError) as exc:
        # Values that no valid FIT file holds (e.g. a byte-flipped field type); say so.
        raise UnreadableFile(
            f"{file_name} holds FIT messages with impossible values, so it is damaged and "
            "cannot be imported; export the activity again.") from exc
    if not rows:
        undated = [w for w in warns if "carry no date" in w]
        if undated:
            raise ImportRefused(
                f"{file_name} is a FIT activity whose times count from when the watch was "
                "switched on (its clock was not set), and nothing in it gives the real date; "
                "set the watch's clock or export the activity from the app it synced to.",
                kind="FIT file without dates")
        raise _refusal(fd, file_name)
    fmt = "FIT activity file"
    if fd.n_files > 1:
        fmt += f" ({fd.n_files} chained FIT files)"
    other = [P.FILE_TYPES.get(t, str(t)) for t in fd.file_types
             if t not in (None, P.FILE_ACTIVITY)]
    warnings = list(fd.warnings) + warns
    if fd.damaged and fd.sessions:
        warnings.append("The session summaries written before the damage were intact and were "
                        "imported.")
    if other:
        warnings.append(f"{len(other)} chained part(s) that are not activities were skipped "
                        f"({', '.join(sorted(set(other)))}).")
    return Summary(fmt, rows, notes, warnings)
