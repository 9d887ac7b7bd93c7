"""The small part of the FIT profile that Stridewise needs, written from the public FIT protocol.

Message numbers, field numbers, scales and enum values follow the published FIT SDK profile
(Garmin, "FIT Protocol" and Profile.xlsx). Only the messages the importer decodes are described;
every other message is skipped by its size without being decoded.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

#: Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
FIT_EPOCH_S: Final = 631065600

# Global message numbers.
MESG_FILE_ID: Final = 0
MESG_SPORT: Final = 12
MESG_SESSION: Final = 18
MESG_LAP: Final = 19
MESG_RECORD: Final = 20
MESG_ACTIVITY: Final = 34
MESG_SET: Final = 225

#: FIT date_time values below this are seconds since the device was switched on, not since the
#: FIT epoch (FIT protocol, "date_time" base type: 0x10000000 = "min").
FIT_TIME_MIN_ABSOLUTE: Final = 0x10000000

#: Field number of ``timestamp`` in every message that has one.
FIELD_TIMESTAMP: Final = 253

#: Fields decoded per message: field number -> (name, scale). Values are divided by the scale.
FIELDS: Final[dict[int, dict[int, tuple[str, float]]]] = {
    MESG_FILE_ID: {0: ("type", 1), 1: ("manufacturer", 1), 2: ("product", 1),
                   4: ("time_created", 1)},
    MESG_SPORT: {0: ("sport", 1), 1: ("sub_sport", 1), 3: ("name", 1)},
    MESG_SESSION: {
        253: ("timestamp", 1), 2: ("start_time", 1), 5: ("sport", 1), 6: ("sub_sport", 1),
        7: ("total_elapsed_time", 1000), 8: ("total_timer_time", 1000),
        9: ("total_distance", 100), 11: ("total_calories", 1), 16: ("avg_heart_rate", 1),
        17: ("max_heart_rate", 1), 22: ("total_ascent", 1), 110: ("sport_profile_name", 1),
    },
    MESG_LAP: {
        253: ("timestamp", 1), 2: ("start_time", 1), 7: ("total_elapsed_time", 1000),
        8: ("total_timer_time", 1000), 9: ("total_distance", 100),
    },
    MESG_SET: {
        254: ("timestamp", 1), 0: ("duration", 1000), 3: ("repetitions", 1),
        4: ("weight", 16), 5: ("set_type", 1), 6: ("start_time", 1), 7: ("category", 1),
        8: ("category_subtype", 1),
    },
    MESG_ACTIVITY: {253: ("timestamp", 1), 1: ("num_sessions", 1), 5: ("local_timestamp", 1)},
    MESG_RECORD: {253: ("timestamp", 1), 3: ("heart_rate", 1), 5: ("distance", 100)},
}

#: ``file`` enum (file_id.type) -> what the file is, in words for a refusal sentence.
FILE_TYPES: Final[dict[int, str]] = {
    1: "a device description file", 2: "a settings file", 3: "a sport settings file",
    4: "an activity", 5: "a workout plan (steps to follow, not a recorded workout)",
    6: "a course (a planned route)", 7: "a training schedule", 9: "a weight-scale file",
    10: "a totals file", 11: "a goals file", 14: "a blood-pressure file",
    15: "a monitoring file (all-day steps, heart rate and stress)", 20: "an activity summary file",
    28: "a daily monitoring file (all-day steps, heart rate and stress)",
    32: "a monitoring file (all-day steps, heart rate and stress)", 34: "a segment file",
    35: "a segment list file", 40: "a data-screen configuration file",
}
FILE_ACTIVITY: Final = 4

#: ``sport`` enum -> name (as in the profile).
SPORT_NAMES: Final[dict[int, str]] = {
    0: "generic", 1: "running", 2: "cycling", 3: "transition", 4: "fitness_equipment",
    5: "swimming", 6: "basketball", 7: "soccer", 8: "tennis", 9: "american_football",
    10: "training", 11: "walking", 12: "cross_country_skiing", 13: "alpine_skiing",
    14: "snowboarding", 15: "rowing", 16: "mountaineering", 17: "hiking", 18: "multisport",
    19: "paddling", 20: "flying", 21: "e_biking", 22: "motorcycling", 23: "boating",
    24: "driving", 25: "golf", 26: "hang_gliding", 27: "horseback_riding", 28: "hunting",
    29: "fishing", 30: "inline_skating", 31: "rock_climbing", 32: "sailing", 33: "ice_skating",
    34: "sky_diving", 35: "snowshoeing", 36: "snowmobiling", 37: "stand_up_paddleboarding",
    38: "surfing", 39: "wakeboarding", 40: "water_skiing", 41: "kayaking", 42: "rafting",
    43: "windsurfing", 44: "kitesurfing", 45: "tactical", 46: "jumpmaster", 47: "boxing",
    48: "floor_climbing", 49: "baseball", 53: "diving", 56: "shooting", 58: "winter_sport",
    59: "grinding", 62: "hiit", 63: "video_gaming", 64: "racket", 65: "wheelchair_push_walk",
    66: "wheelchair_push_run", 67: "meditation", 68: "para_sport", 69: "disc_golf",
    70: "team_sport", 71: "cricket", 72: "rugby", 73: "hockey", 74: "lacrosse",
    75: "volleyball", 76: "water_tubing", 77: "wakesurfing", 78: "water_sport", 79: "archery",
    80: "mixed_martial_arts", 81: "motor_sports", 82: "snorkeling", 83: "dance",
    84: "jump_rope", 85: "pool_apnea", 86: "mobility", 87: "geocaching", 88: "canoeing",
}

#: ``sub_sport`` enum -> name (every value of profile 21.205).
SUB_SPORT_NAMES: Final[dict[int, str]] = {
    0: "generic", 1: "treadmill", 2: "street", 3: "trail", 4: "track", 5: "spin",
    6: "indoor_cycling", 7: "road", 8: "mountain", 9: "downhill", 10: "recumbent",
    11: "cyclocross", 12: "hand_cycling", 13: "track_cycling", 14: "indoor_rowing",
    15: "elliptical", 16: "stair_climbing", 17: "lap_swimming", 18: "open_water",
    19: "flexibility_training", 20: "strength_training", 21: "warm_up", 22: "match",
    23: "exercise", 24: "challenge", 25: "indoor_skiing", 26: "cardio_training",
    27: "indoor_walking", 28: "e_bike_fitness", 29: "bmx", 30: "casual_walking",
    31: "speed_walking", 37: "backcountry", 38: "resort", 42: "skate_skiing", 43: "yoga",
    44: "pilates", 45: "indoor_running", 46: "gravel_cycling", 47: "e_bike_mountain",
    48: "commuting", 49: "mixed_surface", 58: "virtual_activity", 59: "obstacle",
    62: "breathing", 67: "ultra", 68: "indoor_climbing", 69: "bouldering", 70: "hiit",
    73: "amrap", 74: "emom", 75: "tabata", 78: "triathlon", 79: "duathlon", 80: "brick",
    81: "swim_run", 84: "pickleball", 85: "padel", 94: "squash", 95: "badminton",
    96: "racquetball", 97: "table_tennis", 124: "rucking",
    32: "bike_to_run_transition", 33: "run_to_bike_transition", 34: "swim_to_bike_transition",
    35: "atv", 36: "motocross", 39: "rc_drone", 40: "wingsuit", 41: "whitewater",
    50: "navigate", 51: "track_me", 52: "map", 53: "single_gas_diving", 54: "multi_gas_diving",
    55: "gauge_diving", 56: "apnea_diving", 57: "apnea_hunting", 63: "ccr_diving",
    65: "sail_race", 66: "expedition", 71: "indoor_grinding", 72: "hunting_with_dogs",
    77: "esport", 82: "adventure_race", 83: "trucker_workout", 86: "indoor_wheelchair_walk",
    87: "indoor_wheelchair_run", 88: "indoor_hand_cycling", 90: "field", 91: "ice",
    92: "ultimate", 93: "platform", 98: "overland", 99: "trolling_motor", 110: "fly_canopy",
    111: "fly_paraglide", 112: "fly_paramotor", 113: "fly_pressurized", 114: "fly_navigate",
    115: "fly_timer", 116: "fly_altimeter", 117: "fly_wx", 118: "fly_vfr", 119: "fly_ifr",
    121: "dynamic_apnea", 123: "enduro", 125: "rally", 126: "pool_triathlon",
    127: "e_bike_enduro",
}
#: sub_sports that make any sport something other than training (motor sport, diving, flying).
NOT_TRAINING_SUBS: Final = frozenset({
    "atv", "motocross", "rc_drone", "wingsuit", "single_gas_diving", "multi_gas_diving",
    "gauge_diving", "apnea_diving", "apnea_hunting", "ccr_diving", "dynamic_apnea", "esport",
    "rally", "trolling_motor", "fly_canopy", "fly_paraglide", "fly_paramotor", "fly_pressurized",
    "fly_navigate", "fly_timer", "fly_altimeter", "fly_wx", "fly_vfr", "fly_ifr",
})

#: ``exercise_category`` enum -> name (set.category).
EXERCISE_CATEGORIES: Final[dict[int, str]] = {
    0: "bench_press", 1: "calf_raise", 2: "cardio", 3: "carry", 4: "chop", 5: "core",
    6: "crunch", 7: "curl", 8: "deadlift", 9: "flye", 10: "hip_raise", 11: "hip_stability",
    12: "hip_swing", 13: "hyperextension", 14: "lateral_raise", 15: "leg_curl", 16: "leg_raise",
    17: "lunge", 18: "olympic_lift", 19: "plank", 20: "plyo", 21: "pull_up", 22: "push_up",
    23: "row", 24: "shoulder_press", 25: "shoulder_stability", 26: "shrug", 27: "sit_up",
    28: "squat", 29: "total_body", 30: "triceps_extension", 31: "warm_up", 32: "run",
    33: "bike", 34: "cardio_sensors", 35: "move", 36: "pose", 37: "banded_exercises",
    38: "battle_rope", 39: "elliptical", 40: "floor_climb", 41: "indoor_bike", 42: "indoor_row",
    43: "ladder", 44: "sandbag", 45: "sled", 46: "sledge_hammer", 47: "stair_stepper",
    49: "suspension", 50: "tire", 52: "run_indoor", 53: "bike_outdoor",
}
#: ``exercise_category`` name -> (training area, plain words for reasons). Every category of the
#: profile has a place; ``data/vocab/exercises.csv`` maps every exercise *name* of the profile.
EXERCISE_CATEGORY_AREAS: Final[dict[str, tuple[str, str]]] = {
    "bench_press": ("strength", "upper-body lifts"), "calf_raise": ("strength", "calf raises"),
    "cardio": ("endurance", "cardio"), "carry": ("strength", "loaded carries"),
    "chop": ("stability", "planks/core"), "core": ("stability", "planks/core"),
    "crunch": ("stability", "planks/core"), "curl": ("strength", "upper-body lifts"),
    "deadlift": ("strength", "deadlifts"), "flye": ("strength", "upper-body lifts"),
    "hip_raise": ("stability", "bridges"), "hip_stability": ("stability", "hip stability work"),
    "hip_swing": ("strength", "kettlebell swings"),
    "hyperextension": ("strength", "back extensions"),
    "lateral_raise": ("strength", "upper-body lifts"),
    "leg_curl": ("strength", "leg curls/extensions"), "leg_raise": ("stability", "planks/core"),
    "lunge": ("strength", "squats/lunges"), "olympic_lift": ("strength", "olympic lifts"),
    "plank": ("stability", "planks/core"), "plyo": ("plyometrics", "plyometric jumps"),
    "pull_up": ("strength", "upper-body lifts"), "push_up": ("strength", "upper-body lifts"),
    "row": ("strength", "upper-body lifts"), "shoulder_press": ("strength", "upper-body lifts"),
    "shoulder_stability": ("stability", "shoulder stability work"),
    "shrug": ("strength", "upper-body lifts"), "sit_up": ("stability", "planks/core"),
    "squat": ("strength", "squats/lunges"), "total_body": ("strength", "full-body lifts"),
    "triceps_extension": ("strength", "upper-body lifts"),
    "warm_up": ("flexibility", "warm-up/mobility drills"), "run": ("endurance", "running"),
    "bike": ("endurance", "cycling"), "cardio_sensors": ("endurance", "cardio"),
    "move": ("flexibility", "mobility moves"), "pose": ("flexibility", "yoga poses"),
    "banded_exercises": ("strength", "band exercises"), "battle_rope": ("endurance", "cardio"),
    "elliptical": ("endurance", "cardio machines"), "floor_climb": ("endurance", "cardio machines"),
    "indoor_bike": ("endurance", "cycling"), "indoor_row": ("endurance", "rowing"),
    "ladder": ("plyometrics", "agility ladder"), "sandbag": ("strength", "sandbag work"),
    "sled": ("strength", "sled work"), "sledge_hammer": ("strength", "sledge hammer work"),
    "stair_stepper": ("endurance", "cardio machines"),
    "suspension": ("strength", "suspension training"), "tire": ("strength", "tyre flips"),
    "run_indoor": ("endurance", "running"), "bike_outdoor": ("endurance", "cycling"),
}
@lru_cache(maxsize=1)
def _exercise_names() -> dict[tuple[str, int], str]:
    from stridewise.vocab import read_vocab

    return {(r["category"], int(r["value"])): r["name"]
            for r in read_vocab("fit_exercise_names.csv")}


def exercise_name(category: int | None, subtype: int | None) -> str:
    """The profile's exercise name of a set (``set.category`` + ``set.category_subtype``), in
    words ("jumping jacks"); "" when unknown. Every ``*_exercise_name`` enum of profile 21.205
    is in ``data/vocab/fit_exercise_names.csv``."""
    cat = EXERCISE_CATEGORIES.get(category) if category is not None else None
    if cat is None or subtype is None:
        return ""
    return _exercise_names().get((cat, int(subtype)), "").replace("_", " ")


#: exercise_category value meaning "not recognised".
EXERCISE_UNKNOWN: Final = 65534

SET_TYPE_ACTIVE: Final = 1

_TEAM = {"basketball", "soccer", "american_football", "baseball", "cricket", "rugby", "hockey",
         "lacrosse", "volleyball", "team_sport"}
_SIMPLE: Final[dict[str, str]] = {
    "walking": "walk", "hiking": "hike", "mountaineering": "hike", "snowshoeing": "hike",
    "cross_country_skiing": "nordic_ski", "alpine_skiing": "ski", "snowboarding": "ski",
    "rowing": "row", "paddling": "row", "kayaking": "row", "canoeing": "row",
    "stand_up_paddleboarding": "row", "inline_skating": "skate", "ice_skating": "skate",
    "rock_climbing": "climb", "floor_climbing": "stair", "hiit": "hiit", "mobility": "mobility",
    "tennis": "racket_sport", "racket": "racket_sport", "multisport": "multisport",
    "e_biking": "e_bike", "boxing": "cardio", "mixed_martial_arts": "cardio",
    "dance": "cardio", "jump_rope": "cardio", "wheelchair_push_run": "run",
    "wheelchair_push_walk": "walk",
}
_TRAINING_SUB: Final[dict[str, str]] = {
    "strength_training": "strength", "yoga": "yoga", "pilates": "pilates",
    "flexibility_training": "stretching", "cardio_training": "cardio", "hiit": "hiit",
    "amrap": "hiit", "emom": "hiit", "tabata": "hiit", "elliptical": "elliptical",
    "stair_climbing": "stair", "indoor_rowing": "row", "treadmill": "treadmill_run",
    "indoor_running": "treadmill_run", "indoor_cycling": "ride", "spin": "ride",
    "indoor_walking": "walk", "breathing": "mobility", "warm_up": "mobility",
    "indoor_climbing": "climb", "bouldering": "climb", "indoor_wheelchair_run": "treadmill_run",
    "indoor_wheelchair_walk": "walk", "indoor_hand_cycling": "ride",
    "indoor_grinding": "cardio",
}


def canonical_sport(sport: int | None, sub_sport: int | None) -> str:
    """FIT sport + sub_sport enum values -> one of ``schema.SPORTS``."""
    name = SPORT_NAMES.get(sport if sport is not None else 0, "generic")
    sub = SUB_SPORT_NAMES.get(sub_sport if sub_sport is not None else 0, "generic")
    if sub in NOT_TRAINING_SUBS:
        return "other"
    if sub in ("pool_triathlon", "adventure_race") or sub.endswith("_transition"):
        return "multisport"
    if name == "running":
        return {"treadmill": "treadmill_run", "indoor_running": "treadmill_run",
                "trail": "trail_run", "track": "track_run",
                "virtual_activity": "virtual_run"}.get(sub, "run")
    if name == "cycling":
        return {"virtual_activity": "virtual_ride", "mountain": "mountain_bike",
                "downhill": "mountain_bike", "gravel_cycling": "gravel_ride",
                "cyclocross": "gravel_ride", "e_bike_fitness": "e_bike",
                "e_bike_mountain": "e_bike", "e_bike_enduro": "e_bike",
                "enduro": "mountain_bike"}.get(sub, "ride")
    if name == "swimming":
        return "open_water_swim" if sub == "open_water" else "swim"
    if name in ("training", "fitness_equipment", "generic"):
        mapped = _TRAINING_SUB.get(sub)
        if mapped:
            return mapped
        return "cardio" if name == "fitness_equipment" else "other"
    if name in _TEAM:
        return "team_sport"
    if sub in ("yoga", "pilates"):
        return sub
    return _SIMPLE.get(name, "other")


def sport_label(sport: int | None, sub_sport: int | None) -> str:
    """A readable label such as ``Running (trail)`` or ``Training (strength training)``."""
    name = SPORT_NAMES.get(sport if sport is not None else 0, f"sport {sport}")
    sub = SUB_SPORT_NAMES.get(sub_sport) if sub_sport not in (None, 0) else None
    text = name.replace("_", " ").capitalize()
    if sub and sub != "generic":
        text += f" ({sub.replace('_', ' ')})"
    return text
