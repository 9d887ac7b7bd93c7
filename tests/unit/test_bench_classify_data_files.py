"""benchmarks/bench_classify.py reads one or more evaluation files (--data, repeatable): rows of
all files are measured together, each remembers its file, and an id used in two files stops the
run with one sentence instead of silently counting a row twice."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ["id", "language", "source_app", "sport_type", "title", "exercises", "label",
           "label_note", "source", "licence"]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_classify",
                                                  ROOT / "benchmarks" / "bench_classify.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write(path: Path, ids: list[str], title: str) -> Path:
    pd.DataFrame([{"id": i, "language": "en", "source_app": "strava", "sport_type": "Run",
                   "title": title, "exercises": "", "label": "endurance", "label_note": "",
                   "source": "a/b:c.csv@0123456", "licence": "MIT"} for i in ids],
                 columns=COLUMNS).to_csv(path, index=False)
    return path


def test_without_data_only_the_committed_file_is_measured(bench, monkeypatch, capsys):
    seen = []

    def fake_run(paths, open_only=False):
        seen.append(list(paths))
        raise bench.InterfaceMissing("stop here")

    monkeypatch.setattr(bench, "run", fake_run)
    assert bench.main(["--worst", "0"]) == 2
    assert seen == [[ROOT / "benchmarks" / "classify_eval" / "sessions.csv"]]
    capsys.readouterr()


def test_repeated_data_options_are_all_measured(bench, monkeypatch, tmp_path, capsys):
    first = _write(tmp_path / "committed.csv", ["e0001"], "Morning Run")
    second = _write(tmp_path / "private.csv", ["e0002"], "Evening Run")
    seen = []

    def fake_run(paths, open_only=False):
        seen.append(list(paths))
        raise bench.InterfaceMissing("stop here")

    monkeypatch.setattr(bench, "run", fake_run)
    bench.main(["--data", str(first), "--data", str(second)])
    assert seen == [[first, second]]
    capsys.readouterr()


def test_two_files_are_read_together(bench, tmp_path):
    first = _write(tmp_path / "committed.csv", ["e0001", "e0002"], "Morning Run")
    second = _write(tmp_path / "private.csv", ["e0003"], "Evening Run")
    rows = bench.load_eval([first, second])
    assert list(rows["id"]) == ["e0001", "e0002", "e0003"]
    assert list(rows["data_file"]) == ["committed.csv", "committed.csv", "private.csv"]


def test_an_id_in_two_files_stops_the_run(bench, tmp_path):
    first = _write(tmp_path / "committed.csv", ["e0001"], "Morning Run")
    second = _write(tmp_path / "private.csv", ["e0001"], "Evening Run")
    with pytest.raises(SystemExit, match="e0001 occurs in more than one"):
        bench.load_eval([first, second])


def test_a_missing_file_is_one_sentence(bench, tmp_path, capsys):
    status = bench.main(["--data", str(tmp_path / "absent.csv"), "--worst", "0"])
    assert status == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("does not exist.") and "\n" not in err
