"""GPX importer on small GPX documents written in the test."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stridewise.errors import ImportRefused, StridewiseError
from stridewise.ingest import gpx
from stridewise.ingest.base import ReadContext

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="{creator}" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">')


def _pt(lat: float, lon: float, t: str | None, hr: int | None = None, ele: float | None = None,
        plain_hr: bool = False) -> str:
    out = f'<trkpt lat="{lat}" lon="{lon}">'
    if ele is not None:
        out += f"<ele>{ele}</ele>"
    if t:
        out += f"<time>{t}</time>"
    if hr is not None:
        inner = (f"<heartrate>{hr}</heartrate>" if plain_hr else
                 f"<gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr>"
                 "</gpxtpx:TrackPointExtension>")
        out += f"<extensions>{inner}</extensions>"
    return out + "</trkpt>"


def _doc(body: str, creator: str = "test") -> bytes:
    return (HEAD.format(creator=creator) + body + "</gpx>").encode()


def _trk(segs: list[str], name: str = "Morning Run", typ: str | None = "running") -> str:
    t = f"<type>{typ}</type>" if typ is not None else ""
    return f"<trk><name>{name}</name>{t}" + "".join(
        f"<trkseg>{s}</trkseg>" for s in segs) + "</trk>"


SEG1 = (_pt(52.0, 13.0, "2024-06-01T06:00:00Z", 140, 30) + _pt(52.001, 13.0,
        "2024-06-01T06:00:30Z", 150, 36) + _pt(52.002, 13.0, "2024-06-01T06:01:00Z", None, 40))
SEG2 = (_pt(52.01, 13.0, "2024-06-01T06:11:00+00:00", 160)
        + _pt(52.011, 13.0, "2024-06-01T08:11:30.123456789+02:00", 170))


def _read(data: bytes, tz: str = "UTC"):
    return gpx.read(data, "t.gpx", ReadContext(tz=tz))


def test_track_with_segments_offsets_fractional_seconds_and_sparse_hr() -> None:
    s = _read(_doc(_trk([SEG1, SEG2]))).sessions.iloc[0]
    assert s["start"] == datetime(2024, 6, 1, 6, 0)
    assert s["duration_s"] == pytest.approx(690.123, abs=0.01)
    assert s["moving_s"] == pytest.approx(60 + 30.123, abs=0.01)  # break between segments
    assert s["distance_m"] == pytest.approx(3 * 111.195, abs=0.5)  # not across the break
    assert s["avg_hr"] == pytest.approx((140 + 150 + 160 + 170) / 4)
    assert s["max_hr"] == 170 and s["elevation_gain_m"] == pytest.approx(10)
    assert s["sport"] == "run" and s["title"] == "Morning Run"


@pytest.mark.parametrize(("typ", "sport"), [("9", "run"), ("1", "ride"), ("16", "swim"),
                                            ("running", "run"), ("cycling", "ride")])
def test_types_numeric_strava_and_words(typ: str, sport: str) -> None:
    assert _read(_doc(_trk([SEG1], name="x", typ=typ))).sessions["sport"].iloc[0] == sport


def test_sport_from_name_when_no_type() -> None:
    report = _read(_doc(_trk([SEG1], name="Evening Ride", typ=None)))
    assert report.sessions["sport"].iloc[0] == "ride"
    assert any("track name" in a for a in report.assumptions)


def test_plain_heartrate_extension() -> None:
    seg = _pt(1, 1, "2024-01-01T00:00:00Z", 120, plain_hr=True) + _pt(
        1, 1.001, "2024-01-01T00:00:10Z", 130, plain_hr=True)
    assert _read(_doc(_trk([seg]))).sessions["avg_hr"].iloc[0] == 125


def test_route_only_is_refused() -> None:
    route = '<rte><name>Plan</name><rtept lat="1" lon="1"/><rtept lat="1" lon="2"/></rte>'
    with pytest.raises(ImportRefused) as err:
        _read(_doc(route))
    assert "a route (a planned path without times)" in err.value.message


def test_track_without_times_is_refused() -> None:
    seg = _pt(1, 1, None) + _pt(1, 1.01, None)
    with pytest.raises(ImportRefused) as err:
        _read(_doc(_trk([seg])))
    assert "without any times" in err.value.message


def test_route_planner_placeholder_times_are_refused() -> None:
    with pytest.raises(ImportRefused) as err:
        _read(_doc(_trk([SEG1]), creator="GPSies http://www.gpsies.com - route-only"))
    assert "planned route" in err.value.message


def test_two_tracks_two_sessions_and_local_time() -> None:
    later = SEG1.replace("2024-06-01", "2024-06-02")
    s = _read(_doc(_trk([SEG1]) + _trk([later], name="Ride", typ="1")),
              tz="Europe/Paris").sessions
    assert s["sport"].tolist() == ["run", "ride"]
    assert s["start"].iloc[0] == datetime(2024, 6, 1, 8, 0)


DOC = _doc(_trk([SEG1, SEG2]) + _trk([SEG1.replace("2024-06-01", "2024-06-03")], typ="9"))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(DOC)), st.lists(st.tuples(st.integers(0, len(DOC) - 1),
                                                    st.sampled_from(list(b'<>/"&0:.TZa '))),
                                          max_size=4))
def test_damaged_gpx_gives_only_typed_errors(cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(DOC)
    for pos, value in flips:
        data[pos] = value
    try:
        report = _read(bytes(data[:cut]))
    except StridewiseError as exc:
        assert exc.message
    else:
        assert report.n_sessions >= 1


def test_track_spanning_weeks_has_no_plausible_duration() -> None:
    seg = _pt(1, 1, "2024-01-01T00:00:00Z") + _pt(1, 1.01, "2024-02-01T00:00:00Z")
    with pytest.raises(ImportRefused) as err:
        _read(_doc(_trk([seg])))
    assert "no plausible duration" in err.value.message
