"""End to end: the real app under ``streamlit run``, driven in Debian's Chromium via playwright.

Visits every page on the demo squad, uploads a real Strava export through the file input,
opens the Athlete page and checks that the plotly charts rendered and no exception box shows.
Screenshots of every page go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from harness import act, new_page, no_exception, settle, shot

pytestmark = pytest.mark.e2e


def _new_athlete(page, name: str) -> None:
    """On the Import page: a new athlete called ``name``."""
    page.locator('[data-testid="stSelectbox"]').first.click()
    act(page, page.get_by_role("option", name=re.compile("New athlete")).click)
    name_box = page.get_by_label("Name of the new athlete")
    name_box.fill(name)
    act(page, lambda: name_box.press("Enter"))


def _import(page, path: Path, done: str) -> str:
    """Upload ``path`` through the real file input, import it, wait for ``done`` in this
    import's own report (the previous report stays until the rerun); the page's text."""
    page.locator('input[type="file"]').first.set_input_files(str(path))
    go = page.get_by_role("button", name=re.compile(r"Import 1 file"))
    go.wait_for()
    act(page, go.click)
    page.get_by_text(done).first.wait_for()
    settle(page)
    no_exception(page)
    return page.locator('[data-testid="stMain"]').inner_text()


def test_every_page_then_upload_and_athlete_charts(server: str, browser, corpus_dir: Path) -> None:
    page = new_page(browser)

    # Home on the demo squad
    page.goto(server)
    page.get_by_text("Areas on target, last 7 days").wait_for()
    settle(page)
    no_exception(page)
    assert page.get_by_text("You are looking at demo data").count() == 1
    shot(page, "home")

    for slug, marker in (("Athlete", "Weekly volume by training area"),
                         ("Squad", "Balance across the squad"),
                         ("Settings", "Weekly targets"),
                         ("Review_areas", "How Stridewise decides"),
                         ("Import", "Past imports")):
        page.goto(f"{server}/{slug}")
        page.get_by_text(marker).first.wait_for()
        settle(page)
        no_exception(page)
        if slug in ("Athlete", "Squad"):
            page.locator(".main-svg").first.wait_for()
        shot(page, slug.lower())
        if slug == "Settings":
            for tab in ("Weekly targets", "Risk thresholds", "Classification rules", "Athletes"):
                page.get_by_role("tab", name=tab).click()
                settle(page)
                no_exception(page)
                shot(page, "settings_" + tab.split()[-1].lower())

    # Upload a real Strava export for a new athlete through the real file input
    _new_athlete(page, "E2E Runner")
    report = _import(page, corpus_dir / "strava" / "strava_2021_79col_en.csv",
                     "1 of 1 file(s) imported")
    assert "Import report" in report and "Sessions in file" in report, report[-2500:]
    shot(page, "import_report")

    # Open the athlete's dashboard from the report
    act(page, page.get_by_text("See the athlete's dashboard").click)
    page.get_by_text("Weekly volume by training area").first.wait_for()
    settle(page)
    page.locator(".main-svg").first.wait_for()
    no_exception(page)
    assert page.locator("h1").first.inner_text().strip() == "E2E Runner"
    assert page.locator(".main-svg").count() >= 5
    shot(page, "athlete_uploaded")

    # Clicking a week's bar filters the sessions table to that week
    weekly = page.locator('[data-testid="stPlotlyChart"]').first  # the weekly volume chart
    bars = weekly.locator(".barlayer .point path")
    assert bars.count() > 0
    bar = bars.nth(bars.count() // 2)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    act(page, lambda: page.mouse.click(box["x"] + box["width"] / 2,
                                       box["y"] + box["height"] / 2))
    page.get_by_text("Showing the week(s) you clicked").wait_for()
    no_exception(page)
    page.context.close()


def test_dark_theme_renders(server: str, browser) -> None:
    page = new_page(browser, color_scheme="dark")
    for slug in ("Athlete", "Squad"):
        page.goto(f"{server}/{slug}")
        page.locator(".main-svg").first.wait_for()
        settle(page)
        no_exception(page)
        shot(page, f"{slug.lower()}_dark")
    page.context.close()


def test_zone_change_at_reimport_says_what_was_retimed(server: str, browser,
                                                        corpus_dir: Path) -> None:
    page = new_page(browser)
    page.goto(f"{server}/Import")
    page.get_by_text("Past imports").first.wait_for()
    settle(page)
    _new_athlete(page, "Zone Runner")
    csv = corpus_dir / "strava" / "strava_2021_79col_en.csv"
    first = _import(page, csv, "1 of 1 file(s) imported")
    assert "re-timed" not in first
    # the athlete's real zone, then the same export again
    page.locator('[data-testid="stSelectbox"]').nth(1).click()
    page.keyboard.type("Europe/Budapest")
    act(page, page.get_by_role("option", name="Europe/Budapest", exact=True).click)
    second = _import(page, csv, "re-timed from UTC to Europe/Budapest")
    said = re.search(r"(\d+) stored sessions re-timed from UTC to Europe/Budapest; "
                     r"0 new sessions\.", second)
    assert said and int(said.group(1)) > 100, second[-2500:]
    assert "nothing changed" not in second
    assert "Its stored sessions follow the new zone (Europe/Budapest)." in second
    shot(page, "import_zone_change")
    page.context.close()
