"""Attribution maps beyond Grad-CAM, through Captum: which pixels carry the evidence for a class.

Every method returns a float32 (H, W) map in [0, 1] over the crop the network saw, so the app,
the faithfulness score ([`resnext.explain.fidelity`][]) and the downloads treat them alike:

- ``gradcam``: Grad-CAM on a stage (closed form on the last one, see [`resnext.explain.gradcam`][]).
- ``guided_gradcam``: Grad-CAM sharpened by guided backpropagation (Captum's ``GuidedGradCam``).
- ``integrated_gradients``: gradients integrated from a mean-colour image to the photo.
- ``deeplift``: DeepLIFT's rescale rule from the same baseline, one backward pass.
- ``occlusion``: how much the class's logit drops when a patch is greyed out; forward passes
  only, so it runs on the classifier's engine in batches.

A ``contrast`` class turns any of them into "why ``class_index`` rather than ``contrast``": the
score explained is the difference of the two logits, which on the last stage is Grad-CAM with
the difference of the two classifier rows.

The gradient methods run eager PyTorch on the classifier's own network. torchvision's
``Bottleneck`` applies one ``ReLU(inplace=True)`` module three times, which Captum's DeepLIFT
(and older Captums' guided backpropagation) cannot hook ("module is being used more than
once"); [`distinct_activations`][resnext.explain.attribution.distinct_activations] gives each use its own module for the
duration of a call, under the classifier's lock, and puts the original modules and methods back afterwards.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from typing import TYPE_CHECKING, Callable, Iterator

import numpy as np
import torch
from torch import nn
from torchvision.models.resnet import Bottleneck, ResNet

from ..errors import ResNeXtError
from ..inference.engine import Backbone
from .gradcam import LAYERS, cam_from_features, captum_cam, normalize_cam
from .methods import IG_STEPS, METHODS, Method

if TYPE_CHECKING:
    from ..inference.classifier import Classifier
    from ..inference.image import ImageSource

__all__ = ["METHODS", "Method", "Progress", "distinct_activations", "explain", "pixel_map"]

Progress = Callable[[float], None]
"""Called with the fraction of a method's work done; it may raise to cancel the method."""

# Integrated gradients: 8 images per backward pass bound the activation memory (about 1.2 GB
# for ResNeXt-50).
IG_BATCH = 8
# Occlusion: a patch a seventh of the crop wide, moved by half its width (13 x 13 positions at
# 224 px), 16 occluded images per forward pass.
OCCLUSION_PER_EVAL = 16
# Maps of single pixels have a few extreme values; the 99th percentile is their scale.
PIXEL_PERCENTILE = 99.0


def explain(
    clf: Classifier,
    image: ImageSource | torch.Tensor,
    method: str = "gradcam",
    class_index: int | None = None,
    layer: str = "layer4",
    contrast: int | None = None,
    features: torch.Tensor | None = None,
    progress: Progress | None = None,
) -> np.ndarray:
    """An attribution map of one image over the crop the network saw.

    Args:
        clf: The classifier to explain.
        image: A PIL image, file bytes, path or binary file, or a preprocessed (3, H, W) tensor.
        method: One of [`METHODS`][resnext.explain.methods.METHODS].
        class_index: The class to explain; the top-1 class when None.
        layer: The stage for ``gradcam`` and ``guided_gradcam``, ``layer1`` to ``layer4``.
        contrast: A second class: explain the first class's logit minus this one's.
        features: The image's last-stage features (C, h, w) from
            [`Classifier.analyze`][resnext.inference.classifier.Classifier.analyze], which spare ``gradcam`` on
            ``layer4`` its forward pass.
        progress: Called with the fraction done between batches; raising from it cancels.

    Returns:
        A float32 array (H, W) in [0, 1]; all zeros where the map has no positive evidence.

    Raises:
        ImageError: The input is not a usable image.
        ResNeXtError: An unknown method or layer, or a class index out of range.
    """
    if method not in METHODS:
        raise ResNeXtError(f"Unknown method {method!r}; use one of {', '.join(METHODS)}.")
    if layer not in LAYERS:
        raise ResNeXtError(f"Unknown layer {layer!r}; use one of {', '.join(LAYERS)}.")
    clf.check_class(class_index)
    clf.check_class(contrast)
    x = clf.batch(image)
    if features is not None and features.dim() == 3:
        features = features[None]
    size = tuple(x.shape[-2:])
    with clf._lock:
        if class_index is None:
            if features is None:
                features = clf.engine(x)
            class_index = int(clf._head(features)[0].argmax())
        if method == "occlusion":
            return pixel_map(_occlusion(clf, x, class_index, contrast, progress), signed=True)
        if method == "gradcam" and layer == "layer4":
            features = clf.engine(x) if features is None else features
            w = clf.model.fc.weight
            rows, row = (w, class_index) if contrast is None else ((w[class_index] - w[contrast])[None], 0)
            return normalize_cam(cam_from_features(features[0], rows, row), size)
        # Every gradient method explains output 0 of Scores: the class's logit, or the difference.
        x = x.to(clf.model.conv1.weight.dtype).requires_grad_()
        scores = Scores(clf.model, clf._head, class_index, contrast)
        if method == "gradcam":
            return normalize_cam(captum_cam(scores, getattr(clf.model, layer), x, 0), size)
        if method == "guided_gradcam":
            with distinct_activations(clf.model), _quiet():
                from captum.attr import GuidedGradCam

                attr = GuidedGradCam(scores, getattr(clf.model, layer)).attribute(
                    x, target=0, interpolate_mode="bilinear")
            return pixel_map(attr, signed=False)
        if method == "deeplift":
            with distinct_activations(clf.model), _quiet():
                from captum.attr import DeepLift

                attr = DeepLift(scores).attribute(x, baselines=torch.zeros_like(x), target=0)
            return pixel_map(attr, signed=True)
        return pixel_map(_integrated_gradients(scores, x, progress), signed=True)


