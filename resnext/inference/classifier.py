"""A loaded variant that classifies images and explains its answers."""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import NamedTuple, Protocol, Sequence, overload

import numpy as np
import torch
from PIL import Image
from torchvision.models import ResNet

from ..catalog.architecture import build_model
from ..catalog.index import get_variant
from ..catalog.labels import labels_for
from ..catalog.variant import Variant
from ..errors import ResNeXtError
from ..machine.hardware import fast_precision, mode_label
from ..weights.checkpoint import attach_weights, read_checkpoint
from ..weights.fetch import ProgressCallback
from ..weights.sources import ensure_weights
from .engine import make_engine
from .image import ImageSource
from .preprocess import Transform


__all__ = ["PRECISIONS", "Classifier", "Prediction", "load_classifier"]

PRECISIONS = ("fp32", "bf16")


class Prediction(NamedTuple):
    """One class of a top-k answer.

    Attributes:
        index: The class's index in the network's output (0 to 999 for ImageNet-1k).
        label: Its name, e.g. ``"golden retriever"``.
        probability: The softmax probability, 0 to 1.
    """

    index: int
    label: str
    probability: float


class LinearHead(Protocol):
    """What a classifier needs of a head of the user's classes ([`Head`][resnext.transfer.head.Head] is one)."""

    classes: tuple[str, ...]
    backbone: str  # the variant id whose pooled features it was fitted on
    weight: np.ndarray  # (classes, features)
    preprocessing: dict  # how its features were computed: ``fast`` and ``precision`` among them

    def linear(self) -> torch.nn.Linear:
        """The layer that replaces the network's ``fc``."""
        ...


