"""Check-in answers, and flags against the athlete's own 28-day baseline."""

from __future__ import annotations

import pandas as pd
import pytest

from stridewise import wellness as wl
from stridewise.errors import UsageError


def _checkins(sleep: list[int], start: str = "2026-11-01", hr: list[float] | None = None
              ) -> pd.DataFrame:
    days = pd.date_range(start, periods=len(sleep))
    return pd.DataFrame({"athlete": "ana", "date": days, "sleep": sleep, "fatigue": 3,
                         "soreness": pd.NA, "stress": 3, "mood": 4,
                         "resting_hr_bpm": hr if hr is not None else float("nan"),
                         "note": ""})


def test_a_drop_against_the_own_baseline_is_flagged_not_a_fixed_cut_off() -> None:
    # ana always sleeps 2-3: a 2 is usual for her; 1 is worse than usual
    sleep = [2, 3] * 7 + [2, 1]
    f = wl.baseline_flags(wl.long_values(_checkins(sleep)))
    s = f.loc[f["metric"] == "sleep"].set_index("date")
    assert s.loc[pd.Timestamp("2026-11-15"), "status"] == "usual"
    last = s.loc[pd.Timestamp("2026-11-16")]
    assert last["flag"] and last["status"] == "worse than usual"
    assert last["baseline_mean"] == pytest.approx((2 * 8 + 3 * 7) / 15)  # the 15 days before
    assert last["text"].startswith("Sleep quality 1/5: worse than usual for you")
    # a runner who usually sleeps 5: a 3 is flagged although it is "average"
    g = wl.baseline_flags(wl.long_values(_checkins([5, 4] * 7 + [3])))
    assert g.loc[g["metric"] == "sleep", "flag"].iloc[-1]


def test_no_flag_before_seven_answers_and_the_window_is_28_days() -> None:
    f = wl.baseline_flags(wl.long_values(_checkins([4] * 6 + [1])))
    last = f.loc[f["metric"] == "sleep"].iloc[-1]
    assert last["status"] == "building baseline" and not last["flag"]
    assert last["baseline_n"] == 6
    # 41 days: the baseline of the last day holds only the 28 days before it
    g = wl.baseline_flags(wl.long_values(_checkins([1] * 12 + [4] * 29)))
    last = g.loc[g["metric"] == "sleep"].iloc[-1]
    assert last["baseline_n"] == 28 and last["baseline_mean"] == pytest.approx(4.0)


def test_resting_hr_higher_is_worse_and_watch_values_stay_apart() -> None:
    hr = [50.0, 51.0] * 5 + [58.0]
    c = _checkins([4] * 11, hr=hr)
    watch = pd.DataFrame({"athlete": "ana", "date": pd.date_range("2026-11-01", periods=11),
                          "metric": "resting_hr_bpm", "value": [50.0] * 11})
    f = wl.baseline_flags(wl.long_values(c, watch))
    mine = f.loc[f["metric"] == "resting_hr_bpm"].iloc[-1]
    assert mine["flag"] and mine["z"] > 0 and mine["source"] == "check-in"
    theirs = f.loc[f["metric"] == "watch_resting_hr_bpm"]
    assert set(theirs["source"]) == {"watch"} and not theirs["flag"].any()
    days = wl.flag_days(f, "ana", "2026-11-01", "2026-11-30")
    assert days["date"].tolist() == [pd.Timestamp("2026-11-11")]
    assert days["text"].iloc[0] == "Resting HR"


def test_latest_flags_are_of_the_last_checkin_day() -> None:
    f = wl.baseline_flags(wl.long_values(_checkins([4] * 10)))
    got = wl.latest_flags(f, "ana", "2026-11-12")
    assert set(got["date"]) == {pd.Timestamp("2026-11-10")}
    assert got["metric"].tolist()[:2] == ["sleep", "fatigue"]
    assert wl.latest_flags(f, "ana", "2026-11-20").empty  # older than 3 days


@pytest.mark.parametrize(("values", "message"), [
    ({"sleep": 0}, "whole number from 1 to 5"), ({"stress": "x"}, "whole number"),
    ({"resting_hr_bpm": 10}, "between 25 and 220"), ({"sleep": None}, "at least one answer")])
def test_bad_answers_get_one_sentence(values, message) -> None:
    with pytest.raises(UsageError, match=message):
        wl.check_checkin(values)
