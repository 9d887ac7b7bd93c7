"""AppTest fixtures: every test runs the app against its own copy of a demo-filled database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st


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
