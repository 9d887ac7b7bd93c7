"""Property tests over every reader: real files of ../shared/corpus, mutated by hypothesis.

For any mutation, ``read_bytes`` either imports sessions that pass schema validation, with
unique ids, or raises a typed error whose message is a sentence — never
``UnexpectedReadError`` (a reader's unforeseen failure) and never another exception.
The benchmark ``benchmarks/bench_mutations.py`` runs 10,000+ such files; these tests keep a
few hundred in every test run.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stridewise.errors import StridewiseError, UnexpectedReadError
from stridewise.ingest import ReadContext, read_bytes
from stridewise.schema import validate

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
GROUPS = {
    "csv": ("strava", "garmin_csv", "other_csv"),
    "fit": ("fit",),
    "xml": ("tcx", "gpx"),
    "other": ("other_formats",),
}
NASTY = [b"", b"--", b'"', b"\x00", b"\r", b"\n", b";", b"1e308", b"-1e400", b"inf", b"NaN",
         b"9" * 30, b"0001-01-01", b"9999-12-31 23:59:59", b"1677-09-21", b"2024-02-30",
         b"99:99:99", b"1,610", b"\xff\xfe", "💥".encode(), b"<", b"&amp;", b"x" * 200,
         b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x00\x00\x00\x10"]


def _base(path: Path, limit: int = 48 * 1024) -> bytes:
    data = path.read_bytes()
    if path.suffix.lower() in (".csv", ".txt") and len(data) > limit:
        data = data[:data.rfind(b"\n", 0, limit) + 1]
    return data


def _files(group: str) -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for folder in GROUPS[group] for p in (CORPUS / folder).glob("*")
                  if p.is_file())


mutation = st.one_of(
    st.tuples(st.just("replace"), st.floats(0, 1), st.sampled_from(NASTY)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from(NASTY)),
    st.tuples(st.just("bytes"), st.floats(0, 1), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 300)),
    st.tuples(st.just("truncate"), st.floats(0, 1), st.none()),
    st.tuples(st.just("repeat"), st.floats(0, 1), st.integers(1, 500)),
)


def _apply(data: bytes, muts: list[tuple]) -> bytes:
    for kind, where, arg in muts:
        pos = int(where * len(data))
        if kind == "replace":
            # a whole value: up to the next delimiter, quote, tag or line end
            end = pos
            while end < len(data) and data[end:end + 1] not in b",;\t\n<>\"":
                end += 1
            data = data[:pos] + arg + data[end:]
        elif kind == "insert":
            data = data[:pos] + arg + data[pos:]
        elif kind == "bytes":
            data = data[:pos] + arg + data[pos + len(arg):]
        elif kind == "delete":
            data = data[:pos] + data[pos + arg:]
        elif kind == "truncate":
            data = data[:pos]
        elif kind == "repeat":
            data = data[:pos + arg] + data[pos:pos + arg] + data[pos + arg:]
    return data


def _wrap(name: str, data: bytes, how: str) -> tuple[str, bytes]:
    if how == "gzip":
        return name + ".gz", gzip.compress(data, 1)
    if how == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr(name, data)
        return "w.zip", buf.getvalue()
    return name, data


def _check(name: str, data: bytes) -> None:
    try:
        report = read_bytes(data, name, ReadContext(athlete="prop"))
    except UnexpectedReadError as exc:  # pragma: no cover - the failure this test looks for
        pytest.fail(f"unforeseen failure: {exc.message} (cause {exc.__cause__!r})")
    except StridewiseError as exc:
        assert exc.message.strip(), "empty message"
        assert exc.message.rstrip().endswith((".", ")", "?")), exc.message
        return
    validate(report.sessions)
    assert report.sessions["session_id"].is_unique


PROPS = settings(max_examples=60, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_mutated_real_files_never_fail_unforeseen(group: str, corpus_dir: Path) -> None:
    files = _files(group)
    assert files, f"no corpus files for {group}"
    bases = {p: _base(p) for p in files}

    @PROPS
    @given(path=st.sampled_from(files), muts=st.lists(mutation, min_size=1, max_size=3),
           how=st.sampled_from(["plain", "plain", "plain", "gzip", "zip"]))
    def prop(path: Path, muts: list[tuple], how: str) -> None:
        _check(*_wrap(path.name, _apply(bases[path], muts), how))

    prop()
