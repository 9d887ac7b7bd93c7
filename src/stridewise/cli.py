"""Command line (DESIGN §6): ``python -m stridewise sessions|weekly|risk|import|watch|export ...``.

Commands that use the store act as the operator (:meth:`stridewise.access.Actor.operator`)
through a :class:`~stridewise.access.ScopedStore`; ``users`` manages the accounts of club mode.

Output goes to stdout as CSV with a header row or as a JSON array of records; import reports,
assumptions and unreadable files go to stderr. Exit codes: 0 success, 1 a file could not be read
(the others still count) or the store failed, 2 bad usage. No traceback reaches the user
(set STRIDEWISE_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import pandas as pd

from stridewise import __version__
from stridewise.errors import StridewiseError, UsageError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

SESSION_COLUMNS_OUT = [
    "athlete", "session_id", "start", "sport", "title", "area", "area_reason", "duration_s",
    "moving_s", "duration_estimated", "distance_m", "elevation_gain_m", "avg_hr", "max_hr", "calories", "rpe",
    "rpe_used", "load", "load_source", "load_note", "trimp", "minutes", "run_km", "sets",
    "source", "source_file", "source_id",
]
WEEKLY_COLUMNS = ["athlete", "week", "area", "sessions", "minutes", "distance_km", "load"]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one sentence and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"stridewise: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _add_read_options(p: argparse.ArgumentParser, athlete_required: bool = False) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="export files, zips or folders (CSV, FIT, FIT.GZ, TCX, GPX, ZIP, ...)")
    p.add_argument("--athlete", required=athlete_required, default=None,
                   help="athlete name the sessions belong to (default: me)")
    p.add_argument("--tz", default="UTC",
                   help="athlete's time zone, e.g. Europe/Berlin; UTC times (Strava, FIT, GPX) "
                        "are converted to it (default UTC)")
    p.add_argument("--units", choices=["km", "mi"], default=None,
                   help="distance unit where a file does not state it (Garmin CSV); "
                        "default: inferred per file, and said on stderr")


def _add_format(p: argparse.ArgumentParser, choices: Sequence[str] = ("csv", "json")) -> None:
    p.add_argument("--format", choices=list(choices), default="csv", help="output format")


def _add_hr_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hr-max", type=float, default=None, help="maximum heart rate (bpm)")
    p.add_argument("--hr-rest", type=float, default=None, help="resting heart rate (bpm)")
    p.add_argument("--sex", choices=["male", "female"], default=None,
                   help="for Banister TRIMP's weighting")
    p.add_argument("--week-start", choices=["monday", "sunday"], default="monday",
                   help="first day of the week (default monday, ISO)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m stridewise",
                     description="Stridewise: training areas, weekly volume, load and an "
                                 "explained injury-risk heuristic from your training exports.")
    parser.add_argument("--version", action="version", version=f"stridewise {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("sessions", help="one row per session with area, reason and load",
                       description="Read export files and print one row per session with its "
                                   "training area, the reason for it, and its load.")
    _add_read_options(p)
    _add_hr_options(p)
    _add_format(p)

    p = sub.add_parser("weekly", help="weekly volume per training area",
                       description="Read export files and print weekly volume per training "
                                   "area (weeks start on Monday unless --week-start sunday).")
    _add_read_options(p)
    _add_hr_options(p)
    _add_format(p)

    p = sub.add_parser("risk", help="daily load metrics and the injury-risk heuristic",
                       description="Print one row per day: load, ACWR (coupled, uncoupled, "
                                   "EWMA), monotony, strain, CTL/ATL/TSB, ramp, running km, "
                                   "spike, risk level and reasons. A heuristic, not a diagnosis.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="export files, zips or folders")
    p.add_argument("--daily-load", metavar="FILE.csv", default=None,
                   help="a CSV with columns date,load: print the daily metrics of that series")
    p.add_argument("--athlete", default=None, help="athlete name (default: me)")
    p.add_argument("--tz", default="UTC", help="athlete's time zone (default UTC)")
    p.add_argument("--units", choices=["km", "mi"], default=None,
                   help="distance unit where a file does not state it")
    p.add_argument("--display-units", choices=["km", "mi"], default=None,
                   help="unit of distances in the reasons and the --latest table (default km, "
                        "or the saved setting with --store; the raw columns stay in km as "
                        "named)")
    p.add_argument("--as-of", default=None, metavar="DATE",
                   help="assess up to this day (YYYY-MM-DD): later sessions are left out and "
                        "rest days run up to it (default: the last session day)")
    p.add_argument("--store", action="store_true",
                   help="assess the athletes stored in STRIDEWISE_DB (with their HR profiles, "
                        "time zones and the saved settings) instead of reading files")
    p.add_argument("--latest", action="store_true",
                   help="one row per athlete: the assessment of the last day (level, top "
                        "reason, the acute:chronic ratio named by the settings, running "
                        "distance of the last 7 days, spike, next-run limit), in triage order; "
                        "the same table as the Squad page's roster CSV")
    _add_hr_options(p)
    _add_format(p)

    p = sub.add_parser("import", help="import files into the store (STRIDEWISE_DB)",
                       description="Import export files into the Stridewise database "
                                   "(STRIDEWISE_DB, default data/stridewise.db) and print a "
                                   "report per file. Importing the same file twice changes "
                                   "nothing.")
    _add_read_options(p, athlete_required=True)
    p.add_argument("--part-files", type=int, default=None, metavar="N",
                   help="a Garmin account export is committed in parts of N uploaded files "
                        "(default 500); an interrupted import resumes at the first part not "
                        "committed")

    p = sub.add_parser("watch", help="import files that appear in a folder, once each",
                       description="Watch DIR and import every export file that appears in it "
                                   "into the store (STRIDEWISE_DB) for the athlete, once each "
                                   "(recognised by content): a file is read only when its "
                                   "size has stopped changing; imported files move to "
                                   "DIR/imported, files that cannot be read to DIR/failed "
                                   "with the reason beside them. Stop with Ctrl-C.")
    p.add_argument("directory", metavar="DIR", help="the folder to watch (not its sub-folders)")
    p.add_argument("--athlete", required=True, help="athlete the files belong to")
    p.add_argument("--tz", default="UTC", help="athlete's time zone (default UTC)")
    p.add_argument("--units", choices=["km", "mi"], default=None,
                   help="distance unit where a file does not state it")
    p.add_argument("--settle", type=float, default=None, metavar="SECONDS",
                   help="seconds a file must stay unchanged before it is read (default 2)")
    p.add_argument("--poll", type=float, default=None, metavar="SECONDS",
                   help="seconds between two looks at the folder (default 1)")
    p.add_argument("--once", action="store_true",
                   help="handle the files there now, then stop")

    p = sub.add_parser("export", help="stored sessions as CSV, JSON or Parquet",
                       description="Print the stored sessions (with area and load) as CSV or "
                                   "JSON, or write Parquet to --output.")
    p.add_argument("--athlete", default=None, help="only this athlete (default: all)")
    _add_format(p, ("csv", "json", "parquet"))
    p.add_argument("--output", "-o", default=None,
                   help="write to this file instead of stdout (required for parquet on a "
                        "terminal)")
    p.add_argument("--wellness", action="store_true",
                   help="the daily wellness values instead (resting heart rate, sleep, HRV, "
                        "body weight; e.g. from a Garmin account export)")
    p.add_argument("--checkins", action="store_true",
                   help="the daily check-ins instead (sleep, fatigue, soreness, stress, mood "
                        "1-5, resting heart rate)")
    p.add_argument("--niggles", action="store_true",
                   help="the reported niggles instead, one row per daily pain/effect update")

    p = sub.add_parser("backup", help="write the whole store as Parquet files into a folder",
                       description="Write every table of the store (STRIDEWISE_DB) as a "
                                   "Parquet file plus manifest.json into DIR.")
    p.add_argument("directory", metavar="DIR", help="folder to write (created if missing)")

    p = sub.add_parser("restore", help="replace the store's content with a backup",
                       description="Replace everything in the store (STRIDEWISE_DB) with the "
                                   "backup in DIR made by `backup`.")
    p.add_argument("directory", metavar="DIR", help="folder holding a backup")
    _add_users_parser(sub)
    return parser


# --------------------------------------------------------------------------- accounts

def _open_store():  # noqa: ANN202 - a ScopedStore
    """The store (STRIDEWISE_DB) as the operator sees it: whoever runs the command line has the
    server's shell and database, so admin rights; changes are audited as "command line"."""
    from stridewise.access import Actor, ScopedStore
    from stridewise.store import Store

    return ScopedStore(Store.from_env(), Actor.operator())


