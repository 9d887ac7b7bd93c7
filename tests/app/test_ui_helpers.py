"""Unit tests of the ui/ helpers that need no running app."""

from __future__ import annotations

import math
from datetime import date

import pytest

from stridewise.ui import fmt
from stridewise.ui.summary import spike_band, week_start_of


@pytest.mark.parametrize("text", [
    "<img src=x onerror=alert(1)>", "**bold** _it_ `code`", "[link](http://x)", "# heading",
    "a | b", "$x$", ":material/home:", "1. item", "- item", "Finn O'Brien",
])
def test_md_escape_leaves_no_markup(text: str) -> None:
    import re

    esc = fmt.md_escape(text)
    # every special character is preceded by a backslash
    for m in re.finditer(r"[<>*_`\[\]#|$:\-!]", esc):
        assert esc[m.start() - 1] == "\\", (text, esc)
    # removing the escapes gives the text back
    assert re.sub(r"\\(.)", r"\1", esc) == text


def test_md_escape_flattens_newlines() -> None:
    assert "\n" not in fmt.md_escape("a\nb\r\nc")


def test_distance_and_units() -> None:
    assert fmt.fmt_distance(10.0, "km") == "10.0 km"
    assert fmt.fmt_distance(16.09344, "mi") == "10.0 mi"
    assert fmt.fmt_distance(math.nan, "km") == "—"
    assert fmt.unit_to_km(fmt.km_to_unit(42.195, "mi"), "mi") == pytest.approx(42.195)


def test_minutes_pct_ratio_days() -> None:
    assert fmt.fmt_minutes(45) == "45 min"
    assert fmt.fmt_minutes(185) == "3 h 05 min"
    assert fmt.fmt_minutes_short(119) == "119 min"
    assert fmt.fmt_minutes_short(447) == "7.5 h"
    assert fmt.fmt_pct(12.4) == "+12 %"
    assert fmt.fmt_pct(math.inf) == "new"
    assert fmt.fmt_ratio(math.inf) == "no base yet"
    assert fmt.fmt_ratio(math.nan) == "—"
    assert fmt.fmt_ratio(1.234) == "1.23"
    assert fmt.fmt_days(math.nan) == "never"
    assert fmt.fmt_days(0) == "today"
    assert fmt.fmt_days(1) == "1 day"
    assert fmt.fmt_days(19) == "19 days"


def test_safe_file_part() -> None:
    assert fmt.safe_file_part("Finn O'Brien / 2025") == "Finn_O_Brien_2025"
    assert fmt.safe_file_part("<>") == "athlete"


def test_week_start() -> None:
    wed = date(2026, 11, 25)
    assert week_start_of(wed, "monday") == date(2026, 11, 23)
    assert week_start_of(wed, "sunday") == date(2026, 11, 22)
    sun = date(2026, 11, 22)
    assert week_start_of(sun, "sunday") == sun
    assert week_start_of(sun, "monday") == date(2026, 11, 16)


def test_spike_bands_follow_settings() -> None:
    from stridewise.settings import DEFAULT_SETTINGS

    s = DEFAULT_SETTINGS
    assert spike_band(math.nan, s) == "none"
    assert spike_band(10, s) == "none"
    assert spike_band(25, s) == "small"
    assert spike_band(60, s) == "moderate"
    assert spike_band(150, s) == "large"


def test_clicked_weeks_filter_sessions() -> None:
    import pandas as pd

    from stridewise.ui.athlete_view import in_weeks

    s = pd.DataFrame({"start": pd.to_datetime(["2026-11-15 09:00", "2026-11-16 07:00",
                                               "2026-11-22 18:00", "2026-11-23 06:00"]),
                      "title": ["sun", "mon", "sun2", "mon2"]})
    monday = in_weeks(s, [pd.Timestamp("2026-11-16")], "monday")
    assert list(monday["title"]) == ["mon", "sun2"]
    sunday = in_weeks(s, [pd.Timestamp("2026-11-15")], "sunday")
    assert list(sunday["title"]) == ["sun", "mon"]
    assert in_weeks(s, [], "monday").empty


