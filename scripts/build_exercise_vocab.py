"""Build src/stridewise/data/vocab/exercises.csv from two public sources (data only).

    python scripts/build_exercise_vocab.py PROFILE_PY WGER_FIXTURES_DIR
    python scripts/build_exercise_vocab.py --reapply

``--reapply`` recomputes the area of every row of the existing table with the current
vocabulary and rules (each row keeps its FIT category or wger category and English name in its
``source``/``reason``), without the source files.

PROFILE_PY: ``garmin_fit_sdk/profile.py`` of the FIT Python SDK (the FIT profile: every exercise
category and every ``*_exercise_name`` enum); read with ``ast.literal_eval``, never executed.
WGER_FIXTURES_DIR: ``wger/exercises/fixtures`` of the wger project (exercise data under
Creative Commons licences per entry; see data/vocab/README.md).

Each exercise gets an area: the more specific of the area its words name (the exercise words of
terms.csv, most specific area wins) and its category's area. FIT yoga poses keep their
category's area; FIT moves and warm-ups keep it unless they are jumps; the FIT core, crunch,
plank ... categories are stability even when a lift is named in them ("rowing 1 with weights"
in ``core`` is a core exercise). A wger exercise's category is Abs -> stability,
Cardio -> endurance, else strength. A wger exercise's translations take the area of
its English name. A name that two sources place in different areas is left out (the words and the
category decide for it at run time).
"""

from __future__ import annotations

import ast
import csv
import re
import json
import sys
from collections import defaultdict
from pathlib import Path

from stridewise.classify import AREA_RANK, _term_rows, one_leg_balance, text_key
from stridewise.ingest.fit_profile import EXERCISE_CATEGORY_AREAS
from stridewise.termmatch import Matcher

WGER_LANG = {1: "de", 2: "en", 3: "bg", 4: "es", 5: "ru", 6: "nl", 7: "pt", 8: "el", 9: "cs",
             10: "sv", 11: "no", 12: "fr", 13: "it", 14: "pl", 15: "uk", 16: "tr", 17: "ar",
             18: "az", 19: "eo", 20: "fa", 21: "he", 22: "hr", 23: "id", 24: "zh", 25: "sk",
             26: "sl", 27: "ko", 28: "th", 29: "sr", 30: "ta", 31: "ro", 32: "ca", 33: "fi"}
WGER_LICENCE = {1: "CC-BY-SA-3.0", 2: "CC-BY-SA-4.0", 3: "CC0-1.0", 4: "CC-BY-4.0", 5: "ODbL"}
WGER_CATEGORY = {8: "arms", 9: "legs", 10: "abs", 11: "chest", 12: "back", 13: "shoulders",
                 14: "calves", 15: "cardio"}


def _author(text: object) -> str:
    """wger's attribution name; an e-mail address is not copied (the source id leads to it)."""
    name = str(text or "").strip()
    return "wger contributor (see source)" if "@" in name else name


def profile_types(path: Path) -> dict:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "Profile":
            for k, v in zip(node.value.keys, node.value.values, strict=True):
                if isinstance(k, ast.Constant) and k.value == "types":
                    return ast.literal_eval(v)
    raise SystemExit("no Profile['types'] in " + str(path))


_MATCHER: list[Matcher] = []


def word_area(name: str) -> str:
    """The most specific area the exercise words of ``name`` name ("" if none)."""
    if not _MATCHER:
        _MATCHER.append(Matcher(_term_rows("exercise")))
    found = [m.term.area for part in re.split(r"[()\[\]]", name)
             for m in _MATCHER[0].find(part) if m.term.area]
    if one_leg_balance(name):  # single-leg squats and deadlifts (seed text): stability
        found.append("stability")
    return max(found, key=lambda a: AREA_RANK[a]) if found else ""


def pick(a: str, b: str) -> str:
    """The more specific of two areas."""
    return max((x for x in (a, b) if x), key=lambda x: AREA_RANK[x])


def fit_area(cat: str, words: str) -> tuple[str, str, str]:
    """(area, label, reason) of a FIT profile exercise name in category ``cat``."""
    c_area, c_label = EXERCISE_CATEGORY_AREAS.get(cat, ("", ""))
    named = word_area(words)
    if cat == "pose" or (cat in ("move", "warm_up") and named != "plyometrics"):
        area = c_area
    else:
        area = pick(named, c_area)
    # a name whose words say another area keeps its category's area only inside that category
    # (FIT "swimming" in core is a Pilates move; "Swimming" in a set log is a swim)
    over = f" over {named}" if named and named != c_area and area == c_area else ""
    return (area, c_label if area == c_area else "",
            f"FIT category {cat}{over}" if area == c_area else f"named as {area} work")


