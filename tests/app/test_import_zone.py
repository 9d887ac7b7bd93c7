"""AppTest: changing the athlete's zone on the Import page re-times the stored UTC-sourced
sessions, and the import report says exactly what happened (never "nothing changed")."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from apphelpers import no_exception, run_page

from stridewise.ui import importing

STRAVA = "strava/strava_2021_79col_en.csv"
NAME = "Zoe Zone"


def _texts(at) -> list[str]:
    return [str(e.value) for kind in ("caption", "info", "warning", "error", "markdown")
            for e in getattr(at, kind)]


def _import(at, data: bytes, *, new: bool = False, tz: str | None = None):
    if new:
        at.selectbox(key="import_athlete_choice").select("+ New athlete…").run()
        at.text_input(key="import_new_athlete").input(NAME).run()
    if tz is not None:
        at.selectbox(key=f"import_tz_{NAME}").select(tz).run()
    at.file_uploader[0].set_value([("activities.csv", data, "text/csv")]).run()
    at.button(key="import_go").click().run()
    no_exception(at)
    return at


def test_zone_change_on_reimport_retimes_and_says_so(demo_db: Path, store,
                                                     corpus_dir: Path) -> None:
    data = (corpus_dir / STRAVA).read_bytes()
    at = _import(run_page("import"), data, new=True, tz="UTC")
    before = store.sessions([NAME]).set_index("session_id")["start"]
    assert len(before) > 100
    assert not any("re-timed" in t for t in _texts(at))

    # the same file again, now with the athlete's real zone
    at = _import(at, data, tz="Europe/Budapest")
    texts = _texts(at)
    n = len(before)
    expected = f"{n} stored sessions re-timed from UTC to Europe/Budapest; 0 new sessions."
    assert expected in [str(i.value).replace("\\", "") for i in at.info]
    assert not any("nothing changed" in t for t in texts), texts
    assert any("imported before" in t and "Europe/Budapest" in t.replace("\\", "")
               for t in (str(c.value) for c in at.caption))
    assert store.athletes().set_index("name").loc[NAME, "tz"] == "Europe/Budapest"

    # every stored start moved to Budapest's wall clock (+1 h in winter, +2 h in summer);
    # the day an evening session lands on follows (see tests/store/test_store_timezones.py)
    after = store.sessions([NAME]).set_index("session_id")["start"].reindex(before.index)
    budapest = [pd.Timestamp(t).tz_localize("UTC").tz_convert(ZoneInfo("Europe/Budapest"))
                .tz_localize(None) for t in before]
    assert after.tolist() == budapest
    assert set((after - before).dt.total_seconds()) == {3600.0, 7200.0}

    # importing again in the same zone: nothing is re-timed and the card says nothing changed
    at = _import(at, data)
    assert not any("re-timed" in str(i.value) for i in at.info)
    assert any("nothing changed" in str(c.value) for c in at.caption)
    assert store.sessions([NAME]).set_index("session_id")["start"].reindex(
        before.index).tolist() == budapest


def test_zone_sentence_wording() -> None:
    z = importing.ZoneChange("a", "UTC", "Europe/Budapest", 12)
    assert z.sentence(0) == ("12 stored sessions re-timed from UTC to Europe/Budapest; "
                             "0 new sessions.")
    assert importing.ZoneChange("a", "UTC", "Asia/Tokyo", 1).sentence(1) == (
        "1 stored session re-timed from UTC to Asia/Tokyo; 1 new session.")
    none = importing.ZoneChange("a", "UTC", "Asia/Tokyo", 0).sentence(3)
    assert none.startswith("Time zone changed from UTC to Asia/Tokyo; no stored session")
    assert none.endswith("3 new sessions.")


def test_imported_utc_sessions_remember_the_zone_they_were_read_in(demo_db: Path, store,
                                                                   corpus_dir: Path) -> None:
    # an athlete with no stored zone, read in Asia/Tokyo: the rows must be re-timed from Tokyo
    data = (corpus_dir / STRAVA).read_bytes()
    store.upsert_athlete("No Zone")
    out = importing.import_one(store, data, "activities.csv", athlete="No Zone",
                               tz="Asia/Tokyo")
    assert out.status == "imported" and out.added > 100
    before = store.sessions(["No Zone"]).set_index("session_id")["start"]
    assert store.retime_athlete("No Zone", "UTC") == len(before)
    after = store.sessions(["No Zone"]).set_index("session_id")["start"].reindex(before.index)
    assert set((before - after).dt.total_seconds()) == {9 * 3600.0}   # Tokyo is UTC+9
