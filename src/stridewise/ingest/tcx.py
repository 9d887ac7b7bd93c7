"""Garmin Training Center XML (``.tcx``) -> one canonical session per ``<Activity>``.

Handles a UTF-8 BOM and whitespace before ``<?xml`` (Strava bulk exports), files on one line,
several activities per file (including ``MultiSportSession``), lowercase ``Sport`` values,
trackpoints without ``<Time>`` or ``<DistanceMeters>``, and laps without totals. Distance comes
from the laps, else the trackpoints' cumulative distance, else the GPS track (haversine);
elapsed time from the first to the last timestamp, timer time from the laps' totals.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from stridewise.errors import ImportRefused, UnreadableFile
from stridewise.ingest.base import ImportReport, ReadContext
from stridewise.ingest.sports import normalise_sport
from stridewise.ingest.summary import Summary, is_real_time, placeholder_note, to_report
from stridewise.ingest.xmlutil import (
    child,
    children,
    descendants,
    elevation_gain_m,
    local,
    parse_time,
    parse_xml,
    text_of,
    to_float,
    track_distance_m,
)

__all__ = ["read", "summarise", "activity_rows"]

_SPORTS = {"running": "run", "biking": "ride", "cycling": "ride", "walking": "walk",
           "swimming": "swim", "hiking": "hike"}


def _sport(value: str, notes: str) -> tuple[str, str | None]:
    """TCX Sport attribute (+ free text) -> (sport, assumption or None)."""
    key = value.strip().lower()
    if key in _SPORTS:
        return _SPORTS[key], None
    hint = normalise_sport(notes) if notes else "other"
    if hint != "other" and key in ("", "other"):
        return hint, (f"the activity marked Sport=\"{value or 'Other'}\" was read as {hint} "
                      f"from its name '{notes}'.")
    if key and key != "other":
        return normalise_sport(value), None
    return "other", None


def _hr(el: ET.Element | None) -> float:
    v = to_float(text_of(el, "value")) if el is not None else math.nan
    return v if not math.isnan(v) and v >= 20 else math.nan


def activity_rows(act: ET.Element) -> tuple[dict[str, Any] | None, list[str]]:
    """One canonical row (start in UTC) for one ``<Activity>`` element, plus notes."""
    notes: list[str] = []
    laps = children(act, "lap")
    times: list[datetime] = []
    placeholders: list[datetime] = []
    segs: list[list[tuple[float, float]]] = []
    cum_dist: list[float] = []
    elev: list[float] = []
    hrs: list[float] = []
    lap_time = lap_dist = lap_cal = 0.0
    lap_hr_w = lap_hr_t = 0.0
    lap_max_hr = math.nan
    has_lap_dist = False
    for lap in laps:
        t = to_float(text_of(lap, "totaltimeseconds"))
        d = to_float(text_of(lap, "distancemeters"))
        c = to_float(text_of(lap, "calories"))
        if not math.isnan(t):
            lap_time += t
        if not math.isnan(d):
            lap_dist += d
            has_lap_dist = True
        if not math.isnan(c):
            lap_cal += c
        avg = _hr(child(lap, "averageheartratebpm"))
        if not math.isnan(avg) and not math.isnan(t) and t > 0:
            lap_hr_w += avg * t
            lap_hr_t += t
        mx = _hr(child(lap, "maximumheartratebpm"))
        if not math.isnan(mx):
            lap_max_hr = mx if math.isnan(lap_max_hr) else max(lap_max_hr, mx)
        for track in children(lap, "track"):
            seg: list[tuple[float, float]] = []
            for tp in children(track, "trackpoint"):
                kids = {local(c.tag): c for c in tp}  # one pass over the point's children
                el = kids.get("time")
                tm = parse_time(el.text or "") if el is not None else None
                if tm is not None and not is_real_time(tm):
                    placeholders.append(tm)
                elif tm is not None:
                    times.append(tm)
                pos = kids.get("position")
                if pos is not None:
                    seg.append((to_float(text_of(pos, "latitudedegrees")),
                                to_float(text_of(pos, "longitudedegrees"))))
                el = kids.get("distancemeters")
                if el is not None:
                    dist = to_float(el.text)
                    if not math.isnan(dist):
                        cum_dist.append(dist)
                el = kids.get("altitudemeters")
                if el is not None:
                    alt = to_float(el.text)
                    if not math.isnan(alt):
                        elev.append(alt)
                el = kids.get("heartratebpm")
                if el is not None:
                    hr = _hr(el)
                    if not math.isnan(hr):
                        hrs.append(hr)
            segs.append(seg)
    candidates = [parse_time(text_of(act, "id"))]
    candidates += [parse_time(lap.get("StartTime", "")) for lap in laps[:1]]
    placeholders += [t for t in candidates if t is not None and not is_real_time(t)]
    declared = next((t for t in candidates if is_real_time(t)), None)
    start = min(times) if times else declared
    if placeholders:
        if start is None:
            return None, [f"an activity whose times are all placeholders "
                          f"({placeholder_note(placeholders[0])}) cannot be dated and was "
                          "left out."]
        notes.append(f"{len(placeholders)} time(s) of the activity starting "
                     f"{start:%Y-%m-%d %H:%M} UTC are placeholders "
                     f"({placeholder_note(placeholders[0])}); the real times were used.")
    if start is None:
        return None, ["an activity without any time (no Id, lap start or trackpoint time) "
                      "was left out."]
    if declared is not None and times and abs((declared - start).total_seconds()) > 900:
        notes.append(
            f"the activity's declared start ({declared:%Y-%m-%d %H:%M}) disagrees with its "
            f"first recorded point ({start:%Y-%m-%d %H:%M} UTC); the recorded time was used.")
    elapsed = (max(times) - start).total_seconds() if times else math.nan
    if lap_time > 0 and (math.isnan(elapsed) or elapsed < lap_time):
        elapsed = lap_time
    if has_lap_dist and lap_dist > 0:
        distance = lap_dist
    elif cum_dist:
        distance = max(cum_dist)
    else:
        gps = track_distance_m(segs)
        distance = gps if gps > 0 else (0.0 if has_lap_dist else math.nan)
        if gps > 0:
            notes.append(f"distance of the activity starting {start:%Y-%m-%d %H:%M} UTC was "
                         "measured along its GPS track.")
    if (math.isnan(elapsed) or elapsed <= 0) and not distance > 0:
        return None, [f"the activity starting {start:%Y-%m-%d %H:%M} UTC has no duration "
                      "(no lap totals and no trackpoint times) and no distance, and was "
                      "left out."]
    if math.isnan(elapsed) or elapsed <= 0:
        elapsed = math.nan  # a distance without a time: the duration is estimated later
    avg_hr = lap_hr_w / lap_hr_t if lap_hr_t > 0 else (sum(hrs) / len(hrs) if hrs else math.nan)
    max_hr = lap_max_hr if not math.isnan(lap_max_hr) else (max(hrs) if hrs else math.nan)
    label = text_of(act, "notes") or text_of(act, "training", "plan", "name")
    sport, assumed = _sport(act.get("Sport", ""), label)
    if assumed:
        notes.append(assumed)
    title = label or (act.get("Sport") or "Activity").strip().capitalize()
    return {
        "start": start, "sport": sport, "title": title, "duration_s": elapsed,
        "moving_s": lap_time if lap_time > 0 else math.nan, "distance_m": distance,
        "elevation_gain_m": elevation_gain_m(elev, 3.0) if elev else math.nan,
        "avg_hr": avg_hr, "max_hr": max_hr, "calories": lap_cal if lap_cal > 0 else math.nan,
        "source_id": "",
    }, notes


def read(data: bytes, file_name: str, ctx: ReadContext) -> ImportReport:
    return to_report(summarise(data, file_name), file_name, ctx, "tcx")


def summarise(data: bytes, file_name: str) -> Summary:
    """The sessions of a TCX file as row dicts (start in UTC) with the report notes."""
    root = parse_xml(data, file_name, "TCX")
    if local(root.tag) != "trainingcenterdatabase":
        raise UnreadableFile(f"{file_name} is XML but not a TCX file (its root element is "
                             f"<{local(root.tag)}>).")
    acts = list(descendants(root, "activity"))
    if not acts:
        what = "courses (planned routes)" if any(True for _ in descendants(root, "course")) \
            else "workouts or nothing"
        raise ImportRefused(
            f"{file_name} is a TCX file without any recorded activity (it holds {what}), so "
            "there is nothing to import.", kind="TCX without activities")
    rows, notes = [], []
    for act in acts:
        row, n = activity_rows(act)
        notes += n
        if row is not None:
            rows.append(row)
    if not rows:
        raise ImportRefused(f"{file_name} has {len(acts)} activit{'y' if len(acts) == 1 else 'ies'}"
                            f" but none with a time or duration: {notes[0]}",
                            kind="TCX without times")
    fmt = f"TCX file, {len(acts)} activit{'y' if len(acts) == 1 else 'ies'}"
    warnings = [n[0].upper() + n[1:] for n in notes if "left out" in n]
    assumptions = [n for n in notes if "left out" not in n]
    return Summary(fmt, rows, assumptions, warnings)
