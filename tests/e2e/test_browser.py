"""End to end: the real app under ``streamlit run``, driven in Debian's Chromium via playwright.

Visits every page on the demo squad, uploads a real Strava export through the file input,
opens the Athlete page and checks that the plotly charts rendered and no exception box shows.
Screenshots of every page go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path(os.environ.get("STRIDEWISE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic"]
EXCEPTION = '[data-testid="stException"]'
BOOT_TIMEOUT_S = 90


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
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install it with "
                    "`apt-get install -y chromium` (scripts install it when missing).")
    port = _free_port()
    db = tmp_path_factory.mktemp("e2e") / "e2e.db"
    env = {**os.environ, "STRIDEWISE_DB": str(db),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    log = (tmp_path_factory.getbasetemp() / "streamlit.log").open("w")
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
            text = (tmp_path_factory.getbasetemp() / "streamlit.log").read_text()
            pytest.fail(f"streamlit did not start:\n{text[-3000:]}")
        time.sleep(0.2)  # waiting for the server socket, not standing in for work
    try:
        yield url
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


def _settle(page, *, timeout_ms: int = 60_000) -> None:
    """Wait until the script run finished (the app shows no running indicator)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app) return false;
            const running = document.querySelector('[data-testid="stStatusWidget"]');
            const state = app.getAttribute('data-test-script-state');
            return !running && state === 'notRunning';
        }""", timeout=timeout_ms)


def _shot(page, name: str) -> Path:
    """A screenshot of the whole page (Streamlit scrolls inside its main block, so the viewport
    is stretched to the content's height first)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
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


def test_every_page_then_upload_and_athlete_charts(server: str, browser, corpus_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(120_000)  # the suite runs beside multi-process store tests

    # Home on the demo squad
    page.goto(server)
    page.get_by_text("Areas on target, last 7 days").wait_for()
    _settle(page)
    _no_exception(page)
    assert page.get_by_text("You are looking at demo data").count() == 1
    _shot(page, "home")

    for slug, marker in (("Athlete", "Weekly volume by training area"),
                         ("Squad", "Balance across the squad"),
                         ("Settings", "Weekly targets"),
                         ("Review_areas", "How Stridewise decides"),
                         ("Import", "Past imports")):
        page.goto(f"{server}/{slug}")
        page.get_by_text(marker).first.wait_for()
        _settle(page)
        _no_exception(page)
        if slug in ("Athlete", "Squad"):
            page.locator(".main-svg").first.wait_for()
        _shot(page, slug.lower())
        if slug == "Settings":
            for tab in ("Weekly targets", "Risk thresholds", "Classification rules", "Athletes"):
                page.get_by_role("tab", name=tab).click()
                _settle(page)
                _no_exception(page)
                _shot(page, "settings_" + tab.split()[-1].lower())

    # Upload a real Strava export for a new athlete through the real file input
    page.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=re.compile("New athlete")).click()
    name_box = page.get_by_label("Name of the new athlete")
    name_box.fill("E2E Runner")
    name_box.press("Enter")
    _settle(page)
    csv = corpus_dir / "strava" / "strava_2021_79col_en.csv"
    page.locator('input[type="file"]').first.set_input_files(str(csv))
    go = page.get_by_role("button", name=re.compile(r"Import 1 file"))
    go.wait_for()
    _settle(page)
    go.click()
    page.get_by_text("Import report").wait_for()
    page.get_by_text("1 of 1 file(s) imported").wait_for()
    page.get_by_text("Sessions in file").first.wait_for()
    _settle(page)
    _no_exception(page)
    report = page.locator('[data-testid="stMain"]').inner_text()
    assert "Sessions in file" in report, report[-2500:]
    _shot(page, "import_report")

    # Open the athlete's dashboard from the report
    page.get_by_text("See the athlete's dashboard").click()
    page.get_by_text("Weekly volume by training area").first.wait_for()
    _settle(page)
    page.locator(".main-svg").first.wait_for()
    _no_exception(page)
    assert page.locator("h1").first.inner_text().strip() == "E2E Runner"
    assert page.locator(".main-svg").count() >= 5
    _shot(page, "athlete_uploaded")

    # Clicking a week's bar filters the sessions table to that week
    weekly = page.locator('[data-testid="stPlotlyChart"]').first  # the weekly volume chart
    bars = weekly.locator(".barlayer .point path")
    assert bars.count() > 0
    bar = bars.nth(bars.count() // 2)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_text("Showing the week(s) you clicked").wait_for()
    _settle(page)
    _no_exception(page)
    page.close()


def test_dark_theme_renders(server: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, color_scheme="dark")
    page.set_default_timeout(60_000)
    for slug in ("Athlete", "Squad"):
        page.goto(f"{server}/{slug}")
        page.locator(".main-svg").first.wait_for()
        _settle(page)
        _no_exception(page)
        _shot(page, f"{slug.lower()}_dark")
    page.close()


def test_zone_change_at_reimport_says_what_was_retimed(server: str, browser,
                                                        corpus_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(f"{server}/Import")
    page.get_by_text("Past imports").first.wait_for()
    _settle(page)
    page.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=re.compile("New athlete")).click()
    name_box = page.get_by_label("Name of the new athlete")
    name_box.fill("Zone Runner")
    name_box.press("Enter")
    _settle(page)
    csv = corpus_dir / "strava" / "strava_2021_79col_en.csv"

    def import_once(done: str) -> str:
        page.locator('input[type="file"]').first.set_input_files(str(csv))
        go = page.get_by_role("button", name=re.compile(r"Import 1 file"))
        go.wait_for()
        _settle(page)
        go.click()
        # wait for this import's own report (the previous report stays until the rerun)
        page.get_by_text(done).first.wait_for()
        _settle(page)
        _no_exception(page)
        return page.locator('[data-testid="stMain"]').inner_text()

    first = import_once("1 of 1 file(s) imported")
    assert "re-timed" not in first
    # the athlete's real zone, then the same export again
    page.locator('[data-testid="stSelectbox"]').nth(1).click()
    page.keyboard.type("Europe/Budapest")
    page.get_by_role("option", name="Europe/Budapest", exact=True).click()
    _settle(page)
    second = import_once("re-timed from UTC to Europe/Budapest")
    said = re.search(r"(\d+) stored sessions re-timed from UTC to Europe/Budapest; "
                     r"0 new sessions\.", second)
    assert said and int(said.group(1)) > 100, second[-2500:]
    assert "nothing changed" not in second
    assert "Its stored sessions follow the new zone (Europe/Budapest)." in second
    _shot(page, "import_zone_change")
    page.close()
