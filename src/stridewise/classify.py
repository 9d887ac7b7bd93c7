"""Sort sessions into the five training areas (DESIGN §3) with an ordered, editable rule list.

A :class:`Rule` looks at the session's normalised sport (``kind="sport"``), at a keyword in its
title (``kind="title"``) or at its strength sets (``kind="exercise"``: a FIT set category such as
``squat`` / ``plank`` / ``plyo`` or an exercise name such as ``Squat (Barbell)``). Rules are tried
in order and the first that matches decides. Exercise rules form one block: a session with sets
is judged by its sets at the position of the first exercise rule, and gets the area that holds most
of its set time (or most of its sets when the sets carry no time).

The default rules live in ``stridewise/data/rules.csv`` (readable and editable). A user's own
rules are applied before the defaults: pass ``user_rules + default_rules()`` (see
:func:`with_user_rules`). Every session gets an ``area_reason`` in plain words, and an
``area_override`` set by the user always wins ("set by you").
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from stridewise.errors import UsageError
from stridewise.schema import AREAS, SPORTS, parse_sets

__all__ = [
    "Rule", "default_rules", "rules_from_records", "rules_to_records", "with_user_rules",
    "classify", "session_parts", "unclassified", "text_key", "PARTS_COLUMNS",
]

RuleKind = Literal["sport", "title", "exercise"]
RULE_KINDS: Final[tuple[str, ...]] = ("sport", "title", "exercise")
#: Columns of :func:`session_parts`.
PARTS_COLUMNS: Final[list[str]] = ["session_id", "athlete", "start", "area", "seconds"]

_TRANSLIT: Final = str.maketrans({
    "ø": "o", "æ": "ae", "ß": "ss", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
    "’": "'", "ı": "i",
})
_WORD: Final = "[a-z0-9]"
# Latin letters/digits and CJK characters are kept (Chinese/Japanese titles in intervals.icu and
# Strava exports); CJK patterns match as plain substrings since CJK has no spaces between words.
_NOT_KEPT: Final = re.compile("[^0-9a-z\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]+")


def text_key(text: object) -> str:
    """Lower-case, accent-free, single-spaced words of ``text``; camelCase is split
    ("HomeWorkout" -> "home workout"); CJK characters are kept; "" for non-text."""
    if not isinstance(text, str):
        return ""
    t = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    t = t.casefold().translate(_TRANSLIT)
    t = unicodedata.normalize("NFKD", t)
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = re.sub(_NOT_KEPT, " ", t)
    return t.strip()


@dataclass(frozen=True)
class Rule:
    """One classification rule. kind: sport | title | exercise. pattern: a sport name (sport) or
    words with ``*`` wildcards (title, exercise). area: one of ``schema.AREAS``. label: plain
    words for the reason of exercise rules ("squats/lunges")."""

    kind: str
    pattern: str
    area: str
    label: str = ""

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

    def regex(self) -> re.Pattern[str]:
        """The compiled pattern for title/exercise rules (matched against :func:`text_key`)."""
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
        rule = Rule(row[0].strip(), row[1].strip(), row[2].strip(), label)
        rule.check()
        out.append(rule)
    return out


@lru_cache(maxsize=1)
def _default_rules() -> tuple[Rule, ...]:
    text = resources.files("stridewise").joinpath("data/rules.csv").read_text(encoding="utf-8")
    return tuple(_rules_from_csv(text))


def default_rules() -> list[Rule]:
    """The shipped rules (``stridewise/data/rules.csv``), in order."""
    return list(_default_rules())


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
                        str(rec.get("label", "") or ""))
            rule.check()
        except UsageError as exc:
            raise UsageError(f"Rule {i}: {exc.message}") from None
        out.append(rule)
    return out


def rules_to_records(rules: Iterable[Rule]) -> list[dict[str, str]]:
    """JSON-able records of ``rules`` (see :func:`rules_from_records`)."""
    return [{"kind": r.kind, "pattern": r.pattern, "area": r.area, "label": r.label}
            for r in rules]


def with_user_rules(records: Iterable[Mapping[str, Any]] | None) -> list[Rule]:
    """The user's rules (stored records) followed by the defaults: the list to classify with."""
    return rules_from_records(records) + default_rules()


# --------------------------------------------------------------------------- compiled rules

@dataclass(frozen=True)
class _Compiled:
    rules: tuple[Rule, ...]
    sport_first: dict[str, int]
    title: tuple[tuple[int, re.Pattern[str]], ...]
    exercise: tuple[tuple[int, re.Pattern[str]], ...]
    sets_position: int


@lru_cache(maxsize=16)
def _compile(rules: tuple[Rule, ...]) -> _Compiled:
    sport_first: dict[str, int] = {}
    title, exercise = [], []
    for i, r in enumerate(rules):
        r.check()
        if r.kind == "sport":
            sport_first.setdefault(r.pattern.strip(), i)
        elif r.kind == "title":
            title.append((i, r.regex()))
        else:
            exercise.append((i, r.regex()))
    sets_position = exercise[0][0] if exercise else len(rules)
    return _Compiled(rules, sport_first, tuple(title), tuple(exercise), sets_position)


