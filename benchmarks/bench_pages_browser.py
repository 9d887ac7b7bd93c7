"""Benchmark: the pages as a visitor sees them, in Chromium against ``streamlit run app.py``.

Stores of 50, 200 and 1,000 athletes x 5 years are built through the real importers (each
athlete one demo-like Strava or Garmin CSV export, read by ``stridewise.ingest.read_bytes`` and
stored by ``Store.import_report``) and cached under ``/tmp/stridewise-bench/`` so reruns are
cheap (delete the folder to rebuild). A store written by an older schema is migrated in a
preparation step, outside the timings, and the migration time is printed.

Every round starts a fresh server per target (so nothing of the squad is cached) and times, each
in a fresh browser context (a new visitor):

* ``home``: the first page of the fresh server process;
* ``athlete``: the Athlete page of the first athlete;
* ``range``: on that page, switching the date range to "All" (same visitor);
* ``squad``: the Squad page, first view of the squad in this process;
* ``squad_again``: the Squad page for a second new visitor;
* ``import`` (largest store and an empty store): uploading one Strava CSV (5 years of one
  athlete) for a new athlete on the Import page, from the click to the finished report;
* ``squad_after_import`` (largest store): the Squad page for a new visitor after that import.

The library's bytecode is written before the servers start (as ``scripts/run_app.sh`` does), so
a fresh server never compiles ``src/`` (PYTHONDONTWRITEBYTECODE would make every one do so).

Also measured in the same run: a bare Streamlit page with one 50-row table and one plotly
chart (``bare`` = a new visitor on a warm process, ``bare_first`` = the process's first visit).
Targets are interleaved round by round; each figure is reported as median (min-max). The
server's CPU seconds (user+system) over the round and its peak RSS (VmHWM) after visiting every
page are reported per target.

A page counts as shown when the script run is finished (no running indicator), no element is
still loading its code (Streamlit's placeholder for a lazily loaded chart or table), and every
plotly chart on it has drawn its SVG.

    .venv/bin/python benchmarks/bench_pages_browser.py [--sizes 50,200,1000] [--rounds 3]
    .venv/bin/python benchmarks/bench_pages_browser.py --profile 1000   # cProfile of Squad
    .venv/bin/python benchmarks/bench_pages_browser.py --profile 1000 --profile-page Athlete

Servers bind to 127.0.0.1 on ports 8530-8539 (``STRIDEWISE_BENCH_PORTS=8536-8539`` picks
another range); the cache folder is ``STRIDEWISE_BENCH_DIR``.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import json
import os
import pstats
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

CACHE = Path(os.environ.get("STRIDEWISE_BENCH_DIR", "/tmp/stridewise-bench"))
CHROMIUM = Path(os.environ.get("STRIDEWISE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic"]
#: ports the servers may use ("8530-8539"; two runs side by side take disjoint ranges)
_lo, _hi = os.environ.get("STRIDEWISE_BENCH_PORTS", "8530-8539").split("-")
PORTS = range(int(_lo), int(_hi) + 1)
YEARS = 5
#: the stores end on a fixed day so that cached stores stay valid; "this week" of the app is
#: then the week of the latest session (the app's archive rule), the same for every size.
END = date(2026, 11, 22)
TIMEOUT_MS = 600_000
BARE_APP = '''
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="bare", layout="wide")
st.title("Bare page")
rng = np.random.default_rng(1)
df = pd.DataFrame({"athlete": [f"Athlete {i}" for i in range(50)],
                   "risk": rng.choice(["low", "moderate", "high"], 50),
                   "acwr": rng.uniform(0.5, 1.8, 50).round(2),
                   "km": rng.uniform(0, 80, 50).round(1)})
st.dataframe(df, hide_index=True)
weeks = pd.date_range("2026-01-05", periods=26, freq="W-MON")
fig = go.Figure(go.Bar(x=weeks, y=rng.uniform(100, 400, 26)))
st.plotly_chart(fig)
'''


# ------------------------------------------------------------------------------ stores

def _athlete(i: int):  # noqa: ANN202 - a demo.DemoAthlete
    from stridewise import demo

    base = demo.SQUAD[i % len(demo.SQUAD)]
    name = base.name if i < len(demo.SQUAD) else f"{base.name} {i // len(demo.SQUAD) + 1}"
    return dataclasses.replace(base, name=name, seed=base.seed * 10_000 + i, gaps=())


def _export(a, days: int) -> tuple[str, bytes]:  # noqa: ANN001
    from stridewise import demo

    sessions = demo._sessions_for(a, END, days)
    text = demo._strava_csv(a, sessions) if a.fmt == "strava" else demo._garmin_csv(a, sessions)
    return a.file_name, text.encode("utf-8")


def _import_athlete(store, a, days: int) -> None:  # noqa: ANN001
    from stridewise.ingest import ReadContext, read_bytes

    units = "mi" if a.fmt == "garmin_mi" else "km"
    store.upsert_athlete(a.name, group=a.group, hr_max=a.hr_max, hr_rest=a.hr_rest, sex=a.sex,
                         tz=a.tz, units=units)
    file_name, data = _export(a, days)
    report = read_bytes(data, file_name, ReadContext(athlete=a.name, tz=a.tz, units=units))
    store.import_report(report, athlete=a.name)


def build_stores(sizes: list[int]) -> dict[int, Path]:
    """Cached stores of each size, built by importing athletes 0..n-1 (each size continues a
    copy of the next smaller one, so the smaller stores are prefixes of the larger)."""
    from stridewise.store import Store

    CACHE.mkdir(parents=True, exist_ok=True)
    days = int(YEARS * 365.25) // 7 * 7
    out: dict[int, Path] = {}
    prev_n, prev_path = 0, None
    for n in sorted(sizes):
        path = CACHE / f"store-{n}.db"
        if not path.exists():
            work = CACHE / f"building-{n}.db"
            for p in CACHE.glob(f"building-{n}.db*"):
                p.unlink()
            if prev_path is not None:
                shutil.copyfile(prev_path, work)
            t0 = time.perf_counter()
            store = Store(str(work))
            for i in range(prev_n, n):
                _import_athlete(store, _athlete(i), days)
                if (i + 1) % 50 == 0:
                    print(f"  store-{n}: {i + 1} athletes, {time.perf_counter() - t0:.0f} s",
                          flush=True)
            store.engine.dispose()
            with Store(str(work)).engine.begin() as conn:  # fold the WAL into the file
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            work.rename(path)
            print(f"built {path} in {time.perf_counter() - t0:.0f} s", flush=True)
        out[n] = path
        prev_n, prev_path = n, path
    return out


def prepared_copy(src: Path, name: str) -> tuple[Path, float]:
    """A working copy of ``src`` opened once by this code (schema migrations run here, and the
    migrated store is cached per schema version); (path, seconds the migration took)."""
    from stridewise.store import Store
    from stridewise.store_schema import SCHEMA_VERSION

    prepared = CACHE / f"{src.stem}-schema{SCHEMA_VERSION}.db"
    secs = 0.0
    if not prepared.exists():
        tmp = CACHE / f"preparing-{src.name}"
        for p in CACHE.glob(tmp.name + "*"):
            p.unlink()
        # start from the newest store migrated earlier (only the later steps run)
        earlier = [CACHE / f"{src.stem}-schema{v}.db" for v in range(SCHEMA_VERSION - 1, 1, -1)]
        shutil.copyfile(next((e for e in earlier if e.exists()), src), tmp)
        t0 = time.perf_counter()
        s = Store(str(tmp))
        secs = time.perf_counter() - t0
        s.engine.dispose()
        with Store(str(tmp)).engine.begin() as conn:  # fold the WAL into the file
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        tmp.rename(prepared)
    dst = CACHE / name
    for p in CACHE.glob(name + "*"):
        p.unlink()
    shutil.copyfile(prepared, dst)
    return dst, secs


def empty_store(name: str) -> Path:
    from stridewise.store import Store

    dst = CACHE / name
    for p in CACHE.glob(name + "*"):
        p.unlink()
    s = Store(str(dst))
    s.save_settings({"demo_dismissed": True})
    s.close()
    return dst


def import_file() -> Path:
    """One 5-year Strava CSV of an athlete not in any store."""
    from stridewise import demo

    path = CACHE / "import_strava_activities.csv"
    if not path.exists():
        base = next(a for a in demo.SQUAD if a.fmt == "strava")
        a = dataclasses.replace(base, name="Bench Import", seed=987_654, gaps=())
        path.write_bytes(_export(a, int(YEARS * 365.25) // 7 * 7)[1])
    return path


def compile_sources() -> float:
    """Write the library's bytecode (as ``scripts/run_app.sh`` does before it starts the app),
    so no timed server compiles ``src/`` from source: where PYTHONDONTWRITEBYTECODE is set
    every new process would otherwise pay that, which a deployed app does not. Seconds taken."""
    import compileall

    t0 = time.perf_counter()
    compileall.compile_dir(str(ROOT / "src"), quiet=1)
    return time.perf_counter() - t0


# ------------------------------------------------------------------------------ servers

class Server:
    """``streamlit run`` of a script on a port, with CPU seconds and peak RSS of its process."""

    def __init__(self, script: Path, port: int, db: Path | None) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        if db is not None:
            env["STRIDEWISE_DB"] = str(db)
        self.url = f"http://127.0.0.1:{port}"
        self.log = (CACHE / f"server-{port}.log").open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
             "--server.headless", "true", "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"server on port {port} did not start; see {self.log.name}")
            time.sleep(0.2)  # polling the server socket

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    for port in PORTS:
        if _free(port):
            return port
    raise SystemExit(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


# ------------------------------------------------------------------------------ browser

DONE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    // an element whose code is still loading (plotly, dataframes) shows a placeholder
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
    for (const c of charts) { if (!c.querySelector('.main-svg')) return false; }
    return true;
}"""


