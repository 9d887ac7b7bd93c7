"""AppTest fixtures: every test runs the app against its own copy of a demo-filled database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
PAGES = {
    "home": None,
    "import": "pages/1_Import.py",
    "athlete": "pages/2_Athlete.py",
    "squad": "pages/3_Squad.py",
    "settings": "pages/4_Settings.py",
}
TIMEOUT = 60


def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the demo squad, built once per test session."""
    from stridewise import demo
    from stridewise.store import Store

    path = tmp_path_factory.mktemp("demo_template") / "demo.db"
    store = Store(str(path))
    assert demo.ensure_demo(store)
    store.close()
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """STRIDEWISE_DB -> a fresh copy of the demo database; Streamlit caches cleared."""
    db = tmp_path / "app.db"
    shutil.copyfile(demo_template, db)
    for suffix in ("-wal", "-shm"):
        extra = demo_template.with_name(demo_template.name + suffix)
        if extra.exists():
            shutil.copyfile(extra, db.with_name(db.name + suffix))
    monkeypatch.setenv("STRIDEWISE_DB", str(db))
    _clear_caches()
    yield db
    _clear_caches()


@pytest.fixture
def store(demo_db: Path):
    """A second handle on the test database, for arranging data and checking results."""
    from stridewise.store import Store

    s = Store(str(demo_db))
    yield s
    s.close()


def run_page(page: str = "home", *, at: AppTest | None = None) -> AppTest:
    """Run the home script, then switch to ``page`` (a key of PAGES) and run it."""
    if at is None:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    path = PAGES[page]
    if path is not None:
        at.switch_page(path)
        at.run()
    return at


def no_exception(at: AppTest) -> None:
    assert not at.exception, "\n".join(str(e.value) + "\n" + "\n".join(e.stack_trace)
                                       for e in at.exception)
