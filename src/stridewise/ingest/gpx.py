"""GPX tracks (``.gpx``) -> one canonical session per ``<trk>``.

A GPX track is a recorded activity when its points carry times; a file with only routes
(``<rte>``) or waypoints, or tracks without times, is a planned path and is refused. Distance
is measured along the track (haversine, inside each ``<trkseg>``, never across the break between
segments); elapsed time runs from the first to the last point; moving time leaves out segment
breaks and gaps longer than a minute (auto-pause). Heart rate is read from Garmin's
TrackPointExtension, cluetrust gpxdata and plain ``<hr>``/``<heartrate>`` elements, wherever
points have it. The sport comes from ``<type>``: words ("running") or Strava's numeric codes.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from stridewise.errors import ImportRefused, UnreadableFile
from stridewise.ingest.base import DEFAULT_PACE_S_PER_KM, ImportReport, ReadContext
from stridewise.ingest.sports import normalise_sport
from stridewise.ingest.summary import Summary, is_real_time, placeholder_note, to_report
from stridewise.ingest.xmlutil import (
    children,
    elevation_gain_m,
    haversine_m,
    local,
    parse_time,
    parse_xml,
    text_of,
    to_float,
)

__all__ = ["read", "summarise", "STRAVA_GPX_TYPES"]

#: Strava's numeric activity-type codes as written in ``<type>`` of Strava GPX exports
#: (9 = Run is confirmed by the corpus file from a Strava bulk export).
STRAVA_GPX_TYPES: dict[int, str] = {
    1: "ride", 2: "ski", 3: "ski", 4: "hike", 5: "skate", 6: "skate", 7: "nordic_ski",
    8: "nordic_ski", 9: "run", 10: "walk", 11: "other", 12: "ski", 13: "hike", 16: "swim",
    17: "virtual_ride", 18: "e_bike", 21: "row", 22: "row", 23: "row", 24: "row",
    26: "hiit", 27: "elliptical", 28: "climb", 29: "stair", 30: "strength", 31: "yoga",
    53: "virtual_run",
}
#: Gap between two points (seconds) above which the time counts as a pause.
PAUSE_GAP_S = 60.0

_HR_TAGS = {"hr", "heartrate", "heart_rate"}


def _point_hr(ext: Any) -> float:
    """Heart rate from a point's <extensions>, in any of the namespaces apps use."""
    for el in ext.iter():
        if local(el.tag) in _HR_TAGS:
            v = to_float(el.text)
            if not math.isnan(v) and 20 <= v <= 260:
                return v
    return math.nan


def _sport(type_text: str, name: str) -> tuple[str, str | None]:
    t = type_text.strip()
    if t.isdigit():
        code = int(t)
        if code in STRAVA_GPX_TYPES:
            return STRAVA_GPX_TYPES[code], f"<type>{t}</type> read as Strava's code for " \
                                           f"{STRAVA_GPX_TYPES[code]}."
        t = ""
    if t:
        sport = normalise_sport(t)
        if sport != "other":
            return sport, None
    if name:
        sport = normalise_sport(name)
        if sport != "other":
            return sport, f"sport taken from the track name '{name}' (the file names no type)."
    return "other", None


