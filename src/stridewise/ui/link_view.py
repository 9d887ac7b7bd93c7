"""The Athlete page's link: apply ``?athlete=&week=&range=`` to its widgets, write them back.

Opening ``Athlete?athlete=Ana%20Silva&week=2026-11-30`` shows Ana Silva with the date range
ending on that week's last day and the sessions table on that week; ``range`` picks a preset
("4 weeks", "12 weeks", "6 months", "1 year", "All"). The page writes its current athlete,
range preset and linked week back into the URL, so the address bar is always the bookmark.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from stridewise.ui import fmt, state
from stridewise.ui.widgets import RANGE_PRESETS

WEEK_KEY = "sw_link_week"
PRESETS = [*RANGE_PRESETS, "Custom"]


def read(names: list[str], week_start: str = "monday") -> state.Link | None:
    """The page's link when the URL changed (selects its athlete); says what it could not use."""
    link = state.read_link(names, list(RANGE_PRESETS), week_start)
    if link is not None and link.problem:
        st.warning(fmt.md_escape(link.problem), icon=":material/link_off:")
    return link


def apply(link: state.Link | None, first: date, last: date, *,
          key: str = "athlete_range") -> None:
    """Set the date-range widgets (before they are drawn) to what the link asks for."""
    if link is None:
        return
    if link.week is not None:
        days = RANGE_PRESETS.get(link.range or "6 months")
        # a week outside the data still opens: the range is clamped to what the widget allows
        end = max(first, min(link.week + timedelta(days=6), max(last, date.today())))
        lo = first if days is None else max(first, end - timedelta(days=days - 1))
        st.session_state[f"{key}_preset"] = "Custom"
        st.session_state[f"{key}_custom"] = (min(lo, end), end)
        st.session_state[WEEK_KEY] = link.week
    elif link.range is not None:
        st.session_state[f"{key}_preset"] = link.range
        st.session_state.pop(WEEK_KEY, None)


def linked_week(start: date, end: date) -> list[pd.Timestamp]:
    """The linked week as the sessions table's picked week (while it is in the range)."""
    week = st.session_state.get(WEEK_KEY)
    if isinstance(week, date) and start <= week + timedelta(days=6) and week <= end:
        return [pd.Timestamp(week)]
    return []


def write(name: str, start: date, end: date, *, key: str = "athlete_range") -> None:
    """Put the athlete, preset and linked week into the URL."""
    preset = st.session_state.get(f"{key}_preset")
    weeks = linked_week(start, end)
    if preset != "Custom":
        st.session_state.pop(WEEK_KEY, None)
        weeks = []
    state.write_link(name, weeks[0].date() if weeks else None,
                     preset if preset in RANGE_PRESETS else None)
