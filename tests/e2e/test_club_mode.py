"""End to end in club mode (``STRIDEWISE_AUTH=local``): the real app under ``streamlit run`` in
Debian's Chromium, on the demo squad with local accounts.

An anonymous visitor sees only the login form on every page; an athlete sees only their own
data on every page and in every download; a coach without a grant sees nothing, after the
athlete grants access (on the Account page) exactly that athlete, after the revoke nothing;
wrong passwords are rate-limited; the audit log records the views and exports.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import act, new_page, no_exception, pick, settle, start_app, stop

pytestmark = pytest.mark.e2e

PW = "club password 2026"
ATHLETE = "Ana Silva"
PAGES = {"Home": "Areas on target", "Import": "Past imports", "Athlete": "Weekly volume by",
         "Squad": "Squad", "Settings": "Weekly targets", "Review areas": "Review",
         "Account": "Audit log"}


@pytest.fixture(scope="module")
def club(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A club database (demo squad + accounts) and the app serving it in club mode."""
    from stridewise import demo
    from stridewise.accounts import Accounts
    from stridewise.store import Store

    db = tmp_path_factory.mktemp("club") / "club.db"
    store = Store(str(db))
    assert demo.ensure_demo(store)
    names = store.athletes()["name"].tolist()
    acc = Accounts(store)
    acc.create_user("ana@club.org", "athlete", ATHLETE, PW)
    acc.create_user("coach@club.org", "coach", None, PW)
    acc.create_user("admin@club.org", "admin", None, PW)
    app = start_app(db.parent, "club", {"STRIDEWISE_DB": str(db), "STRIDEWISE_AUTH": "local"})
    try:
        yield {"url": app.url, "store": store, "acc": acc, "names": names}
    finally:
        stop(app)
        store.close()


def _text(page) -> str:
    return page.locator('[data-testid="stApp"]').inner_text()


def _others(club: dict) -> list[str]:
    return [n for n in club["names"] if n != ATHLETE]


def _login(browser, club: dict, email: str, password: str = PW, *, ok: bool = True):
    page = new_page(browser)
    page.goto(club["url"])
    page.get_by_role("button", name="Log in").wait_for()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    act(page, page.get_by_role("button", name="Log in").click)
    if ok:
        page.get_by_role("button", name="Log out").wait_for()
        settle(page)
    return page


SLUGS = {"Home": "", "Review areas": "Review_areas"}


def _open(page, label: str, *, has_data: bool = True) -> str:
    """Follow the sidebar link (the login lives in this browser session)."""
    act(page, page.locator('[data-testid="stSidebar"] a', has_text=re.compile(f"{label}$")).click)
    slug = SLUGS.get(label, label)
    # pages may put their state into the address (athlete, week, range): a query may follow
    page.wait_for_url(re.compile((f"/{slug}" if slug else "/") + r"(\?.*)?$"))
    settle(page)
    if has_data:
        page.get_by_text(PAGES[label]).first.wait_for()
        settle(page)
    no_exception(page)
    return _text(page)


def test_anonymous_visitor_sees_only_the_login_page(club: dict, browser) -> None:
    page = new_page(browser)
    for slug in ("", "Import", "Athlete", "Squad", "Settings", "Review_areas", "Account"):
        page.goto(f"{club['url']}/{slug}")
        page.get_by_role("button", name="Log in").wait_for()
        settle(page)
        no_exception(page)
        page.locator('input[type="password"]').wait_for()
        assert page.locator('input[type="password"]').count() == 1
        assert page.get_by_label("E-mail").count() == 1
        text = _text(page)
        for name in club["names"]:
            assert name not in text, (slug, name)
        assert "Weekly volume" not in text and "demo data" not in text
        assert page.locator('[data-testid="stDownloadButton"]').count() == 0
    page.context.close()


