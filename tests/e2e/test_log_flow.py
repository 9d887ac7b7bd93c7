"""End to end: the quick log in Debian's Chromium, on a phone (390 x 844) and on a desktop
(1400 px). A stability routine with sets is logged in a few taps (the scripted time is printed
and written to tests/artifacts/log_flow_times.json; no timed asserts); it shows in the balance
chart; on the phone a later FIT file of the same session is uploaded and merges with it, keeping
the RPE and sets, and the Log page splits it again. Screenshots of every step go to
tests/artifacts/ (or ``STRIDEWISE_SHOTS``)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
SHOTS = Path(os.environ.get("STRIDEWISE_SHOTS") or ARTIFACTS)
CHROMIUM = Path(os.environ.get("STRIDEWISE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic"]
EXCEPTION = '[data-testid="stException"]'
BOOT_TIMEOUT_S = 90
ROUTINE = "Stability 15 min · 15 min"
#: taps of the scripted log: open the routine list, pick the routine, pick the RPE, save
MAX_TAPS = 4

sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "fit"))
import fitbuilder as fb  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(URL, database path) of the app under ``streamlit run`` on a fresh demo database."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install it with "
                    "`apt-get install -y chromium`.")
    port = _free_port()
    db = tmp_path_factory.mktemp("e2e_log") / "e2e.db"
    env = {**os.environ, "STRIDEWISE_DB": str(db),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    log_path = tmp_path_factory.getbasetemp() / "streamlit_log_flow.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + BOOT_TIMEOUT_S
    while not _healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            pytest.fail(f"streamlit did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)  # waiting for the server socket, not standing in for work
    try:
        yield url, db
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _settle(page, *, timeout_ms: int = 90_000) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app) return false;
            const running = document.querySelector('[data-testid="stStatusWidget"]');
            return !running && app.getAttribute('data-test-script-state') === 'notRunning';
        }""", timeout=timeout_ms)


def _shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    size = page.viewport_size
    height = page.evaluate("""() => {
        const m = document.querySelector('[data-testid="stMain"]')
              || document.querySelector('[data-testid="stAppViewContainer"]');
        return m ? m.scrollHeight : document.body.scrollHeight;
    }""")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(400)  # let plotly re-layout to the new size before the shot
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def _no_exception(page) -> None:
    boxes = page.locator(EXCEPTION)
    assert boxes.count() == 0, boxes.first.inner_text()


def _pick(page, label: str, option: str) -> None:
    """Choose ``option`` in the selectbox labelled ``label`` (two taps)."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=True).click()


def _record_time(name: str, seconds: float, taps: int) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "log_flow_times.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = {"seconds": round(seconds, 2), "taps": taps}
    path.write_text(json.dumps(data, indent=2))
    print(f"\n{name}: routine session logged in {seconds:.1f} s of scripted interaction, "
          f"{taps} taps")


def _log_routine(page, who: str, shots: str) -> tuple[float, int]:
    """Open the Log page for ``who`` and log the stability routine; (seconds, taps)."""
    page.goto(f"{page.context.app_url}/Log")
    page.get_by_text("Log a session").first.wait_for()
    _settle(page)
    _pick(page, "Athlete", who)
    _settle(page)
    _no_exception(page)
    _shot(page, f"{shots}_1_open")
    t0 = time.monotonic()
    taps = 0
    _pick(page, "Routine", ROUTINE)
    taps += 2
    _settle(page)
    page.get_by_text("single-leg deadlift").first.wait_for(state="attached")  # a grid cell
    _shot(page, f"{shots}_2_routine")
    page.locator('[data-testid="stButtonGroup"] button').filter(
        has_text=re.compile(r"^\s*6\s*$")).first.click()
    taps += 1
    _shot(page, f"{shots}_3_rpe")
    page.get_by_role("button", name=re.compile("Save session")).click()
    taps += 1
    page.get_by_text("Logged Stability 15 min").first.wait_for()
    _settle(page)
    seconds = time.monotonic() - t0
    _no_exception(page)
    _shot(page, f"{shots}_4_saved")
    return seconds, taps


def _nav(page, label: str) -> None:
    """Go to a page through the sidebar links (the same session: the chosen athlete stays), on
    a phone opening the collapsed sidebar first."""
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    if expand.count() and expand.first.is_visible():
        expand.first.click()
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=label).click()
    _settle(page)
    if page.viewport_size["width"] < 640:  # the open sidebar covers the page on a phone
        page.locator('[data-testid="stSidebarCollapseButton"] button').first.click(force=True)
        page.locator('[data-testid="stSidebar"][aria-expanded="false"], '
                     '[data-testid="stSidebar"][data-collapsed="true"]').first.wait_for(
            state="attached")


def _stability_label(page) -> str:
    """The balance chart's tick label of the stability bar ("Stability last: today")."""
    page.get_by_text("Sessions per week vs target").first.wait_for()
    return page.evaluate("""() => {
        for (const t of document.querySelectorAll('g.xtick text')) {
            if (t.textContent.startsWith('Stability')) return t.textContent;
        }
        return '';
    }""")


