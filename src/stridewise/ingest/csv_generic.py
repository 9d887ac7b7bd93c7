"""Any other CSV session log: columns recognised by name (synonyms across languages) or mapped
by the user.

A mapping is a dict of canonical field -> column name, with fields ``date`` (required),
``time`` (clock time when separate from the date), ``duration``, ``moving``, ``distance``,
``type``, ``title``, ``rpe``, ``avg_hr``, ``max_hr``, ``calories``, ``elevation``, and the
options ``distance_unit`` (``km``/``mi``/``m``), ``duration_unit`` (``hms``/``s``/``min``/``h``)
and ``date_order`` (``DMY``/``MDY``/``YMD``). :func:`guess` proposes one from the header and
says whether it is confident enough to import without asking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stridewise.errors import NeedsMapping
from stridewise.ingest.base import ImportReport, ReadContext
from stridewise.ingest.csvtable import Table, finish_report, header_key
from stridewise.ingest.sports import normalise_sports, title_or_type
from stridewise.ingest.values import parse_dates, parse_durations, parse_numbers

SOURCE = "generic_csv"

#: Canonical fields of the mapping form, in display order.
FIELDS = ("date", "time", "duration", "moving", "distance", "type", "title", "rpe", "avg_hr",
          "max_hr", "calories", "elevation")
OPTIONS = ("distance_unit", "duration_unit", "date_order")

_SYN: dict[str, tuple[str, ...]] = {
    "date": ("date", "datum", "fecha", "data", "dato", "datetime", "date time", "start",
             "start time", "start date", "starttime", "start date local", "workout date",
             "activity date", "day", "tag", "jour", "giorno", "dia", "startzeit", "begin",
             "timestamp", "when", "date de debut", "datum tijd", "datum uhrzeit", "fecha hora"),
    "time": ("time of day", "uhrzeit", "clock time", "heure", "hora", "ora", "tijdstip"),
    "duration": ("duration", "elapsed time", "elapsed", "zeit", "dauer", "tid", "tiempo",
                 "duracion", "durata", "duur", "ido", "total time", "workout time", "time",
                 "zeit hh mm ss", "dauer hh mm ss", "minutes", "mins", "sporttime",
                 "duree", "temps", "tempo", "laufzeit", "gesamtzeit", "trainingszeit",
                 "duration s", "duration min", "duration h"),
    "moving": ("moving time", "moving", "bewegungszeit", "zeit in bewegung", "moving time s"),
    "distance": ("distance", "distanz", "distancia", "distanza", "afstand", "tavolsag",
                 "strecke", "km", "kilometer", "kilometres", "kilometers", "miles", "meters",
                 "metres", "dist", "distance km", "distance mi", "distance m", "distanz km",
                 "distanz in km", "entfernung", "distancia km", "distance meters"),
    "type": ("type", "sport", "activity", "activity type", "art", "typ", "sportart", "tipo",
             "aktivitat", "kind", "workout type", "category", "discipline", "activity name",
             "sport type", "workouttype", "trainingsart", "disziplin", "aktivitet"),
    "title": ("title", "name", "titel", "bezeichnung", "workout name", "route name", "nom",
              "nome", "titulo", "naam", "beschreibung", "description", "notes", "note",
              "notiz", "kommentar", "comment", "comments", "bemerkung"),
    "rpe": ("rpe", "perceived exertion", "effort", "borg", "anstrengung", "session rpe",
            "srpe", "exertion", "intensity rpe"),
    "avg_hr": ("avg hr", "average heart rate", "hf avg", "hfavg", "hr avg", "avghr",
               "avg heart rate", "heart rate", "mean hr", "durchschnittspuls", "puls",
               "hf", "average hr", "avg bpm", "hr", "average heart rate bpm",
               "average heartrate", "avg heartrate",
               "herzfrequenz", "o hf", "hfdurchschnitt"),
    "max_hr": ("max hr", "hfmax", "max heart rate", "maxpuls", "hr max", "maximum heart rate",
               "max bpm", "maxhr", "maximalpuls", "hf max", "max heartrate"),
    "calories": ("calories", "kcal", "kalorien", "energy", "calories kcal", "calories burned",
                 "energie", "kalorier", "calorias", "calorie"),
    "elevation": ("elevation gain", "ascent", "climb", "hohenmeter", "hm", "aufstieg",
                  "total ascent", "elevation", "anstieg", "climb m", "climb ft",
                  "elevation gain m", "hoehenmeter", "total elevation gain"),
}

_UNIT_WORDS = re.compile(
    r"\b(in|km|mi|m|ft|s|sec|secs|seconds|min|mins|minutes|h|hrs|hours|hh mm ss|hh mm|mm ss|"
    r"bpm|kcal|cal|meters|metres|miles|kilometers|kilometres|count|min mi|min km|mph|kmh)\b")


def _strip_units(key: str) -> str:
    return re.sub(r"\s+", " ", _UNIT_WORDS.sub(" ", key)).strip()


def guess_from_columns(columns: list[str]) -> dict[str, str]:
    """Canonical field -> column name, from header names alone (no data needed)."""
    keys = [header_key(c) for c in columns]
    bare = [_strip_units(k) for k in keys]
    out: dict[str, str] = {}
    used: set[int] = set()
    for fld in ("date", "moving", "duration", "distance", "type", "title", "rpe", "max_hr",
                "avg_hr", "calories", "elevation", "time"):
        syn = _SYN[fld]
        hit = None
        for i, (k, b) in enumerate(zip(keys, bare, strict=True)):
            if i in used:
                continue
            if k in syn or (b and b in syn):
                hit = i
                break
        if hit is None and fld in ("distance", "duration", "calories", "avg_hr", "max_hr"):
            for i, k in enumerate(keys):
                if i not in used and any(re.search(rf"\b{re.escape(s)}\b", k) for s in syn
                                         if len(s) > 3):
                    hit = i
                    break
        if hit is not None:
            out[fld] = columns[hit]
            used.add(hit)
    # Units stated in the header text.
    if "distance" in out:
        k = header_key(out["distance"])
        if re.search(r"\b(mi|miles)\b", k):
            out["distance_unit"] = "mi"
        elif re.search(r"\b(m|meters|metres|meter)\b", k):
            out["distance_unit"] = "m"
        elif re.search(r"\b(km|kilometers|kilometres|kilometer)\b", k):
            out["distance_unit"] = "km"
    if "duration" in out:
        k = header_key(out["duration"])
        if re.search(r"\b(s|sec|secs|seconds|sekunden)\b", k):
            out["duration_unit"] = "s"
        elif re.search(r"\b(min|mins|minutes|minuten)\b", k):
            out["duration_unit"] = "min"
        elif re.search(r"\b(h|hrs|hours|stunden)\b", k) and "hh" not in k:
            out["duration_unit"] = "h"
    return out


def guess(table: Table) -> tuple[dict[str, str], bool]:
    """(mapping, confident): confident when date and duration/distance columns parse well."""
    mapping = guess_from_columns(table.columns)
    if "date" not in mapping or not ({"duration", "distance"} & set(mapping)):
        return mapping, False
    sample = table.data.head(200)
    sample_table = Table(table.columns, sample, table.delimiter, table.encoding)
    dates = parse_dates(_column(sample_table, mapping["date"])).values
    if dates.notna().mean() < 0.6:
        return mapping, False
    if "duration" in mapping:
        d = _durations(_column(sample_table, mapping["duration"]), mapping.get("duration_unit"))
        if d.notna().mean() < 0.5:
            return mapping, False
    return mapping, True


def _column(table: Table, name: str) -> pd.Series:
    i = None
    for j, c in enumerate(table.columns):
        if c == name:
            i = j
            break
    if i is None:
        key = header_key(name)
        for j, k in enumerate(table.keys):
            if k == key:
                i = j
                break
    if i is None:
        raise NeedsMapping(f"The file has no column named '{name}'; choose one of its columns.",
                           columns=list(table.columns))
    return table.data[i]


def _durations(s: pd.Series, unit: str | None) -> pd.Series:
    factor = {"s": 1.0, "min": 60.0, "h": 3600.0}.get(unit or "", 1.0)
    if unit in ("s", "min", "h"):
        return parse_numbers(s) * factor
    return parse_durations(s, number_unit_s=60.0 if unit is None else factor)


_DUR_FACTOR = {"s": 1.0, "min": 60.0, "h": 3600.0}
_DIST_FACTOR = {"m": 1.0, "km": 1000.0, "mi": 1609.344}
_DUR_WORD = {"s": "seconds", "min": "minutes", "h": "hours"}
_DIST_WORD = {"m": "metres", "km": "kilometres", "mi": "miles"}
#: Plausible average speeds (m/s) per kind of sport, and plausible session sizes.
_SPEED = {"foot": (0.7, 7.0), "wheel": (1.5, 20.0), "swim": (0.2, 2.5), "other": (0.2, 20.0)}
_FOOT = {"run", "trail_run", "treadmill_run", "track_run", "virtual_run", "walk", "hike"}
_WHEEL = {"ride", "virtual_ride", "mountain_bike", "gravel_ride", "e_bike", "ski",
          "nordic_ski", "skate", "row"}
_SECONDS = (120.0, 12 * 3600.0)
_METRES = (100.0, 300_000.0)


def _split_durations(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(seconds of h:mm:ss-style cells, plain numbers of the others) of a duration column."""
    text = s.astype("str").str.strip()
    clock = text.str.contains(":", regex=False)
    hms = parse_durations(s.where(clock, ""))
    plain = parse_numbers(s.where(~clock, ""))
    return hms.where(clock), plain.where(~clock)


