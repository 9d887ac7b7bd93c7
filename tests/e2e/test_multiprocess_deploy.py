"""End to end: the club deployment that outgrew one process. Two app processes (club mode,
local accounts, one shared cookie secret, small connection pools) on one PostgreSQL; a coach
logs in through each in Chromium and sees the same data; a change written by a third process
(the command line) shows through both; the pools stay within their sizes.

Also the other side of the boundary: the personal mode (the README's first command) opens the
demo squad without a login and listens on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from harness import (
    ROOT,
    App,
    app_env,
    cli,
    free_port,
    healthy,
    no_exception,
    settle,
    start_app,
    stop,
)

from stridewise.store import Store

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("club_multiprocess")]

DEMO = ROOT / "data" / "demo"
MIA, NOA, OLA = "Mia Multi", "Noa Multi", "Ola Multi"
COACH, PASSWORD = "coach@club.example", "correct horse battery staple"
PROCESSES, POOL_SIZE, MAX_OVERFLOW = 2, 2, 1


@pytest.fixture(scope="module")
def club(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[App], dict[str, str]]]:
    from harness import postgres_database

    tmp = tmp_path_factory.mktemp("club")
    with postgres_database() as url:
        env = {"STRIDEWISE_DB": url, "STRIDEWISE_AUTH": "local",
               "STREAMLIT_SERVER_COOKIE_SECRET": "one-secret-for-every-process-0123456789",
               "STRIDEWISE_DB_POOL_SIZE": str(POOL_SIZE),
               "STRIDEWISE_DB_MAX_OVERFLOW": str(MAX_OVERFLOW)}
        cli(["import", str(DEMO / "ana_silva_strava_activities.csv"), "--athlete", MIA], env)
        cli(["import", str(DEMO / "ben_carter_garmin_Activities.csv"), "--athlete", OLA], env)
        cli(["users", "add", COACH, "--role", "coach", "--password-stdin"], env,
            stdin=PASSWORD + "\n")
        cli(["users", "grant", MIA, "--to", COACH], env)
        with Store(url) as store:  # no demo squad in the club's database
            store.save_settings({**store.settings(), "demo_dismissed": True})
        apps: list[App] = []
        try:
            for i in range(PROCESSES):
                apps.append(start_app(tmp, f"club_app{i + 1}", env))
            yield apps, env
        finally:
            for a in apps:
                stop(a)


def _log_in(browser, app: App):
    page = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
    page.set_default_timeout(60_000)
    page.goto(app.url)
    page.get_by_label("E-mail", exact=True).fill(COACH)
    pw = page.get_by_label("Password", exact=True)
    assert pw.get_attribute("type") == "password"
    pw.fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text(f"Signed in as {COACH} (coach)").wait_for()
    settle(page)
    no_exception(page)
    return page


def _open(page, label: str) -> None:
    """Follow a sidebar link (the login lives in this browser session, so no reload)."""
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=label).first.click()
    settle(page)
    no_exception(page)


def _athletes_offered(page) -> list[str]:
    """The athletes the Home page's athlete picker offers this user."""
    _open(page, "Home")
    picker = page.locator('[data-testid="stSelectbox"]').filter(
        has=page.get_by_text("Athlete", exact=True))
    picker.first.wait_for()
    settle(page)
    picker.first.click()
    options = page.get_by_role("option")
    options.first.wait_for()
    names = [t.strip() for t in options.all_inner_texts()]
    page.keyboard.press("Escape")
    return names


def _athlete_page_text(page) -> str:
    """The Athlete page's text (figures, reasons, tables' captions) of the selected athlete."""
    _open(page, "Athlete")
    page.locator(".main-svg").first.wait_for()
    settle(page)
    return page.locator('[data-testid="stMain"]').inner_text()


def _connections(url: str) -> int:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()")).scalar() or 0)
    finally:
        engine.dispose()


def test_two_processes_one_postgres_same_data(club, browser) -> None:
    apps, env = club
    assert len({a.url for a in apps}) == PROCESSES
    pages = [_log_in(browser, a) for a in apps]
    for page in pages:
        assert _athletes_offered(page) == [MIA]
    texts = [_athlete_page_text(p) for p in pages]
    assert MIA in texts[0] and "Weekly volume by training area" in texts[0]
    assert texts[0] == texts[1]
    assert OLA not in texts[0]

    # a change written elsewhere (the command line: a third process) shows through both
    cli(["import", str(DEMO / "chloe_martin_strava_activities.csv"), "--athlete", NOA], env)
    cli(["users", "grant", NOA, "--to", COACH], env)
    for page in pages:
        assert _athletes_offered(page) == sorted([MIA, NOA])

    # and a revoke takes effect in both at once
    cli(["users", "revoke", NOA, "--from", COACH], env)
    for page in pages:
        assert _athletes_offered(page) == [MIA]

    # each process stays within its pool: processes × (pool size + overflow)
    assert 0 < _connections(env["STRIDEWISE_DB"]) <= PROCESSES * (POOL_SIZE + MAX_OVERFLOW)
    for page in pages:
        page.context.close()


def test_wrong_password_through_either_process_is_refused(club, browser) -> None:
    apps, _env = club
    for app in apps:
        page = browser.new_context().new_page()
        page.set_default_timeout(60_000)
        page.goto(app.url)
        page.get_by_label("E-mail", exact=True).fill(COACH)
        page.get_by_label("Password", exact=True).fill("not the password")
        page.get_by_role("button", name="Log in").click()
        page.locator('[data-testid="stAlert"]').first.wait_for()
        settle(page)
        text = page.inner_text("body")
        assert "Signed in as" not in text and MIA not in text
        assert page.get_by_role("button", name="Log in").count() == 1
        page.context.close()


# --------------------------------------------------------------------------- personal mode


def _listening_addresses(port: int) -> set[str]:
    """The local addresses with a listening TCP socket on ``port`` (from /proc/net/tcp*)."""
    found: set[str] = set()
    for name, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            local, state = parts[1], parts[3]
            addr, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port or len(addr) != width:
                continue
            if width == 8:
                found.add(".".join(str(b) for b in reversed(bytes.fromhex(addr))))
            else:
                found.add("::" if set(addr) == {"0"} else addr)
    return found


def test_personal_mode_no_login_on_loopback_only(tmp_path: Path, browser) -> None:
    """The README's first command (``bash scripts/run_app.sh``) opens the demo squad without a
    login, listening on 127.0.0.1 only."""
    port = free_port()
    env = app_env({"STRIDEWISE_DB": str(tmp_path / "personal.db")})
    env.pop("STRIDEWISE_AUTH", None)
    log = (tmp_path / "personal.log").open("wb")
    proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "run_app.sh"), "--server.port",
                             str(port), "--server.fileWatcherType", "none"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    log.close()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # the script may first check the installed packages
        while not healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("run_app.sh did not start:\n"
                            + (tmp_path / "personal.log").read_text()[-3000:])
            time.sleep(0.2)  # waiting for the server socket
        assert _listening_addresses(port) == {"127.0.0.1"}
        page = browser.new_page()
        page.set_default_timeout(60_000)
        page.goto(url)
        page.get_by_text("You are looking at demo data").wait_for()
        settle(page)
        no_exception(page)
        assert page.get_by_role("button", name="Log in").count() == 0
        assert page.get_by_label("Password", exact=True).count() == 0
        assert re.search(r"Signed in as", page.inner_text("body")) is None
        page.close()
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
