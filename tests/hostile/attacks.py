"""Hostile files, generated at run time (nothing large is committed).

Each builder writes one file into a folder and returns its path. They are cheap to build even
when the file claims gigabytes: gzip bombs are many copies of one small compressed member
(gzip allows concatenated members), the 4 GiB file is sparse.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
import sys
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "fit"))
import fitbuilder as fb  # noqa: E402

MiB = 2**20
T0 = datetime(2024, 3, 4, 6, 30)


def _gzip_repeat(first: bytes, chunk: bytes, total: int) -> bytes:
    """gzip bytes that unpack to ``first`` + ``chunk`` repeated until ``total`` bytes."""
    member = gzip.compress(chunk, compresslevel=9)
    copies = max(1, (total - len(first)) // len(chunk))
    return gzip.compress(first) + member * copies


def csv_gzip_bomb(folder: Path, unpacked: int = 6 * 2**30) -> Path:
    """A few MB of .csv.gz that unpacks to ~6 GB of plausible activity rows."""
    head = b"Activity Type,Date,Title,Distance,Time\n"
    row = b"Running,2024-03-04 06:30:00,Easy run,5.00,00:30:00\n"
    chunk = row * (16 * MiB // len(row))
    p = folder / "bomb.csv.gz"
    p.write_bytes(_gzip_repeat(head, chunk, unpacked))
    return p


def _fit_head(data_size: int = 0xFFFFFFF0) -> bytes:
    head = struct.pack("<BBHI4s", 14, 0x20, 2132, data_size, b".FIT")
    return head + struct.pack("<H", fb.crc16(head))


def _empty_session_messages() -> bytes:
    """A file_id and a session definition with no fields (data messages are 1 byte each)."""
    w = fb.FitWriter()
    w.define(0, 0, [(0, 0x00, 1), (4, 0x86, 4)])
    w.data(0, [4, fb.fit_time(T0)])
    w.define(5, 18, [])
    return bytes(w.body)


def fit_gzip_bomb(folder: Path, unpacked: int = 12 * 2**30) -> Path:
    """A .fit.gz of a few MB that unpacks to ~12 GB of one-byte FIT messages."""
    p = folder / "bomb.fit.gz"
    p.write_bytes(_gzip_repeat(_fit_head() + _empty_session_messages(), b"\x05" * 16 * MiB,
                               unpacked))
    return p


def fit_zero_size_messages(folder: Path, n: int = 20_000_000) -> Path:
    """20 MB of FIT holding 20 million zero-size session messages."""
    body = _empty_session_messages() + b"\x05" * n
    p = folder / "zeros.fit"
    with p.open("wb") as fh:
        fh.write(_fit_head(len(body)))
        fh.write(body)
        fh.write(b"\x00\x00")
    return p


def fit_sessions_sets_records(folder: Path, sessions: int = 5000, sets: int = 50_000,
                              records: int = 200_000) -> tuple[Path, dict[str, int]]:
    """One file with many sessions, sets and records (quadratic work before: 567 s for 2 MB).

    Sessions have no distance and no heart rate, so both come from the records; every set
    falls inside one session. Returns the path and the counts a correct import gives."""
    w = fb.FitWriter()
    w.define(0, 0, [(0, 0x00, 1), (4, 0x86, 4)])
    t0 = fb.fit_time(T0)
    w.data(0, [4, t0])
    w.define(1, 20, fb.RECORD_FIELDS)
    for i in range(records):
        w.data(1, [t0 + i, 120 + i % 40, i * 250])
    w.define(2, 225, fb.SET_FIELDS)
    span = records // sessions  # seconds per session
    for k in range(sets):
        start = t0 + (k % sessions) * span + 1
        w.data(2, [start, 30_000, 10, 0, 1, start, [28, 65534, 65534]])
    w.define(3, 18, fb.SESSION_FIELDS)
    for i in range(sessions):
        st = t0 + i * span
        w.data(3, [st + span - 1, st, 1, 0, (span - 1) * 1000, (span - 1) * 1000, 0xFFFFFFFF,
                   0xFFFF, 0xFF, 0xFF, 0xFFFF])
    p = folder / "many.fit"
    p.write_bytes(w.bytes())
    return p, {"sessions": sessions, "sets": sets}


def zip_of_gz_bombs(folder: Path, members: int = 64, each: int = 150 * MiB) -> Path:
    """A zip (stored) of many .fit.gz members, each unpacking to 150 MB: below the one-file
    limit, ~9.6 GB in total, read through the worker processes."""
    member = _gzip_repeat(_fit_head() + _empty_session_messages(), b"\x05" * 8 * MiB, each)
    p = folder / "export.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_STORED) as zf:
        for i in range(members):
            zf.writestr(f"activities/{i}.fit.gz", member)
    return p


def gpx_huge(folder: Path, points: int = 1_000_000) -> Path:
    """A 91 MB GPX track (one point per second for 12 days): a tree of it takes ~1 GB.

    Written as one day of points repeated with the day changed (fast to build)."""
    p = folder / "huge.gpx"
    day = "".join(f'<trkpt lat="52.{i:06d}" lon="13.0"><ele>40</ele><time>%sT'
                  f'{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z</time></trkpt>'
                  for i in range(86_400))
    with p.open("w") as fh:
        fh.write('<?xml version="1.0"?><gpx version="1.1" creator="x" '
                 'xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type><trkseg>')
        for d in range(-(-points // 86_400)):
            fh.write(day.replace("%s", f"{T0 + timedelta(days=d):%Y-%m-%d}"))
        fh.write("</trkseg></trk></gpx>")
    return p


def csv_million_columns(folder: Path, n: int = 1_000_000) -> Path:
    head = ",".join(f"c{i}" for i in range(n))
    row = ",".join("1" for _ in range(n))
    p = folder / "wide.csv"
    p.write_text(head + "\n" + row + "\n" + row + "\n")
    return p


def _strava_rows(titles: list[bytes]) -> list[bytes]:
    return [b"%d,%s,%s,Run,,1800,5000.0,false,,\n" % (
        100 + i, (T0 + timedelta(days=i)).strftime("%Y-%m-%d %H:%M:%S").encode(), t)
        for i, t in enumerate(titles)]


STRAVA_HEAD = b"id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"


def csv_huge_title(folder: Path, size: int = 100 * MiB) -> Path:
    """A Strava activity list (legacy layout) whose first title cell holds 100 MiB."""
    p = folder / "title.csv"
    rows = _strava_rows([b"T", b"Run 2", b"Run 3", b"Run 4", b"Run 5"])
    with p.open("wb") as fh:
        fh.write(STRAVA_HEAD)
        first = rows[0].split(b",T,")
        fh.write(first[0] + b",")
        fh.write(b"x" * size)
        fh.write(b"," + first[1])
        fh.writelines(rows[1:])
    return p


def sparse_4gib(folder: Path) -> Path:
    p = folder / "huge.csv"
    with p.open("wb") as fh:
        fh.write(b"Activity Type,Date,Title,Distance,Time\n")
        fh.truncate(4 * 2**30)
    return p


def utf16_xml_entities(folder: Path) -> Path:
    """A GPX in UTF-16 that declares nested entities (billion laughs)."""
    ents = ['<!ENTITY a0 "lol">'] + [
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    text = ('<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE gpx [' + "".join(ents) + "]>\n"
            '<gpx version="1.1" creator="x"><trk><name>&a9;</name><trkseg>'
            '<trkpt lat="1" lon="1"><time>2024-03-04T06:30:00Z</time></trkpt>'
            '<trkpt lat="1.01" lon="1"><time>2024-03-04T07:00:00Z</time></trkpt>'
            "</trkseg></trk></gpx>")
    p = folder / "laughs.gpx"
    p.write_bytes(text.encode("utf-16"))
    return p


def csv_with_nul(folder: Path) -> Path:
    """A Strava activity list with a NUL byte in a title beyond the first 64 KiB (the part
    sniffed for binary data)."""
    titles = [b"Easy run"] * 2000 + [b"Easy\x00run"]
    p = folder / "nul.csv"
    p.write_bytes(STRAVA_HEAD + b"".join(_strava_rows(titles)))
    return p


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def file_size(p: Path) -> int:
    return os.stat(p).st_size
