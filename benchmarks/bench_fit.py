"""FIT decoding speed: Stridewise's skip-by-size reader vs fitdecode's full decode.

Run:  PYTHONPATH=src python benchmarks/bench_fit.py [--repeat N]

Reads the 37 corpus FIT files (../shared/corpus/fit, .fit.gz unpacked first, outside the
timing) and times, side by side in one run and on the same bytes:

* fitdecode: a full decode (every frame of every file, as ``FitReader`` yields them);
* Stridewise ``fit.decode``: the messages Stridewise needs (file_id, session, lap, set, sport,
  activity), everything else skipped by size;
* Stridewise decode + ``sessions_from_fit``: the FIT reader's full output, session summaries
  and sets (plus the per-second records pass where a session lacks its distance);
* Stridewise ``fit.read``: the whole importer, bytes -> validated canonical sessions DataFrame
  (adds the per-file pandas finishing shared by every importer).

Prints MB/s for each and the speed-up over fitdecode (best of N runs each). Target: >= 20x.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stridewise.errors import StridewiseError  # noqa: E402
from stridewise.ingest import fit  # noqa: E402
from stridewise.ingest.base import ReadContext  # noqa: E402

CORPUS_FIT = ROOT.parent / "shared" / "corpus" / "fit"


def load() -> list[tuple[str, bytes]]:
    files = []
    for p in sorted(CORPUS_FIT.iterdir()):
        data = p.read_bytes()
        files.append((p.name, gzip.decompress(data) if p.suffix == ".gz" else data))
    return files


def run_fitdecode(files: list[tuple[str, bytes]]) -> int:
    import io

    import fitdecode

    frames = 0
    for _name, data in files:
        try:
            with fitdecode.FitReader(io.BytesIO(data)) as reader:
                for _frame in reader:
                    frames += 1
        except fitdecode.FitError:
            pass  # damaged corpus files: the time spent until the error still counts
    return frames


def run_ours_decode(files: list[tuple[str, bytes]]) -> int:
    return sum(len(fit.decode(data).sessions) for _name, data in files)


def run_ours_summaries(files: list[tuple[str, bytes]]) -> int:
    n = 0
    for name, data in files:
        rows, _warnings = fit.sessions_from_fit(fit.decode(data), name, data)
        n += len(rows)
    return n


def run_ours_read(files: list[tuple[str, bytes]]) -> int:
    ctx = ReadContext(tz="Europe/Berlin")
    n = 0
    for name, data in files:
        try:
            n += fit.read(data, name, ctx).n_sessions
        except StridewiseError:
            pass  # the two non-activity files are refused
    return n


def best_of(fn, files, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn(files)
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not CORPUS_FIT.is_dir():
        sys.exit(f"corpus not found at {CORPUS_FIT}")
    files = load()
    mb = sum(len(d) for _n, d in files) / 1e6
    print(f"{len(files)} FIT files, {mb:.2f} MB (unpacked)")
    t_fd = best_of(run_fitdecode, files, max(1, args.repeat - 1))
    t_dec = best_of(run_ours_decode, files, args.repeat)
    t_sum = best_of(run_ours_summaries, files, args.repeat)
    t_read = best_of(run_ours_read, files, args.repeat)
    print(f"{'fitdecode full decode':32s} {t_fd:7.3f} s  {mb / t_fd:7.2f} MB/s")
    print(f"{'stridewise fit.decode':32s} {t_dec:7.3f} s  {mb / t_dec:7.2f} MB/s  "
          f"speed-up {t_fd / t_dec:5.1f}x")
    print(f"{'stridewise decode + summaries':32s} {t_sum:7.3f} s  {mb / t_sum:7.2f} MB/s  "
          f"speed-up {t_fd / t_sum:5.1f}x")
    print(f"{'stridewise fit.read (DataFrame)':32s} {t_read:7.3f} s  {mb / t_read:7.2f} MB/s  "
          f"speed-up {t_fd / t_read:5.1f}x")
    print(f"target >= 20x for the reader (decode + session summaries): "
          f"{'met' if t_fd / t_sum >= 20 else 'NOT met'}; fit.read adds the shared per-file "
          "DataFrame finishing step (base.finish_sessions).")


if __name__ == "__main__":
    main()
