"""The exercise library: runner-relevant exercises with their area, movement patterns and
plyometric foot contacts, the starter routines built from them, and the lookup of any set's
exercise name (FIT, Hevy/Strong/Fitbod, manual) to its movement patterns.

The data are readable CSV files: ``data/exercise_library.csv`` (one exercise per row, with
aliases and provenance) and ``data/starter_routines.csv``. Names are compared folded
(:func:`stridewise.classify.text_key`: case, accents and punctuation ignored), the same way the
classification vocabulary compares them, and the library's areas agree with that vocabulary.

Movement patterns (:data:`PATTERNS`): single-leg, calf/Achilles, hinge, squat, hop contacts,
balance, mobility, core, hip. A name that is neither in the library nor recognised by its
category or words stays *unknown* (shown as such, never guessed).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Final

from stridewise.classify import text_key
from stridewise.schema import AREAS

#: Movement patterns in display order.
PATTERNS: Final[tuple[str, ...]] = (
    "single_leg", "calf_achilles", "hinge", "squat", "hop_contacts", "balance", "mobility",
    "core", "hip",
)
#: Plain words for each pattern (in sentences such as "no calf loading for 21 days").
PATTERN_WORDS: Final[dict[str, str]] = {
    "single_leg": "single-leg work", "calf_achilles": "calf loading",
    "hinge": "hinge work (deadlifts, bridges)", "squat": "squat-pattern work",
    "hop_contacts": "hops or jumps", "balance": "balance work", "mobility": "mobility work",
    "core": "core work", "hip": "hip work",
}
#: Short labels for charts and tables.
PATTERN_LABELS: Final[dict[str, str]] = {
    "single_leg": "Single-leg", "calf_achilles": "Calf/Achilles", "hinge": "Hinge",
    "squat": "Squat", "hop_contacts": "Hop contacts", "balance": "Balance",
    "mobility": "Mobility", "core": "Core", "hip": "Hip",
}

#: FIT exercise categories (and the same words as app groupings) -> patterns.
CATEGORY_PATTERNS: Final[dict[str, tuple[str, ...]]] = {
    "calf raise": ("calf_achilles",), "plyo": ("hop_contacts",), "lunge": ("single_leg", "squat"),
    "squat": ("squat",), "deadlift": ("hinge",), "hip raise": ("hinge", "hip"),
    "hip stability": ("hip",), "hip swing": ("hinge",), "leg curl": ("hinge",),
    "plank": ("core",), "core": ("core",), "crunch": ("core",), "sit up": ("core",),
    "leg raise": ("core",), "chop": ("core",), "warm up": ("mobility",),
    "move": ("mobility",), "pose": ("mobility",), "ladder": ("hop_contacts",),
}

#: Words (folded, whole words) that name a pattern inside an exercise name no list knows
#: ("Calf Raise (Machine)", "Banded Clamshell"). The longest phrase decides nothing alone:
#: every phrase found adds its patterns.
WORD_PATTERNS: Final[dict[str, tuple[str, ...]]] = {
    "calf": ("calf_achilles",), "calves": ("calf_achilles",), "heel drop": ("calf_achilles",),
    "soleus": ("calf_achilles",), "achilles": ("calf_achilles",),
    "single leg": ("single_leg",), "one leg": ("single_leg",), "one legged": ("single_leg",),
    "single legged": ("single_leg",), "split squat": ("single_leg", "squat"),
    "lunge": ("single_leg", "squat"), "lunges": ("single_leg", "squat"),
    "step up": ("single_leg", "squat"), "step down": ("single_leg", "squat"),
    "pistol": ("single_leg", "squat"), "squat": ("squat",), "squats": ("squat",),
    "leg press": ("squat",), "wall sit": ("squat",),
    "deadlift": ("hinge",), "deadlifts": ("hinge",), "rdl": ("hinge",),
    "good morning": ("hinge",), "hip thrust": ("hinge", "hip"), "bridge": ("hinge", "hip"),
    "swing": ("hinge",), "nordic": ("hinge",), "hamstring curl": ("hinge",),
    "jump": ("hop_contacts",), "jumps": ("hop_contacts",), "hop": ("hop_contacts",),
    "hops": ("hop_contacts",), "bound": ("hop_contacts",), "bounds": ("hop_contacts",),
    "bounding": ("hop_contacts",), "skip": ("hop_contacts",), "skips": ("hop_contacts",),
    "pogo": ("hop_contacts",), "plyo": ("hop_contacts",), "plyometric": ("hop_contacts",),
    "jump rope": ("hop_contacts",),
    "balance": ("balance",), "bosu": ("balance",), "wobble": ("balance",),
    "stability ball": ("balance", "core"), "swiss ball": ("balance", "core"),
    "airplane": ("balance",),
    "stretch": ("mobility",), "stretching": ("mobility",), "yoga": ("mobility",),
    "mobility": ("mobility",), "foam roll": ("mobility",), "foam rolling": ("mobility",),
    "pilates": ("mobility", "core"),
    "plank": ("core",), "dead bug": ("core",), "bird dog": ("core",), "crunch": ("core",),
    "sit up": ("core",), "hollow": ("core",), "pallof": ("core",),
    "clamshell": ("hip",), "clam": ("hip",), "abduction": ("hip",), "adduction": ("hip",),
    "monster walk": ("hip",), "band walk": ("hip",), "copenhagen": ("hip", "core"),
    "fire hydrant": ("hip",), "glute": ("hip",),
}

#: How a name was recognised (``Lookup.how``).
HOW_LIBRARY: Final = "library"
HOW_CATEGORY: Final = "category"
HOW_WORDS: Final = "words"
HOW_NO_PATTERN: Final = "no runner pattern"
HOW_UNKNOWN: Final = "unknown"


@dataclass(frozen=True)
class Exercise:
    """One library exercise. ``unit``: reps or seconds. ``contacts_per_rep``: foot contacts per
    counted rep (plyometrics; 0 otherwise). ``sets``/``reps``/``seconds``: a starting dose.
    ``side``: ``both`` (bilateral) or ``each`` (done on each side)."""

    name: str
    aliases: tuple[str, ...]
    area: str
    patterns: tuple[str, ...]
    unit: str
    contacts_per_rep: float
    sets: int
    reps: int | None
    seconds: float | None
    side: str
    source: str


@dataclass(frozen=True)
class Lookup:
    """What an exercise name means: the library exercise (or None), the patterns, and how they
    were found (library, category, words, no runner pattern, unknown)."""

    name: str
    exercise: Exercise | None
    patterns: tuple[str, ...]
    how: str

    @property
    def known(self) -> bool:
        return self.how != HOW_UNKNOWN


def _data_text(name: str) -> str:
    return resources.files("stridewise").joinpath(f"data/{name}").read_text(encoding="utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    lines = [ln for ln in _data_text(name).splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def _opt_int(text: str) -> int | None:
    return int(text) if text.strip() else None


def _opt_float(text: str) -> float | None:
    return float(text) if text.strip() else None


@lru_cache(maxsize=1)
def library() -> tuple[Exercise, ...]:
    """Every exercise of ``data/exercise_library.csv``, in file order."""
    out = []
    for r in _rows("exercise_library.csv"):
        pats = tuple(p for p in r["patterns"].split("|") if p)
        bad = [p for p in pats if p not in PATTERNS]
        if bad or r["area"] not in AREAS:
            raise ValueError(f"exercise_library.csv: {r['name']!r} has an unknown pattern or area")
        out.append(Exercise(
            name=r["name"], aliases=tuple(a for a in r["aliases"].split("|") if a),
            area=r["area"], patterns=pats, unit=r["unit"],
            contacts_per_rep=float(r["contacts_per_rep"] or 0), sets=int(r["sets"] or 1),
            reps=_opt_int(r["reps"]), seconds=_opt_float(r["seconds"]),
            side=r["side"] or "both", source=r["source"]))
    return tuple(out)


@lru_cache(maxsize=1)
def _by_key() -> dict[str, Exercise]:
    out: dict[str, Exercise] = {}
    for ex in library():
        for n in (ex.name, *ex.aliases):
            out.setdefault(text_key(n), ex)
    return out


def names() -> list[str]:
    """The library's exercise names (for pickers), in file order."""
    return [ex.name for ex in library()]


