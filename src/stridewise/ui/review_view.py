"""The review list: sessions Stridewise could not place (``other``) or placed with low
confidence. One click on an area confirms it for the session; Stridewise then offers a rule
(a title keyword or the sport) and shows every other stored session that rule would change
before it is saved.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from stridewise import classify
from stridewise.errors import StridewiseError
from stridewise.schema import AREAS
from stridewise.ui import fmt, state, widgets
from stridewise.ui import settings_view as sv

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store

REVIEW_PAGE = "pages/5_Review_areas.py"
_PICK_KEY = "review_pick"
_DONE_KEY = "review_done"

#: The precedence of classify.py in the app's words (shown on the review page).
PRECEDENCE_HELP = """
**How Stridewise decides a session's area** (the first that applies):

1. an area you set for the session;
2. your own rules, in their order;
3. the session's **strength sets** (from FIT, Hevy, Strong, Fitbod): the area holding most of
   the set time. Sets outrank the title: a workout made only of running sets is endurance;
4. **explicit words in the title** — drills, plyometrics, jumps, core, planks, balance,
   mobility, stretching, yoga, Pilates, in some twenty languages and as emoji — outrank a
   running or strength sport ("Strength & Core" is stability). A run whose title also names
   running ("Easy run + drills") stays a run; "Pre-Run Warm Up" is a warm-up;
5. an endurance sport such as run, ride, swim, row or ski;
6. other title words: strength words, class names (BodyPump, Barre, Orangetheory, ...), sports;
7. a sport such as walk, cardio, strength or yoga;
8. running, walking or cycling words in the title when the sport says nothing;
9. otherwise *other*.

