"""Benchmark: the Monday review page for 50 athletes as a new visitor sees it, in Chromium,
against a bare Streamlit page with one table and one chart measured in the same run.

The 50-athlete store (5 years each, built through the real importers) and the bare page come
from ``bench_pages_browser.py`` (same store builder, server, browser and "shown" rule: the script
run finished and every plotly chart drew its SVG). Each round starts a fresh server per target
and times, each in a fresh browser context (a new visitor):

* ``bare/bare_first`` and ``bare/bare``: the bare page, the process's first visit and a second
  new visitor;
* ``review/review_first``: the review page, the process's first visit (its squad figures read
  from the store's derived tables);
* ``review/review``: the review page for a second new visitor on the warm process;
* ``review/mark_all``: on that page, "Mark all seen" until the list says nothing is new.

Targets are interleaved round by round (their order rotates); figures are median (min-max).
The target: ``review`` within 1.5x of ``bare`` (both new visitors on a warm process).

    .venv/bin/python benchmarks/bench_review_browser.py [--rounds 5]
    .venv/bin/python benchmarks/bench_review_browser.py --profile   # cProfile, AppTest
    .venv/bin/python benchmarks/bench_review_browser.py --count     # what the browser draws

``--profile`` runs the page in AppTest (no browser) for a first visit of the process and for a
second new visitor, with the CPU seconds and cProfile of each. ``--count`` opens the page once
in Chromium per visitor and counts what it has to draw: DOM nodes, Streamlit elements by kind,
dataframes, charts and the bytes the server sent over the websocket; plus the server's CPU
seconds of each visit. Both are robust on a busy machine (no wall-clock ratio).

Stores are cached under ``STRIDEWISE_BENCH_DIR`` (default /tmp/stridewise-bench-review; the
50-athlete store of bench_pages_browser's folder is copied when it is there); servers bind to
127.0.0.1 on ``STRIDEWISE_BENCH_PORTS`` (default 8540-8549).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault("STRIDEWISE_BENCH_DIR", "/tmp/stridewise-bench-review")
os.environ.setdefault("STRIDEWISE_BENCH_PORTS", "8540-8549")
sys.path.insert(0, str(HERE))

import bench_pages_browser as bp  # noqa: E402 - after the environment it reads

N_ATHLETES = 50
SHARED = Path("/tmp/stridewise-bench") / f"store-{N_ATHLETES}.db"
MARKER = "Weekly squad digest"


def _store() -> Path:
    """The 50-athlete store (copied from bench_pages_browser's cache when present), prepared
    for this code's schema."""
    bp.CACHE.mkdir(parents=True, exist_ok=True)
    own = bp.CACHE / SHARED.name
    if not own.exists() and SHARED.exists() and bp.CACHE != SHARED.parent:
        shutil.copyfile(SHARED, own)
    src = bp.build_stores([N_ATHLETES])[N_ATHLETES]
    path, secs = bp.prepared_copy(src, f"review-{N_ATHLETES}.db")
    print(f"store {N_ATHLETES}: {src.stat().st_size / 1e6:.0f} MB"
          + (f", migrated in {secs:.1f} s" if secs else ""), flush=True)
    return path


def _time_review(browser, url: str) -> float:  # noqa: ANN001
    return bp.time_visit(browser, f"{url}/Review", MARKER)


def _time_mark_all(browser, url: str) -> float:  # noqa: ANN001
    with bp.visitor(browser) as page:
        page.goto(f"{url}/Review")
        bp.wait_shown(page, MARKER)
        button = page.get_by_role("button").filter(has_text="Mark all seen")
        t0 = time.perf_counter()
        button.click()
        page.get_by_text("Nothing new since your last review.").wait_for(timeout=bp.TIMEOUT_MS)
        bp.wait_shown(page, MARKER)
        return time.perf_counter() - t0


def run(rounds: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    base = _store()
    bare = bp.CACHE / "bare_app.py"
    bare.write_text(bp.BARE_APP)
    times: dict[str, list[float]] = defaultdict(list)
    targets = ["bare", "review"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(bp.CHROMIUM), args=bp.CHROMIUM_ARGS)
        for r in range(rounds):
            order = targets[r % 2:] + targets[:r % 2]
            for target in order:
                db = None
                if target == "review":  # a fresh copy: no seen marks from an earlier round
                    db = bp.CACHE / f"review-run-{r}.db"
                    for old in bp.CACHE.glob(db.name + "*"):
                        old.unlink()
                    shutil.copyfile(base, db)
                srv = bp.Server(bare if target == "bare" else bp.ROOT / "app.py",
                                bp.free_port(), db)
                try:
                    if target == "bare":
                        times["bare/bare_first"].append(bp.time_visit(browser, srv.url,
                                                                      "Bare page"))
                        times["bare/bare"].append(bp.time_visit(browser, srv.url, "Bare page"))
                    else:
                        times["review/review_first"].append(_time_review(browser, srv.url))
                        times["review/review"].append(_time_review(browser, srv.url))
                        times["review/mark_all"].append(_time_mark_all(browser, srv.url))
                finally:
                    srv.stop()
                print(f"round {r + 1} {target}: " + ", ".join(
                    f"{k.split('/')[1]} {v[-1]:.2f}s" for k, v in times.items()
                    if k.startswith(target + "/")), flush=True)
        browser.close()
    return times


def report(times: dict[str, list[float]]) -> None:
    print("\n== page times, median (min-max) ==")
    for k in sorted(times):
        print(f"{k:24s} {bp._fmt(times[k])}")
    med = {k: statistics.median(v) for k, v in times.items()}
    print("\n== target ==")
    ratio = med["review/review"] / med["bare/bare"]
    print(f"Review {N_ATHLETES} athletes, new visitor / bare page: {ratio:.2f}x (target <= 1.5)")
    first = med["review/review_first"] / med["bare/bare_first"]
    print(f"Review first visit of the process / bare first visit: {first:.2f}x")


# ------------------------------------------------------------------------------ profile

def profile(top: int = 30) -> None:
    """CPU seconds and cProfile of the review page (AppTest): the first visit of a process
    and a second new visitor (a new session on the warm process)."""
    import cProfile
    import io
    import pstats

    import streamlit as st
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.testing.v1 import AppTest

    os.environ["STRIDEWISE_DB"] = str(_store())
    st.cache_data.clear()
    st.cache_resource.clear()
    original = script_runner.ScriptRunner._run_script
    for visit in ("first visit of the process", "second new visitor"):
        at = AppTest.from_file(str(bp.ROOT / "app.py"), default_timeout=bp.TIMEOUT_MS / 1000)
        at.run()  # the app's navigation (not measured), then the page itself
        at.switch_page("pages/9_Review.py")
        prof = cProfile.Profile()
        cpu: list[float] = []

        def profiled(self, *args, _p=prof, _cpu=cpu, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            t0 = time.thread_time()
            _p.enable()
            try:
                return original(self, *args, **kwargs)
            finally:
                _p.disable()
                _cpu.append(time.thread_time() - t0)

        script_runner.ScriptRunner._run_script = profiled  # type: ignore[method-assign]
        try:
            at.run()
        finally:
            script_runner.ScriptRunner._run_script = original  # type: ignore[method-assign]
        if at.exception:
            raise SystemExit("Review page raised: " + str(at.exception[0].value))
        kinds: dict[str, int] = defaultdict(int)
        for node in _walk(at._tree):
            kinds[type(node).__name__] += 1
        print(f"\n=== Review page, {visit}: script CPU {sum(cpu):.2f} s; elements "
              + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(
            r"stridewise|sqlalchemy/engine/base|pandas/io", top)
        print(out.getvalue())


def _walk(node):  # noqa: ANN001, ANN202
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _walk(child)


# ------------------------------------------------------------------------------ count

COUNT_JS = """() => {
    const by = {};
    for (const e of document.querySelectorAll('[data-testid^="st"]')) {
        const t = e.getAttribute('data-testid');
        if (/^st(DataFrame|PlotlyChart|Markdown|Button|DownloadButton|Selectbox|Multiselect|Expander|Caption|Heading|Alert|TextArea|Form|PageLink|SidebarNavLink|Radio)$/.test(t))
            by[t] = (by[t] || 0) + 1;
    }
    return {dom: document.querySelectorAll('*').length, by: by};
}"""
#: the DOM node count stays the same over 10 polls 100 ms apart (lazy parts have drawn)
STABLE_JS = """() => new Promise(done => {
    let last = -1, same = 0;
    const tick = () => {
        const n = document.querySelectorAll('*').length;
        same = n === last ? same + 1 : 0; last = n;
        if (same >= 10) done(n); else setTimeout(tick, 100);
    };
    tick();
})"""


def count(visits: int = 2) -> None:
    """Chromium visits of new visitors (the first of the process, then ``visits - 1`` more): DOM
    nodes, elements by kind, websocket bytes received, the renderer's task seconds until shown
    and the server's CPU seconds of each visit; then the medians of the warm visits."""
    from playwright.sync_api import sync_playwright

    db = _store()
    bare = bp.CACHE / "bare_app.py"
    bare.write_text(bp.BARE_APP)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(bp.CHROMIUM), args=bp.CHROMIUM_ARGS)
        warm: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for target, script, path, marker in (("bare", bare, "", "Bare page"),
                                             ("review", bp.ROOT / "app.py", "/Review", MARKER)):
            srv = bp.Server(script, bp.free_port(), db if target == "review" else None)
            try:
                for i in range(visits):
                    visit = "first visit of the process" if i == 0 else f"new visitor {i + 1}"
                    got = {"bytes": 0, "frames": 0}

                    def on_ws(ws, _got=got) -> None:  # noqa: ANN001
                        def frame(payload, _g=_got) -> None:  # noqa: ANN001
                            _g["bytes"] += len(payload)
                            _g["frames"] += 1
                        ws.on("framereceived", frame)

                    cpu0 = srv.cpu_s()
                    with bp.visitor(browser) as page:
                        page.on("websocket", on_ws)
                        cdp = page.context.new_cdp_session(page)
                        cdp.send("Performance.enable")
                        page.goto(srv.url + path)
                        bp.wait_shown(page, marker)
                        shown = {m["name"]: m["value"]
                                 for m in cdp.send("Performance.getMetrics")["metrics"]}
                        page.evaluate(STABLE_JS)
                        seen = page.evaluate(COUNT_JS)
                    # the renderer's main-thread time until shown (CPU, not wall clock)
                    print(f"{target}, {visit}: browser task {shown['TaskDuration']:.2f} s "
                          f"(script {shown['ScriptDuration']:.2f} s, layout "
                          f"{shown['LayoutDuration'] + shown['RecalcStyleDuration']:.2f} s), "
                          f"server CPU {srv.cpu_s() - cpu0:.2f} s, DOM nodes "
                          f"{seen['dom']}, websocket {got['bytes'] / 1024:.0f} KiB in "
                          f"{got['frames']} frames; "
                          + ", ".join(f"{k} {v}" for k, v in sorted(seen["by"].items())),
                          flush=True)
                    if i:
                        warm[target].append((shown["TaskDuration"], srv.cpu_s() - cpu0))
            finally:
                srv.stop()
        browser.close()
    for target, v in warm.items():
        print(f"{target}: warm new visitors, median browser task "
              f"{statistics.median(t for t, _ in v):.2f} s, server CPU "
              f"{statistics.median(c for _, c in v):.2f} s ({len(v)} visits)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--profile", action="store_true", help="cProfile of the page (AppTest)")
    ap.add_argument("--count", action="store_true", help="what the browser has to draw")
    ap.add_argument("--visits", type=int, default=2, help="visits per target with --count")
    args = ap.parse_args()
    if args.profile:
        profile()
    elif args.count:
        count(max(args.visits, 2))
    else:
        report(run(args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
