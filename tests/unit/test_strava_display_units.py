"""Strava's first Distance column is in the account's unit; it is only read where the metres
column is empty, and then the report says which unit it assumed."""

from __future__ import annotations

import csv
import io

import pytest

from stridewise.demo import STRAVA_HEADER
from stridewise.ingest import ReadContext, read_bytes


def _file(metres: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(STRAVA_HEADER)
    row = [""] * len(STRAVA_HEADER)
    row[0], row[1], row[2], row[3] = "42", "Jun 4, 2024, 6:13:47 AM", "Morning Run", "Run"
    row[5], row[6], row[15], row[16], row[17] = "3000", "10.00", "3000", "2900", metres
    w.writerow(row)
    return buf.getvalue().encode()


def test_metres_column_needs_no_unit():
    report = read_bytes(_file("10012.5"), "activities.csv", ReadContext())
    assert report.sessions["distance_m"].iloc[0] == pytest.approx(10012.5)
    assert report.units is None
    assert not any("displayed distance" in a for a in report.assumptions)


@pytest.mark.parametrize(("units", "metres"), [(None, 10000.0), ("km", 10000.0),
                                               ("mi", 16093.44)])
def test_display_distance_is_read_in_the_assumed_unit(units, metres):
    report = read_bytes(_file(""), "activities.csv", ReadContext(units=units))
    assert report.sessions["distance_m"].iloc[0] == pytest.approx(metres)
    assert report.units == (units or "km")
    assert any("displayed distance was read as" in a for a in report.assumptions)