Words match whole (``run`` is not found in "brunch" or "Pre-Run"); each decision has a
confidence, and sessions below {below:.0%} or in *other* are listed here.
"""

_FILLER = frozenset({
    "morning", "afternoon", "evening", "night", "lunch", "noon", "midday", "workout",
    "session", "training", "activity", "exercise", "the", "a", "an", "and", "with", "of", "in",
    "on", "at", "my", "day", "today", "week", "easy", "hard", "light", "quick", "short", "long",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "morgen", "abend", "mittag", "manana", "tarde", "noche", "matin", "soir", "mattina", "sera",
})


def review_rows(sessions: pd.DataFrame, below: float = classify.REVIEW_BELOW) -> pd.DataFrame:
    """The sessions to review (see :func:`classify.review_list`) with the columns the page
    shows: session_id, athlete, start, sport, title, area, area_confidence, area_reason."""
    cols = ["session_id", "athlete", "start", "sport", "title", "area", "area_confidence",
            "area_reason"]
    if sessions.empty or "area" not in sessions.columns:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    out = classify.review_list(sessions, below)
    for c in cols:
        if c not in out.columns:
            out[c] = ""
    return out[cols].reset_index(drop=True)


def suggest_rule(title: object, sport: object, area: str) -> dict[str, str] | None:
    """A rule that would place sessions like this one in ``area``: the title's own words
    (fillers such as "Morning" or "workout" and numbers left out, at most three words), else
    the sport when it is known; None when neither says anything."""
    if area not in AREAS:
        return None
    words = [w for w in classify.text_key(title).split()
             if w not in _FILLER and not re.fullmatch(r"\d+[a-z]*", w)]
    if words:
        return {"kind": "title", "pattern": " ".join(words[:3]), "area": area,
                "label": "your rule"}
    sp = str(sport or "").strip()
    if sp and sp != "other":
        return {"kind": "sport", "pattern": sp, "area": area, "label": "your rule"}
    return None


def rule_preview(sessions: pd.DataFrame, user_rules: list[classify.Rule],
                 rule: dict[str, str]) -> pd.DataFrame:
    """Stored sessions whose area the rule would change (Settings' rule preview)."""
    proposed = sv.add_rule(user_rules, rule["kind"], rule["pattern"], rule["area"])
    return sv.rule_change_preview(sessions, user_rules, proposed)


def _row_label(rows: pd.DataFrame, i: int) -> str:
    start = pd.Timestamp(rows.at[i, "start"])
    day = "no date" if pd.isna(start) else f"{start:%d %b %Y}"
    return (f"{day} · {rows.at[i, 'athlete']} · {rows.at[i, 'title'] or '(no title)'} · "
            f"{rows.at[i, 'sport']}")


def _label(area: str) -> str:
    return fmt.area_label(area)


def render(store: Store) -> None:
    """The review list, the one-click area buttons and the rule offer with its preview."""
    view = state.analysis(store, None)
    sessions = view.analysis.sessions
    with st.expander("How Stridewise decides", icon=":material/help:"):
        st.markdown(PRECEDENCE_HELP.format(below=classify.REVIEW_BELOW))
    done = st.session_state.get(_DONE_KEY)
    if done:
        _rule_offer(store, sessions, done)
    rows = review_rows(sessions)
    if rows.empty:
        widgets.empty_state("Every session has an area Stridewise is confident about.")
        return
    st.markdown(f"**{len(rows)} session(s) to review**, least certain first. Choose one, "
                "then click its area.")
    shown = rows.assign(confidence=(rows["area_confidence"] * 100).round().astype(int))
    st.dataframe(
        shown[["athlete", "start", "sport", "title", "area", "confidence", "area_reason"]],
        hide_index=True, width="stretch", height=min(38 + 35 * len(rows), 360),
        column_config={
            "athlete": "Athlete",
            "start": st.column_config.DatetimeColumn("Start", format="D MMM YYYY HH:mm"),
            "sport": "Sport", "title": "Title", "area": "Area now",
            "confidence": st.column_config.ProgressColumn(
                "Confidence", min_value=0, max_value=100, format="%d %%"),
            "area_reason": "Why",
        })
    ids = [str(x) for x in rows["session_id"]]
    labels = {sid: _row_label(rows, i) for i, sid in enumerate(ids)}
    if st.session_state.get(_PICK_KEY) not in labels:
        st.session_state.pop(_PICK_KEY, None)  # the last pick was just confirmed
    pick = st.selectbox("Session to review", ids, key=_PICK_KEY, format_func=labels.get)
    if pick is None:
        return
    row = rows.iloc[ids.index(pick)]
    st.markdown(f"**{fmt.md_escape(row['title'] or '(no title)')}** · "
                f"{fmt.md_escape(row['sport'])} · now *{_label(str(row['area']))}* "
                f"({fmt.md_escape(row['area_reason'])})")
    cols = st.columns(len(AREAS))
    for col, area in zip(cols, AREAS, strict=True):
        if col.button(_label(area), key=f"review_area_{area}", width="stretch",
                      type="primary" if area == row["area"] else "secondary"):
            try:
                store.confirm_area(str(row["session_id"]), area)
            except StridewiseError as exc:
                widgets.show_error(exc)
                return
            st.session_state[_DONE_KEY] = {
                "session_id": str(row["session_id"]), "title": str(row["title"]),
                "sport": str(row["sport"]), "area": area}
            state.clear_caches()
            st.rerun()


def _rule_offer(store: Store, sessions: pd.DataFrame, done: dict[str, Any]) -> None:
    area = str(done["area"])
    st.success(f"Saved: '{fmt.md_escape(done['title'] or '(no title)')}' is "
               f"{_label(area)}.", icon=":material/check:")
    rule = suggest_rule(done["title"], done["sport"], area)
    if rule is None:
        if st.button("Done", key="review_rule_skip"):
            st.session_state.pop(_DONE_KEY, None)
            st.rerun()
        return
    kinds = {"title": "Title contains", "sport": "Sport is"}
    c = st.columns([1, 2, 1], vertical_alignment="bottom")
    kind = c[0].selectbox("Rule", list(kinds), format_func=kinds.get,
                          index=list(kinds).index(rule["kind"]), key="review_rule_kind")
    default = rule["pattern"] if kind == rule["kind"] else (
        done["sport"] if kind == "sport" else classify.text_key(done["title"]))
    pattern = c[1].text_input("Keyword or sport", value=default, max_chars=80,
                              key=f"review_rule_pattern_{kind}")
    c[2].markdown(f"→ **{_label(area)}**")
    if not pattern.strip():
        return
    record = {"kind": kind, "pattern": pattern.strip(), "area": area, "label": "your rule"}
    try:
        changes = rule_preview(sessions, state.user_rules(store), record)
    except StridewiseError as exc:
        widgets.show_error(exc)
        return
    if changes.empty:
        st.info("With this rule no other stored session changes area.")
    else:
        st.markdown(f"**{len(changes)} other session(s) would change:**")
        widgets.rule_changes_table(changes)
    b = st.columns(2)
    if b[0].button("Save this rule", type="primary", icon=":material/save:",
                   key="review_rule_save"):
        try:
            store.add_rule(record)
        except StridewiseError as exc:
            widgets.show_error(exc)
            return
        st.session_state.pop(_DONE_KEY, None)
        state.clear_caches()
        st.rerun()
    if b[1].button("No rule, thanks", key="review_rule_skip"):
        st.session_state.pop(_DONE_KEY, None)
        st.rerun()