def _sessions(db: Path, who: str) -> pd.DataFrame:
    sys.path.insert(0, str(ROOT / "src"))
    from stridewise.store import Store

    with Store(str(db)) as store:
        return store.sessions([who])


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_log_a_stability_session(app, browser, device: str) -> None:
    url, db = app
    phone = device == "phone"
    who = "Ben Carter" if phone else "Jonas Berg"
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844} if phone else {"width": 1400, "height": 1000},
        device_scale_factor=2 if phone else 1, is_mobile=phone, has_touch=phone)
    ctx.app_url = url
    page = ctx.new_page()
    page.set_default_timeout(90_000)
    try:
        seconds, taps = _log_routine(page, who, f"log_{device}")
        _record_time(device, seconds, taps)
        assert taps <= MAX_TAPS
        s = _sessions(db, who)
        mine = s.loc[s["sources"] == "manual"]
        assert len(mine) == 1 and mine["rpe"].iat[0] == 6
        assert mine["area_override"].iat[0] == "stability"

        # the balance chart on the Athlete page counts it today
        _nav(page, "Athlete")
        page.get_by_text("Weekly volume by training area").first.wait_for()
        _settle(page)
        page.locator(".main-svg").first.wait_for()
        _no_exception(page)
        assert page.locator("h1").first.inner_text().strip() == who
        assert "last: today" in _stability_label(page)
        page.get_by_text("Movement patterns").first.wait_for()
        _shot(page, f"log_{device}_5_athlete")
        if not phone:
            return

        # a later FIT file of the same session merges with it (Import page, real file input)
        row = mine.iloc[0]
        zone = "Europe/London"
        start_utc = (pd.Timestamp(row["start"]).tz_localize(ZoneInfo(zone)).tz_convert("UTC")
                     .tz_localize(None).to_pydatetime())
        fit = ARTIFACTS / "log_flow_watch.fit"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        fit.write_bytes(fb.activity([{"start": start_utc, "sport": 10, "sub_sport": 20,
                                      "elapsed": 1000, "avg_hr": 118, "max_hr": 150}]).bytes())
        _nav(page, "Import")
        page.get_by_text("Past imports").first.wait_for()
        _settle(page)
        page.locator('input[type="file"]').first.set_input_files(str(fit))
        go = page.get_by_role("button", name=re.compile(r"Import 1 file"))
        go.wait_for()
        _settle(page)
        go.click()
        page.get_by_text("logged by hand").first.wait_for()
        _settle(page)
        _no_exception(page)
        _shot(page, "log_phone_6_import_merged")
        s = _sessions(db, who)
        merged = s.loc[s["session_id"] == row["session_id"]].iloc[0]
        assert merged["sources"] == "fit, manual" and merged["avg_hr"] == 118
        assert merged["rpe"] == 6 and merged["sets"] == row["sets"]

        # the Log page shows the merge and splits it
        _nav(page, "Log")
        page.get_by_text("Log a session").first.wait_for()
        _settle(page)
        page.get_by_role("tab", name="Logged by hand").click()
        page.get_by_text("Merged with fit").first.wait_for()
        _shot(page, "log_phone_7_merged")
        page.get_by_role("button", name=re.compile("Split")).click()
        page.get_by_text("two sessions again").first.wait_for(state="attached")
        _settle(page)
        _no_exception(page)
        tab = page.get_by_role("tab", name="Logged by hand")
        if tab.get_attribute("aria-selected") != "true":
            tab.click()
        page.get_by_text("two sessions again").first.wait_for()
        assert page.get_by_text("Merged with fit").count() == 0
        _shot(page, "log_phone_8_split")
        s = _sessions(db, who)
        assert sorted(s.loc[s["sources"].isin(["fit", "manual"]), "sources"]) == [
            "fit", "manual"]
    finally:
        ctx.close()
