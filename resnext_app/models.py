"""Loaded models, shared by every session of this server process.

Models live in one :class:`resnext.inference.cache.ModelCache` held by ``st.cache_resource``, bounded by
``RESNEXT_MAX_MODEL_GB``; a head of a visitor's classes (:mod:`resnext_app.heads`) runs on its
backbone from that cache. What a model answers is kept in :mod:`resnext_app.answers`.
"""

from __future__ import annotations

import streamlit as st

import resnext
from resnext.catalog.variant import format_bytes
from resnext.inference.cache import ModelCache, budget_from_env
from resnext.machine.hardware import fast_precision

from . import timing
from .heads import head, head_mode, variant_of


@st.cache_resource(show_spinner=False)
def model_cache() -> ModelCache:
    """The process-wide model cache, bounded by ``RESNEXT_MAX_MODEL_GB``."""
    return ModelCache(budget_from_env())


def classifier(variant_id: str, precision: str = "fp32") -> "resnext.Classifier":
    """Return a loaded classifier, with a progress bar for a download and a spinner for the load.

    Args:
        variant_id: The variant, or a head's id (:func:`register_head`): its backbone with the head,
            which runs in the mode it was fitted in (:func:`head_mode`), whatever ``precision`` says.
        precision: ``"fp32"`` (exact) or ``"fast"``: the pages' mode (see :func:`network`).

    Raises:
        ResNeXtError: The variant does not fit, cannot be downloaded, or cannot be loaded.
    """
    from resnext.weights.sources import is_cached

    own = head(variant_id)
    if own is not None:
        clf = classifier(own.backbone, head_mode(own)).with_head(own)  # a copy and one layer: not worth caching
        clf.variant = variant_of(variant_id)  # rows and tables name it by the id the pickers show
        return clf
    cache = model_cache()
    variant = resnext.get_variant(variant_id)
    precision, fast = network(precision)
    if cache.is_loaded(variant.id, precision, fast):
        return cache.get(variant.id, precision, fast=fast)
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
        with st.spinner(f"Loading {variant.id}…"), timing.stage("model load"):
            return cache.get(variant.id, precision, progress=progress, fast=fast)
    finally:
        if bar is not None:
            bar.empty()


def network(mode: str) -> tuple[str, bool]:
    """The network precision and front end of a page's mode: ``fp32`` is exact; ``fast`` is fast mode,
    bf16 where this CPU computes it natively (:func:`resnext.machine.hardware.fast_precision`)."""
    return (fast_precision(), True) if mode == "fast" else (mode, False)
