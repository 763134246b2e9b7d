"""Rendering a Grad-CAM map: a coloured heatmap, or that heatmap blended over the image."""

from __future__ import annotations

import numpy as np
from PIL import Image

__all__ = ["COLORMAPS", "heatmap", "overlay"]

COLORMAPS = ("jet", "turbo", "inferno", "viridis", "magma", "plasma")


def heatmap(cam: np.ndarray, colormap: str = "jet", size: tuple[int, int] | None = None) -> Image.Image:
    """Colour a map in [0, 1] with a Matplotlib colormap.

    Args:
        cam: A 2-D array in [0, 1].
        colormap: A Matplotlib colormap name.
        size: Output (width, height); the map's own size when None.

    Returns:
        An RGB image.

    Raises:
        ValueError: Unknown colormap or a map that is not 2-D.
    """
    from matplotlib import colormaps

    if cam.ndim != 2:
        raise ValueError(f"A Grad-CAM map is 2-D; got shape {cam.shape}.")
    if colormap not in colormaps:
        raise ValueError(f"Unknown colormap {colormap!r}; use one of {', '.join(COLORMAPS)}.")
    values = np.clip(np.nan_to_num(cam.astype(np.float32)), 0.0, 1.0)
    if size is not None and size != (values.shape[1], values.shape[0]):
        values = np.asarray(Image.fromarray(values, mode="F").resize(size, Image.BILINEAR))
    rgb = colormaps[colormap](np.clip(values, 0.0, 1.0))[..., :3]
    return Image.fromarray((rgb * 255).round().astype(np.uint8), mode="RGB")


def overlay(image: Image.Image, cam: np.ndarray, alpha: float = 0.5, colormap: str = "jet") -> Image.Image:
    """Blend a coloured Grad-CAM map over an image.

    Args:
        image: The picture the map belongs to (usually the crop the network saw);
            the map is resized to it.
        cam: A 2-D array in [0, 1].
        alpha: Opacity of the heatmap, 0 (image only) to 1 (heatmap only).
        colormap: A Matplotlib colormap name.

    Returns:
        An RGB image the size of ``image``.

    Raises:
        ValueError: ``alpha`` outside [0, 1], unknown colormap or a map that is not 2-D.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}.")
    colored = heatmap(cam, colormap, size=image.size)
    return Image.blend(image.convert("RGB"), colored, alpha)
