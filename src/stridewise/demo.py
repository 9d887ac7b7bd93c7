"""A deterministic demo squad: 12 athletes, two years, written as real export files.

Each athlete's history is drawn from a seeded random generator around a weekly plan that fits
their story (balanced, never does strength, ramps too fast before a race, long gaps, logs RPE,
no heart-rate strap, ...). The history is written in the formats runners really have: Strava's
bulk ``activities.csv`` (English, dates in UTC) or Garmin Connect's ``Activities.csv`` (English,
local time, km or statute miles), and imported through the same importers as any upload.

The same anchor date always gives byte-identical files. ``data/demo/`` in the repository holds
the squad anchored on :data:`DEMO_ANCHOR`; the app imports a squad anchored on the current week
so that "this week" is never empty in the demo. Regenerate the files with
``python -m stridewise.demo data/demo``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal
from zoneinfo import ZoneInfo

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store

#: The last day (a Sunday) of the committed demo files under data/demo/.
DEMO_ANCHOR = date(2026, 11, 22)
#: Days of history per athlete: 104 whole weeks, the last one ending on the anchor day.
DEMO_DAYS = 104 * 7
DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"


@dataclass(frozen=True)
class DemoAthlete:
    """One demo athlete: who they are, how they train, and which app exports their log."""

    name: str
    group: str
    story: str
    fmt: Literal["strava", "garmin_km", "garmin_mi"]
    sex: Literal["male", "female"]
    hr_max: float
    hr_rest: float
    tz: str
    seed: int
    #: planned sessions per week by kind
    plan: dict[str, float] = field(default_factory=dict)
    logs_rpe: bool = False
    has_hr: bool = True
    run_pace_s_per_km: float = 330.0
    #: (start day offset from the first day, length in days) of breaks with no training
    gaps: tuple[tuple[int, int], ...] = ()
    #: add this share of running volume per week over the final 4 weeks (race build)
    final_ramp: float = 0.0

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_")

    @property
    def file_name(self) -> str:
        return (f"{self.slug}_strava_activities.csv" if self.fmt == "strava"
                else f"{self.slug}_garmin_Activities.csv")


_BALANCED = {"run": 4, "long": 1, "strength": 2, "plyo": 1, "stability": 2, "yoga": 1,
             "stretch": 1}

SQUAD: tuple[DemoAthlete, ...] = (
    DemoAthlete("Ana Silva", "Road", "balanced all-rounder", "strava", "female", 188, 48,
                "Europe/Lisbon", 11, _BALANCED, logs_rpe=True, run_pace_s_per_km=310),
    DemoAthlete("Ben Carter", "Road", "runs a lot, never does strength work", "garmin_km",
                "male", 192, 52, "Europe/London", 12,
                {"run": 5, "long": 1, "ride": 0.3}, run_pace_s_per_km=290),
    DemoAthlete("Chloe Martin", "Road", "ramps running too fast before a marathon", "strava",
                "female", 190, 50, "Europe/Paris", 13,
                {"run": 4, "long": 1, "strength": 1, "stability": 1, "yoga": 0.5},
                run_pace_s_per_km=320, final_ramp=0.2),
    DemoAthlete("Dev Patel", "Trail", "long gaps: injury break and travel", "garmin_km", "male",
                185, 55, "Asia/Kolkata", 14,
                {"run": 3, "long": 1, "strength": 1.5, "stability": 1, "stretch": 1},
                run_pace_s_per_km=345, gaps=((230, 49), (520, 26), (705, 9))),
    DemoAthlete("Emma Johansson", "Road", "logs perceived exertion for every session",
                "strava", "female", 186, 46, "Europe/Stockholm", 15,
                {"run": 4, "long": 1, "strength": 2, "plyo": 1, "stability": 1, "yoga": 1},
                logs_rpe=True, run_pace_s_per_km=300),
    DemoAthlete("Finn O'Brien", "Beginners", "trains without a heart-rate strap", "garmin_km",
                "male", 195, 60, "Europe/Dublin", 16,
                {"run": 3, "long": 0.5, "strength": 1, "stretch": 1}, has_hr=False,
                run_pace_s_per_km=380),
    DemoAthlete("Grace Kim", "Trail", "mountain runner who hikes and lifts", "strava",
                "female", 189, 49, "America/Denver", 17,
                {"trail": 3, "long": 1, "hike": 1, "strength": 2, "plyo": 0.5,
                 "stability": 1, "yoga": 1}, run_pace_s_per_km=390),
    DemoAthlete("Hugo Weber", "Triathlon", "triathlete: swim, bike, run", "garmin_km", "male",
                187, 47, "Europe/Berlin", 18,
                {"run": 3, "long": 0.5, "ride": 3, "swim": 2, "strength": 1, "stability": 1},
                run_pace_s_per_km=300),
    DemoAthlete("Iris Novak", "Road", "runner who loves yoga and Pilates, skips plyometrics",
                "strava", "female", 184, 50, "Europe/Prague", 19,
                {"run": 4, "long": 1, "yoga": 2, "pilates": 1, "stretch": 1, "strength": 1},
                run_pace_s_per_km=335),
    DemoAthlete("Jonas Berg", "Beginners", "new runner in the US, logs in miles", "garmin_mi",
                "male", 196, 62, "America/Chicago", 20,
                {"run": 3, "walk": 2, "strength": 0.5}, run_pace_s_per_km=400),
    DemoAthlete("Kai Tanaka", "Track", "middle-distance runner with jump and drill work",
                "strava", "male", 198, 44, "Asia/Tokyo", 21,
                {"run": 4, "intervals": 2, "plyo": 2, "strength": 2, "stability": 1,
                 "stretch": 2}, logs_rpe=True, run_pace_s_per_km=280),
    DemoAthlete("Lena Fischer", "Masters", "masters runner who guards her stability work",
                "garmin_km", "female", 172, 52, "Europe/Vienna", 22,
                {"run": 3, "long": 1, "stability": 3, "strength": 2, "yoga": 1},
                run_pace_s_per_km=355),
)

# kind -> (sport label for Strava, Garmin activity type, titles, minutes (mean, sd), base RPE)
_KINDS: dict[str, tuple[str, str, tuple[str, ...], tuple[float, float], float]] = {
    "run": ("Run", "Running", ("Easy run", "Morning Run", "Recovery run", "Tempo run",
                               "Evening Run", "Steady run"), (48, 10), 4.5),
    "long": ("Run", "Running", ("Long run", "Sunday long run", "Long run with friends"),
             (100, 18), 6.0),
    "intervals": ("Run", "Track Running", ("Track intervals 6x800m", "Hill repeats",
                                           "400m repeats", "Fartlek"), (55, 8), 7.5),
    "trail": ("Trail Run", "Trail Running", ("Trail run", "Ridge trail", "Forest trail run"),
              (70, 15), 5.5),
    "hike": ("Hike", "Hiking", ("Hike", "Summit hike"), (150, 40), 4.0),
    "walk": ("Walk", "Walking", ("Walk", "Lunch walk"), (40, 10), 2.0),
    "ride": ("Ride", "Cycling", ("Bike ride", "Endurance ride", "Commute ride"), (80, 25), 5.0),
    "swim": ("Swim", "Pool Swim", ("Pool swim", "Swim technique"), (45, 8), 5.0),
    "strength": ("Weight Training", "Strength Training",
                 ("Leg strength: squats and lunges", "Gym - deadlifts and split squats",
                  "Strength training"), (45, 8), 6.0),
    "plyo": ("Workout", "HIIT", ("Plyometrics: box jumps and bounding", "Jump squats + skips",
                                 "Plyo drills"), (25, 5), 6.5),
    "stability": ("Workout", "Strength Training",
                  ("Core and stability: planks, single-leg balance", "Stability ball core",
                   "Single-leg balance work"), (25, 5), 4.0),
    "yoga": ("Yoga", "Yoga", ("Yoga flow", "Yin yoga", "Power yoga"), (50, 10), 3.0),
    "pilates": ("Pilates", "Pilates", ("Pilates", "Reformer Pilates"), (50, 8), 4.0),
    "stretch": ("Workout", "Other", ("Stretching and mobility", "Post-run stretching",
                                     "Mobility session"), (20, 5), 2.0),
}
_RUN_KINDS = {"run", "long", "intervals", "trail"}
_DISTANCE_KINDS = {"run": 1.0, "long": 1.0, "intervals": 1.0, "trail": 1.0, "hike": 1.0,
                   "walk": 1.0, "ride": 1.0, "swim": 1.0}
_PREFERRED_DAY = {"long": 6, "intervals": 1, "strength": 0, "plyo": 2, "stability": 3,
                  "yoga": 6, "pilates": 4, "stretch": 5, "hike": 5, "ride": 5, "swim": 1}


@dataclass(frozen=True)
class DemoSession:
    start_local: datetime
    kind: str
    title: str
    minutes: float
    distance_km: float
    avg_hr: float | None
    max_hr: float | None
    rpe: float | None
    elevation_m: float
    calories: float


def _sessions_for(a: DemoAthlete, end: date, days: int = DEMO_DAYS) -> list[DemoSession]:
    """Deterministic sessions of one athlete over ``days`` days ending on ``end``."""
    rng = np.random.default_rng(a.seed)
    first = end - timedelta(days=days - 1)
    off = np.zeros(days, dtype=bool)
    for g0, glen in a.gaps:
        off[g0:g0 + glen] = True
    sessions: list[DemoSession] = []
    n_weeks = days // 7 + 1
    # slow fitness drift over two years and a seasonal wave (winter lower)
    trend = 0.85 + 0.25 * np.linspace(0, 1, n_weeks) + 0.08 * np.sin(np.linspace(0, 4 * np.pi,
                                                                                  n_weeks))
    for w in range(n_weeks):
        week_first = first + timedelta(days=7 * w)
        weeks_left = (end - week_first).days // 7
        ramp = 1 + a.final_ramp * (4 - weeks_left) if a.final_ramp and weeks_left < 4 else 1.0
        for kind, per_week in a.plan.items():
            count = int(per_week) + (1 if rng.random() < per_week - int(per_week) else 0)
            if kind in _RUN_KINDS and ramp > 1 and kind == "run":
                count += 1 if ramp > 1.5 else 0
            for _ in range(count):
                pref = _PREFERRED_DAY.get(kind)
                dow = pref if pref is not None and rng.random() < 0.7 else int(rng.integers(0, 7))
                day = week_first + timedelta(days=dow)
                i = (day - first).days
                skipped = rng.random() < 0.06 and ramp == 1.0  # a race build skips nothing
                if i < 0 or i >= days or off[i] or skipped:
                    continue
                sport, _gtype, titles, (mu, sd), base_rpe = _KINDS[kind]
                scale = trend[w] * (ramp if kind in _RUN_KINDS else 1.0)
                if kind == "long" and ramp > 1 and weeks_left == 0:
                    scale *= 1.3  # the race-build long run that jumps past the usual
                minutes = max(10.0, float(rng.normal(mu, sd)) * scale)
                hour = int(rng.choice([6, 7, 12, 17, 18, 19]))
                start = datetime(day.year, day.month, day.day, hour, int(rng.integers(0, 60)),
                                 int(rng.integers(0, 60)))
                pace = a.run_pace_s_per_km * float(rng.normal(1.0, 0.04))
                if kind == "intervals":
                    pace *= 0.92
                dist = {"hike": 60 / 4.2 * 60, "walk": 60 / 5.5 * 60, "ride": 60 / 26 * 60,
                        "swim": 60 / 2.8 * 60}.get(kind, pace)
                distance_km = minutes * 60 / dist if kind in _DISTANCE_KINDS else 0.0
                effort = float(np.clip(base_rpe + rng.normal(0, 0.8), 1, 10))
                hrr = 0.35 + 0.055 * effort
                avg_hr = round(a.hr_rest + hrr * (a.hr_max - a.hr_rest)) if a.has_hr else None
                max_hr = (min(a.hr_max, round(avg_hr + rng.uniform(8, 22)))
                          if avg_hr is not None else None)
                rpe = float(round(effort)) if a.logs_rpe else None
                elev = distance_km * float(rng.uniform(3, 12)) if kind in _RUN_KINDS else 0.0
                if kind in {"trail", "hike"}:
                    elev *= 5
                kcal = minutes * (6 + effort) * (1.1 if a.sex == "male" else 0.9)
                sessions.append(DemoSession(start, kind, str(rng.choice(titles)), minutes,
                                            distance_km, avg_hr, max_hr, rpe, elev, kcal))
    sessions.sort(key=lambda s: s.start_local)
    return sessions


def _hms(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


STRAVA_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,"
    "Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,"
    "Average Speed,Elevation Gain,Elevation Loss,Elevation Low,Elevation High,Max Grade,"
    "Average Grade,Average Positive Grade,Average Negative Grade,Max Cadence,Average Cadence,"
    "Max Heart Rate,Average Heart Rate,Max Watts,Average Watts,Calories,Max Temperature,"
    "Average Temperature,Relative Effort,Total Work,Number of Runs,Uphill Time,Downhill Time,"
    "Other Time,Perceived Exertion,Type,Start Time,Weighted Average Power,Power Count,"
    "Prefer Perceived Exertion,Perceived Relative Effort,Commute,Total Weight Lifted,"
    "From Upload,Grade Adjusted Distance"
).split(",")


def _strava_csv(a: DemoAthlete, sessions: list[DemoSession]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(STRAVA_HEADER)
    zone = ZoneInfo(a.tz)
    for k, s in enumerate(sessions):
        utc = s.start_local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))
        date_text = f"{utc:%b} {utc.day}, {utc.year}, {utc.hour % 12 or 12}:{utc:%M:%S} " \
                    f"{'AM' if utc.hour < 12 else 'PM'}"
        sport = _KINDS[s.kind][0]
        secs = round(s.minutes * 60)
        moving = round(secs * (0.96 if s.kind in _DISTANCE_KINDS else 1.0))
        metres = s.distance_km * 1000
        display = f"{metres:,.0f}" if s.kind == "swim" else f"{s.distance_km:.2f}"
        row = {c: "" for c in STRAVA_HEADER}
        values = {
            0: str(9_000_000_000 + a.seed * 100_000 + k), 1: date_text, 2: s.title, 3: sport,
            5: str(secs), 6: display if metres else "0.00",
            7: f"{s.max_hr:.0f}" if s.max_hr else "", 9: "false",
            12: f"activities/{8_000_000_000 + a.seed * 100_000 + k}.fit.gz",
            15: f"{secs}.0", 16: f"{moving}.0", 17: f"{metres:.1f}" if metres else "0.0",
            19: f"{metres / moving:.3f}" if metres else "", 20: f"{s.elevation_m:.1f}",
            30: f"{s.max_hr:.1f}" if s.max_hr else "", 31: f"{s.avg_hr:.1f}" if s.avg_hr else "",
            34: f"{s.calories:.0f}", 43: f"{s.rpe:.0f}" if s.rpe is not None else "",
            48: "1.0" if s.rpe is not None else "", 52: "1",
        }
        cells = [values.get(i, row[c]) for i, c in enumerate(STRAVA_HEADER)]
        w.writerow(cells)
    return buf.getvalue()


GARMIN_HEADER = ("Activity Type,Date,Favorite,Title,Distance,Calories,Time,Avg HR,Max HR,"
                 "Avg Run Cadence,Max Run Cadence,Avg Pace,Best Pace,Total Ascent,Total Descent,"
                 "Avg Stride Length,Training Stress Score®,Best Lap Time,Number of Laps,"
                 "Moving Time,Elapsed Time,Min Elevation,Max Elevation").split(",")


def _garmin_csv(a: DemoAthlete, sessions: list[DemoSession]) -> str:
    miles = a.fmt == "garmin_mi"
    unit_km = 1.609344 if miles else 1.0
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    w.writerow(GARMIN_HEADER)
    for s in reversed(sessions):  # Garmin Connect lists newest first
        gtype = _KINDS[s.kind][1]
        secs = s.minutes * 60
        moving = secs * (0.97 if s.kind in _DISTANCE_KINDS else 1.0)
        if s.kind == "swim":
            dist = f"{s.distance_km * 1000:,.0f}"
        elif s.distance_km:
            dist = f"{s.distance_km / unit_km:.2f}"
        else:
            dist = "0.00"
        pace = "--"
        if s.kind in _RUN_KINDS and s.distance_km:
            p = moving / (s.distance_km / unit_km)
            pace = f"{int(p // 60)}:{int(p % 60):02d}"
        ascent = s.elevation_m * (3.28084 if miles else 1.0)
        w.writerow([
            gtype, f"{s.start_local:%Y-%m-%d %H:%M:%S}", "false", s.title, dist,
            f"{s.calories:,.0f}", _hms(secs),
            f"{s.avg_hr:.0f}" if s.avg_hr else "--", f"{s.max_hr:.0f}" if s.max_hr else "--",
            "170" if s.kind in _RUN_KINDS else "--", "182" if s.kind in _RUN_KINDS else "--",
            pace, pace, f"{ascent:,.0f}" if ascent else "--", f"{ascent:,.0f}" if ascent else "--",
            "1.05" if s.kind in _RUN_KINDS else "0.00", "0.0", "00:05:00", "1",
            _hms(moving), _hms(secs), "--", "--",
        ])
    return buf.getvalue()


def demo_files(end: date = DEMO_ANCHOR) -> dict[str, bytes]:
    """File name -> bytes of the whole demo squad ending on ``end`` (plus ``squad.json``)."""
    files: dict[str, bytes] = {}
    roster = []
    for a in SQUAD:
        sessions = _sessions_for(a, end)
        text = _strava_csv(a, sessions) if a.fmt == "strava" else _garmin_csv(a, sessions)
        files[a.file_name] = text.encode("utf-8")
        info = asdict(a)
        roster.append({"name": a.name, "group": a.group, "story": a.story,
                       "file": a.file_name, "sex": a.sex, "hr_max": a.hr_max,
                       "hr_rest": a.hr_rest, "tz": a.tz,
                       "units": "mi" if a.fmt == "garmin_mi" else "km",
                       "plan": info["plan"]})
    files["squad.json"] = (json.dumps({"end": end.isoformat(), "athletes": roster}, indent=2,
                                      ensure_ascii=False) + "\n").encode("utf-8")
    return files


def write_demo_files(directory: str | Path, end: date = DEMO_ANCHOR) -> list[Path]:
    """Write the demo squad's files into ``directory``; returns the paths written."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in demo_files(end).items():
        p = d / name
        p.write_bytes(data)
        paths.append(p)
    return paths


