"""The "Your classes" page's work (resnext.transfer): the data, the run's cost, tables and figures, heads.

A zip is unpacked and hashed once per upload (keyed by the upload's id), its bytes charged to the
upload gate (:mod:`resnext_app.budget`) for as long as the session holds it. A study is remembered
for every session under the data's digest and the settings, without the images' bytes: only
their names and thumbnails, which is all the page shows of them again. Heads a visitor trains or
uploads are kept in their session (at most :data:`MAX_SESSION_HEADS`) and offered by the pickers.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from resnext.catalog.architecture import FEATURES
from resnext.catalog.index import ASSETS_DIR
from resnext.catalog.variant import Variant
from resnext.errors import ResNeXtError
from resnext.transfer import LabelledSet, Study, labelled_files, labelled_members
from resnext.transfer.head import MAX_CLASSES, Head, head_from_probe, load_head, save_head
from resnext.transfer.probe import fit_probe

from . import budget, bulk, heads, tables

SAMPLE_SET = ASSETS_DIR / "your-classes" / "textures"
COST_FILE = ASSETS_DIR / "transfer_cost.json"  # written by python -m benchmarks.transfer --cost-only
HEADS_KEY = "your_heads"  # session state: name → (head id, Head)
_UNPACKED = "yc_unpacked"  # session state: (upload id, Data or the sentence it failed with) of the last zip
MAX_SESSION_HEADS = 8
MAX_SESSION_HEAD_BYTES = 64_000_000
HEAD_UPLOAD_MB = math.ceil((MAX_CLASSES + 3) * FEATURES * 4 / 1e6) + 1  # the largest head file, whole MB


@dataclass(frozen=True)
class Data:
    """A labelled set with its digest, computed once."""

    images: LabelledSet
    digest: str


@dataclass(frozen=True)
class Shown:
    """A study as it is remembered: no image bytes, only the names (in ``study.data.items``) and thumbnails."""

    study: Study
    thumbnails: tuple[str | None, ...]


@st.cache_resource(show_spinner=False)
def sample_set() -> Data:
    """The texture patches shipped with the app (CC0), one folder per class, read and hashed once per process."""
    images = labelled_files(SAMPLE_SET)
    return Data(images, digest(images))


def from_zip(upload) -> Data:
    """A labelled set from an uploaded zip of class folders, unpacked and hashed once per upload.

    Args:
        upload: Streamlit's uploaded file (its ``file_id`` keys the unpacked set in the session).

    Raises:
        ResNeXtError: Fewer than two classes, a class with fewer than two images, or the server's
            upload budget spent (nothing is kept then).
    """
    kept = st.session_state.get(_UNPACKED)
    if kept is not None and kept[0] == upload.file_id:
        if isinstance(kept[1], str):
            raise ResNeXtError(kept[1])  # the same zip fails the same way: not unpacked again
        return kept[1]
    st.session_state.pop(_UNPACKED, None)  # the last zip's bytes go before the next one's are taken
    with budget.gate().claim() as claim:  # the budget's refusal is not kept: a minute later it may pass
        raw = upload.getvalue()
        claim.reserve(len(raw))
        batch = bulk.unpack([(upload.name, raw)], reserve=claim.reserve)
        try:
            result = labelled_members(batch.files, batch.folders)
        except ResNeXtError as exc:  # what the zip holds: the same file fails the same way
            st.session_state[_UNPACKED] = (upload.file_id, str(exc))  # the sentence, not its frames' bytes
            raise
        images = LabelledSet(result.items, result.labels, result.classes, batch.skipped + result.skipped)
        data = Data(images, digest(images))
        claim.keep(data)
    st.session_state[_UNPACKED] = (upload.file_id, data)
    return data


def digest(data: LabelledSet) -> str:
    """A key for the images and their labels."""
    h = hashlib.sha256()
    for item, label in zip(data.items, data.labels):
        h.update(Path(item).read_bytes() if isinstance(item, Path) else item[1])
        h.update(str(int(label)).encode())
    return h.hexdigest()


def shown(study: Study) -> Shown:
    """What the page keeps of a study: the images replaced by their names, and their thumbnails."""
    data = study.data
    thumbs = tuple(_thumbnail(i) for i in data.items)
    lean = dataclasses.replace(data, items=list(data.names))
    return Shown(dataclasses.replace(study, data=lean), thumbs)


@functools.lru_cache(maxsize=1)
def costs() -> dict:
    """What ``python -m benchmarks.transfer --cost-only`` measured: ``decode_ms`` per photo and
    ``probe_seconds_per_fold`` per backbone, with the machine it ran on."""
    return json.loads(COST_FILE.read_text(encoding="utf-8"))


def estimate_seconds(variants: Sequence[Variant], images: int, folds: int) -> float:
    """Seconds a cold run takes here: each image through each backbone, then the probes (measured figures)."""
    measured = costs()
    decode = len(variants) * measured["decode_ms"] / 1000
    return images * (tables.network_seconds(variants) + decode) + \
        len(variants) * (folds + 1) * measured["probe_seconds_per_fold"]


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


def map_chart(result: Shown, model: str) -> alt.Chart:
    """The 2-D map of one backbone's features, coloured by class, each point's thumbnail in its tooltip."""
    study = result.study
    coords, share = study.maps[model]
    frame = pd.DataFrame({
        "x": coords[:, 0], "y": coords[:, 1], "class": [study.data.classes[k] for k in study.data.labels],
        "name": study.data.names, "image": list(result.thumbnails)})
    return alt.Chart(frame).mark_circle(size=70).encode(
        x=alt.X("x", title=f"first principal axis ({share[0]:.0%} of the variance)"),
        y=alt.Y("y", title=f"second ({share[1]:.0%})"),
        color=alt.Color("class"), tooltip=["image", "name", "class"],  # Vega shows a field named image as one
    ).properties(height=420)


def thumbnails(result: Shown, indices: Sequence[int]) -> list[str | None]:
    """Small data URLs of the study's images."""
    return [result.thumbnails[i] for i in indices]


