"""Loaded models and cached results, shared by every session of this server process.

Models live in one :class:`resnext.cache.ModelCache` held by ``st.cache_resource``. Everything
else that a visitor's photo makes (its decoded pixels, each preprocessing's crop, each
classification with its last-stage features, explanation maps, scores, studies) is kept in one
shared :class:`resnext_app.budget.Results`: least recently used out, bounded in bytes and charged
to the upload gate, so the bytes a visitor causes are counted wherever they sit. A cancelled
computation is never kept, and nothing is replayed (unlike ``st.cache_data``). Keys are the
image's digest, so no call hashes a 12 MP photo.

Heads of visitors' own classes are held by their sessions; the registry here only finds them by
id (weak references), so a head no session holds is gone, and its bytes with it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st
import torch
from PIL import Image

import resnext
from resnext.cache import ModelCache, budget_from_env
from resnext.errors import ResNeXtError
from resnext.catalog import Variant, format_bytes
from resnext.hardware import fast_precision
from resnext.explain.attribution import explain
from resnext.explain.methods import METHODS
from resnext.preprocess import Transform

from . import budget, priority, timing

if TYPE_CHECKING:
    from resnext.transfer.head import Head

YOUR_CLASSES = "Your classes"
_HEADS_LOCK = threading.Lock()


@st.cache_resource(show_spinner=False)
def model_cache() -> ModelCache:
    """The process-wide model cache, bounded by ``RESNEXT_MAX_MODEL_GB``."""
    return ModelCache(budget_from_env())


MAX_HEADS = 256  # heads of visitors' classes held at once by all sessions together
RESULTS_SHARE = 0.5  # of the upload gate's bound, the most the shared results may hold


@st.cache_resource(show_spinner=False)
def _heads() -> "weakref.WeakValueDictionary[str, Head]":
    """Heads of visitors' own classes by id (``backbone+digest``), while some session holds them."""
    return weakref.WeakValueDictionary()


def register_head(head: "Head") -> tuple[str, "Head"]:
    """Make a head choosable like a variant, charging its bytes to the upload gate.

    Returns:
        Its id (the same for the same head, in any session) and the one copy every session shares:
        keep that copy, since the registry holds a head only while some session does.

    Raises:
        ResNeXtError: The server holds :data:`MAX_HEADS` heads already, or its memory budget is spent.
    """
    h = hashlib.sha256(head.backbone.encode() + head.weight.tobytes() + head.bias.tobytes() + head.mean.tobytes()
                       + head.scale.tobytes() + "\n".join(head.classes).encode())
    head_id = f"{head.backbone}+{h.hexdigest()[:12]}"
    with _HEADS_LOCK:
        registry = _heads()
        shared = registry.get(head_id)
        if shared is not None:
            return head_id, shared
        if len(registry) >= MAX_HEADS:
            raise ResNeXtError(f"This server holds as many classifiers of visitors' classes as it may ({MAX_HEADS}); "
                               "try again in a few minutes, when some visitors have left.")
        budget.gate().keep(head, head.nbytes, "your classifier")
        registry[head_id] = head
    return head_id, head


def variant_of(variant_id: str) -> Variant:
    """The catalog's variant, or for a head's id, its backbone under the head's id and family "Your classes".

    Raises:
        UnknownVariantError: Neither.
    """
    head = _heads().get(variant_id)
    if head is None:
        return resnext.get_variant(variant_id)
    return dataclasses.replace(resnext.get_variant(head.backbone), id=variant_id, family=YOUR_CLASSES,
                               num_classes=len(head.classes), timm_name=None)


def head(variant_id: str) -> "Head | None":
    """The head behind an id, or None for a catalog variant."""
    return _heads().get(variant_id)


def head_mode(head: "Head") -> str:
    """The page mode a head runs in: the one its features were computed in (``"fast"`` or ``"fp32"``)."""
    return "fast" if head.preprocessing.get("fast") else "fp32"