def _add_users_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help="club accounts: add, grant, revoke, list",
                       description="Manage the accounts of club mode (STRIDEWISE_AUTH=local or "
                                   "oidc) as an admin operation.")
    us = p.add_subparsers(dest="users_command", metavar="ACTION", parser_class=_Parser)
    q = us.add_parser("add", help="create an account")
    q.add_argument("email", metavar="EMAIL")
    q.add_argument("--role", required=True, choices=["admin", "coach", "athlete"])
    q.add_argument("--athlete", default=None,
                   help="the athlete an athlete account owns (default: the e-mail's name part)")
    q.add_argument("--squad", action="append", default=[], metavar="NAME",
                   help="limit a coach to this squad (an assistant coach; repeatable)")
    q.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of stdin (else an invitation "
                        "link is printed)")
    q = us.add_parser("grant", help="give a coach or a squad access to an athlete")
    q.add_argument("athlete", metavar="ATHLETE")
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--to", metavar="EMAIL", help="the coach's e-mail")
    g.add_argument("--squad", metavar="NAME")
    q = us.add_parser("revoke", help="withdraw a grant")
    q.add_argument("athlete", metavar="ATHLETE")
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--from", dest="from_", metavar="EMAIL", help="the coach's e-mail")
    g.add_argument("--squad", metavar="NAME")
    q = us.add_parser("coach", help="make a coach a coach of a squad (or no longer)")
    q.add_argument("squad", metavar="SQUAD")
    q.add_argument("--coach", required=True, metavar="EMAIL")
    q.add_argument("--remove", action="store_true", help="no longer coaches the squad")
    q = us.add_parser("list", help="accounts, grants and squads")
    _add_format(q)


