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
