"""FIT dates and durations from the best evidence, and the bounds that keep FIT reading linear."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from stridewise.errors import ImportRefused, UnreadableFile
from stridewise.ingest import fit
from stridewise.ingest.base import ReadContext
from stridewise.schema import parse_sets

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "fit"))
import fitbuilder as fb  # noqa: E402

T0 = datetime(2024, 5, 4, 6, 30, 0)
NONE32 = 0xFFFFFFFF


def _read(data: bytes):
    return fit.read(data, "t.fit", ReadContext())


def _file(*, created: int, records: list[tuple[int, int, int]] = (),
          sessions: list[dict] = ()) -> bytes:
    """file_id (time_created), records (timestamp, hr, distance cm), raw session values."""
    w = fb.FitWriter()
    w.define(0, 0, [(0, 0x00, 1), (1, 0x84, 2), (2, 0x84, 2), (4, 0x86, 4)])
    w.data(0, [4, 1, 1234, created])
    if records:
        w.define(1, 20, fb.RECORD_FIELDS)
        for r in records:
            w.data(1, list(r))
    w.define(3, 18, fb.SESSION_FIELDS)
    for s in sessions:
        w.data(3, [s.get("timestamp", NONE32), s.get("start", NONE32), s.get("sport", 1), 0,
                   int(s["elapsed"] * 1000), int(s.get("timer", s["elapsed"]) * 1000),
                   int(s["distance"] * 100) if "distance" in s else NONE32, 0xFFFF, 0xFF, 0xFF,
                   0xFFFF])
    return w.bytes()


def test_absurd_elapsed_time_with_sane_timer_keeps_the_ride_for_its_timer_time() -> None:
    data = fb.activity([{"start": T0, "sport": 2, "elapsed": 27 * 86400, "timer": 7200,
                         "distance": 60_000}]).bytes()
    r = _read(data)
    row = r.sessions.iloc[0]
    assert (row["sport"], row["start"]) == ("ride", T0)
    assert row["duration_s"] == 7200 and row["moving_s"] == 7200
    assert row["distance_m"] == pytest.approx(60_000)
    assert any("27.0 days" in a and "timer time" in a for a in r.assumptions)


def test_session_without_any_start_time_is_dated_from_its_records() -> None:
    t0 = fb.fit_time(T0)
    recs = [(t0 + i, 140, i * 300) for i in range(0, 601, 10)]
    data = _file(created=t0 - 86400 * 400, records=recs,
                 sessions=[{"elapsed": 600, "distance": 1800}])
    r = _read(data)
    assert r.sessions["start"].iloc[0] == T0  # not 1989, not the stale creation time
    assert r.sessions["duration_s"].iloc[0] == 600
    assert any("first per-second record" in a for a in r.assumptions)


def test_zero_start_time_is_not_1989_when_the_end_time_is_known() -> None:
    t0 = fb.fit_time(T0)
    data = _file(created=t0, sessions=[{"start": 0, "timestamp": t0 + 900, "elapsed": 900,
                                        "distance": 2500}])
    r = _read(data)
    assert r.sessions["start"].iloc[0] == T0
    assert r.sessions["distance_m"].iloc[0] == pytest.approx(2500)


def test_device_relative_times_are_dated_from_the_file_creation_time() -> None:
    """Times below 0x10000000 count from power-on; the creation time anchors them."""
    created = fb.fit_time(T0)
    recs = [(5000 + i, 150, i * 280) for i in range(0, 1201, 20)]
    data = _file(created=created, records=recs,
                 sessions=[{"start": 5000, "timestamp": 6200, "elapsed": 1200},
                           {"start": 8000, "timestamp": 8600, "elapsed": 600,
                            "distance": 1500}])
    r = _read(data)
    starts = sorted(r.sessions["start"])
    assert starts == [T0, T0 + timedelta(seconds=3000)]
    assert all(s.year == 2024 for s in starts)
    assert any("switched on" in a for a in r.assumptions)


def test_times_from_power_on_without_any_anchor_are_refused_with_the_real_reason() -> None:
    data = _file(created=4000, sessions=[{"start": 5000, "timestamp": 6200, "elapsed": 1200,
                                          "distance": 3000}])
    with pytest.raises(ImportRefused) as err:
        _read(data)
    assert "clock was not set" in err.value.message
    assert err.value.message.startswith("t.fit ")


def test_sets_are_assigned_to_the_latest_started_session_in_one_pass() -> None:
    sessions = [{"start": T0 + timedelta(minutes=10 * i), "sport": 10, "sub_sport": 20,
                 "elapsed": 540} for i in range(30)]
    sets = [{"start": T0 + timedelta(minutes=10 * i, seconds=30), "seconds": 30, "reps": i + 1,
             "category": [28]} for i in range(30)]
    r = _read(fb.activity(sessions, sets=sets).bytes())
    reps = [[s["reps"] for s in parse_sets(x)] for x in r.sessions.sort_values("start")["sets"]]
    assert reps == [[i + 1] for i in range(30)]


def test_more_sessions_than_any_recording_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(fit.MAX_KEPT, 18, 5)
    data = fb.activity([{"start": T0 + timedelta(hours=i), "sport": 1, "elapsed": 600}
                        for i in range(6)]).bytes()
    with pytest.raises(UnreadableFile) as err:
        _read(data)
    assert "more than 5 sessions" in err.value.message


def test_message_flood_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fit, "MAX_MESSAGES", 1000)
    w = fb.activity([{"start": T0, "sport": 1, "elapsed": 600, "distance": 2000}])
    w.define(5, 18, [])
    w.body += b"\x05" * 2000  # empty session messages, counted as one run
    with pytest.raises(UnreadableFile) as err:
        _read(w.bytes())
    assert "more than 1,000 FIT messages" in err.value.message


def test_empty_messages_below_the_bound_change_nothing() -> None:
    w = fb.activity([{"start": T0, "sport": 1, "elapsed": 600, "distance": 2000}])
    w.define(5, 18, [])
    w.body += b"\x05" * 5000
    r = _read(w.bytes())
    assert r.n_sessions == 1 and r.sessions["distance_m"].iloc[0] == pytest.approx(2000)


def test_records_beyond_the_bound_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fit, "MAX_RECORDS", 50)
    r = _read(fb.activity([{"start": T0, "sport": 1, "elapsed": 600, "distance": None}],
                          records=100).bytes())
    assert r.n_sessions == 1
    assert r.sessions["distance_m"].iloc[0] == pytest.approx(49 * 3.0)
    assert any("first 50 per-second records" in w for w in r.warnings)


def test_record_window_summary_matches_a_plain_scan() -> None:
    """The block-maximum index answers like a scan of the window, across block edges."""
    import numpy as np

    rng = np.random.default_rng(3)
    v = rng.normal(size=5000)
    rm = fit._RangeMax(v)
    for lo, hi in [(0, 5000), (1, 1023), (1000, 3100), (1024, 2048), (4999, 5000), (7, 7)]:
        want = v[lo:hi].max() if hi > lo else -np.inf
        assert rm.query(lo, hi) == want