def get(name: str) -> Exercise:
    """The library exercise named ``name`` (or one of its aliases); KeyError when absent."""
    ex = _by_key().get(text_key(name))
    if ex is None:
        raise KeyError(name)
    return ex


_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def _phrases(key: str, table: Mapping[str, tuple[str, ...]]) -> list[str]:
    padded = f" {key} "
    return [p for p in table if f" {p} " in padded]


@lru_cache(maxsize=65536)
def lookup(name: object, category: object = "") -> Lookup:
    """The movement patterns of one set's exercise ``name`` (and FIT/app ``category``).

    Order: the library by exact name or alias; the same without bracketed equipment
    ("Calf Raise (Machine)"); the longest library name held as whole words in the name
    ("Banded Clamshell" -> clamshell); the category; pattern words; then, when the
    classification vocabulary knows the name (a bench press), "no runner pattern"; else unknown.
    """
    text = str(name) if isinstance(name, str) else ""
    key = text_key(text)
    table = _by_key()
    for k in (key, text_key(_PAREN.sub(" ", text))):
        if k and k in table:
            ex = table[k]
            return Lookup(text, ex, ex.patterns, HOW_LIBRARY)
    if key:
        held = _phrases(key, table)
        if held:
            ex = table[max(held, key=len)]
            # the name's other words may add patterns ("single leg ... calf raise")
            pats = set(ex.patterns) | {p for f in _phrases(key, WORD_PATTERNS)
                                       for p in WORD_PATTERNS[f]}
            return Lookup(text, ex, tuple(p for p in PATTERNS if p in pats), HOW_LIBRARY)
    ckey = text_key(str(category).replace("_", " ")) if isinstance(category, str) else ""
    if ckey in CATEGORY_PATTERNS:
        return Lookup(text, None, CATEGORY_PATTERNS[ckey], HOW_CATEGORY)
    if key:
        found = _phrases(key, WORD_PATTERNS)
        if found:
            pats = {p for f in found for p in WORD_PATTERNS[f]}
            return Lookup(text, None, tuple(p for p in PATTERNS if p in pats), HOW_WORDS)
    from stridewise.classify import exercise_area

    if (key or ckey) and exercise_area(text, category if isinstance(category, str) else ""):
        return Lookup(text, None, (), HOW_NO_PATTERN)
    return Lookup(text, None, (), HOW_UNKNOWN)


