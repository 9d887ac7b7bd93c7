"""Shared fixtures. ``corpus_dir`` is ../shared/corpus: skipped when absent, a failure under CI."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

CORPUS = ROOT.parent / "shared" / "corpus"
REFERENCE = ROOT.parent / "shared" / "reference"
FIXTURES = ROOT / "tests" / "fixtures"


def _shared(path: Path, what: str) -> Path:
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{what} missing at {path}: CI must run with ../shared beside the clone.")
        pytest.skip(f"{what} not present at {path} (outside this team's checkout)")
    return path


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real-export corpus, ../shared/corpus."""
    return _shared(CORPUS, "The corpus")


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """Published peers' numbers, ../shared/reference."""
    return _shared(REFERENCE, "The reference data")


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


class SmtpInbox:
    """What a local SMTP server received (raw messages, in order)."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201 - aiosmtpd's hook
        self.messages.append(bytes(envelope.content))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp_inbox() -> Iterator[tuple[SmtpInbox, int]]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for the module's tests: (inbox, port)."""
    from aiosmtpd.controller import Controller

    box = SmtpInbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    ctl = Controller(box, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield box, port
    finally:
        ctl.stop()
