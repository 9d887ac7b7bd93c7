"""AppTest: every page renders on the demo squad, uploads import, edits persist, settings
change results, user text stays text."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from apphelpers import no_exception, run_page

from stridewise.ui import athlete_view as av

XSS = "<img src=x onerror=alert(1)>"


def _plotly(at) -> list:
    return at.get("plotly_chart")


def _texts(at) -> list[str]:
    """Every Markdown-ish text on the page (markdown, captions, titles, alerts)."""
    out: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "error", "warning",
                 "info", "success"):
        out += [str(e.value) for e in getattr(at, kind)]
    return out


# --- smoke: every page on the demo squad ---------------------------------------------------------

def test_home_shows_three_numbers_and_demo_banner(demo_db: Path) -> None:
    at = run_page("home")
    no_exception(at)
    assert at.title[0].value == "Stridewise"
    labels = [m.label for m in at.metric]
    assert labels == ["Injury-risk signal", "Running, last 7 days", "Acute:chronic (7:21)",
                      "Areas on target, last 7 days"]
    assert at.metric[3].value.endswith("of 5")
    assert at.button(key="home_clear_demo").label == "Clear demo data"
    assert len(at.get("page_link")) >= 4
    assert at.selectbox(key="home_athlete").value == "Ana Silva"


def test_home_clear_demo_leaves_empty_state(demo_db: Path, store) -> None:
    at = run_page("home")
    at.button(key="home_clear_demo").click().run()
    no_exception(at)
    assert store.has_demo() is False
    assert len(store.athletes()) == 0
    assert any("No training data yet" in i.value for i in at.info)
    # a restart does not bring the demo back once it was cleared
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    again = run_page("home")
    no_exception(again)
    assert len(store.athletes()) == 0
    assert any("No training data yet" in i.value for i in again.info)


def test_athlete_page_renders_every_part(demo_db: Path) -> None:
    at = run_page("athlete")
    no_exception(at)
    assert at.title[0].value == "Ana Silva"
    # below the fold, fitness and calendar are drawn only when their sections are opened
    assert len(_plotly(at)) == 4  # weekly, balance, movement patterns, load
    assert [e.label for e in at.expander if e.key in (av.FITNESS_SECTION,
                                                      av.CALENDAR_SECTION)] == [
        "Fitness, fatigue and form", "Calendar"]
    at.session_state[av.FITNESS_SECTION] = True
    at.session_state[av.CALENDAR_SECTION] = True
    at.run()
    no_exception(at)
    charts = _plotly(at)
    assert len(charts) == 6  # weekly, balance, patterns, load, fitness, calendar
    assert len(at.data_editor) == 1
    editor = at.data_editor[0].value
    assert {"area", "rpe", "title"} <= set(editor.columns)
    assert len(editor) > 10
    assert [m.label for m in at.metric][:4] == [
        "Injury-risk signal", "Running, last 7 days", "Acute:chronic (7:21)",
        "Training, last 7 days"]
    assert any("heuristic" in c.value for c in at.caption)
    assert any("contested" in i.value for i in at.info)
    assert len(at.expander) >= 3  # "how is this computed" expanders
    assert len(at.get("download_button")) == 6


def test_athlete_page_switches_athlete_and_views(demo_db: Path) -> None:
    at = run_page("athlete")
    at.sidebar.selectbox(key="athlete_page_pick").select("Chloe Martin").run()
    no_exception(at)
    assert at.title[0].value == "Chloe Martin"
    at.segmented_control(key="athlete_metric").set_value("load").run()
    at.segmented_control(key="athlete_range_preset").set_value("All").run()
    at.session_state[av.CALENDAR_SECTION] = True
    at.run()
    at.segmented_control(key="athlete_cal_by").set_value("area").run()
    no_exception(at)
    # the choice is shared with the other pages
    run_page("home", at=at)
    assert at.selectbox(key="home_athlete").value == "Chloe Martin"


def test_squad_page_triage_order(demo_db: Path) -> None:
    from stridewise.ui import squad_view

    at = run_page("squad")
    no_exception(at)
    roster = at.dataframe[0].value
    assert len(roster) == 12
    order = {"High": 0, "Moderate": 1, "Low": 2, "Not enough data": 3}
    ranks = [order[r] for r in roster["Risk"]]
    assert ranks == sorted(ranks)
    assert {"Top reason", "Acute:chronic (7:21)", "Run spike", "Strength", "Plyometrics", "Stability",
            "Flexibility", "Days recorded (28 d)"} <= set(roster.columns)
    assert len(_plotly(at)) == 1  # the heat map; the weekly volume is drawn when opened
    assert len(at.get("download_button")) == 5
    at.session_state[squad_view.VOLUME_SECTION] = True
    at.run()
    no_exception(at)
    charts = _plotly(at)
    assert len(charts) == 2 and "squad_volume" in charts[1].proto.id


def test_squad_group_filter(demo_db: Path) -> None:
    at = run_page("squad")
    at.pills(key="squad_groups").set_value(["Trail"]).run()
    no_exception(at)
    roster = at.dataframe[0].value
    assert sorted(roster["Athlete"]) == ["Dev Patel", "Grace Kim"]


def test_settings_page_renders(demo_db: Path) -> None:
    at = run_page("settings")
    no_exception(at)
    assert at.title[0].value == "Settings"
    assert len(at.tabs) == 5
    assert at.number_input(key="set_target_strength").value == 2.0
    assert at.number_input(key="set_risk_acwr_high").value == pytest.approx(1.3)
    assert len(at.data_editor) == 1  # athletes


def test_import_page_renders(demo_db: Path) -> None:
    at = run_page("import")
    no_exception(at)
    assert at.title[0].value == "Import training files"
    assert at.file_uploader[0].accept_multiple_files
    assert {"csv", "fit", "gz", "tcx", "gpx", "zip"} <= {
        t.lstrip(".") for t in at.file_uploader[0].allowed_type}
    assert len(at.dataframe) >= 1  # past imports (the demo files)


# --- uploads ------------------------------------------------------------------------------------------

def _upload(at, files: list[tuple[str, bytes]], *, new_athlete: str | None = None):
    if new_athlete:
        at.selectbox(key="import_athlete_choice").select("+ New athlete…").run()
        at.text_input(key="import_new_athlete").input(new_athlete).run()
    at.file_uploader[0].set_value([(n, b, "application/octet-stream") for n, b in files]).run()
    at.button(key="import_go").click().run()
    return at


def test_upload_strava_csv_imports_sessions(demo_db: Path, store, corpus_dir: Path) -> None:
    data = (corpus_dir / "strava/strava_2021_79col_en.csv").read_bytes()
    at = _upload(run_page("import"), [("activities.csv", data)], new_athlete="Sam Upload")
    no_exception(at)
    assert any("Import report" in s.value for s in at.subheader)
    assert not at.error, [e.value for e in at.error]
    n = len(store.sessions(["Sam Upload"]))
    assert n > 100
    assert at.metric[0].label == "Sessions in file"
    # the athlete page now shows the uploaded athlete
    run_page("athlete", at=at)
    no_exception(at)
    assert at.title[0].value == "Sam Upload"
    assert len(_plotly(at)) == 4  # fitness and calendar are drawn when opened
    at.session_state[av.FITNESS_SECTION] = True
    at.session_state[av.CALENDAR_SECTION] = True
    at.run()
    no_exception(at)
    assert len(_plotly(at)) == 6


def test_upload_strava_zip_built_from_corpus(demo_db: Path, store, corpus_dir: Path) -> None:
    lines = (corpus_dir / "strava/strava_2021_79col_en.csv").read_text(
        encoding="utf-8").splitlines()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("activities.csv", "\n".join(lines[:21]) + "\n")
        z.writestr("activities/run.fit",
                   (corpus_dir / "fit/fitparse_garmin-fenix-5-run.fit").read_bytes())
        gpx = sorted((corpus_dir / "gpx").glob("*.gpx"))[0]
        z.writestr(f"activities/{gpx.name}", gpx.read_bytes())
    at = _upload(run_page("import"), [("export_12345.zip", buf.getvalue())],
                 new_athlete="Zip Runner")
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    sessions = store.sessions(["Zip Runner"])
    assert len(sessions) >= 20
    run_page("athlete", at=at)
    no_exception(at)
    shown = at.data_editor[0].value
    assert len(shown) >= 1


def test_bad_upload_shows_one_sentence(demo_db: Path) -> None:
    at = _upload(run_page("import"), [("garbage.fit", b"\x00\x01not a fit file at all" * 10)],
                 new_athlete="Bad File")
    no_exception(at)
    assert len(at.error) == 1
    msg = at.error[0].value
    assert "Traceback" not in msg and msg.strip().endswith((".", ")"))
    # the athlete exists without sessions: every page still renders
    for page in ("athlete", "home", "squad"):
        run_page(page, at=at)
        no_exception(at)
    run_page("athlete", at=at)
    assert at.title[0].value == "Bad File"
    assert any("No sessions" in c.value for c in at.caption)


def _form_button(at, form: str, label: str):
    return next(b for b in at.button if b.label == label and b.form_id == form)


# --- edits and settings ---------------------------------------------------------------------------------

def test_session_edit_persists(demo_db: Path, store) -> None:
    at = run_page("athlete")
    editor = at.data_editor[0]
    first = editor.value.iloc[0]
    new_area = "stability" if first["area"] != "stability" else "strength"
    at.session_state[editor.key] = {"edited_rows": {0: {"area": new_area, "rpe": 7.5}},
                                    "added_rows": [], "deleted_rows": []}
    at.run()
    no_exception(at)
    s = store.sessions(["Ana Silva"])
    edited = s.loc[s["area_override"] != ""]
    assert len(edited) == 1
    assert edited["area_override"].iloc[0] == new_area
    assert edited["rpe"].iloc[0] == 7.5
    # the table shows the saved values after the rerun
    row = at.data_editor[0].value.iloc[0]
    assert row["area"] == new_area and row["rpe"] == 7.5
    assert "set by you" in str(row["why"])
    # re-importing the athlete's export keeps the edit
    from stridewise import demo
    from stridewise.ingest import ReadContext, read_bytes

    info = next(a for a in demo.SQUAD if a.name == "Ana Silva")
    data = demo.demo_files(demo.current_anchor())[info.file_name]
    store.import_report(read_bytes(data, "again.csv", ReadContext(athlete="Ana Silva",
                                                                 tz=info.tz)),
                        athlete="Ana Silva")
    s = store.sessions(["Ana Silva"])
    kept = s.loc[s["area_override"] != ""]
    assert list(kept["area_override"]) == [new_area] and kept["rpe"].iloc[0] == 7.5


def test_settings_change_alters_computed_result(demo_db: Path, store) -> None:
    at = run_page("athlete")
    before = at.dataframe
    table = next(d.value for d in before if "% of target" in d.value.columns)
    pct_before = table.set_index("Area").loc["Strength", "% of target"]
    run_page("settings", at=at)
    at.number_input(key="set_target_strength").set_value(8.0)
    _form_button(at, "settings_targets", "Save").click().run()
    no_exception(at)
    assert store.settings()["targets"]["strength"] == 8.0
    run_page("athlete", at=at)
    table = next(d.value for d in at.dataframe if "% of target" in d.value.columns)
    pct_after = table.set_index("Area").loc["Strength", "% of target"]
    assert pct_after != pct_before


def test_units_setting_changes_displayed_distance(demo_db: Path, store) -> None:
    at = run_page("settings")
    at.radio(key="set_units").set_value("mi")
    _form_button(at, "settings_general", "Save").click().run()
    no_exception(at)
    assert store.settings()["units"] == "mi"
    run_page("home", at=at)
    assert at.metric[1].value.endswith(" mi")


def test_rule_preview_lists_changed_sessions(demo_db: Path, store) -> None:
    at = run_page("settings")
    at.selectbox(key="rule_kind").select("title").run()
    at.text_input(key="rule_pattern").input("yoga").run()
    at.selectbox(key="rule_area").select("stability").run()
    no_exception(at)
    assert any("would change" in m.value for m in at.markdown)
    at.button(key="rule_save").click().run()
    no_exception(at)
    rules = store.rules()
    assert rules and rules[0]["pattern"] == "yoga" and rules[0]["area"] == "stability"


# --- user text is text -------------------------------------------------------------------------------------

def test_html_in_titles_and_names_is_shown_as_text(demo_db: Path, store) -> None:
    from stridewise.ingest import ImportReport, ReadContext, finish_sessions

    name = "<b>Eve</b>"
    rows = pd.DataFrame({"start": [pd.Timestamp.now().normalize() - pd.Timedelta(days=1)],
                         "sport": ["run"], "title": [XSS], "duration_s": [1800.0],
                         "distance_m": [5000.0]})
    sessions, _ = finish_sessions(rows, ReadContext(athlete=name), source="generic_csv",
                                  file_name="xss.csv")
    report = ImportReport("xss.csv", "test rows", sessions)
    store.upsert_athlete(name)
    store.import_report(report, athlete=name)
    at = run_page("home")
    at.selectbox(key="home_athlete").select(name).run()
    run_page("athlete", at=at)
    no_exception(at)
    assert XSS in list(at.data_editor[0].value["title"])
    for text in _texts(at):
        assert "<img" not in text.replace("\\<img", "")
        assert "<b>" not in text.replace("\\<b\\>", "")
    assert not at.get("html")


def test_unknown_csv_gets_mapping_form_then_imports(demo_db: Path, store) -> None:
    data = (b"when,how long,how far,what\n2026-11-02,0:45:00,8.2,easy run\n"
            b"2026-11-04,0:30:00,5.0,intervals\n2026-11-06,1:10:00,14.1,long run\n")
    at = _upload(run_page("import"), [("my_log.csv", data)], new_athlete="Map Person")
    no_exception(at)
    assert any("does not recognise" in c.value for c in at.caption)
    assert at.selectbox(key="map_0_date").value == "when"
    at.selectbox(key="map_0_duration").select("how long").run()
    at.selectbox(key="map_0_distance").select("how far").run()
    at.selectbox(key="map_0_title").select("what").run()
    no_exception(at)
    preview = at.dataframe[0].value
    assert list(preview["title"]) == ["easy run", "intervals", "long run"]
    at.button(key="map_go_0").click().run()
    no_exception(at)
    s = store.sessions(["Map Person"])
    assert len(s) == 3
    assert s["distance_m"].max() == pytest.approx(14100.0)
    assert len(store.mapping_profiles()) == 1
    # the same layout is recognised from the saved profile next time
    at2 = _upload(run_page("import"), [("my_log_2.csv", data.replace(b"2026-11", b"2026-10"))],
                  new_athlete="Map Person Two")
    no_exception(at2)
    assert not any("does not recognise" in c.value for c in at2.caption)
    assert len(store.sessions(["Map Person Two"])) == 3


def test_past_import_can_be_removed(demo_db: Path, store) -> None:
    at = run_page("import")
    before = len(store.sessions())
    target = at.selectbox(key="import_remove_pick").value
    at.button(key="import_remove_go").click().run()
    at.button(key="import_remove_yes").click().run()
    no_exception(at)
    assert target not in set(store.imports()["import_id"])
    assert len(store.sessions()) < before


@pytest.mark.parametrize("page", ["athlete", "squad", "settings", "import"])
def test_pages_after_clearing_demo_show_empty_states(demo_db: Path, store, page: str) -> None:
    at = run_page("home")
    at.button(key="home_clear_demo").click().run()
    run_page(page, at=at)
    no_exception(at)
    assert not store.has_demo()
    if page in ("athlete", "squad"):
        assert at.info and len(at.get("page_link")) >= 6  # nav + "Import training files"


def test_choosing_a_roster_row_opens_the_athlete(demo_db: Path) -> None:
    at = run_page("squad")
    third = at.dataframe[0].value["Athlete"].iloc[2]
    at.session_state["squad_roster"] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()
    no_exception(at)
    assert at.title[0].value == third.replace("'", "\\'")
    assert len(at.data_editor) == 1  # the Athlete page's sessions table


def test_file_name_with_markup_is_shown_as_text(demo_db: Path) -> None:
    at = _upload(run_page("import"), [(f"{XSS}.fit", b"\x00junk" * 20)], new_athlete="Eve")
    no_exception(at)
    for text in _texts(at):
        assert "<img" not in text.replace("\\<img", "")


def test_athlete_export_builders_make_real_files(demo_db: Path, store) -> None:
    from datetime import date, timedelta

    from stridewise import pipeline
    from stridewise.settings import DEFAULT_SETTINGS
    from stridewise.ui.athlete_view import export_items

    today = date.today()
    a = pipeline.analyse(store.sessions(["Ana Silva"]), settings=DEFAULT_SETTINGS, end=today)
    items = export_items(a, "Ana Silva", today - timedelta(days=84), today, DEFAULT_SETTINGS)
    files = {name.rsplit("_", 1)[-1]: make() for _, make, name, _ in items}
    lines = files["sessions.csv"].splitlines()
    assert lines[0].startswith(b"athlete,start,sport,title,area") and len(lines) > 20
    assert files["weekly.csv"].startswith(b"athlete,week,area")
    assert files["sessions.parquet"][:4] == b"PAR1"
    assert files["weekly.parquet"][:4] == b"PAR1"
    assert next(v for k, v in files.items() if k.endswith(".xlsx"))[:2] == b"PK"
    report = files["report.html"]
    assert "<html" in report.lower() and "Ana Silva" in report


def test_units_assumption_can_be_reread(demo_db: Path, store) -> None:
    from stridewise import demo

    info = next(a for a in demo.SQUAD if a.fmt == "garmin_km")
    data = demo.demo_files(demo.current_anchor())[info.file_name]
    at = _upload(run_page("import"), [("Activities.csv", data)], new_athlete="Unit Tester")
    no_exception(at)
    km_total = store.sessions(["Unit Tester"])["distance_m"].sum()
    other = at.button(key="import_reread_0")
    assert other.label in ("Re-read as mi", "Re-read as km")
    other.click().run()
    no_exception(at)
    after = store.sessions(["Unit Tester"])["distance_m"].sum()
    factor = 1.609344 if other.label.endswith("mi") else 1 / 1.609344
    assert after == pytest.approx(km_total * factor, rel=1e-3)
    assert len(store.imports(athlete="Unit Tester")) == 1


def test_squad_heat_map_draws_the_first_athletes_of_the_triage_order(demo_db: Path,
                                                                     monkeypatch) -> None:
    """A squad larger than the heat map's rows: the map draws the athletes first in the
    roster's order and says how many it leaves out; the roster still lists everyone."""
    import json

    from stridewise.ui import squad_view

    monkeypatch.setattr(squad_view, "HEATMAP_ATHLETES", 4)
    at = run_page("squad")
    no_exception(at)
    roster = at.dataframe[0].value
    heat = json.loads(_plotly(at)[0].proto.spec)["data"][0]
    assert len(roster) == 12 and list(heat["y"]) == list(roster["Athlete"])[:4]
    note = " ".join(c.value for c in at.caption)
    assert "It shows the 4 athletes first in the roster's order, of 12" in note


def test_athlete_long_range_lists_the_newest_sessions_then_all(demo_db: Path, store) -> None:
    at = run_page("athlete")
    at.segmented_control(key="athlete_range_preset").set_value("All").run()
    no_exception(at)
    every = store.sessions(["Ana Silva"])
    assert len(every) > av.EDITOR_ROWS  # the demo's two years: more than the first screenful
    shown = at.data_editor[0].value
    assert len(shown) == av.EDITOR_ROWS
    newest = pd.to_datetime(every["start"]).sort_values(ascending=False).head(av.EDITOR_ROWS)
    assert sorted(pd.to_datetime(shown["start"])) == sorted(newest)
    assert any(f"of {len(every):,} sessions" in c.value for c in at.caption)
    # the long range's load chart draws one point per week
    load = next(c for c in _plotly(at) if "athlete_load_chart" in c.proto.id)
    assert '"Mean daily load of the week"' in load.proto.spec
    at.toggle(key=av.EDITOR_ALL).set_value(True).run()
    no_exception(at)
    assert len(at.data_editor[0].value) == len(every)