@dataclass(frozen=True)
class UnitChoice:
    """Units chosen for plain-number durations and distances, and the evidence."""

    duration_unit: str
    distance_unit: str
    share: float  # share of judged sessions that are plausible with these units
    judged: int
    median_speed: float | None  # m/s with these units, where both values exist

    def sentence(self, dur_col: str | None, dist_col: str | None, dur: bool,
                 dist: bool) -> str:
        parts = []
        if dur:
            parts.append(f"durations in '{dur_col}' read as {_DUR_WORD[self.duration_unit]}")
        if dist:
            parts.append(f"distances in '{dist_col}' as {_DIST_WORD[self.distance_unit]}")
        why = (f"these units make {self.share:.0%} of {self.judged} sessions plausible in "
               "duration, distance and speed, more than any other choice")
        if self.median_speed:
            pace = 1000.0 / self.median_speed
            why += (f" (median speed {self.median_speed * 3.6:.1f} km/h, "
                    f"{int(pace // 60)}:{int(pace % 60):02d} per km)")
        return (" and ".join(parts) + f": {why}; the file does not state its units, so map "
                "them by hand if this is wrong")


def infer_units(sport: pd.Series, plain_dur: pd.Series, hms_dur: pd.Series,
                dist: pd.Series, dur_unit: str | None,
                dist_unit: str | None) -> UnitChoice:
    """The duration unit (s/min/h) of plain-number durations and the distance unit (m/km/mi)
    that make the most sessions plausible across the whole file: durations of 2 min-12 h,
    distances of 100 m-300 km, and average speeds plausible for the sport (on foot
    0.7-7 m/s, wheels and skis 1.5-20 m/s, swims 0.2-2.5 m/s). ``dur_unit``/``dist_unit``
    fix a unit that is known. Ties go to minutes and kilometres (the common log units)."""
    kind = pd.Series(np.where(sport.isin(list(_FOOT)), "foot",
                              np.where(sport.isin(list(_WHEEL)), "wheel",
                                       np.where(sport.isin(["swim", "open_water_swim"]), "swim",
                                                "other"))), index=sport.index)
    lo = kind.map(lambda k: _SPEED[k][0]).astype(float)
    hi = kind.map(lambda k: _SPEED[k][1]).astype(float)
    best: UnitChoice | None = None
    best_key = None
    for du in ([dur_unit] if dur_unit else ["min", "s", "h"]):
        secs = hms_dur.where(hms_dur.notna(), plain_dur * _DUR_FACTOR[du])
        secs = secs.where(secs.gt(0))
        for xu in ([dist_unit] if dist_unit else ["km", "m", "mi"]):
            metres = (dist * _DIST_FACTOR[xu]).where(dist.gt(0))
            has_t, has_d = secs.notna(), metres.notna()
            ok_t = secs.between(*_SECONDS)
            ok_d = metres.between(*_METRES)
            speed = metres / secs
            ok_v = speed.between(lo, hi)
            ok = pd.Series(np.where(has_t & has_d, ok_t & ok_d & ok_v,
                                    np.where(has_t, ok_t, ok_d)), index=sport.index)
            judged = has_t | has_d
            n = int(judged.sum())
            share = float(ok[judged].mean()) if n else 0.0
            both = has_t & has_d
            med = float(speed[both].median()) if both.any() else None
            key = (round(share, 6),)  # strict ">" below: ties keep the earlier choice
            if best_key is None or key > best_key:
                best, best_key = UnitChoice(du, xu, share, n, med), key
    assert best is not None
    return best


