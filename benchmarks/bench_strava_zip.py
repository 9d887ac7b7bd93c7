"""Strava export zip speed: a synthetic 1,000-activity export built from corpus files.

Run:  PYTHONPATH=src python benchmarks/bench_strava_zip.py [--activities 1000] [--cores 2]

Builds, in a temporary directory, a zip laid out like a Strava bulk export: ``activities.csv``
(legacy layout, one row per activity) and ``activities/<n>.fit.gz`` / ``.gpx.gz`` / ``.tcx.gz``
files cycling through every activity file of ../shared/corpus/fit, gpx and tcx (gzipped, as
Strava stores them), plus a few media files. Then times the import of the whole zip (join,
enrichment, parallel file reading) restricted to ``--cores`` CPU cores, and the analysis of the
imported sessions. Target: the import under 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stridewise.ingest import read_path  # noqa: E402
from stridewise.ingest.base import ReadContext  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
NOT_ACTIVITIES = {"fitparse_MonitoringFile.fit", "fitparse_WorkoutIndividualSteps.fit",
                  "runalyze_Route-only.gpx"}
TYPES = {".fit": "Run", ".gpx": "Run", ".tcx": "Ride"}


def sources() -> list[tuple[str, bytes]]:
    out = []
    for sub in ("fit", "gpx", "tcx"):
        for p in sorted((CORPUS / sub).iterdir()):
            if p.name in NOT_ACTIVITIES:
                continue
            data = p.read_bytes()
            if p.suffix == ".gz":
                data = gzip.decompress(data)
                ext = Path(p.stem).suffix
            else:
                ext = p.suffix
            out.append((ext, data))
    return out


def build(path: Path, n: int) -> int:
    src = sources()
    gz = [(ext, gzip.compress(data, compresslevel=6)) for ext, data in src]
    lines = ["id,date,name,type,description,elapsed_time,distance,commute,gear,filename"]
    t0 = datetime(2020, 1, 1, 6, 0)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for i in range(n):
            ext, data = gz[i % len(gz)]
            upload = 9_000_000_000 + i
            name = f"activities/{upload}{ext}.gz"
            z.writestr(name, data)
            start = t0 + timedelta(hours=13 * i)
            lines.append(f"{1_000_000 + i},{start:%Y-%m-%d %H:%M:%S},Activity {i},{TYPES[ext]},,"
                         f"{1800 + i},{5000 + i},false,,{name}")
        for k in range(5):
            z.writestr(f"media/{k}.jpg", os.urandom(2048))
        z.writestr("activities.csv", "\n".join(lines) + "\n")
        z.writestr("profile.csv", "Athlete ID,First Name\n1,Ann\n")
    return path.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--activities", type=int, default=1000)
    ap.add_argument("--cores", type=int, default=2)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))[: args.cores]
        os.sched_setaffinity(0, set(cpus))
        print(f"restricted to {len(cpus)} core(s): {cpus}")
    with tempfile.TemporaryDirectory() as tmp:
        zpath = Path(tmp) / "export_1000.zip"
        size = build(zpath, args.activities)
        print(f"built {zpath.name}: {args.activities} activities, {size / 1e6:.1f} MB zipped")
        last = [0.0]

        def progress(fraction: float, text: str) -> None:
            if fraction - last[0] >= 0.25 or fraction >= 1.0:
                last[0] = fraction
                print(f"  progress {fraction:4.0%} {text}")

        t = time.perf_counter()
        report = read_path(zpath, ReadContext(tz="Europe/London", progress=progress))
        t_import = time.perf_counter() - t
        print(f"import: {t_import:.2f} s for {report.n_sessions} sessions "
              f"({report.format})")
        for line in report.summary_lines()[2:8]:
            print("  " + line.strip())
        try:
            from stridewise.pipeline import analyse
            from stridewise.settings import DEFAULT_SETTINGS
        except ImportError as exc:  # analytics not present in this checkout
            print(f"analysis skipped: {exc}")
        else:
            t = time.perf_counter()
            analyse(report.sessions, settings=DEFAULT_SETTINGS)
            print(f"analysis: {time.perf_counter() - t:.2f} s")
        print(f"target < 30 s on {args.cores} cores: {'met' if t_import < 30 else 'NOT met'}")


if __name__ == "__main__":
    main()
