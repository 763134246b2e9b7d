"""Charts: top-k bars (HTML), accuracy against cost with the Pareto front and families compared (Plotly)."""

from __future__ import annotations

import base64
import io
import math
from html import escape
from typing import Sequence

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from PIL import Image

from resnext.catalog.compare import pareto_front

FAMILY_COLORS = {"SSL": "#4C78A8", "SWSL": "#F58518", "IG": "#54A24B", "Supervised V1": "#9D9D9D",
                 "Supervised V2": "#5E5E5E"}
BAR_COLOR = "#4C78A8"


def top_bars(labels: Sequence[str], probabilities: Sequence[float], image: str | None = None) -> str:
    """A top-k answer as HTML bars for ``st.html``: the most likely first, each label in full on hover.

    Plain HTML and CSS, no JavaScript: the browser draws it at once, where a Plotly figure keeps
    the page busy for a few hundred milliseconds on a two-core machine, delaying what follows.

    Args:
        labels: Class names, most likely first.
        probabilities: Their probabilities.
        image: The image's name, kept as ``data-image`` so a test can tell this answer from the last.

    Returns:
        The HTML.
    """
    rows = []
    for label, p in zip(labels, probabilities):
        pct = 100 * p
        rows.append(
            f'<div role="listitem" title="{escape(label)}: {pct:.2f}%" style="display:grid; align-items:center; '
            'grid-template-columns:minmax(6rem, 40%) 1fr 3.5rem; gap:0.5rem; margin:0.35rem 0">'
            f'<span style="overflow:hidden; text-overflow:ellipsis; white-space:nowrap">{escape(label)}</span>'
            '<span style="height:1.3rem; border-radius:0.25rem; background:rgba(128, 128, 128, 0.15)">'
            f'<span style="display:block; height:100%; width:{pct:.2f}%; border-radius:0.25rem; '
            f'background:{BAR_COLOR}"></span></span>'
            f'<span style="text-align:right; font-variant-numeric:tabular-nums">{pct:.1f}%</span></div>'
        )
    return (f'<div class="top-k" role="list" aria-label="Top-{len(rows)} classes" data-image="{escape(image or "")}">'
            + "".join(rows) + "</div>")


def picture(image: Image.Image, caption: str, alt: str) -> str:
    """A small picture (a heatmap) as HTML for ``st.html``, its JPEG inside the page.

    ``st.image`` sends a link the browser then fetches from the server, which is busy finishing
    the run; inline, the picture arrives with the page and shows at once.

    Args:
        image: The picture (a few hundred pixels across).
        caption: Shown under it.
        alt: Its text alternative.

    Returns:
        The HTML.
    """
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="JPEG", quality=90)
    src = "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()
    return (f'<figure style="margin:0"><img src="{src}" alt="{escape(alt)}" style="width:100%; display:block">'
            f'<figcaption style="text-align:center; font-size:0.875rem; opacity:0.6; margin-top:0.25rem">'
            f"{escape(caption)}</figcaption></figure>")


def accuracy_vs_cost(df: pd.DataFrame, cost: str, metric: str = "top1") -> go.Figure:
    """Accuracy against compute or parameters: bubbles sized by checkpoint size, coloured by family.

    A checkpoint whose size is not published is drawn at 4 bytes per parameter (fp32), and its
    hover says "≈".

    Args:
        df: :func:`resnext_app.tables.catalog_frame` rows.
        cost: ``"gmacs"`` (counted multiply-adds), ``"params_m"``, or a measured latency
            (``"default_ms"``, ``"fast_ms"``; see :func:`resnext_app.tables.latency`).
        metric: ``"top1"`` or ``"top5"``.
    """
    axis = {"gmacs": "Multiply-adds per image, counted (G)", "params_m": "Parameters (millions)",
            "default_ms": "Latency on this CPU, default mode (ms)", "fast_ms": "Latency on this CPU, fast mode (ms)"}[cost]
    known = df.dropna(subset=[cost, metric])
    pareto = known[pareto_front(known[cost], known[metric])].sort_values(cost)
    estimated = df["size_mb"].isna()
    df = df.assign(bubble=df["size_mb"].fillna(4 * df["params_m"]),
                   size_text=[("≈ " if e else "") + f"{mb:.0f} MB" for e, mb in zip(estimated, df["size_mb"].fillna(4 * df["params_m"]))])
    fig = px.scatter(
        df, x=cost, y=metric, size="bubble", color="family", hover_name="id",
        color_discrete_map=FAMILY_COLORS, log_x=True, size_max=40,
        hover_data={"size_text": True, "bubble": False, cost: ":.1f", metric: ":.2f", "family": False},
        labels={cost: axis, metric: f"ImageNet {metric.replace('top', 'top-')} (%)", "size_text": "File size"},
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
        category_orders={"architecture": list(dict.fromkeys(df.sort_values("macs")["architecture"]))},
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



def beyond_imagenet(long: pd.DataFrame, dataset: str, metric: str = "top1") -> go.Figure:
    """Accuracy on one data set against ImageNet-1k accuracy, one point per model, with the line the
    supervised baselines draw: a model above it is more robust than its ImageNet score predicts.

    Args:
        long: :func:`resnext_app.published.measurements_frame` rows.
        dataset: The data set's key, e.g. ``"imagenet-r"``.
        metric: ``"top1"`` or ``"top5"``.
    """
    on = long[long["dataset"] == dataset].set_index("model")[metric]
    base = long[long["dataset"] == "imagenet"].set_index("model")
    df = base[["family", "architecture"]].assign(imagenet=base[metric], other=on).dropna().reset_index()
    title = long.loc[long["dataset"] == dataset, "dataset_title"].iloc[0]
    label = metric.replace("top", "top-")
    fig = px.scatter(df, x="imagenet", y="other", color="family", hover_name="model", color_discrete_map=FAMILY_COLORS,
                     labels={"imagenet": f"ImageNet-1k {label} (%)", "other": f"{title} {label} (%)"})
    fig.update_traces(marker_size=12)
    supervised = df[df["family"].str.startswith("Supervised")]
    if len(supervised) >= 2:
        slope, intercept = np.polyfit(supervised["imagenet"], supervised["other"], 1)
        xs = np.array([df["imagenet"].min() - 0.5, df["imagenet"].max() + 0.5])
        fig.add_trace(go.Scatter(x=xs, y=slope * xs + intercept, mode="lines", name="Supervised trend",
                                 line=dict(color="grey", dash="dash"), hoverinfo="skip"))
    fig.update_layout(margin=dict(l=10, r=10, t=30, b=10), legend_title_text="")
    return fig


def training_compared(long: pd.DataFrame, architecture: str, metric: str = "top1") -> go.Figure:
    """For one architecture, each way of training it (families and baselines) on every data set."""
    df = long[long["architecture"] == architecture]
    # The baselines first, then the others, each by name: a defined order, which the browser's chart draws too.
    order = sorted(df["family"].unique(), key=lambda f: (not f.startswith("Supervised"), f))
    fig = px.bar(df, x="dataset_title", y=metric, color="family", barmode="group", color_discrete_map=FAMILY_COLORS,
                 category_orders={"family": order, "dataset_title": list(dict.fromkeys(long["dataset_title"]))},
                 text_auto=".1f", labels={"dataset_title": "", metric: f"{metric.replace('top', 'top-')} (%)"})
    fig.update_layout(margin=dict(l=10, r=10, t=30, b=10), legend_title_text="")
    return fig