def track_row(trk: Any, fallback_name: str,
              file_time: datetime | None = None) -> tuple[dict[str, Any] | None, list[str]]:
    """One canonical row (start in UTC) for a ``<trk>``; None when it has no timed points.

    Points whose time is a placeholder (1901-12-13 20:45:52, 1970-01-01, the FIT epoch, or
    anything before GPS time began) count as untimed. A track whose points all carry such
    placeholders is a recording without a clock: it is dated by ``file_time`` (the file's
    ``<metadata><time>``) when that is real, with its duration estimated from its distance
    and marked; otherwise the note says why it cannot be dated."""
    notes: list[str] = []
    times: list[datetime] = []
    placeholders: list[datetime] = []
    dist = 0.0
    moving = 0.0
    elev: list[float] = []
    hrs: list[float] = []
    n_points = 0
    for seg in children(trk, "trkseg"):
        prev: tuple[datetime | None, float, float] | None = None
        for pt in children(seg, "trkpt"):
            n_points += 1
            lat, lon = to_float(pt.get("lat")), to_float(pt.get("lon"))
            kids = {local(c.tag): c for c in pt}  # one pass over the point's children
            el = kids.get("time")
            tm = parse_time(el.text or "") if el is not None else None
            if tm is not None and not is_real_time(tm):
                placeholders.append(tm)
                tm = None
            el = kids.get("ele")
            if el is not None:
                e = to_float(el.text)
                if not math.isnan(e):
                    elev.append(e)
            el = kids.get("extensions")
            if el is not None:
                hr = _point_hr(el)
                if not math.isnan(hr):
                    hrs.append(hr)
            if tm is not None:
                times.append(tm)
            if prev is not None and not (math.isnan(lat) or math.isnan(lon)
                                         or math.isnan(prev[1]) or math.isnan(prev[2])):
                dist += haversine_m(prev[1], prev[2], lat, lon)
            if prev is not None and prev[0] is not None and tm is not None:
                dt = (tm - prev[0]).total_seconds()
                if 0 < dt <= PAUSE_GAP_S:
                    moving += dt
            prev = (tm if tm is not None else (prev[0] if prev else None), lat, lon)
    name = text_of(trk, "name") or fallback_name
    if placeholders and times:
        notes.append(f"{len(placeholders)} point(s) of the track '{name or 'unnamed'}' carry a "
                     f"placeholder time ({placeholder_note(placeholders[0])}); they were "
                     "left out of the timing.")
    sport, assumed = _sport(text_of(trk, "type"), name)
    if not times and placeholders:
        why = placeholder_note(placeholders[0])
        if not is_real_time(file_time) or dist <= 0:
            return None, [f"the track '{name or 'unnamed'}' has {n_points} points whose times "
                          f"are placeholders ({why}) and the file has no real time to date it "
                          "by (no times)."]
        assert file_time is not None
        pace = DEFAULT_PACE_S_PER_KM.get(sport)
        if pace is None:
            return None, [f"the track '{name or 'unnamed'}' has placeholder times ({why}) and "
                          f"its sport ({sport}) gives no typical pace to estimate its duration "
                          "(no times)."]
        notes.append(f"the points of the track '{name or 'unnamed'}' carry placeholder times "
                     f"({why}); the session is dated by the file's metadata time "
                     f"{file_time:%Y-%m-%d %H:%M} UTC and its duration estimated from its "
                     f"distance at a typical {sport.replace('_', ' ')} pace (marked "
                     "duration_estimated)")
        if assumed:
            notes.append(assumed)
        est = dist / 1000.0 * pace
        return {
            "start": file_time, "sport": sport, "title": name or "GPX track",
            "duration_s": est, "moving_s": est, "distance_m": dist,
            "elevation_gain_m": elevation_gain_m(elev, 3.0) if elev else math.nan,
            "avg_hr": sum(hrs) / len(hrs) if hrs else math.nan,
            "max_hr": max(hrs) if hrs else math.nan, "source_id": "",
            "duration_estimated": True,
        }, notes
    if not times:
        return None, [f"the track '{name or 'unnamed'}' has {n_points} points but no times."]
    start, end = min(times), max(times)
    elapsed = (end - start).total_seconds()
    if times[0] != start:
        notes.append(f"the track '{name}' has points out of time order; its start is the "
                     "earliest point.")
    if assumed:
        notes.append(assumed)
    return {
        "start": start, "sport": sport, "title": name or "GPX track", "duration_s": elapsed,
        "moving_s": moving if moving > 0 else elapsed, "distance_m": dist if dist > 0 else math.nan,
        "elevation_gain_m": elevation_gain_m(elev, 3.0) if elev else math.nan,
        "avg_hr": sum(hrs) / len(hrs) if hrs else math.nan,
        "max_hr": max(hrs) if hrs else math.nan, "source_id": "",
    }, notes


def read(data: bytes, file_name: str, ctx: ReadContext) -> ImportReport:
    return to_report(summarise(data, file_name), file_name, ctx, "gpx")


def summarise(data: bytes, file_name: str) -> Summary:
    """The sessions of a GPX file as row dicts (start in UTC) with the report notes."""
    root = parse_xml(data, file_name, "GPX")
    if local(root.tag) != "gpx":
        raise UnreadableFile(f"{file_name} is XML but not a GPX file (its root element is "
                             f"<{local(root.tag)}>).")
    tracks = children(root, "trk")
    meta_name = text_of(root, "metadata", "name")
    if not tracks:
        n_rte, n_wpt = len(children(root, "rte")), len(children(root, "wpt"))
        what = ("a route (a planned path without times)" if n_rte else
                "waypoints only" if n_wpt else "no track at all")
        raise ImportRefused(
            f"{file_name} holds {what}, not a recorded activity; export the activity itself "
            "(with times) from the watch or app.", kind="GPX route")
    creator = (root.get("creator") or "").lower()
    if "route-only" in creator or "route only" in creator:
        raise ImportRefused(
            f"{file_name} is a planned route exported by a route planner (creator "
            f"'{root.get('creator')}'; its times are placeholders), not a recorded activity; "
            "export the activity itself from the watch or app.", kind="GPX route")
    rows, notes = [], []
    file_time = parse_time(text_of(root, "metadata", "time") or text_of(root, "time"))
    for trk in tracks:
        row, n = track_row(trk, meta_name, file_time)
        notes += n
        if row is not None:
            rows.append(row)
    if not rows:
        placeholder = next((x for x in notes if "placeholder" in x), None)
        if placeholder is not None:
            raise ImportRefused(f"{file_name} cannot be dated: {placeholder}",
                                kind="GPX without real times")
        raise ImportRefused(
            f"{file_name} holds {len(tracks)} track(s) without any times, i.e. a planned route "
            "rather than a recorded activity; export the activity itself from the watch or app.",
            kind="GPX route")
    n = len(tracks)
    warnings = [f"A track was left out: {x}" for x in notes if "no times" in x]
    assumptions = [x for x in notes if "no times" not in x]
    assumptions.append("distance measured along the GPS track (haversine).")
    return Summary(f"GPX file, {n} track{'s' if n > 1 else ''}", rows, assumptions, warnings)
