"""Fixtures of the end-to-end tests: one Chromium per module and the app on a fresh demo
database per module (see ``harness.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from harness import App, chromium, demo_app


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium under playwright."""
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The app under ``streamlit run`` on a fresh database; the demo squad is shown out of the
    box."""
    with demo_app(tmp_path_factory.mktemp("e2e"), "e2e") as app:
        yield app


@pytest.fixture(scope="module")
def server(demo: App) -> str:
    """The address of :func:`demo`."""
    return demo.url
