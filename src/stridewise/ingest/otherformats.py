"""Less common exports: Apple Health ``export.xml``, Nike Run Club JSON, Polar HRM, Polar
Personal Trainer XML and Suunto Moveslink SML.

Each is imported where the file holds sessions; otherwise it is refused with a sentence that
says what the file is. Times: Apple Health, Nike and Suunto give absolute times (offset, epoch
or UTC) and are converted to the athlete's zone; Polar HRM and Polar Personal Trainer files hold
the watch's wall-clock time without a zone, which is taken as the athlete's local time (the
report says so).
"""

from __future__ import annotations

import io
import json
import math
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

from stridewise.errors import ImportRefused, UnreadableFile, UnsupportedFormat
from stridewise.ingest.base import ImportReport, ReadContext, finish_sessions
from stridewise.ingest.sports import normalise_sport
from stridewise.ingest.summary import clean_rows, rows_frame
from stridewise.ingest.xmlutil import (
    child,
    children,
    clean_xml,
    descendants,
    local,
    parse_time,
    parse_xml,
    text_of,
    to_float,
)

__all__ = ["read"]

_DIST_UNITS = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "yd": 0.9144, "ft": 0.3048}
_TIME_UNITS = {"s": 1.0, "sec": 1.0, "min": 60.0, "hr": 3600.0, "h": 3600.0, "ms": 0.001}
_ENERGY_UNITS = {"kcal": 1.0, "cal": 0.001, "kj": 1 / 4.184, "j": 1 / 4184.0, "cal_": 1.0}


def _report(rows: list[dict[str, Any]], file_name: str, ctx: ReadContext, source: str,
            fmt: str, assumptions: list[str], warnings: list[str] | None = None,
            local_times: bool = False) -> ImportReport:
    """Rows (``start`` naive UTC, or already local when ``local_times``) -> report."""
    rows, notes_bad = clean_rows(rows)
    if not rows:
        raise ImportRefused(f"{file_name} holds no session with a usable start and duration: "
                            f"{notes_bad[0]}", kind="no usable sessions")
    df = rows_frame(rows, "UTC" if local_times else ctx.tz)
    df["row_number"] = range(1, len(df) + 1)
    sessions, skipped = finish_sessions(df, ctx, source=source, file_name=file_name)
    notes = list(assumptions)
    if not local_times and ctx.tz != "UTC":
        notes.append(f"start times converted to {ctx.tz}.")
    return ImportReport(file_name=file_name, format=fmt, sessions=sessions, skipped=skipped,
                        assumptions=notes, warnings=list(warnings or []) + notes_bad)


def _hr(v: float) -> float:
    return v if not math.isnan(v) and 20 <= v <= 260 else math.nan


# ------------------------------------------------------------------------------ Apple Health

def _apple_time(text: str | None) -> datetime | None:
    """'2016-11-14 07:25:41 -0700' -> naive UTC."""
    if not text:
        return None
    t = text.strip()
    m = re.match(r"^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d(?:\.\d+)?)\s*([+-]\d\d):?(\d\d)$", t)
    if m:
        t = f"{m.group(1)}T{m.group(2)}{m.group(3)}:{m.group(4)}"
    return parse_time(t)


