"""CSV exports of other apps and watches, and CSVs that are recognised but refused.

Session logs: Runkeeper ``cardioActivities.csv`` (mi or km), MapMyRun workout history,
TrainingPeaks workouts (completed rows only), intervals.icu ``activities.csv``, Zepp Life
``SPORT.csv`` (numeric sport codes, UTC), WHOOP ``workouts.csv``, Apple Health via the Health
Export app (workouts), Hevy and Fitbod set-level strength logs (one session per workout, sets
kept), and the multi-section files of Polar Flow (one session), the Wahoo Fitness app and
Epson watches.

Refused with a sentence: daily wellness files (intervals.icu wellness), Fitbit/Fitabase daily
activity totals, Health Export cumulative daily totals.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from stridewise.errors import ImportRefused
from stridewise.ingest.base import ImportReport, ReadContext, utc_to_local
from stridewise.ingest.csvtable import Table, finish_report, header_key
from stridewise.ingest.safenum import safe_float, safe_int
from stridewise.ingest.sports import normalise_sports, title_or_type
from stridewise.ingest.values import DateResult, parse_dates, parse_durations, parse_numbers
from stridewise.schema import sets_to_json

Reader = Callable[[Table, ReadContext, str], ImportReport]
MILE_M = 1609.344
FOOT_M = 0.3048
LB_KG = 0.45359237


def _has(table: Table, *names: str) -> bool:
    keys = set(table.keys)
    return all(header_key(n) in keys for n in names)


def _num(table: Table, name: str, decimal: str | None = ".") -> pd.Series:
    s = table.find(name)
    if s is None:
        return pd.Series(np.nan, index=table.data.index)
    return parse_numbers(s, decimal)  # type: ignore[arg-type]


def _text(table: Table, name: str) -> pd.Series:
    s = table.find(name)
    if s is None:
        return table.empty_text()
    return s.astype("str").str.strip()


def _dates(table: Table, *names: str, order: str | None = None) -> DateResult:
    s = table.find(*names)
    if s is None:
        s = pd.Series([""] * len(table.data), index=table.data.index, dtype="str")
    return parse_dates(s, order=order)


def _pos(s: pd.Series) -> pd.Series:
    return s.where(s.gt(0))


# --------------------------------------------------------------------------- refusals

def _refuse(message: str, kind: str) -> Reader:
    def reader(table: Table, ctx: ReadContext, file_name: str) -> ImportReport:
        raise ImportRefused(f"{file_name} {message}", kind=kind)
    return reader


#: Header names of sleep reports (Garmin Connect's sleep export in several languages, other
#: apps' sleep logs): two of them, or a "Sleep Score ..." first column, make a sleep summary.
_SLEEP = frozenset({
    "sleep need", "avg sleep need", "bedtime", "avg bedtime", "wake time", "avg wake time",
    "sleep duration", "sleep score",
    "sleep quality", "deep sleep", "light sleep", "rem sleep", "awake time", "time in bed",
    "puntuacion del sueno", "necesidad de sueno", "hora de acostarse", "hora de despertarse",
    "schlafbedarf", "schlafenszeit", "aufwachzeit", "schlafdauer", "schlafqualitat",
    "besoin de sommeil", "heure du coucher", "heure du reveil", "score de sommeil",
    "fabbisogno di sonno", "ora di andare a letto", "ora del risveglio",
    "slaapbehoefte", "bedtijd", "wektijd", "necessidade de sono", "hora de deitar",
    "hora de acordar", "sovnbehov", "sengetid", "sombehov", "sovbehov", "sangtid",
})


def _is_sleep_report(table: Table) -> bool:
    keys = table.keys
    if keys and (keys[0].startswith("sleep score") or keys[0].startswith("schlafwert")
                 or keys[0].startswith("score de sommeil")):
        return True
    if sum(k in _SLEEP for k in keys) >= 2 and not ({"distance", "activity type", "type",
                                                      "sport"} & set(keys)):
        return True
    # Garmin's one-night report is a list of "label,value" lines.
    first = table.data[0].astype("str").str.strip().str.casefold().head(40)
    return bool(first.str.startswith("sleep score").any()
                and first.isin(["sleep duration", "deep sleep duration", "rem duration"]).any())


_WELLNESS = ("resting hr", "restinghr", "hrv", "sleep", "sleepsecs", "weight", "readiness",
             "soreness", "fatigue", "stress", "spo2", "body battery")


def detect(table: Table) -> Reader | None:
    """The reader for a recognised app CSV (or a refusing reader), else None."""
    k = set(table.keys)
    if _has(table, "activitydate", "totalsteps") or _has(table, "activitydate", "calories",
                                                          "veryactiveminutes"):
        return _refuse(
            "is a Fitbit daily activity summary (steps and active minutes per day), not a list "
            "of training sessions; export your exercise sessions instead.",
            "Fitbit daily activity file")
    if "date" in k and ({"restinghr", "hrv", "sleepsecs"} & k) \
            and not ({"type", "moving time", "elapsed time", "duration"} & k):
        return _refuse(
            "is an intervals.icu wellness file (weight, resting HR, HRV, sleep per day), not "
            "an activity list; export activities.csv from intervals.icu instead.",
            "intervals.icu wellness file")
    if (_has(table, "date", "step count count") or _has(table, "date",
                                                        "active energy burned kcal")) \
            and "activity" not in k:
        return _refuse(
            "is a Health Export file of cumulative daily totals (energy, steps, distance per "
            "day), not workouts; export the Workouts table from Health Export instead.",
            "Apple Health daily totals")
    if _is_sleep_report(table):
        return _refuse(
            "is a sleep summary (sleep score, duration and bedtime per night, as Garmin "
            "Connect's sleep report exports it), not a list of training sessions; export your "
            "activities instead (Garmin Connect: Activities, Export CSV).", "sleep summary")
    if _has(table, "workout day", "workouttype") or _has(table, "workoutday", "workouttype"):
        return read_trainingpeaks
    if _has(table, "route name", "duration") and _has(table, "type", "date") and (
            table.index_of("Distance (mi)", "Distance (km)") is not None):
        return read_runkeeper
    if _has(table, "date submitted", "workout date", "activity type"):
        return read_mapmyrun
    if _has(table, "start date local", "moving time", "elapsed time", "id", "type"):
        return read_intervals
    if _has(table, "type", "starttime", "sporttime s"):
        return read_zepp
    if _has(table, "workout start time", "activity name") and \
            table.index_of("Duration (min)") is not None:
        return read_whoop
    if _has(table, "date", "activity") and table.index_of("Duration(Seconds)",
                                                          "Duration (Seconds)") is not None:
        return read_healthexport
    if _has(table, "title", "start time", "end time", "exercise title"):
        return read_hevy
    if _has(table, "date", "exercise", "reps", "weight") and ("sets" in k or "iswarmup" in k):
        return read_fitbod
    wellish = sum(any(w == key or key.startswith(w) for w in _WELLNESS) for key in k)
    has_session_cols = bool({"duration", "distance", "type", "activity", "sport",
                             "moving time", "elapsed time"} & k)
    if wellish >= 3 and not has_session_cols:
        return _refuse(
            "looks like a daily wellness file (sleep, HRV, resting heart rate, weight), not a "
            "list of training sessions.", "wellness file")
    return None


# --------------------------------------------------------------------------- simple apps

def read_runkeeper(table: Table, ctx: ReadContext, file_name: str) -> ImportReport:
    miles = table.index_of("Distance (mi)") is not None
    dist = _num(table, "Distance (mi)" if miles else "Distance (km)")
    climb = _num(table, "Climb (ft)" if miles else "Climb (m)")
    parsed = _dates(table, "Date", order=ctx.date_order)
    route = _text(table, "Route Name")
    types = _text(table, "Type")
    title = route.where(route != "", types.astype("str").str.strip())
    rows = pd.DataFrame({
        "start": parsed.values, "sport": normalise_sports(types), "title": title,
        "duration_s": parse_durations(_text(table, "Duration")),
        "distance_m": _pos(dist * (MILE_M if miles else 1000.0)),
        "elevation_gain_m": climb * (FOOT_M if miles else 1.0),
        "avg_hr": _pos(_num(table, "Average Heart Rate (bpm)")),
        "calories": _num(table, "Calories Burned"),
        "start_reason": parsed.reasons(),
        "row_number": table.record_lines,
    })
    unit = "mi" if miles else "km"
    return finish_report(
        rows, table, ctx, source="runkeeper_csv", file_name=file_name,
        fmt=f"Runkeeper cardioActivities.csv (distances in {'miles' if miles else 'km'})",
        assumptions=[f"distance unit taken from the header ({'miles' if miles else 'km'})",
                     "Runkeeper lists local start times; kept as they are",
                     *parsed.sentences()], units=unit)


def read_mapmyrun(table: Table, ctx: ReadContext, file_name: str) -> ImportReport:
    parsed = _dates(table, "Workout Date", order=ctx.date_order)
    types = _text(table, "Activity Type")
    notes = _text(table, "Notes")
    link = _text(table, "Link")
    ids = link.str.extract(r"(\d+)\s*/?$", expand=False).fillna("")
    secs = _num(table, "Workout Time (seconds)")
    rows = pd.DataFrame({
        "start": parsed.values, "sport": normalise_sports(types),
        "title": notes.where(notes != "", types.astype("str").str.strip()),
        "duration_s": _pos(secs),
        "distance_m": _pos(_num(table, "Distance (mi)") * MILE_M),
        "avg_hr": _pos(_num(table, "Avg Heart Rate")),
        "calories": _pos(_num(table, "Calories Burned (kCal)")),
        "source_id": ids.astype("str"),
        "start_reason": parsed.reasons(),
        "row_number": table.record_lines,
    })
    return finish_report(
        rows, table, ctx, source="mapmyrun_csv", file_name=file_name,
        fmt="MapMyRun workout history (distances in miles, dates without times)",
        assumptions=["MapMyRun gives workout dates without a time of day; sessions start at "
                     "midnight", *parsed.sentences()], units="mi")


def read_trainingpeaks(table: Table, ctx: ReadContext, file_name: str) -> ImportReport:
    parsed = _dates(table, "WorkoutDay", order=ctx.date_order)
    types = _text(table, "WorkoutType")
    hours = _num(table, "TimeTotalInHours")
    dist = _num(table, "DistanceInMeters")
    done = hours.gt(0) | dist.gt(0)
    day_off = types.str.casefold().isin(["day off", "rest", "rest day"])
    lines = table.record_lines
    from stridewise.ingest.base import SkippedRow

    skipped = [SkippedRow(int(lines[i]), "a day off, not a session")
               for i in np.flatnonzero(day_off.to_numpy())]
    skipped += [SkippedRow(int(lines[i]), "planned workout with no completed time or distance")
                for i in np.flatnonzero((~done & ~day_off).to_numpy())]
    keep = done & ~day_off
    rows = pd.DataFrame({
        "start": parsed.values, "sport": normalise_sports(types),
        "title": title_or_type(_text(table, "Title"), types), "duration_s": hours * 3600.0,
        "distance_m": _pos(dist), "avg_hr": _pos(_num(table, "HeartRateAverage")),
        "max_hr": _pos(_num(table, "HeartRateMax")),
        "start_reason": parsed.reasons(), "row_number": lines,
    })
    rpe = _num(table, "Rpe")
    rows["rpe"] = rpe.where(rpe.between(1, 10))
    return finish_report(
        rows.loc[keep], table, ctx, source="trainingpeaks_csv", file_name=file_name,
        fmt="TrainingPeaks workouts export (completed workouts only)",
        assumptions=["durations read from TimeTotalInHours (decimal hours)",
                     "TrainingPeaks gives workout days without a time of day; sessions start "
                     "at midnight", *parsed.sentences()], skipped=skipped)


def read_intervals(table: Table, ctx: ReadContext, file_name: str) -> ImportReport:
    parsed = _dates(table, "start_date_local")
    rows = pd.DataFrame({
        "start": parsed.values, "sport": normalise_sports(_text(table, "type")),
        "title": title_or_type(_text(table, "name"), _text(table, "type")),
        "duration_s": _num(table, "elapsed_time"), "moving_s": _num(table, "moving_time"),
        "distance_m": _pos(_num(table, "distance")),
        "elevation_gain_m": _num(table, "total_elevation_gain"),
        "avg_hr": _pos(_num(table, "average_heartrate")),
        "max_hr": _pos(_num(table, "max_heartrate")),
        "calories": _num(table, "calories"),
        "source_id": _text(table, "id"),
        "start_reason": parsed.reasons(), "row_number": table.record_lines,
    })
    rpe = _num(table, "icu_rpe")
    rows["rpe"] = rpe.where(rpe.between(1, 10))
    return finish_report(
        rows, table, ctx, source="intervals_csv", file_name=file_name,
        fmt="intervals.icu activities.csv",
        assumptions=["intervals.icu lists local start times (start_date_local); kept as they "
                     "are"], units="km")


#: Zepp Life / Mi Fit sport codes (documented by the app's exports; others -> other).
ZEPP_SPORTS = {1: "run", 6: "walk", 7: "trail_run", 8: "treadmill_run", 9: "ride",
               10: "virtual_ride", 12: "elliptical", 14: "swim", 15: "open_water_swim",
               16: "other", 17: "climb", 21: "strength", 23: "row", 24: "hiit", 25: "yoga"}


def read_zepp(table: Table, ctx: ReadContext, file_name: str) -> ImportReport:
    codes = _num(table, "type")
    sport = codes.map(lambda c: ZEPP_SPORTS.get(safe_int(c), "other") if pd.notna(c) else "other")
    parsed = _dates(table, "startTime")
    start = utc_to_local(parsed.values, ctx.tz) if parsed.utc_offset else parsed.values
    rows = pd.DataFrame({
        "start": start, "sport": sport.astype("str"),
        "title": sport.astype("str").str.replace("_", " ").str.capitalize(),
        "duration_s": _num(table, "sportTime(s)"),
        "distance_m": _pos(_num(table, "distance(m)")),
        "calories": _num(table, "calories(kcal)"),
        "start_reason": parsed.reasons(), "row_number": table.record_lines,
    })
    assumptions = ["sport codes read as Zepp's (1 run, 6 walk, 8 treadmill, 9 ride, ...)"]
    if parsed.utc_offset:
        assumptions.append(f"start times are UTC (+0000); converted to {ctx.tz}")
    return finish_report(rows, table, ctx, source="zepp_csv", file_name=file_name,
                         fmt="Zepp Life (Amazfit/Mi Fit) SPORT.csv", assumptions=assumptions,
                         units="km")


def read_whoop(table: Table, ctx: ReadContext, file_name: str) -> ImportReport:
    start = _dates(table, "Workout start time").values
    end = _dates(table, "Workout end time").values
    minutes = _num(table, "Duration (min)")
    span = (end - start).dt.total_seconds()
    names = _text(table, "Activity name")
    rows = pd.DataFrame({
        "start": start, "sport": normalise_sports(names), "title": names,
        "duration_s": span.where(span.gt(0), minutes * 60.0),
        "distance_m": _pos(_num(table, "Distance (meters)")),
        "elevation_gain_m": _num(table, "Altitude gain (meters)"),
        "avg_hr": _pos(_num(table, "Average HR (bpm)")),
        "max_hr": _pos(_num(table, "Max HR (bpm)")),
        "calories": _num(table, "Energy burned (cal)"), "row_number": table.record_lines,
    })
    return finish_report(
        rows, table, ctx, source="whoop_csv", file_name=file_name, fmt="WHOOP workouts.csv",
        assumptions=["WHOOP workout times are local to the cycle's time zone; kept as they are",
                     "WHOOP's 'Energy burned (cal)' is read as kilocalories"])


def read_healthexport(table: Table, ctx: ReadContext, file_name: str) -> ImportReport:
    date = _text(table, "Date")
    first = date.str.split(r"\s+-\s+", n=1, regex=True).str[0]
    parsed = parse_dates(first, order=ctx.date_order)
    acts = _text(table, "Activity")
    dur_col = table.find("Duration(Seconds)", "Duration (Seconds)")
    if dur_col is None:
        dur_col = table.empty_text()
    dist_col = table.index_of("Distance(km)", "Distance (km)")
    dist_mi = table.index_of("Distance(mi)", "Distance (mi)")
    if dist_col is not None:
        dist = parse_numbers(table.data[dist_col], ".") * 1000.0
    elif dist_mi is not None:
        dist = parse_numbers(table.data[dist_mi], ".") * MILE_M
    else:
        dist = pd.Series(np.nan, index=table.data.index)
    rows = pd.DataFrame({
        "start": parsed.values, "sport": normalise_sports(acts),
        "title": acts.astype("str").str.strip(),
        "duration_s": parse_numbers(dur_col, "."), "distance_m": _pos(dist),
        "elevation_gain_m": _num(table, "Elevation: Ascended(m)"),
        "avg_hr": _pos(_num(table, "Heart rate: Average(count/min)")),
        "max_hr": _pos(_num(table, "Heart rate: Maximum(count/min)")),
        "calories": _num(table, "Active energy burned(kcal)"),
        "start_reason": parsed.reasons(),
        "row_number": table.record_lines,
    })
    return finish_report(
        rows, table, ctx, source="healthexport_csv", file_name=file_name,
        fmt="Apple Health workouts (Health Export app CSV)",
        assumptions=["the start of each 'start - end' date range is the session start, in "
                     "local time", *parsed.sentences()],
        units="km" if dist_mi is None else "mi")


# --------------------------------------------------------------------------- strength logs

_CATEGORIES: tuple[tuple[str, str], ...] = (
    (r"box jump|jump squat|broad jump|bound|plyo|skater jump|tuck jump|jumping|skipping",
     "plyo"),
    (r"plank|side bridge|dead bug|bird dog|pallof", "plank"),
    (r"crunch|sit.?up|leg raise|knee raise|russian twist|toe touch|scissor|v.?up|ab wheel|"
     r"hollow|superman|jackknife|flutter", "core"),
    (r"hip abduction|hip adduction|clamshell|monster walk|single leg balance|balance",
     "hip_stability"),
    (r"nordic", "leg_curl"),
    (r"lunge|split squat|step.?up", "lunge"),
    (r"deadlift|good morning|rdl|romanian", "deadlift"),
    (r"squat|leg press", "squat"),
    (r"hip thrust|glute bridge|hip raise|bridge", "hip_raise"),
    (r"calf", "calf_raise"),
    (r"leg curl|hamstring", "leg_curl"),
    (r"leg extension", "leg_extension"),
    (r"bench press|chest press|push.?up|dip", "bench_press"),
    (r"pull.?up|chin.?up|pulldown|pull down", "pull_up"),
    (r"row", "row"),
    (r"shoulder press|overhead press|military press|arnold|behind the neck press",
     "shoulder_press"),
    (r"snatch|clean|jerk", "olympic_lift"),
    (r"curl", "curl"),
    (r"tricep|skull ?crusher|kickback", "triceps_extension"),
    (r"lateral raise|front raise|rear delt|shoulder raise|face pull", "lateral_raise"),
    (r"fly|flye|crossover|pec deck|butterfly", "flye"),
    (r"shrug", "shrug"),
    (r"hyperextension|back extension", "hyperextension"),
    (r"running|treadmill|run\b", "run"),
    (r"walking|cycling|bike|rowing machine|elliptical|climbing|stair", "cardio"),
    (r"stretch|mobility|foam roll|yoga", "warm_up"),
)
_CAT_RX = tuple((re.compile(p, re.IGNORECASE), c) for p, c in _CATEGORIES)


def exercise_category(name: object) -> str:
    """A FIT-style exercise category (squat, lunge, deadlift, plyo, plank, core, ...) for a
    strength-app exercise name; "" when unknown."""
    if not isinstance(name, str):
        return ""
    for rx, cat in _CAT_RX:
        if rx.search(name):
            return cat
    return ""


def _set_records(exercise: pd.Series, reps: pd.Series, weight: pd.Series,
                 seconds: pd.Series) -> list[dict[str, object]]:
    cats = {e: exercise_category(e) for e in pd.unique(exercise.astype(object))}
    out = []
    for e, r, w, s in zip(exercise, reps, weight, seconds, strict=True):
        out.append({"exercise": e, "category": cats.get(e, ""),
                    "reps": safe_int(r),
                    "weight_kg": None if safe_float(w) is None else round(float(w), 3),
                    "seconds": safe_float(s)})
    return out


def read_hevy(table: Table, ctx: ReadContext, file_name: str) -> ImportReport:
    d = table.data
    start_txt = _text(table, "start_time")
    end_txt = _text(table, "end_time")
    title = _text(table, "title")
    lines = table.record_lines
    # Imperial accounts export weight_lbs and distance_miles instead of weight_kg/distance_km.
    imperial = table.find("weight_kg") is None and table.find("weight_lbs") is not None
    weight_kg = (_num(table, "weight_lbs") * LB_KG if imperial else _num(table, "weight_kg"))
    miles = table.find("distance_km") is None and table.find("distance_miles") is not None
    dist_km = (_num(table, "distance_miles") * MILE_M / 1000.0 if miles
               else _num(table, "distance_km"))
    frame = pd.DataFrame({
        "title": title, "start_txt": start_txt, "end_txt": end_txt,
        "exercise": _text(table, "exercise_title"), "reps": _num(table, "reps"),
        "weight": weight_kg, "secs": _num(table, "duration_seconds"),
        "km": dist_km, "line": lines,
    }, index=d.index)
    starts = parse_dates(frame["start_txt"]).values
    ends = parse_dates(frame["end_txt"]).values
    frame["start"] = starts
    frame["end"] = ends
    names = pd.unique(frame["exercise"].astype(object))
    cardio_sport = dict(zip(names, normalise_sports(pd.Series(names, dtype="str")), strict=True))
    is_cardio = {e: exercise_category(e) in ("run", "cardio") for e in names}
    out = []
    n_cardio = 0
    for _key, g in frame.groupby(["title", "start_txt", "end_txt"], sort=False):
        st, en = g["start"].iloc[0], g["end"].iloc[0]
        dur = (en - st).total_seconds() if pd.notna(st) and pd.notna(en) else np.nan
        km = g["km"].sum(min_count=1)
        sport = _workout_sport(g["exercise"], is_cardio, cardio_sport)
        n_cardio += sport != "strength"
        out.append({
            "start": st, "sport": sport, "title": g["title"].iloc[0],
            "duration_s": dur if dur and dur > 0 else np.nan,
            "distance_m": km * 1000.0 if pd.notna(km) and km > 0 else np.nan,
            "sets": sets_to_json(_set_records(g["exercise"], g["reps"], g["weight"], g["secs"])),
            "row_number": int(g["line"].iloc[0]),
        })
    rows = pd.DataFrame(out)
    assumptions = ["one session per Hevy workout; its duration is end time minus start "
                   "time; every set is kept with its exercise"]
    if imperial or miles:
        assumptions.append("weights read from pounds and distances from miles (the account "
                           "uses imperial units)" if imperial and miles else
                           "weights read from pounds" if imperial else
                           "distances read from miles")
    if n_cardio:
        assumptions.append(f"{n_cardio} workout(s) made only of cardio exercises (running, "
                           "walking, cycling, ...) take the sport of those exercises instead "
                           "of strength")
    return finish_report(
        rows, table, ctx, source="hevy_csv", file_name=file_name,
        fmt=f"Hevy workout log ({len(table)} sets in {len(rows)} workouts)",
        assumptions=assumptions)


def _workout_sport(exercises: pd.Series, is_cardio: dict[object, bool],
                   sport_of: dict[object, str]) -> str:
    """"strength" unless every set of the workout is a cardio exercise: then that exercise's
    sport (run, walk, ride, ...) when they share one, else "cardio"."""
    names = pd.unique(exercises.astype(object))
    if len(names) == 0 or not all(is_cardio.get(e, False) for e in names):
        return "strength"
    sports = {sport_of.get(e, "other") for e in names}
    if len(sports) == 1 and "other" not in sports:
        return sports.pop()
    return "cardio"


#: Seconds per set used to estimate Fitbod workout durations (work + rest).
FITBOD_SECONDS_PER_SET = 150.0


def read_fitbod(table: Table, ctx: ReadContext, file_name: str) -> ImportReport:
    d = table.data
    date_txt = _text(table, "Date")
    nsets = _num(table, "Sets").fillna(1).clip(lower=1, upper=50).astype(int)
    frame = pd.DataFrame({
        "date": date_txt, "exercise": _text(table, "Exercise"), "reps": _num(table, "Reps"),
        "weight": _num(table, "Weight"), "n": nsets, "line": table.record_lines,
    }, index=d.index)
    frame = frame.loc[frame.index.repeat(frame["n"])]
    parsed = parse_dates(frame["date"], order=ctx.date_order)
    frame["start"] = parsed.values
    out = []
    for day, g in frame.groupby("date", sort=False):
        secs = pd.Series(np.nan, index=g.index)
        out.append({
            "start": g["start"].iloc[0], "sport": "strength",
            "title": "Fitbod workout", "duration_s": len(g) * FITBOD_SECONDS_PER_SET,
            "sets": sets_to_json(_set_records(g["exercise"], g["reps"], g["weight"], secs)),
            "row_number": int(g["line"].iloc[0]), "source_id": "",
        })
        del day
    rows = pd.DataFrame(out)
    return finish_report(
        rows, table, ctx, source="fitbod_csv", file_name=file_name,
        fmt=f"Fitbod workout log ({len(table)} set rows in {len(rows)} workouts)",
        assumptions=["one session per Fitbod workout day; every set is kept with its exercise",
                     "Fitbod records no workout duration; each workout is estimated at "
                     f"{FITBOD_SECONDS_PER_SET / 60:g} minutes per set",
                     "Fitbod weights read as kilograms",
                     "Fitbod gives dates without a time of day; sessions start at midnight",
                     *parsed.sentences()])


# --------------------------------------------------------------------------- sectioned files

def may_be_sectioned(head: str) -> bool:
    """True when the first 4,096 characters could start a file :func:`read_sectioned` reads."""
    head = head.lstrip("\ufeff")
    return (head.startswith(("[[Training]]", "Device,")) or "\n[TrainingResult]" in head
            or "File created by Wahoo" in head
            or head.split("\n", 1)[0].startswith("Name,Sport,Date,Start time,Duration"))


def read_sectioned(text: str, file_name: str, ctx: ReadContext) -> ImportReport | None:
    """Polar Flow session, Wahoo app and Epson files (several tables in one file), else None."""
    head = text[:4096].lstrip("\ufeff")
    if head.startswith("[[Training]]") or "\n[TrainingResult]" in head:
        return _read_epson(text, file_name, ctx)
    if "File created by Wahoo" in head or (head.startswith("Device,") and "\nworkout," in text):
        return _read_wahoo(text, file_name, ctx)
    first = head.split("\n", 1)[0]
    if first.startswith("Name,Sport,Date,Start time,Duration") and "\nSample rate," in head:
        return _read_polar(text, file_name, ctx)
    return None


def _rows(text: str) -> list[list[str]]:
    return [r for r in csv.reader(io.StringIO(text))]


def _one(rows: list[dict[str, object]], file_name: str, ctx: ReadContext, source: str,
         fmt: str, assumptions: list[str]) -> ImportReport:
    df = pd.DataFrame(rows)
    df["start"] = pd.to_datetime(df["start"], errors="coerce")
    return finish_report(df, None, ctx, source=source, file_name=file_name, fmt=fmt,
                         assumptions=assumptions, units="km")


def _read_polar(text: str, file_name: str, ctx: ReadContext) -> ImportReport:
    rows = _rows(text)
    head, vals = rows[0], rows[1]
    rec = {h.strip(): v.strip() for h, v in zip(head, vals, strict=False)}
    sample_head = [h.strip() for h in rows[2]]
    hr_i = sample_head.index("HR (bpm)") if "HR (bpm)" in sample_head else None
    hrs = pd.Series([r[hr_i] for r in rows[3:] if hr_i is not None and len(r) > hr_i])
    max_hr = parse_numbers(hrs, ".").max() if len(hrs) else np.nan
    start = parse_dates(pd.Series([f"{rec.get('Date', '')} {rec.get('Start time', '')}"]),
                        order="DMY").values.iloc[0]
    sport_txt = rec.get("Sport", "")
    one = {
        "start": start, "sport": normalise_sports([sport_txt]).iloc[0],
        "title": f"Polar {sport_txt.capitalize()}".strip(),
        "duration_s": parse_durations(pd.Series([rec.get("Duration", "")])).iloc[0],
        "distance_m": parse_numbers(pd.Series([rec.get("Total distance (km)", "")]),
                                    ".").iloc[0] * 1000.0,
        "avg_hr": parse_numbers(pd.Series([rec.get("Average heart rate (bpm)", "")]),
                                ".").iloc[0],
        "max_hr": max_hr,
        "calories": parse_numbers(pd.Series([rec.get("Calories", "")]), ".").iloc[0],
        "elevation_gain_m": parse_numbers(pd.Series([rec.get("Ascent (m)", "")]), ".").iloc[0],
        "row_number": 2,
    }
    return _one([one], file_name, ctx, "polar_csv", "Polar Flow session CSV (one session)",
                ["Polar Flow lists the local start time; kept as it is",
                 f"maximum heart rate taken from the {len(hrs)} per-second samples (the "
                 "summary's 'HR max' is the athlete's profile value)"])


def _read_wahoo(text: str, file_name: str, ctx: ReadContext) -> ImportReport:
    rows = _rows(text)
    kv: dict[str, str] = {}
    sensors: dict[str, str] = {}
    workout: dict[str, str] = {}
    samples_head: list[str] | None = None
    samples: list[list[str]] = []
    i = 0
    while i < len(rows):
        r = rows[i]
        if r and r[0] == "Year":
            kv = {r[j]: r[j + 1] for j in range(0, len(r) - 1, 2)}
        elif r and r[0] == "sensor":
            i += 1
            while i < len(rows) and rows[i] and rows[i][0] and rows[i][0] != "workout":
                sensors[rows[i][0]] = rows[i][1] if len(rows[i]) > 1 else ""
                i += 1
            continue
        elif r and r[0] == "workout" and i + 1 < len(rows):
            workout = dict(zip(r, rows[i + 1], strict=False))
            i += 2
            continue
        elif r and r[0] == "time":
            samples_head = r
            samples = rows[i + 1:]
            break
        i += 1
    try:
        start = pd.Timestamp(year=int(kv["Year"]), month=int(kv["Month"]), day=int(kv["Day"]),
                             hour=int(kv.get("Hour", 0)), minute=int(kv.get("Minute", 0)),
                             second=int(float(kv.get("Second", 0))))
    except (KeyError, ValueError, OverflowError) as exc:
        from stridewise.errors import UnreadableFile

        raise UnreadableFile(f"{file_name} is a Wahoo Fitness file without a readable start "
                             "date.") from exc

    def f(key: str) -> float:
        try:
            return float(workout.get(key, "nan") or "nan")
        except ValueError:
            return float("nan")

    running, paused = f("runningtime"), f("pausedtime")
    dist = next((d for d in (f("gpsdist"), f("stridedist"), f("wheeldist"), f("manualdist"))
                 if d == d and d > 0), float("nan"))
    present = {k for k, v in sensors.items() if v.strip().lower() == "yes"}
    if "footpod" in present:
        sport = "run"
    elif present & {"spd", "cad", "pwr"}:
        sport = "ride"
    else:
        pace = running / 60.0 / (dist / 1000.0) if dist == dist and dist > 0 else float("nan")
        sport = "run" if 2.8 <= pace <= 9 else "other"
    max_hr = float("nan")
    if samples_head and "hr_heartrate" in samples_head:
        j = samples_head.index("hr_heartrate")
        hrs = pd.to_numeric(pd.Series([r[j] for r in samples if len(r) > j]), errors="coerce")
        hrs = hrs[(hrs >= 30) & (hrs <= 250)]
        max_hr = float(hrs.max()) if len(hrs) else float("nan")
    one = {
        "start": start, "sport": sport, "title": f"Wahoo {sport.replace('_', ' ')}",
        "duration_s": running + (paused if paused == paused else 0.0), "moving_s": running,
        "distance_m": dist, "avg_hr": f("hravg") if f("hravg") > 0 else np.nan,
        "max_hr": max_hr, "row_number": 1,
    }
    sensor_txt = ", ".join(sorted(present)) or "none"
    return _one([one], file_name, ctx, "wahoo_csv", "Wahoo Fitness app CSV (one workout)",
                ["the start time in the file's header is taken as local time",
                 f"sport judged from the sensors present ({sensor_txt})"])


def _read_epson(text: str, file_name: str, ctx: ReadContext) -> ImportReport:
    sessions: list[dict[str, object]] = []
    blocks = re.split(r"^\[\[Training\]\]\s*$", text, flags=re.MULTILINE)
    for b_i, block in enumerate(b for b in blocks if "[TrainingResult]" in b):
        sections: dict[str, list[list[str]]] = {}
        current = None
        for line in block.splitlines():
            s = line.strip()
            m = re.fullmatch(r"\[([A-Za-z]+)\]", s)
            if m:
                current = m.group(1)
                sections[current] = []
            elif current and s:
                sections[current].append(next(csv.reader([s])))
        res = sections.get("TrainingResult", [])
        name = next((r[1] for r in res if r and r[0] == "TrainingName" and len(r) > 1), "")
        tab = [r for r in res if r and r[0] not in ("TrainingName", "Memo", "FormatType")]
        if len(tab) < 2:
            continue
        rec = dict(zip(tab[0], tab[1], strict=False))
        data_rows = sections.get("TrainingData", [])
        drec = dict(zip(data_rows[0], data_rows[1], strict=False)) if len(data_rows) >= 2 else {}
        start = parse_dates(pd.Series([f"{rec.get('StartDay', '')} {rec.get('StartTime', '')}"]),
                            order="YMD").values.iloc[0]

        def num(d: dict[str, str], k: str) -> float:
            v = parse_numbers(pd.Series([d.get(k, "")]), ".").iloc[0]
            return float(v)

        sessions.append({
            "start": start, "sport": "run", "title": name or "Epson run",
            "duration_s": num(rec, "TrainingTime"), "distance_m": num(rec, "Distance"),
            "calories": num(drec, "Calorie"), "avg_hr": num(drec, "PulseAve"),
            "max_hr": num(drec, "MaxHeartRate"),
            "elevation_gain_m": num(drec, "TotalAscentAltitude"), "row_number": b_i + 1,
        })
    if not sessions:
        from stridewise.errors import UnreadableFile

        raise UnreadableFile(f"{file_name} is an Epson watch file without a readable "
                             "[TrainingResult] section.")
    return _one(sessions, file_name, ctx, "epson_csv", "Epson watch export (INI-style sections)",
                ["Epson's running watches record runs; each [[Training]] block is one run",
                 "start times are the watch's local time"])

