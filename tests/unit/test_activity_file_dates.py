"""GPX/TCX sessions whose times are placeholders (1901 sentinel, Unix 0, FIT epoch, before GPS
time began): dated from the best evidence with the assumption said, or refused with the real
reason; never dated 1901/1970/1989 silently."""

from __future__ import annotations

from datetime import datetime

import pytest

from stridewise.errors import ImportRefused
from stridewise.ingest import gpx, tcx
from stridewise.ingest.base import ReadContext
from stridewise.ingest.summary import clean_rows, is_real_time
from stridewise.schema import validate

SENTINEL = "1901-12-13T20:45:52Z"


def _gpx(point_times: list[str], metadata_time: str | None) -> bytes:
    meta = f"<metadata><time>{metadata_time}</time></metadata>" if metadata_time else ""
    pts = "".join(f'<trkpt lat="{52.5 + 0.009 * i:.4f}" lon="13.4"><time>{t}</time></trkpt>'
                  for i, t in enumerate(point_times))
    return (f'<?xml version="1.0"?><gpx version="1.1" creator="Logger" '
            f'xmlns="http://www.topografix.com/GPX/1/1">{meta}<trk><name>Morning Run</name>'
            f"<type>running</type><trkseg>{pts}</trkseg></trk></gpx>").encode()


def test_gpx_with_sentinel_times_is_dated_by_its_metadata_time() -> None:
    r = gpx.read(_gpx([SENTINEL] * 3, "2019-06-02T07:31:10Z"), "run.gpx", ReadContext())
    validate(r.sessions)
    one = r.sessions.iloc[0]
    assert str(one["start"]) == "2019-06-02 07:31:10"  # not 1901
    assert one["distance_m"] == pytest.approx(2001.5, abs=1.0)  # 2 x 0.009 degrees of latitude
    assert one["duration_s"] == pytest.approx(one["distance_m"] / 1000 * 360.0)  # 6:00 per km
    assert bool(one["duration_estimated"]) is True
    said = " ".join(r.assumptions)
    assert "placeholder" in said and "1901-12-13 20:45:52" in said and "metadata time" in said


def test_gpx_with_only_sentinel_times_and_no_other_date_is_refused_with_the_reason() -> None:
    with pytest.raises(ImportRefused, match="cannot be dated: .*placeholder") as err:
        gpx.read(_gpx([SENTINEL] * 3, None), "run.gpx", ReadContext())
    assert "planned route" not in str(err.value)


def test_gpx_points_with_some_sentinel_times_use_the_real_ones() -> None:
    times = [SENTINEL, "2021-04-01T06:00:00Z", "2021-04-01T06:10:00Z", "2021-04-01T06:20:00Z"]
    r = gpx.read(_gpx(times, None), "run.gpx", ReadContext())
    one = r.sessions.iloc[0]
    assert str(one["start"]) == "2021-04-01 06:00:00"
    assert one["duration_s"] == 1200.0
    assert any("1 point(s)" in a and "placeholder" in a for a in r.assumptions)


def _tcx(ident: str, lap_start: str, point_times: list[str]) -> bytes:
    pts = "".join(f"<Trackpoint><Time>{t}</Time><DistanceMeters>{2500 * i}</DistanceMeters>"
                  "</Trackpoint>" for i, t in enumerate(point_times))
    return ('<?xml version="1.0"?><TrainingCenterDatabase '
            'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities>'
            f'<Activity Sport="Running"><Id>{ident}</Id><Lap StartTime="{lap_start}">'
            "<TotalTimeSeconds>1800</TotalTimeSeconds><DistanceMeters>5000</DistanceMeters>"
            f"<Track>{pts}</Track></Lap></Activity></Activities>"
            "</TrainingCenterDatabase>").encode()


