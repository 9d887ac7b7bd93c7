"""The Monday review page on the demo squad (AppTest): seen marks shrink "since your last
review", notes with visibility, the digest through a local SMTP server, linkable pages."""

from __future__ import annotations

import email
from datetime import date, timedelta
from email import policy

from apphelpers import APP, TIMEOUT, no_exception
from streamlit.testing.v1 import AppTest

REVIEW = "pages/9_Review.py"


def _open(page: str = REVIEW, **params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    no_exception(at)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(page)
    at.run()
    no_exception(at)
    return at


def _since_count(at: AppTest) -> int:
    head = next(s.value for s in at.subheader if s.value.startswith("Since your last review"))
    return int(head.split("(")[1].split(" of ")[0])


def test_marking_athletes_seen_shrinks_since_your_last_review(demo_db) -> None:
    at = _open()
    before = _since_count(at)
    assert before >= 3
    table = at.dataframe[0].value
    listed = list(table["Athlete"])
    assert len(listed) == before
    # the demo squads have plans: last week's missed items are among the changes
    assert table["Changes"].str.contains("plan items? not done", regex=True).any()
    at.multiselect(key="review_pick_0").set_value(listed[:2]).run()
    at.button(key="review_mark").click().run()
    no_exception(at)
    assert _since_count(at) == before - 2
    left = list(at.dataframe[0].value["Athlete"])
    assert not set(listed[:2]) & set(left)
    at.button(key="review_mark_all").click().run()
    assert _since_count(at) == 0
    assert any("Nothing new since your last review" in s.value for s in at.success)
    # a fresh visit of the same reviewer remembers the marks
    assert _since_count(_open()) == 0


def _open_section(at: AppTest, section: str) -> None:
    """Open one of the sections drawn on request (chase, notes, digest)."""
    if at.segmented_control(key="review_section").value != section:
        at.segmented_control(key="review_section").set_value(section).run()
        no_exception(at)


def _write_note(at: AppTest, name: str, text: str, vis: str) -> None:
    _open_section(at, "notes")
    at.selectbox(key="review_athlete").set_value(name).run()
    at.text_area(key=f"note_text_{name}").input(text)
    at.radio(key=f"note_vis_{name}").set_value(vis)
    next(b for b in at.button if b.label == "Save note").click().run()
    no_exception(at)


def test_private_and_athlete_visible_notes(demo_db, store) -> None:
    at = _open()
    _write_note(at, "Ben Carter", "Watch the left calf", "coach")
    _write_note(at, "Ben Carter", "Great week: keep Sunday's run at 20 km", "athlete")
    notes = store.notes(["Ben Carter"])
    assert sorted(zip(notes["visibility"], notes["text"], strict=True)) == [
        ("athlete", "Great week: keep Sunday's run at 20 km"), ("coach", "Watch the left calf")]
    shown = [t.value for t in at.text]
    assert "Watch the left calf" in shown and "Great week: keep Sunday's run at 20 km" in shown
    # the athlete's account reads only the athlete-visible note
    at.session_state["sw_user"] = {"name": "Ben Carter", "role": "athlete"}
    at.run()
    _open_section(at, "notes")
    at.selectbox(key="review_athlete").set_value("Ben Carter").run()
    shown = [t.value for t in at.text]
    assert "Great week: keep Sunday's run at 20 km" in shown
    assert "Watch the left calf" not in shown


def test_editing_a_note_keeps_its_history(demo_db, store) -> None:
    at = _open()
    _write_note(at, "Ana Silva", "First thought", "staff")
    nid = int(store.notes(["Ana Silva"])["note_id"].iloc[0])
    at.text_area(key=f"note_edit_text_{nid}").input("Second thought")
    next(b for b in at.button if b.label == "Save new version").click().run()
    no_exception(at)
    assert list(store.notes(["Ana Silva"])["text"]) == ["First thought", "Second thought"]
    assert any("edited (2 versions)" in c.value for c in at.caption)


def test_settings_then_the_digest_arrives_by_e_mail(demo_db, store, smtp_inbox) -> None:
    box, port = smtp_inbox
    at = _open("pages/4_Settings.py")
    at.text_input(key="smtp_host").input("127.0.0.1")
    at.number_input(key="smtp_port").set_value(port)
    at.selectbox(key="smtp_security").set_value("none")
    at.text_input(key="smtp_sender").input("coach@club.example")
    at.text_area(key="smtp_recipients").input("*: squad@club.example")
    next(b for b in at.button if b.label == "Save" and "smtp" not in str(b.key)
         and b.form_id == "review_settings").click().run()
    no_exception(at)
    assert store.settings()["smtp"]["host"] == "127.0.0.1"
    at = _open()
    assert not at.get("download_button")  # the digest is drawn when its section is opened
    _open_section(at, "digest")
    labels = [d.label for d in at.get("download_button")]
    assert "Digest (PDF)" in labels and "Digest (printable HTML)" in labels
    at.button(key="review_send").click().run()
    no_exception(at)
    groups = {g for g in store.athletes()["group"] if g}
    assert any("Sent the digest of" in s.value for s in at.success)
    assert len(box.messages) == len(groups)
    msgs = [email.message_from_bytes(m, policy=policy.default) for m in box.messages]
    road = next(m for m in msgs if "Road" in m["Subject"])
    body = road.get_body(preferencelist=("plain",)).get_content()
    assert "Flagged athletes:" in body and "Chloe Martin (high)" in body
    pdf = next(p for p in road.iter_attachments()).get_content()
    assert pdf.startswith(b"%PDF-")


def test_an_athlete_link_opens_that_athlete_and_week(demo_db) -> None:
    at = _open("pages/2_Athlete.py", athlete="Ben Carter", week="2026-12-02")
    assert at.title[0].value == "Ben Carter"
    assert any("Showing the week(s) you clicked: 30 Nov 2026" in c.value for c in at.caption)
    assert at.query_params["athlete"] == ["Ben Carter"] or \
        at.query_params["athlete"] == "Ben Carter"
    old = _open("pages/2_Athlete.py", athlete="Ben Carter", week="1999-01-04", range="4 weeks")
    assert old.title[0].value == "Ben Carter"  # a week before the data: the first weeks shown
    bad = _open("pages/2_Athlete.py", athlete="Nobody Here", week="soon")
    warnings = " ".join(w.value for w in bad.warning)
    assert "not here" in warnings and "Nobody Here" in warnings and "is not a date" in warnings
    assert bad.title[0].value != "Nobody Here"


def test_the_review_week_is_linkable(demo_db) -> None:
    at = _open(week="2026-11-23")
    assert str(at.selectbox(key="review_week").value) == "2026-11-23"


def test_roster_sparklines_are_the_stored_weekly_rows(demo_db, store) -> None:
    import pandas as pd

    from stridewise.review import review_week

    at = _open("pages/3_Squad.py")
    shown = at.dataframe[0].value
    assert "Running km, last full week" in shown.columns
    first = review_week(date.today())
    weeks = [pd.Timestamp(first - timedelta(days=7 * i)) for i in range(5, -1, -1)]
    w = store.weekly_volume(None, weeks[0].date() - timedelta(days=1))
    for _, row in shown.head(4).iterrows():
        mine = w.loc[w["athlete"] == row["Athlete"]]
        km = [round(float(mine.loc[mine["week"] == wk, "distance_km"].sum()), 1) for wk in weeks]
        load = [round(float(mine.loc[mine["week"] == wk, "load"].sum()), 0) for wk in weeks]
        assert list(row["Running km, 6 weeks"]) == km
        assert list(row["Load, 6 weeks"]) == load
    assert any(sum(v) > 0 for v in shown["Running km, 6 weeks"])


def test_a_new_visitor_gets_one_table_and_opens_each_section_on_request(demo_db, store) -> None:
    import re

    def keys(at: AppTest) -> set[str]:
        return {str(w.key) for kind in ("selectbox", "download_button", "button")
                for w in at.get(kind)}

    at = _open()
    seg = at.segmented_control(key="review_section")
    assert seg.value is None
    assert len(at.dataframe) == 1  # "since your last review" only
    assert not at.get("download_button") and "review_athlete" not in keys(at)
    # one line per athlete with the changes counted; each change written out on request
    counted = at.dataframe[0].value
    assert "What changed" not in counted.columns
    at.toggle(key="review_details").set_value(True).run()
    detailed = at.dataframe[0].value
    assert list(detailed["Athlete"]) == list(counted["Athlete"])
    assert list(detailed["Changes"]) == list(counted["Changes"])
    assert detailed["What changed"].str.len().gt(0).all()
    assert detailed["What changed"].str.contains("New session|Missed|Partly done").any()
    # the chase list's count is on its control and equals the rows it then shows
    n = int(re.search(r"Chase list \((\d+)\)", seg.options[0]).group(1))
    _open_section(at, "chase")
    assert at.query_params["section"] in (["chase"], "chase")  # the section is in the link
    shown = at.dataframe[1].value
    assert len(shown) == n
    assert set(shown["Athlete"]) <= set(store.athletes()["name"])
    assert shown["Why"].str.len().gt(0).all()
    # a link may open a section
    assert "review_athlete" in keys(_open(section="notes"))
    odd = _open(section="everything")
    assert any("'everything' is not one of chase, notes, digest" in w.value.replace("\\", "")
               for w in odd.warning)  # the value is shown escaped (plain text)
    assert odd.segmented_control(key="review_section").value is None
    digest = _open(section="digest")
    assert {"Digest (PDF)", "Digest (printable HTML)"} <= {
        d.label for d in digest.get("download_button")}
