"""Helpers shared by the AppTest modules (run a page, check for exceptions)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
PAGES = {
    "home": None,
    "import": "pages/1_Import.py",
    "athlete": "pages/2_Athlete.py",
    "squad": "pages/3_Squad.py",
    "settings": "pages/4_Settings.py",
    "review": "pages/5_Review_areas.py",
    "checkin": "pages/7_Check_in.py",
    "plans": "pages/8_Plans.py",
}
TIMEOUT = 60


def run_page(page: str = "home", *, at: AppTest | None = None) -> AppTest:
    """Run the home script, then switch to ``page`` (a key of PAGES) and run it."""
    if at is None:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if page == "home":
            return at
    at.switch_page(PAGES[page] or "app.py")
    at.run()
    return at


def no_exception(at: AppTest) -> None:
    assert not at.exception, "\n".join(str(e.value) + "\n" + "\n".join(e.stack_trace)
                                       for e in at.exception)
