"""The ingest dispatcher: sniffing by content, gzip, empty and oversized files."""

from __future__ import annotations

import gzip

import pytest

from stridewise.errors import StridewiseError, UnreadableFile
from stridewise.ingest import MAX_FILE_BYTES, ReadContext, read_bytes, sniff_format


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"PK\x03\x04rest", "export.zip", "stravazip"),
        (b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT", "x.bin", "fit"),
        (b"\xef\xbb\xbf  \n<?xml version='1.0'?><TrainingCenterDatabase>", "a.xml", "tcx"),
        (b"<?xml version='1.0'?>\n<gpx version='1.1'>", "a.txt", "gpx"),
        (b"<?xml version='1.0'?><HealthData>", "export.xml", "otherformats"),
        (b"[Params]\nVersion=106", "s.hrm", "otherformats"),
        (b'{"activity": 1}', "nike.json", "otherformats"),
        (b"Activity ID,Activity Date\n1,2", "activities.csv", "csvfile"),
        (b"date;km\n1;2", "log.txt", "csvfile"),
    ],
)
def test_sniff_by_content(data, name, expected):
    assert sniff_format(data, name) == expected


@pytest.mark.parametrize("data", [b"", b"   \r\n\t", b"\x00\x00\x00"])
def test_empty_file_is_one_sentence(data):
    with pytest.raises(UnreadableFile, match="is empty"):
        read_bytes(data, "activities.csv")


def test_damaged_gzip_is_explained():
    data = gzip.compress(b"Activity ID,Activity Date\n" * 100)[:40]
    with pytest.raises(UnreadableFile, match="damaged gzip"):
        read_bytes(data, "123.fit.gz")


def test_oversized_file_is_refused_before_reading():
    class Big(bytes):
        def __len__(self):  # pretend to be huge without allocating it
            return MAX_FILE_BYTES + 1

    with pytest.raises(UnreadableFile, match="limit"):
        read_bytes(Big(b"x"), "huge.csv")


def test_bad_time_zone_is_a_typed_error():
    with pytest.raises(StridewiseError, match="time zone"):
        read_bytes(b"a,b\n1,2\n", "x.csv", ReadContext(tz="Nowhere/Land"))


def test_vectorised_session_ids_equal_make_session_id():
    import numpy as np

    from stridewise.ingest.base import _session_ids
    from stridewise.schema import make_session_id

    cols = {"source_id": np.array(["", "12", ""], dtype=object),
            "start": np.array(["2025-01-01T07:00:00", "2025-01-02", "NaT"],
                              dtype="datetime64[ns]"),
            "sport": np.array(["run", "ride", "swim"], dtype=object),
            "duration_s": np.array([1800.4, np.nan, np.nan])}
    ids = _session_ids(" Ana ", "fit", cols)
    assert ids[0] == make_session_id("Ana", "fit", "2025-01-01T07:00:00", "run", 1800)
    assert ids[1] == make_session_id("Ana", "fit", "12")
    assert ids[2] == make_session_id("Ana", "fit", "NaT", "swim", "")
    assert len(set(ids)) == 3
