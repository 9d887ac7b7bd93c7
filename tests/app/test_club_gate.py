"""The club-mode gate in AppTest: before login only the login form; after login the pages act
for that user (an athlete's pickers list only them; an edit is attributed); personal mode has
no login and its Account page says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from apphelpers import APP, TIMEOUT, no_exception
from streamlit.testing.v1 import AppTest

from stridewise.accounts import Accounts

PW = "club password 2026"


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption] + \
        [t.value for t in at.title] + [s.value for s in at.subheader]
    parts += [str(o) for sb in at.selectbox for o in sb.options]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def club(demo_db: Path, store, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("STRIDEWISE_AUTH", "local")
    acc = Accounts(store)
    acc.create_user("ana@club.org", "athlete", "Ana Silva", PW)
    return store, acc


@pytest.mark.parametrize("page", ["app.py", "pages/2_Athlete.py", "pages/3_Squad.py",
                                  "pages/4_Settings.py", "pages/10_Account.py"])
def test_anonymous_sees_the_login_form_only(club, page: str) -> None:
    store, _ = club
    at = AppTest.from_file(str(APP.parent / page), default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    assert [b.label for b in at.button] == ["Log in"]
    assert [t.label for t in at.text_input] == ["E-mail", "Password"]
    assert at.text_input[1].proto.type == at.text_input[1].proto.PASSWORD
    text = _texts(at)
    assert all(name not in text for name in store.athletes()["name"])
    assert not at.dataframe and not at.selectbox


def test_login_then_pickers_list_only_the_athlete(club) -> None:
    store, _ = club
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    at.text_input[0].input("ana@club.org")
    at.text_input[1].input("wrong password!")
    at.button[0].click().run()
    assert "Wrong e-mail or password" in " ".join(e.value for e in at.error).replace("\\", "")
    at.text_input[1].input(PW)
    at.button[0].click().run()
    no_exception(at)
    pickers = [sb for sb in at.selectbox if "Athlete" in str(sb.label)]
    assert pickers and all(list(sb.options) == ["Ana Silva"] for sb in pickers)
    at.switch_page("pages/3_Squad.py").run()
    no_exception(at)
    others = [n for n in store.athletes()["name"] if n != "Ana Silva"]
    assert all(n not in _texts(at) for n in others)


def test_personal_mode_account_page_has_no_login(demo_db: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/10_Account.py").run()
    no_exception(at)
    assert "personal mode" in " ".join(i.value for i in at.info)
    assert not [b for b in at.button if b.label == "Log in"]


def test_admin_sees_open_links_and_withdraws_one(club) -> None:
    from stridewise.access import Actor

    store, acc = club
    admin = acc.create_user("admin@club.org", "admin", None, PW)
    acc.invite("late@club.org", "athlete", "Late Runner", by=Actor.operator())
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    at.text_input[0].input(admin.email)
    at.text_input[1].input(PW)
    at.button[0].click().run()
    at.switch_page("pages/10_Account.py").run()
    no_exception(at)
    links = next(d.value for d in at.dataframe if "Works until" in d.value.columns)
    assert list(links["E-mail"]) == ["late@club.org"] and list(links["Link"]) == ["invitation"]
    at.selectbox(key="acct_withdraw_email").set_value("late@club.org")
    next(b for b in at.button if b.label == "Withdraw its links").click().run()
    no_exception(at)
    assert "no longer work" in " ".join(s.value for s in at.success).replace("\\", "")
    assert "No invitation or reset link is waiting" in _texts(at)
    assert acc.open_links(admin).empty