def current_anchor(today: date | None = None) -> date:
    """The last day of the app's demo: today, so that "this week" is alive and nothing lies
    in the future."""
    return today or date.today()


def ensure_demo(store: Store, today: date | None = None) -> bool:
    """Import the demo squad into an empty store; returns True when it did.

    A store that already holds any athlete is left alone (demo data is only a first-run
    welcome; ``store.clear_demo()`` removes it with one click).
    """
    if len(store.athletes()) > 0:
        return False
    from stridewise.ingest import ReadContext, read_bytes

    files = demo_files(current_anchor(today))
    roster = json.loads(files["squad.json"])["athletes"]
    reports = []
    for info in roster:
        store.upsert_athlete(info["name"], group=info["group"], hr_max=info["hr_max"],
                             hr_rest=info["hr_rest"], sex=info["sex"], tz=info["tz"],
                             units=info["units"], is_demo=True)
        ctx = ReadContext(athlete=info["name"], tz=info["tz"], units=info["units"])
        reports.append((info["name"], read_bytes(files[info["file"]], info["file"], ctx)))
    for name, report in reports:
        store.import_report(report, athlete=name, is_demo=True)
    add_demo_log(store, current_anchor(today))
    add_demo_body(store, current_anchor(today))
    add_demo_plans(store, current_anchor(today))
    return True


