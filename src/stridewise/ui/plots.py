"""Showing plotly figures in Streamlit: the chart's title becomes a Streamlit heading (so it
never collides with a wrapped legend), the legend keeps its own band above the plot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from stridewise.ui import fmt

#: plotly config: no logo, no cloud/edit buttons; PNG download kept.
CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


@dataclass(frozen=True)
class Prepared:
    """A figure restyled for the page, with its title taken out (see :func:`prepare`)."""

    title: str
    fig: go.Figure


def prepare(fig: go.Figure) -> Prepared:
    """Take the title out of ``fig`` (shown as a Streamlit heading) and fit the top margin to
    the legend. Restyles ``fig`` in place (pass a freshly built figure) and wraps it."""
    title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
    legend_items = sum(1 for t in fig.data if getattr(t, "showlegend", None) is not False
                       and getattr(t, "name", None))
    top = 16 if not fig.layout.showlegend or legend_items == 0 else (
        40 if legend_items <= 4 else 64)
    margin = fig.layout.margin.to_plotly_json() if fig.layout.margin else {}
    height = fig.layout.height
    fig.update_layout(title=None, margin={**margin, "t": top},
                      height=(height - 40) if height and title else height)
    return Prepared(_plain(title), fig)


def show(fig: go.Figure | Prepared, *, key: str, on_select: str | None = None,
         help: str | None = None) -> Any:
    """Render a figure (or a :class:`Prepared` one); with ``on_select="rerun"`` returns the
    selection state."""
    p = fig if isinstance(fig, Prepared) else prepare(fig)
    if p.title:
        st.markdown(f"**{fmt.md_escape(p.title)}**", help=help)
    fig = p.fig
    kw: dict[str, Any] = {"key": key, "width": "stretch", "config": CONFIG}
    if on_select:
        return st.plotly_chart(fig, on_select=on_select, selection_mode="points", **kw)
    st.plotly_chart(fig, **kw)
    return None


def _plain(text: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))
