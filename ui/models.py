"""Loaded models and cached results, shared by every session of this server process.

Models live in one :class:`resnext.cache.ModelCache` held by ``st.cache_resource``; results
are cached per (image content, variant, precision[, class, stage]) by ``st.cache_data``, so
moving a slider or switching pages never recomputes them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import streamlit as st

import resnext
from resnext.cache import ModelCache, budget_from_env
from resnext.catalog import format_bytes


@st.cache_resource(show_spinner=False)
def model_cache() -> ModelCache:
    """The process-wide model cache, bounded by ``RESNEXT_MAX_MODEL_GB``."""
    return ModelCache(budget_from_env())


def classifier(variant_id: str, precision: str = "fp32") -> "resnext.Classifier":
    """Return a loaded classifier, with a progress bar for a download and a spinner for the load.

    Raises:
        ResNeXtError: The variant does not fit, cannot be downloaded, or cannot be loaded.
    """
    from resnext.weights import is_cached

    cache = model_cache()
    variant = resnext.get_variant(variant_id)
    if cache.is_loaded(variant.id, precision):
        return cache.get(variant.id, precision)
    cache.check_fits(variant, precision)
    bar = None
    if not is_cached(variant):
        label = f"Downloading {variant.id} weights ({variant.size_label}), once for this server"
        bar = st.progress(0.0, text=label)

        def progress(done: int, total: int | None) -> None:
            fraction = done / total if total else 0.0
            bar.progress(min(fraction, 1.0), text=f"{label}: {format_bytes(done)}")
    else:
        progress = None
    try:
        with st.spinner(f"Loading {variant.id}…"):
            return cache.get(variant.id, precision, progress=progress)
    finally:
        if bar is not None:
            bar.empty()


@dataclass(frozen=True)
class Answer:
    """A classification of one image by one variant."""

    probabilities: np.ndarray  # (classes,) float32
    top: list  # list[resnext.Prediction], most likely first
    crop: np.ndarray  # the (H, W, 3) uint8 crop the network saw
    seconds: float


@st.cache_data(show_spinner=False, max_entries=256)
def classify(image: bytes, variant_id: str, precision: str = "fp32", topk: int = 5) -> Answer:
    """Classify an image's bytes (cached by content, variant and precision).

    Raises:
        ResNeXtError: The image is unusable or the model cannot be had.
    """
    clf = classifier(variant_id, precision)
    crop, x = clf.prepare(image)
    start = time.perf_counter()
    probs = clf.probabilities(x)[0]
    seconds = time.perf_counter() - start
    return Answer(probs.numpy(), clf.top(probs, topk), np.asarray(crop), seconds)


@st.cache_data(show_spinner=False, max_entries=512)
def gradcam(crop: np.ndarray, variant_id: str, precision: str, class_index: int, layer: str) -> tuple[np.ndarray, float]:
    """Grad-CAM for one class and stage (cached), with the seconds it took.

    Takes :attr:`Answer.crop`, so moving a class or stage selector neither decodes nor
    resizes the upload again.

    Raises:
        ResNeXtError: The model cannot be had.
    """
    clf = classifier(variant_id, precision)
    x = clf.transform.to_tensor(crop)
    start = time.perf_counter()
    cam = clf.gradcam(x, class_index=class_index, layer=layer)
    return cam, time.perf_counter() - start