def _rules_tuple(rules: Sequence[Rule] | None) -> tuple[Rule, ...]:
    if rules is None:
        return _default_rules()
    out = []
    for r in rules:
        if isinstance(r, Rule):
            out.append(r)
        elif isinstance(r, Mapping):
            out.extend(rules_from_records([r]))
        else:
            raise UsageError("Rules must be Rule objects or records with kind, pattern and area.")
    return tuple(out)


@dataclass(frozen=True)
class _SetVerdict:
    area: str
    reason: str
    shares: dict[str, float]  # area -> share of the session (matched sets only; sums to 1)


def _first_exercise_rule(text: str, comp: _Compiled, cache: dict[str, int]) -> int:
    hit = cache.get(text)
    if hit is None:
        hit = -1
        for i, rx in comp.exercise:
            if rx.search(text):
                hit = i
                break
        cache[text] = hit
    return hit


def _judge_sets(sets_text: str, comp: _Compiled, cache: dict[str, int],
                prefer: str = "") -> _SetVerdict | None:
    """Area of a session from its sets; a tie goes to ``prefer`` (the sport's own area) when it
    is among the tied areas, else to the area whose rule comes first."""
    sets = parse_sets(sets_text)
    if not sets or not comp.exercise:
        return None
    idx, secs = [], []
    for s in sets:
        text = f"{text_key(s.get('category'))} {text_key(s.get('exercise'))}".strip()
        idx.append(_first_exercise_rule(text, comp, cache) if text else -1)
        try:
            v = float(s.get("seconds"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            v = float("nan")
        secs.append(v)
    matched = [k for k, i in enumerate(idx) if i >= 0]
    if not matched:
        return None
    use_time = all(np.isfinite(secs[k]) and secs[k] > 0 for k in matched)
    weight: dict[str, float] = defaultdict(float)
    first_rule: dict[str, int] = {}
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    for k in matched:
        rule = comp.rules[idx[k]]
        weight[rule.area] += secs[k] if use_time else 1.0
        first_rule[rule.area] = min(first_rule.get(rule.area, idx[k]), idx[k])
        labels[rule.area][rule.label or rule.pattern.replace("*", "")] += 1
    total = sum(weight.values())
    area = max(weight, key=lambda a: (weight[a], a == prefer, -first_rule[a]))
    n_area = sum(labels[area].values())
    top = [lab for lab, _ in labels[area].most_common()]
    what = top[0] if len(top) == 1 else f"{area} work ({', '.join(top[:3])})"
    if use_time:
        pct = 100.0 * weight[area] / total
        reason = f"{n_area} of {len(sets)} sets ({pct:.0f} % of set time) are {what}"
    else:
        reason = f"{n_area} of {len(sets)} sets are {what}"
    return _SetVerdict(area, reason, {a: w / total for a, w in weight.items()})


def _override_column(df: pd.DataFrame) -> pd.Series:
    if "area_override" not in df.columns:
        return pd.Series("", index=df.index, dtype=str)
    ovr = df["area_override"].astype(object).where(df["area_override"].notna(), "")
    ovr = ovr.astype(str).str.strip().str.lower()
    return ovr.where(ovr.isin(AREAS), "")


def classify(sessions: pd.DataFrame, rules: Sequence[Rule] | None = None) -> pd.DataFrame:
    """A copy of ``sessions`` with ``area`` and ``area_reason`` set.

    ``rules``: the complete ordered list (default: :func:`default_rules`; for a user's rules use
    :func:`with_user_rules`). Needs the columns sport and title (sets optional); a non-empty
    ``area_override`` wins with the reason "set by you". Sessions no rule matches get area
    ``other`` and are listed by :func:`unclassified`.
    """
    comp = _compile(_rules_tuple(rules))
    out = sessions.copy()
    n = len(out)
    if n == 0:
        out["area"] = pd.Series(dtype=str)
        out["area_reason"] = pd.Series(dtype=str)
        return out
    sport = (out["sport"] if "sport" in out.columns else pd.Series("", index=out.index))
    sport = sport.astype(object).where(sport.notna(), "").astype(str).str.strip()
    title = (out["title"] if "title" in out.columns else pd.Series("", index=out.index))
    title = title.astype(object).where(title.notna(), "").astype(str)
    big = len(comp.rules) + 1

    # sport rules: index of the first rule for this sport
    sport_idx = sport.map(comp.sport_first).fillna(big).astype(int).to_numpy()

    # title rules: evaluated once per distinct title
    t_codes, t_uniques = pd.factorize(title)
    keys_u = pd.Series([text_key(t) for t in t_uniques], dtype=object)
    uniq = pd.Series(pd.unique(keys_u.to_numpy()), dtype=object)
    key_pos = pd.Index(uniq).get_indexer(keys_u)
    u_idx = np.full(len(uniq), big, dtype=int)
    u_hit = np.full(len(uniq), "", dtype=object)
    todo = uniq.str.len() > 0
    for i, rx in comp.title:
        if not todo.any():
            break
        found = uniq[todo].str.extract(rx, expand=False)
        ok = found.notna()
        if ok.any():
            where = found.index[ok]
            u_idx[where] = i
            u_hit[where] = found[ok].to_numpy()
            todo[where] = False
    pos = key_pos[t_codes]
    title_idx = u_idx[pos]
    u_reason = np.array([f"title contains '{h}'" for h in u_hit], dtype=object)

    # sets: judged only where a session has sets
    sets_col = out["sets"] if "sets" in out.columns else pd.Series("[]", index=out.index)
    sets_col = sets_col.astype(object).where(sets_col.notna(), "[]").astype(str)
    has_sets = sets_col.str.strip().ne("[]") & sets_col.str.strip().ne("")
    verdicts: dict[int, _SetVerdict] = {}
    cache: dict[str, int] = {}
    rule_area_of = [r.area for r in comp.rules]
    for k in np.flatnonzero(has_sets.to_numpy()):
        prefer = rule_area_of[sport_idx[k]] if sport_idx[k] < len(comp.rules) else ""
        v = _judge_sets(sets_col.iat[k], comp, cache, prefer)
        if v is not None:
            verdicts[int(k)] = v
    sets_idx = np.full(n, big, dtype=int)
    if verdicts:
        sets_idx[list(verdicts)] = comp.sets_position

    best = np.minimum(np.minimum(sport_idx, title_idx), sets_idx)
    rule_area = np.array([r.area for r in comp.rules] + ["other", "other"], dtype=object)
    areas = rule_area[np.minimum(best, big)]
    s_codes, s_uniques = pd.factorize(sport)
    s_reason = np.array([f"sport is {x}" for x in s_uniques], dtype=object)
    by_title = (best == title_idx) & (best < big)
    reasons = np.where(by_title, u_reason[pos], s_reason[np.maximum(s_codes, 0)])
    for k, v in verdicts.items():
        if best[k] == sets_idx[k]:
            areas[k] = v.area
            reasons[k] = v.reason
    for k in np.flatnonzero(best >= big):
        shown = str(title.iat[k]).strip()
        sp = str(sport.iat[k]) or "unknown"
        reasons[k] = (f"no rule matches sport {sp} and title '{shown}'" if shown
                      else f"no rule matches sport {sp} (no title)")
    ovr = _override_column(out).to_numpy(dtype=object)
    set_by_user = ovr != ""
    areas[set_by_user] = ovr[set_by_user]
    reasons[set_by_user] = "set by you"
    out["area"] = pd.Series(areas, index=out.index, dtype=str)
    out["area_reason"] = pd.Series(reasons, index=out.index, dtype=str)
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

    A session without sets (or whose area the user set, or whose area a rule before the exercise
    rules decided) is one part. A session judged by its sets is split by the share of set time per
    area (set counts where times are missing); sets no rule knows go to the session's own area. ``seconds`` are the session's usable seconds (guarded moving time,
    see :func:`stridewise.load.usable_minutes`). Unclassified input is classified first.
    """
    df = sessions_classified
    if "area" not in df.columns or (df["area"].astype(str) == "").any():
        df = classify(df, rules)
    if len(df) == 0:
        return pd.DataFrame({"session_id": pd.Series(dtype=str), "athlete": pd.Series(dtype=str),
                             "start": pd.Series(dtype="datetime64[ns]"),
                             "area": pd.Series(dtype=str), "seconds": pd.Series(dtype=float)})
    comp = _compile(_rules_tuple(rules))
    seconds = _session_seconds(df)
    sets_col = (df["sets"] if "sets" in df.columns else pd.Series("[]", index=df.index))
    sets_col = sets_col.astype(object).where(sets_col.notna(), "[]").astype(str)
    overridden = _override_column(df).to_numpy(dtype=object) != ""
    has_sets = (sets_col.str.strip().ne("[]") & sets_col.str.strip().ne("")).to_numpy()
    row_idx: list[int] = []
    part_area: list[str] = []
    part_sec: list[float] = []
    single = ~has_sets | overridden
    cache: dict[str, int] = {}
    area_col = df["area"]
    sport_col = df["sport"] if "sport" in df.columns else pd.Series("", index=df.index)
    for k in np.flatnonzero(~single):
        first = comp.sport_first.get(str(sport_col.iat[k]).strip())
        prefer = comp.rules[first].area if first is not None else ""
        v = _judge_sets(sets_col.iat[k], comp, cache, prefer)
        if v is None or v.area != area_col.iat[k]:
            # no known sets, or an earlier rule (e.g. the user's) decided the area: one part
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
