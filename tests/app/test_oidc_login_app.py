"""Club mode with OpenID Connect in AppTest: the login screen, the refusal sentence, the coach's
scoped view and the admin's sign-in settings (``st.user`` seeded through ``AppTest.user``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from apphelpers import no_exception, run_page
from streamlit.testing.v1 import AppTest

from stridewise import oidc
from stridewise.access import Actor
from stridewise.accounts import Accounts
from stridewise.store import Store

AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "apptest-cookie-secret-0123456789abcdef",
        "client_id": "stridewise", "client_secret": "apptest-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
BOSS = "boss@club.example"


@pytest.fixture
def club_db(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo squad in club mode with OpenID Connect; coaches and runners mapped; one
    bootstrap admin; the coach has access to one demo athlete."""
    monkeypatch.setenv("STRIDEWISE_AUTH", "oidc")
    monkeypatch.setenv(oidc.ADMINS_ENV, BOSS)
    with Store(str(demo_db)) as store:
        cfg = oidc.OidcConfig(group_roles={"coaches": "coach", "runners": "athlete"})
        store.save_settings(oidc.with_config(store.settings(), cfg))
        first = sorted(store.athletes()["name"])[0]
        acc = Accounts(store)
        acc.create_user("coach@club.example", "coach", by=Actor.operator())
        acc.grant(first, coach="coach@club.example", by=Actor.operator())
    return demo_db


def _app(user: dict | None, *, secrets: bool = True) -> AppTest:
    from apphelpers import APP, TIMEOUT

    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if secrets:
        at.secrets["auth"] = AUTH
    if user is not None:
        at.user = user
    return at


def _names(store_path: Path) -> list[str]:
    with Store(str(store_path)) as store:
        return sorted(store.athletes()["name"])


def _plain(markdown: object) -> str:
    """Markdown as the reader sees it (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", str(markdown))


def _all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.title]
    parts += [str(e.value) for kind in ("warning", "error", "info", "caption", "subheader")
              for e in getattr(at, kind)]
    parts += [str(o) for s in at.selectbox for o in s.options]
    return _plain("\n".join(parts))


def test_anonymous_gets_the_login_button_and_nothing_else(club_db: Path) -> None:
    at = _app({"is_logged_in": False})
    at.run()
    no_exception(at)
    assert [b.label for b in at.button] == ["Log in"]
    text = _all_text(at)
    assert not any(name in text for name in _names(club_db))


def test_missing_auth_section_is_one_sentence(club_db: Path) -> None:
    at = _app({"is_logged_in": False}, secrets=False)
    at.run()
    no_exception(at)
    assert any("needs the [auth] section of .streamlit/secrets.toml" in _plain(e.value)
               for e in at.error)
    assert [b.label for b in at.button] == []


def test_unmapped_group_sees_why_and_no_data(club_db: Path) -> None:
    at = _app({"is_logged_in": True, "email": "parent@club.example", "groups": ["parents"]})
    at.run()
    no_exception(at)
    assert any("none of your groups gives access" in _plain(w.value) for w in at.warning)
    assert [b.label for b in at.button] == ["Log out"]
    assert not any(name in _all_text(at) for name in _names(club_db))


def test_coach_group_gets_the_scoped_store_and_an_account(club_db: Path) -> None:
    at = _app({"is_logged_in": True, "email": "coach@club.example", "groups": ["/Coaches"]})
    at.run()
    at = run_page("athlete", at=at)
    no_exception(at)
    picker = [s for s in at.selectbox if s.label == "Athlete"]
    assert picker and list(picker[0].options) == [_names(club_db)[0]]
    with Store(str(club_db)) as store:
        me = Accounts(store).user("coach@club.example")
    assert me is not None and me.role == "coach"


def test_first_login_provisions_a_linked_athlete_account(club_db: Path) -> None:
    name = _names(club_db)[1]
    with Store(str(club_db)) as store:
        cfg = oidc.config_from_settings(store.settings())
        cfg = oidc.OidcConfig(cfg.groups_claim, cfg.group_roles, {"runner@club.example": name})
        store.save_settings(oidc.with_config(store.settings(), cfg))
    at = _app({"is_logged_in": True, "email": "runner@club.example", "groups": ["runners"]})
    at.run()
    at = run_page("athlete", at=at)
    no_exception(at)
    assert [t.value for t in at.title][0] == name
    with Store(str(club_db)) as store:
        me = Accounts(store).user("runner@club.example")
    assert me is not None and (me.role, me.athlete) == ("athlete", name)


def test_admin_changes_the_groups_claim_on_the_settings_page(club_db: Path) -> None:
    at = _app({"is_logged_in": True, "email": BOSS, "groups": []})
    at.run()
    at = run_page("settings", at=at)
    no_exception(at)
    assert any(s.value == "Sign-in provider: groups and roles" for s in at.subheader)
    box = [t for t in at.text_input if t.label == "Groups claim"][0]
    box.set_value("realm_access.roles")
    [b for b in at.button if b.label == "Save sign-in settings"][0].click()
    at.run()
    no_exception(at)
    with Store(str(club_db)) as store:
        cfg = oidc.config_from_settings(store.settings())
    assert cfg.groups_claim == "realm_access.roles"
    assert cfg.group_roles == {"coaches": "coach", "runners": "athlete"}


def test_coach_sees_no_sign_in_settings(club_db: Path) -> None:
    at = _app({"is_logged_in": True, "email": "coach@club.example", "groups": ["coaches"]})
    at.run()
    at = run_page("settings", at=at)
    no_exception(at)
    assert not any(t.label == "Groups claim" for t in at.text_input)