def wait_shown(page, marker: str | None) -> None:  # noqa: ANN001
    if marker:
        page.get_by_text(marker).first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(DONE_JS, timeout=TIMEOUT_MS, polling=50)
    if page.locator('[data-testid="stException"]').count():
        raise SystemExit("the page shows an exception: "
                         + page.locator('[data-testid="stException"]').first.inner_text()[:800])


@contextmanager
def visitor(browser) -> Iterator[object]:  # noqa: ANN001
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        yield page
    finally:
        ctx.close()


def time_visit(browser, url: str, marker: str | None) -> float:  # noqa: ANN001
    with visitor(browser) as page:
        t0 = time.perf_counter()
        page.goto(url)
        wait_shown(page, marker)
        return time.perf_counter() - t0


def time_athlete_and_range(browser, url: str) -> tuple[float, float]:  # noqa: ANN001
    with visitor(browser) as page:
        t0 = time.perf_counter()
        page.goto(f"{url}/Athlete")
        wait_shown(page, "Weekly volume by training area")
        first = time.perf_counter() - t0
        before = page.locator('[data-testid="stMain"]').inner_text()
        t0 = time.perf_counter()
        page.get_by_role("radio", name="All", exact=True).first.click()
        page.wait_for_function(
            "(before) => document.querySelector('[data-testid=\"stMain\"]').innerText !== before",
            arg=before, timeout=TIMEOUT_MS, polling=50)
        wait_shown(page, None)
        return first, time.perf_counter() - t0


