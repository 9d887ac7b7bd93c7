"""End to end: the Monday review in Debian's Chromium on the demo squad. Marks athletes seen and
watches "since your last review" shrink, writes a coach-private and an athlete-visible note,
sends the digest through an SMTP server started here (aiosmtpd) and checks what arrives, opens
an athlete's week by its link. Screenshots at 1400 px and 390 px go to tests/artifacts/."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from email import policy

import pytest
from harness import act, demo_app, new_page, no_exception, pick, settle, shot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory, smtp_inbox) -> Iterator[str]:
    """The app on a demo database whose settings name the local SMTP server."""
    from stridewise import demo

    def prepare(store) -> None:
        demo.ensure_demo(store)
        store.save_settings({**store.settings(), "smtp": {
            "host": "127.0.0.1", "port": smtp_inbox[1], "security": "none",
            "sender": "coach@club.example", "recipients": {"*": ["squad@club.example"]}}})

    with demo_app(tmp_path_factory.mktemp("e2e_review"), "review", prepare=prepare) as app:
        yield app.url


def _count(page) -> int:
    text = page.get_by_text(re.compile(r"^Since your last review \(")).first.inner_text()
    return int(re.search(r"\((\d+) of \d+", text).group(1))


def _add_note(page, text: str, visibility: str) -> None:
    form = page.locator('[data-testid="stForm"]').filter(has=page.get_by_text("Add a note"))
    form.locator("textarea").fill(text)
    form.get_by_text(visibility, exact=True).click()
    act(page, form.get_by_role("button", name=re.compile("Save note")).click)
    page.get_by_text(text, exact=True).first.wait_for()


def _open_section(page, label: str) -> None:
    """Open one of the sections drawn on request (chase list, notes, digest)."""
    group = page.locator('[data-testid="stButtonGroup"]').first
    act(page, group.get_by_text(label, exact=True).click)


def test_monday_review_in_chromium(review_server: str, browser, smtp_inbox) -> None:
    box, _ = smtp_inbox
    page = new_page(browser)
    page.goto(f"{review_server}/Review")
    page.get_by_text(re.compile(r"^Since your last review \(")).first.wait_for()
    settle(page)
    no_exception(page)
    assert re.search(r"[?&]week=\d{4}-\d{2}-\d{2}", page.url)  # the week is in the link
    shot(page, "review_1400")
    before = _count(page)
    assert before >= 3
    # a new visitor's page holds one table (the list); the other sections open on request
    assert page.locator('[data-testid="stDataFrame"]').count() == 1
    assert page.get_by_role("heading", name="Chase list").count() == 0

    # mark one athlete seen, then everyone: the list shrinks to nothing
    pick(page, "Mark seen", "Chloe Martin")
    act(page, page.get_by_role("button").filter(has_text=re.compile(r"Mark seen$")).click)
    page.get_by_text(f"Since your last review ({before - 1} of").wait_for()
    assert _count(page) == before - 1
    act(page, page.get_by_role("button", name=re.compile("Mark all seen")).click)
    page.get_by_text("Nothing new since your last review.").wait_for()
    assert _count(page) == 0
    no_exception(page)

    # the chase list opens on request
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    act(page, page.locator('[data-testid="stButtonGroup"]').first.get_by_text(
        re.compile(r"^Chase list \(\d+\)$")).click)
    page.get_by_role("heading", name="Chase list").wait_for()
    assert "section=chase" in page.url
    assert page.locator('[data-testid="stDataFrame"]').count() == 1

    # notes: coach-private and athlete-visible, both shown to the coach
    _open_section(page, "Notes")
    pick(page, "Athlete", "Ben Carter")
    _add_note(page, "E2E private: watch the left calf", "Coach-private")
    _add_note(page, "E2E for Ben: great week, keep Sunday easy", "Athlete-visible")
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Coach-private" in main and "Athlete-visible" in main
    no_exception(page)

    # the digest through the local SMTP server
    _open_section(page, "Weekly squad digest")
    act(page, page.get_by_role("button", name=re.compile("Send the digest by e-mail")).click)
    page.get_by_text(re.compile("Sent the digest of")).wait_for()
    assert box.messages, "no message reached the SMTP server"
    msgs = [email.message_from_bytes(m, policy=policy.default) for m in box.messages]
    road = next(m for m in msgs if "Road" in m["Subject"])
    body = road.get_body(preferencelist=("plain",)).get_content()
    assert "Flagged athletes:" in body
    assert "E2E for Ben: great week, keep Sunday easy" in body
    assert "E2E private" not in body  # the reader of an e-mailed digest is not the author
    pdf = [p for p in road.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(pdf) == 1 and pdf[0].get_content().startswith(b"%PDF-")
    shot(page, "review_1400_done")

    # the link to Ben Carter's page on the week opens that athlete and week (the notes
    # section still shows the athlete chosen before)
    _open_section(page, "Notes")
    act(page, page.get_by_role("link", name=re.compile("Open Ben Carter's page on this week")).click)
    page.get_by_text("Weekly volume by training area").first.wait_for()
    settle(page)
    no_exception(page)
    assert page.locator("h1").first.inner_text().strip() == "Ben Carter"
    assert "athlete=Ben+Carter" in page.url and "week=" in page.url
    page.get_by_text(re.compile("Showing the week")).first.wait_for()
    bookmark = page.url
    page.context.close()

    # a fresh visitor opening the bookmark sees the same athlete and week
    phone = new_page(browser, width=390, height=844)
    phone.goto(bookmark)
    phone.get_by_text("Weekly volume by training area").first.wait_for()
    settle(phone)
    assert phone.locator("h1").first.inner_text().strip() == "Ben Carter"
    phone.goto(f"{review_server}/Review")
    phone.get_by_text(re.compile(r"^Since your last review \(")).first.wait_for()
    settle(phone)
    no_exception(phone)
    shot(phone, "review_390")
    _open_section(phone, "Notes")
    pick(phone, "Athlete", "Ben Carter")
    phone.get_by_text("E2E for Ben: great week, keep Sunday easy").first.wait_for()
    no_exception(phone)
    shot(phone, "review_390_notes")
    phone.context.close()
