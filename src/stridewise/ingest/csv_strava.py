"""Strava bulk-export ``activities.csv`` in every layout seen in the wild.

Layouts: the legacy lower-case 10-column file (``id,date,name,type,...``, distance in metres)
and the 72/79/87/92/94/99-column files, in English or localised (Dutch, Italian, ... headers and
activity types, decimal commas). Columns are found by name where the name is known and by
Strava's fixed block structure otherwise: the first block starts ``ID, Date, Name, Type,
Description, Elapsed Time, Distance`` and the detail block starts where the elapsed-time header
repeats (``Elapsed Time, Moving Time, Distance (m), ..., Max HR (+15), Avg HR (+16),
Calories (+19), ..., Perceived Exertion (+28)``).

Dates are UTC and are converted to the athlete's zone (``ctx.tz``). The first ``Distance`` is
the display value (km, but metres for swims, localised); the second is metres and is preferred.
``Activity ID`` becomes ``source_id`` and the ``Filename`` cell is kept as ``strava_filename``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from stridewise.ingest.base import ImportReport, ReadContext, Units, utc_to_local
from stridewise.ingest.csvtable import Table, finish_report, header_key
from stridewise.ingest.sports import normalise_sports, title_or_type
from stridewise.ingest.values import infer_decimal, parse_dates, parse_numbers

SOURCE = "strava_csv"

_ID = ("Activity ID", "Activiteits-ID", "ID attività", "Aktivitäts-ID", "ID de l'activité",
       "ID de la actividad", "ID da atividade", "ID de actividad", "Aktivitets-ID",
       "Tevékenység azonosítója")
_DATE = ("Activity Date", "Datum van activiteit", "Data dell'attività", "Aktivitätsdatum",
         "Date de l'activité", "Fecha de la actividad", "Data da atividade")
_LANG = {
    "activity id": "English", "activiteits id": "Dutch", "id attivita": "Italian",
    "aktivitats id": "German", "id de l activite": "French", "id de la actividad": "Spanish",
    "id da atividade": "Portuguese", "id de actividad": "Spanish",
}
_FILENAME = ("Filename", "Bestandsnaam", "Nome del file", "Dateiname", "Nom du fichier",
             "Nombre del archivo", "Nome do arquivo", "Nome do ficheiro", "filename")
_MOVING = ("Moving Time", "Beweegtijd", "Tempo in movimento", "Bewegungszeit",
           "Temps de déplacement", "Tiempo en movimiento", "Tempo em movimento")
_ELEV = ("Elevation Gain", "Hoogteverschil", "Dislivello positivo", "Höhenmeter bergauf",
         "Dénivelé positif", "Desnivel positivo", "Ganho de elevação")
_MAXHR = ("Max Heart Rate", "Max. hartslag", "Frequenza cardiaca massima", "Maximale Herzfrequenz",
          "Fréquence cardiaque maximale", "Frecuencia cardiaca máxima",
          "Frequência cardíaca máxima")
_AVGHR = ("Average Heart Rate", "Gemiddelde hartslag", "Frequenza cardiaca media",
          "Durchschnittliche Herzfrequenz", "Fréquence cardiaque moyenne",
          "Frecuencia cardiaca media", "Frequência cardíaca média")
_CAL = ("Calories", "Calorieën", "Calorie", "Kalorien", "Calorías", "Calorias")
_RPE = ("Perceived Exertion", "Ervaren inspanning", "Sforzo percepito",
        "Wahrgenommene Anstrengung", "Effort perçu", "Esfuerzo percibido", "Esforço percebido")
_LEGACY = ("id", "date", "name", "type", "elapsed time", "distance")


def is_legacy(table: Table) -> bool:
    keys = set(table.keys)
    return all(k in keys for k in _LEGACY) and "filename" in keys and len(table.columns) <= 20


def _detail_block(table: Table) -> int | None:
    """Position of the repeated elapsed-time header (start of Strava's detail block)."""
    if len(table.columns) < 30:
        return None
    k5 = table.keys[5]
    for j in range(7, len(table.keys)):
        if table.keys[j] == k5:
            return j
    return None


def detect(table: Table) -> bool:
    """True for a Strava activities.csv in any known layout or language."""
    if is_legacy(table):
        return True
    if len(table.columns) < 30:
        return False
    k0, k1 = table.keys[0], table.keys[1]
    if k0 in _keys(_ID) and k1 in _keys(_DATE):
        return True
    j = _detail_block(table)
    if j is None or table.keys[j + 2] != table.keys[6]:
        return False
    ids = table.column(0).head(50).str.strip()
    return bool(len(ids)) and bool(ids.str.fullmatch(r"\d{5,}").mean() > 0.9)


@lru_cache(maxsize=64)
def _keys(names: tuple[str, ...]) -> frozenset[str]:
    """Header keys of a tuple of header names (computed once per tuple)."""
    return frozenset(header_key(n) for n in names)


def _after(table: Table, names: tuple[str, ...], start: int) -> pd.Series | None:
    wanted = _keys(names)
    for i in range(start, len(table.keys)):
        if table.keys[i] in wanted:
            return table.column(i)
    return None


def _by_offset(table: Table, j: int | None, off: int) -> pd.Series | None:
    if j is None or j + off >= table.data.shape[1]:
        return None
    return table.column(j + off)


def _native_ids(ids: pd.Series) -> pd.Series:
    """Activity ids as text; ``123.0`` (a spreadsheet's float) becomes ``123``."""
    t = ids.astype("str").str.strip()
    if t.str.endswith(".0").any():
        t = t.str.replace(r"\.0$", "", regex=True)
    return t


def needed_columns(columns: list[str]) -> list[int] | None:
    """The positions :func:`read` uses in a Strava export with this header, when the header
    alone shows it is one (ID and date headers first) and names its filename column; else None
    (the whole table is then read). Lets big files be read without their ~70 unused columns."""
    table = Table(columns=list(columns), data=pd.DataFrame(), delimiter=",", encoding="")
    if is_legacy(table) or len(table.columns) < 30:
        return None
    if not (table.keys[0] in _keys(_ID) and table.keys[1] in _keys(_DATE)):
        return None
    j = _detail_block(table)
    if j is None or j + 2 >= len(table.keys) or table.keys[j + 2] != table.keys[6]:
        return None
    filename = table.index_of(*_FILENAME)
    if filename is None:
        return None

    def at(names: tuple[str, ...], off: int) -> int:
        wanted = _keys(names)
        hits = [i for i in range(j, len(table.keys)) if table.keys[i] in wanted]
        return hits[0] if hits else j + off

    return [0, 1, 2, 3, 5, 6, j + 2, filename, at(_MOVING, 1), at(_ELEV, 5), at(_MAXHR, 15),
            at(_AVGHR, 16), at(_CAL, 19), at(_RPE, 28)]


def read(table: Table, ctx: ReadContext, file_name: str) -> ImportReport:
    """Import a Strava activities.csv table (see the module docstring)."""
    legacy = is_legacy(table)
    n = len(table)
    idx = table.data.index
    assumptions: list[str] = []
    display_units: Units | None = None  # set only when a display distance had to be read
    if legacy:
        ids = table.find("id")
        dates_txt = table.find("date")
        names = table.find("name")
        types = table.find("type")
        sports = normalise_sports(types)
        elapsed = parse_numbers(table.find("elapsed time"), ".")
        moving = pd.Series(np.nan, index=idx)
        dist_m = parse_numbers(table.find("distance"), ".")
        filenames = table.find("filename")
        elev = max_hr = avg_hr = cal = rpe = None
        fmt = "Strava activities.csv (legacy 10-column layout, distances in metres)"
    else:
        j = _detail_block(table)
        if j is None or j + 2 >= len(table.keys) or table.keys[j + 2] != table.keys[6]:
            from stridewise.errors import UnreadableFile

            raise UnreadableFile(
                f"{file_name} starts like a Strava activities.csv but its header does not have "
                "Strava's column layout (it may have been edited or damaged); export it again "
                "from Strava.")
        ids, dates_txt, names, types = (table.column(i) for i in range(4))
        elapsed = parse_numbers(table.column(5))
        start_detail = j if j is not None else 7
        moving_s = _after(table, _MOVING, start_detail) if j is not None else None
        moving = parse_numbers(moving_s if moving_s is not None else _by_offset(table, j, 1))
        first_dist = table.column(6)
        dist2 = _by_offset(table, j, 2)
        sports = normalise_sports(types)
        swim = sports.isin(["swim", "open_water_swim"])
        dec = infer_decimal(first_dist[~swim])
        d1 = parse_numbers(first_dist, dec)
        # the display column is in the account's unit (km or mi; metres for swims): only used
        # where the metres column is empty, and then said in the report
        unit_m = 1609.344 if ctx.units == "mi" else 1000.0
        d1_m = d1.where(swim, d1 * unit_m)
        d2 = parse_numbers(dist2) if dist2 is not None else pd.Series(np.nan, index=idx)
        use_metres = d2.notna() & ((d2 > 0) | (d1_m.fillna(0) == 0))
        dist_m = d2.where(use_metres, d1_m)
        from_display = ~use_metres & ~swim & d1.gt(0)
        if from_display.any():
            display_units = ctx.units or "km"
            assumptions.append(
                f"{int(from_display.sum())} activities have no distance in metres; their "
                f"displayed distance was read as {display_units} (re-read in "
                f"{'mi' if display_units == 'km' else 'km'} if your Strava account uses "
                f"{'miles' if display_units == 'km' else 'kilometres'})")
        filenames = table.find(*_FILENAME)
        if filenames is None:
            looks = [i for i in range(table.data.shape[1])
                     if table.column(i).head(200).str.startswith("activities/").any()]
            filenames = table.column(looks[0]) if looks else None

        def pick(names_: tuple[str, ...], off: int) -> pd.Series | None:
            by_name = _after(table, names_, start_detail) if j is not None else None
            return by_name if by_name is not None else _by_offset(table, j, off)

        elev = pick(_ELEV, 5)
        max_hr = pick(_MAXHR, 15)
        avg_hr = pick(_AVGHR, 16)
        cal = pick(_CAL, 19)
        rpe = pick(_RPE, 28)
        lang = _LANG.get(table.keys[0], "localised")
        fmt = f"Strava activities.csv ({len(table.columns)} columns, {lang} headers)"
    parsed = parse_dates(dates_txt, order=ctx.date_order)
    assumptions.extend(parsed.sentences())
    start = utc_to_local(parsed.values, ctx.tz)
    assumptions.append(f"Strava lists start times in UTC; they were converted to {ctx.tz} "
                       "(set the athlete's time zone to change this)")
    rows = pd.DataFrame({
        "start": start,
        "sport": sports,
        "title": title_or_type(names, types, sports),  # an unknown type kept as title
        "duration_s": elapsed,
        "moving_s": moving,
        "distance_m": dist_m.where(dist_m.gt(0)),
        "source_id": _native_ids(ids),
        "strava_filename": (filenames.astype("str").str.strip() if filenames is not None
                            else pd.Series([""] * n, index=idx, dtype="str")),
        "row_number": np.arange(n),
    }, index=idx)
    if parsed.values.isna().any():
        rows["start_reason"] = parsed.reasons().to_numpy()
    for col, s in (("elevation_gain_m", elev), ("max_hr", max_hr), ("avg_hr", avg_hr),
                   ("calories", cal)):
        rows[col] = parse_numbers(s, ".") if s is not None else np.nan
    if rpe is not None:
        r = parse_numbers(rpe, ".")
        rows["rpe"] = r.where((r >= 1) & (r <= 10))
    return finish_report(rows, table, ctx, source=SOURCE, file_name=file_name, fmt=fmt,
                         assumptions=assumptions, units=display_units, keep=["strava_filename"],
                         line_of=lambda i: int(table.record_lines[i]))
