"""Store additions for the review page: add_rule and confirm_area (one transaction each)."""

from __future__ import annotations

import pandas as pd
import pytest

from stridewise import classify
from stridewise.errors import UsageError
from stridewise.ingest import ImportReport, ReadContext
from stridewise.ingest.base import finish_sessions


def _add(store, titles):
    rows = pd.DataFrame({"start": [pd.Timestamp("2024-03-01 07:00") + pd.Timedelta(hours=i)
                                   for i in range(len(titles))],
                         "sport": "other", "title": titles, "duration_s": 1800.0})
    sessions, _ = finish_sessions(rows, ReadContext(athlete="kim"), source="generic_csv",
                                  file_name="k.csv")
    store.upsert_athlete("kim")
    store.import_report(ImportReport("k.csv", "rows", sessions), athlete="kim")
    return store.sessions(["kim"])


def test_add_rule_puts_it_first_and_replaces_the_same_pattern(store):
    store.save_rules([{"kind": "title", "pattern": "old", "area": "strength", "label": ""}])
    store.add_rule({"kind": "title", "pattern": "Cali Move", "area": "flexibility"})
    store.add_rule({"kind": "title", "pattern": "cali move", "area": "stability"})
    rules = store.rules()
    assert [(r["pattern"], r["area"]) for r in rules] == [("cali move", "stability"),
                                                          ("old", "strength")]
    with pytest.raises(UsageError):
        store.add_rule({"kind": "title", "pattern": "x", "area": "speed"})
    assert len(store.rules()) == 2


def test_confirm_area_sets_override_and_rule_together(store):
    s = _add(store, ["Cali Move", "Cali Move"])
    sid = s["session_id"].iloc[0]
    store.set_override(sid, rpe=6.0)
    store.confirm_area(sid, "flexibility",
                       {"kind": "title", "pattern": "cali move", "area": "flexibility"})
    s = store.sessions(["kim"]).set_index("session_id")
    assert s.at[sid, "area_override"] == "flexibility" and s.at[sid, "rpe"] == 6.0
    out = classify.classify(s.reset_index(), classify.with_user_rules(store.rules()))
    assert set(out["area"]) == {"flexibility"}
    assert sorted(out["area_reason"]) == ["set by you", "title contains 'cali move'"]


def test_confirm_area_refuses_bad_input_and_writes_nothing(store):
    s = _add(store, ["Cali Move"])
    sid = s["session_id"].iloc[0]
    with pytest.raises(UsageError, match="not a training area"):
        store.confirm_area(sid, "speed")
    with pytest.raises(UsageError, match="no stored session"):
        store.confirm_area("nope", "strength",
                           {"kind": "title", "pattern": "cali", "area": "strength"})
    assert store.rules() is None
    assert store.sessions(["kim"])["area_override"].iloc[0] == ""
