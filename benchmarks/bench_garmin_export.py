"""Garmin account export: a synthetic 5,000-activity export, read and imported resumably.

Run:  PYTHONPATH=src python benchmarks/bench_garmin_export.py [--activities 5000]
          [--part-files 500] [--cores 2] [--records 1800]

Builds, in a temporary directory, a zip laid out as Garmin delivers its account export
(tests/fixtures/garmin/garminbuilder.py; synthetic values, no personal data): the activity
summaries in ``DI-Connect-Fitness/*_summarizedActivities.json`` (100 per file), one FIT file per
activity (written from the FIT protocol, ``--records`` per-second records each, strength
sessions with sets) in nested ``UploadedFiles_0-_PartN.zip`` zips of 1,000 files, and five
years of daily resting heart rate, sleep, HRV and body weight. Then, restricted to ``--cores``:

1. reads the whole export into one report (``ingest.read_path``), with its progress report;
2. imports it into a fresh SQLite store part by part (``archive_import.import_export``);
3. imports it again into another store, interrupted after a third of the parts, and resumes.

Each step runs in a fresh process and prints its wall time, its CPU time and its peak memory
(max resident set of the step's process and, separately, of its largest worker process).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "garmin"))
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "fit"))

import fitbuilder as fb  # noqa: E402
import garminbuilder as gb  # noqa: E402

from stridewise import archive_import  # noqa: E402
from stridewise.ingest import read_path  # noqa: E402
from stridewise.ingest.base import ReadContext  # noqa: E402
from stridewise.store import Store  # noqa: E402

KINDS = ["running", "running", "trail_running", "running", "strength_training", "cycling",
         "treadmill_running", "yoga", "walking"]


def _fit(start: datetime, kind: str, minutes: float, km: float | None, records: int) -> bytes:
    sport, sub = gb.FIT_SPORT[kind]
    sess = {"start": start, "sport": sport, "sub_sport": sub, "elapsed": minutes * 60,
            "timer": minutes * 57, "calories": 400, "avg_hr": 140, "max_hr": 170}
    if km:
        sess["distance"] = km * 1000
    sets = []
    if kind == "strength_training":
        sets = [{"start": start + timedelta(minutes=2 * k), "seconds": 45, "reps": 10,
                 "category": [(28, 17, 19, 20)[k % 4]]} for k in range(12)]
    return fb.activity([sess], sets=sets, records=records).bytes()


def build(path: Path, n: int, records: int) -> tuple[int, int]:
    t0 = datetime(2021, 1, 1, 6, 0)
    acts, parts = [], [{}]
    for i in range(n):
        start = t0 + timedelta(hours=8 * i + i % 5, minutes=i % 37)
        kind = KINDS[i % len(KINDS)]
        km = None if kind in ("strength_training", "yoga") else 4 + i % 12
        minutes = 25 + i % 50
        acts.append(gb.activity(20_000_000 + i, start, kind, minutes=minutes, km=km,
                                name=f"{kind.replace('_', ' ').title()} {i}"))
        if len(parts[-1]) >= 1000:
            parts.append({})
        parts[-1][f"{gb.USER}_{30_000_000 + i}.fit"] = _fit(start, kind, minutes, km, records)
    days = [(t0 + timedelta(days=d)).strftime("%Y-%m-%d") for d in range(5 * 365)]
    files = gb.export_files(
        acts, parts,
        uds=[{"calendarDate": d, "restingHeartRate": 44 + k % 9} for k, d in enumerate(days)],
        sleep=[{"calendarDate": d, "deepSleepSeconds": 5000, "lightSleepSeconds": 14000,
                "remSleepSeconds": 5000 + k % 900} for k, d in enumerate(days)],
        health=[{"calendarDate": d, "metrics": [{"type": "HRV", "value": 50 + k % 20}]}
                for k, d in enumerate(days)],
        bio=[{"metaData": {"calendarDate": d}, "weight": {"weight": 70_000 + k % 2000}}
             for k, d in enumerate(days[::7])])
    path.write_bytes(gb.zip_bytes(files, stored=False))
    return path.stat().st_size, sum(len(v) for v in files.values())


def _rss_mb(who: int) -> float:
    """Peak resident memory in MB: of this process (VmHWM, which starts afresh at exec,
    unlike ru_maxrss), or of the largest waited-for child process (the reading workers)."""
    if who == resource.RUSAGE_SELF:
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


class _Step:
    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> _Step:
        self.t = time.perf_counter()
        self.c = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        wall, cpu = time.perf_counter() - self.t, time.process_time() - self.c
        print(f"{self.name}: {wall:.1f} s wall, {cpu:.1f} s CPU in this process; peak RSS "
              f"{_rss_mb(resource.RUSAGE_SELF):.0f} MB (this process), "
              f"{_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB (largest worker)")
        self.wall = wall


def _progress_printer():
    last = [-1.0]

    def progress(fraction: float, text: str) -> None:
        if fraction - last[0] >= 0.1 or fraction >= 1.0:
            last[0] = fraction
            print(f"  progress {fraction:4.0%} {text}", flush=True)

    return progress


def _committed(part, res) -> None:  # noqa: ANN001
    if part.index % 3 == 0 or part.last:
        print(f"  committed part {part.index + 1} of {part.n_parts}: {res.added} new",
              flush=True)


def step(name: str, zpath: Path, db: Path, part_files: int) -> None:
    """One measured step, run in a fresh process so that its peak memory is its own."""
    if name == "read":
        with _Step("1. read the whole export (one report)"):
            report = read_path(zpath, ReadContext(tz="Europe/Berlin",
                                                  progress=_progress_printer()))
        print(f"   {report.n_sessions} sessions, {len(report.wellness)} wellness rows, "
              f"{report.merged_files} FIT files merged, {len(report.unreadable)} unreadable")
    elif name == "import":
        with Store(str(db)) as store, _Step("2. import into a new SQLite store, part by part"):
            res = archive_import.import_export(
                store, zpath, athlete="ana", part_files=part_files, on_part=_committed,
                ctx=ReadContext(athlete="ana", progress=None))
        print(f"   {res.summary()}")
    elif name == "interrupt":
        with Store(str(db)) as store:
            seen = [0]

            def crash(stage: str) -> None:
                if stage == "commit":
                    seen[0] += 1
                    if seen[0] > 3:
                        raise KeyboardInterrupt

            store.checkpoint = crash
            with _Step("3a. import interrupted while committing part 4"):
                try:
                    archive_import.import_export(store, zpath, athlete="ana",
                                                 part_files=part_files)
                except KeyboardInterrupt:
                    print(f"   interrupted; {len(store.sessions())} sessions stored")
    elif name == "resume":
        with Store(str(db)) as store:
            with _Step("3b. the same import again: resumes at part 4"):
                res = archive_import.import_export(store, zpath, athlete="ana",
                                                   part_files=part_files)
            print(f"   {res.summary()}")
            print(f"   stored after resume: {len(store.sessions(['ana']))} sessions, "
                  f"{len(store.wellness())} wellness rows")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--activities", type=int, default=5000)
    ap.add_argument("--part-files", type=int, default=500)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--records", type=int, default=1800,
                    help="per-second records in each FIT file (file size)")
    ap.add_argument("--step", choices=["read", "import", "interrupt", "resume"],
                    help=argparse.SUPPRESS)
    ap.add_argument("--zip", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step:
        step(args.step, args.zip, args.db, args.part_files)
        return
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))[: args.cores]
        os.sched_setaffinity(0, set(cpus))
        print(f"restricted to {len(cpus)} core(s): {cpus}; load average "
              f"{os.getloadavg()[0]:.1f} (the machine is shared)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        zpath = Path(tmp) / "garmin_export.zip"
        t = time.perf_counter()
        size, unpacked = build(zpath, args.activities, args.records)
        print(f"built {zpath.name} in {time.perf_counter() - t:.0f} s: {args.activities} "
              f"activities, {size / 1e6:.1f} MB zipped, {unpacked / 1e6:.1f} MB of members",
              flush=True)
        for name, db in (("read", "none.db"), ("import", "one.db"), ("interrupt", "two.db"),
                         ("resume", "two.db")):
            subprocess.run([sys.executable, __file__, "--step", name, "--zip", str(zpath),
                            "--db", str(Path(tmp) / db), "--part-files",
                            str(args.part_files)], check=True)
        print(f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