# --- the runner's log: sessions logged by hand with their sets, and saved routines ------------

#: athlete -> (routine name of the starter routines, days before the anchor, RPE) of the
#: sessions they logged by hand; and the starter routines they saved as their own.
DEMO_LOG: dict[str, tuple[tuple[str, int, float], ...]] = {
    "Finn O'Brien": tuple(
        [("Calf and Achilles 10 min", d, 3.0) for d in (2, 5, 9, 12, 16, 19, 23, 26, 33)]
        + [("Stability 15 min", d, 4.0) for d in (4, 11, 18, 25, 39)]),
    "Lena Fischer": tuple(
        [("Stability 15 min", d, 4.0) for d in (1, 3, 8, 10, 15, 17, 22)]
        + [("Plyometrics starter", d, 5.0) for d in (6, 13, 20)]),
}
DEMO_ROUTINES: dict[str, tuple[str, ...]] = {
    "Finn O'Brien": ("Calf and Achilles 10 min",),
    "Lena Fischer": ("Stability 15 min", "Plyometrics starter"),
}


def add_demo_log(store: Store, anchor: date) -> int:
    """Add the demo athletes' sessions logged by hand (at 19:00 on their days, with the starter
    routine's sets) and their saved routines; returns the number of sessions logged."""
    from stridewise.exercises import starter_routines
    from stridewise.manual import type_for_area

    routines = {r.name: r for r in starter_routines()}
    n = 0
    for name, entries in DEMO_LOG.items():
        batch = []
        for rname, days, rpe in entries:
            r = routines[rname]
            kind = type_for_area(r.area)
            batch.append({"duration_s": r.minutes * 60.0, "sport": kind.sport, "area": r.area,
                          "start": datetime.combine(anchor - timedelta(days=days),
                                                    datetime.min.time()).replace(hour=19),
                          "rpe": rpe, "title": r.name, "sets": r.set_records()})
        n += len(store.add_manual_sessions(name, batch))
        for rname in DEMO_ROUTINES.get(name, ()):
            store.save_routine(name, routines[rname])
    return n


