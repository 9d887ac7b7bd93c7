"""Hostile files through the command line: outcome, peak memory and time per attack.

Builds every attack of the hostile test tier (tests/hostile/attacks.py) in a temporary folder
and runs ``python -m stridewise sessions FILE`` on each in a child process with RLIMIT_CPU =
30 s and an address-space cap (tests/hostile/hostile_harness.py). Prints one row per attack:
exit code, peak resident memory of the largest process ("peak MB") and of all its processes
together ("all MB", sampled; shared pages counted in each process), CPU seconds (the child and its worker
processes), wall seconds (depends on the machine's load), and the first line of the outcome.

    .venv/bin/python benchmarks/bench_hostile.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hostile"))

import attacks as A  # noqa: E402
from hostile_harness import PEAK_RSS_GOAL_MB, run_cli  # noqa: E402

ATTACKS = {
    "csv.gz bomb (6 GB unpacked)": A.csv_gzip_bomb,
    "fit.gz bomb (12 GB unpacked)": A.fit_gzip_bomb,
    "FIT, 20 million empty messages": A.fit_zero_size_messages,
    "FIT, 5,000 sessions x 50,000 sets x 200,000 records": lambda d: A.fit_sessions_sets_records(d)[0],
    "zip of 64 .fit.gz of 150 MB (workers)": A.zip_of_gz_bombs,
    "CSV, 1 million columns": A.csv_million_columns,
    "CSV, 100 MiB title cell": A.csv_huge_title,
    "4 GiB file (sparse)": A.sparse_4gib,
    "UTF-16 GPX declaring entities": A.utf16_xml_entities,
    "GPX of 91 MB": A.gpx_huge,
    "CSV with a NUL byte": A.csv_with_nul,
}


def main() -> int:
    print(f"{'attack':54s} {'exit':>4s} {'peak MB':>8s} {'all MB':>7s} {'CPU s':>6s} "
          f"{'wall s':>7s}  outcome")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in ATTACKS.items():
            folder = Path(tmp) / str(abs(hash(name)))
            folder.mkdir()
            path = build(folder)
            run = run_cli("sessions", str(path), "--format", "json")
            lines = [ln for ln in run.stderr.splitlines() if ln.startswith(f"{path}: ")]
            outcome = (lines[0][len(str(path)) + 2:] if lines else
                       f"imported {run.stdout.count('session_id')} session(s)")
            if run.killed:
                outcome = f"KILLED by {run.killed}"
            worst = max(worst, run.peak_rss_mb, run.tree_peak_mb)
            print(f"{name:54s} {run.returncode:4d} {run.peak_rss_mb:8.0f} "
                  f"{run.tree_peak_mb:7.0f} {run.cpu_s:6.1f} "
                  f"{run.wall_s:7.1f}  {outcome[:110]}", flush=True)
            for p in folder.iterdir():
                p.unlink()
    print(f"largest peak: {worst:.0f} MB (goal below {PEAK_RSS_GOAL_MB} MB)")
    return 0 if worst < PEAK_RSS_GOAL_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
