"""What a model answers on a photo, and its explanation maps and their scores, kept for every session."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

import resnext
from resnext.explain.attribution import explain
from resnext.explain.methods import METHODS
from resnext.inference.preprocess import Transform

from . import priority, timing
from .decoding import crop
from .heads import variant_of
from .models import classifier, network
from .store import remembered, remembered_only


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


def _map_key(image, variant_id: str, precision: str, method: str, class_index: int, layer: str,
             contrast: int | None) -> tuple:
    return (image.digest, variant_id, precision, method, class_index,
            layer if METHODS[method].layered else None, contrast)
