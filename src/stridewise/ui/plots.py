"""Showing plotly figures in Streamlit: the chart's title becomes a Streamlit heading (so it
never collides with a wrapped legend), the legend keeps its own band above the plot."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from stridewise.ui import fmt

#: plotly config: no logo, no cloud/edit buttons; PNG download kept.
CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def show(fig: go.Figure, *, key: str, on_select: str | None = None, help: str | None = None
         ) -> Any:
    """Render ``fig``; with ``on_select="rerun"`` returns the selection state."""
    title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
    if title:
        st.markdown(f"**{fmt.md_escape(_plain(title))}**", help=help)
    legend_items = sum(1 for t in fig.data if getattr(t, "showlegend", None) is not False
                       and getattr(t, "name", None))
    top = 16 if not fig.layout.showlegend or legend_items == 0 else (
        40 if legend_items <= 4 else 64)
    margin = fig.layout.margin.to_plotly_json() if fig.layout.margin else {}
    height = fig.layout.height
    fig = go.Figure(fig)  # never restyle the caller's figure
    fig.update_layout(title=None, margin={**margin, "t": top},
                      height=(height - 40) if height and title else height)
    kw: dict[str, Any] = {"key": key, "width": "stretch", "config": CONFIG}
    if on_select:
        return st.plotly_chart(fig, on_select=on_select, selection_mode="points", **kw)
    st.plotly_chart(fig, **kw)
    return None


def _plain(text: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))
