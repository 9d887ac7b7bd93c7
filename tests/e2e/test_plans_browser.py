"""End to end on the demo squad in Chromium: create a squad plan, override it for one athlete,
see last week's planned vs done in colour, and a plan check of a long run above the longest of
the last 30 days. Screenshots at 1400 px and 390 px go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import re

import pytest
from harness import act, new_page, no_exception, pick, settle, shot

pytestmark = pytest.mark.e2e

# computed colours of the status badges: green for done, red for missed, orange for partly
_BADGE_RGB = """(word) => {
    const out = [];
    for (const el of document.querySelectorAll('[data-testid="stMain"] span')) {
        if (el.children.length === 0 && el.textContent.trim() === word) {
            let node = el;
            for (let i = 0; i < 4 && node; i++, node = node.parentElement) {
                const bg = getComputedStyle(node).backgroundColor;
                const m = bg.match(/rgba?\\((\\d+), (\\d+), (\\d+)(, ([\\d.]+))?\\)/);
                if (m && (m[5] === undefined || parseFloat(m[5]) > 0)) {
                    out.push([+m[1], +m[2], +m[3]]);
                    break;
                }
            }
        }
    }
    return out;
}"""


def _save(page, expect: str) -> None:
    act(page, page.get_by_role("button", name=re.compile("Save plan")).click)
    page.get_by_text(expect).first.wait_for()
    no_exception(page)


def test_squad_plan_override_colours_and_check(server: str, browser) -> None:
    page = new_page(browser)
    page.goto(f"{server}/Plans")
    page.get_by_text("Sessions and minutes per week, per area").wait_for()
    settle(page)
    no_exception(page)

    # the demo's Road squad opens first: last week's planned vs done as a coloured matrix
    page.get_by_text("Last week (from").first.wait_for()
    assert page.get_by_text("Green: done within 20 % of the plan").count() == 1
    shot(page, "plans_squad_road_1400")

    # a new squad plan for the Beginners
    pick(page, "Squad", "Beginners")
    page.get_by_text("Nothing was planned last week.").wait_for()
    page.get_by_label("Sessions").nth(1).fill("2")   # strength (areas in order)
    page.get_by_label("Minutes").nth(1).fill("60")
    page.get_by_label("Sessions").nth(0).fill("3")   # endurance
    pick(page, "Kind", "Long run")
    pick(page, "Day", "Sunday")
    page.get_by_label("Distance (km, 0 = any)").first.fill("12")
    page.get_by_label("Your name (for the change history)").fill("Coach E2E")
    _save(page, "Saved squad Beginners")
    history = page.locator('[data-testid="stMain"]').inner_text()
    assert "Checks of the week of" in history

    # override it for one athlete: less strength, an ambitious long run
    act(page, page.get_by_text("One athlete", exact=True).click)
    pick(page, "Athlete", "Finn O'Brien")
    page.get_by_text("inherited from squad Beginners").first.wait_for()
    assert page.get_by_label("Sessions").nth(1).input_value() == "2.0"
    page.get_by_label("Sessions").nth(1).fill("1")
    page.get_by_label("Distance (km, 0 = any)").first.fill("40")
    _save(page, "Saved Finn O'Brien's plan")
    page.get_by_text("set for Finn O'Brien").first.wait_for()
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "inherited from squad Beginners" in text
    found = re.search(r"Sunday's 40 km long run is (\d+) % above the longest run of the last "
                      r"30 days \(([\d.]+) km; (small|moderate|large) spike", text)
    assert found, text[-3000:]
    pct, longest, band = int(found.group(1)), float(found.group(2)), found.group(3)
    assert abs(pct - round(100 * (40 / longest - 1))) <= 1
    assert band == ("large" if pct > 100 else "moderate" if pct > 30 else "small")
    shot(page, "plans_override_1400")

    # last week's colours for an athlete of the demo plan: badges coloured by status
    pick(page, "Athlete", "Ben Carter")
    page.get_by_text("inherited from squad Road").first.wait_for()
    settle(page)
    done = page.evaluate(_BADGE_RGB, "done")
    missed = page.evaluate(_BADGE_RGB, "missed")
    assert done and missed, page.locator('[data-testid="stMain"]').inner_text()[-3000:]
    assert all(g > r for r, g, _ in done)  # green
    assert all(r > g for r, g, _ in missed)  # red
    shot(page, "plans_athlete_ben_1400")
    page.context.close()

    # the phone width: the same page stays usable
    phone = new_page(browser, width=390, height=844)
    phone.goto(f"{server}/Plans")
    phone.get_by_text("Sessions and minutes per week, per area").wait_for()
    settle(phone)
    no_exception(phone)
    # the first squad with a plan (now the Beginners) opens with its template filled in
    phone.wait_for_function("""() => {
        const v = [...document.querySelectorAll('input[type="number"]')].map(e => e.value);
        return v.length > 10 && v[2] === '2.0' && v[3] === '60' && v[10] === '12.0';
    }""")
    shot(phone, "plans_squad_390")
    phone.context.close()


def test_athlete_and_squad_pages_show_the_plan(server: str, browser) -> None:
    for width in (1400, 390):
        page = new_page(browser, width=width)
        page.goto(f"{server}/Athlete")
        page.get_by_text("planned vs done").first.wait_for()
        settle(page)
        no_exception(page)
        assert page.get_by_text("checks of the plan").count() >= 1
        shot(page, f"athlete_plan_{width}")
        page.goto(f"{server}/Squad")
        page.get_by_text("Balance across the squad").wait_for()
        settle(page)
        no_exception(page)
        shot(page, f"squad_plan_column_{width}")
        page.context.close()
