"""A photo decoded once, and each preprocessing's crop of it, for every page and session."""

from __future__ import annotations

import numpy as np
from PIL import Image

import resnext
from resnext.inference.preprocess import Transform

from . import timing
from .store import remembered


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
