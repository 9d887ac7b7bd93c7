"""Apple Health, Nike Run Club JSON, Polar HRM/XML and Suunto SML on documents written here."""

from __future__ import annotations

import io
import json
import math
import zipfile
from datetime import datetime

import pytest

from stridewise.errors import ImportRefused, UnreadableFile, UnsupportedFormat
from stridewise.ingest import read_bytes
from stridewise.ingest.base import ReadContext

APPLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Workout)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
]>
<HealthData locale="en_US">
 <ExportDate value="2024-01-10 10:00:00 +0100"/>
 <Record type="HKQuantityTypeIdentifierStepCount" value="12" startDate="2024-01-01 08:00:00 +0100"/>
 <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="30" durationUnit="min"
  totalDistance="5" totalDistanceUnit="km" totalEnergyBurned="1255.2" totalEnergyBurnedUnit="kJ"
  startDate="2024-01-02 07:00:00 +0100" endDate="2024-01-02 07:32:00 +0100"/>
 <Workout workoutActivityType="HKWorkoutActivityTypeTraditionalStrengthTraining"
  duration="2700" durationUnit="s" startDate="2024-01-03 18:00:00 +0100"
  endDate="2024-01-03 18:45:00 +0100">
  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" average="118" maximum="151"
   unit="count/min"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" sum="250" unit="kcal"/>
 </Workout>
 <Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="1" durationUnit="hr"
  startDate="2024-01-04 12:00:00 +0100" endDate="2024-01-04 13:00:00 +0100">
  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" sum="3.1"
   unit="mi"/>
 </Workout>