def wger_area(cat: str, en: str, name: str) -> str:
    c_area = {"abs": "stability", "cardio": "endurance"}.get(cat, "strength")
    return pick(word_area(en or name), c_area)


def _dedupe(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """One row per folded name; names placed in two areas are left out."""
    areas_of: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        areas_of[text_key(r["name"])].add(r["area"])
    seen: set[str] = set()
    out = []
    for r in rows:
        k = text_key(r["name"])
        if not k or len(areas_of[k]) > 1 or k in seen:
            continue
        seen.add(k)
        out.append(r)
    return out


_TARGET = Path(__file__).resolve().parents[1] / "src/stridewise/data/vocab/exercises.csv"
_FIELDS = ["name", "area", "label", "lang", "source", "reason", "licence", "author"]


def _write(out: list[dict[str, str]]) -> None:
    with _TARGET.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, _FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(out)


def reapply() -> None:
    """Recompute every row's area of the existing table with the current vocabulary."""
    with _TARGET.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    changed = 0
    for r in rows:
        fit = re.match(r"FIT profile (\w+)_exercise_name \d+", r["source"])
        if fit:
            area, label, why = fit_area(fit.group(1), r["name"])
            new = {"area": area, "label": label, "reason": why}
        else:
            m = re.match(r"wger category (\w*)(?:; English name '(.*)')?$", r["reason"])
            if not m:
                continue
            new = {"area": wger_area(m.group(1), m.group(2) or "", r["name"])}
        changed += any(r[k] != v for k, v in new.items())
        r.update(new)
    out = _dedupe(rows)
    _write(out)
    print(f"{len(out)} exercise names, {changed} areas changed "
          f"({len(rows) - len(out)} now ambiguous and left out)")


def main(profile_py: str, wger_dir: str) -> None:
    rows: list[dict[str, str]] = []
    types = profile_types(Path(profile_py))
    vocab_dir = Path(__file__).resolve().parents[1] / "src/stridewise/data/vocab"
    with (vocab_dir / "fit_exercise_names.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["category", "value", "name"])
        for key, names in types.items():
            if key.endswith("_exercise_name"):
                for value, name in names.items():
                    w.writerow([key[: -len("_exercise_name")], value, name])
    for key, names in types.items():
        if not key.endswith("_exercise_name"):
            continue
        cat = key[: -len("_exercise_name")]
        for value, name in names.items():
            words = name.replace("_", " ")
            area, label, why = fit_area(cat, words)
            rows.append({"name": words, "area": area, "label": label,
                         "lang": "en", "source": f"FIT profile {key} {value}", "reason": why,
                         "licence": "FIT Protocol License (enum names)", "author": "Garmin"})

    wdir = Path(wger_dir)
    bases = {b["pk"]: b["fields"] for b in json.loads((wdir / "exercise-base-data.json").read_text())
             if b["model"] == "exercises.exercise"}
    items = json.loads((wdir / "translations.json").read_text())
    trans = [t for t in items if t["model"] == "exercises.translation"]
    aliases = defaultdict(list)
    by_pk = {t["pk"]: t for t in trans}
    for a in items:
        if a["model"] == "exercises.alias" and a["fields"].get("translation") in by_pk:
            aliases[a["fields"]["translation"]].append(a["fields"]["alias"])
    english = {t["fields"]["exercise"]: t["fields"]["name"] for t in trans
               if t["fields"]["language"] == 2}
    for t in trans:
        f = t["fields"]
        base = bases.get(f["exercise"])
        if base is None:
            continue
        cat = WGER_CATEGORY.get(base["category"], "")
        en = english.get(f["exercise"], "")
        area = wger_area(cat, en, f["name"])
        label = (en or f["name"]).strip().lower()
        lang = WGER_LANG.get(f["language"], str(f["language"]))
        for name in [f["name"], *aliases.get(t["pk"], [])]:
            rows.append({"name": name.strip(), "area": area, "label": label, "lang": lang,
                         "source": f"wger exercise {f['exercise']} translation {t['pk']}",
                         "reason": f"wger category {cat}; English name '{en}'" if en
                         else f"wger category {cat}",
                         "licence": WGER_LICENCE.get(f["license"], str(f["license"])),
                         "author": _author(f.get("license_author"))})

    out = _dedupe(rows)
    _write(out)
    print(f"{len(out)} exercise names ({len(rows) - len(out)} duplicates/ambiguous left out)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--reapply"]:
        reapply()
    else:
        main(*sys.argv[1:3])
