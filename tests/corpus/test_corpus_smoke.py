"""Every file of the real-export corpus imports or is refused with a typed, foreseen error."""

from __future__ import annotations

from pathlib import Path

import pytest

from stridewise.errors import (
    ImportRefused,
    NeedsMapping,
    StridewiseError,
    UnexpectedReadError,
    UnreadableFile,
)
from stridewise.ingest import ImportReport, ReadContext, read_path
from stridewise.schema import validate

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "MANIFEST.md") \
    if CORPUS.is_dir() else []


def test_corpus_is_complete(corpus_dir):
    files = [p for p in corpus_dir.rglob("*") if p.is_file() and p.name != "MANIFEST.md"]
    assert len(files) == 108


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES])
def test_file_imports_or_is_refused_cleanly(corpus_dir, path):
    try:
        report = read_path(path, ReadContext(athlete="corpus", tz="Europe/Berlin"))
    except UnexpectedReadError as exc:  # an importer bug surfaced as a sentence
        pytest.fail(f"unforeseen failure: {exc.message} (cause: {exc.__cause__!r})")
    except (ImportRefused, UnreadableFile, NeedsMapping) as exc:
        assert exc.message.endswith((".", ")", "!")), exc.message
        assert len(exc.message) > 20
        return
    except StridewiseError as exc:  # pragma: no cover - any other typed error is still typed
        pytest.fail(f"unexpected error type {type(exc).__name__}: {exc.message}")
    assert isinstance(report, ImportReport)
    assert report.n_sessions >= 1, f"{path.name}: imported but no sessions and no refusal"
    validate(report.sessions)
    assert report.format