def _apple_workout(el: ET.Element) -> dict[str, Any] | None:
    start = _apple_time(el.get("startDate"))
    end = _apple_time(el.get("endDate"))
    if start is None:
        return None
    dur = to_float(el.get("duration"))
    dur *= _TIME_UNITS.get((el.get("durationUnit") or "min").lower(), 60.0)
    elapsed = (end - start).total_seconds() if end is not None else math.nan
    if math.isnan(dur):
        dur = elapsed
    dist = to_float(el.get("totalDistance"))
    dist *= _DIST_UNITS.get((el.get("totalDistanceUnit") or "km").lower(), math.nan)
    kcal = to_float(el.get("totalEnergyBurned"))
    kcal *= _ENERGY_UNITS.get((el.get("totalEnergyBurnedUnit") or "kcal").lower(), math.nan)
    avg_hr = max_hr = math.nan
    for st in children(el, "workoutstatistics"):  # iOS 16+ form
        kind = (st.get("type") or "").lower()
        unit = (st.get("unit") or "").lower()
        if "distance" in kind and math.isnan(dist) or "distance" in kind and dist == 0:
            d = to_float(st.get("sum")) * _DIST_UNITS.get(unit, math.nan)
            if not math.isnan(d):
                dist = d
        elif "activeenergyburned" in kind and math.isnan(kcal):
            kcal = to_float(st.get("sum")) * _ENERGY_UNITS.get(unit, math.nan)
        elif kind.endswith("heartrate"):
            avg_hr, max_hr = _hr(to_float(st.get("average"))), _hr(to_float(st.get("maximum")))
    activity = el.get("workoutActivityType") or ""
    name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", activity.replace("HKWorkoutActivityType", ""))
    total = elapsed if not math.isnan(elapsed) and elapsed >= (dur if not math.isnan(dur)
                                                               else 0) else dur
    return {
        "start": start, "sport": normalise_sport(activity), "title": name.strip() or "Workout",
        "duration_s": total, "moving_s": dur, "distance_m": dist if dist > 0 else math.nan,
        "calories": kcal, "avg_hr": avg_hr, "max_hr": max_hr, "source_id": "",
    }


def _apple_health(data: bytes, file_name: str, ctx: ReadContext) -> ImportReport:
    body = clean_xml(data, file_name)
    rows: list[dict[str, Any]] = []
    n_records = n_bad = 0
    try:
        for _event, el in ET.iterparse(io.BytesIO(body), events=("end",)):
            tag = local(el.tag)
            if tag == "workout":
                row = _apple_workout(el)
                if row is None:
                    n_bad += 1
                else:
                    rows.append(row)
                el.clear()
            elif tag in ("record", "activitysummary"):
                n_records += 1
                el.clear()
    except (ET.ParseError, LookupError, ValueError) as exc:
        if not rows:
            raise UnreadableFile(f"{file_name} is a damaged Apple Health export (XML error: "
                                 f"{exc}).") from exc
        warnings = [f"The export is cut short or damaged ({exc}); the {len(rows)} workouts "
                    "before that point were imported."]
    else:
        warnings = []
    if not rows:
        raise ImportRefused(
            f"{file_name} is an Apple Health export with {n_records} health records (steps, "
            "heart rate, body measurements) but no workouts, so it holds no training sessions.",
            kind="Apple Health export without workouts")
    if n_bad:
        warnings.append(f"{n_bad} workout(s) without a start date were left out.")
    return _report(rows, file_name, ctx, "apple_health",
                   f"Apple Health export.xml, {len(rows)} workouts",
                   ["Apple Health dates carry their UTC offset; they were converted."], warnings)


# ---------------------------------------------------------------------------- Nike Run Club

