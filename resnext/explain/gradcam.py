"""Grad-CAM: where in the image the evidence for a class lies.

For the last stage of these networks the head is global average pooling followed by one
linear layer, so the gradient of class ``c``'s logit with respect to the last feature maps
is ``W[c] / (h * w)`` at every position: Grad-CAM there is the class's classifier weights
applied to the feature maps, with no backward pass ([`cam_from_features`][resnext.explain.gradcam.cam_from_features]).
Earlier stages go through Captum's ``LayerGradCam`` ([`captum_cam`][resnext.explain.gradcam.captum_cam]). Both return
the raw map; [`normalize_cam`][resnext.explain.gradcam.normalize_cam] upsamples it to the crop and scales it to [0, 1].
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["LAYERS", "cam_from_features", "captum_cam", "normalize_cam"]

LAYERS = ("layer1", "layer2", "layer3", "layer4")


def cam_from_features(features: torch.Tensor, fc_weight: torch.Tensor, class_index: int) -> torch.Tensor:
    """Grad-CAM on the last stage, computed in closed form.

    Args:
        features: Last-stage feature maps of one image, shape (C, h, w).
        fc_weight: The classifier's weight matrix, shape (classes, C).
        class_index: The class to explain.

    Returns:
        The raw map, shape (h, w): ``ReLU(sum_k W[c, k] / (h * w) * A_k)``, equal to
        Captum's ``LayerGradCam`` with ``relu_attributions=True``.
    """
    c, h, w = features.shape
    weights = fc_weight[class_index].float() / (h * w)
    return torch.relu(torch.einsum("khw,k->hw", features.float(), weights))


def captum_cam(
    forward: Callable[[torch.Tensor], torch.Tensor], layer: nn.Module, x: torch.Tensor, class_index: int
) -> torch.Tensor:
    """Grad-CAM on any layer, through Captum.

    Captum registers hooks on ``layer`` and removes them before returning; callers that
    share the network between threads must hold a lock around this call.

    Args:
        forward: The network, or any function from input to logits that runs through ``layer``.
        layer: The module whose output to explain (e.g. ``model.layer3``).
        x: One preprocessed image, shape (1, 3, H, W).
        class_index: The class to explain.

    Returns:
        The raw map at the layer's resolution, shape (h, w).
    """
    from captum.attr import LayerGradCam

    attribution = LayerGradCam(forward, layer).attribute(x, target=class_index, relu_attributions=True)
    return attribution[0, 0].detach().float()


def normalize_cam(raw: torch.Tensor, size: tuple[int, int]) -> np.ndarray:
    """Upsample a raw map bilinearly to the crop and min-max scale it.

    Args:
        raw: The raw map, shape (h, w).
        size: The crop's (height, width).

    Returns:
        A float32 array of shape ``size`` in [0, 1] (all zeros where the map is flat).
    """
    up = F.interpolate(raw[None, None], size=size, mode="bilinear", align_corners=False)[0, 0]
    lo, hi = up.min(), up.max()
    if float(hi - lo) <= 0:
        return np.zeros(size, dtype=np.float32)
    return ((up - lo) / (hi - lo)).clamp_(0, 1).numpy().astype(np.float32, copy=False)
