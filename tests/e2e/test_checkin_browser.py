"""End to end on a phone (390 x 844) and a desktop (1400 px): the daily check-in is saved and
flagged against the athlete's own baseline; a niggle with training modified makes the level at
least moderate with that reason first on the Athlete page, in the Squad roster (its CSV) and in
the CLI. Screenshots go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from test_browser import (
    BOOT_TIMEOUT_S,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    _free_port,
    _healthy,
    _no_exception,
    _settle,
    _shot,
)

pytestmark = pytest.mark.e2e

ATHLETE = "Emma Johansson"  # a demo athlete with three weeks of check-ins and a low level


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(URL, database path) of the app under ``streamlit run`` on a fresh demo database."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}.")
    port = _free_port()
    db = tmp_path_factory.mktemp("e2e_checkin") / "e2e.db"
    env = {**os.environ, "STRIDEWISE_DB": str(db),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    log_path = tmp_path_factory.getbasetemp() / "streamlit_checkin.log"
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
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _pick(page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    _settle(page)


def _main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def test_checkin_and_niggle_on_a_phone_then_everywhere(app, chromium) -> None:
    url, db = app
    page = chromium.new_page(viewport={"width": 390, "height": 844}, is_mobile=True,
                            has_touch=True)
    page.set_default_timeout(90_000)
    page.goto(f"{url}/Check_in")
    page.get_by_text("How do you feel today?").wait_for()
    _settle(page)
    _no_exception(page)
    _pick(page, "Athlete", ATHLETE)
    page.get_by_text("How do you feel today?").wait_for()

    # --- the check-in: sleep at the bad end, the rest as given --------------------------------
    sleep = page.locator('[data-testid="stSlider"]').filter(has_text="Sleep quality") \
        .get_by_role("slider")
    sleep.focus()
    sleep.press("Home")
    page.get_by_text("1 · hardly slept").first.wait_for()
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("saved.", exact=False).first.wait_for()
    _settle(page)
    _no_exception(page)
    page.get_by_text("Sleep quality 1/5: worse than usual for you").first.wait_for()
    assert "Check-in of" in _main_text(page)
    _shot(page, "checkin_phone_today")

    # --- a niggle: left knee, training modified, low pain ------------------------------------
    page.get_by_role("tab", name="Niggles").click()
    _settle(page)
    _pick(page, "Where", "Knee")
    page.locator('[data-testid="stRadio"]').filter(has_text="Side").get_by_text(
        "Left", exact=True).click()
    page.locator('[data-testid="stRadio"]').filter(has_text="Effect on training").get_by_text(
        "Training modified", exact=False).click()
    page.get_by_role("button", name="Save niggle").click()
    page.get_by_text("Left knee niggle saved.").wait_for()
    _settle(page)
    _no_exception(page)
    page.get_by_text("raises the risk level to at least moderate").first.wait_for()
    _shot(page, "checkin_phone_niggles")

    # --- the Athlete page on the phone: moderate, the niggle reason first ---------------------
    page.get_by_role("link", name="See the risk level on the Athlete page").click()
    page.get_by_text("Injury-risk signal").first.wait_for()
    _settle(page)
    page.locator(".main-svg").first.wait_for()
    _no_exception(page)
    text = _main_text(page)
    assert page.locator("h1").first.inner_text().strip() == ATHLETE
    risk = page.locator('[data-testid="stMetric"]').filter(has_text="Injury-risk signal")
    assert "Moderate" in risk.first.inner_text()
    reasons = text.split("Injury-risk signal")[-1]
    first_reason = page.locator('[data-testid="stMarkdownContainer"] li').first.inner_text()
    assert first_reason.startswith("left knee niggle since"), first_reason
    assert "training modified" in first_reason and "Moderate" in reasons
    assert "Wellness (context, does not change the level)" in text
    # the niggle and the flag are drawn on the load timelines
    assert page.get_by_text("Niggle (reported)").count() >= 1
    assert page.get_by_text("Wellness flag").count() >= 1
    _shot(page, "athlete_phone_niggle")

    # --- desktop: the same page, then the Squad roster and its CSV ----------------------------
    page.set_viewport_size({"width": 1400, "height": 1000})
    _settle(page)
    page.wait_for_timeout(500)  # plotly re-layout to the new width before the shot
    _shot(page, "athlete_desktop_niggle")
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Squad").click()
    page.get_by_text("Balance across the squad").wait_for()
    _settle(page)
    _no_exception(page)
    _shot(page, "squad_desktop_niggle")
    page.get_by_text("Last 7 days", exact=True).first.click()  # the roster opens on last week
    _settle(page)
    with page.expect_download() as dl:
        page.get_by_role("button", name="Roster CSV").click()
    roster = pd.read_csv(dl.value.path(), keep_default_na=False)
    row = roster.loc[roster["athlete"] == ATHLETE].iloc[0]
    assert row["risk_level"] == "moderate"
    assert row["top_reason"] == first_reason
    page.close()

    # --- the CLI on the same database ---------------------------------------------------------
    env = {**os.environ, "STRIDEWISE_DB": str(db),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    cli = subprocess.run([sys.executable, "-m", "stridewise", "risk", "--store", "--latest"],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert cli.returncode == 0, cli.stderr
    got = pd.read_csv(io.StringIO(cli.stdout), keep_default_na=False)
    row = got.loc[got["athlete"] == ATHLETE].iloc[0]
    assert row["risk_level"] == "moderate" and row["top_reason"] == first_reason
