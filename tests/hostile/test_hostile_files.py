"""Hostile files through the command line, each in a child process under hard limits.

Every attack of issue 13 is built at test time (nothing large is committed) and read by
``python -m stridewise`` with RLIMIT_CPU = 30 s and an address-space cap (see
``hostile_harness``). Each must end in one sentence naming the file (a refusal) or a correct
import, with peak resident memory below 1 GB, without a traceback, and — for ``import`` into a
store — without a partial import.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import attacks as A
import pytest
from hostile_harness import CPU_LIMIT_S, PEAK_RSS_GOAL_MB, Run, run_cli

pytestmark = pytest.mark.xdist_group("hostile")


def _sentence_for(run: Run, path: Path) -> str:
    """The one line the CLI printed for ``path`` on stderr: '<path>: <message>'."""
    lines = [ln for ln in run.stderr.splitlines() if ln.startswith(f"{path}: ")]
    assert len(lines) == 1, run.stderr[-2000:]
    return lines[0][len(f"{path}: "):]


def _one_sentence(msg: str) -> bool:
    return msg.endswith(".") and re.search(r"[.!?]\s+[A-Z]", msg[:-1]) is None


def _bounded(run: Run) -> None:
    assert not run.killed, f"killed by {run.killed} (limit {CPU_LIMIT_S} s CPU)"
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.peak_rss_mb < PEAK_RSS_GOAL_MB, f"peak resident memory {run.peak_rss_mb:.0f} MB"
    assert run.tree_peak_mb < PEAK_RSS_GOAL_MB, f"all processes: {run.tree_peak_mb:.0f} MB"


def _refused(run: Run, path: Path, *words: str) -> str:
    _bounded(run)
    assert run.returncode == 1, run.stderr[-2000:]
    msg = _sentence_for(run, path)
    assert _one_sentence(msg), msg
    assert path.name in msg
    for w in words:
        assert w in msg, msg
    return msg


def _stored_sessions(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as con:
        return con.execute("select count(*) from sessions").fetchone()[0]


@pytest.mark.parametrize("build, words", [
    (A.csv_gzip_bomb, ["unpacks to more than the 200 MB limit"]),
    (A.fit_gzip_bomb, ["unpacks to more than the 200 MB limit"]),
    (A.fit_zero_size_messages, ["more than 5,000,000 FIT messages"]),
    (A.csv_million_columns, ["more than the 1,000 columns"]),
    (A.sparse_4gib, ["4295 MB, above the 200 MB limit"]),
    (A.utf16_xml_entities, ["declares XML entities"]),
    (A.gpx_huge, ["more than the 64 MB"]),
], ids=["csv.gz bomb", "fit.gz bomb", "FIT 20M empty messages", "CSV 1M columns",
        "4 GiB file", "UTF-16 XML entities", "GPX 91 MB"])
def test_attack_is_refused_in_one_sentence_with_nothing_stored(
        tmp_path: Path, build, words: list[str]) -> None:
    path = build(tmp_path)
    db = tmp_path / "store.db"
    run = run_cli("import", str(path), "--athlete", "mallory",
                  env={"STRIDEWISE_DB": str(db)})
    _refused(run, path, *words)
    assert _stored_sessions(db) == 0


def test_zip_of_gzip_bombs_through_the_workers_is_refused_as_a_whole(tmp_path: Path) -> None:
    """64 members of 150 MB each: every one is below the one-file limit; together they pass
    the 2 GB budget, which holds for all worker processes together."""
    path = A.zip_of_gz_bombs(tmp_path)
    db = tmp_path / "store.db"
    run = run_cli("import", str(path), "--athlete", "mallory", env={"STRIDEWISE_DB": str(db)})
    _refused(run, path, "unpacks to more than 2 GB")
    assert _stored_sessions(db) == 0


def test_fit_with_many_sessions_sets_and_records_imports_in_linear_time(tmp_path: Path) -> None:
    path, want = A.fit_sessions_sets_records(tmp_path)
    run = run_cli("sessions", str(path), "--format", "json")
    _bounded(run)
    assert run.returncode == 0, run.stderr[-2000:]
    import json

    rows = json.loads(run.stdout)
    assert len(rows) == want["sessions"]
    n_sets = sum(len(json.loads(r["sets"])) for r in rows)
    assert n_sets == want["sets"]
    # every session got its distance and heart rate from its own records
    assert all(r["distance_m"] and r["distance_m"] > 0 for r in rows)
    assert all(120 <= r["avg_hr"] < 160 for r in rows)


def test_huge_title_cell_is_cut_and_the_file_imported(tmp_path: Path) -> None:
    path = A.csv_huge_title(tmp_path)
    run = run_cli("sessions", str(path), "--format", "json")
    _bounded(run)
    assert run.returncode == 0, run.stderr[-2000:]
    import json

    rows = json.loads(run.stdout)
    assert len(rows) == 5
    assert max(len(r["title"]) for r in rows) == 10_000
    assert "cut to that length" in run.stderr


def test_nul_bytes_never_reach_the_store(tmp_path: Path) -> None:
    path = A.csv_with_nul(tmp_path)
    db = tmp_path / "store.db"
    run = run_cli("import", str(path), "--athlete", "mallory", env={"STRIDEWISE_DB": str(db)})
    _bounded(run)
    assert run.returncode == 0, run.stderr[-2000:]
    with sqlite3.connect(db) as con:
        titles = [t for (t,) in con.execute("select title from sessions")]
    assert len(titles) == 2001
    assert titles.count("Easyrun") == 1 and not any("\x00" in t for t in titles)
