"""The demo squad: deterministic, in real export layouts, and true to each athlete's story."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from stridewise.demo import DEMO_ANCHOR, SQUAD, current_anchor, demo_files

DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return demo_files(DEMO_ANCHOR)


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_committed_files_are_the_generated_ones(files):
    for name, data in files.items():
        assert (DEMO_DIR / name).read_bytes() == data, f"data/demo/{name} is stale"


def test_same_anchor_same_bytes_other_anchor_other_dates(files):
    assert demo_files(DEMO_ANCHOR) == files
    later = demo_files(date(2027, 1, 3))
    assert later["squad.json"] != files["squad.json"]


def test_squad_roster(files):
    roster = json.loads(files["squad.json"])["athletes"]
    assert len(roster) == len(SQUAD) == 12
    assert len({a["name"] for a in roster}) == 12
    assert {a["units"] for a in roster} == {"km", "mi"}
    assert all(a["file"] in files for a in roster)


def test_two_years_of_history(files):
    rows = _rows(files["ben_carter_garmin_Activities.csv"])
    dates = sorted(r["Date"][:10] for r in rows)
    assert dates[0] >= "2024-11-25" and dates[-1] <= "2026-11-22"
    assert dates[0] <= "2024-12-01" and dates[-1] >= "2026-11-15"


def test_stories_are_in_the_data(files):
    ben = _rows(files["ben_carter_garmin_Activities.csv"])
    assert not [r for r in ben if r["Activity Type"] == "Strength Training"]
    finn = _rows(files["finn_o_brien_garmin_Activities.csv"])
    assert {r["Avg HR"] for r in finn} == {"--"}
    emma = _rows(files["emma_johansson_strava_activities.csv"])
    assert all(r["Perceived Exertion"] for r in emma)
    ana = _rows(files["ana_silva_strava_activities.csv"])
    titles = " ".join(r["Activity Name"].lower() for r in ana)
    for word in ("squats", "box jumps", "planks", "yoga", "stretching"):
        assert word in titles


def test_ramping_athlete_ramps_in_the_last_weeks(files):
    rows = _rows(files["chloe_martin_strava_activities.csv"])

    def km(r):
        return float(r["Distance"]) if r["Activity Type"] == "Run" else 0.0

    # Strava's second Distance column (metres) is shadowed in DictReader; the first is km
    from datetime import datetime
    def day(r):
        return datetime.strptime(r["Activity Date"], "%b %d, %Y, %I:%M:%S %p").date()
    last4 = sum(km(r) for r in rows if (DEMO_ANCHOR - day(r)).days < 28)
    before = sum(km(r) for r in rows if 28 <= (DEMO_ANCHOR - day(r)).days < 28 * 4) / 3
    assert last4 > 1.4 * before


def test_long_gaps_exist(files):
    rows = _rows(files["dev_patel_garmin_Activities.csv"])
    days = sorted({date.fromisoformat(r["Date"][:10]) for r in rows})
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    assert max(gaps) >= 40


def test_app_demo_ends_today_never_in_the_future():
    assert current_anchor(date(2026, 11, 24)) == date(2026, 11, 24)
    files = demo_files(date(2026, 11, 24))
    rows = _rows(files["ben_carter_garmin_Activities.csv"])
    assert max(r["Date"][:10] for r in rows) <= "2026-11-24"
