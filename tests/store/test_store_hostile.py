"""Hostile content at the store: NUL characters on both back-ends, and a restore from a
backup folder that was tampered with."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from store_helpers import days, report

from stridewise.errors import StoreError
from stridewise.store import Store


def test_nul_characters_are_stored_as_nothing_on_every_backend(store: Store) -> None:
    rep = report("ana", "strava_csv", days("2024-03-01", 2))
    rep.sessions["title"] = ["Easy\x00run", "Tempo"]  # past the importer's own cleaning
    store.import_report(rep, athlete="ana")
    s = store.sessions(["ana"])
    assert sorted(s["title"]) == ["Easyrun", "Tempo"]
    sid = s["session_id"].iloc[0]
    store.set_override(sid, notes="knee\x00 fine")
    assert store.overrides().set_index("session_id").loc[sid, "notes"] == "knee fine"


def _backup(store: Store, tmp_path: Path) -> Path:
    store.import_report(report("ana", "strava_csv", days("2024-03-01", 3)), athlete="ana")
    return store.backup(tmp_path / "bk")


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


@pytest.mark.parametrize("target", ["../outside.parquet", "/etc/passwd", "sub/../../x.parquet",
                                    ""])
def test_restore_refuses_a_manifest_pointing_outside_the_backup(
        store: Store, tmp_path: Path, target: str) -> None:
    folder = _backup(store, tmp_path)
    pq.write_table(pq.read_table(folder / "sessions.parquet"), tmp_path / "outside.parquet")
    m = _manifest(folder)
    m["tables"]["sessions"]["file"] = target
    (folder / "manifest.json").write_text(json.dumps(m))
    before = len(store.sessions())
    with pytest.raises(StoreError) as err:
        store.restore(folder)
    assert "sessions" in err.value.message
    assert len(store.sessions()) == before == 3


def test_restore_refuses_a_link_leading_outside(store: Store, tmp_path: Path) -> None:
    folder = _backup(store, tmp_path)
    outside = tmp_path / "elsewhere.parquet"
    (folder / "sessions.parquet").rename(outside)
    (folder / "sessions.parquet").symlink_to(outside)
    with pytest.raises(StoreError) as err:
        store.restore(folder)
    assert "outside the backup folder" in err.value.message


@pytest.mark.parametrize("column, value, why", [
    ("duration_s", -5.0, "duration_s"),
    ("duration_s", None, "no value"),
    ("distance_m", float("inf"), "impossible value"),
    ("sport", "<script>", "sport"),
])
def test_restore_refuses_rows_that_do_not_fit(store: Store, tmp_path: Path, column: str,
                                              value: object, why: str) -> None:
    folder = _backup(store, tmp_path)
    tab = pq.read_table(folder / "sessions.parquet")
    rows = tab.to_pylist()
    rows[1][column] = value
    pq.write_table(pa.Table.from_pylist(rows, schema=tab.schema), folder / "sessions.parquet")
    with pytest.raises(StoreError) as err:
        store.restore(folder)
    assert why in err.value.message
    assert err.value.message.endswith(".")
    assert len(store.sessions()) == 3  # nothing replaced


def test_restore_of_an_untouched_backup_still_works(store: Store, tmp_path: Path) -> None:
    folder = _backup(store, tmp_path)
    before = store.sessions().sort_values("session_id").reset_index(drop=True)
    store.restore(folder)
    after = store.sessions().sort_values("session_id").reset_index(drop=True)
    assert after["session_id"].tolist() == before["session_id"].tolist()
