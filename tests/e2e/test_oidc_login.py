"""End to end: club mode with a real OpenID Connect provider (``oidc-provider-mock``, started
here on 127.0.0.1), Streamlit's ``st.login`` in Chromium, and the role from a groups claim.

The provider knows four users: a coach (group ``club-coaches``), an athlete (``club-runners``),
a parent in no mapped group, and an address the provider marks as not verified. The store holds
two athletes; only Ana granted the coach access. The admin's mapping (group → role) is saved in
the settings before the app starts.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace

import pytest
from harness import (
    ROOT,
    App,
    TcpSwitch,
    cli,
    free_port,
    no_exception,
    settle,
    start_app,
    stop,
)

from stridewise import oidc
from stridewise.access import Actor
from stridewise.accounts import Accounts
from stridewise.store import Store

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("club_oidc")]

DEMO = ROOT / "data" / "demo"
ANA, BEN = "Ana Club", "Ben Club"
COACH, ATHLETE, PARENT, UNVERIFIED = ("coach@club.example", "ana@club.example",
                                      "parent@club.example", "unverified@club.example")
USERS = [
    {"sub": COACH, "email": COACH, "email_verified": True, "groups": ["club-coaches"]},
    {"sub": ATHLETE, "email": ATHLETE, "email_verified": True, "groups": ["/club-runners"]},
    {"sub": PARENT, "email": PARENT, "email_verified": True, "groups": ["parents"]},
    {"sub": UNVERIFIED, "email": UNVERIFIED, "email_verified": False,
     "groups": ["club-coaches"]},
]


def _provider_up(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real OpenID Connect provider on 127.0.0.1 with the users above."""
    port = free_port()
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    args = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port",
            str(port)]
    for user in USERS:
        args += ["--user-claims", json.dumps(user)]
    with log.open("wb") as fh:
        proc = subprocess.Popen(args, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not _provider_up(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"oidc-provider-mock did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)  # waiting for the provider's socket
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def front() -> Iterator[TcpSwitch]:
    """The public address every browser uses (a proxy in front of the app processes)."""
    sw = TcpSwitch()
    try:
        yield sw
    finally:
        sw.close()


@pytest.fixture(scope="module")
def app(provider: str, front: TcpSwitch,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The first app process, reached through ``front`` (its ``url`` is the public one)."""
    tmp = tmp_path_factory.mktemp("oidc_app")
    db = tmp / "club.db"
    env = {"STRIDEWISE_DB": str(db)}
    cli(["import", str(DEMO / "ana_silva_strava_activities.csv"), "--athlete", ANA], env)
    cli(["import", str(DEMO / "ben_carter_garmin_Activities.csv"), "--athlete", BEN], env)
    with Store(str(db)) as store:
        accounts, operator = Accounts(store), Actor.operator()
        accounts.create_user(ATHLETE, "athlete", ANA, by=operator)
        accounts.create_user(COACH, "coach", by=operator)
        accounts.grant(ANA, coach=COACH, by=operator)
        cfg = oidc.OidcConfig(group_roles={"club-coaches": "coach", "club-runners": "athlete"})
        store.save_settings({**oidc.with_config(store.settings(), cfg), "demo_dismissed": True})
    port = free_port()
    secrets = tmp / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{front.url}/oauth2callback"\n'
        'cookie_secret = "e2e-cookie-secret-0123456789abcdef0123"\n'
        'client_id = "stridewise"\n'
        'client_secret = "e2e-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n')
    a = start_app(tmp, "oidc_app", {**env, "STRIDEWISE_AUTH": "oidc"}, port=port,
                  extra_args=["--secrets.files", str(secrets)])
    front.switch(port)
    try:
        yield replace(a, url=front.url)
    finally:
        stop(a)


@pytest.fixture(scope="module")
def second_app(app: App) -> Iterator[App]:
    """A second process of the same deployment: same database, same secrets.toml (one cookie
    secret), another port."""
    tmp = app.log.parent
    b = start_app(tmp, "oidc_app2", {"STRIDEWISE_DB": app.db, "STRIDEWISE_AUTH": "oidc"},
                  extra_args=["--secrets.files", str(tmp / "secrets.toml")])
    try:
        yield b
    finally:
        stop(b)


def _page(browser, app: App):
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    # nothing leaves the machine (the provider's page links a stylesheet on a CDN)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]).*"), lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def _login(page, app: App, provider: str, who: str) -> None:
    page.goto(app.url)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(provider) + r"/oauth2/authorize"))
    page.get_by_role("button", name=who, exact=True).click()
    page.wait_for_url(re.compile(re.escape(app.url) + r"/?$"))
    settle(page)


def _everything(page, app: App) -> str:
    """The text of the Home and Squad pages, after each one settled (data tables are drawn on a
    canvas: :func:`_athletes_offered` reads the names)."""
    texts = []
    for slug in ("", "Squad"):
        page.goto(f"{app.url}/{slug}")
        settle(page)
        no_exception(page)
        texts.append(page.inner_text("body"))
    return "\n".join(texts)


def _athletes_offered(page, app: App) -> list[str]:
    """The athletes the Home page's athlete picker offers this user ([] when it offers none)."""
    page.goto(app.url)
    picker = page.locator('[data-testid="stSelectbox"]').filter(
        has=page.get_by_text("Athlete", exact=True))
    # the page drew either the picker, or a sentence instead of any athlete
    picker.or_(page.locator('[data-testid="stAlert"]')).first.wait_for()
    settle(page)
    no_exception(page)
    if picker.count() == 0:
        return []
    picker.first.click()
    options = page.get_by_role("option")
    options.first.wait_for()
    names = [t.strip() for t in options.all_inner_texts()]
    page.keyboard.press("Escape")
    return names


def test_anonymous_sees_only_the_login_page(browser, app: App) -> None:
    page = _page(browser, app)
    for slug in ("", "Athlete", "Squad", "Settings", "Import"):
        page.goto(f"{app.url}/{slug}")
        page.get_by_role("button", name="Log in").wait_for()
        settle(page)
        no_exception(page)
        text = page.inner_text("body")
        assert page.get_by_role("button", name="Log in").count() == 1, text[-1500:]
        assert ANA not in text and BEN not in text
        assert page.locator('[data-testid="stSidebarNav"], a[href*="Athlete"]').count() == 0
    page.context.close()


def test_coach_group_sees_the_coach_view_of_the_granted_athlete(browser, app: App,
                                                                 provider: str) -> None:
    page = _page(browser, app)
    _login(page, app, provider, COACH)
    assert f"Signed in as {COACH} (coach)" in page.inner_text("body")
    assert _athletes_offered(page, app) == [ANA]
    assert BEN not in _everything(page, app)
    page.context.close()


def test_athlete_group_sees_only_their_own_data(browser, app: App, provider: str) -> None:
    page = _page(browser, app)
    _login(page, app, provider, ATHLETE)
    assert f"Signed in as {ATHLETE} (athlete)" in page.inner_text("body")
    assert _athletes_offered(page, app) == [ANA]
    assert BEN not in _everything(page, app)
    page.context.close()


@pytest.mark.parametrize("who,sentence", [
    (PARENT, "none of your groups gives access to Stridewise"),
    (UNVERIFIED, "is not verified yet"),
])
def test_no_mapped_group_or_unverified_address_sees_no_data(browser, app: App, provider: str,
                                                            who: str, sentence: str) -> None:
    page = _page(browser, app)
    _login(page, app, provider, who)
    text = page.inner_text("body")
    assert sentence in text, text[-1500:]
    everything = _everything(page, app)
    assert ANA not in everything and BEN not in everything
    assert _athletes_offered(page, app) == []
    # the way out: log out (the provider ends its session too), and the login page is back
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(re.escape(provider) + r"/oauth2/end_session"))
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="Log in").wait_for()
    assert ANA not in page.inner_text("body")
    page.context.close()


def test_the_mapping_decides_on_the_next_run(browser, app: App, provider: str) -> None:
    """Without a mapping nobody from the provider gets in (the default)."""
    page = _page(browser, app)
    _login(page, app, provider, COACH)
    assert _athletes_offered(page, app) == [ANA], page.inner_text("body")[-1500:]
    with Store(app.db) as store:
        saved = store.settings()
        store.save_settings(oidc.with_config(saved, oidc.OidcConfig()))
        try:
            page.goto(app.url)
            settle(page)
            assert "nobody gets access through the sign-in provider yet" in page.inner_text(
                "body")
            assert _athletes_offered(page, app) == []
        finally:
            store.save_settings(saved)
    page.context.close()


def test_the_login_is_valid_on_a_second_process_with_the_same_secret(
        browser, app: App, second_app: App, provider: str, front: TcpSwitch) -> None:
    """Behind the proxy a browser may land on another process (after a restart): the
    provider's login cookie, signed with the shared cookie secret, is honoured there without a
    new login."""
    page = _page(browser, app)
    _login(page, app, provider, COACH)
    first = front.target
    assert first is not None
    front.switch(int(second_app.url.rsplit(":", 1)[1]))
    os.kill(app.proc.pid, signal.SIGSTOP)  # the first process cannot answer meanwhile
    try:
        assert _athletes_offered(page, app) == [ANA]
        assert f"Signed in as {COACH} (coach)" in page.inner_text("body")
    finally:
        os.kill(app.proc.pid, signal.SIGCONT)
        front.switch(first)
    page.context.close()