class Scores(nn.Module):
    """The network's logits in PyTorch (fp32 head), narrowed to what is explained.

    Output (N, 1): the class's logit, or its difference from the contrast class's, so one
    target index (0) serves every method.
    """

    def __init__(self, model: ResNet, head: Callable[[torch.Tensor], torch.Tensor], class_index: int,
                 contrast: int | None = None) -> None:
        super().__init__()
        self.backbone = Backbone(model)  # a submodule, so Captum finds the network's ReLUs
        self.head = head
        self.class_index = class_index
        self.contrast = contrast

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _score(self.head(self.backbone(x)), self.class_index, self.contrast)


def _score(logits: torch.Tensor, class_index: int, contrast: int | None) -> torch.Tensor:
    score = logits[:, class_index]
    if contrast is not None:
        score = score - logits[:, contrast]
    return score[:, None]


def pixel_map(attribution: torch.Tensor, signed: bool) -> np.ndarray:
    """Reduce a (1, 3, H, W) input attribution to a map in [0, 1].

    Args:
        attribution: Per-pixel, per-channel attribution.
        signed: Keep only positive evidence (the channels' sum, clipped at 0) when True; use the
            magnitude (for guided gradients, whose sign has no meaning) when False.

    Returns:
        A float32 (H, W) array scaled by its 99th percentile and clipped to [0, 1].
    """
    channels = attribution.detach().float()[0]
    values = (channels.sum(0).clamp(min=0) if signed else channels.abs().sum(0)).numpy()
    scale = float(np.percentile(values, PIXEL_PERCENTILE))
    if scale <= 0:
        scale = float(values.max())
    if scale <= 0:
        return np.zeros(values.shape, dtype=np.float32)
    return np.clip(values / scale, 0.0, 1.0).astype(np.float32)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence Captum's notice that it hooks activations (the hooks are gone when it returns)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*backward hooks", category=UserWarning)
        yield


def _counted(forward: Callable[[torch.Tensor], torch.Tensor], calls: int,
             progress: Progress | None) -> Callable[[torch.Tensor], torch.Tensor]:
    """Wrap a forward pass so that each call reports progress (and can be cancelled there)."""
    done = 0

    def wrapped(x: torch.Tensor) -> torch.Tensor:
        nonlocal done
        if progress is not None:
            progress(min(done / calls, 1.0))
        done += 1
        return forward(x)

    return wrapped


def _integrated_gradients(scores: Scores, x: torch.Tensor, progress: Progress | None) -> torch.Tensor:
    from captum.attr import IntegratedGradients

    forward = _counted(scores, math.ceil(IG_STEPS / IG_BATCH), progress)
    # The zero tensor is the dataset's mean colour after normalisation: an image with no content.
    return IntegratedGradients(forward).attribute(
        x, baselines=torch.zeros_like(x), target=0, n_steps=IG_STEPS, internal_batch_size=IG_BATCH)


def occlusion_window(image_size: int) -> tuple[int, int]:
    """The occluding patch's side and stride for a crop: a seventh of it, moved by half that."""
    side = max(image_size // 7, 2)
    return side, side // 2


def _occlusion(clf: Classifier, x: torch.Tensor, class_index: int, contrast: int | None,
               progress: Progress | None) -> torch.Tensor:
    from captum.attr import Occlusion

    side, stride = occlusion_window(x.shape[-1])
    positions = ((x.shape[-2] - side) // stride + 1) * ((x.shape[-1] - side) // stride + 1)

    @torch.inference_mode()
    def forward(batch: torch.Tensor) -> torch.Tensor:
        return _score(clf._head(clf.engine(batch)), class_index, contrast)

    counted = _counted(forward, 1 + math.ceil(positions / OCCLUSION_PER_EVAL), progress)
    return Occlusion(counted).attribute(
        x.float(), sliding_window_shapes=(3, side, side), strides=(3, stride, stride), baselines=0.0,
        target=0, perturbations_per_eval=OCCLUSION_PER_EVAL)


@contextlib.contextmanager
def distinct_activations(model: ResNet) -> Iterator[None]:
    """Give every use of a ReLU in the network its own, out-of-place module, for one call.

    Captum's DeepLIFT and guided backpropagation hook ReLU modules, and DeepLIFT fails when
    one module is applied several times. The stem's ReLU is swapped, and each ``Bottleneck`` gets
    three temporary ReLUs and an instance-level ``forward`` that uses them; on exit the original
    modules come back and the temporary attributes are deleted, so the network's modules,
    parameters and ``state_dict`` are exactly what they were.
    """
    stem = model.relu
    blocks = [m for m in model.modules() if isinstance(m, Bottleneck)]
    model.relu = nn.ReLU()
    try:
        for block in blocks:
            for name in ("act1", "act2", "act3"):
                block.add_module(name, nn.ReLU())
            block.forward = _bottleneck_forward.__get__(block)
        yield
    finally:
        model.relu = stem
        for block in blocks:
            block.__dict__.pop("forward", None)
            for name in ("act1", "act2", "act3"):
                block._modules.pop(name, None)


def _bottleneck_forward(self: Bottleneck, x: torch.Tensor) -> torch.Tensor:
    """torchvision's ``Bottleneck.forward`` with a separate activation module per use."""
    identity = x if self.downsample is None else self.downsample(x)
    out = self.act1(self.bn1(self.conv1(x)))
    out = self.act2(self.bn2(self.conv2(out)))
    out = self.bn3(self.conv3(out))
    return self.act3(out + identity)
