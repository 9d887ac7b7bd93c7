"""Benchmark: render the Squad page for 50 demo-like athletes through AppTest.

Builds a SQLite database with 50 athletes (the 12 demo athletes' two-year logs, re-imported
under new names, so every athlete has realistic variety), then measures

* first render: the Squad page opened from the home page with nothing of the squad cached
  (every athlete analysed, roster, heat map and volume chart drawn);
* warm rerun: the same session after a widget change (volume metric), served from the caches.

Targets (issue 6): first render <= 2 s, warm rerun <= 0.3 s. Run:

    PYTHONPATH=src python benchmarks/bench_squad_page.py [--athletes 50] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def build_db(path: Path, n_athletes: int) -> None:
    from stridewise import demo
    from stridewise.ingest import ReadContext, read_bytes
    from stridewise.store import Store

    files = demo.demo_files(demo.current_anchor())
    roster = json.loads(files["squad.json"])["athletes"]
    store = Store(str(path))
    for i in range(n_athletes):
        info = roster[i % len(roster)]
        name = info["name"] if i < len(roster) else f"{info['name']} {i // len(roster) + 1}"
        store.upsert_athlete(name, group=info["group"], hr_max=info["hr_max"],
                             hr_rest=info["hr_rest"], sex=info["sex"], tz=info["tz"],
                             units=info["units"], is_demo=True)
        ctx = ReadContext(athlete=name, tz=info["tz"], units=info["units"])
        store.import_report(read_bytes(files[info["file"]], info["file"], ctx), athlete=name,
                            is_demo=True)
    store.close()


def measure(db: Path) -> tuple[float, float, int]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["STRIDEWISE_DB"] = str(db)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()  # the home page opens the store; the squad's analysis is still uncached
    at.switch_page("pages/3_Squad.py")
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    if at.exception:
        raise SystemExit("Squad page raised: " + str(at.exception[0].value))
    rows = len(at.dataframe[0].value)
    warm = []
    for metric in ("load", "sessions", "minutes"):
        at.segmented_control(key="squad_metric").set_value(metric)
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    return first, statistics.median(warm), rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--athletes", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        build_db(db, args.athletes)
        print(f"built {args.athletes} athletes in {time.perf_counter() - t0:.1f} s")
        firsts, warms = [], []
        for _ in range(args.repeat):
            first, warm, rows = measure(db)
            firsts.append(first)
            warms.append(warm)
        print(f"roster rows: {rows}")
        print(f"first render (cold cache): median {statistics.median(firsts):.2f} s "
              f"(runs: {', '.join(f'{x:.2f}' for x in firsts)}; target <= 2 s)")
        print(f"warm rerun after a widget change: median {statistics.median(warms):.3f} s "
              f"(runs: {', '.join(f'{x:.3f}' for x in warms)}; target <= 0.3 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
