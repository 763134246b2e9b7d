"""Photo-like JPEGs with new content every call, at the sizes phones make: what benchmarks feed."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

__all__ = ["SIZES", "photo"]

SIZES = {2: (1632, 1224), 12: (4032, 3024)}  # megapixels -> a phone's 4:3 frame


def photo(size: tuple[int, int], rng: np.random.Generator, quality: int = 90) -> bytes:
    """A photo-like JPEG: smooth random shapes with sensor noise (so it compresses like a photo).

    Args:
        size: (width, height).
        rng: The random generator; seed it from the clock for content no cache has seen.
        quality: JPEG quality.

    Returns:
        The file's bytes.
    """
    w, h = size
    coarse = rng.integers(0, 256, (h // 48 + 2, w // 48 + 2, 3), dtype=np.uint8)
    smooth = np.asarray(Image.fromarray(coarse).resize((w, h), Image.BICUBIC), dtype=np.int16)
    noisy = np.clip(smooth + rng.normal(0, 6, (h, w, 3)).astype(np.int16), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(noisy).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()
