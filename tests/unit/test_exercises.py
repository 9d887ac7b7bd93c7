"""The exercise library: the seed's exercises and common prehab with their areas, patterns and
foot contacts; agreement with the classification vocabulary; lookups of set names."""

from __future__ import annotations

import pytest

from stridewise import exercises as ex
from stridewise.classify import exercise_area, text_key
from stridewise.patterns import CONTACT_GUIDANCE
from stridewise.vocab import read_vocab

#: The seed text's own exercises and the area it files them under.
SEED = {
    "squat": "strength", "lunge": "strength", "deadlift": "strength",
    "jump squat": "plyometrics", "box jump": "plyometrics", "bounding": "plyometrics",
    "single-leg squat": "stability", "single-leg deadlift": "stability",
    "stability-ball plank": "stability", "dynamic stretching": "flexibility",
    "static stretching": "flexibility", "yoga": "flexibility", "pilates": "flexibility",
    "long run": "endurance", "intervals": "endurance",
}
PREHAB = ["calf raise", "bent-knee calf raise", "eccentric heel drop", "hip thrust",
          "glute bridge", "clamshell", "copenhagen plank", "side plank", "step-down", "step-up",
          "split squat", "nordic curl", "a-skip", "b-skip", "pogo hops", "skipping",
          "lateral bound", "hip airplane"]
#: Names whose row in vocab/exercises.csv says one area while the classifier, reading the
#: same vocabulary's words, says another ("plank" makes the Copenhagen plank stability work):
#: the library follows the classifier, which decides a session's area.
@pytest.mark.parametrize(("name", "area"), sorted(SEED.items()))
def test_seed_exercises_are_in_the_library_with_the_seed_area(name: str, area: str) -> None:
    e = ex.get(name)
    assert e.area == area and e.source == "seed"


@pytest.mark.parametrize("name", PREHAB)
def test_runner_prehab_exercises_are_in_the_library(name: str) -> None:
    assert ex.get(name).patterns


def test_every_pattern_is_used_and_every_row_is_valid() -> None:
    used = {p for e in ex.library() for p in e.patterns}
    assert used == set(ex.PATTERNS)
    for e in ex.library():
        assert e.unit in ("reps", "seconds") and e.side in ("both", "each") and e.source
        assert (e.contacts_per_rep > 0) == ("hop_contacts" in e.patterns), e.name
        assert (e.reps or e.seconds), e.name


def test_no_name_or_alias_belongs_to_two_exercises() -> None:
    owner: dict[str, str] = {}
    for e in ex.library():
        for n in (e.name, *e.aliases):
            assert owner.setdefault(text_key(n), e.name) == e.name, n


def test_library_agrees_with_the_classification_vocabulary() -> None:
    rows: dict[str, set[str]] = {}
    for r in read_vocab("exercises.csv"):
        rows.setdefault(text_key(r["name"]), set()).add(r["area"])
    shared = 0
    for e in ex.library():
        for n in (e.name, *e.aliases):
            verdict = exercise_area(n)
            if verdict is not None:
                assert verdict[0] == e.area, (n, verdict, e.area)
            key = text_key(n)
            if key in rows:
                shared += 1
                assert rows[key] == {e.area}, (n, rows[key], e.area)
    assert shared >= 15  # the two lists name many of the same exercises


@pytest.mark.parametrize(("name", "category", "patterns", "how"), [
    ("Calf Raise (Machine)", "", {"calf_achilles"}, "library"),
    ("single leg standing dumbbell calf raise", "calf_raise",
     {"calf_achilles", "single_leg"}, "library"),
    ("Banded Clamshell", "", {"hip"}, "library"),
    ("SQUAT", "", {"squat"}, "library"),
    ("", "calf_raise", {"calf_achilles"}, "category"),
    ("3 way thing", "plyo", {"hop_contacts"}, "category"),
    ("Soleus wall press", "", {"calf_achilles"}, "words"),
    ("Bench Press (Barbell)", "", set(), "no runner pattern"),
    ("Zorbulating", "", set(), "unknown"),
])
def test_lookup(name: str, category: str, patterns: set[str], how: str) -> None:
    lk = ex.lookup(name, category)
    assert set(lk.patterns) == patterns and lk.how == how


def test_foot_contacts() -> None:
    assert ex.foot_contacts("pogo hops", 20) == 20
    assert ex.foot_contacts("Box Jumps", 5) == 5
    assert ex.foot_contacts("squat", 10) == 0
    assert ex.foot_contacts("pogo hops", None) != ex.foot_contacts("pogo hops", None)  # NaN


def test_starter_routines_use_the_seed_exercises() -> None:
    rs = {r.name: r for r in ex.starter_routines()}
    stab = rs["Stability 15 min"]
    assert stab.area == "stability" and stab.minutes == 15
    assert [i.exercise for i in stab.items] == [
        "single-leg squat", "single-leg deadlift", "stability-ball plank"]
    assert {r.area for r in rs.values()} >= {"strength", "plyometrics", "stability",
                                              "flexibility"}
    for r in rs.values():
        for i in r.items:
            ex.get(i.exercise)


def test_plyometric_starter_starts_low_within_the_beginner_range() -> None:
    plyo = next(r for r in ex.starter_routines() if r.area == "plyometrics")
    lo, hi = CONTACT_GUIDANCE["beginner"]
    assert lo <= ex.contacts_of_sets(plyo.set_records()) <= hi


def test_sets_on_each_side_expand_to_left_and_right() -> None:
    recs = ex.expand_sets([ex.RoutineItem("single-leg squat", 2, 8, side="each"),
                           ex.RoutineItem("plank", 1, None, 30.0)])
    assert [r["side"] for r in recs] == ["left", "right", "left", "right", "both"]
    assert recs[-1]["seconds"] == 30.0 and recs[0]["reps"] == 8


def test_routine_round_trip() -> None:
    r = ex.starter_routines()[0]
    assert ex.Routine.from_dict(r.to_dict()) == r