def classifier(variant_id: str, precision: str = "fp32") -> "resnext.Classifier":
    """Return a loaded classifier, with a progress bar for a download and a spinner for the load.

    Args:
        variant_id: The variant, or a head's id (:func:`register_head`): its backbone with the head,
            which runs in the mode it was fitted in (:func:`head_mode`), whatever ``precision`` says.
        precision: ``"fp32"`` (exact) or ``"fast"``: the pages' mode (see :func:`network`).

    Raises:
        ResNeXtError: The variant does not fit, cannot be downloaded, or cannot be loaded.
    """
    from resnext.weights import is_cached

    own = _heads().get(variant_id)
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
    bf16 where this CPU computes it natively (:func:`resnext.hardware.fast_precision`)."""
    return (fast_precision(), True) if mode == "fast" else (mode, False)


def decoded(digest: str, data: bytes, name: str) -> Image.Image:
    """The RGB picture of a file, decoded once for every page and session that uses it (never modified).

    Raises:
        ImageError: The file is not a usable image; the message names it.
    """
    return remembered(("decoded", digest), lambda: resnext.load_image(data, name=name))


def crop(digest: str, transform: Transform, data: bytes, name: str) -> np.ndarray:
    """The (H, W, 3) uint8 centre crop a preprocessing makes of an image.

    Raises:
        ImageError: The file is not a usable image.
    """
    def compute() -> np.ndarray:
        image = decoded(digest, data, name)
        with timing.stage("resize"):
            return np.asarray(transform.crop(image))

    return remembered(("crop", digest, transform), compute)


@dataclass(frozen=True)
class Answer:
    """A classification of one image by one variant."""

    probabilities: np.ndarray  # (classes,) float32
    top: list  # list[resnext.Prediction], most likely first
    crop: np.ndarray  # the (H, W, 3) uint8 crop the network saw
    features: np.ndarray  # the last stage's (C, h, w) feature maps, for Grad-CAM on it
    seconds: float  # the network's time when it was computed


def classify(image, variant_id: str, precision: str = "fp32", topk: int = 5) -> Answer:
    """Classify the current image (a :class:`resnext_app.images.CurrentImage`), cached.

    Raises:
        ResNeXtError: The image is unusable or the model cannot be had.
    """
    with priority.answers_first().answering():  # slow work of other sessions steps aside meanwhile
        transform = Transform.for_variant(variant_of(variant_id), fast=network(precision)[1])
        pixels = crop(image.digest, transform, image.data, image.name)
        return _classify(image.digest, variant_id, precision, topk, pixels)


def _classify(digest: str, variant_id: str, precision: str, topk: int, pixels: np.ndarray) -> Answer:
    def compute() -> Answer:
        clf = classifier(variant_id, precision)
        start = time.perf_counter()
        with timing.stage("network"):
            probabilities, features = clf.analyze(clf.transform.to_tensor(pixels))
        seconds = time.perf_counter() - start
        return Answer(probabilities[0].numpy(), clf.top(probabilities[0], topk), pixels, features[0].numpy(), seconds)

    return remembered(("classify", digest, variant_id, precision, topk), compute)


def explanation(image, answer: Answer, variant_id: str, precision: str, method: str, class_index: int,
                layer: str = "layer4", contrast: int | None = None,
                progress: "resnext.explain.Progress | None" = None) -> np.ndarray:
    """An attribution map of one class (optionally against another), cached for every session.

    The last stage's Grad-CAM reuses the answer's features. ``progress`` may raise (Streamlit does,
    when the user changes the selection) to cancel; nothing is cached then.

    Raises:
        ResNeXtError: The model cannot be had.
    """
    def compute() -> np.ndarray:
        clf = classifier(variant_id, precision)
        features = torch.from_numpy(answer.features) if method == "gradcam" and layer == "layer4" else None
        with timing.stage(METHODS[method].label):
            return explain(clf, clf.transform.to_tensor(answer.crop), method, class_index, layer, contrast,
                               features=features, progress=progress)

    return remembered(_map_key(image, variant_id, precision, method, class_index, layer, contrast), compute)


def faithfulness(image, answer: Answer, variant_id: str, precision: str, method: str, class_index: int,
                 layer: str, contrast: int | None, saliency: np.ndarray,
                 progress: "resnext.explain.Progress | None" = None,
                 compute: bool = True) -> "resnext.Faithfulness | None":
    """The deletion/insertion score (see :func:`resnext.faithfulness`) of the map :func:`explanation`
    made with the same arguments, following ``class_index``'s probability; cached.

    With ``compute`` False, only a score some session already has, else None.

    Raises:
        ResNeXtError: The model cannot be had.
    """
    def score() -> "resnext.Faithfulness":
        clf = classifier(variant_id, precision)
        with timing.stage("faithfulness"):
            return resnext.faithfulness(clf, clf.transform.to_tensor(answer.crop), saliency, class_index,
                                        progress=progress)

    key = ("faithfulness", *_map_key(image, variant_id, precision, method, class_index, layer, contrast))
    return remembered(key, score) if compute else remembered_only(key)


def remembered(key: tuple, compute):
    """A result kept for every session under ``key`` (in :class:`Results`), computed when missing.

    Unlike ``st.cache_data``, ``compute`` may draw progress into the page: nothing is replayed,
    and a computation cancelled by the user's next action is not kept.
    """
    store = _results()
    found = store.get(key)
    if found is None:
        found = compute()
        store.put(key, found)
    return found


def remembered_only(key: tuple):
    """A result kept by :func:`remembered`, or None: nothing is computed."""
    return _results().get(key)


def _map_key(image, variant_id: str, precision: str, method: str, class_index: int, layer: str,
             contrast: int | None) -> tuple:
    return (image.digest, variant_id, precision, method, class_index,
            layer if METHODS[method].layered else None, contrast)


@st.cache_resource(show_spinner=False)
def _results() -> budget.Results:
    # Not st.cache_data: a slow map reports progress into the page while it is computed, and
    # cache_data would replay those progress updates on every later hit.
    gate = budget.gate()
    results = budget.Results(int(gate.limit * RESULTS_SHARE), gate)
    gate.reclaim = results.evict  # cached results give way to a visitor's upload
    return results
