"""Benchmark: training-area classification on the independent hand-labelled evaluation set.

``benchmarks/classify_eval/sessions.csv`` holds real sessions from openly licensed public sources
that are *not* in ``../shared/corpus`` (Strava and Garmin activity lists, a Hevy log, Garmin
strength sessions with FIT-decoded sets, localised activity-type names of open-source trackers,
exercise names from the wger and free-exercise-db databases), each labelled by a person reading it
(conventions and sources: ``benchmarks/classify_eval/README.md``). This script runs the library's
own classification path on every row and reports how well it agrees with the labels:

* overall accuracy,
* per area: precision, recall, F1 and support (rows labelled with that area),
* the confusion matrix (rows = label, columns = predicted area),
* accuracy per kind of row (activity list, workout with sets, exercise name), per language and
  per source app (and per source repository with --by-repo),
* the most frequent (label -> predicted) error pairs and the misclassified rows,
* when the classifier reports a confidence per session (an ``area_confidence`` column), the
  accuracy per confidence band.

How a row becomes a canonical session (as the importers build it):

* ``sport`` = ``stridewise.ingest.sports.normalise_sports(sport_type)``, the normaliser every
  CSV importer uses; rows from set-log apps (Hevy, Strong, GymBook, Fitbod, other set logs and
  exercise-database rows) have no sport type and get ``"strength"``, as the Hevy/Strong/Fitbod
  readers set it.
* ``title`` = the title as written; an untitled row whose type normalises to ``"other"`` gets
  the type text as its title (``stridewise.ingest.sports.title_or_type``), as the CSV
  importers do.
* ``sets`` = one set record per exercise in ``exercises`` (``;``-separated) with the exercise
  name and, when the library offers it, the FIT-style category the set-log readers attach
  (``stridewise.ingest.csv_apps.exercise_category``), serialised with ``schema.sets_to_json``.
  Rows of ``fit_sets`` carry FIT profile names ``category/exercise_name`` (``plank/side_plank``,
  ``pose/childs``): their sets get ``category`` = the FIT category and ``exercise`` = the
  exercise name in words ("side plank"), i.e. what a FIT reader that decodes exercise names
  gives; a bare category (``calf_raise``) gives exercise = category in words, as the FIT
  reader does today.
* ``stridewise.classify.classify`` with its default rules then sets ``area``.

Only public functions are used; if one of the required ones is missing or changes its contract
the script stops with one sentence saying which. This is a measurement, not a test: it asserts
nothing and never fails on a low score.

By default only the committed file ``benchmarks/classify_eval/sessions.csv`` is measured (rows
from openly licensed sources). ``--data PATH`` (repeatable) names the file(s) to measure instead,
for example the committed file plus a local file of rows that may not be shipped:
``--data benchmarks/classify_eval/sessions.csv --data /work/eval-private/sessions_unlicensed.csv``.
The files are concatenated (same columns); a row id that occurs in two files stops the run.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_classify.py [--worst 40] [--by-repo]
[--open-licence-only] [--data FILE.csv ...] [--errors-out FILE.csv]``
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "classify_eval" / "sessions.csv"
AREAS_FALLBACK = ("endurance", "strength", "plyometrics", "stability", "flexibility", "other")
#: Apps whose exports are set logs: their sessions carry sets and the readers set sport=strength.
SET_LOG_APPS = frozenset({"hevy", "strong", "fitbod", "gymbook", "other_log", "exercise_db",
                          "exercise_list", "fit_sets"})
#: Apps whose exercises are FIT profile names ``category/exercise_name``.
FIT_SET_APPS = frozenset({"fit_sets"})
REQUIRED_COLUMNS = ("id", "language", "source_app", "sport_type", "title", "exercises", "label",
                    "source")


class InterfaceMissing(SystemExit):
    """Raised (exits with status 2) when a public library function the benchmark needs is gone."""


def _public(module: str, name: str, required: bool = True,
            purpose: str = "to build sessions the way the importers do") -> Callable[..., Any] | None:
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        if required:
            raise InterfaceMissing(f"bench_classify: cannot import {module} ({exc}); "
                                   f"run with PYTHONPATH=src from the project root.") from exc
        return None
    fn = getattr(mod, name, None)
    if fn is None and required:
        raise InterfaceMissing(f"bench_classify: {module}.{name} is missing; the benchmark needs "
                               f"it {purpose}.")
    return fn


def load_eval(paths: Path | list[Path]) -> pd.DataFrame:
    """The evaluation rows of one or more files as strings (empty cells stay ""), with the file
    each row came from in ``data_file``."""
    frames = []
    for path in [paths] if isinstance(paths, Path) else paths:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
        if missing:
            raise SystemExit(f"bench_classify: {path} lacks the column(s) {', '.join(missing)}.")
        frames.append(df.assign(data_file=path.name))
    df = pd.concat(frames, ignore_index=True).fillna("")
    dup = df.loc[df["id"].duplicated(), "id"]
    if len(dup):
        raise SystemExit(f"bench_classify: the row id {dup.iloc[0]} occurs in more than one of "
                         f"the --data files; ids must be unique across them.")
    return df


def build_sessions(df: pd.DataFrame) -> pd.DataFrame:
    """Canonical session rows (session_id, athlete, start, sport, title, sets, duration_s)."""
    normalise_sports = _public("stridewise.ingest.sports", "normalise_sports")
    sets_to_json = _public("stridewise.schema", "sets_to_json", required=False)
    exercise_category = _public("stridewise.ingest.csv_apps", "exercise_category",
                                required=False)
    sport = normalise_sports(df["sport_type"]).astype(str)
    if len(sport) != len(df):
        raise InterfaceMissing("bench_classify: normalise_sports no longer returns one sport per "
                               "input value.")
    no_type = df["sport_type"].str.strip().eq("") & df["source_app"].isin(SET_LOG_APPS)
    sport = sport.where(~no_type.to_numpy(), "strength")
    # the CSV importers keep an unknown type's text as the title of an untitled session
    title_or_type = _public("stridewise.ingest.sports", "title_or_type", required=False)
    title = (title_or_type(df["title"], df["sport_type"], sport) if title_or_type
             else df["title"])

    def sets_cell(text: str, fit: bool) -> str:
        recs = []
        for name in (n.strip() for n in text.split(";")):
            if not name:
                continue
            if fit:
                cat, _, sub = name.partition("/")
                exercise, category = (sub or cat).replace("_", " "), cat
            else:
                exercise = name
                category = (exercise_category(name) if exercise_category else "") or ""
            recs.append({"exercise": exercise, "category": category, "reps": None,
                         "weight_kg": None, "seconds": None})
        if sets_to_json is not None:
            return sets_to_json(recs)
        return json.dumps(recs, ensure_ascii=False)

    return pd.DataFrame({
        "session_id": "eval-" + df["id"],
        "athlete": "eval",
        "start": pd.Timestamp("2024-01-01"),
        "sport": sport.to_numpy(),
        "title": pd.Series(title).to_numpy(),
        "sets": [sets_cell(t, app in FIT_SET_APPS)
                 for t, app in zip(df["exercises"], df["source_app"], strict=True)],
        "duration_s": 1800.0,
        "moving_s": 1800.0,
    })


def classify_sessions(sessions: pd.DataFrame) -> pd.DataFrame:
    classify = _public("stridewise.classify", "classify",
                       purpose="to classify sessions with the default rules")
    out = classify(sessions)
    if not isinstance(out, pd.DataFrame) or "area" not in out.columns:
        raise InterfaceMissing("bench_classify: classify.classify must return a DataFrame with an "
                               "'area' column.")
    if len(out) != len(sessions):
        raise InterfaceMissing("bench_classify: classify.classify returned a different number of "
                               "rows than it was given.")
    return out


def per_area(df: pd.DataFrame, areas: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    for a in areas:
        tp = int(((df["label"] == a) & (df["got"] == a)).sum())
        support = int((df["label"] == a).sum())
        predicted = int((df["got"] == a).sum())
        prec = tp / predicted if predicted else float("nan")
        rec = tp / support if support else float("nan")
        f1 = 2 * prec * rec / (prec + rec) if predicted and support and (prec + rec) else float("nan")
        rows.append({"area": a, "precision": prec, "recall": rec, "f1": f1,
                     "support": support, "predicted": predicted})
    return pd.DataFrame(rows).set_index("area")


def accuracy_by(df: pd.DataFrame, col: str) -> pd.DataFrame:
    g = df.groupby(col)["ok"]
    return (pd.DataFrame({"accuracy": g.mean(), "correct": g.sum().astype(int), "n": g.size()})
            .sort_values(["n", "accuracy"], ascending=[False, True]))


def _pct(x: float) -> str:
    return "   n/a" if pd.isna(x) else f"{x:6.1%}"


def report(df: pd.DataFrame, areas: tuple[str, ...], worst: int, by_repo: bool) -> str:
    lines = []
    n, ok = len(df), int(df["ok"].sum())
    lines.append(f"classification on the independent evaluation set: {n} sessions, "
                 f"{df['language'].nunique()} languages, {df['repo'].nunique()} source repositories")
    lines.append(f"overall accuracy {ok / n:.1%} ({ok}/{n})")
    macro = per_area(df, areas)
    lines.append("")
    lines.append(f"{'area':12s} {'precision':>9s} {'recall':>7s} {'f1':>7s} {'support':>8s} "
                 f"{'predicted':>9s}")
    for a, r in macro.iterrows():
        lines.append(f"{a:12s} {_pct(r['precision']):>9s} {_pct(r['recall']):>7s} "
                     f"{_pct(r['f1']):>7s} {int(r['support']):8d} {int(r['predicted']):9d}")
    lines.append("")
    lines.append("confusion matrix (rows: label, columns: predicted)")
    cm = pd.crosstab(pd.Categorical(df["label"], areas), pd.Categorical(df["got"], areas),
                     dropna=False)
    short = {a: a[:5] for a in areas}
    lines.append(f"{'':12s}" + "".join(f"{short[a]:>7s}" for a in areas))
    for a in areas:
        lines.append(f"{a:12s}" + "".join(f"{int(cm.loc[a, b]):7d}" for b in areas))
    per_file = (("data_file", "data file"),) if df["data_file"].nunique() > 1 else ()
    for col, title in per_file + (("kind", "kind of row"), ("language", "language"),
                                  ("source_app", "source app")) + (
            (("repo", "source repository"),) if by_repo else ()):
        lines.append("")
        lines.append(f"accuracy per {title}")
        for key, r in accuracy_by(df, col).iterrows():
            lines.append(f"  {key!s:40s} {_pct(r['accuracy'])}  ({int(r['correct'])}/{int(r['n'])})")
    if df["confidence"].notna().any():
        lines.append("")
        lines.append("confidence (as the classifier reports it)")
        for ok, g in df.groupby("ok"):
            lines.append(f"  {'right' if ok else 'wrong':5s} mean {g['confidence'].mean():.2f}  "
                         f"({len(g)} sessions)")
        bins = pd.cut(df["confidence"], [-0.001, 0.25, 0.5, 0.75, 0.9, 1.0])
        for b, g in df.groupby(bins, observed=True):
            lines.append(f"  confidence {b!s:14s} accuracy {_pct(g['ok'].mean())}  ({len(g)})")
    wrong = df[~df["ok"]]
    lines.append("")
    lines.append(f"error pairs (label -> predicted), {len(wrong)} errors")
    for (lab, got), k in wrong.groupby(["label", "got"]).size().sort_values(
            ascending=False).items():
        lines.append(f"  {lab:12s} -> {got:12s} {k:4d}")
    if worst:
        lines.append("")
        lines.append(f"misclassified rows (first {min(worst, len(wrong))} of {len(wrong)}, "
                     f"grouped by error pair)")
        order = wrong.groupby(["label", "got"])["id"].transform("size")
        shown = wrong.assign(_k=order).sort_values(["_k", "label", "got", "id"],
                                                   ascending=[False, True, True, True])
        for r in shown.head(worst).itertuples():
            what = r.title or ""
            if r.exercises:
                what = (what + " | " if what else "") + "sets: " + r.exercises[:70]
            lines.append(f"  {r.id} [{r.language}/{r.source_app}] {r.sport_type or '-'} "
                         f"(sport {r.sport}) '{what}' -> {r.got} ({r.reason}); "
                         f"labelled {r.label}")
    return "\n".join(lines)


def open_licence(df: pd.DataFrame) -> pd.Series:
    """Rows whose ``licence`` names an open licence (not "none found")."""
    lic = df["licence"] if "licence" in df.columns else pd.Series("", index=df.index)
    return lic.str.contains(r"CC0|CC-BY|Apache|MIT|ODbL|BSD", regex=True)


def row_kind(df: pd.DataFrame) -> pd.Series:
    """"activity list" (type + title), "workout with sets" or "exercise name" (sets only)."""
    has_sets = df["exercises"].str.strip() != ""
    bare = has_sets & (df["title"].str.strip() == "") & (df["sport_type"].str.strip() == "")
    kind = pd.Series("activity list", index=df.index)
    return kind.mask(has_sets, "workout with sets").mask(bare, "exercise name")


def run(path: Path | list[Path] = DATA, open_only: bool = False) -> pd.DataFrame:
    """Evaluation rows of the file(s) with the predicted area (``got``), its reason and ``ok``."""
    schema_areas = _public("stridewise.schema", "AREAS", required=False)
    areas = tuple(schema_areas) if schema_areas else AREAS_FALLBACK
    df = load_eval(path)
    if open_only:
        df = df[open_licence(df)].reset_index(drop=True)
    unknown = sorted(set(df["label"]) - set(areas))
    if unknown:
        raise SystemExit(f"bench_classify: labels {unknown} are not areas of the library "
                         f"({', '.join(areas)}).")
    sessions = build_sessions(df)
    out = classify_sessions(sessions)
    reason = (out["area_reason"].astype(str) if "area_reason" in out.columns
              else pd.Series("", index=out.index))
    conf_col = next((c for c in ("area_confidence", "confidence") if c in out.columns), None)
    conf = (pd.to_numeric(out[conf_col], errors="coerce") if conf_col
            else pd.Series(float("nan"), index=out.index))
    return df.assign(sport=sessions["sport"].to_numpy(), got=out["area"].astype(str).to_numpy(),
                     reason=reason.to_numpy(), confidence=conf.to_numpy(),
                     ok=(out["area"].astype(str).to_numpy() == df["label"].to_numpy()),
                     repo=df["source"].str.split(":").str[0], kind=row_kind(df))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", "--csv", dest="data", type=Path, action="append",
                    help="evaluation file; repeat to measure several files together "
                         f"(default: {DATA.relative_to(HERE.parent)} only)")
    ap.add_argument("--worst", type=int, default=40, help="misclassified rows to list")
    ap.add_argument("--by-repo", action="store_true", help="also report accuracy per repository")
    ap.add_argument("--errors-out", type=Path, help="write every misclassified row to this CSV")
    ap.add_argument("--open-licence-only", action="store_true",
                    help="only rows whose source carries an open licence (see README)")
    args = ap.parse_args(argv)
    paths = args.data or [DATA]
    for path in paths:
        if not path.is_file():
            print(f"bench_classify: {path} does not exist.", file=sys.stderr)
            return 2
    t0 = time.perf_counter()
    try:
        df = run(paths, open_only=args.open_licence_only)
    except InterfaceMissing as exc:
        print(exc.code if isinstance(exc.code, str) else exc, file=sys.stderr)
        return 2
    seconds = time.perf_counter() - t0
    schema_areas = _public("stridewise.schema", "AREAS", required=False)
    areas = tuple(schema_areas) if schema_areas else AREAS_FALLBACK
    print(report(df, areas, args.worst, args.by_repo))
    print(f"\n(classified {len(df)} sessions in {seconds:.2f} s)")
    if args.errors_out:
        cols = ["id", "data_file", "language", "source_app", "sport_type", "sport", "title", "exercises",
                "label", "got", "reason", "source"]
        df.loc[~df["ok"], cols].to_csv(args.errors_out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