def _cmd_users(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from stridewise.access import Actor
    from stridewise.accounts import Accounts

    if not getattr(args, "users_command", None):
        raise UsageError("Say what to do: users add|grant|revoke|coach|list.")
    store = _open_store()
    acc, op = Accounts(store), Actor.operator()
    try:
        cmd = args.users_command
        if cmd == "add":
            password = None
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\r\n")
                if not password:
                    raise UsageError("--password-stdin read no password from stdin.")
            user = acc.create_user(args.email, args.role, args.athlete, password,
                                   squads=args.squad, by=op)
            out.write(f"Added {user.email} ({user.role}"
                      + (f", athlete {user.athlete}" if user.athlete else "") + ")\n")
            if password is None:
                token = acc.invite(user.email, user.role, user.athlete, by=op)
                out.write(f"One-time link to set the password (valid 3 days): "
                          f"/?invite={token}\n")
        elif cmd == "grant":
            acc.grant(args.athlete, coach=args.to, squad=args.squad, by=op)
            out.write(f"{args.athlete}: access granted to {args.to or 'squad ' + args.squad}\n")
        elif cmd == "revoke":
            had = acc.revoke(args.athlete, coach=args.from_, squad=args.squad, by=op)
            who = args.from_ or "squad " + args.squad
            out.write(f"{args.athlete}: access of {who} revoked\n" if had else
                      f"{args.athlete}: {who} had no access\n")
        elif cmd == "coach":
            acc.set_squad_coach(args.squad, args.coach, by=op, coaches=not args.remove)
            out.write(f"{args.coach} {'no longer coaches' if args.remove else 'coaches'} "
                      f"{args.squad}\n")
        else:
            users = acc.users(op)
            grants = acc.grants(op)
            squads = acc.squads()
            users["access_to"] = [
                ", ".join(sorted(set(grants.loc[(grants["kind"] == "coach")
                                                & (grants["grantee"] == e), "athlete"])))
                for e in users["email"]]
            users["coaches_squads"] = [", ".join(squads.loc[squads["coach"] == e, "squad"])
                                       for e in users["email"]]
            write_table(users.drop(columns=["user_id"]), args.format, out)
    finally:
        store.close()
    return EXIT_OK


# --------------------------------------------------------------------------- reading files

def _expand(paths: Sequence[str]) -> list[Path]:
    from stridewise.ingest.garminexport import is_export_dir

    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir() and not is_export_dir(p):
            out.extend(sorted(q for q in p.rglob("*") if q.is_file()
                              and not q.name.startswith(".")))
        else:
            out.append(p)
    return out


def _progress_printer(err: TextIO, name: str):
    last = [-1]

    def progress(fraction: float, text: str) -> None:
        step = int(fraction * 10)
        if step != last[0]:
            last[0] = step
            err.write(f"{name}: {fraction:4.0%} {text}\n")
            err.flush()

    return progress


def read_files(paths: Sequence[str], *, athlete: str, tz: str, units: str | None,
               err: TextIO) -> tuple[list, int]:
    """Read every path; report each on ``err``. Returns (reports, number of failures)."""
    from stridewise.ingest import ReadContext, read_path

    reports, failures = [], 0
    files = _expand(paths)
    if not files:
        raise UsageError("No files found at the given paths.")
    for f in files:
        ctx = ReadContext(athlete=athlete, tz=tz, units=units,  # type: ignore[arg-type]
                          progress=_progress_printer(err, f.name))
        try:
            report = read_path(f, ctx)
        except UsageError:
            raise
        except StridewiseError as exc:
            failures += 1
            err.write(f"{f}: {exc.message}\n")
            continue
        reports.append(report)
        for line in report.summary_lines():
            err.write(line + "\n")
    return reports, failures


def _sessions_from(reports: list) -> pd.DataFrame:
    from stridewise.schema import empty_sessions

    frames = [r.sessions for r in reports if len(r.sessions)]
    if not frames:
        return empty_sessions()
    df = pd.concat(frames, ignore_index=True)
    # overlapping exports carry the same session ids: keep one
    return df.drop_duplicates("session_id", keep="first").reset_index(drop=True)


def _profiles(args: argparse.Namespace, athletes: Sequence[str]) -> dict:
    from stridewise.settings import AthleteProfile

    if args.hr_max is None and args.hr_rest is None and args.sex is None:
        return {}
    prof = AthleteProfile(hr_max=args.hr_max, hr_rest=args.hr_rest, sex=args.sex)
    return {a: prof for a in athletes}


def _settings(args: argparse.Namespace):
    from dataclasses import replace

    from stridewise.settings import DEFAULT_SETTINGS

    return replace(DEFAULT_SETTINGS, week_start=getattr(args, "week_start", "monday"),
                   units=getattr(args, "display_units", None) or DEFAULT_SETTINGS.units)


def _heuristic_note(err: TextIO, settings) -> None:  # noqa: ANN001
    from stridewise.assessment import ratio_name
    from stridewise.risk import HEURISTIC_VERSION

    err.write(f"Injury-risk heuristic version {HEURISTIC_VERSION}; ratio shown: "
              f"{ratio_name(settings.risk.acwr_metric)}. A heuristic, not a diagnosis.\n")


# --------------------------------------------------------------------------- writing output

def _jsonable(v: object) -> object:
    if v is None:
        return None
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if isinstance(v, pd.Timestamp):
        return v.isoformat() if (v.hour or v.minute or v.second) else v.date().isoformat()
    if v is pd.NaT:
        return None
    if hasattr(v, "item"):
        return _jsonable(v.item())
    return v


def write_table(df: pd.DataFrame, fmt: str, out: TextIO) -> None:
    """CSV (formula-neutralised, ``inf`` for infinities, NaN empty) or a JSON array.

    Floats are rounded to 6 decimals: far below any unit's meaning, and free of binary noise
    such as 69.19999999999999.
    """
    floats = df.select_dtypes("float").columns
    if len(floats):
        df = df.assign(**{c: df[c].round(6) for c in floats})
    if fmt == "json":
        records = [{k: _jsonable(v) for k, v in row.items()}
                   for row in df.to_dict(orient="records")]
        out.write(json.dumps(records, ensure_ascii=False, default=str))
        out.write("\n")
        return
    from stridewise.exports import csv_bytes

    out.write(csv_bytes(df).decode("utf-8"))


def _columns(df: pd.DataFrame, wanted: Sequence[str]) -> pd.DataFrame:
    return df[[c for c in wanted if c in df.columns]]


# --------------------------------------------------------------------------- commands

def _cmd_sessions(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from stridewise.pipeline import analyse

    athlete = args.athlete or "me"
    reports, failures = read_files(args.paths, athlete=athlete, tz=args.tz, units=args.units,
                                   err=err)
    sessions = _sessions_from(reports)
    analysis = analyse(sessions, settings=_settings(args), profiles=_profiles(args, [athlete]))
    if args.command == "sessions":
        table = _columns(analysis.sessions.sort_values(["athlete", "start"]),
                         SESSION_COLUMNS_OUT)
    else:
        table = _columns(analysis.weekly, WEEKLY_COLUMNS)
    write_table(table, args.format, out)
    return EXIT_FAILED if failures else EXIT_OK


def _read_daily_load(path: str) -> pd.DataFrame:
    from stridewise.errors import UnreadableFile
    from stridewise.ingest.base import MAX_FILE_BYTES

    try:
        size = Path(path).stat().st_size
    except OSError:
        size = 0  # a missing file is reported by read_csv below
    if size > MAX_FILE_BYTES:
        raise UnreadableFile(f"{path} is {size / 1e6:.0f} MB, above the "
                             f"{MAX_FILE_BYTES // 2**20} MB limit for one file.")
    try:
        df = pd.read_csv(path)
    except FileNotFoundError as exc:
        raise UnreadableFile(f"{path} does not exist.") from exc
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise UnreadableFile(f"{path} is not a readable CSV file ({exc}).") from exc
    cols = {c.strip().lower(): c for c in df.columns}
    if "date" not in cols or "load" not in cols:
        raise UnreadableFile(
            f"{path} needs the columns date and load (it has: {', '.join(map(str, df.columns))}).")
    dates = pd.to_datetime(df[cols["date"]], errors="coerce")
    loads = pd.to_numeric(df[cols["load"]], errors="coerce")
    bad = dates.isna() | loads.isna() | (loads < 0)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 2
        raise UnreadableFile(f"{path}, line {row}: needs a date and a load of 0 or more "
                             f"(found {df.iloc[row - 2].tolist()}).")
    if dates.empty:
        raise UnreadableFile(f"{path} holds no days.")
    return pd.DataFrame({"date": dates.dt.normalize(), "load": loads.astype(float)})


def _cmd_risk(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from stridewise import risk
    from stridewise.pipeline import analyse

    if args.daily_load:
        if args.paths:
            raise UsageError("Give either --daily-load FILE or export files, not both.")
        daily = _read_daily_load(args.daily_load)
        table = risk.daily_metrics(daily, settings=_settings(args))
        write_table(_columns(table, risk.RISK_COLUMNS), args.format, out)
        _heuristic_note(err, _settings(args))
        return EXIT_OK
    if args.store:
        return _risk_from_store(args, out, err)
    if not args.paths:
        raise UsageError("risk needs export files (PATH ...), --store or --daily-load FILE.csv.")
    athlete = args.athlete or "me"
    reports, failures = read_files(args.paths, athlete=athlete, tz=args.tz, units=args.units,
                                   err=err)
    settings = _settings(args)
    as_of = None
    if args.as_of:
        as_of = pd.to_datetime(args.as_of, errors="coerce")
        if pd.isna(as_of):
            raise UsageError(f"--as-of needs a date such as 2026-12-07, not {args.as_of!r}.")
    analysis = analyse(_sessions_from(reports), settings=settings,
                       profiles=_profiles(args, [athlete]), end=as_of)
    table = analysis.risk
    if args.latest:
        from stridewise.assessment import assess_all, roster_frame

        found = assess_all(analysis, settings=settings, as_of=as_of)
        write_table(roster_frame(found).drop(columns=["acwr_status"]), args.format, out)
    else:
        cols = (["athlete"] if table["athlete"].nunique() > 1 else []) + risk.RISK_COLUMNS
        write_table(_columns(table, cols), args.format, out)
    _heuristic_note(err, settings)
    return EXIT_FAILED if failures else EXIT_OK


def _risk_from_store(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``risk --store``: the stored athletes with the store's settings (as the app shows them)."""
    from dataclasses import replace

    from stridewise import risk
    from stridewise.assessment import assess_all, roster_frame
    from stridewise.pipeline import analyse_store, store_settings

    if args.paths:
        raise UsageError("Give either --store or export files, not both.")
    as_of = pd.Timestamp.today().normalize()
    if args.as_of:
        as_of = pd.to_datetime(args.as_of, errors="coerce")
        if pd.isna(as_of):
            raise UsageError(f"--as-of needs a date such as 2026-12-07, not {args.as_of!r}.")
    store = _open_store()
    try:
        settings = store_settings(store)
        if args.display_units:
            settings = replace(settings, units=args.display_units)
        names = [args.athlete] if args.athlete else None
        analysis = analyse_store(store, names, settings=settings, end=as_of)
        if args.latest:
            found = assess_all(analysis, settings=settings, as_of=as_of, athletes=names)
            write_table(roster_frame(found).drop(columns=["acwr_status"]), args.format, out)
        else:
            write_table(_columns(analysis.risk, ["athlete", *risk.RISK_COLUMNS]), args.format, out)
    finally:
        store.close()
    _heuristic_note(err, settings)
    return EXIT_OK


def _import_garmin_exports(store, paths: list[Path], args: argparse.Namespace, out: TextIO,
                           err: TextIO) -> int:
    """Garmin account exports go in part by part (resumable); returns the failures."""
    from stridewise.archive_import import import_export
    from stridewise.ingest import ReadContext
    from stridewise.ingest.garminexport import PART_FILES

    if args.part_files is not None and args.part_files < 1:
        raise UsageError("--part-files must be 1 or more.")
    failures = 0
    for p in paths:
        ctx = ReadContext(athlete=args.athlete, tz=args.tz, units=args.units,
                          progress=_progress_printer(err, p.name))
        if args.athlete not in set(store.athletes()["name"]):
            store.upsert_athlete(args.athlete, tz=args.tz, units=args.units or "km")
        def committed(part, res, name=p.name) -> None:
            err.write(f"{name}: committed part {part.index + 1} of {part.n_parts} "
                      f"({res.added} new, {res.merged} merged, "
                      f"{res.unchanged + res.updated} already stored)\n")
            err.flush()

        try:
            res = import_export(store, p, athlete=args.athlete, ctx=ctx, on_part=committed,
                                part_files=args.part_files or PART_FILES)
        except UsageError:
            raise
        except StridewiseError as exc:
            failures += 1
            err.write(f"{p}: {exc.message}\n")
            continue
        for line in res.report_lines:
            err.write(line + "\n")
        out.write(res.summary() + "\n")
    return failures


def _cmd_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from stridewise.ingest.garminexport import is_export_dir, is_export_file

    store = _open_store()
    garmin = [p for p in map(Path, args.paths)
              if is_export_dir(p) or (p.is_file() and p.suffix.lower() == ".zip"
                                      and is_export_file(p))]
    failures = _import_garmin_exports(store, garmin, args, out, err)
    rest = [raw for raw in args.paths if Path(raw) not in garmin]
    reports, failed = read_files(rest, athlete=args.athlete, tz=args.tz, units=args.units,
                                 err=err) if rest else ([], 0)
    failures += failed
    if reports and args.athlete not in set(store.athletes()["name"]):
        store.upsert_athlete(args.athlete, tz=args.tz, units=args.units or "km")
    for report in reports:
        result = store.import_report(report, athlete=args.athlete, tz=args.tz)
        out.write(result.summary() + "\n")
    total = len(store.sessions([args.athlete]))
    out.write(f"{args.athlete}: {total} sessions in the store\n")
    return EXIT_FAILED if failures else EXIT_OK


def _cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from stridewise.exports import parquet_bytes
    from stridewise.pipeline import analyse_store

    store = _open_store()
    names = list(store.athletes()["name"])
    if args.athlete is not None and args.athlete not in names:
        raise UsageError(f"No athlete called '{args.athlete}' in the store "
                         f"(stored: {', '.join(names) or 'none'}).")
    if sum(bool(x) for x in (args.wellness, args.checkins, args.niggles)) > 1:
        raise UsageError("Choose one of --wellness, --checkins and --niggles.")
    only = [args.athlete] if args.athlete else None
    if args.wellness:
        table = store.wellness(only).drop(columns=["import_id"])
    elif args.checkins:
        table = store.checkins(only)
    elif args.niggles:
        from stridewise.niggles import niggle_table

        table = niggle_table(store.niggles(only), store.niggle_updates(only))
    else:
        analysis = analyse_store(store, [args.athlete] if args.athlete else None)
        table = _columns(analysis.sessions, SESSION_COLUMNS_OUT + ["notes"])
    store.record_export([args.athlete] if args.athlete else names,
                        f"command-line export ({'wellness' if args.wellness else 'sessions'}, "
                        f"{args.format})")
    if args.format == "parquet":
        data = parquet_bytes(table)
        if args.output:
            Path(args.output).write_bytes(data)
        elif out is sys.stdout and sys.stdout.isatty():
            raise UsageError("Parquet is binary: give --output FILE.parquet or redirect stdout.")
        else:
            buffer = getattr(out, "buffer", None)
            if buffer is None:
                raise UsageError("Parquet is binary: give --output FILE.parquet.")
            buffer.write(data)
        return EXIT_OK
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as fh:
            write_table(table, args.format, fh)
    else:
        write_table(table, args.format, out)
    return EXIT_OK


def _cmd_watch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from stridewise import watch

    settle = watch.SETTLE_S if args.settle is None else args.settle
    poll = watch.POLL_S if args.poll is None else args.poll
    if settle < 0 or poll <= 0:
        raise UsageError("--settle must be 0 or more and --poll more than 0 seconds.")
    store = _open_store()
    failed = [0]

    def say(ev) -> None:
        if ev.kind == "failed":
            failed[0] += 1
            err.write(f"{ev.name}: {ev.message} -> {ev.path}\n")
        elif ev.kind == "seen":
            err.write(f"{ev.message}\n")
        else:
            out.write(f"{ev.message} -> {ev.path}\n")
        out.flush()
        err.flush()

    watcher = watch.FolderWatcher(args.directory, store, args.athlete, tz=args.tz,
                                  units=args.units, settle_s=settle, on_event=say)
    if args.once:
        watcher.run_until_idle(poll_s=poll)
        return EXIT_FAILED if failed[0] else EXIT_OK
    import threading

    err.write(f"Watching {watcher.folder} for {args.athlete} (Ctrl-C stops).\n")
    err.flush()
    try:
        watcher.run(threading.Event(), poll)
    except KeyboardInterrupt:
        err.write("Stopped watching.\n")
    return EXIT_OK


def _count(store) -> str:
    n, k = len(store.sessions()), len(store.athletes())
    return f"{n} session{'s' * (n != 1)} of {k} athlete{'s' * (k != 1)}"


def _cmd_backup(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:

    store = _open_store()
    folder = store.backup(args.directory)
    out.write(f"Backed up {_count(store)} to {folder}\n")
    return EXIT_OK


def _cmd_restore(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:

    store = _open_store()
    store.restore(args.directory)
    out.write(f"Restored {_count(store)} from {args.directory}\n")
    return EXIT_OK


COMMANDS = {"sessions": _cmd_sessions, "weekly": _cmd_sessions, "risk": _cmd_risk,
            "import": _cmd_import, "watch": _cmd_watch, "export": _cmd_export, "backup": _cmd_backup,
            "restore": _cmd_restore, "users": _cmd_users}


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 a file/store failed, 2 usage)."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not args.command:
        parser.print_help(err)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args, out, err)
    except UsageError as exc:
        err.write(f"stridewise: {exc.message}\n")
        return EXIT_USAGE
    except StridewiseError as exc:
        err.write(f"stridewise: {exc.message}\n")
        return EXIT_FAILED
    except BrokenPipeError:  # pragma: no cover - e.g. `| head`
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - no traceback reaches the user
        if os.environ.get("STRIDEWISE_DEBUG"):
            raise
        err.write(f"stridewise: something went wrong inside Stridewise ({type(exc).__name__}: "
                  f"{exc}). Run again with STRIDEWISE_DEBUG=1 to see the details.\n")
        return EXIT_FAILED

