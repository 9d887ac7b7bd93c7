"""TCX importer on small TCX documents written in the test."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stridewise.errors import ImportRefused, StridewiseError, UnreadableFile
from stridewise.ingest import read_bytes, tcx
from stridewise.ingest.base import ReadContext

NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"


def _tp(t: str, dist: float | None = None, hr: int | None = None,
        pos: tuple[float, float] | None = None, alt: float | None = None) -> str:
    out = f"<Trackpoint><Time>{t}</Time>"
    if pos:
        out += (f"<Position><LatitudeDegrees>{pos[0]}</LatitudeDegrees>"
                f"<LongitudeDegrees>{pos[1]}</LongitudeDegrees></Position>")
    if alt is not None:
        out += f"<AltitudeMeters>{alt}</AltitudeMeters>"
    if dist is not None:
        out += f"<DistanceMeters>{dist}</DistanceMeters>"
    if hr is not None:
        out += f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>"
    return out + "</Trackpoint>"


def _doc(activities: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns="{NS}">'
            f"<Activities>{activities}</Activities></TrainingCenterDatabase>").encode()


def _act(sport: str = "Running", start: str = "2024-03-02T08:00:00Z", lap_s: float = 1800,
         lap_m: float | None = 5000, points: str = "", extra: str = "") -> str:
    dist = f"<DistanceMeters>{lap_m}</DistanceMeters>" if lap_m is not None else ""
    return (f'<Activity Sport="{sport}"><Id>{start}</Id><Lap StartTime="{start}">'
            f"<TotalTimeSeconds>{lap_s}</TotalTimeSeconds>{dist}<Calories>400</Calories>"
            f"<AverageHeartRateBpm><Value>150</Value></AverageHeartRateBpm>"
            f"<MaximumHeartRateBpm><Value>170</Value></MaximumHeartRateBpm>"
            f"<Track>{points}</Track></Lap>{extra}</Activity>")


POINTS = (_tp("2024-03-02T08:00:00Z", 0, 140) + _tp("2024-03-02T08:10:00Z", 1700, 150)
          + _tp("2024-03-02T08:35:00Z", 5000, 160))


def _read(data: bytes, name: str = "a.tcx", tz: str = "UTC"):
    return tcx.read(data, name, ReadContext(tz=tz))


def test_basic_activity() -> None:
    s = _read(_doc(_act(points=POINTS))).sessions.iloc[0]
    assert s["sport"] == "run" and s["start"] == datetime(2024, 3, 2, 8, 0)
    assert s["duration_s"] == 2100 and s["moving_s"] == 1800
    assert s["distance_m"] == 5000 and s["avg_hr"] == 150 and s["max_hr"] == 170
    assert s["calories"] == 400 and s["source"] == "tcx"


def test_bom_and_leading_whitespace_like_strava_exports() -> None:
    data = b"\xef\xbb\xbf" + b"          \n" + _doc(_act(points=POINTS))
    assert _read(data).n_sessions == 1
    via_dispatcher = read_bytes(b"          " + _doc(_act(points=POINTS)), "123.tcx")
    assert via_dispatcher.n_sessions == 1


def test_one_line_file_and_lowercase_sport() -> None:
    data = _doc(_act(sport="running", points=POINTS)).replace(b"\n", b"")
    assert _read(data).sessions["sport"].tolist() == ["run"]


def test_several_activities_and_multisport_session() -> None:
    ride = _act("Biking", "2024-03-02T09:00:00Z", 3600, 30000)
    multi = (f"<MultiSportSession><Id>2024-03-02T07:00:00Z</Id><FirstSport>"
             f"{_act('Biking', '2024-03-02T07:00:00Z', 600, 4000)}</FirstSport><NextSport>"
             f"{_act('Running', '2024-03-02T07:11:00Z', 900, 3000)}</NextSport>"
             "</MultiSportSession>")
    s = _read(_doc(multi + _act(points=POINTS) + ride)).sessions
    assert s["sport"].tolist() == ["ride", "run", "run", "ride"]


def test_distance_from_trackpoints_when_laps_lack_it() -> None:
    s = _read(_doc(_act(lap_m=None, points=POINTS))).sessions
    assert s["distance_m"].iloc[0] == 5000


def test_distance_from_gps_track_when_nothing_else() -> None:
    pts = (_tp("2024-03-02T08:00:00Z", pos=(52.0, 13.0))
           + _tp("2024-03-02T08:05:00Z", pos=(52.01, 13.0)))
    report = _read(_doc(_act(lap_m=None, lap_s=300, points=pts)))
    assert report.sessions["distance_m"].iloc[0] == pytest.approx(1111.95, abs=1)
    assert any("GPS track" in a for a in report.assumptions)


def test_trackpoints_without_time_use_lap_totals() -> None:
    pts = "<Trackpoint><DistanceMeters>25</DistanceMeters></Trackpoint>" * 3
    s = _read(_doc(_act("Other", lap_s=1500, lap_m=1000, points=pts))).sessions.iloc[0]
    assert s["duration_s"] == 1500 and s["start"] == datetime(2024, 3, 2, 8, 0)


def test_sport_other_named_swim_is_a_swim() -> None:
    plan = "<Training><Plan><Name>Pool swim</Name></Plan></Training>"
    report = _read(_doc(_act("Other", extra=plan)))
    assert report.sessions["sport"].iloc[0] == "swim"
    assert any("read as swim" in a for a in report.assumptions)


def test_time_zone_conversion() -> None:
    s = _read(_doc(_act(points=POINTS)), tz="Asia/Tokyo").sessions
    assert s["start"].iloc[0] == datetime(2024, 3, 2, 17, 0)


def test_no_activities_is_refused() -> None:
    with pytest.raises(ImportRefused) as err:
        _read(_doc(""))
    assert "without any recorded activity" in err.value.message


def test_broken_xml_is_one_sentence() -> None:
    with pytest.raises(UnreadableFile) as err:
        _read(_doc(_act(points=POINTS))[:-40])
    assert "not well-formed TCX" in err.value.message


def test_entity_declarations_are_refused() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
            b"<TrainingCenterDatabase>&b;</TrainingCenterDatabase>")
    with pytest.raises(UnreadableFile) as err:
        _read(bomb)
    assert "refused for safety" in err.value.message


def test_zero_lap_hr_is_missing_and_trackpoints_are_used() -> None:
    act = _act(points=POINTS).replace(
        "<AverageHeartRateBpm><Value>150</Value>", "<AverageHeartRateBpm><Value>0</Value>")
    act = act.replace(
        "<MaximumHeartRateBpm><Value>170</Value>", "<MaximumHeartRateBpm><Value>0</Value>")
    s = _read(_doc(act)).sessions.iloc[0]
    assert s["avg_hr"] == pytest.approx((140 + 150 + 160) / 3)
    assert s["max_hr"] == 160


DOC = _doc(_act(points=POINTS) + _act("Biking", "2024-03-03T08:00:00Z", points=POINTS))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(DOC)), st.lists(st.tuples(st.integers(0, len(DOC) - 1),
                                                    st.sampled_from(list(b'<>/"&0:.TZa '))),
                                          max_size=4))
def test_damaged_tcx_gives_only_typed_errors(cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(DOC)
    for pos, value in flips:
        data[pos] = value
    try:
        report = _read(bytes(data[:cut]))
    except StridewiseError as exc:
        assert exc.message
    else:
        assert report.n_sessions >= 1
