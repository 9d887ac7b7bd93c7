"""Benchmark: importing a 10,000-row Strava activities.csv vs pyarrow's raw CSV parse.

Builds the file in a temporary directory from the rows of the corpus export
``strava/strava_2024-2025_99col_en_run_swim.csv`` (99 columns; each copy gets a fresh Activity
ID and dates shifted by whole days, so every row is a distinct session), then times

* ``stridewise.ingest.read_path`` (decode, parse, recognise, localised values, UTC -> zone,
  session ids, validation), and
* ``pyarrow.csv.read_csv`` of the same file (raw parse only, multithreaded),

and prints both (best of N interleaved runs), their ratio and the median of the per-round
ratios. Target: import <= 3x the raw parse. The import reads the file on one thread, the raw
parse uses all cores, so the ratio is higher on an idle multi-core machine than on a busy one;
the load average is printed to judge that.

Run: ``PYTHONPATH=src python benchmarks/bench_csv_import.py [--rows 10000] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stridewise.ingest import ReadContext, csvtable, read_path  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
SOURCE = CORPUS / "strava" / "strava_2024-2025_99col_en_run_swim.csv"


def build(path: Path, rows: int) -> int:
    """Write a ``rows``-row activities.csv made of corpus rows; returns its size in bytes."""
    text = SOURCE.read_text(encoding="utf-8")
    records = list(csv.reader(io.StringIO(text)))
    header, body = records[0], records[1:]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    n = 0
    copy = 0
    while n < rows:
        shift = pd.Timedelta(days=7 * copy)
        for rec in body:
            if n >= rows:
                break
            r = list(rec)
            r[0] = str(20_000_000_000 + n)
            when = pd.to_datetime(r[1], format="%b %d, %Y, %I:%M:%S %p") + shift
            r[1] = f"{when:%b} {when.day}, {when.year}, {when:%I:%M:%S %p}".replace(" 0", " ")
            w.writerow(r)
            n += 1
        copy += 1
    data = out.getvalue().encode("utf-8")
    path.write_bytes(data)
    return len(data)


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if not SOURCE.exists():
        sys.exit(f"corpus file not found: {SOURCE}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "activities.csv"
        size = build(path, args.rows)
        ctx = ReadContext(athlete="bench", tz="Europe/Berlin")
        report = read_path(path, ctx)
        assert report.n_sessions == args.rows, (report.n_sessions, report.skipped[:3])
        parse_opts = pacsv.ParseOptions(newlines_in_values=True)
        raw = pacsv.read_csv(path, parse_options=parse_opts)
        assert raw.num_rows == args.rows
        # Interleave the two so both see the same machine load; report best-of and the median
        # of the per-round ratios.
        pairs = []
        for _ in range(args.repeat):
            a = best_of(lambda: pacsv.read_csv(path, parse_options=parse_opts), 1)
            o = best_of(lambda: read_path(path, ctx), 1)
            pairs.append((o, a))
        ours = min(o for o, _ in pairs)
        arrow = min(a for _, a in pairs)
        median_ratio = sorted(o / a for o, a in pairs)[len(pairs) // 2]
        # Share of the shared finishing step (ids, normalise, validate in ingest.base).
        spent: list[float] = []
        original = csvtable.finish_sessions

        def timed(*a, **kw):
            t0 = time.perf_counter()
            try:
                return original(*a, **kw)
            finally:
                spent.append(time.perf_counter() - t0)

        csvtable.finish_sessions = timed
        try:
            best_of(lambda: read_path(path, ctx), args.repeat)
        finally:
            csvtable.finish_sessions = original
        finishing = min(spent)
    print(f"file: {args.rows} rows x {raw.num_columns} columns, {size / 1e6:.1f} MB "
          f"(built from {SOURCE.name})")
    print(f"stridewise import (read_path):  {ours * 1000:8.1f} ms  "
          f"({args.rows / ours:,.0f} rows/s)")
    print(f"pyarrow.csv.read_csv (raw):     {arrow * 1000:8.1f} ms")
    print(f"ratio import / raw parse:       {ours / arrow:8.2f}x  best-of; "
          f"{median_ratio:.2f}x median of interleaved rounds  (target <= 3x)")
    print(f"  of which base.finish_sessions (ids, normalise, validate): {finishing * 1000:.1f} ms;"
          f" CSV reading and value parsing: {(ours - finishing) * 1000:.1f} ms "
          f"({(ours - finishing) / arrow:.2f}x the raw parse)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f}")


if __name__ == "__main__":
    main()