# --- what demo runners report: check-ins and one niggle ------------------------------------
#: Athletes who fill in the daily check-in (the first one also reports a niggle).
CHECKIN_ATHLETES: Final[tuple[str, ...]] = ("Iris Novak", "Emma Johansson", "Kai Tanaka",
                                            "Lena Fischer")
NIGGLE_ATHLETE: Final[str] = "Iris Novak"
CHECKIN_DAYS: Final[int] = 24


def demo_checkins(name: str, end: date, days: int = CHECKIN_DAYS) -> list[dict[str, object]]:
    """Deterministic daily check-ins of ``name`` for the ``days`` days up to ``end`` (a few
    skipped). The niggle athlete's last three days drift: poorer sleep, more soreness."""
    import random

    rng = random.Random(f"checkin:{name}")
    out: list[dict[str, object]] = []
    base_hr = 44 + rng.randrange(8)
    for k in range(days - 1, -1, -1):
        if k > 2 and rng.random() < 0.15:
            continue  # a missed day, as in real life
        worse = name == NIGGLE_ATHLETE and k <= 2
        out.append({
            "date": end - timedelta(days=k),
            "sleep": 2 if worse else rng.choice((3, 4, 4, 4, 5)),
            "fatigue": rng.choice((3, 3, 4, 4)),
            "soreness": 2 if worse else rng.choice((3, 4, 4)),
            "stress": rng.choice((3, 3, 4)), "mood": rng.choice((3, 4, 4, 5)),
            "resting_hr_bpm": float(base_hr + (4 if worse else rng.randrange(-1, 2)))})
    return out


