"""Garmin Connect ``Activities.csv`` ("Export CSV" of the activity list), every vintage seen.

Headers come in the account language (English, Danish, German, Spanish, French, Hungarian,
Portuguese, Italian, Dutch are known), the column set is user-chosen, numbers follow the
account locale (decimal comma, thousands separators, even mixed within one column), ``--``
marks missing values, swims are in metres inside the same ``Distance`` column as km/mi, and the
distance unit is **not stated**: it is inferred per file from plausible paces and speeds, said
in the report, and ``ctx.units`` overrides it. Legacy 2012-2015 exports (title line, leading
spaces, localised dates like ``Fr, 25 Mai 2012 20:31``) and a hand-renamed French list export
are read too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stridewise.ingest.base import ImportReport, ReadContext
from stridewise.ingest.csvtable import Table, finish_report, header_key
from stridewise.ingest.sports import normalise_sports
from stridewise.ingest.values import infer_decimal, parse_dates, parse_durations, parse_numbers

SOURCE = "garmin_csv"
MILE_M = 1609.344
FOOT_M = 0.3048

_TYPE = ("Activity Type", "Aktivitetstype", "Aktivitätstyp", "Tipo de actividad",
         "Tipo de atividade", "Type d'activité", "Tipo di attività", "Activiteittype",
         "Activiteitstype", "Tevékenység típusa", "Typ aktywności", "Aktivitetstyp")
_DATE = ("Date", "Dato", "Datum", "Fecha", "Data", "Dátum", "Start", "Date de début")
_TITLE = ("Title", "Titel", "Título", "Titre", "Titolo", "Cím", "Aktivitätsname",
          "Activity Name", "Nom de l'activité", "Tytuł")
_DIST = ("Distance", "Distanz", "Distancia", "Distância", "Distanza", "Afstand", "Távolság",
         "Dystans", "Avstånd")
_CAL = ("Calories", "Kalorier", "Kalorien", "Calorías", "Calorias", "Calorie", "Calorieën",
        "Kalóriaszám", "Kalorie")
_TIME = ("Time", "Tid", "Zeit", "Tiempo", "Tempo", "Durée", "Temps", "Tijd", "Idő", "Czas")
_MOVING = ("Moving Time", "Tid i bevægelse", "Zeit in Bewegung", "Tiempo en movimiento",
           "Tempo em movimento", "Temps de déplacement", "Tempo in movimento", "Beweegtijd",
           "Menetidő", "Czas ruchu")
_ELAPSED = ("Elapsed Time", "Tidsforbrug", "Verstrichene Zeit", "Tiempo transcurrido",
            "Duração", "Temps écoulé", "Tempo trascorso", "Verstreken tijd", "Eltelt idő",
            "Czas, który upłynął")
_AVGHR = ("Avg HR", "Gennemsnitlig puls", "Ø Herzfrequenz", "Frecuencia cardiaca media",
          "FC Média", "Fréquence cardiaque moyenne", "FC Media", "Gemiddelde hartslag",
          "Átlagos pulzusszám", "Ø HF", "Średnie tętno")
_MAXHR = ("Max HR", "Maks. puls", "Maximale Herzfrequenz", "FC máxima",
          "Fréquence cardiaque maximale", "FC max", "Maximale hartslag", "Max. pulzus",
          "Max. HF", "Maksymalne tętno")
_ASCENT = ("Total Ascent", "Elev Gain", "Højdeforøgelse", "Samlet stigning", "Anstieg gesamt",
           "Ascenso total", "Subida total", "Ascension totale", "Salita totale",
           "Totale stijging", "Teljes emelkedés", "Positiver Höhenunterschied", "Gain_altitude",
           "Całkowity wznios")
#: Header names only Garmin's list export uses; two of them confirm the layout.
_MARKERS = ("Favorite", "Favorit", "Favorito", "Favori", "Preferito", "Favoriet", "Kedvenc",
            "Training Stress Score®", "Aerobic TE", "Aerob TE", "TE aeróbico",
            "Training Effect Aeróbico", "Best Lap Time", "Tid for bedste omgang",
            "Beste Rundenzeit", "Mejor tiempo de vuelta", "Tempo da melhor volta",
            "Legjobb köridő", "Decompression", "Dekompression", "Descompresión",
            "Descompressão", "Dekompressziós", "Number of Laps", "Anzahl der Runden",
            "Avg Pace", "Ø Pace", "Ritmo medio", "Gennemsnitstempo", "Átlagos tempó",
            "Body Battery Drain", "Min Elevation", "Avg Stride Length", "Bundtid")
_LANG = {
    "activity type": "English", "aktivitetstype": "Danish", "aktivitatstyp": "German",
    "tipo de actividad": "Spanish", "tipo de atividade": "Portuguese",
    "type d activite": "French", "tipo di attivita": "Italian", "activiteittype": "Dutch",
    "tevekenyseg tipusa": "Hungarian",
}
_FR_LEGACY = ("activite", "type", "date", "temps", "distance", "gain altitude", "vitesse moy")
_SWIMS = frozenset({"swim", "open_water_swim"})


def _is_fr_legacy(table: Table) -> bool:
    return all(k in table.keys for k in _FR_LEGACY)


def detect(table: Table) -> bool:
    """True for a Garmin Connect activity-list CSV."""
    if _is_fr_legacy(table):
        return True
    has_type = table.index_of(*_TYPE) is not None
    has_date = table.index_of(*_DATE) is not None
    has_dist = table.index_of(*_DIST) is not None
    markers = table.count(*_MARKERS)
    # A trimmed column choice may lack every marker; Garmin's own type/title/time names then
    # still identify it.
    garmin_names = table.index_of(*_TITLE) is not None and table.index_of(*_TIME) is not None
    return has_type and has_date and has_dist and (markers >= 1 or garmin_names)


def _first(table: Table, names: tuple[str, ...]) -> pd.Series | None:
    return table.find(*names)


def infer_units(sport: pd.Series, dist: pd.Series, secs: pd.Series) -> tuple[str, str, bool]:
    """("km"|"mi", reason, sure) from plausible paces (runs, then walks/hikes, then rides)."""
    ok = dist.gt(0) & secs.gt(0)
    run = ok & sport.isin(["run", "trail_run", "treadmill_run", "track_run", "virtual_run"])
    if run.sum() >= 1:
        pace = (secs[run] / 60.0 / dist[run]).median()  # minutes per unit
        desc = f"the median running pace is {_mmss(pace)} per unit"
        if pace >= 9.5:
            return "mi", f"{desc}, plausible per mile but very slow per km", True
        if pace <= 5.3:
            return "km", f"{desc}, plausible per km but implausibly fast per mile", True
        return "km", f"{desc}, plausible per km and per mile", False
    walk = ok & sport.isin(["walk", "hike"])
    if walk.sum() >= 1:
        pace = (secs[walk] / 60.0 / dist[walk]).median()
        desc = f"the median walking pace is {_mmss(pace)} per unit"
        if pace >= 15.0:
            return "mi", f"{desc}, plausible per mile but very slow per km", True
        return "km", f"{desc}, plausible per km", pace <= 12.0
    ride = ok & sport.isin(["ride", "mountain_bike", "gravel_ride", "e_bike", "virtual_ride"])
    if ride.sum() >= 1:
        speed = (dist[ride] / (secs[ride] / 3600.0)).median()
        desc = f"the median cycling speed is {speed:.1f} units per hour"
        if speed < 15.0:
            return "mi", f"{desc}, plausible in mph", speed < 12.0
        return "km", f"{desc}, plausible in km/h", True
    return "km", "the file has no runs, walks or rides to judge by", False


def _mmss(minutes: float) -> str:
    m = int(minutes)
    return f"{m}:{int(round((minutes - m) * 60)):02d}"


def read(table: Table, ctx: ReadContext, file_name: str) -> ImportReport:
    """Import a Garmin Connect activity-list table (see the module docstring)."""
    idx = table.data.index
    assumptions: list[str] = []
    warn: list[str] = []
    fr = _is_fr_legacy(table)
    types = table.find("type") if fr else _first(table, _TYPE)
    titles = table.find("activite") if fr else _first(table, _TITLE)
    date_txt = _first(table, _DATE)
    sport = normalise_sports(types)
    # One decimal mark for the whole file (number format follows the account locale).
    num_cols = [table.data[i] for i, k in enumerate(table.keys)
                if k and header_key(table.columns[i]) not in {header_key(n) for n in _DATE}]
    dec = infer_decimal(*num_cols)
    dist_raw = parse_numbers(_first(table, _DIST), dec)
    time_col = _first(table, _TIME)
    two_part = "ms"
    if time_col is not None:
        tt = time_col.astype("str").str.strip()
        tt = tt[tt.str.contains(":", regex=False)]
        first = pd.to_numeric(tt.str.extract(r"^(\d{1,2}):\d\d$", expand=False),
                              errors="coerce")
        if len(tt) and first.notna().all() and first.max() <= 23 and first.median() <= 2:
            two_part = "hm"
            warn.append("the Time column holds hours:minutes rounded to the minute; the "
                        "moving/elapsed time columns were used where present")
    time_s = (parse_durations(time_col, two_part=two_part) if time_col is not None
              else pd.Series(np.nan, index=idx))
    moving_col = _first(table, _MOVING)
    elapsed_col = _first(table, _ELAPSED)
    moving = parse_durations(moving_col) if moving_col is not None else time_s
    moving = moving.where(moving.gt(0), time_s)
    elapsed = parse_durations(elapsed_col) if elapsed_col is not None else time_s
    duration = elapsed.where(elapsed.gt(0), time_s).where(lambda d: d.gt(0), moving)
    # Units: swims are metres; everything else km or mi.
    swim = sport.isin(_SWIMS)
    if ctx.units is not None:
        units = ctx.units
        assumptions.append(f"distances read as {'miles' if units == 'mi' else 'kilometres'} "
                           "as you chose")
    else:
        units, reason, sure = infer_units(sport[~swim], dist_raw[~swim],
                                          moving.where(moving.gt(0), duration)[~swim])
        word = "miles" if units == "mi" else "kilometres"
        if sure:
            assumptions.append(f"distances read as {word} because {reason}")
        else:
            assumptions.append(f"distances read as {word} ({reason}); Garmin's CSV does not "
                               "state the unit, so choose miles or kilometres if this is wrong")
    factor = MILE_M if units == "mi" else 1000.0
    dist_m = dist_raw.where(swim, dist_raw * factor)
    if swim.any():
        assumptions.append("pool and open-water swim distances read as metres (Garmin lists "
                           "swims in metres or yards, not km/mi)")
    parsed = parse_dates(date_txt, order=ctx.date_order)
    assumptions.extend(parsed.sentences())
    assumptions.append("Garmin lists local start times; they were kept as they are")
    ascent = parse_numbers(_first(table, _ASCENT), dec) if _first(table, _ASCENT) is not None \
        else pd.Series(np.nan, index=idx)
    if units == "mi":
        ascent = ascent * FOOT_M
    rows = pd.DataFrame({
        "start": parsed.values,
        "sport": sport,
        "title": (titles.astype("str").str.strip() if titles is not None
                  else types.astype("str").str.strip()),
        "duration_s": duration,
        "moving_s": moving,
        "distance_m": dist_m.where(dist_m.gt(0)),
        "elevation_gain_m": ascent,
        "row_number": table.record_lines,
    }, index=idx)
    for col, names in (("avg_hr", _AVGHR), ("max_hr", _MAXHR), ("calories", _CAL)):
        s = _first(table, names)
        rows[col] = parse_numbers(s, dec) if s is not None else np.nan
    rows["avg_hr"] = rows["avg_hr"].where(rows["avg_hr"].gt(0))
    rows["max_hr"] = rows["max_hr"].where(rows["max_hr"].gt(0))
    if fr:
        fmt = ("Garmin Connect activity list (2014-15 export, French, headers renamed by hand)")
    else:
        lang = _LANG.get(table.keys[table.index_of(*_TYPE) or 0], "localised")
        if table.first_data_line > 2:
            fmt = f"Garmin Connect activity list (legacy export with a title line, {lang} headers)"
        else:
            fmt = f"Garmin Connect Activities.csv ({len(table.columns)} columns, {lang} headers)"
    if dec == ",":
        assumptions.append("numbers use a decimal comma (account locale)")
    return finish_report(rows, table, ctx, source=SOURCE, file_name=file_name, fmt=fmt,
                         assumptions=assumptions, warnings=warn, units=units)
