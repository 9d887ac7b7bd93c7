"""AppTest of the Review areas page: list, one-click confirm, rule offer with preview."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from apphelpers import no_exception, run_page

from stridewise.ingest import ImportReport, ReadContext
from stridewise.ingest.base import finish_sessions


def _add(store, name: str, titles: list[str], sport: str = "other") -> None:
    day = pd.Timestamp.now().normalize() - pd.Timedelta(days=2)
    rows = pd.DataFrame({"start": [day + pd.Timedelta(hours=i) for i in range(len(titles))],
                         "sport": sport, "title": titles, "duration_s": 1800.0})
    sessions, _ = finish_sessions(rows, ReadContext(athlete=name), source="generic_csv",
                                  file_name="odd.csv")
    store.upsert_athlete(name)
    store.import_report(ImportReport("odd.csv", "test rows", sessions), athlete=name)


def test_review_page_on_demo_renders_and_explains(demo_db: Path) -> None:
    at = run_page("review")
    no_exception(at)
    assert at.title[0].value == "Review areas"
    assert any("How Stridewise decides" in e.label for e in at.expander)


def test_one_click_confirms_then_rule_preview_and_save(demo_db: Path, store) -> None:
    _add(store, "Zed", ["Cali Move", "Cali Move", "Zumbini flow <b>x</b>"])
    at = run_page("review")
    no_exception(at)
    assert any("3 session(s) to review" in m.value for m in at.markdown)
    box = at.selectbox(key="review_pick")
    cali = [label for label in box.options if "Cali Move" in label]
    assert len(cali) == 2
    box.set_value(store.sessions(["Zed"]).query("title == 'Cali Move'")["session_id"].iloc[0])
    at.run()
    at.button(key="review_area_flexibility").click().run()
    no_exception(at)
    s = store.sessions(["Zed"])
    assert (s["area_override"] == "flexibility").sum() == 1
    # the rule offer: 'cali move' -> flexibility, and the other 'Cali Move' is in the preview
    assert at.text_input(key="review_rule_pattern_title").value == "cali move"
    assert any("1 other session(s) would change" in m.value for m in at.markdown)
    at.button(key="review_rule_save").click().run()
    no_exception(at)
    rules = store.rules()
    assert rules[0]["pattern"] == "cali move" and rules[0]["area"] == "flexibility"
    # only the odd one is left to review; markup in titles stays text
    assert any("1 session(s) to review" in m.value for m in at.markdown)


def test_suggested_rule_uses_the_titles_own_words_else_the_sport():
    from stridewise.ui.review_view import suggest_rule

    assert suggest_rule("Morning Cali Move workout 2", "other", "flexibility") == {
        "kind": "title", "pattern": "cali move", "area": "flexibility", "label": "your rule"}
    assert suggest_rule("Morning workout", "cardio", "strength")["kind"] == "sport"
    assert suggest_rule("", "other", "strength") is None
    assert suggest_rule("x", "other", "speed") is None
