"""Sort sessions into the five training areas (DESIGN §3): vocabularies, precedence, confidence.

What a session is read from
    * its **sport** (normalised by the importers; ``data/rules.csv`` gives each sport an area and
      a tier: *strong* sports such as run, ride, swim are endurance whatever a title says,
      *weak* sports such as walk, cardio, yoga, strength may be refined by the title);
    * its **title**, cut into words and matched against ``data/vocab/terms.csv`` (words and
      phrases in some forty languages and scripts (Latin, Greek, Cyrillic, Hebrew, Arabic,
      Persian, Devanagari, Thai, CJK, Hangul), emoji, class brands; see
      :mod:`stridewise.termmatch` for whole-word, compound and CJK matching). Each term has a tier: *explicit*
      (drills, plyometrics, core, balance, mobility, stretching, yoga ...), *activity*
      (strength words, class names, sports, warm-up), *format* (HIIT, Tabata, circuit: weaker
      than a word naming the content), *hint* (run, walk, bike ... in any language),
      *workout* (tempo, intervals: like hints, but they do not name the movement) or
      *neutral* (``cool down``: read, but no area) or *relative* (``pre run``, ``after
      running``: the session is not the run the sport says);
    * its **sets** (strength sets from FIT, Hevy, Strong, Fitbod): each set's exercise name is
      looked up in ``data/vocab/exercises.csv`` (every FIT profile exercise name and category,
      and the openly licensed wger exercise names in all their languages), else read with the
      exercise words of ``terms.csv`` where the most specific area wins
      (plyometrics > flexibility > stability > strength > endurance: "Jump Squat" is a jump,
      "Walking Lunge" a lunge). Single-leg squats, deadlifts and balance work are stability
      wherever the one-leg word stands (the seed text's examples); a single-leg calf raise or
      leg extension is still a lift. A FIT name keeps its category's area unless its words
      name a more specific one (``core`` "rowing 1 with weights" is core work); a FIT name whose
      words say another sport ("swimming" in ``core``) counts only for sets of its category.
      Set-log names read their bracketed equipment apart ("Iso-Lateral Row (Machine)").
    * an **activity type** the sport normaliser does not know: the importers keep its text as
      the title of an untitled session (:func:`stridewise.ingest.sports.title_or_type`), so an
      exercise name or a localised type exported as the type ("push-ups", "Tyngdlyftning")
      is read with the title and exercise vocabularies.

Precedence (the first that applies decides)
    1. an area you set for the session ("set by you");
    2. your own rules, in their order (sport / title keyword / exercise keyword);
    3. the **sets**, when any set is recognised: the area holding most set time (most sets when
       times are missing); a tie goes to the sport's area. Sets outrank the title: a Hevy
       workout made only of running sets is endurance. When no area holds more than half of
       the recognised sets, an area the title names explicitly and the sets hold decides
       ("CORE ANNIHILATION" over core moves and stretches is core work); the session is still
       split by its sets for the weekly volume;
    4. **explicit title words** (drills, plyometrics, core, balance, mobility, stretching, yoga
       ...) outrank a running sport, a weak sport (strength, cardio, walk ...) and an unknown
       sport. Several explicit words: the area named most often, a tie to the sport's area,
       else the first named. "Strength" does not beat "core": "Strength & Core" is stability.
       A running session whose title also names running ("Easy run + drills") stays a run;
       "Pre-Run Warm Up" does not name running (``pre run`` is neutral). A sport that names
       no movement of its own (cardio, HIIT, multisport: a conditioning class) yields to the
       content words even when the title also names a machine ("SkiErg + Mage" is core work);
    5. a **strong sport** (run, ride, swim, row, ski, skate ...);
    6. **activity title words** (strength words, class brands such as BodyPump or Orangetheory,
       sports such as football; the area named by most distinct words, a tie to the sport's);
       a walk or other endurance sport whose title names its movement stays what it is;
       then **format words** (HIIT, Tabata, circuit);
    7. a **weak sport**;
    8. **hint title words** (run, walk, bike ... in any language; 🏃 🚴 🏊);
    9. a title that is a known exercise name ("Remo con barra") or names exercises ("Side
       plank + dead bug"), then ``other``. A recognised sport or exercise name never ends in
       ``other``; only words of things outside training (motorbike, freediving) say so.

Every session gets ``area_reason`` in plain words and ``area_confidence`` (0-1): 1 for an area
you set, about 0.9 where the sport and title agree, lower where they disagree or only a hint
decided, 0 for ``other`` that nothing explains. :func:`review_list` collects ``other`` and
low-confidence sessions (below :data:`REVIEW_BELOW`) for the review page.

User rules are stored as records ``{kind, pattern, area[, label]}`` (:func:`rules_from_records`)
and keep their meaning: a title/exercise pattern is words with ``*`` wildcards, matched as whole
words, tried before every built-in rule.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from stridewise.errors import UsageError
from stridewise.schema import AREAS, RUN_SPORTS, SPORTS, parse_sets
from stridewise.termmatch import Match, Matcher, Term
from stridewise.vocab import read_vocab, words

__all__ = [
    "Rule", "default_rules", "rules_from_records", "rules_to_records", "with_user_rules",
    "classify", "session_parts", "unclassified", "review_list", "text_key", "exercise_area",
    "title_terms", "PARTS_COLUMNS", "REVIEW_BELOW",
]

RuleKind = Literal["sport", "title", "exercise"]
RULE_KINDS: Final[tuple[str, ...]] = ("sport", "title", "exercise")
#: Tiers of the shipped rules; a user's rule has tier "".
RULE_TIERS: Final[tuple[str, ...]] = ("", "strong", "weak", "explicit", "activity", "format",
                                      "hint", "workout", "exercise")
#: Columns of :func:`session_parts`.
PARTS_COLUMNS: Final[list[str]] = ["session_id", "athlete", "start", "area", "seconds"]
#: Sports that name no movement of their own (a conditioning class, a HIIT session): a title
#: word naming core, mobility or strength work outranks a machine it also names ("SkiErg +
#: Mage", "5 min SkiErg + Gym"), where a walk titled "Walk, then stretching" stays a walk.
GENERIC_SPORTS: Final = frozenset({"cardio", "hiit", "multisport"})
#: Sessions whose area_confidence is below this are listed for review.
REVIEW_BELOW: Final = 0.6
#: Exercise names: the most specific area wins (higher first).
AREA_RANK: Final[dict[str, int]] = {"plyometrics": 5, "flexibility": 4, "stability": 3,
                                    "strength": 2, "endurance": 1, "other": 0}
#: Plain words for a set's area when no finer label is known.
AREA_SET_LABEL: Final[dict[str, str]] = {
    "endurance": "cardio", "strength": "strength exercises", "plyometrics": "jumps",
    "stability": "core/balance work", "flexibility": "stretches/mobility", "other": "other",
}
# Letters of scripts written with spaces between words (Latin, Greek, Cyrillic, Hangul):
# the word boundary of user patterns. CJK characters are not in it, so a CJK pattern matches
# inside CJK text.
_WORD: Final = "[0-9a-z\u00df-\u024f\u0370-\u058f\uac00-\ud7af]"


# Single-leg work the seed text names as stability ("single-leg exercises such as single-leg
# squats or single-leg deadlifts ... force your body to stabilize itself on one leg"): a one-leg
# word together with a standing squat, deadlift, good morning or balance word, anywhere in the
# name ("Single Leg Barbell Deadlift", "Romanian deadlift, single leg", "Einbeinige
# Kniebeuge"). A single-leg calf raise, leg extension, curl, press or hip thrust stays a lift.
_ONE_LEG: Final = re.compile(
    r"\b(?:single|one|1) ?legg?(?:ed)?\b|\bunilateral\b|\beinbein\w*|\benbens\w*|"
    r"\beenbenig\w*|\ba una (?:gamba|pierna)\b|\bsur une jambe\b|\bunipodal\w*|"
    r"\bcon una (?:gamba|pierna)\b|\bde uma perna\b|\bna jednej nodze\b|"
    r"\bна одной ноге\b|\bна одній нозі\b|片脚|单腿|한 다리")
_STANDING_LIFT: Final = re.compile(
    r"\b(?:squats?|deadlifts?|rdl|good mornings?|pistol\w*|balance|kniebeuge\w*|"
    r"kreuzheben|knaboj|markdrag|sentadillas?|peso muerto|stacco|accosciat\w*|"
    r"agachamentos?|levantamento terra|souleve de terre|przysiad\w*|martwy ciag|"
    r"приседани\w*|присідання|становая тяга|mrtvy tah|drep\w*)\b|スクワット|デッドリフト|深蹲|硬拉|"
    r"스쿼트|데드리프트")


_BRACKETS: Final = re.compile(r"[()\[\]]")
# Exercise databases name a stretch by the muscle and a position only ("Lying Glute",
# "Overhead Lat", "Seated Biceps"): a name made of nothing but these words names
# no movement, so it is the stretch of that muscle. Lifts always name a movement (curl, press,
# raise, row, squat ...), which is not among these words.
_MUSCLES: Final = frozenset({
    "glute", "glutes", "gluteus", "hamstring",
    "hamstrings", "quad", "quads", "quadricep", "quadriceps", "calf", "calves", "lat", "lats",
    "latissimus", "biceps", "bicep", "triceps", "tricep", "chest", "pec", "pecs", "pectoral",
    "pectorals", "shoulder", "shoulders", "neck", "hip", "hips", "flexor", "flexors", "groin",
    "piriformis", "forearm", "forearms", "wrist", "wrists", "ankle", "ankles", "elbow",
    "elbows", "spine", "it", "band", "itb", "psoas", "soleus", "achilles", "trap", "traps",
    "rhomboids", "deltoid", "deltoids", "delts"})
_POSITIONS: Final = frozenset({
    "lying", "seated", "sitting", "standing", "kneeling", "overhead", "side", "supine", "prone",
    "on", "your", "the", "a", "wall", "floor", "left", "right", "both", "and", "back", "lower",
    "upper", "inner", "outer", "front", "rear", "behind", "head", "one", "arm"})


def muscle_only(name: object) -> bool:
    """True when an exercise name holds a muscle and otherwise only position words (an
    exercise database's name for the stretch of that muscle: "Lying Glute")."""
    ws = words(name)
    # a muscle alone is a stretch only for the muscles nobody trains by name ("Piriformis");
    # "Chest" or "Calf" alone may be an app's muscle group, "Hip Adductor" a machine
    if len(ws) == 1:
        return ws[0] in ("piriformis", "groin", "psoas")
    return any(w in _MUSCLES for w in ws) and all(w in _MUSCLES or w in _POSITIONS for w in ws)


def one_leg_balance(name: object) -> bool:
    """True when an exercise name is a single-leg squat, deadlift or balance exercise (the seed
    text's stability work; see ``_ONE_LEG``)."""
    key = text_key(name)
    return bool(key and _ONE_LEG.search(key) and _STANDING_LIFT.search(key))


def text_key(text: object) -> str:
    """Folded words of ``text`` (:func:`stridewise.vocab.words`), single-spaced: lower case,
    accents removed, camelCase split, every script and emoji kept; "" for non-text."""
    return " ".join(words(text))


@dataclass(frozen=True)
class Rule:
    """One classification rule. kind: sport | title | exercise. pattern: a sport name (sport) or
    words with ``*`` wildcards (title, exercise). area: one of ``schema.AREAS``. label: plain
    words for reasons. tier: "" for a user's rule; the shipped rules carry their tier (see the
    module docstring)."""

    kind: str
    pattern: str
    area: str
    label: str = ""
    tier: str = ""

    def check(self) -> None:
        """Raise :class:`UsageError` with one sentence when the rule cannot work."""
        if self.kind not in RULE_KINDS:
            raise UsageError(f"A rule's kind must be sport, title or exercise, not {self.kind!r}.")
        if self.area not in AREAS:
            raise UsageError(f"A rule's area must be one of {', '.join(AREAS)}, not {self.area!r}.")
        if not self.pattern.strip() or not text_key(self.pattern.replace("*", " x ")):
            raise UsageError(f"The {self.kind} rule for {self.area} needs a pattern.")
        if self.kind == "sport" and self.pattern.strip() not in SPORTS:
            raise UsageError(f"{self.pattern!r} is not a known sport (known: {', '.join(SPORTS)}).")
        if self.tier not in RULE_TIERS:
            raise UsageError(f"A rule's tier must be one of {', '.join(RULE_TIERS[1:])}.")

    def regex(self) -> re.Pattern[str]:
        """The compiled pattern of a title/exercise rule (matched against :func:`text_key`)."""
        parts = [text_key(p) for p in self.pattern.split("*")]
        body = f"{_WORD}*".join(re.escape(p) for p in parts)
        return re.compile(f"(?<!{_WORD})({body})(?!{_WORD})")

    def describe(self) -> str:
        """The rule in words, e.g. "title contains 'yoga' -> flexibility"."""
        what = {"sport": "sport is", "title": "title contains",
                "exercise": "sets include"}.get(self.kind, self.kind)
        return f"{what} '{self.pattern}' -> {self.area}"


def _rules_from_csv(text: str) -> list[Rule]:
    out: list[Rule] = []
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    if [h.strip() for h in header[:3]] != ["kind", "pattern", "area"]:
        raise UsageError("The rules file must start with the header kind,pattern,area,label.")
    for row in reader:
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        label = row[3].strip() if len(row) > 3 else ""
        tier = row[4].strip() if len(row) > 4 else ""
        rule = Rule(row[0].strip(), row[1].strip(), row[2].strip(), label, tier)
        rule.check()
        out.append(rule)
    return out


# --------------------------------------------------------------------------- vocabularies

@dataclass(frozen=True)
class _Vocab:
    titles: Matcher
    exercises: Matcher
    exact: dict[str, tuple[str, str]]  # folded exercise name -> (area, label)
    n_terms: int
    # FIT names whose words say another area: (folded category, area, label), used only for a
    # set of that category ("swimming" in core is a Pilates move)
    in_category: dict[str, tuple[str, str, str]]


def _term_rows(scope: str) -> list[Term]:
    rows = read_vocab("terms.csv")
    for r in rows:
        if r["area"] not in (*AREAS, "") or r["tier"] not in (
                "explicit", "activity", "format", "hint", "workout", "neutral", "relative"):
            raise ValueError(f"bad row in terms.csv: {r}")  # pragma: no cover
    first = [r for r in rows if r["scope"] == scope]
    rest = [r for r in rows if r["scope"] == ""]
    return [Term(r["term"], r["area"], r["tier"], r["lang"]) for r in first + rest]


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    from stridewise.ingest.fit_profile import EXERCISE_CATEGORY_AREAS

    titles = Matcher(_term_rows("title") + _activity_type_terms())
    exercises = Matcher(_term_rows("exercise"))
    exact: dict[str, tuple[str, str]] = {}
    for cat, (area, label) in EXERCISE_CATEGORY_AREAS.items():
        exact.setdefault(text_key(cat.replace("_", " ")), (area, label))
    in_category: dict[str, tuple[str, str, str]] = {}
    for r in read_vocab("exercises.csv"):
        only = re.match(r"FIT category (\w+) over ", r["reason"])
        if only:
            in_category.setdefault(text_key(r["name"]), (
                text_key(only.group(1).replace("_", " ")), r["area"], r["label"]))
            continue
        exact.setdefault(text_key(r["name"]), (r["area"], r["label"]))
    return _Vocab(titles, exercises, exact, len(titles.terms) + len(exercises.terms), in_category)


def _activity_type_terms() -> list[Term]:
    """Every localised activity-type name (``activity_types.csv``) as a title term: Garmin's
    automatic titles repeat the type ("Stockholm Löpning")."""
    sport_area = {r.pattern: r.area for r in _default_rules() if r.kind == "sport"}
    tier_of = {"yoga": "explicit", "pilates": "explicit", "stretching": "explicit",
               "mobility": "explicit", "strength": "activity", "hiit": "activity",
               "cardio": "activity", "team_sport": "activity", "racket_sport": "activity",
               "climb": "activity"}
    out = []
    for r in read_vocab("activity_types.csv"):
        area = sport_area.get(r["sport"])
        name = r["name"]
        # short Latin names ("tek", "beh") are words of many languages; in other scripts a
        # short name is the word itself ("бег", "수영", "شنا")
        latin = text_key(name).isascii()
        if area is None or r["sport"] == "other" or (
                len(name) < (4 if latin else 2) and not r["match"] == "contains"):
            continue
        if r["match"] in ("prefix",):
            name += "*"
        out.append(Term(name, area, tier_of.get(r["sport"], "hint"), r["lang"]))
    return out


def title_terms(title: object) -> list[tuple[str, str, str]]:
    """The vocabulary terms found in ``title``: (matched words, area, tier), left to right."""
    return [(m.text, m.term.area, m.term.tier) for m in _vocab().titles.find(title)]


@lru_cache(maxsize=65536)
def exercise_area(name: object, category: object = "") -> tuple[str, str] | None:
    """(area, label) of one strength set from its exercise name and FIT category, or None.

    The exact name (FIT profile names, wger names in every language) first, then the exercise
    words of ``terms.csv`` with the most specific area winning, then the category. A listed
    strength or cardio name whose words name plyometric, flexibility or stability work is that
    work.
    """
    v = _vocab()
    ckey = text_key(str(category).replace("_", " ")) if isinstance(category, str) else ""
    by_cat = v.exact.get(ckey) if ckey else None
    if ckey and by_cat is None:  # an app's own grouping: "Abs", "Legs", "Cardio", "Stretching"
        found = [m for m in v.exercises.find(ckey) if m.term.area] or [
            m for m in v.titles.find(ckey) if m.term.area]
        if found:
            best = max(found, key=lambda m: AREA_RANK.get(m.term.area, 0))
            by_cat = (best.term.area, ckey)
    key = text_key(name)
    by_name: tuple[str, str] | None = None
    if key:
        parts = _BRACKETS.split(str(name))
        by_name = v.exact.get(key) or v.exact.get(text_key(parts[0]))  # "Side Bend (Dumbbell)"
        only = v.in_category.get(key)
        if by_name is None and only is not None and only[0] == ckey:
            by_name = only[1:]
        # set-log apps write the equipment in brackets ("Iso-Lateral Row (Machine)"): each
        # bracketed part is read on its own, so "Row (Machine)" is a row, not a rowing machine,
        # unless a phrase of three or more words spans them ("Hip Abduction (Machine)")
        found = [m for m in v.exercises.find(name) if m.term.area]
        if len(parts) > 1 and not any(len(m.term.words) >= 3 for m in found):
            found = [m for part in parts for m in v.exercises.find(part) if m.term.area]
        if by_name is not None:
            # a word read inside a closed compound does not overrule a listed name
            # ("Kuitoptrekken" is a calf raise, though it ends in "rekken", stretching)
            found = [m for m in found if not m.compound]
        if found:
            best = max(found, key=lambda m: (AREA_RANK.get(m.term.area, 0), len(m.text)))
            # a listed lift or cardio name that also says stretch, plank or jump
            # ("Walking Hamstring Stretch", "Copenhagen Plank") is that more specific work
            if by_name is None or (by_name[0] in ("strength", "endurance") and AREA_RANK.get(
                    best.term.area, 0) > AREA_RANK["strength"]):
                by_name = (best.term.area, " ".join(str(name).split()).lower()[:60])
    if one_leg_balance(name):
        return ("stability", "single-leg squats/deadlifts")
    if by_name is None and by_cat is None and muscle_only(name):
        return ("flexibility", "stretches")
    if by_name is not None and by_cat is not None and by_name[0] == by_cat[0]:
        return by_cat  # the category's plain words ("squats/lunges")
    return by_name or by_cat


@lru_cache(maxsize=1)
def _default_rules() -> tuple[Rule, ...]:
    text = resources.files("stridewise").joinpath("data/rules.csv").read_text(encoding="utf-8")
    return tuple(_rules_from_csv(text))


@lru_cache(maxsize=1)
def _vocab_rules() -> tuple[Rule, ...]:
    out: list[Rule] = []
    seen: set[tuple[str, str]] = set()
    for scope, kind in (("title", "title"), ("exercise", "exercise")):
        for t in _term_rows(scope):
            if t.tier == "neutral" or not t.area or (kind, t.text) in seen:
                continue
            seen.add((kind, t.text))
            out.append(Rule(kind, t.text, t.area, t.lang,
                            t.tier if kind == "title" else "exercise"))
    return tuple(out)


def default_rules() -> list[Rule]:
    """The shipped rules: the sport rules of ``data/rules.csv``, then the title and exercise
    terms of ``data/vocab/terms.csv`` (label = language). Shown on the Settings page; the
    classifier reads the vocabularies directly (see the module docstring)."""
    return list(_default_rules()) + list(_vocab_rules())


def rules_from_records(records: Iterable[Mapping[str, Any]] | None) -> list[Rule]:
    """Rules from stored records ``{kind, pattern, area[, label]}``; a bad record raises
    :class:`UsageError` naming it."""
    out: list[Rule] = []
    for i, rec in enumerate(records or [], start=1):
        try:
            kind = str(rec.get("kind", "")).strip().lower()
            pattern = str(rec.get("pattern", "") or "").strip()
            if kind == "sport":  # "Trail run" -> trail_run
                pattern = re.sub(r"[\s-]+", "_", pattern.lower())
            rule = Rule(kind, pattern, str(rec.get("area", "")).strip().lower(),
                        str(rec.get("label", "") or ""), str(rec.get("tier", "") or ""))
            rule.check()
        except UsageError as exc:
            raise UsageError(f"Rule {i}: {exc.message}") from None
        out.append(rule)
    return out


def rules_to_records(rules: Iterable[Rule]) -> list[dict[str, str]]:
    """JSON-able records of ``rules`` (see :func:`rules_from_records`)."""
    out = []
    for r in rules:
        rec = {"kind": r.kind, "pattern": r.pattern, "area": r.area, "label": r.label}
        if r.tier:
            rec["tier"] = r.tier
        out.append(rec)
    return out


def with_user_rules(records: Iterable[Mapping[str, Any]] | None) -> list[Rule]:
    """The user's rules (stored records) followed by the defaults: the list to classify with."""
    return rules_from_records(records) + default_rules()


# --------------------------------------------------------------------------- the engine

@dataclass(frozen=True)
class _Engine:
    user: tuple[Rule, ...]
    user_title: tuple[tuple[int, re.Pattern[str]], ...]
    user_exercise: tuple[tuple[int, re.Pattern[str]], ...]
    user_sport: dict[str, int]
    sports: dict[str, tuple[str, str]]  # sport -> (area, tier)
    defaults: bool


def _rules_tuple(rules: Sequence[Rule] | None) -> tuple[Rule, ...]:
    if rules is None:
        return _default_rules() + _vocab_rules()
    out = []
    for r in rules:
        if isinstance(r, Rule):
            out.append(r)
        elif isinstance(r, Mapping):
            out.extend(rules_from_records([r]))
        else:
            raise UsageError("Rules must be Rule objects or records with kind, pattern and area.")
    return tuple(out)


@lru_cache(maxsize=16)
def _engine(rules: tuple[Rule, ...]) -> _Engine:
    user = tuple(r for r in rules if not r.tier)
    for r in user:
        r.check()
    sports: dict[str, tuple[str, str]] = {}
    for r in rules:
        if r.tier in ("strong", "weak") and r.kind == "sport":
            sports.setdefault(r.pattern, (r.area, r.tier))
    user_sport: dict[str, int] = {}
    title, exercise = [], []
    for i, r in enumerate(user):
        if r.kind == "sport":
            user_sport.setdefault(r.pattern.strip(), i)
        elif r.kind == "title":
            title.append((i, r.regex()))
        else:
            exercise.append((i, r.regex()))
    return _Engine(user, tuple(title), tuple(exercise), user_sport, sports,
                   any(r.tier for r in rules))


@dataclass(frozen=True)
class _SetVerdict:
    area: str
    reason: str
    shares: dict[str, float]  # area -> share of the session (recognised sets; sums to 1)
    confidence: float
    user: bool  # a user's exercise rule recognised a set


def _set_area(s: Mapping[str, Any], eng: _Engine) -> tuple[str, str, int] | None:
    """(area, label, user rule index or -1) of one set."""
    name, cat = s.get("exercise"), s.get("category")
    if eng.user_exercise:
        text = f"{text_key(cat)} {text_key(name)}".strip()
        for i, rx in eng.user_exercise:
            if rx.search(text):
                r = eng.user[i]
                return r.area, r.label or r.pattern.replace("*", ""), i
    if not eng.defaults:
        return None
    hit = exercise_area(name if isinstance(name, str) else "",
                        cat if isinstance(cat, str) else "")
    return (hit[0], hit[1], -1) if hit else None


def _judge_sets(sets_text: str, eng: _Engine, prefer: str = "",
                named: frozenset[str] = frozenset()) -> _SetVerdict | None:
    """Area of a session from its sets; a tie goes to ``prefer`` (the sport's area) when it is
    among the tied areas, else to the more specific area. When no area holds more than half of
    the recognised set time (set count), an area the title names explicitly (``named``: "CORE
    ANNIHILATION" over core moves and stretches) that the sets also hold decides."""
    sets = parse_sets(sets_text)
    if not sets:
        return None
    found = [_set_area(s, eng) for s in sets]
    matched = [k for k, f in enumerate(found) if f is not None]
    if not matched:
        return None
    secs = []
    for s in sets:
        try:
            secs.append(float(s.get("seconds")))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            secs.append(float("nan"))
    use_time = all(np.isfinite(secs[k]) and secs[k] > 0 for k in matched)
    weight: dict[str, float] = defaultdict(float)
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    user = False
    for k in matched:
        area, label, ui = found[k]  # type: ignore[misc]
        weight[area] += secs[k] if use_time else 1.0
        labels[area][label or AREA_SET_LABEL.get(area, area)] += 1
        user = user or ui >= 0
    total = sum(weight.values())
    area = max(weight, key=lambda a: (round(weight[a], 9), a == prefer, AREA_RANK.get(a, 0)))
    titled = ""
    if weight[area] <= 0.5 * total and area not in named:
        held = [a for a in weight if a in named]
        if held:
            area = titled = max(held, key=lambda a: (round(weight[a], 9), AREA_RANK.get(a, 0)))
    n_area = sum(labels[area].values())
    top = [lab for lab, _ in labels[area].most_common()]
    what = top[0] if len(top) == 1 else f"{area} work ({', '.join(top[:3])})"
    share = weight[area] / total
    if use_time:
        reason = f"{n_area} of {len(sets)} sets ({100.0 * share:.0f} % of set time) are {what}"
    else:
        reason = f"{n_area} of {len(sets)} sets are {what}"
    if titled:
        reason += " (no area holds most sets; the title names it)"
    known = len(matched) / len(sets)
    conf = round(min(0.95, 0.45 + 0.5 * share * known + 0.05), 2)
    return _SetVerdict(area, reason, {a: w / total for a, w in weight.items()}, conf, user)


@dataclass(frozen=True)
class _Decision:
    area: str
    reason: str
    confidence: float


def _vote(found: Sequence[Match], prefer: str,
          strong: Iterable[Match] = ()) -> tuple[str, Match, bool]:
    """The area named by most distinct words, the first match of that area, and whether all
    agree ("Elliptical na academia (Academia)" names the gym once).

    A tie goes to an area named by one of ``strong`` (the explicit words), then to ``prefer``
    (the sport's area), then to the area named first."""
    count = Counter(area for area, _ in dict.fromkeys((m.term.area, m.text) for m in found))
    top = max(count.values())
    tied = [a for a, c in count.items() if c == top]
    strong_areas = {m.term.area for m in strong} & set(tied)
    if len(strong_areas) >= 1 and len(tied) > 1:
        tied = [a for a in tied if a in strong_areas]
    if prefer in tied:
        area = prefer
    else:
        area = next(m.term.area for m in found if m.term.area in tied)
    first = next(m for m in found if m.term.area == area)
    return area, first, len(count) == 1


def _decide_defaults(sport: str, matches: Sequence[Match], eng: _Engine) -> _Decision:
    """Steps 4-9 of the precedence (module docstring) for one (sport, title)."""
    s_area, s_tier = eng.sports.get(sport, ("", ""))
    if s_tier == "strong" and any(m.term.tier == "relative" for m in matches):
        # "Pre-Run Warm Up" recorded as a run: the title says the session is not the run
        s_tier = "weak"
    by_tier: dict[str, list[Match]] = defaultdict(list)
    for m in matches:
        if m.term.area:
            by_tier[m.term.tier].append(m)
    expl, act, fmt = by_tier["explicit"], by_tier["activity"], by_tier["format"]
    hint = by_tier["hint"] + by_tier["workout"]
    hint.sort(key=lambda m: m.start)
    # words that name an endurance movement (run, swim, bike ...; not "intervals")
    # (for an endurance sport "tempo" or "intervals" name its workout too)
    movement = [m for m in [*act, *(hint if s_area == "endurance" else by_tier["hint"])]
                if m.term.area == "endurance"]
    said = [*expl, *act]  # the words that name the content, in title order
    said.sort(key=lambda m: m.start)
    others = [m for m in matches if m.term.area and m.term.area != s_area]
    sport_reason = f"sport is {sport}"
    if said:
        area, first, agree = _vote(said, s_area, expl)
        explicit = any(m.term.area == area for m in expl)
        if explicit:
            # an endurance session whose title also names its movement ("Easy run + drills",
            # "Swim technique", "Walk, then stretching") is that movement
            if area != "other" and movement and s_area in ("endurance", "") and (
                    sport not in GENERIC_SPORTS):
                named = movement[0]
                if s_area:
                    return _Decision(s_area, f"{sport_reason}; the title names it "
                                             f"('{named.text}')", 0.85)
                return _Decision("endurance", f"title contains '{named.text}' (with "
                                              f"'{first.text}')", 0.65)
            if area == "other" or s_tier != "strong" or sport in RUN_SPORTS:
                reason = f"title contains '{first.text}'"
                if s_area and s_area != area:
                    return _Decision(area, reason + f" (outranks sport {sport})",
                                     0.75 if agree else 0.65)
                return _Decision(area, reason,
                                 (0.95 if s_area == area else 0.85) if agree else 0.7)
        elif s_tier != "strong":
            if s_area == "endurance" and area != "endurance" and movement and (
                    sport not in GENERIC_SPORTS):
                return _Decision(s_area, f"{sport_reason}; the title names it "
                                         f"('{movement[0].text}')", 0.8)
            reason = f"title contains '{first.text}'"
            if s_area and s_area != area:
                return _Decision(area, reason + f" (refines sport {sport})",
                                 0.75 if agree else 0.6)
            return _Decision(area, reason, (0.95 if s_area == area else 0.8) if agree else
                             (0.6 if s_area == area else 0.5))
    if s_tier == "strong":
        return _Decision(s_area, sport_reason, 0.8 if others else 0.95)
    if fmt:
        area, first, agree = _vote(fmt, s_area)
        reason = f"title contains '{first.text}'"
        if s_area and s_area != area:
            return _Decision(area, reason + f" (refines sport {sport})", 0.65)
        return _Decision(area, reason, (0.9 if s_area == area else 0.7) if agree else 0.55)
    if s_tier == "weak":
        generic = sport in ("cardio", "hiit", "multisport")
        conf = 0.7 if generic else 0.9
        return _Decision(s_area, sport_reason, conf - (0.1 if others else 0.0))
    if hint:
        area, first, agree = _vote(hint, "")
        return _Decision(area, f"title contains '{first.text}'", 0.7 if agree else 0.55)
    return _Decision("other", "", 0.0)


def _title_as_exercise(title: str, vocab: _Vocab) -> _Decision | None:
    """A title nothing else explains that is a known exercise name ("Press de banca",
    "Remo con barra": FIT and wger names in every language)."""
    key = text_key(title)
    if len(key) < 4:
        return None
    hit = vocab.exact.get(key)
    if hit is not None:
        return _Decision(hit[0], f"the title is the exercise '{key}'", 0.6)
    # a title made of exercise names ("Side plank, dead bug"): the exercise words decide, the
    # most specific area first, as for a set
    found = [m for m in vocab.exercises.find(title) if m.term.area and m.term.area != "other"]
    if not found:
        return None
    best = max(found, key=lambda m: (AREA_RANK.get(m.term.area, 0), len(m.text)))
    return _Decision(best.term.area, f"the title names the exercise '{best.text}'", 0.5)


def _user_first(sport: str, title_key: str, eng: _Engine) -> int:
    """Index of the first user sport/title rule that matches (len(user) if none)."""
    best = eng.user_sport.get(sport, len(eng.user))
    for i, rx in eng.user_title:
        if i >= best:
            break
        if rx.search(title_key):
            return i
    return best


def _override_column(df: pd.DataFrame) -> pd.Series:
    if "area_override" not in df.columns:
        return pd.Series("", index=df.index, dtype=str)
    ovr = df["area_override"].astype(object).where(df["area_override"].notna(), "")
    ovr = ovr.astype(str).str.strip().str.lower()
    return ovr.where(ovr.isin(AREAS), "")


def _text_col(df: pd.DataFrame, name: str, fill: str) -> pd.Series:
    col = df[name] if name in df.columns else pd.Series(fill, index=df.index)
    return col.astype(object).where(col.notna(), fill).astype(str)


def _sport_col(df: pd.DataFrame) -> pd.Series:
    """The sport of each session as one of ``schema.SPORTS``: a raw activity-type name
    ("Löpning", "WeightTraining") is normalised the way the importers do it."""
    raw = _text_col(df, "sport", "").str.strip()
    if raw.isin(SPORTS).all():
        return raw
    from stridewise.ingest.sports import normalise_sports

    known = raw.isin(SPORTS) | raw.eq("")
    return raw.where(known, normalise_sports(raw))


def _title_named(title: str, eng: _Engine) -> frozenset[str]:
    """Areas the explicit words of a title name (drills, core, mobility ...)."""
    if not eng.defaults or not title.strip():
        return frozenset()
    return frozenset(m.term.area for m in _vocab().titles.find(title)
                     if m.term.tier == "explicit" and m.term.area and m.term.area != "other")


def _verdict_for(k: int, sport: str, sets_text: str, eng: _Engine,
                 title: str = "") -> _SetVerdict | None:
    prefer = eng.sports.get(sport, ("", ""))[0]
    if sport in eng.user_sport:
        prefer = eng.user[eng.user_sport[sport]].area
    return _judge_sets(sets_text, eng, prefer, _title_named(title, eng))


def classify(sessions: pd.DataFrame, rules: Sequence[Rule] | None = None) -> pd.DataFrame:
    """A copy of ``sessions`` with ``area``, ``area_reason`` and ``area_confidence`` set.

    ``rules``: the complete list (default: :func:`default_rules`; with a user's rules use
    :func:`with_user_rules`). Needs the columns sport and title (sets optional); a sport that is
    not one of ``schema.SPORTS`` is read as an activity-type name ("Löpning"); a non-empty
    ``area_override`` wins with the reason "set by you". The precedence is described in the
    module docstring. Sessions nothing explains get area ``other`` and confidence 0.
    """
    eng = _engine(_rules_tuple(rules))
    out = sessions.copy()
    n = len(out)
    if n == 0:
        out["area"] = pd.Series(dtype=str)
        out["area_reason"] = pd.Series(dtype=str)
        out["area_confidence"] = pd.Series(dtype=float)
        return out
    sport = _sport_col(out)
    title = _text_col(out, "title", "")
    sets_col = _text_col(out, "sets", "[]")
    has_sets = (sets_col.str.strip().ne("[]") & sets_col.str.strip().ne("")).to_numpy()
    ovr = _override_column(out).to_numpy(dtype=object)
    vocab = _vocab() if eng.defaults else None

    areas = np.empty(n, dtype=object)
    reasons = np.empty(n, dtype=object)
    conf = np.zeros(n, dtype=float)
    pair_cache: dict[tuple[str, str], _Decision] = {}
    for k in range(n):
        sp, ti = sport.iat[k], title.iat[k]
        if ovr[k]:
            areas[k], reasons[k], conf[k] = ovr[k], "set by you", 1.0
            continue
        verdict = _verdict_for(k, sp, sets_col.iat[k], eng, ti) if has_sets[k] else None
        # user rules: the first that matches; an exercise rule at its own position
        if eng.user:
            first = _user_first(sp, text_key(ti) if eng.user_title else "", eng)
            if verdict is not None and verdict.user:
                ex_first = min(i for i, rx in eng.user_exercise)
                if ex_first < first:
                    areas[k], reasons[k], conf[k] = verdict.area, verdict.reason, 0.9
                    continue
            if first < len(eng.user):
                r = eng.user[first]
                if r.kind == "sport":
                    why = f"sport is {sp} (your rule)"
                else:
                    hit = eng.user_title[[i for i, _ in eng.user_title].index(first)][1]
                    why = f"title contains '{hit.search(text_key(ti)).group(1)}'"  # type: ignore[union-attr]
                areas[k], reasons[k], conf[k] = r.area, why, 0.9
                continue
        if verdict is not None:
            areas[k], reasons[k], conf[k] = verdict.area, verdict.reason, verdict.confidence
            continue
        if vocab is None:
            d = _Decision("other", "", 0.0)
        else:
            d = pair_cache.get((sp, ti))
            if d is None:
                d = _decide_defaults(sp, vocab.titles.find(ti), eng)
                if d.area == "other" and not d.reason:
                    d = _title_as_exercise(ti, vocab) or d
                pair_cache[(sp, ti)] = d
        reason = d.reason
        if not reason:
            shown = str(ti).strip()
            spn = sp or "unknown"
            reason = (f"no rule matches sport {spn} and title '{shown}'" if shown
                      else f"no rule matches sport {spn} (no title)")
        areas[k], reasons[k], conf[k] = d.area, reason, d.confidence
    out["area"] = pd.Series(areas, index=out.index, dtype=str)
    out["area_reason"] = pd.Series(reasons, index=out.index, dtype=str)
    out["area_confidence"] = pd.Series(conf, index=out.index, dtype=float)
    return out


def _session_seconds(df: pd.DataFrame) -> np.ndarray:
    """Seconds each session counts for: guarded ``minutes`` from load.add_load when present,
    else moving time, else elapsed time (NaN -> 0)."""
    if "minutes" in df.columns:
        sec = pd.to_numeric(df["minutes"], errors="coerce").to_numpy(dtype=float) * 60.0
    else:
        from stridewise.load import usable_minutes

        sec = usable_minutes(df)[0] * 60.0
    return np.nan_to_num(sec, nan=0.0)


def session_parts(sessions_classified: pd.DataFrame,
                  rules: Sequence[Rule] | None = None) -> pd.DataFrame:
    """One row per session part: ``session_id, athlete, start, area, seconds``.

    A session without sets (or whose area the user set, or whose area something other than its
    sets decided) is one part. A session judged by its sets is split by the share of set time
    per area (set counts where times are missing); sets nothing recognises go to the session's
    own area. ``seconds`` are the session's usable seconds (guarded moving time, see
    :func:`stridewise.load.usable_minutes`). Unclassified input is classified first.
    """
    df = sessions_classified
    if "area" not in df.columns or (df["area"].astype(str) == "").any():
        df = classify(df, rules)
    if len(df) == 0:
        return pd.DataFrame({"session_id": pd.Series(dtype=str), "athlete": pd.Series(dtype=str),
                             "start": pd.Series(dtype="datetime64[ns]"),
                             "area": pd.Series(dtype=str), "seconds": pd.Series(dtype=float)})
    eng = _engine(_rules_tuple(rules))
    seconds = _session_seconds(df)
    sets_col = _text_col(df, "sets", "[]")
    overridden = _override_column(df).to_numpy(dtype=object) != ""
    has_sets = (sets_col.str.strip().ne("[]") & sets_col.str.strip().ne("")).to_numpy()
    row_idx: list[int] = []
    part_area: list[str] = []
    part_sec: list[float] = []
    single = ~has_sets | overridden
    area_col = df["area"]
    reason_col = _text_col(df, "area_reason", "")
    sport_col = _sport_col(df)
    title_col = _text_col(df, "title", "")
    for k in np.flatnonzero(~single):
        v = _verdict_for(int(k), sport_col.iat[k], sets_col.iat[k], eng, title_col.iat[k])
        if v is None or v.area != area_col.iat[k] or (
                "area_reason" in df.columns and reason_col.iat[k] != v.reason):
            # no known sets, or something before the sets (e.g. a user's rule) decided
            single[k] = True
            continue
        for a, share in v.shares.items():
            row_idx.append(int(k))
            part_area.append(a)
            part_sec.append(seconds[k] * share)
    idx_single = np.flatnonzero(single)
    all_idx = np.concatenate([idx_single, np.asarray(row_idx, dtype=int)])
    all_sec = np.concatenate([seconds[idx_single], np.asarray(part_sec, dtype=float)])
    order = np.argsort(all_idx, kind="stable")
    all_idx, all_sec = all_idx[order], all_sec[order]
    base = df.reset_index(drop=True)
    if "start" not in base.columns:
        base = base.assign(start=pd.NaT)
    out = base[["session_id", "athlete", "start"]].take(all_idx).reset_index(drop=True)
    out["start"] = pd.to_datetime(out["start"]).astype("datetime64[ns]")
    if len(row_idx):
        area = df["area"].astype(str).to_numpy(dtype=object)
        all_area = np.concatenate([area[idx_single], np.asarray(part_area, dtype=object)])
        out["area"] = pd.Series(all_area[order], dtype=str)
    else:  # no split sessions: the areas are the sessions' own, in order
        out["area"] = base["area"].take(all_idx).reset_index(drop=True).astype(str)
    out["seconds"] = all_sec
    return out


def unclassified(sessions_classified: pd.DataFrame) -> pd.DataFrame:
    """Sessions whose area is ``other``, for the user to review (overrides or new rules)."""
    df = sessions_classified
    if "area" not in df.columns:
        raise UsageError("Classify the sessions first: the table has no area column.")
    return df[df["area"].astype(str) == "other"].copy()


def review_list(sessions_classified: pd.DataFrame,
                below: float = REVIEW_BELOW) -> pd.DataFrame:
    """Sessions to review: area ``other`` or ``area_confidence`` below ``below``, areas the user
    set excluded; least confident first, then newest first."""
    df = sessions_classified
    if "area" not in df.columns:
        raise UsageError("Classify the sessions first: the table has no area column.")
    if "area_confidence" not in df.columns:
        df = classify(df)
    conf = pd.to_numeric(df["area_confidence"], errors="coerce").fillna(0.0)
    mine = _override_column(df) != ""
    pick = ((df["area"].astype(str) == "other") | (conf < below)) & ~mine
    out = df.loc[pick].assign(area_confidence=conf[pick])
    keys = ["area_confidence"] + (["start"] if "start" in out.columns else [])
    return out.sort_values(keys, ascending=[True] + [False] * (len(keys) - 1), kind="stable")