def time_import(browser, url: str, csv_path: Path, athlete: str) -> float:  # noqa: ANN001
    import re

    with visitor(browser) as page:
        page.goto(f"{url}/Import")
        wait_shown(page, "Drop files here")
        page.locator('[data-testid="stSelectbox"]').first.click()
        # the list is virtualised: with many athletes the last option is not rendered until
        # the list is filtered
        page.keyboard.type("New athlete")
        page.get_by_role("option", name=re.compile("New athlete")).click()
        wait_shown(page, None)
        box = page.get_by_label("Name of the new athlete")
        box.fill(athlete)
        box.press("Enter")
        wait_shown(page, None)
        page.locator('input[type="file"]').first.set_input_files(str(csv_path))
        go = page.get_by_role("button", name=re.compile(r"Import 1 file"))
        go.wait_for()
        wait_shown(page, None)
        t0 = time.perf_counter()
        go.click()
        page.get_by_text("1 of 1 file(s) imported").wait_for(timeout=TIMEOUT_MS)
        wait_shown(page, None)
        return time.perf_counter() - t0


# ------------------------------------------------------------------------------ the run

def run(sizes: list[int], rounds: int) -> None:
    from playwright.sync_api import sync_playwright

    stores = build_stores(sizes)
    largest = max(sizes)
    work: dict[int, Path] = {}
    for n, src in stores.items():
        work[n], secs = prepared_copy(src, f"run-{n}.db")
        print(f"store {n}: {src.stat().st_size / 1e6:.0f} MB, migrated to this code's schema "
              f"in {secs:.1f} s" + (" (earlier, cached)" if not secs else ""), flush=True)
    print(f"library bytecode written in {compile_sources():.1f} s", flush=True)
    bare = CACHE / "bare_app.py"
    bare.write_text(BARE_APP)
    csv_path = import_file()
    times: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    rss: dict[str, list[float]] = defaultdict(list)
    targets: list[str] = ["bare", *map(str, sorted(sizes)), "empty"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for r in range(rounds):
            order = targets[r % len(targets):] + targets[:r % len(targets)]
            for target in order:
                db = None if target == "bare" else (
                    empty_store(f"empty-{r}.db") if target == "empty" else work[int(target)])
                script = bare if target == "bare" else ROOT / "app.py"
                srv = Server(script, free_port(), db)
                try:
                    c0 = srv.cpu_s()
                    last = [c0]

                    def page_cpu(key: str) -> None:  # server CPU of the visit just timed
                        now = srv.cpu_s()  # noqa: B023 - this round's server
                        cpu[key].append(now - last[0])  # noqa: B023 - this round's server
                        last[0] = now  # noqa: B023
                    if target == "bare":
                        times["bare/bare_first"].append(time_visit(browser, srv.url, "Bare page"))
                        page_cpu("bare/bare_first")
                        times["bare/bare"].append(time_visit(browser, srv.url, "Bare page"))
                        page_cpu("bare/bare")
                    elif target == "empty":
                        time_visit(browser, srv.url, None)
                        page_cpu("empty/home")
                        times["empty/import"].append(
                            time_import(browser, srv.url, csv_path, f"Bench Import {r}"))
                        page_cpu("empty/import (page+upload)")
                    else:
                        times[f"{target}/home"].append(
                            time_visit(browser, srv.url, "Areas on target"))
                        page_cpu(f"{target}/home")
                        a, rng = time_athlete_and_range(browser, srv.url)
                        times[f"{target}/athlete"].append(a)
                        times[f"{target}/range"].append(rng)
                        page_cpu(f"{target}/athlete+range")
                        times[f"{target}/squad"].append(
                            time_visit(browser, f"{srv.url}/Squad", "Balance across the squad"))
                        page_cpu(f"{target}/squad")
                        times[f"{target}/squad_again"].append(
                            time_visit(browser, f"{srv.url}/Squad", "Balance across the squad"))
                        page_cpu(f"{target}/squad_again")
                        if int(target) == largest:
                            times[f"{target}/import"].append(
                                time_import(browser, srv.url, csv_path, f"Bench Import {r}"))
                            page_cpu(f"{target}/import (page+upload)")
                            times[f"{target}/squad_after_import"].append(time_visit(
                                browser, f"{srv.url}/Squad", "Balance across the squad"))
                            page_cpu(f"{target}/squad_after_import")
                    cpu[target].append(srv.cpu_s() - c0)
                    rss[target].append(srv.peak_rss_mb())
                finally:
                    srv.stop()
                print(f"round {r + 1} {target}: " + ", ".join(
                    f"{k.split('/')[1]} {v[-1]:.2f}s" for k, v in times.items()
                    if k.startswith(target + "/")) + f"; cpu {cpu[target][-1]:.1f}s, "
                    f"peak RSS {rss[target][-1]:.0f} MB", flush=True)
        browser.close()
    report(times, cpu, rss, sizes)


def _fmt(v: list[float], unit: str = "s", nd: int = 2) -> str:
    return f"{statistics.median(v):.{nd}f} {unit} ({min(v):.{nd}f}-{max(v):.{nd}f}, n={len(v)})"


def report(times: dict[str, list[float]], cpu: dict[str, list[float]],
           rss: dict[str, list[float]], sizes: list[int]) -> None:
    print("\n== page times, median (min-max) ==")
    for k in sorted(times, key=lambda k: (k.split("/")[0].isdigit(), k)):
        print(f"{k:28s} {_fmt(times[k])}")
    print("\n== server per target and round: CPU s, peak RSS MB ==")
    for t in rss:
        print(f"{t:8s} cpu {_fmt(cpu[t], 's', 1)}   peak RSS {_fmt(rss[t], 'MB', 0)}")
    print("\n== server CPU per visit (robust when the machine is shared) ==")
    for k in sorted((k for k in cpu if "/" in k), key=lambda k: (k.split("/")[0].isdigit(), k)):
        print(f"{k:36s} {_fmt(cpu[k], 's', 2)}")
    med = {k: statistics.median(v) for k, v in times.items()}
    lo, hi = min(sizes), max(sizes)
    print("\n== targets ==")
    if f"{hi}/squad" in med and f"{lo}/squad" in med:
        print(f"Squad first view {hi} / {lo}: {med[f'{hi}/squad'] / med[f'{lo}/squad']:.2f}x "
              "(target <= 2)")
    if "200/squad" in med and "bare/bare" in med:
        print(f"Squad first view 200 / bare page: {med['200/squad'] / med['bare/bare']:.2f}x "
              "(target <= 1.5)")
    for n in sizes:
        if f"{n}/athlete" in med and "bare/bare" in med:
            print(f"Athlete {n} / bare page: {med[f'{n}/athlete'] / med['bare/bare']:.2f}x "
                  "(target <= 1.5)")
    if f"{hi}/import" in med and "empty/import" in med:
        print(f"Import into {hi} / into empty: {med[f'{hi}/import'] / med['empty/import']:.2f}x "
              "(target <= 1.5)")
    cmed = {k: statistics.median(v) for k, v in cpu.items()}
    if f"{hi}/squad" in cmed and f"{lo}/squad" in cmed and cmed[f"{lo}/squad"] > 0:
        print(f"(server CPU of the Squad first view {hi} / {lo}: "
              f"{cmed[f'{hi}/squad'] / cmed[f'{lo}/squad']:.2f}x)")
    if str(hi) in rss:
        print(f"Peak RSS at {hi} after every page: {max(rss[str(hi)]):.0f} MB (target <= 600)")
    print(json.dumps({"times": times, "cpu": cpu, "rss": rss}), file=open(
        CACHE / "last_result.json", "w"))


# ------------------------------------------------------------------------------ profile

#: pages ``--profile-page`` can profile: name -> (script, text the page shows)
PROFILE_PAGES = {"Squad": "pages/3_Squad.py", "Athlete": "pages/2_Athlete.py", "Home": "app.py"}


def _print_profile(prof: cProfile.Profile, top: int) -> None:
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(r"stridewise|sqlalchemy/engine/base|pandas/io", top)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    print(out.getvalue())


def profile(n: int, top: int = 25, page: str = "Squad") -> None:
    """cProfile of a page's first view (AppTest, no browser) at ``n`` athletes: ``Squad`` and
    ``Athlete`` after a first run of Home (the Athlete page also profiles the switch of its
    date range to "All"), ``Home`` as the first run of a fresh process's caches. The working
    copy of the store is ``profile-<page>-<n>.db`` (deleted afterwards)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    compile_sources()
    src = build_stores([n])[n]
    name = f"profile-{page.lower()}-{n}.db"
    db, secs = prepared_copy(src, name)
    print(f"prepared in {secs:.1f} s")
    os.environ["STRIDEWISE_DB"] = str(db)
    st.cache_data.clear()
    st.cache_resource.clear()
    # AppTest runs the script on a thread of its own: profile inside that thread
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script

    def profiled_run(label: str, action) -> None:  # noqa: ANN001
        prof = cProfile.Profile()

        def profiled(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            prof.enable()
            try:
                return original(self, *args, **kwargs)
            finally:
                prof.disable()

        script_runner.ScriptRunner._run_script = profiled  # type: ignore[method-assign]
        t0 = time.perf_counter()
        try:
            action()
        finally:
            script_runner.ScriptRunner._run_script = original  # type: ignore[method-assign]
        print(f"{label} (AppTest) at {n} athletes: {time.perf_counter() - t0:.2f} s")
        if at.exception:
            raise SystemExit(f"{label} raised: " + str(at.exception[0].value))
        _print_profile(prof, top)

    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_MS / 1000)
        if page == "Home":
            profiled_run("Home page, first run", at.run)
            return
        at.run()
        at.switch_page(PROFILE_PAGES[page])
        profiled_run(f"{page} page", at.run)
        if page == "Athlete":
            ctl = next(w for w in at.button_group if w.key == "athlete_range_preset")
            profiled_run('Athlete page, range "All"', lambda: ctl.set_value("All").run())
    finally:
        for p in CACHE.glob(name + "*"):
            p.unlink()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="50,200,1000")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="profile a page (--profile-page, default Squad) at N athletes instead")
    ap.add_argument("--profile-page", choices=sorted(PROFILE_PAGES), default="Squad",
                    help="the page --profile profiles")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.profile:
        profile(args.profile, page=args.profile_page)
    elif args.build_only:
        build_stores(sizes)
    else:
        run(sizes, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