def test_tcx_with_fit_epoch_id_is_dated_from_its_trackpoints() -> None:
    data = _tcx("1989-12-31T00:00:00Z", "1989-12-31T00:00:00Z",
                ["2021-05-02T07:00:00Z", "2021-05-02T07:15:00Z", "2021-05-02T07:30:00Z"])
    r = tcx.read(data, "run.tcx", ReadContext())
    one = r.sessions.iloc[0]
    assert str(one["start"]) == "2021-05-02 07:00:00"
    assert one["duration_s"] == 1800.0 and one["distance_m"] == 5000.0
    assert any("placeholder" in a and "1989-12-31" in a for a in r.assumptions)


def test_tcx_with_placeholder_points_is_dated_from_its_id() -> None:
    data = _tcx("2021-05-02T07:00:00Z", "2021-05-02T07:00:00Z",
                ["1970-01-01T00:00:00Z", "1970-01-01T00:15:00Z", "1970-01-01T00:30:00Z"])
    r = tcx.read(data, "run.tcx", ReadContext())
    one = r.sessions.iloc[0]
    assert str(one["start"]) == "2021-05-02 07:00:00"  # not 1970
    assert one["duration_s"] == 1800.0  # the lap total


def test_tcx_with_only_placeholder_times_is_refused_with_the_reason() -> None:
    data = _tcx("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z",
                ["1970-01-01T00:00:00Z", "1970-01-01T00:30:00Z"])
    with pytest.raises(ImportRefused, match="placeholder"):
        tcx.read(data, "run.tcx", ReadContext())


@pytest.mark.parametrize(("t", "real"), [
    (datetime(1901, 12, 13, 20, 45, 52), False), (datetime(1970, 1, 1), False),
    (datetime(1989, 12, 31), False), (datetime(1979, 6, 1), False),
    (datetime(1995, 3, 4, 10, 0), True), (datetime(2024, 1, 1, 6, 0), True), (None, False)])
def test_is_real_time(t: datetime | None, real: bool) -> None:
    assert is_real_time(t) is real


def test_clean_rows_never_keeps_a_placeholder_start_silently() -> None:
    rows, notes = clean_rows([{"start": datetime(1989, 12, 31), "duration_s": 1800.0},
                              {"start": datetime(2020, 5, 1, 7), "duration_s": 1800.0}])
    assert [r["start"].year for r in rows] == [2020]
    assert "1989-12-31 00:00:00 is the placeholder" in notes[0]


def test_tcx_activity_with_a_distance_but_no_time_is_kept_and_marked() -> None:
    data = (b'<?xml version="1.0"?><TrainingCenterDatabase '
            b'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"><Activities>'
            b'<Activity Sport="Running"><Id>2021-05-02T07:00:00Z</Id>'
            b'<Lap StartTime="2021-05-02T07:00:00Z"><DistanceMeters>8000</DistanceMeters></Lap>'
            b"</Activity></Activities></TrainingCenterDatabase>")
    r = tcx.read(data, "run.tcx", ReadContext())
    one = r.sessions.iloc[0]
    assert one["distance_m"] == 8000.0 and str(one["start"]) == "2021-05-02 07:00:00"
    assert one["duration_s"] == pytest.approx(8 * 360.0)
    assert bool(one["duration_estimated"]) is True
    assert any("distance but no recorded time" in w for w in r.warnings)


def test_activity_rows_without_time_or_distance_are_still_left_out() -> None:
    rows, notes = clean_rows([{"start": datetime(2020, 5, 1, 7), "sport": "run",
                               "duration_s": float("nan"), "distance_m": float("nan")}])
    assert rows == [] and "no plausible duration" in notes[0]


def test_absurd_elapsed_time_falls_back_to_the_timer_time() -> None:
    rows, notes = clean_rows([{"start": datetime(2020, 5, 1, 7), "sport": "ride",
                               "duration_s": 27 * 86400.0, "moving_s": 7200.0,
                               "distance_m": 60000.0}])
    assert len(rows) == 1 and rows[0]["duration_s"] == 7200.0
    assert "27.0 days" in notes[0] and "120 min" in notes[0]
