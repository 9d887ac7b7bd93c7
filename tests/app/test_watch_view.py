"""The watched-folder setting on the Settings page (AppTest)."""

from __future__ import annotations

from pathlib import Path

from apphelpers import no_exception, run_page

from stridewise import watch
from stridewise.store import Store


def test_set_and_clear_a_watched_folder(demo_db: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "garmin sync"
    inbox.mkdir()
    at = run_page("settings")
    no_exception(at)
    athlete = at.selectbox(key="watch_athlete").value
    try:
        at.text_input(key=f"watch_folder_{athlete}").input(str(inbox))
        at.button(key="watch_save").click().run()
        no_exception(at)
        assert any("is watched now" in s.value for s in at.success)
        with Store(str(demo_db)) as store:
            assert watch.folder_settings(store) == {athlete: str(inbox.resolve())}
        info = watch.watching()[str(inbox.resolve())]
        assert info["athlete"] == athlete and info["alive"]
        # a rerun does not start a second watcher
        at.run()
        assert len(watch.watching()) == 1
        assert at.dataframe[-1].value["Status"].tolist() == ["watching"]
        at.button(key="watch_clear").click().run()
        no_exception(at)
        with Store(str(demo_db)) as store:
            assert watch.folder_settings(store) == {}
        assert watch.watching() == {}
    finally:
        watch.stop_watching(inbox)


def test_missing_folder_is_refused_in_one_sentence(demo_db: Path, tmp_path: Path) -> None:
    at = run_page("settings")
    athlete = at.selectbox(key="watch_athlete").value
    at.text_input(key=f"watch_folder_{athlete}").input(str(tmp_path / "nowhere"))
    at.button(key="watch_save").click().run()
    no_exception(at)
    assert any("is not a folder on this computer" in e.value for e in at.error)
    assert watch.watching() == {}


def test_upload_of_a_garmin_account_export_stores_sessions_and_wellness(demo_db: Path) -> None:
    import sys
    from datetime import datetime

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "garmin"))
    import garminbuilder as gb

    t = datetime(2024, 5, 1, 6, 0)
    data = gb.zip_bytes(gb.export_files(
        [gb.activity(1, t, km=8, minutes=40), gb.activity(2, datetime(2024, 5, 2, 6), km=5)],
        {"a.fit": gb.fit_for(t, km=8, minutes=40)},
        uds=[{"calendarDate": "2024-05-01", "restingHeartRate": 46}]))
    at = run_page("import")
    at.selectbox(key="import_athlete_choice").select("+ New athlete…").run()
    at.text_input(key="import_new_athlete").input("Gia Export").run()
    at.file_uploader[0].set_value([("garmin_export.zip", data, "application/zip")]).run()
    at.button(key="import_go").click().run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    with Store(str(demo_db)) as store:
        assert len(store.sessions(["Gia Export"])) == 2
        assert store.wellness(["Gia Export"])["value"].tolist() == [46.0]