class Classifier:
    """A variant's network with its preprocessing and labels.

    Safe to share between threads: every use of the network runs under one lock, because
    Captum's hooks, present for the duration of a Grad-CAM call, would also fire on any
    other thread's forward pass through the same layer. On a CPU one forward already uses
    every core, so serialising them costs no throughput.
    """

    def __init__(
        self, variant: Variant, model: ResNet, labels: Sequence[str], precision: str = "fp32",
        engine: str | None = None, weights: Path | None = None, fast: bool = False, warm: bool = True,
    ) -> None:
        """Wrap a network that already holds its weights.

        Args:
            variant: The variant the network implements.
            model: The network (eval mode, gradients off).
            labels: One name per class.
            precision: ``"fp32"`` (exact) or ``"bf16"`` (faster, approximate).
            engine: ``"openvino"`` or ``"torch"`` (default: [`resnext.inference.engine.default_engine`][]).
            weights: The checkpoint the weights came from, which keys the engine's cached conversion.
            fast: Fast mode's front end: JPEGs decoded at reduced scale, only the crop's region
                resized (see [`resnext.inference.preprocess.Transform`][]); approximate.
            warm: Run one image through the engine now, so that the first prediction is as fast
                as the tenth (the runtime initialises lazily on its first request).

        Raises:
            ResNeXtError: An unknown precision or engine.
        """
        if precision not in PRECISIONS:
            raise ResNeXtError(f"Unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}.")
        self.variant = variant
        self.labels = tuple(labels)
        self.precision = precision
        self.fast = fast
        self.checkpoint = weights
        self.head: LinearHead | None = None  # set when the classes are the user's (with_head)
        self.transform = Transform.for_variant(variant, fast=fast)
        self.model = model.eval().requires_grad_(False)
        self.engine = make_engine(self.model, precision, engine, weights, variant.image_size)
        self._lock = threading.Lock()
        if warm:
            size = variant.image_size
            self.engine(torch.zeros(1, 3, size, size))

    @property
    def mode(self) -> str:
        """What runs, in words: exact or fast, the network's precision, the front end."""
        return mode_label(self.fast, self.precision)

    def crop(self, image: ImageSource) -> Image.Image:
        """Return the centre crop of an image that the network sees.

        Raises:
            ImageError: The input is not a usable image.
        """
        return self.transform.crop(self.transform.load(image))

    def prepare(self, image: ImageSource) -> tuple[Image.Image, torch.Tensor]:
        """Return the crop the network sees and its preprocessed (3, H, W) tensor, decoding once.

        Raises:
            ImageError: The input is not a usable image.
        """
        crop = self.crop(image)
        return crop, self.transform.to_tensor(crop)

    def batch(self, images: ImageSource | Sequence[ImageSource] | torch.Tensor) -> torch.Tensor:
        """Preprocess one image or a list of them into a batch tensor (N, 3, H, W).

        A tensor is taken as already preprocessed (``self.transform``), shape (3, H, W) or
        (N, 3, H, W); this lets a caller that shows the crop reuse it instead of decoding twice.

        Raises:
            ImageError: An input is not a usable image.
        """
        if isinstance(images, torch.Tensor):
            return images if images.dim() == 4 else images[None]
        items = images if isinstance(images, (list, tuple)) else [images]
        return torch.stack([self.transform(self.transform.load(item)) for item in items])

    @torch.inference_mode()
    def probabilities(self, images: ImageSource | Sequence[ImageSource] | torch.Tensor) -> torch.Tensor:
        """Return the softmax over classes for each image, shape (N, classes), float32.

        Raises:
            ImageError: An input is not a usable image.
        """
        return self.analyze(images)[0]

    @torch.inference_mode()
    def analyze(self, images: ImageSource | Sequence[ImageSource] | torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Classify in one forward pass and keep what the last-stage Grad-CAM needs.

        Args:
            images: As for [`batch`][resnext.inference.classifier.Classifier.batch].

        Returns:
            The probabilities (N, classes) and the last stage's feature maps (N, C, h, w), both
            float32; pass a row of the features to [`explain`][resnext.explain.explain] (``features=``, the
            default ``gradcam`` method on ``layer4``) to explain any class without another forward pass.

        Raises:
            ImageError: An input is not a usable image.
        """
        x = self.batch(images)
        with self._lock:
            features = self.engine(x)
            logits = self._head(features)
        return torch.softmax(logits, dim=1), features

    @torch.inference_mode()
    def embed(self, images: ImageSource | Sequence[ImageSource] | torch.Tensor) -> torch.Tensor:
        """The pooled penultimate features, the input of the classifier layer, in one forward pass.

        Args:
            images: As for [`batch`][resnext.inference.classifier.Classifier.batch].

        Returns:
            float32 (N, features): 2048 values per image for every ResNeXt here.

        Raises:
            ImageError: An input is not a usable image.
        """
        x = self.batch(images)
        with self._lock:
            return self._pool(self.engine(x))

    @overload
    def predict(self, images: ImageSource, topk: int = 5) -> list[Prediction]: ...
    @overload
    def predict(self, images: Sequence[ImageSource], topk: int = 5) -> list[list[Prediction]]: ...

    def predict(self, images: "ImageSource | Sequence[ImageSource] | torch.Tensor",
                topk: int = 5) -> "list[Prediction] | list[list[Prediction]]":
        """Classify an image, or a list of images as one batch.

        Args:
            images: A PIL image, file bytes, path or binary file, or a list of them.
            topk: How many classes to return per image.

        Returns:
            For one image (or one preprocessed tensor), its top-k as ``Prediction(index,
            label, probability)``, most likely first; for a list, one such list per image.

        Raises:
            ImageError: An input is not a usable image.
        """
        probs = self.probabilities(images)
        results = [self.top(row, topk) for row in probs]
        return results if isinstance(images, (list, tuple)) else results[0]

    def check_class(self, index: int | None) -> None:
        """Refuse a class index this classifier does not have (None, "the top-1", passes).

        Raises:
            ResNeXtError: The index is out of range.
        """
        if index is not None and not 0 <= index < len(self.labels):
            raise ResNeXtError(f"Class {index} does not exist; use 0 to {len(self.labels) - 1}.")

    def top(self, probabilities: torch.Tensor | np.ndarray, topk: int = 5) -> list[Prediction]:
        """Turn one probability vector into its top-k predictions."""
        row = torch.as_tensor(probabilities)
        values, indices = torch.topk(row, min(topk, row.numel()))
        return [Prediction(int(i), self.labels[int(i)], float(p)) for p, i in zip(values, indices)]

    def with_head(self, head: LinearHead) -> "Classifier":
        """This classifier answering in the user's classes: the same engine, weights and lock, another last layer.

        Args:
            head: A head trained on this backbone's pooled features (``resnext.transfer.head``).

        Returns:
            A classifier whose labels are the head's classes; Grad-CAM and every explanation
            method follow its logits. Nothing of this classifier changes.

        Raises:
            ResNeXtError: The head was trained on another backbone or on features of another size.
        """
        if head.backbone != self.variant.id or head.weight.shape[1] != self.model.fc.in_features:
            raise ResNeXtError(f"This head was trained on {head.backbone}; use it with that model, "
                               f"not {self.variant.id}.")
        own = copy.copy(self)
        own.model = copy.copy(self.model)
        # A module's children live in its _modules dict: a new dict, so the new fc is this copy's only.
        own.model._modules = {**self.model._modules, "fc": head.linear()}
        own.labels, own.head = head.classes, head
        return own

    def _pool(self, features: torch.Tensor) -> torch.Tensor:
        """Global average pooling in fp32, whatever precision the feature maps come in."""
        return torch.flatten(self.model.avgpool(features.float()), 1)

    def _head(self, features: torch.Tensor) -> torch.Tensor:
        """Pooling and the classifier in fp32."""
        return self.model.fc(self._pool(features))


def load_classifier(
    variant_id: str | None = None,
    weights: str | Path | None = None,
    progress: ProgressCallback | None = None,
    precision: str | None = None,
    engine: str | None = None,
    fast: bool | None = None,
    head: LinearHead | None = None,
    source: str | None = None,
) -> Classifier:
    """Load a variant, downloading its verified weights on first use.

    Args:
        variant_id: A model-index id or timm tagged name (with ``head``, default: the head's backbone).
        weights: A local checkpoint to use instead of the cache (never deleted or modified).
        progress: Called with (bytes done, total) while the weights download.
        precision: ``"fp32"`` or ``"bf16"`` for the network; by default fp32, or in fast mode bf16
            where the CPU computes it natively (``resnext.machine.hardware.fast_precision``); with a
            head, as its features were computed.
        engine: ``"openvino"`` or ``"torch"`` (default: OpenVINO when installed, or ``$RESNEXT_ENGINE``).
        fast: Fast mode: reduced-scale JPEG decoding and resizing, the network as ``precision``
            says; approximate. ``clf.mode`` says what runs. Default off, or with a head, as it was trained.
        head: A classifier of your own classes ([`resnext.transfer.load_head`][resnext.transfer.head.load_head] reads
            the file ``resnext probe --save-head`` writes): it replaces the ImageNet classifier, so answers
            and explanations are about your classes.
        source: Where weights come from, ``auto``, ``hub`` or ``url`` (see
            [`resnext.weights.sources.ensure_weights`][]).

    Returns:
        The classifier.

    Raises:
        UnknownVariantError: The id is not in the catalog.
        DownloadError: The weights could not be fetched or failed verification.
        CacheError: The cache folder cannot be written.
        WeightsError: The checkpoint or head is unsafe, corrupt or does not fit the network.
        ResNeXtError: A head trained on another backbone, or neither an id nor a head.
    """
    if head is not None:
        variant_id = variant_id or head.backbone
        fast = head.preprocessing.get("fast", False) if fast is None else fast
        precision = precision or head.preprocessing.get("precision")
    if variant_id is None:
        raise ResNeXtError("Name a model (or give a head, which names its own).")
    variant = get_variant(variant_id)
    fast = bool(fast)
    path = Path(weights) if weights is not None else ensure_weights(variant, progress=progress, source=source)
    model = attach_weights(build_model(variant, "meta"), read_checkpoint(path), source=str(path))
    if precision is None:
        precision = fast_precision() if fast else "fp32"
    clf = Classifier(variant, model, labels_for(variant), precision=precision, engine=engine, weights=path, fast=fast)
    return clf.with_head(head) if head is not None else clf
