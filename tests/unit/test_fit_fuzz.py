"""Fuzzed FIT bytes (truncations, flipped bytes, wrong sizes) raise only typed errors."""

from __future__ import annotations

import struct
import sys
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stridewise.errors import StridewiseError
from stridewise.ingest import fit, read_bytes
from stridewise.ingest.base import ReadContext

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "fit"))
import fitbuilder as fb  # noqa: E402

T0 = datetime(2023, 3, 1, 7, 0)
BASE = fb.activity(
    [{"start": T0, "sport": 10, "sub_sport": 20, "elapsed": 1200, "avg_hr": 120},
     {"start": datetime(2023, 3, 1, 7, 25), "sport": 1, "elapsed": 1800, "distance": 5000}],
    sets=[{"start": datetime(2023, 3, 1, 7, 1), "seconds": 30, "reps": 10, "category": [28]}],
    records=40, dev_fields=True).bytes()
FUZZ = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def _outcome(data: bytes) -> None:
    try:
        report = fit.read(data, "fuzz.fit", ReadContext())
    except StridewiseError as exc:
        assert exc.message.endswith(".")
        return
    assert report.n_sessions >= 1


@FUZZ
@given(st.integers(min_value=0, max_value=len(BASE)))
def test_truncation(cut: int) -> None:
    _outcome(BASE[:cut])


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.integers(0, 255)),
                min_size=1, max_size=8))
def test_flipped_bytes(changes: list[tuple[int, int]]) -> None:
    data = bytearray(BASE)
    for pos, value in changes:
        data[pos] = value
    _outcome(bytes(data))


@FUZZ
@given(st.integers(min_value=0, max_value=2**32 - 1), st.sampled_from([12, 14, 0, 255]))
def test_wrong_header_sizes(data_size: int, header_size: int) -> None:
    data = bytearray(BASE)
    struct.pack_into("<I", data, 4, data_size)
    data[0] = header_size
    _outcome(bytes(data))


@FUZZ
@given(st.binary(min_size=0, max_size=300))
def test_random_tail_after_header(tail: bytes) -> None:
    try:
        read_bytes(BASE[:14] + tail, "fuzz.fit", ReadContext())
    except StridewiseError as exc:
        assert exc.message