def _thumbnail(item) -> str | None:
    return bulk.thumbnail(Path(item).read_bytes() if isinstance(item, Path) else item[1])


def head_of(study: Study, model: str, clf) -> Head:
    """The chosen backbone's probe refitted on every image, as a head."""
    fitted = fit_probe(study.features[model], study.data.labels)
    return head_from_probe(fitted, study.data.classes, clf)


def file_name(name: str) -> str:
    """A download's file name for a head called ``name``: letters, digits, dots, dashes and underscores."""
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name).strip("._") or "classifier"
    return f"{safe[:80]}.safetensors"


def head_bytes(head: Head) -> bytes:
    """A head as the file ``resnext predict --head`` reads."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return save_head(head, Path(folder) / "head.safetensors").read_bytes()


def head_from_upload(data: bytes, name: str) -> Head:
    """A head from an uploaded file, called ``name`` in messages.

    Raises:
        WeightsError: Not a head.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "head.safetensors"
        path.write_bytes(data)
        return load_head(path, name)


def keep_head(name: str, head: Head) -> str:
    """Offer a head in this session's pickers (registered first: nothing is kept if it is refused).

    Returns:
        Its id.

    Raises:
        ResNeXtError: This session holds :data:`MAX_SESSION_HEADS` heads or :data:`MAX_SESSION_HEAD_BYTES`
            already, or the server cannot hold another.
    """
    mine = {n: h for n, h in st.session_state.get(HEADS_KEY, {}).items() if n != name}
    if len(mine) >= MAX_SESSION_HEADS:
        raise ResNeXtError(f"This session holds as many classifiers of your classes as it may ({MAX_SESSION_HEADS}); "
                           "reload the page to start afresh.")
    if sum(h.nbytes for _, h in mine.values()) + head.nbytes > MAX_SESSION_HEAD_BYTES:
        raise ResNeXtError(f"Your classifiers would take more than {MAX_SESSION_HEAD_BYTES // 10**6} MB of this "
                           "server's memory; reload the page to start afresh.")
    head_id, shared = heads.register_head(head)
    st.session_state[HEADS_KEY] = {**mine, name: (head_id, shared)}
    return head_id


def session_heads() -> dict[str, Head]:
    """This session's heads by name."""
    return {name: head for name, (_, head) in st.session_state.get(HEADS_KEY, {}).items()}


def session_head_ids() -> list[str]:
    """The ids of this session's heads, in the order they were kept."""
    return [head_id for head_id, _ in st.session_state.get(HEADS_KEY, {}).values()]
