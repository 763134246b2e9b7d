"""From whatever the user gives to the tensor the network sees.

Two steps: [`load_image`][resnext.inference.image.load_image] turns a file, bytes or PIL image into the RGB
picture a person expects (EXIF orientation applied, transparency over white, 16-bit and float
scaled, first frame of an animation), refusing anything that is not a sane image with an
[`ImageError`][resnext.errors.ImageError]; [`preprocess`][resnext.inference.preprocess.preprocess] then applies timm's
eval transform for the variant (resize the short side to ``image_size / crop_pct``, centre
crop, scale to [0, 1], normalise with the ImageNet mean and std).
"""

from __future__ import annotations

import concurrent.futures
import functools
import math
import os
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import torch
from PIL import Image
from torchvision.transforms import InterpolationMode
from torchvision.transforms import functional as TF

from ..catalog.variant import Variant
from ..errors import ImageError
from .image import ImageSource, load_image

__all__ = ["IMAGENET_MEAN", "IMAGENET_STD", "Transform", "preprocess"]

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# The resized image (short side 256) may not exceed this; only absurd aspect ratios reach it.
_MAX_RESIZED_PIXELS = 20_000_000



@dataclass(frozen=True)
class Transform:
    """timm's eval transform for one variant: resize, centre crop, normalise."""

    image_size: int = 224
    crop_pct: float = 0.875
    interpolation: str = "bilinear"
    resize_size: int | None = None  # overrides the size crop_pct implies (torchvision's V2 weights: 232)
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    fast: bool = False  # reduced-scale JPEG decoding and a resize of the crop's region only (approximate)

    @classmethod
    def for_variant(cls, variant: Variant, fast: bool = False) -> "Transform":
        """Build the transform a variant's metadata describes (in fast mode when ``fast``)."""
        return cls(image_size=variant.image_size, crop_pct=variant.crop_pct, interpolation=variant.interpolation,
                   resize_size=variant.resize_size, fast=fast)

    def load(self, source: ImageSource, name: str | None = None) -> Image.Image:
        """Decode an image as this transform needs it: in full, or in fast mode at reduced scale.

        Raises:
            ImageError: The input is not a usable image.
        """
        return load_image(source, name=name, draft=self.resize_to if self.fast else None)

    @property
    def resize_to(self) -> int:
        """Length of the short side before cropping: the stated resize, else timm's ``floor(size / crop_pct)``."""
        return self.resize_size or math.floor(self.image_size / self.crop_pct)

    def crop(self, img: Image.Image) -> Image.Image:
        """Return the centre crop the network sees, as an RGB image.

        Raises:
            ImageError: The image is so elongated that resizing it would need gigabytes.
        """
        w, h = img.size
        short = min(w, h)
        if math.ceil(max(w, h) * self.resize_to / short) * self.resize_to > _MAX_RESIZED_PIXELS:
            raise ImageError(f"The image is too elongated ({w}x{h}) to classify; crop it closer to the subject.")
        if self.fast:
            return self._fast_crop(img)
        banded = self._banded_crop(img)
        if banded is not None:
            return banded
        resized = TF.resize(img, self.resize_to, interpolation=InterpolationMode(self.interpolation))
        return TF.center_crop(resized, [self.image_size, self.image_size])

    def _banded_crop(self, img: Image.Image) -> Image.Image | None:
        """timm's resize and centre crop, bit for bit, resampling only the crop's rows (or columns) in bands on threads.

        Pillow resizes each output row (or column) from its own filter window, and releases the GIL
        while it does. A band computed with ``box`` has the same windows and weights as the whole
        resize when the step along the short side, ``short / resize_to``, and its multiples are exact
        in floating point (true whenever ``resize_to`` divides ``short`` by a power of two, as 256
        does); the long side keeps its whole extent, so its weights are untouched. Only reductions
        by 2 or more take this path (phone photos: 4.8 for 2 MP, 11.8 for 12 MP): near 1, Pillow's
        bands were seen to differ by one level. Otherwise, or on one CPU, this returns None and
        the plain resize runs.
        """
        w, h = img.size
        short = min(w, h)
        step = short / self.resize_to
        workers = _resize_workers()
        if workers < 2 or step < 2 or Fraction(step) != Fraction(short, self.resize_to):
            return None
        crop = self.image_size
        rw, rh = self._resized_size(w, h)
        if min(rw, rh) < crop:
            return None
        top, left = self._crop_origin(rw, rh)
        portrait = w <= h  # the short side is the width, so bands are columns
        start, offset = (left, top) if portrait else (top, left)
        resample = TF.pil_modes_mapping[InterpolationMode(self.interpolation)]
        edges = [start + crop * i // workers for i in range(workers + 1)]

        def band(lo: int, hi: int) -> Image.Image:
            if portrait:
                return img.resize((hi - lo, rh), resample, box=(lo * step, 0, hi * step, h))
            return img.resize((rw, hi - lo), resample, box=(0, lo * step, w, hi * step))

        parts = list(_resize_pool().map(band, edges[:-1], edges[1:]))
        out = Image.new(img.mode, (crop, rh) if portrait else (rw, crop))
        for lo, part in zip(edges, parts):
            out.paste(part, (lo - start, 0) if portrait else (0, lo - start))
        return out.crop((0, offset, crop, offset + crop) if portrait else (offset, 0, offset + crop, crop))

    def _fast_crop(self, img: Image.Image) -> Image.Image:
        """The same crop, resampling only the source region it comes from (with a box reduction first)."""
        w, h = img.size
        rw, rh = self._resized_size(w, h)
        top, left = self._crop_origin(rw, rh)
        sx, sy = w / rw, h / rh
        box = (left * sx, top * sy, (left + self.image_size) * sx, (top + self.image_size) * sy)
        resample = TF.pil_modes_mapping[InterpolationMode(self.interpolation)]
        return img.resize((self.image_size, self.image_size), resample, box=box, reducing_gap=2.0)

    def _resized_size(self, w: int, h: int) -> tuple[int, int]:
        """The (width, height) torchvision's ``resize(img, resize_to)`` gives, so crops cover the same pixels."""
        short, long = (w, h) if w <= h else (h, w)
        new_long = int(self.resize_to * long / short)
        return (self.resize_to, new_long) if w <= h else (new_long, self.resize_to)

    def _crop_origin(self, rw: int, rh: int) -> tuple[int, int]:
        """The (top, left) of torchvision's centre crop in an image of that size."""
        return int(round((rh - self.image_size) / 2.0)), int(round((rw - self.image_size) / 2.0))

    def to_tensor(self, crop: Image.Image | np.ndarray) -> torch.Tensor:
        """Scale a crop (an RGB image or its (H, W, 3) uint8 array) to [0, 1] and normalise it.

        Returns:
            A float32 (3, H, W) tensor.
        """
        x = torch.from_numpy(np.asarray(crop, dtype=np.uint8).copy()).permute(2, 0, 1).contiguous()
        x = x.to(torch.float32).div(255)
        mean = torch.tensor(self.mean, dtype=torch.float32).view(3, 1, 1)
        std = torch.tensor(self.std, dtype=torch.float32).view(3, 1, 1)
        return x.sub_(mean).div_(std)

    def __call__(self, img: Image.Image) -> torch.Tensor:
        """The network's input for a decoded image: crop, then
        [`to_tensor`][resnext.inference.preprocess.Transform.to_tensor]."""
        return self.to_tensor(self.crop(img))


@functools.cache
def _resize_pool() -> concurrent.futures.ThreadPoolExecutor:
    return concurrent.futures.ThreadPoolExecutor(_resize_workers(), thread_name_prefix="resnext-resize")


@functools.cache
def _resize_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def preprocess(image: ImageSource, variant: Variant | None = None) -> torch.Tensor:
    """Load an image and turn it into the network's input.

    Args:
        image: A PIL image, file bytes, a path or a binary file object.
        variant: The variant whose preprocessing to use (default: 224 px, crop 0.875, bilinear).

    Returns:
        A float32 tensor of shape (3, image_size, image_size).

    Raises:
        ImageError: The input is not a usable image.
    """
    transform = Transform.for_variant(variant) if variant else Transform()
    return transform(load_image(image))


