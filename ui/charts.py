"""Plotly figures: top-k bars, accuracy against cost with the Pareto front, families compared."""

from __future__ import annotations

import math
from typing import Sequence

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from resnext.compare import pareto_front

FAMILY_COLORS = {"SSL": "#4C78A8", "SWSL": "#F58518", "IG": "#54A24B"}


def top_bars(labels: Sequence[str], probabilities: Sequence[float], title: str | None = None) -> go.Figure:
    """Horizontal bars of a top-k answer, the most likely on top, labelled in percent."""
    percents = [100 * p for p in probabilities]
    fig = go.Figure(
        go.Bar(
            x=percents[::-1],
            y=[_short(label) for label in labels][::-1],
            orientation="h",
            text=[f"{p:.1f}%" for p in percents[::-1]],
            textposition="auto",
            hovertext=list(labels)[::-1],
            hovertemplate="%{hovertext}: %{x:.2f}%<extra></extra>",
            marker_color="#4C78A8",
        )
    )
    fig.update_layout(
        title=title,
        xaxis=dict(range=[0, 100], ticksuffix="%", title=None),
        yaxis=dict(title=None, automargin=True),
        height=60 + 38 * len(labels),
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
    )
    return fig


def accuracy_vs_cost(df: pd.DataFrame, cost: str, metric: str = "top1") -> go.Figure:
    """Accuracy against FLOPs or parameters: bubbles sized by file size, coloured by family.

    Args:
        df: :func:`ui.tables.catalog_frame` rows.
        cost: ``"gflops"`` or ``"params_m"``.
        metric: ``"top1"`` or ``"top5"``.
    """
    axis = {"gflops": "GFLOPs per 224×224 image", "params_m": "Parameters (millions)"}[cost]
    known = df.dropna(subset=[cost, metric])
    pareto = known[pareto_front(known[cost], known[metric])].sort_values(cost)
    fig = px.scatter(
        df, x=cost, y=metric, size="size_mb", color="family", hover_name="id",
        color_discrete_map=FAMILY_COLORS, log_x=True, size_max=40,
        hover_data={"size_mb": ":.0f", cost: ":.1f", metric: ":.2f", "family": False},
        labels={cost: axis, metric: f"ImageNet {metric.replace('top', 'top-')} (%)", "size_mb": "File size (MB)"},
    )
    if len(pareto) > 1:
        fig.add_trace(go.Scatter(
            x=pareto[cost], y=pareto[metric], mode="lines", name="Pareto front",
            line=dict(color="grey", dash="dash"), hoverinfo="skip",
        ))
    ticks = _log_ticks(known[cost].min(), known[cost].max())
    fig.update_xaxes(tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])
    fig.update_layout(margin=dict(l=10, r=10, t=30, b=10), legend_title_text="")
    return fig


def families_at_equal_architecture(df: pd.DataFrame, metric: str = "top1") -> go.Figure:
    """Grouped bars: for each architecture, the accuracy of each family that trained it."""
    fig = px.bar(
        df.dropna(subset=[metric]), x="architecture", y=metric, color="family", barmode="group",
        color_discrete_map=FAMILY_COLORS, text_auto=".2f",
        category_orders={"architecture": list(dict.fromkeys(df.sort_values("flops")["architecture"]))},
        labels={"architecture": "", metric: f"ImageNet {metric.replace('top', 'top-')} (%)"},
    )
    low, high = df[metric].min(), df[metric].max()
    if pd.notna(low):  # zoom on the differences: they are a few points, not tens
        fig.update_yaxes(range=[math.floor(low) - 1, min(100, math.ceil(high) + 1)])
    fig.update_layout(margin=dict(l=10, r=10, t=30, b=10), legend_title_text="")
    return fig


def _log_ticks(low: float, high: float) -> list[float]:
    """1-2-5 ticks covering [low, high], for a log axis that people can read."""
    if not (low > 0 and high > 0):
        return []
    ticks = [m * 10.0**e for e in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1)
             for m in (1, 2, 5)]
    return [t for t in ticks if low / 1.5 <= t <= high * 1.5]


def _short(label: str, width: int = 28) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"
