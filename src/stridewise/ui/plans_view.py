"""Pieces of the Plans page and the plan section of the Athlete page: the plan form (squad
template or athlete override), the checks of the coming week, planned vs done in colour,
compliance over 4 and 12 weeks, and the change history.

Every number comes from :mod:`stridewise.plans`; this module only lays it out. User text (names,
rule words) goes through :func:`fmt.md_escape` or plain-text widgets.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from stridewise import plans
from stridewise.errors import StridewiseError
from stridewise.schema import TRAINING_AREAS
from stridewise.settings import KM_PER_MILE, RISK_SOURCES, Settings
from stridewise.ui import fmt, state, widgets

PLANS_PAGE = "pages/8_Plans.py"
#: Badge colours (st.badge palette) and words per compliance status.
STATUS_STYLE: dict[str, tuple[str, str]] = {
    "done": ("green", "done"), "partly": ("orange", "partly"), "missed": ("red", "missed"),
    "unplanned": ("blue", "unplanned"), "open": ("gray", "to come"),
}
#: Cell backgrounds (Okabe-Ito colours, as on the Squad page) per status.
STATUS_BG: dict[str, str] = {
    "done": "background-color: rgba(0,158,115,0.30)",
    "partly": "background-color: rgba(230,159,0,0.35)",
    "missed": "background-color: rgba(213,94,0,0.40)",
    "unplanned": "background-color: rgba(86,180,233,0.30)",
    "open": "background-color: rgba(150,150,150,0.15)",
}
KEY_SLOTS = 3
KIND_CHOICES = ["—", "long", "quality"]
KIND_WORDS = {"—": "—", "long": "Long run", "quality": "Quality session"}
THRESHOLDS = ("spike_small", "spike_moderate", "spike_large", "run_km_increase_pct")
THRESHOLD_WORDS = {"spike_small": "Run spike: small above (%)",
                   "spike_moderate": "Run spike: moderate above (%)",
                   "spike_large": "Run spike: large above (%)",
                   "run_km_increase_pct": "Weekly running increase flagged above (%)"}
FORM_PREFIX = "pl_f_"


# ------------------------------------------------------------------ formatting

def status_badge(status: str) -> str:
    colour, word = STATUS_STYLE.get(status, ("gray", status))
    return f":{colour}-badge[{word}]"


def item_detail(r: dict[str, Any], units: str) -> str:
    """What was planned and what was done for one compliance row, in plain words."""
    if r["kind"] == "key_run":
        planned = (fmt.fmt_distance(r["planned_km"], units) if not fmt.is_missing(
            r["planned_km"]) else "any distance")
        done = (fmt.fmt_distance(r["done_km"], units) if r["done_sessions"] else "not run")
        return f"planned {planned} on {r['day']:%a %d %b}, done {done}"
    if r["status"] == "unplanned":
        return f"{r['done_sessions']:g} sessions, {fmt.fmt_minutes(r['done_minutes'])}, no plan"
    return (f"{r['done_sessions']:g} of {r['planned_sessions']:g} sessions, "
            f"{fmt.fmt_minutes(r['done_minutes'])} of {fmt.fmt_minutes(r['planned_minutes'])}")


def compliance_badges(rows: pd.DataFrame, units: str) -> None:
    """One line per plan item: a coloured status badge, the item, planned vs done, its source."""
    if rows.empty:
        st.caption("Nothing planned and nothing done that week.")
        return
    lines = []
    for r in rows.to_dict(orient="records"):
        src = f" · _{fmt.md_escape(r['source'])}_" if r["source"] else ""
        note = f" · {fmt.md_escape(r['note'])}" if r["note"] else ""
        lines.append(f"- {status_badge(r['status'])} **{fmt.md_escape(r['label'])}**: "
                     f"{fmt.md_escape(item_detail(r, units))}{note}{src}")
    st.markdown("\n".join(lines))


def squad_matrix(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Athletes x plan items (areas, key runs): the status of each item (empty: not planned)."""
    cols = [fmt.area_label(a) for a in TRAINING_AREAS] + ["Key runs"]
    recs = []
    for name, rows in frames.items():
        rec: dict[str, Any] = {"Athlete": name}
        for r in rows.to_dict(orient="records"):
            if r["kind"] == "area":
                rec[fmt.area_label(r["area"])] = r["status"]
        keys = rows.loc[rows["kind"] == "key_run", "status"].tolist() if len(rows) else []
        if keys:
            done = sum(k == "done" for k in keys)
            rec["Key runs"] = ("done" if done == len(keys) else "missed" if all(
                k == "missed" for k in keys) else "partly")
        share = plans.week_share(rows) if len(rows) else math.nan
        rec["Plan met"] = share * 100.0
        recs.append(rec)
    return pd.DataFrame.from_records(recs, columns=["Athlete", *cols, "Plan met"])


