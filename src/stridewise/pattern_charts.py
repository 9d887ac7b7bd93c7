"""Figures of the exercise-level balance: sets per movement pattern per week (a grid) and foot
contacts per week. Data in, ``go.Figure`` out; the house style of :mod:`stridewise.charts`."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from stridewise.charts import _style, empty_figure
from stridewise.exercises import PATTERN_LABELS


def pattern_grid_chart(grid: pd.DataFrame, *, title: str = "Sets per movement pattern and week",
                       height: int = 330) -> go.Figure:
    """A heat grid of :func:`stridewise.patterns.pattern_grid` (patterns x weeks), each cell
    labelled with its number of sets; empty cells stay blank."""
    if grid.empty or float(grid.to_numpy().sum()) == 0:
        return empty_figure(title, "No exercise sets in these weeks", height=height)
    weeks = [pd.Timestamp(w).strftime("%d %b") for w in grid.columns]
    rows = [PATTERN_LABELS.get(p, p) for p in grid.index]
    z = grid.to_numpy(dtype=float)
    text = [["" if v == 0 else f"{v:.0f}" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=weeks, y=rows, text=text, texttemplate="%{text}", colorscale="Blues",
        showscale=False, xgap=2, ygap=2, zmin=0,
        hovertemplate="%{y}, week of %{x}: %{z:.0f} sets<extra></extra>"))
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(showgrid=False, title_text="Week starting")
    _style(fig, title, height=height, legend=False)
    fig.update_layout(margin={"l": 100, "r": 10, "t": 50, "b": 50})
    return fig