def _nike_activity(a: dict[str, Any]) -> dict[str, Any] | None:
    start_ms, end_ms = a.get("start_epoch_ms"), a.get("end_epoch_ms")
    if not isinstance(start_ms, (int, float)):
        return None
    try:
        start = datetime.fromtimestamp(start_ms / 1000, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None
    elapsed = (end_ms - start_ms) / 1000 if isinstance(end_ms, (int, float)) else math.nan
    active = a.get("active_duration_ms")
    moving = active / 1000 if isinstance(active, (int, float)) else math.nan
    summ: dict[tuple[str, str], float] = {}
    for s in a.get("summaries") or []:
        if isinstance(s, dict) and isinstance(s.get("value"), (int, float)):
            summ[(str(s.get("metric")), str(s.get("summary")))] = float(s["value"])
    units = {str(m.get("type")): str(m.get("unit", "")).lower()
             for m in a.get("metrics") or [] if isinstance(m, dict)}
    dist = summ.get(("distance", "total"), math.nan)
    dist *= _DIST_UNITS.get(units.get("distance", "km") or "km", 1000.0)
    hr_avg = summ.get(("heart_rate", "mean"), math.nan)
    hr_max = summ.get(("heart_rate", "max"), math.nan)
    for m in a.get("metrics") or []:
        if isinstance(m, dict) and m.get("type") == "heart_rate" and math.isnan(hr_avg):
            vals = [v.get("value") for v in m.get("values") or [] if isinstance(v, dict)
                    and isinstance(v.get("value"), (int, float)) and v.get("value") > 0]
            if vals:
                hr_avg, hr_max = sum(vals) / len(vals), max(vals)
    tags = a.get("tags") if isinstance(a.get("tags"), dict) else {}
    kind = str(a.get("type") or "run")
    title = str(tags.get("com.nike.name") or kind.capitalize())
    sport = normalise_sport(kind)
    if sport == "run" and str(tags.get("location", "")).lower() == "indoors":
        sport = "treadmill_run"
    return {
        "start": start, "sport": sport, "title": title,
        "duration_s": elapsed if not math.isnan(elapsed) else moving,
        "moving_s": moving, "distance_m": dist if dist > 0 else math.nan,
        "calories": summ.get(("calories", "total"), math.nan),
        "avg_hr": _hr(hr_avg), "max_hr": _hr(hr_max), "source_id": str(a.get("id") or ""),
    }


def _nike(obj: Any, file_name: str, ctx: ReadContext) -> ImportReport:
    acts = obj.get("activities") if isinstance(obj, dict) and "activities" in obj else obj
    acts = acts if isinstance(acts, list) else [acts]
    rows, skipped_n = [], 0
    for a in acts:
        if not isinstance(a, dict) or a.get("delete_indicator") is True:
            skipped_n += 1
            continue
        row = _nike_activity(a)
        if row is None:
            skipped_n += 1
        else:
            rows.append(row)
    if not rows:
        raise ImportRefused(f"{file_name} is Nike Run Club JSON without any activity that has "
                            "a start time, so there is nothing to import.",
                            kind="Nike JSON without activities")
    warnings = [f"{skipped_n} deleted or incomplete activities were left out."] \
        if skipped_n else []
    no_dist = sum(1 for r in rows if math.isnan(r["distance_m"]))
    if no_dist:
        warnings.append(f"{no_dist} activit{'y has' if no_dist == 1 else 'ies have'} no "
                        "distance in the file (Nike recorded no summaries).")
    return _report(rows, file_name, ctx, "nike_json",
                   f"Nike Run Club activity JSON, {len(rows)} activit"
                   f"{'y' if len(rows) == 1 else 'ies'}",
                   ["Nike times are UTC epoch milliseconds."], warnings)


# -------------------------------------------------------------------------------- Polar HRM

def _hms(text: str) -> float:
    parts = text.strip().split(":")
    try:
        vals = [float(p) for p in parts]
    except ValueError:
        return math.nan
    secs = 0.0
    for v in vals:
        secs = secs * 60 + v
    return secs


def _polar_hrm(data: bytes, file_name: str, ctx: ReadContext) -> ImportReport:
    text = data.decode("latin-1")
    sections: dict[str, list[str]] = {}
    cur = ""
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("[") and s.endswith("]"):
            cur = s[1:-1].lower()
            sections[cur] = []
        elif cur:
            sections[cur].append(s)
    params = dict(kv.split("=", 1) for kv in sections.get("params", []) if "=" in kv)
    try:
        day = datetime.strptime(params.get("Date", "").strip(), "%Y%m%d")
    except ValueError as exc:
        raise UnreadableFile(f"{file_name} is a Polar HRM file without a valid Date in its "
                             "[Params] section.") from exc
    offset = _hms(params.get("StartTime", "0:0:0"))
    start = day + timedelta(seconds=offset if 0 <= offset < 86400 else 0.0)
    length = _hms(params.get("Length", ""))
    smode = params.get("SMode", "")
    version = params.get("Version", "106").strip()
    try:
        version_n = int(version)
    except ValueError:
        version_n = 106
    interval = to_float(params.get("Interval", "1"))
    rows_hr: list[float] = []
    dist = 0.0
    has_speed = version_n >= 106 and len(smode) > 0 and smode[0] == "1"
    us = len(smode) > 7 and smode[7] == "1"
    for line in sections.get("hrdata", []):
        cols = line.split()
        if not cols:
            continue
        hr = _hr(to_float(cols[0]))
        if not math.isnan(hr):
            rows_hr.append(hr)
        if has_speed and len(cols) > 1 and interval > 0:
            sp = to_float(cols[1]) / 10  # 0.1 km/h (or mph)
            if not math.isnan(sp):
                dist += sp * (1609.344 if us else 1000.0) / 3600 * interval
    if math.isnan(length) and rows_hr and interval > 0:
        length = len(rows_hr) * interval
    if math.isnan(length) or length <= 0:
        raise ImportRefused(f"{file_name} is a Polar HRM file without a duration or samples, "
                            "so there is no session to import.", kind="empty Polar HRM")
    note = " ".join(x for x in sections.get("note", []) if x).strip()
    row = {
        "start": start, "sport": normalise_sport(note) if note else "other",
        "title": note or "Polar exercise", "duration_s": length, "moving_s": length,
        "distance_m": dist if dist > 0 else math.nan,
        "avg_hr": sum(rows_hr) / len(rows_hr) if rows_hr else math.nan,
        "max_hr": max(rows_hr) if rows_hr else math.nan, "source_id": "",
    }
    notes = ["Polar HRM times have no time zone; they were taken as the athlete's local time."]
    if row["sport"] == "other":
        notes.append("a Polar HRM file does not name the sport; set it on the session if "
                     "needed.")
    if has_speed:
        notes.append("distance summed from the speed samples.")
    return _report([row], file_name, ctx, "polar_hrm", f"Polar HRM file (version {version})",
                   notes, local_times=True)


# ------------------------------------------------------------------------- Polar PPT XML

def _polar_xml(root: ET.Element, file_name: str, ctx: ReadContext) -> ImportReport:
    rows = []
    for ex in descendants(root, "exercise"):
        start = parse_time(text_of(ex, "time").replace(" ", "T"))
        res = child(ex, "result")
        if start is None or res is None:
            continue
        dur = _hms(text_of(res, "duration"))
        if math.isnan(dur) or dur <= 0:
            continue
        sport_text = text_of(ex, "sport") or text_of(res, "speed", "type")
        rows.append({
            "start": start, "sport": normalise_sport(sport_text) if sport_text else "other",
            "title": text_of(ex, "name") or (sport_text.capitalize() if sport_text
                                             else "Polar exercise"),
            "duration_s": dur, "moving_s": dur,
            "distance_m": to_float(text_of(res, "distance")),
            "calories": to_float(text_of(res, "calories")),
            "avg_hr": _hr(to_float(text_of(res, "heart-rate", "average"))),
            "max_hr": _hr(to_float(text_of(res, "heart-rate", "maximum"))), "source_id": "",
        })
    if not rows:
        raise ImportRefused(f"{file_name} is a Polar Personal Trainer export without any "
                            "exercise result, so there is nothing to import.",
                            kind="empty Polar XML")
    return _report(rows, file_name, ctx, "polar_xml",
                   f"Polar Personal Trainer XML, {len(rows)} exercise"
                   f"{'s' if len(rows) > 1 else ''}",
                   ["Polar Personal Trainer times have no time zone; they were taken as the "
                    "athlete's local time."], local_times=True)


# ------------------------------------------------------------------------------ Suunto SML

def _suunto_sml(root: ET.Element, file_name: str, ctx: ReadContext) -> ImportReport:
    log = next(descendants(root, "devicelog"), None)
    head = child(log, "header") if log is not None else None
    if head is None:
        raise ImportRefused(f"{file_name} is a Suunto SML file without a move header, so "
                            "there is no session to import.", kind="empty Suunto SML")
    samples = child(log, "samples")
    first_utc = None
    max_dist = math.nan
    hrs: list[float] = []
    if samples is not None:
        for s in children(samples, "sample"):
            if first_utc is None:
                first_utc = parse_time(text_of(s, "utc"))
            d = to_float(text_of(s, "distance"))
            if not math.isnan(d):
                max_dist = d if math.isnan(max_dist) else max(max_dist, d)
            hz = to_float(text_of(s, "hr"))
            if not math.isnan(hz) and hz > 0:
                hrs.append(hz * 60)
    notes: list[str] = []
    if first_utc is not None:
        start, local_times = first_utc, False
    else:
        start = parse_time(text_of(head, "datetime"))
        local_times = True
        notes.append("the move has no UTC samples; its header time was taken as the "
                     "athlete's local time.")
    if start is None:
        raise UnreadableFile(f"{file_name} is a Suunto SML file without a start time.")
    dur = to_float(text_of(head, "duration"))
    dist = to_float(text_of(head, "distance"))
    if not math.isnan(max_dist) and (math.isnan(dist) or max_dist > dist):
        dist = max_dist
    # SML stores heart rate in beats per second and energy in joules
    avg_hr = to_float(text_of(head, "hr", "avg")) * 60
    max_hr = to_float(text_of(head, "hr", "max")) * 60
    if math.isnan(avg_hr) and hrs:
        avg_hr, max_hr = sum(hrs) / len(hrs), max(hrs)
    activity = text_of(head, "activity")
    row = {
        "start": start, "sport": normalise_sport(activity) if activity else "other",
        "title": activity or "Suunto move", "duration_s": dur, "moving_s": dur,
        "distance_m": dist if dist > 0 else math.nan,
        "elevation_gain_m": to_float(text_of(head, "ascent")),
        "calories": to_float(text_of(head, "energy")) / 4184.0,
        "avg_hr": _hr(avg_hr), "max_hr": _hr(max_hr), "source_id": "",
    }
    if math.isnan(dur) or dur <= 0:
        raise ImportRefused(f"{file_name} is a Suunto SML move without a duration, so there "
                            "is no session to import.", kind="empty Suunto SML")
    notes.append("heart rate converted from beats per second and energy from joules (SML "
                 "units).")
    return _report([row], file_name, ctx, "suunto_sml", "Suunto Moveslink SML", notes,
                   local_times=local_times)


# ---------------------------------------------------------------------------------- dispatch

#: Largest JSON file read (parsed whole: Python objects take about ten times the text).
MAX_JSON_BYTES = 64 * 1024 * 1024


def read(data: bytes, file_name: str, ctx: ReadContext) -> ImportReport:
    """Read one of the formats above; anything else is refused with what it looks like."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n\x00")
    low = head.lower()
    if low.startswith(b"[params]"):
        return _polar_hrm(data, file_name, ctx)
    if low.startswith((b"{", b"[")):
        if len(data) > MAX_JSON_BYTES:
            raise UnreadableFile(
                f"{file_name} is a {len(data) / 1e6:.0f} MB JSON file, more than the "
                f"{MAX_JSON_BYTES // 2**20} MB Stridewise reads in one piece; export fewer "
                "activities at a time.")
        try:
            obj = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise UnreadableFile(f"{file_name} is not valid JSON ({exc}).") from exc
        first = obj[0] if isinstance(obj, list) and obj else obj
        if isinstance(first, dict) and ("start_epoch_ms" in first or "activities" in first):
            return _nike(obj, file_name, ctx)
        raise UnsupportedFormat(f"{file_name} is a JSON file but not a Nike Run Club activity "
                                "export, the JSON format Stridewise reads.")
    if b"<healthdata" in low:
        return _apple_health(data, file_name, ctx)
    if low.startswith(b"<"):
        root = parse_xml(data, file_name, "XML")
        tag = local(root.tag)
        if tag == "polar-exercise-data":
            return _polar_xml(root, file_name, ctx)
        if tag == "sml":
            return _suunto_sml(root, file_name, ctx)
        if tag == "healthdata":
            return _apple_health(data, file_name, ctx)
        if tag == "clinicaldocument":
            raise ImportRefused(f"{file_name} is Apple Health's clinical-records file "
                                "(export_cda.xml); the workouts are in export.xml.",
                                kind="Apple Health CDA")
        raise UnsupportedFormat(
            f"{file_name} is XML of a kind Stridewise does not read (root <{tag}>); supported "
            "XML exports are TCX, GPX, Apple Health export.xml, Polar and Suunto SML.")
    raise UnsupportedFormat(f"{file_name} is not a format Stridewise reads.")