def squad_matrix_table(matrix: pd.DataFrame) -> None:
    item_cols = [c for c in matrix.columns if c not in ("Athlete", "Plan met")]
    shown = matrix.copy()
    for c in item_cols:
        shown[c] = shown[c].map(lambda s: STATUS_STYLE.get(s, ("", s or ""))[1] if s else "")

    def paint(col: pd.Series) -> list[str]:
        return [STATUS_BG.get(str(s), "") for s in matrix[col.name]]

    st.dataframe(shown.style.apply(paint, subset=item_cols), hide_index=True, width="stretch",
                 key="pl_matrix", column_config={
                     "Athlete": st.column_config.TextColumn(pinned=True),
                     "Plan met": st.column_config.ProgressColumn(
                         min_value=0, max_value=100, format="%.0f%%",
                         help="Share of the week's plan met (each item counts up to 100 %)")})


def findings_list(findings: list[plans.Finding], *, who: str = "") -> None:
    icons = {"warning": ":material/warning:", "caution": ":material/error_outline:",
             "info": ":material/info:"}
    if not findings:
        st.caption(f"{fmt.md_escape(who)}: the plan passes the checks." if who
                   else "The plan passes the checks.")
        return
    lines = [f"- {icons[f.level]} {fmt.md_escape(who) + ': ' if who else ''}"
             f"{fmt.md_escape(f.text)}" for f in findings]
    st.markdown("\n".join(lines))


def squad_findings(found: dict[str, list[plans.Finding]]) -> None:
    """The checks of a squad's athletes: one line per distinct sentence, naming whom it is
    about (a template's gap against the targets is said once, not once per athlete)."""
    order: dict[tuple[str, str], list[str]] = {}
    rank = {"warning": 0, "caution": 1, "info": 2}
    for who, fs in found.items():
        for f in fs:
            order.setdefault((f.level, f.text), []).append(who)
    if not order:
        st.caption("The plans pass the checks.")
        return
    icons = {"warning": ":material/warning:", "caution": ":material/error_outline:",
             "info": ":material/info:"}
    lines = [f"- {icons[level]} {fmt.md_escape(', '.join(names))}: {fmt.md_escape(text)}"
             for (level, text), names in sorted(order.items(), key=lambda kv: rank[kv[0][0]])]
    st.markdown("\n".join(lines))
    fine = [n for n, fs in found.items() if not fs]
    if fine:
        st.caption(f"{fmt.md_escape(', '.join(fine))}: the plan passes the checks.")


def _share_colour(v: object) -> str:
    if fmt.is_missing(v):
        return ""
    x = float(v)  # type: ignore[arg-type]
    return STATUS_BG["done" if x >= 80 else "partly" if x > 0 else "missed"]


