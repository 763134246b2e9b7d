"""The "Your classes" page's work (resnext.transfer): the data, the run's cost, tables and figures, heads.

A study is remembered for every session under the data's digest and the settings, so moving
between result views recomputes nothing; feature vectors are cached on disk by the library.
Heads a visitor trains or uploads are kept in their session and offered by :func:`head_picker`.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Sequence

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from resnext.catalog import ASSETS_DIR, Variant
from resnext.transfer import LabelledSet, Study, labelled_files, labelled_members
from resnext.transfer.head import Head, head_from_probe, load_head, save_head
from resnext.transfer.probe import fit_probe

from . import bulk

SAMPLE_SET = ASSETS_DIR / "your-classes" / "textures"
PROBE_SECONDS_PER_FOLD = 0.5  # a fold's fit on a few hundred images, standardised, inner CV (2 cores)
DECODE_MS = 15  # reading and preprocessing one photo beside the network, per backbone
HEADS_KEY = "your_heads"  # session state: name → Head


def sample_set() -> LabelledSet:
    """The texture patches shipped with the app (CC0), one folder per class."""
    return labelled_files(SAMPLE_SET)


def from_zip(data: bytes, name: str) -> LabelledSet:
    """A labelled set from an uploaded zip of class folders (the Batch page's reader and limits).

    Raises:
        ResNeXtError: Fewer than two classes, or a class with fewer than two images.
    """
    batch = bulk.unpack([(name, data)])
    result = labelled_members(batch.files, batch.folders)
    return LabelledSet(result.items, result.labels, result.classes, batch.skipped + result.skipped)


def digest(data: LabelledSet) -> str:
    """A key for the images and their labels."""
    h = hashlib.sha256()
    for item, label in zip(data.items, data.labels):
        h.update(Path(item).read_bytes() if isinstance(item, Path) else item[1])
        h.update(str(int(label)).encode())
    return h.hexdigest()


def estimate_seconds(variants: Sequence[Variant], images: int, folds: int, latency: pd.DataFrame) -> float:
    """Seconds a cold run takes here: each image through each backbone, then the probes."""
    ms = latency.set_index("id")["default_ms"].to_dict()
    network = sum((ms.get(v.id) if not math.isnan(ms.get(v.id, math.nan)) else 100.0) + DECODE_MS for v in variants)
    return images * network / 1000 + len(variants) * (folds + 1) * PROBE_SECONDS_PER_FOLD


def scores_frame(study: Study) -> pd.DataFrame:
    """One row per backbone: the probe with its interval, k-NN, LogME."""
    c = study.comparison
    return pd.DataFrame([{
        "Model": s.model, "Probe accuracy": 100 * s.accuracy,
        "95% interval": f"{100 * s.interval[0]:.1f}–{100 * s.interval[1]:.1f}",
        f"{c.knn_k}-NN accuracy": 100 * s.knn_accuracy, "LogME": s.logme,
        "Fold accuracies": ", ".join(f"{100 * a:.0f}" for a in s.fold_accuracies),
    } for s in c.scores])


def few_shot_figure(study: Study) -> go.Figure:
    """Accuracy against labelled images per class, one line per backbone ("all" is the k-fold probe)."""
    c = study.comparison
    fig = go.Figure()
    per_class = int(np.bincount(study.data.labels).min())
    for s in c.scores:
        curve = c.few_shot.get(s.model, {})
        shots = sorted(curve)
        fig.add_trace(go.Scatter(
            x=[*shots, per_class], y=[100 * curve[n][0] for n in shots] + [100 * s.accuracy],
            error_y={"type": "data", "array": [100 * curve[n][1] for n in shots] + [0]},
            mode="lines+markers", name=s.model))
    fig.update_layout(xaxis_title="labelled images per class (last point: all, k-fold)", yaxis_title="accuracy %",
                      xaxis_type="log", height=360, margin={"t": 10})
    return fig


def confusion_figure(study: Study, model: str) -> go.Figure:
    """The out-of-fold confusion matrix of one backbone's probe."""
    score = next(s for s in study.comparison.scores if s.model == model)
    classes = list(study.comparison.classes)
    fig = go.Figure(go.Heatmap(z=score.confusion, x=classes, y=classes, colorscale="Blues", text=score.confusion,
                               texttemplate="%{text}", hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"))
    fig.update_layout(xaxis_title="predicted", yaxis_title="true", yaxis_autorange="reversed", height=360,
                      margin={"t": 10})
    return fig


def map_chart(study: Study, model: str) -> alt.Chart:
    """The 2-D map of one backbone's features, coloured by class, each point's thumbnail in its tooltip."""
    coords, share = study.maps[model]
    frame = pd.DataFrame({
        "x": coords[:, 0], "y": coords[:, 1], "class": [study.data.classes[k] for k in study.data.labels],
        "name": study.data.names, "image": [_thumbnail(i) for i in study.data.items]})
    return alt.Chart(frame).mark_circle(size=70).encode(
        x=alt.X("x", title=f"first principal axis ({share[0]:.0%} of the variance)"),
        y=alt.Y("y", title=f"second ({share[1]:.0%})"),
        color=alt.Color("class"), tooltip=["image", "name", "class"],  # Vega shows a field named image as one
    ).properties(height=420)


def thumbnails(study: Study, indices: Sequence[int]) -> list[str | None]:
    """Small data URLs of the study's images."""
    return [_thumbnail(study.data.items[i]) for i in indices]


def _thumbnail(item) -> str | None:
    return bulk.thumbnail(Path(item).read_bytes() if isinstance(item, Path) else item[1])


def head_of(study: Study, model: str, clf) -> Head:
    """The chosen backbone's probe refitted on every image, as a head."""
    fitted = fit_probe(study.features[model], study.data.labels)
    return head_from_probe(fitted, study.data.classes, clf)


def head_bytes(head: Head) -> bytes:
    """A head as the file ``resnext predict --head`` reads."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return save_head(head, Path(folder) / "head.safetensors").read_bytes()


def head_from_upload(data: bytes) -> Head:
    """A head from an uploaded file.

    Raises:
        WeightsError: Not a head.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "head.safetensors"
        path.write_bytes(data)
        return load_head(path)


def keep_head(name: str, head: Head) -> None:
    """Offer a head in this session's pickers."""
    st.session_state.setdefault(HEADS_KEY, {})[name] = head


def session_heads() -> dict[str, Head]:
    """This session's heads by name."""
    return st.session_state.get(HEADS_KEY, {})
