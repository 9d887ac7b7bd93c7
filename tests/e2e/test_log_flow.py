"""End to end: the quick log in Debian's Chromium, on a phone (390 x 844) and on a desktop
(1400 px). A stability routine with sets is logged in a few taps (the scripted time is printed
and written to tests/artifacts/log_flow_times.json; no timed asserts); it shows in the balance
chart; on the phone a later FIT file of the same session is uploaded and merges with it, keeping
the RPE and sets, and the Log page splits it again. Screenshots of every step go to
tests/artifacts/ (or ``STRIDEWISE_SHOTS``)."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from harness import (
    ARTIFACTS,
    ROOT,
    TIMEOUT_MS,
    App,
    act,
    demo_app,
    no_exception,
    pick,
    settle,
    shot,
)

pytestmark = pytest.mark.e2e

ROUTINE = "Stability 15 min · 15 min"
#: taps of the scripted log: open the routine list, pick the routine, pick the RPE, save
MAX_TAPS = 4

sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "fit"))
import fitbuilder as fb  # noqa: E402


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with demo_app(tmp_path_factory.mktemp("e2e_log"), "log") as a:
        yield a


def _record_time(name: str, seconds: float, taps: int) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "log_flow_times.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = {"seconds": round(seconds, 2), "taps": taps}
    path.write_text(json.dumps(data, indent=2))
    print(f"\n{name}: routine session logged in {seconds:.1f} s of scripted interaction, "
          f"{taps} taps")


def _log_routine(page, url: str, who: str, shots: str) -> tuple[float, int]:
    """Open the Log page for ``who`` and log the stability routine; (seconds, taps)."""
    page.goto(f"{url}/Log")
    page.get_by_text("Log a session").first.wait_for()
    settle(page)
    pick(page, "Athlete", who)
    no_exception(page)
    shot(page, f"{shots}_1_open")
    t0 = time.monotonic()
    taps = 0
    pick(page, "Routine", ROUTINE)
    taps += 2
    page.get_by_text("single-leg deadlift").first.wait_for(state="attached")  # a grid cell
    shot(page, f"{shots}_2_routine")
    page.locator('[data-testid="stButtonGroup"] button').filter(
        has_text=re.compile(r"^\s*6\s*$")).first.click()
    taps += 1
    shot(page, f"{shots}_3_rpe")
    act(page, page.get_by_role("button", name=re.compile("Save session")).click)
    taps += 1
    page.get_by_text("Logged Stability 15 min").first.wait_for()
    seconds = time.monotonic() - t0
    no_exception(page)
    shot(page, f"{shots}_4_saved")
    return seconds, taps


def _nav(page, label: str) -> None:
    """Go to a page through the sidebar links (the same session: the chosen athlete stays), on
    a phone opening the collapsed sidebar first."""
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    if expand.count() and expand.first.is_visible():
        expand.first.click()
    act(page, page.locator('[data-testid="stSidebar"]').get_by_role("link", name=label).click)
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
def test_log_a_stability_session(app: App, browser, device: str) -> None:
    url, db = app.url, Path(app.db)
    phone = device == "phone"
    who = "Ben Carter" if phone else "Jonas Berg"
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844} if phone else {"width": 1400, "height": 1000},
        device_scale_factor=2 if phone else 1, is_mobile=phone, has_touch=phone)
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        seconds, taps = _log_routine(page, url, who, f"log_{device}")
        _record_time(device, seconds, taps)
        assert taps <= MAX_TAPS
        s = _sessions(db, who)
        mine = s.loc[s["sources"] == "manual"]
        assert len(mine) == 1 and mine["rpe"].iat[0] == 6
        assert mine["area_override"].iat[0] == "stability"

        # the balance chart on the Athlete page counts it today
        _nav(page, "Athlete")
        page.get_by_text("Weekly volume by training area").first.wait_for()
        settle(page)
        page.locator(".main-svg").first.wait_for()
        no_exception(page)
        assert page.locator("h1").first.inner_text().strip() == who
        assert "last: today" in _stability_label(page)
        page.get_by_text("Movement patterns").first.wait_for()
        shot(page, f"log_{device}_5_athlete")
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
        settle(page)
        page.locator('input[type="file"]').first.set_input_files(str(fit))
        go = page.get_by_role("button", name=re.compile(r"Import 1 file"))
        go.wait_for()
        act(page, go.click)
        page.get_by_text("logged by hand").first.wait_for()
        no_exception(page)
        shot(page, "log_phone_6_import_merged")
        s = _sessions(db, who)
        merged = s.loc[s["session_id"] == row["session_id"]].iloc[0]
        assert merged["sources"] == "fit, manual" and merged["avg_hr"] == 118
        assert merged["rpe"] == 6 and merged["sets"] == row["sets"]

        # the Log page shows the merge and splits it
        _nav(page, "Log")
        page.get_by_text("Log a session").first.wait_for()
        settle(page)
        page.get_by_role("tab", name="Logged by hand").click()
        page.get_by_text("Merged with fit").first.wait_for()
        shot(page, "log_phone_7_merged")
        act(page, page.get_by_role("button", name=re.compile("Split")).click)
        page.get_by_text("two sessions again").first.wait_for(state="attached")
        no_exception(page)
        tab = page.get_by_role("tab", name="Logged by hand")
        if tab.get_attribute("aria-selected") != "true":
            tab.click()
        page.get_by_text("two sessions again").first.wait_for()
        assert page.get_by_text("Merged with fit").count() == 0
        shot(page, "log_phone_8_split")
        s = _sessions(db, who)
        assert sorted(s.loc[s["sources"].isin(["fit", "manual"]), "sources"]) == [
            "fit", "manual"]
    finally:
        ctx.close()