def summary_dataframe(table: pd.DataFrame) -> None:
    """The compliance summary, each cell coloured like the statuses (green from 80 %)."""
    cols = list(table.columns[1:])
    st.dataframe(table.style.map(_share_colour, subset=cols), hide_index=True, width="stretch",
                 key="pl_summary", column_config={
                     "Athlete or squad": st.column_config.TextColumn(pinned=True),
                     **{c: st.column_config.NumberColumn(format="%.0f%%") for c in cols}})


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Compliance summary as athletes/squads x areas, % of plan met."""
    if summary.empty:
        return pd.DataFrame()
    s = summary.assign(who=[f"Squad {n}" if sc == "squad" else n
                            for sc, n in zip(summary["scope"], summary["name"], strict=True)])
    wide = s.pivot_table(index="who", columns="area", values="share", sort=False) * 100.0
    order = [a for a in [*TRAINING_AREAS, "key runs", "all"] if a in wide.columns]
    wide = wide[order].rename(columns=lambda a: "All items" if a == "all" else (
        "Key runs" if a == "key runs" else fmt.area_label(a)))
    return wide.reset_index().rename(columns={"who": "Athlete or squad"})


# ------------------------------------------------------------------ the form

def _reset_form_if(context: tuple[Any, ...]) -> None:
    if st.session_state.get("pl_ctx") != context:
        for k in [k for k in st.session_state if str(k).startswith(FORM_PREFIX)]:
            del st.session_state[k]
        st.session_state["pl_ctx"] = context


def _default(key: str, value: Any) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def plan_form(store: Any, scope: str, name: str, week: date, base: Settings) -> None:
    """The plan of a squad (template) or an athlete (override), prefilled with what is in
    force that week; saving stores a new version from that week on."""
    _reset_form_if((scope, name, week, base.units, st.session_state.get("pl_gen", 0)))
    unit, per = _distance_unit(base.units)
    if scope == "athlete":
        plan = plans.effective_plan(store, name, week)
        squad = plan.squad
    else:
        squad = name
        body = plans.squad_body_at(store, name, week)
        plan = plans.Plan("", name, week, body=body,
                          provenance={}, **_plan_parts(body, f"squad {name}"))
    eff = plans.effective_settings(base, plan)
    with st.form(f"pl_form_{scope}"):
        st.markdown("**Sessions and minutes per week, per area**")
        for area in TRAINING_AREAS:
            ap = plan.area(area)
            c = st.columns([2, 1, 1, 3], vertical_alignment="bottom")
            c[0].markdown(f"{fmt.area_label(area)}")
            _default(f"{FORM_PREFIX}s_{area}", float(ap.sessions) if ap else 0.0)
            _default(f"{FORM_PREFIX}m_{area}", float(ap.minutes) if ap else 0.0)
            c[1].number_input("Sessions", 0.0, plans.MAX_SESSIONS, step=1.0, format="%.1f",
                              key=f"{FORM_PREFIX}s_{area}")
            c[2].number_input("Minutes", 0.0, plans.MAX_MINUTES, step=10.0, format="%.0f",
                              key=f"{FORM_PREFIX}m_{area}")
            if scope == "athlete":
                c[3].caption(fmt.md_escape(plan.source_text(f"area:{area}")))
        st.markdown("**Key runs**"
                    + (f" · _{fmt.md_escape(plan.source_text('key_runs'))}_"
                       if scope == "athlete" and plan.key_runs else ""))
        for i in range(KEY_SLOTS):
            kr = plan.key_runs[i] if i < len(plan.key_runs) else None
            _default(f"{FORM_PREFIX}k{i}_kind", kr.kind if kr else "—")
            _default(f"{FORM_PREFIX}k{i}_day", plans.WEEKDAYS[kr.weekday] if kr else "Saturday")
            _default(f"{FORM_PREFIX}k{i}_km", float(kr.distance_km or 0.0) * per if kr else 0.0)
            c = st.columns(3)
            c[0].selectbox("Kind", KIND_CHOICES, key=f"{FORM_PREFIX}k{i}_kind",
                           format_func=KIND_WORDS.get)
            c[1].selectbox("Day", list(plans.WEEKDAYS), key=f"{FORM_PREFIX}k{i}_day")
            c[2].number_input(f"Distance ({unit}, 0 = any)", 0.0, plans.MAX_RUN_KM * per,
                              step=1.0, format="%.1f", key=f"{FORM_PREFIX}k{i}_km")
        _default(f"{FORM_PREFIX}run_km", float(plan.run_km or 0.0) * per)
        st.number_input(f"Running distance of the week ({unit}, 0 = not planned)", 0.0,
                        plans.MAX_KM * per, step=5.0, format="%.0f", key=f"{FORM_PREFIX}run_km")
        with st.expander("Targets, risk thresholds and classification rules"):
            st.caption("The athlete is analysed with these (one set of numbers on every page). "
                       "Defaults come from Settings; each threshold's source is shown on hover.")
            tc = st.columns(len(TRAINING_AREAS))
            for col, area in zip(tc, TRAINING_AREAS, strict=True):
                _default(f"{FORM_PREFIX}t_{area}", float(eff.targets.get(area, 0.0)))
                col.number_input(f"{fmt.area_label(area)} target", 0.0, plans.MAX_SESSIONS,
                                 step=1.0, format="%.1f", key=f"{FORM_PREFIX}t_{area}",
                                 help="Sessions per week")
            rc = st.columns(len(THRESHOLDS))
            for col, f in zip(rc, THRESHOLDS, strict=True):
                _default(f"{FORM_PREFIX}r_{f}", float(getattr(eff.risk, f)))
                col.number_input(THRESHOLD_WORDS[f], 0.0, 1000.0, step=5.0, format="%.0f",
                                 key=f"{FORM_PREFIX}r_{f}", help=RISK_SOURCES.get(f))
            own = plans.athlete_body_at(store, name, week) if scope == "athlete" else \
                plans.squad_body_at(store, name, week)
            _default(f"{FORM_PREFIX}rules", plans.rule_lines(own.get("rules")))
            st.text_area("Classification rules, one per line: title words -> area "
                         "(sport: trail_run -> endurance for a sport)",
                         key=f"{FORM_PREFIX}rules", height=80)
        _default(f"{FORM_PREFIX}by", st.session_state.get("pl_last_by", ""))
        st.text_input("Your name (for the change history)", key=f"{FORM_PREFIX}by",
                      max_chars=80)
        saved = st.form_submit_button("Save plan", type="primary", icon=":material/save:")
    if saved:
        _save(store, scope, name, squad, week, base)
    if scope == "athlete" and plans.athlete_body_at(store, name, week):
        if st.button("Back to the squad plan", key="pl_inherit",
                     help="Remove this athlete's own values from this week on"):
            _store_plan(store, "athlete", name, {}, week, "the squad plan")


def _plan_parts(body: dict[str, Any], source: str) -> dict[str, Any]:
    areas = tuple(plans.AreaPlan(a, float(v["sessions"]), float(v["minutes"]), source)
                  for a, v in dict(body.get("areas") or {}).items())
    runs = tuple(plans.KeyRun(r["kind"], int(r["weekday"]), r.get("distance_km"),
                              r.get("title", ""), source) for r in body.get("key_runs") or [])
    return {"areas": areas, "key_runs": runs, "run_km": body.get("run_km")}


def _distance_unit(units: str) -> tuple[str, float]:
    """The form's distance unit and its size per km (plans store km; a miles account types
    miles)."""
    return ("mi", 1.0 / KM_PER_MILE) if units == "mi" else ("km", 1.0)


def wanted_body(units: str = "km") -> dict[str, Any]:
    """The plan the form shows, as a body (everything, not only what differs); distances typed
    in ``units`` are stored in km."""
    ss = st.session_state
    _, per = _distance_unit(units)

    def km(key: str) -> float:  # mm precision: a value shown in miles comes back unchanged
        return round(float(ss.get(key, 0.0) or 0.0) / per, 6)

    runs = []
    for i in range(KEY_SLOTS):
        kind = ss.get(f"{FORM_PREFIX}k{i}_kind", "—")
        if kind in plans.KEY_KINDS:
            dist = km(f"{FORM_PREFIX}k{i}_km")
            runs.append({"kind": kind, "weekday": ss.get(f"{FORM_PREFIX}k{i}_day", "Saturday"),
                         "distance_km": dist or None})
    return {
        "areas": {a: {"sessions": ss.get(f"{FORM_PREFIX}s_{a}", 0.0),
                      "minutes": ss.get(f"{FORM_PREFIX}m_{a}", 0.0)} for a in TRAINING_AREAS},
        "key_runs": runs,
        "run_km": km(f"{FORM_PREFIX}run_km") or None,
        "targets": {a: ss.get(f"{FORM_PREFIX}t_{a}", 0.0) for a in TRAINING_AREAS},
        "risk": {f: ss.get(f"{FORM_PREFIX}r_{f}") for f in THRESHOLDS},
        "rules": plans.parse_rule_lines(ss.get(f"{FORM_PREFIX}rules", "")),
    }


def _save(store: Any, scope: str, name: str, squad: str, week: date, base: Settings) -> None:
    try:
        wanted = wanted_body(base.units)
        if scope == "squad":
            body = plans.squad_template_of(wanted, base)
        else:
            body = plans.override_of(plans.squad_body_at(store, squad, week) if squad else {},
                                     wanted, base)
    except StridewiseError as exc:
        widgets.show_error(exc, prefix="Not saved: ")
        return
    _store_plan(store, scope, name, body, week, "")


def _store_plan(store: Any, scope: str, name: str, body: dict[str, Any], week: date,
                what: str) -> None:
    by = str(st.session_state.get(f"{FORM_PREFIX}by", "") or "").strip()
    try:
        plans.save_plan(store, scope, name, body, valid_from=week, changed_by=by)
    except StridewiseError as exc:
        widgets.show_error(exc, prefix="Not saved: ")
        return
    st.session_state["pl_last_by"] = by
    st.session_state["pl_gen"] = st.session_state.get("pl_gen", 0) + 1
    st.session_state["pl_flash"] = (f"Saved {'squad ' if scope == 'squad' else ''}{name}'s "
                                    f"plan from the week of {week:%d %b %Y}"
                                    + (f" ({what})" if what else "") + ".")
    state.clear_caches()
    st.rerun()


def flash() -> None:
    msg = st.session_state.pop("pl_flash", None)
    if msg:
        st.success(fmt.md_escape(msg), icon=":material/check_circle:")


# ------------------------------------------------------------------ sections

def last_full_week(as_of: date, week_start: str) -> date:
    return plans.week_start_for(as_of, week_start) - timedelta(days=7)


def week_rows(store: Any, data: plans.PlanData, names: list[str], analysis: Any,
              week: date, units: str, as_of: date | None = None) -> dict[str, pd.DataFrame]:
    out = {}
    for n in names:
        plan = plans.effective_plan(data, n, week)
        if plan.is_empty:
            continue
        out[n] = plans.compliance(plan, analysis.sessions, week, parts=analysis.parts,
                                  as_of=as_of, units=units)
    return out


def checks_for(data: plans.PlanData, names: list[str], analysis: Any, week: date,
               base: Settings) -> dict[str, list[plans.Finding]]:
    out = {}
    for n in names:
        plan = plans.effective_plan(data, n, week)
        if not plan.is_empty:
            out[n] = plans.check_plan(plan, analysis.sessions, settings=base)
    return out


def history_table(versions: pd.DataFrame) -> None:
    if versions.empty:
        st.caption("No plan saved yet.")
        return
    v = versions.sort_values("plan_id", ascending=False)
    st.dataframe(pd.DataFrame({
        "Saved": v["changed_at"], "By": v["changed_by"].replace("", "—"),
        "Plan of": [f"squad {n}" if s == "squad" else n
                    for s, n in zip(v["scope"], v["name"], strict=True)],
        "From the week of": v["valid_from"].dt.date, "What changed": v["summary"]}),
        hide_index=True, width="stretch", key="pl_history",
        column_config={"Saved": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm"),
                       "What changed": st.column_config.TextColumn(width="large")})


def athlete_section(store: Any, analysis: Any, athlete: str, as_of: date,
                    settings: Settings) -> None:
    """The Athlete page's plan section: last full week planned vs done, this week's checks."""
    data = plans.plan_data(store, [athlete])
    this_week = plans.week_start_for(as_of, settings.week_start)
    last = this_week - timedelta(days=7)
    plan_last = plans.effective_plan(data, athlete, last)
    plan_now = plans.effective_plan(data, athlete, this_week)
    if plan_last.is_empty and plan_now.is_empty:
        st.caption("No plan yet: make one on the Plans page.")
        st.page_link(PLANS_PAGE, label="Plans", icon=":material/event_note:")
        return
    left, right = st.columns(2, gap="medium")
    with left:
        st.markdown(f"**Week of {last:%d %b}: planned vs done**")
        if plan_last.is_empty:
            st.caption("No plan that week.")
        else:
            compliance_badges(plans.compliance(plan_last, analysis.sessions, last,
                                               parts=analysis.parts, units=settings.units),
                              settings.units)
    with right:
        st.markdown(f"**This week (from {this_week:%d %b}): checks of the plan**")
        if plan_now.is_empty:
            st.caption("No plan this week.")
        else:
            findings_list(plans.check_plan(plan_now, analysis.sessions, settings=settings))
    st.page_link(PLANS_PAGE, label="Edit the plan", icon=":material/event_note:")