def test_unplaced_titles_counts_other_sessions() -> None:
    import pandas as pd

    from stridewise.ui.settings_view import unplaced_titles

    df = pd.DataFrame({"sport": ["other", "other", "other", "run"],
                       "title": ["Bootcamp", "Bootcamp", "Zumba", "Easy"],
                       "area": ["other", "other", "other", "endurance"]})
    out = unplaced_titles(df)
    assert list(out["title"]) == ["Bootcamp", "Zumba"]
    assert list(out["sessions"]) == [2, 1]
    assert unplaced_titles(df.iloc[3:]).empty


def test_browser_zone_becomes_the_default_for_new_athletes_once(tmp_path) -> None:
    from stridewise.settings import Settings
    from stridewise.store import Store
    from stridewise.ui.widgets import adopt_browser_zone

    store = Store(str(tmp_path / "z.db"))
    try:
        assert adopt_browser_zone(store, None) is False
        assert adopt_browser_zone(store, "Not/AZone") is False
        assert adopt_browser_zone(store, "Europe/Budapest") is True
        assert Settings.from_dict(store.settings()).tz == "Europe/Budapest"
        # a zone once saved (by the browser or on Settings) is never overwritten
        assert adopt_browser_zone(store, "America/Denver") is False
        assert Settings.from_dict(store.settings()).tz == "Europe/Budapest"
    finally:
        store.close()


@pytest.mark.parametrize("units", ["km", "mi"])
def test_six_week_trends_sum_areas_per_week_oldest_first(monkeypatch, units: str) -> None:
    """The roster's sparklines: per athlete and week the running distance (display unit) and
    load summed over areas; a week or athlete without rows is 0; weeks outside the six are
    left out; the roster's own week is last."""
    from types import SimpleNamespace

    import pandas as pd

    from stridewise.settings import KM_PER_MILE
    from stridewise.ui import squad_view, state

    day = date(2026, 11, 19)  # a Thursday: its Monday week starts 16 Nov
    weeks = pd.to_datetime(["2026-10-12", "2026-10-19", "2026-11-09", "2026-11-16",
                            "2026-11-16", "2026-10-05"])
    stored = pd.DataFrame({
        "athlete": ["Ana", "Ana", "Ana", "Ana", "Ana", "Ana"], "week": weeks,
        "area": ["endurance", "endurance", "endurance", "endurance", "strength", "endurance"],
        "sessions": 1, "minutes": 30.0,
        "distance_km": [10.0, 12.0, 8.0, 20.0, 0.0, 99.0],
        "load": [100.0, 120.0, 80.0, 200.0, 55.0, 999.0]})
    asked: dict[str, object] = {}

    def weekly(view, names, since):  # noqa: ANN001, ANN202 - stands in for the store read
        asked["since"] = since
        return stored.loc[stored["week"] > pd.Timestamp(since)]

    monkeypatch.setattr(state, "squad_weekly", weekly)
    view = SimpleNamespace(settings=SimpleNamespace(units=units, week_start="monday"))
    got = squad_view.trends_for(view, ["Ana", "Ben"], day)
    assert asked["since"] == date(2026, 10, 11)  # the day before the oldest of six weeks
    per = 1 / KM_PER_MILE if units == "mi" else 1.0
    # weeks 12 Oct, 19 Oct, 26 Oct, 2 Nov, 9 Nov, 16 Nov (5 Oct is before the six)
    assert got["run_trend"].iloc[0] == [round(v * per, 1) for v in (10, 12, 0, 0, 8, 20)]
    assert got["load_trend"].iloc[0] == [100, 120, 0, 0, 80, 255]
    assert got["run_trend"].iloc[1] == [0.0] * 6 and got["load_trend"].iloc[1] == [0.0] * 6
    assert list(got["athlete"]) == ["Ana", "Ben"]
