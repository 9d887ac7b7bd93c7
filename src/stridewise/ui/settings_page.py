"""The Settings page's tabs: general settings, weekly targets, risk thresholds, classification
rules and athletes. Widgets only; the logic they call is in :mod:`stridewise.ui.settings_view`."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING

import streamlit as st

from stridewise.assessment import ratio_name
from stridewise.errors import StridewiseError
from stridewise.schema import AREAS, TRAINING_AREAS
from stridewise.settings import (
    DEFAULT_TARGETS,
    RISK_SOURCES,
    TARGET_SOURCES,
    RiskSettings,
    Settings,
)
from stridewise.ui import fmt, state, widgets
from stridewise.ui import settings_view as sv

if TYPE_CHECKING:  # pragma: no cover
    from stridewise.store import Store

RISK_LABELS = {
    "acwr_low": "Acute:chronic: mentioned below",
    "acwr_high": "Acute:chronic: mentioned above",
    "acwr_very_high": "Acute:chronic: moderate above (never high on its own)",
    "monotony_high": "Monotony: mentioned above",
    "run_km_increase_pct": "Weekly running-distance rise flagged above (%)",
    "spike_small": "Run spike counts as small above (%)",
    "spike_moderate": "Run spike counts as moderate above (%)",
    "spike_large": "Run spike counts as large above (%)",
    "spike_days": "Days a run spike keeps counting",
    "coverage_floor": "Minimum share of the last 28 days with sessions (%)",
    "min_history_days": "Days of history before any risk level",
    "rpe_hr_floor": "Say loads are estimated below this share with RPE or HR (%)",
    "days_without_area": "Mention a missing area after (days)",
}


def saved(what: str) -> None:
    """After a successful save: drop cached figures and show ``what`` on the next run."""
    state.clear_caches()
    st.session_state["settings_flash"] = what
    st.rerun()


def general_tab(store: Store, settings: Settings) -> None:
    with st.form("settings_general"):
        units = st.radio("Distance unit", ["km", "mi"], index=["km", "mi"].index(settings.units),
                         horizontal=True, key="set_units")
        week_start = st.radio("A training week starts on", ["monday", "sunday"],
                              index=["monday", "sunday"].index(settings.week_start),
                              format_func=str.capitalize, horizontal=True, key="set_week_start")
        zones = state.time_zones()
        tz = st.selectbox("Default time zone for new athletes", zones,
                          index=zones.index(settings.tz) if settings.tz in zones else
                          zones.index("UTC"), key="set_tz")
        if st.form_submit_button("Save", type="primary", icon=":material/save:"):
            try:
                sv.save_settings(store, settings.__class__(
                    targets=settings.targets, risk=settings.risk, units=units,
                    week_start=week_start, tz=tz))
            except StridewiseError as exc:
                widgets.show_error(exc)
            else:
                saved("General settings saved.")


def targets_tab(store: Store, settings: Settings) -> None:
    st.caption("Sessions per week you aim for in each area. They drive the balance views and "
               "the 'areas on target' numbers.")
    with st.form("settings_targets"):
        new_targets = {}
        cols = st.columns(len(TRAINING_AREAS))
        for col, area in zip(cols, TRAINING_AREAS, strict=True):
            new_targets[area] = col.number_input(
                fmt.area_label(area), min_value=0.0, max_value=14.0, step=0.5,
                value=float(settings.targets.get(area, DEFAULT_TARGETS[area])),
                key=f"set_target_{area}",
                help=f"Default {DEFAULT_TARGETS[area]:g}: {TARGET_SOURCES.get(area, '')}")
        b1, b2 = st.columns([1, 5])
        save_t = b1.form_submit_button("Save", type="primary", icon=":material/save:")
        reset_t = b2.form_submit_button("Reset to defaults", icon=":material/restart_alt:")
    if save_t or reset_t:
        try:
            sv.save_settings(store, sv.with_targets(
                settings, DEFAULT_TARGETS if reset_t else new_targets))
        except StridewiseError as exc:
            widgets.show_error(exc)
        else:
            saved("Weekly targets reset to the defaults." if reset_t else "Weekly targets saved.")


def risk_tab(store: Store, settings: Settings) -> None:
    widgets.heuristic_note()
    defaults = RiskSettings()
    with st.form("settings_risk"):
        values = {}
        cols = st.columns(2)
        numeric = [f for f in fields(RiskSettings) if f.name != "acwr_metric"]
        for i, f in enumerate(numeric):
            default = getattr(defaults, f.name)
            current = getattr(settings.risk, f.name)
            label = f"{RISK_LABELS.get(f.name, f.name)} (default {default:g})"
            src = RISK_SOURCES.get(f.name, "")
            if isinstance(default, int):
                values[f.name] = cols[i % 2].number_input(
                    label, min_value=1, max_value=365, value=int(current), step=1,
                    key=f"set_risk_{f.name}", help=f"Default {default}: {src}")
            else:
                values[f.name] = cols[i % 2].number_input(
                    label, min_value=0.0, max_value=1000.0, value=float(current),
                    step=0.05 if default < 5 else 1.0, key=f"set_risk_{f.name}",
                    help=f"Default {default:g}: {src}")
        metrics = ["coupled", "uncoupled", "ewma"]
        values["acwr_metric"] = st.selectbox(
            "Acute:chronic ratio shown everywhere (context, never raises the level to high)",
            metrics,
            index=metrics.index(settings.risk.acwr_metric), key="set_risk_acwr_metric",
            format_func=lambda m: ratio_name(m),
            help=RISK_SOURCES.get("acwr_metric", ""))
        b1, b2 = st.columns([1, 5])
        save_r = b1.form_submit_button("Save", type="primary", icon=":material/save:")
        reset_r = b2.form_submit_button("Reset to the cited defaults",
                                        icon=":material/restart_alt:")
    if save_r or reset_r:
        try:
            sv.save_settings(store, sv.with_risk(
                settings, sv.default_risk() if reset_r else values))
        except StridewiseError as exc:
            widgets.show_error(exc)
        else:
            saved("Risk thresholds reset to the cited defaults." if reset_r
                   else "Risk thresholds saved.")
    with st.expander("Where the defaults come from"):
        st.dataframe([{"Setting": RISK_LABELS.get(k, k), "Default": str(getattr(defaults, k)),
                       "Source": v} for k, v in RISK_SOURCES.items()],
                     hide_index=True, width="stretch")


def rules_tab(store: Store) -> None:
    st.caption("An area you set for a session wins, then your own rules below (the first that "
               "matches). Otherwise the built-in vocabularies decide in this order: the "
               "exercises of its sets; drill, jump, core, balance, mobility or stretching words "
               "in the title (they outrank a run or a strength session); a run, ride, swim, "
               "row or ski sport; strength words, class names and sports in the title; the "
               "sport; a run, walk or bike word in the title; else other. Add a keyword to "
               "teach Stridewise your own words; you see which sessions change before you save.")
    rules = state.user_rules(store)
    kinds = {"title": "Title contains", "sport": "Sport is", "exercise": "Exercise contains"}
    rc = st.columns([1, 2, 1])
    kind = rc[0].selectbox("Rule", list(kinds), format_func=kinds.get, key="rule_kind")
    pattern = rc[1].text_input("Keyword", key="rule_pattern", max_chars=80,
                               placeholder="e.g. bootcamp")
    area = rc[2].selectbox("Area", list(AREAS), format_func=fmt.area_label, key="rule_area")
    if pattern.strip():
        try:
            proposed = sv.add_rule(rules, kind, pattern, area)
            sessions = store.sessions()
            changes = sv.rule_change_preview(sessions, rules, proposed)
        except StridewiseError as exc:
            widgets.show_error(exc)
        else:
            if changes.empty:
                st.info("No stored session would change with this rule.")
            else:
                st.markdown(f"**{len(changes)} session(s) would change:**")
                widgets.rule_changes_table(changes)
            if st.button("Save this rule", type="primary", icon=":material/save:",
                         key="rule_save"):
                try:
                    store.save_rules(sv.rule_records(proposed))
                except StridewiseError as exc:
                    widgets.show_error(exc)
                else:
                    saved("Rule saved; every session was reclassified.")
    if rules:
        st.markdown(f"**Your rules** ({len(rules)}), tried before the built-in ones:")
        st.dataframe(sv.rule_records(rules), hide_index=True, width="stretch")
        if st.button("Remove your rules (keep only the built-in ones)",
                     icon=":material/restart_alt:", key="rule_reset"):
            try:
                store.save_rules(None)
            except StridewiseError as exc:
                widgets.show_error(exc)
            else:
                saved("Your rules were removed; the built-in rules apply.")
    others = sv.unplaced_titles(state.analysis(store, None).analysis.sessions)
    if len(others):
        with st.expander(f"Titles Stridewise could not place ({int(others['sessions'].sum())} "
                         "sessions in 'other')", icon=":material/help:"):
            st.caption("Add a keyword rule for the ones that belong to an area.")
            st.dataframe(others, hide_index=True, width="stretch")
    builtin = sv.classify.default_rules()
    with st.expander(f"The {len(builtin)} built-in rules, in the order they are tried"):
        st.dataframe(sv.rule_records(builtin), hide_index=True, width="stretch")


def athletes_tab(store: Store) -> None:
    athletes = state.athletes_table(store)
    if athletes.empty:
        widgets.empty_state("No athletes yet.")
    else:
        st.caption("HR max and HR rest (beats per minute) let Stridewise estimate effort from "
                   "heart rate when no RPE is logged; sex selects the TRIMP weighting. Groups "
                   "filter the Squad page.")
        table = athletes[["name", *sv.ATHLETE_FIELDS]].copy()
        edited = st.data_editor(
            table, hide_index=True, width="stretch", num_rows="fixed", key="athletes_editor",
            disabled=["name"],
            column_config={
                "name": st.column_config.TextColumn("Athlete"),
                "group": st.column_config.TextColumn("Group", max_chars=60),
                "hr_max": st.column_config.NumberColumn("HR max", min_value=100, max_value=240,
                                                        step=1, format="%d"),
                "hr_rest": st.column_config.NumberColumn("HR rest", min_value=20,
                                                         max_value=120, step=1, format="%d"),
                "sex": st.column_config.SelectboxColumn("Sex", options=["female", "male"]),
                "tz": st.column_config.SelectboxColumn("Time zone", options=state.time_zones()),
            })
        if st.button("Save athletes", type="primary", icon=":material/save:",
                     key="athletes_save"):
            try:
                n, retimed = sv.save_athletes_detail(store, table, edited)
            except StridewiseError as exc:
                widgets.show_error(exc)
            else:
                saved(f"Saved {n} athlete(s). " + sv.retimed_note(retimed, edited))
        dc = st.columns([3, 1], vertical_alignment="bottom")
        victim = dc[0].selectbox("Delete an athlete and all their sessions",
                                 list(athletes["name"]), key="athlete_delete_pick")
        confirm = dc[1].checkbox("I am sure", key="athlete_delete_sure")
        if st.button("Delete athlete", icon=":material/delete:", disabled=not confirm,
                     key="athlete_delete_go"):
            try:
                store.delete_athlete(victim)
            except StridewiseError as exc:
                widgets.show_error(exc)
            else:
                st.session_state.pop(state.ATHLETE_KEY, None)
                saved("Athlete deleted.")