def add_demo_body(store: Store, end: date) -> None:
    """The demo's check-ins and its one active niggle (training modified), so the Check-in page,
    the timelines and the symptom rule are visible out of the box."""
    names = set(store.athletes()["name"])
    for name in CHECKIN_ATHLETES:
        if name in names:
            store.save_checkins(name, demo_checkins(name, end))
    if NIGGLE_ATHLETE in names:
        nid = store.add_niggle(NIGGLE_ATHLETE, region="calf_shin", side="left",
                               onset=end - timedelta(days=4), pain=3, effect="none")
        store.update_niggle(NIGGLE_ATHLETE, nid, day=end - timedelta(days=2), pain=4,
                            effect="modified")
        store.update_niggle(NIGGLE_ATHLETE, nid, day=end - timedelta(days=1), pain=3,
                            effect="modified")


#: The demo squads' weekly plans: a template for the Road and Track squads and one athlete's
#: override (Ben Carter, who skips strength work: a lighter strength plan and an ultra-length
#: long run that the plan check flags),
#: so that planned vs done, compliance and the plan checks show on first start.
DEMO_PLANS: tuple[tuple[str, str, dict[str, object]], ...] = (
    ("squad", "Road", {
        "areas": {"endurance": {"sessions": 4, "minutes": 240},
                  "strength": {"sessions": 2, "minutes": 60},
                  "plyometrics": {"sessions": 1, "minutes": 15},
                  "stability": {"sessions": 2, "minutes": 40},
                  "flexibility": {"sessions": 2, "minutes": 40}},
        "key_runs": [{"kind": "quality", "weekday": 1, "distance_km": None, "title": ""},
                     {"kind": "long", "weekday": 6, "distance_km": 24.0, "title": ""}],
        "targets": {"flexibility": 2.0}}),
    ("athlete", "Ben Carter", {
        "areas": {"strength": {"sessions": 1, "minutes": 30}},
        "key_runs": [{"kind": "quality", "weekday": 1, "distance_km": None, "title": ""},
                     {"kind": "long", "weekday": 6, "distance_km": 45.0, "title": ""}]}),
    ("squad", "Track", {
        "areas": {"endurance": {"sessions": 6, "minutes": 300},
                  "strength": {"sessions": 2, "minutes": 60},
                  "plyometrics": {"sessions": 2, "minutes": 30},
                  "stability": {"sessions": 1, "minutes": 20},
                  "flexibility": {"sessions": 2, "minutes": 40}},
        "key_runs": [{"kind": "quality", "weekday": 1, "distance_km": None, "title": ""},
                     {"kind": "quality", "weekday": 3, "distance_km": None, "title": ""}],
        "targets": {"stability": 1.0, "flexibility": 2.0}}),
)


def add_demo_plans(store: Store, anchor: date) -> None:
    """Store :data:`DEMO_PLANS` (marked demo), valid from 12 weeks before ``anchor``'s week."""
    from stridewise import plans

    start = plans.week_start_for(anchor) - timedelta(days=7 * 12)
    for scope, name, body in DEMO_PLANS:
        plans.save_plan(store, scope, name, body, valid_from=start, changed_by="Stridewise demo",
                        is_demo=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m stridewise.demo [DIR]``: (re)write the committed demo files."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DEMO_DIR
    for p in write_demo_files(target):
        print(p)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
