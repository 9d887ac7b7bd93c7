"""End to end on a phone (390 x 844) and a desktop (1400 px): the daily check-in is saved and
flagged against the athlete's own baseline; a niggle with training modified makes the level at
least moderate with that reason first on the Athlete page, in the Squad roster (its CSV) and in
the CLI. Screenshots go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pandas as pd
import pytest
from harness import App, act, cli, demo_app, main_text, new_page, no_exception, pick, settle, shot

pytestmark = pytest.mark.e2e

ATHLETE = "Emma Johansson"  # a demo athlete with three weeks of check-ins and a low level


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with demo_app(tmp_path_factory.mktemp("e2e_checkin"), "checkin") as a:
        yield a


def test_checkin_and_niggle_on_a_phone_then_everywhere(app: App, browser) -> None:
    url = app.url
    page = new_page(browser, width=390, height=844, is_mobile=True, has_touch=True)
    page.goto(f"{url}/Check_in")
    page.get_by_text("How do you feel today?").wait_for()
    settle(page)
    no_exception(page)
    pick(page, "Athlete", ATHLETE)
    page.get_by_text("How do you feel today?").wait_for()

    # --- the check-in: sleep at the bad end, the rest as given --------------------------------
    sleep = page.locator('[data-testid="stSlider"]').filter(has_text="Sleep quality") \
        .get_by_role("slider")
    sleep.focus()
    sleep.press("Home")
    page.get_by_text("1 · hardly slept").first.wait_for()
    act(page, page.get_by_role("button", name="Save check-in").click)
    page.get_by_text("saved.", exact=False).first.wait_for()
    no_exception(page)
    page.get_by_text("Sleep quality 1/5: worse than usual for you").first.wait_for()
    assert "Check-in of" in main_text(page)
    shot(page, "checkin_phone_today")

    # --- a niggle: left knee, training modified, low pain ------------------------------------
    page.get_by_role("tab", name="Niggles").click()
    settle(page)
    pick(page, "Where", "Knee")
    page.locator('[data-testid="stRadio"]').filter(has_text="Side").get_by_text(
        "Left", exact=True).click()
    page.locator('[data-testid="stRadio"]').filter(has_text="Effect on training").get_by_text(
        "Training modified", exact=False).click()
    act(page, page.get_by_role("button", name="Save niggle").click)
    page.get_by_text("Left knee niggle saved.").wait_for()
    no_exception(page)
    page.get_by_text("raises the risk level to at least moderate").first.wait_for()
    shot(page, "checkin_phone_niggles")

    # --- the Athlete page on the phone: moderate, the niggle reason first ---------------------
    act(page, page.get_by_role("link", name="See the risk level on the Athlete page").click)
    page.get_by_text("Injury-risk signal").first.wait_for()
    settle(page)
    page.locator(".main-svg").first.wait_for()
    no_exception(page)
    text = main_text(page)
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
    shot(page, "athlete_phone_niggle")

    # --- desktop: the same page, then the Squad roster and its CSV ----------------------------
    page.set_viewport_size({"width": 1400, "height": 1000})
    settle(page)
    page.wait_for_timeout(500)  # plotly re-layout to the new width before the shot
    shot(page, "athlete_desktop_niggle")
    act(page, page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Squad").click)
    page.get_by_text("Balance across the squad").wait_for()
    settle(page)
    no_exception(page)
    shot(page, "squad_desktop_niggle")
    # the roster opens on the last full week; today's niggle is in the last 7 days
    act(page, page.get_by_text("Last 7 days", exact=True).first.click)
    with page.expect_download() as dl:
        page.get_by_role("button", name="Roster CSV").click()
    roster = pd.read_csv(dl.value.path(), keep_default_na=False)
    row = roster.loc[roster["athlete"] == ATHLETE].iloc[0]
    assert row["risk_level"] == "moderate"
    assert row["top_reason"] == first_reason
    page.context.close()

    # --- the CLI on the same database ---------------------------------------------------------
    out = cli(["risk", "--store", "--latest"], {"STRIDEWISE_DB": app.db}).stdout
    got = pd.read_csv(io.StringIO(out), keep_default_na=False)
    row = got.loc[got["athlete"] == ATHLETE].iloc[0]
    assert row["risk_level"] == "moderate" and row["top_reason"] == first_reason
