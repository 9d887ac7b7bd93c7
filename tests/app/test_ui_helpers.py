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
