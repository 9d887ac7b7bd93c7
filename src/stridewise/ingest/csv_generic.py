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

import numpy as np
import pandas as pd

from stridewise.errors import NeedsMapping
from stridewise.ingest.base import ImportReport, ReadContext
from stridewise.ingest.csvtable import Table, finish_report, header_key
from stridewise.ingest.sports import normalise_sports
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
               "herzfrequenz", "o hf", "hfdurchschnitt"),
    "max_hr": ("max hr", "hfmax", "max heart rate", "maxpuls", "hr max", "maximum heart rate",
               "max bpm", "maxhr", "maximalpuls", "hf max"),
    "calories": ("calories", "kcal", "kalorien", "energy", "calories kcal", "calories burned",
                 "energie", "kalorier", "calorias", "calorie"),
    "elevation": ("elevation gain", "ascent", "climb", "hohenmeter", "hm", "aufstieg",
                  "total ascent", "elevation", "anstieg", "climb m", "climb ft",
                  "elevation gain m", "hoehenmeter"),
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
    dur_unit = mapping.get("duration_unit")
    duration = (_durations(_column(table, mapping["duration"]), dur_unit)
                if mapping.get("duration") else pd.Series(np.nan, index=idx))
    if mapping.get("duration") and dur_unit is None:
        raw = _column(table, mapping["duration"]).astype("str")
        if not raw.str.contains(":", regex=False).any():
            assumptions.append(f"durations in '{mapping['duration']}' read as minutes")
    moving = (_durations(_column(table, mapping["moving"]), dur_unit)
              if mapping.get("moving") else pd.Series(np.nan, index=idx))
    dist_unit = mapping.get("distance_unit") or ctx.units
    if mapping.get("distance"):
        dist = parse_numbers(_column(table, mapping["distance"]))
        if dist_unit is None:
            dist_unit = "km"
            assumptions.append(f"distances in '{mapping['distance']}' read as kilometres")
        dist = dist * {"km": 1000.0, "mi": 1609.344, "m": 1.0}.get(dist_unit, 1000.0)
    else:
        dist = pd.Series(np.nan, index=idx)
    if mapping.get("type"):
        sport = normalise_sports(_column(table, mapping["type"]))
    else:
        sport = pd.Series(["other"] * len(idx), index=idx, dtype="str")
    # Unknown types with running paces are runs (hand-kept running logs use their own codes).
    pace = duration / 60.0 / (dist / 1000.0)
    runlike = sport.eq("other") & pace.between(2.8, 8.5)
    if runlike.any():
        sport = sport.mask(runlike, "run")
        assumptions.append(f"{int(runlike.sum())} session(s) of unknown type with running "
                           "paces (2:48-8:30 per km) were read as runs")
    title = (_column(table, mapping["title"]).astype("str").str.strip()
             if mapping.get("title") else sport)
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
