"""The runner's side: the daily check-in, the niggle log, "before this niggle", and the marks
and lines other pages show (active niggles, latest flags, timeline marks).

Every number comes from :mod:`stridewise.wellness` and :mod:`stridewise.niggles`; this module
only lays them out. Phone-first: one column, large controls, no sidebar needed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from stridewise import niggles as ng
from stridewise import wellness as wl
from stridewise.errors import StridewiseError
from stridewise.ui import fmt, state, widgets

CHECKIN_PAGE = "pages/7_Check_in.py"
FORM_KEY = "checkin_form"
NIGGLE_FORM_KEY = "niggle_form"


# --------------------------------------------------------------------------- data (library calls)

def flags_for(store: Any, athlete: str) -> pd.DataFrame:
    """The athlete's check-ins and watch values against their own baseline (library)."""
    values = wl.long_values(store.checkins([athlete]), store.wellness([athlete]))
    return wl.baseline_flags(values)


def body_state(store: Any, athlete: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return store.niggles([athlete]), store.niggle_updates([athlete])


def marks(store: Any, athlete: str, start: date, end: date
          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(niggle bands, wellness-flag days) of ``athlete`` between ``start`` and ``end`` for
    ``charts.add_body_marks``."""
    n, u = body_state(store, athlete)
    spans = ng.timeline_spans(n, u, athlete=athlete, start=start, end=end)
    return spans, wl.flag_days(flags_for(store, athlete), athlete, start, end)


FLASH_KEY = "checkin_flash"


def _after_write(athlete: str, message: str | None = None) -> None:
    """After a saved report: caches dropped; with a message, rerun so that every list on the
    page shows the change, and say what was saved at the top (:func:`flash`)."""
    state.clear_caches([athlete])
    if message:
        st.session_state[FLASH_KEY] = message
        st.rerun()


def flash() -> None:
    """The confirmation of the last save (once)."""
    msg = st.session_state.pop(FLASH_KEY, None)
    if msg:
        st.success(fmt.md_escape(msg), icon=":material/done:")


# --------------------------------------------------------------------------- check-in

def _anchor(item: str):  # noqa: ANN202 - a format function for the slider
    return lambda v: f"{v} · {wl.ANCHORS[item][int(v)]}"


def checkin_form(store: Any, athlete: str, today: date) -> None:
    """The daily check-in: five 1-5 sliders with worded anchors, optional resting HR. The
    sliders start at the athlete's last answers (3 before the first), so a day like the last
    one is one tap."""
    last = store.checkins([athlete])
    prev = last.iloc[-1] if len(last) else None

    def start(item: str) -> int:
        v = None if prev is None else prev.get(item)
        return 3 if v is None or pd.isna(v) else int(v)

    with st.form(FORM_KEY, border=True):
        st.markdown("**How do you feel today?** 5 is the good end of every scale"
                    + (", the sliders start at your last answers." if prev is not None
                       else "."))
        day = st.date_input("Day", value=today, max_value=today, key="checkin_day",
                            format="YYYY-MM-DD")
        answers: dict[str, Any] = {}
        for item in wl.ITEMS:
            answers[item] = st.select_slider(wl.ITEM_LABELS[item], options=[1, 2, 3, 4, 5],
                                             value=start(item), format_func=_anchor(item),
                                             key=f"checkin_{item}")
        answers[wl.RESTING_HR] = st.number_input(
            "Resting heart rate (bpm, optional)", min_value=25, max_value=220, value=None,
            step=1, key="checkin_hr", placeholder="e.g. 52")
        sent = st.form_submit_button("Save check-in", type="primary", width="stretch",
                                     icon=":material/check:")
    if sent:
        try:
            store.save_checkin(athlete, day, answers)
        except StridewiseError as exc:
            widgets.show_error(exc)
            return
        _after_write(athlete, f"Check-in of {pd.Timestamp(day):%a %d %b} saved.")


def flags_table(flags: pd.DataFrame) -> pd.DataFrame:
    """The latest check-in day's rows as shown: item, answer, baseline, status."""
    def baseline(r: Any) -> str:
        if r.status == "building baseline":
            return f"{r.baseline_n} of {wl.MIN_BASELINE} answers"
        m = wl.METRICS[r.metric]
        return f"{r.baseline_mean:.1f}{'/5' if m.unit == '/5' else ' ' + m.unit}"

    def answer(r: Any) -> str:
        m = wl.METRICS[r.metric]
        if m.unit == "/5":
            return f"{r.value:.0f} · {wl.ANCHORS[r.metric][int(r.value)]}"
        return f"{r.value:.1f} h" if m.unit == "h" else f"{r.value:.0f} {m.unit}"

    rows = [(r.label, answer(r), baseline(r), r.status if r.status != "usual" else "usual for you",
             "" if pd.isna(r.z) else f"{r.z:+.1f}") for r in flags.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["Item", "Answer", "Your 28-day average", "Status",
                                       "z (positive = worse)"])


def latest_flags_block(store: Any, athlete: str, today: date) -> None:
    """The latest check-in against the athlete's baseline, with what a flag means."""
    latest = wl.latest_flags(flags_for(store, athlete), athlete, today)
    if latest is None or not len(latest):
        st.caption("No check-in in the last 3 days.")
        return
    day = pd.Timestamp(latest["date"].iloc[0])
    st.markdown(f"**Check-in of {day:%a %d %b} against your own baseline**")
    flagged = latest.loc[latest["flag"]]
    if len(flagged):
        for t in flagged["text"]:
            st.warning(fmt.md_escape(t), icon=":material/flag:")
    else:
        st.caption("No item is worse than usual for you.")
    st.dataframe(flags_table(latest), hide_index=True, width="stretch", key="checkin_flags")
    st.caption(fmt.md_escape(wl.FLAG_MEANING) + " " + fmt.md_escape(wl.EVIDENCE_TEXT))


# --------------------------------------------------------------------------- niggles

def _region_picker(key: str) -> Any:
    return st.selectbox("Where", list(ng.REGIONS), format_func=lambda r: ng.REGIONS[r].capitalize(),
                        key=key)


def niggle_form(store: Any, athlete: str, today: date) -> None:
    """Report a new niggle."""
    with st.form(NIGGLE_FORM_KEY, border=True, clear_on_submit=True):
        st.markdown("**Report a niggle or injury**")
        region = _region_picker("niggle_region")
        side = st.radio("Side", list(ng.SIDES), horizontal=True, key="niggle_side",
                        format_func=lambda s: ng.SIDES[s].capitalize() or "No side")
        pain = st.slider("Pain now (0 none - 10 worst)", 0, 10, 2, key="niggle_pain")
        effect = st.radio("Effect on training", list(ng.EFFECTS), key="niggle_effect",
                          format_func=lambda e: ng.EFFECTS[e].capitalize())
        onset = st.date_input("Since", value=today, max_value=today, key="niggle_onset",
                              format="YYYY-MM-DD")
        sent = st.form_submit_button("Save niggle", type="primary", width="stretch",
                                     icon=":material/healing:")
    if sent:
        try:
            store.add_niggle(athlete, region=region, side=side, onset=onset, pain=pain,
                             effect=effect)
        except StridewiseError as exc:
            widgets.show_error(exc)
            return
        _after_write(athlete, f"{ng.niggle_label(region, side).capitalize()} niggle saved.")


def _status_line(r: Any) -> str:
    pain = "pain not rated" if pd.isna(r.pain) else f"pain {r.pain:g}/10"
    eff = ng.EFFECTS.get(r.effect, "no update yet")
    raises = (r.effect in ("modified", "stopped")) or (not pd.isna(r.pain)
                                                       and r.pain >= ng.PAIN_AT_LEAST)
    tail = " · raises the risk level to at least moderate" if raises else ""
    return (f"{ng.niggle_label(r.region, r.side).capitalize()} · since "
            f"{pd.Timestamp(r.onset):%d %b} ({r.days:.0f} days) · {pain} · {eff}{tail}")


def active_niggles(store: Any, athlete: str, today: date) -> None:
    """Each active niggle with today's pain/effect update and a 'resolved' button."""
    n, u = body_state(store, athlete)
    act = ng.active_on(n, u, today, athlete)
    if not len(act):
        st.caption("No active niggles.")
        return
    for r in act.itertuples(index=False):
        nid = int(r.niggle_id)
        with st.container(border=True, key=f"niggle_box_{nid}"):
            st.markdown(fmt.md_escape(_status_line(r)))
            with st.form(f"niggle_update_{nid}", border=False):
                pain = st.slider("Pain today", 0, 10, int(0 if pd.isna(r.pain) else r.pain),
                                 key=f"niggle_upd_pain_{nid}")
                effect = st.radio("Training today", list(ng.EFFECTS), horizontal=True,
                                  index=list(ng.EFFECTS).index(r.effect) if r.effect in
                                  ng.EFFECTS else 0, key=f"niggle_upd_effect_{nid}",
                                  format_func=lambda e: e.capitalize())
                c = st.columns(2)
                save = c[0].form_submit_button("Save today's update", width="stretch")
                done = c[1].form_submit_button("Resolved today", width="stretch",
                                               icon=":material/task_alt:")
            try:
                if save:
                    store.update_niggle(athlete, nid, day=today, pain=pain, effect=effect)
                elif done:
                    store.resolve_niggle(athlete, nid, today)
                else:
                    continue
            except StridewiseError as exc:
                widgets.show_error(exc)
                continue
            _after_write(athlete, "Niggle resolved." if done else "Today's update saved.")


def resolved_niggles(store: Any, athlete: str) -> None:
    n, u = body_state(store, athlete)
    done = n.loc[n["resolved"].notna()] if len(n) else n
    if not len(done):
        return
    with st.expander(f"Resolved niggles ({len(done)})"):
        for r in done.itertuples(index=False):
            st.markdown(fmt.md_escape(
                f"- {ng.niggle_label(r.region, r.side).capitalize()}: {pd.Timestamp(r.onset):%d %b %Y}"
                f" to {pd.Timestamp(r.resolved):%d %b %Y}"))


# --------------------------------------------------------------------------- before this niggle

def before_niggle(store: Any, athlete: str, analysis: Any, units: str) -> None:
    """The six weeks before the chosen niggle's onset, from the pipeline's tables."""
    n, _ = body_state(store, athlete)
    if not len(n):
        return
    st.subheader("Before this niggle")
    ids = list(n["niggle_id"])
    by = {int(r["niggle_id"]): r for r in n.to_dict(orient="records")}
    pick = st.selectbox("Niggle", ids, key="before_pick", format_func=lambda i: (
        f"{ng.niggle_label(by[i]['region'], by[i]['side']).capitalize()} from "
        f"{pd.Timestamp(by[i]['onset']):%d %b %Y}"), index=len(ids) - 1)
    risk = analysis.risk.loc[analysis.risk["athlete"] == athlete]
    weekly = analysis.weekly.loc[analysis.weekly["athlete"] == athlete]
    b = ng.before_onset(by[int(pick)], risk_rows=risk, weekly=weekly,
                        flags=flags_for(store, athlete))
    st.caption(f"The {ng.BEFORE_WEEKS} weeks from {b.start:%d %b} to {b.end:%d %b %Y}: what "
               "the log shows, not a cause. Look for changes, not for blame.")
    per = 1.0 / fmt.KM_PER_MILE if units == "mi" else 1.0
    w = b.weekly
    if len(w):
        show = pd.DataFrame({"Week of": pd.to_datetime(w["week"]).dt.strftime("%d %b"),
                             f"Running {units}": (pd.to_numeric(w["run_km"]) * per).round(1),
                             "Sessions": w["sessions"].astype(int)})
        for a in ("strength", "plyometrics", "stability", "flexibility"):
            show[fmt.area_label(a)] = w[f"{a}_sessions"].astype(int)
        st.markdown("**Weekly running and sessions per area**")
        st.dataframe(show, hide_index=True, width="stretch", key="before_weekly")
    else:
        st.caption("No sessions recorded in those weeks.")
    if len(b.spikes):
        st.markdown("**Single-run spikes** (a run longer than your longest of the 30 days "
                    "before it)")
        st.dataframe(pd.DataFrame({"Day": pd.to_datetime(b.spikes["date"]).dt.strftime(
            "%a %d %b"), "Longer by": b.spikes["spike_pct"].map(lambda x: f"{x:+.0f} %"),
            "Band": b.spikes["band"]}), hide_index=True, width="stretch", key="before_spikes")
    else:
        st.caption("No run more than 10 % longer than the longest of the 30 days before it.")
    gaps = b.gaps.dropna(subset=["longest_gap_days"])
    if len(gaps):
        st.markdown("**Area gaps** (days without a session of the area)")
        st.dataframe(pd.DataFrame({
            "Area": gaps["area"].map(fmt.area_label),
            "Longest gap in the window": gaps["longest_gap_days"].map(fmt.fmt_days),
            "On the day before onset": gaps["days_since_at_onset"].map(fmt.fmt_days)}),
            hide_index=True, width="stretch", key="before_gaps")
    if len(b.wellness):
        st.markdown("**Wellness flags in those weeks**")
        widgets.reasons_list([f"{pd.Timestamp(d):%a %d %b}: {t}"
                              for d, t in zip(b.wellness["date"], b.wellness["text"],
                                              strict=True)])
    else:
        st.caption("No wellness flags in those weeks (or no check-ins).")


# --------------------------------------------------------------------------- Athlete page

def athlete_lines(store: Any, athlete: str, as_of: date) -> None:
    """One or two lines for the Athlete page: active niggles and the latest wellness flags."""
    n, u = body_state(store, athlete)
    act = ng.active_on(n, u, as_of, athlete)
    latest = wl.latest_flags(flags_for(store, athlete), athlete, as_of)
    flagged = latest.loc[latest["flag"]] if latest is not None and len(latest) else latest
    if not len(act) and (latest is None or not len(latest)):
        st.caption("No active niggles and no recent check-in. Log how you feel on the "
                   "Check-in page.")
        return
    with st.container(border=True, key="athlete_body_lines"):
        for r in act.itertuples(index=False):
            st.markdown(":material/healing: " + fmt.md_escape(_status_line(r)))
        if flagged is not None and len(flagged):
            st.markdown(":material/flag: Wellness (context, does not change the level): "
                        + fmt.md_escape("; ".join(flagged["text"])))
        elif latest is not None and len(latest):
            st.caption(f"Check-in of {pd.Timestamp(latest['date'].iloc[0]):%a %d %b}: nothing "
                       "worse than usual for you.")
    st.page_link(CHECKIN_PAGE, label="Check-in and niggles", icon=":material/healing:")