def read_mapped(table: Table, ctx: ReadContext, file_name: str, mapping: dict[str, str], *,
                guessed: bool = False, limit: int | None = None) -> ImportReport:
    """Import ``table`` with ``mapping`` (field -> column name; see the module docstring)."""
    if limit is not None:
        table = Table(table.columns, table.data.head(limit), table.delimiter, table.encoding,
                      table.full_text(), table.body_offset, table.first_data_line)
    if not mapping.get("date"):
        raise NeedsMapping(f"Choose which column of {file_name} holds the date.",
                           columns=list(table.columns), guess=guess_from_columns(table.columns))
    idx = table.data.index
    assumptions: list[str] = []
    date_txt = _column(table, mapping["date"]).astype("str")
    if mapping.get("time"):
        date_txt = date_txt.str.strip() + " " + _column(table, mapping["time"]).astype("str")
    order = mapping.get("date_order") or ctx.date_order
    parsed = parse_dates(date_txt, order=order)
    if parsed.values.notna().sum() == 0:
        raise NeedsMapping(
            f"The column '{mapping['date']}' of {file_name} holds no dates Stridewise can read; "
            "choose the column with the session dates.", columns=list(table.columns),
            guess=mapping)
    assumptions.extend(parsed.sentences())
    start = parsed.values
    if parsed.utc_offset:
        from stridewise.ingest.base import utc_to_local

        start = utc_to_local(start, ctx.tz)
        assumptions.append(f"times carry UTC offsets; converted to {ctx.tz}")
    else:
        assumptions.append("dates and times taken as the athlete's local time")
    if mapping.get("type"):
        sport = normalise_sports(_column(table, mapping["type"]))
    else:
        sport = pd.Series(["other"] * len(idx), index=idx, dtype="str")
    dur_unit = mapping.get("duration_unit")
    none = pd.Series(np.nan, index=idx)
    dur_col = _column(table, mapping["duration"]) if mapping.get("duration") else None
    mov_col = _column(table, mapping["moving"]) if mapping.get("moving") else None
    # Plain numbers in a duration column may be seconds, minutes or hours; h:mm:ss texts are
    # read as they are. Plain numbers in a distance column may be metres, km or miles.
    hms_dur, plain_dur = _split_durations(dur_col) if dur_col is not None else (none, none)
    hms_mov, plain_mov = _split_durations(mov_col) if mov_col is not None else (none, none)
    dist_unit = mapping.get("distance_unit") or ctx.units
    raw_dist = parse_numbers(_column(table, mapping["distance"])) if mapping.get(
        "distance") else none
    ambiguous_dur = dur_unit is None and (plain_dur.notna().any() or plain_mov.notna().any())
    ambiguous_dist = mapping.get("distance") and dist_unit is None
    if ambiguous_dur or ambiguous_dist:
        choice = infer_units(sport, plain_dur.where(plain_dur.notna(), plain_mov), hms_dur,
                             raw_dist, None if ambiguous_dur else (dur_unit or "min"),
                             None if ambiguous_dist else dist_unit)
        if ambiguous_dur:
            dur_unit = choice.duration_unit
        if ambiguous_dist:
            dist_unit = choice.distance_unit
        assumptions.append(choice.sentence(mapping.get("duration") or mapping.get("moving"),
                                           mapping.get("distance"), ambiguous_dur,
                                           bool(ambiguous_dist)))
    # "hms" (the form's "h:mm:ss"): stray plain numbers are seconds, as before.
    factor = 1.0 if dur_unit == "hms" else _DUR_FACTOR.get(dur_unit or "min", 60.0)
    duration = hms_dur.where(hms_dur.notna(), plain_dur * factor)
    moving = hms_mov.where(hms_mov.notna(), plain_mov * factor)
    if dur_unit in ("s", "min", "h"):  # stated units: even h:mm:ss-looking texts are numbers
        duration = _durations(dur_col, dur_unit) if dur_col is not None else none
        moving = _durations(mov_col, dur_unit) if mov_col is not None else none
    dist = raw_dist * _DIST_FACTOR.get(dist_unit or "km", 1000.0)
    # Unknown types with running paces are runs (hand-kept running logs use their own codes).
    pace = duration / 60.0 / (dist / 1000.0)
    runlike = sport.eq("other") & pace.between(2.8, 8.5)
    if runlike.any():
        sport = sport.mask(runlike, "run")
        assumptions.append(f"{int(runlike.sum())} session(s) of unknown type with running "
                           "paces (2:48-8:30 per km) were read as runs")
    title = (_column(table, mapping["title"]).astype("str").str.strip()
             if mapping.get("title") else sport)
    if mapping.get("type") and mapping.get("title"):  # an unknown type kept as the title
        title = title_or_type(title, _column(table, mapping["type"]), sport)
    rows = pd.DataFrame({
        "start": start, "sport": sport, "title": title, "duration_s": duration,
        "moving_s": moving, "distance_m": dist.where(dist.gt(0)),
        "row_number": table.record_lines,
    }, index=idx)
    for fld, col in (("rpe", "rpe"), ("avg_hr", "avg_hr"), ("max_hr", "max_hr"),
                     ("calories", "calories"), ("elevation", "elevation_gain_m")):
        rows[col] = parse_numbers(_column(table, mapping[fld])) if mapping.get(fld) else np.nan
    if mapping.get("rpe"):
        rows["rpe"] = rows["rpe"].where(rows["rpe"].between(0, 10))
    cols = ", ".join(f"{k} = '{v}'" for k, v in mapping.items() if k in FIELDS)
    if guessed:
        fmt = "CSV session log (columns recognised by name)"
        assumptions.insert(0, f"columns recognised by name: {cols}")
    else:
        fmt = "CSV session log (columns mapped by you)"
    return finish_report(rows, table, ctx, source=SOURCE, file_name=file_name, fmt=fmt,
                         assumptions=assumptions, units=dist_unit if dist_unit in ("km", "mi")
                         else None)