def foot_contacts(name: object, reps: object, category: object = "") -> float:
    """Plyometric foot contacts of one set: reps x the exercise's contacts per rep (0 for
    exercises without hop contacts, NaN when a hop exercise has no rep count)."""
    lk = lookup(name, category)
    if "hop_contacts" not in lk.patterns:
        return 0.0
    per = lk.exercise.contacts_per_rep if lk.exercise is not None else 1.0
    try:
        n = float(reps)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
    return n * per if n == n else float("nan")


# --------------------------------------------------------------------------- routines

@dataclass(frozen=True)
class RoutineItem:
    """One exercise of a routine: sets x reps (or seconds), on both sides or each side."""

    exercise: str
    sets: int
    reps: int | None = None
    seconds: float | None = None
    weight_kg: float | None = None
    side: str = "both"


@dataclass(frozen=True)
class Routine:
    """A named session plan: area, planned minutes, exercises."""

    name: str
    area: str
    minutes: float
    items: tuple[RoutineItem, ...]

    def set_records(self) -> list[dict[str, Any]]:
        """The set records of one performance (see :func:`expand_sets`)."""
        return expand_sets(self.items)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "area": self.area, "minutes": self.minutes,
                "items": [vars(i) for i in self.items]}

    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> Routine:
        return Routine(str(d["name"]), str(d["area"]), float(d["minutes"]),
                       tuple(RoutineItem(**{k: v for k, v in i.items()
                                            if k in RoutineItem.__dataclass_fields__})
                             for i in d.get("items", [])))


def expand_sets(items: Iterable[RoutineItem]) -> list[dict[str, Any]]:
    """Set records (exercise, category, reps, weight_kg, seconds, side) for routine items: an
    item done on each side gives one record per side and set (left, then right)."""
    out: list[dict[str, Any]] = []
    for it in items:
        sides = ("left", "right") if it.side == "each" else ("both",)
        for _ in range(max(int(it.sets), 0)):
            for side in sides:
                out.append({"exercise": it.exercise, "category": None, "reps": it.reps,
                            "weight_kg": it.weight_kg, "seconds": it.seconds, "side": side})
    return out


@lru_cache(maxsize=1)
def starter_routines() -> tuple[Routine, ...]:
    """The starter routines of ``data/starter_routines.csv`` (built from the seed's exercises)."""
    order: list[str] = []
    meta: dict[str, tuple[str, float]] = {}
    items: dict[str, list[RoutineItem]] = {}
    for r in _rows("starter_routines.csv"):
        n = r["routine"]
        if n not in meta:
            order.append(n)
            meta[n] = (r["area"], float(r["minutes"]))
            items[n] = []
        get(r["exercise"])  # every starter exercise is a library exercise
        items[n].append(RoutineItem(r["exercise"], int(r["sets"]), _opt_int(r["reps"]),
                                    _opt_float(r["seconds"]), None, r["side"] or "both"))
    return tuple(Routine(n, meta[n][0], meta[n][1], tuple(items[n])) for n in order)


def contacts_of_sets(sets: Sequence[Mapping[str, Any]]) -> float:
    """Foot contacts of a list of set records (sets without a rep count add nothing)."""
    total = 0.0
    for s in sets:
        c = foot_contacts(s.get("exercise"), s.get("reps"), s.get("category") or "")
        if c == c:
            total += c
    return total