</HealthData>
"""


def _read(data: bytes, name: str, tz: str = "UTC"):
    return read_bytes(data, name, ReadContext(tz=tz))


def test_apple_health_workouts_old_and_ios16_forms() -> None:
    s = _read(APPLE, "export.xml", tz="Europe/Berlin").sessions
    assert s["sport"].tolist() == ["run", "strength", "walk"]
    assert s["start"].iloc[0] == datetime(2024, 1, 2, 7, 0)
    run, lift, walk = (s.iloc[i] for i in range(3))
    assert run["distance_m"] == 5000 and run["moving_s"] == 1800 and run["duration_s"] == 1920
    assert run["calories"] == pytest.approx(300, abs=0.1)
    assert (lift["avg_hr"], lift["max_hr"], lift["calories"]) == (118, 151, 250)
    assert math.isnan(lift["distance_m"])
    assert walk["distance_m"] == pytest.approx(3.1 * 1609.344)


def test_apple_health_without_workouts_is_refused() -> None:
    data = APPLE.split(b"<Workout ")[0] + b"</HealthData>"
    with pytest.raises(ImportRefused) as err:
        _read(data, "export.xml")
    assert "no workouts" in err.value.message


def test_apple_health_zip_skips_route_files_that_repeat_workouts() -> None:
    gpx = (b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
           b'<trkpt lat="1" lon="1"><time>2024-01-02T06:00:00Z</time></trkpt>'
           b'<trkpt lat="1" lon="1.01"><time>2024-01-02T06:30:00Z</time></trkpt>'
           b"</trkseg></trk></gpx>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("apple_health_export/export.xml", APPLE)
        z.writestr("apple_health_export/workout-routes/route_2024-01-02.gpx", gpx)
    r = _read(buf.getvalue(), "export.zip")
    assert r.n_sessions == 3
    assert any("workout-route" in a for a in r.assumptions)


def test_entities_in_apple_export_are_refused() -> None:
    data = APPLE.replace(b"<!ELEMENT", b'<!ENTITY x "y"><!ELEMENT', 1)
    with pytest.raises(UnreadableFile) as err:
        _read(data, "export.xml")
    assert "refused for safety" in err.value.message


NIKE = {"id": "abc-1", "type": "run", "start_epoch_ms": 1700000000000,
        "end_epoch_ms": 1700001900000, "active_duration_ms": 1800000,
        "summaries": [{"metric": "distance", "summary": "total", "value": 5.5},
                      {"metric": "calories", "summary": "total", "value": 410}],
        "metrics": [{"type": "heart_rate", "unit": "BPM",
                     "values": [{"value": 140}, {"value": 150}, {"value": 0}]},
                    {"type": "distance", "unit": "KM", "values": []}],
        "tags": {"com.nike.name": "Friday Run", "location": "indoors"}}


def test_nike_activity_json() -> None:
    s = _read(json.dumps(NIKE).encode(), "activity.json").sessions.iloc[0]
    assert s["sport"] == "treadmill_run" and s["title"] == "Friday Run"
    assert s["distance_m"] == pytest.approx(5500) and s["calories"] == 410
    assert s["duration_s"] == 1900 and s["moving_s"] == 1800
    assert s["avg_hr"] == 145 and s["source_id"] == "abc-1"
    assert s["start"] == datetime(2023, 11, 14, 22, 13, 20)


def test_nike_list_of_activities_skips_deleted() -> None:
    data = json.dumps({"activities": [NIKE, NIKE | {"id": "x", "delete_indicator": True}]})
    r = _read(data.encode(), "activities.json")
    assert r.n_sessions == 1 and any("deleted" in w for w in r.warnings)


def test_other_json_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormat) as err:
        _read(b'{"hello": 1}', "x.json")
    assert "not a Nike Run Club activity" in err.value.message


HRM = (b"[Params]\r\nVersion=106\r\nSMode=11000000\r\nDate=20240105\r\nStartTime=06:15:00.0\r\n"
       b"Length=00:00:04.0\r\nInterval=1\r\n\r\n[Note]\r\nEasy run\r\n\r\n[HRData]\r\n"
       b"120\t100\t80\r\n130\t100\t80\r\n140\t100\t80\r\n150\t100\t80\r\n")


def test_polar_hrm_local_time_hr_and_speed_distance() -> None:
    r = _read(HRM, "s.hrm", tz="America/Denver")
    s = r.sessions.iloc[0]
    assert s["start"] == datetime(2024, 1, 5, 6, 15)  # wall clock kept as is
    assert s["duration_s"] == 4 and s["avg_hr"] == 135 and s["max_hr"] == 150
    assert s["distance_m"] == pytest.approx(4 * 10 / 3.6)
    assert s["sport"] == "run" and any("local time" in a for a in r.assumptions)


def test_polar_hrm_without_date_is_unreadable() -> None:
    with pytest.raises(UnreadableFile) as err:
        _read(b"[Params]\nVersion=106\n", "s.hrm")
    assert "without a valid Date" in err.value.message


def test_polar_personal_trainer_xml() -> None:
    xml = (b'<?xml version="1.0"?><polar-exercise-data xmlns="http://www.polarpersonaltrainer.com">'
           b"<calendar-items><exercise><time>2013-03-24 11:33:09.0</time><sport>Running</sport>"
           b"<result><distance>6600.0</distance><calories>725</calories>"
           b"<duration>00:48:49</duration><heart-rate><average>156</average>"
           b"<maximum>179</maximum></heart-rate></result></exercise></calendar-items>"
           b"</polar-exercise-data>")
    s = _read(xml, "p.xml").sessions.iloc[0]
    assert (s["sport"], s["duration_s"], s["distance_m"], s["avg_hr"]) == ("run", 2929, 6600, 156)


def test_suunto_sml_units() -> None:
    sml = (b'<?xml version="1.0"?><sml xmlns="http://www.suunto.com/schemas/sml"><DeviceLog>'
           b"<Header><Duration>3600</Duration><Ascent>50</Ascent><HR><Avg>2.5</Avg><Max>3</Max>"
           b"</HR><Activity>Running</Activity><Distance>10000</Distance><Energy>4184000</Energy>"
           b"<DateTime>2014-08-22T10:00:00</DateTime></Header><Samples><Sample>"
           b"<UTC>2014-08-22T08:00:00Z</UTC><Time>0</Time></Sample></Samples></DeviceLog></sml>")
    s = _read(sml, "m.sml", tz="Europe/Berlin").sessions.iloc[0]
    assert (s["avg_hr"], s["max_hr"], s["calories"]) == (150, 180, 1000)
    assert s["start"] == datetime(2014, 8, 22, 10, 0) and s["distance_m"] == 10000


def test_unknown_xml_is_unsupported_with_its_root() -> None:
    with pytest.raises(UnsupportedFormat) as err:
        _read(b"<?xml version='1.0'?><kml><Document/></kml>", "map.xml")
    assert "<kml>" in err.value.message


def test_nike_impossible_epoch_is_refused_not_a_crash() -> None:
    bad = NIKE | {"start_epoch_ms": 1e20}
    with pytest.raises(ImportRefused) as err:
        _read(json.dumps(bad).encode(), "a.json")
    assert "without any activity that has a start time" in err.value.message


def test_implausible_values_are_blanked_and_reported() -> None:
    bad = NIKE | {"summaries": [{"metric": "distance", "summary": "total", "value": 1e9}]}
    r = _read(json.dumps(bad).encode(), "a.json")
    assert math.isnan(r.sessions["distance_m"].iloc[0])
    assert any("implausible distance" in w for w in r.warnings)


def test_hrm_with_unreadable_start_time_uses_midnight() -> None:
    data = HRM.replace(b"StartTime=06:15:00.0", b"StartTime=xx")
    assert _read(data, "s.hrm").sessions["start"].iloc[0] == datetime(2024, 1, 5)