def test_athlete_sees_only_their_own_data_on_every_page_and_download(club: dict,
                                                                      browser) -> None:
    page = _login(browser, club, "ana@club.org")
    page.get_by_text("Areas on target").first.wait_for()
    for label in PAGES:
        text = _open(page, label)
        for name in _others(club):
            assert name not in text, (label, name)
        if label in ("Home", "Athlete"):
            assert ATHLETE in text, label
    # every download of the Athlete page
    _open(page, "Athlete")
    buttons = page.locator('[data-testid="stDownloadButton"] button')
    assert buttons.count() >= 4
    for i in range(buttons.count()):
        with page.expect_download() as dl:
            buttons.nth(i).click()
        data = Path(dl.value.path()).read_bytes()
        blob = _readable(data)
        assert ATHLETE in blob, dl.value.suggested_filename
        for name in _others(club):
            assert name not in blob, (dl.value.suggested_filename, name)
    # everything about me, from the Account page
    _open(page, "Account")
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download everything (zip)").click()
    with zipfile.ZipFile(io.BytesIO(Path(dl.value.path()).read_bytes())) as zf:
        blob = "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
        assert "sessions.csv" in zf.namelist()
    assert ATHLETE in blob and all(n not in blob for n in _others(club))
    # the audit log (readable by Ana) records her views and exports
    log = club["acc"].audit(club["acc"].user("ana@club.org"))
    mine = log.loc[log["actor"] == "ana@club.org"]
    assert {"view", "export"} <= set(mine["action"])
    assert (mine["action"] == "export").sum() >= buttons.count() + 1
    page.context.close()


def _readable(data: bytes) -> str:
    """Text of a download: CSV/HTML as is, Excel (a zip of XML parts) unpacked."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    return data.decode("utf-8", "replace")


def test_coach_sees_nothing_then_the_granted_athlete_then_nothing(club: dict, browser) -> None:
    coach = _login(browser, club, "coach@club.org")
    for label in ("Home", "Athlete", "Squad"):
        text = _open(coach, label, has_data=False) if label != "Home" else _text(coach)
        assert all(n not in text for n in club["names"]), label
        assert "granted you access" in text, label
    # Ana grants access on her Account page
    ana = _login(browser, club, "ana@club.org")
    _open(ana, "Account")
    pick(ana, "Coach", "coach@club.org")
    act(ana, ana.get_by_role("button", name="Grant access").click)
    ana.get_by_text("Access granted to coach@club.org").wait_for()
    text = _open(coach, "Athlete")
    assert ATHLETE in text and all(n not in text for n in _others(club))
    text = _open(coach, "Squad")
    assert all(n not in text for n in _others(club))
    text = _open(coach, "Account", has_data=False)
    assert "My athletes" in text and ATHLETE in text
    # Ana revokes: the coach's next page shows nobody
    _open(ana, "Account")
    act(ana, ana.get_by_role("button", name="Revoke").click)
    ana.get_by_text("Access of coach@club.org revoked").wait_for()
    for label in ("Athlete", "Squad", "Home"):
        text = _open(coach, label, has_data=False)
        assert all(n not in text for n in club["names"]), label
    log = club["acc"].audit(club["acc"].user("admin@club.org"), ATHLETE)
    coach_rows = log.loc[log["actor"] == "coach@club.org"]
    assert "view" in set(coach_rows["action"])
    assert {"grant", "revoke"} <= set(log.loc[log["actor"] == "ana@club.org", "action"])
    coach.context.close()
    ana.context.close()


def test_wrong_passwords_are_rate_limited(club: dict, browser) -> None:
    from stridewise.accounts import MAX_FAILS_PER_ACCOUNT

    page = _login(browser, club, "admin@club.org", "not the password", ok=False)
    page.get_by_text("Wrong e-mail or password").wait_for()
    for _ in range(MAX_FAILS_PER_ACCOUNT - 1):  # each attempt's run finishes before the next
        page.get_by_label("Password", exact=True).fill("still not it")
        act(page, page.get_by_role("button", name="Log in").click)
    page.get_by_label("Password", exact=True).fill(PW)  # the right one, too late
    act(page, page.get_by_role("button", name="Log in").click)
    page.get_by_text("Too many failed logins").wait_for()
    assert "Areas on target" not in _text(page)
    page.context.close()
