"""From whatever the user gives to the tensor the network sees.

Two steps: :func:`load_image` turns a file, bytes or PIL image into the RGB picture a
person expects (EXIF orientation applied, transparency over white, 16-bit and float
scaled, first frame of an animation), refusing anything that is not a sane image with an
:class:`~resnext.errors.ImageError`; :func:`preprocess` then applies timm's eval
transform for the variant (resize the short side to ``image_size / crop_pct``, centre
crop, scale to [0, 1], normalise with the ImageNet mean and std).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import io
import logging
import math
import os
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO, Iterator, Union

import numpy as np
import torch
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError
from torchvision.transforms import InterpolationMode
from torchvision.transforms import functional as TF

from .catalog import Variant
from .errors import ImageError

log = logging.getLogger(__name__)
ORIENTATION_UNKNOWN = "resnext_orientation_unknown"  # an image's info key: why its EXIF orientation failed

__all__ = [
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "ImageSource",
    "Transform",
    "load_image",
    "orientation_note",
    "preprocess",
    "probe_image",
    "to_rgb",
]

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
MAX_PIXELS_ENV = "RESNEXT_MAX_PIXELS"
DEFAULT_MAX_PIXELS = 50_000_000
# The resized image (short side 256) may not exceed this; only absurd aspect ratios reach it.
_MAX_RESIZED_PIXELS = 20_000_000
# Longest side / shortest side accepted when an image is opened: 300:1 keeps the short-side-256
# resize under _MAX_RESIZED_PIXELS; a long panorama is 10:1.
MAX_ASPECT = 300
_SUPPORTED = "JPEG, PNG, WebP, BMP, GIF or TIFF"

ImageSource = Union[Image.Image, bytes, str, os.PathLike, BinaryIO]
ImageFile.LOAD_TRUNCATED_IMAGES = False  # a cut-off file is an error, not a grey half-image


def max_pixels() -> int:
    """Return the largest pixel count accepted (``RESNEXT_MAX_PIXELS``, default 50 MP)."""
    try:
        return int(os.environ.get(MAX_PIXELS_ENV, DEFAULT_MAX_PIXELS))
    except ValueError:
        return DEFAULT_MAX_PIXELS


def load_image(source: ImageSource, limit: int | None = None, name: str | None = None,
               draft: int | None = None) -> Image.Image:
    """Open an image and return it as the RGB picture a person sees.

    Args:
        source: A PIL image, the bytes of a file, a path, or a binary file object.
        limit: Largest accepted width x height (default: :func:`max_pixels`), checked
            before any pixel is decoded, so a decompression bomb costs nothing.
        name: How to call the file in an error message (default: its file name, or "The file").
        draft: Decode a JPEG at the smallest of its DCT scales (1/2, 1/4, 1/8) whose short side
            is still at least this many pixels: a 12 MP photo in a quarter of the time, at the
            cost of exactness (fast mode). Other formats decode in full.

    Returns:
        A loaded RGB image. When its EXIF orientation could not be applied, a warning is logged and
        :func:`orientation_note` says so.

    Raises:
        ImageError: Not an image, an unsupported or damaged file, or too many pixels.
    """
    if isinstance(source, Image.Image):
        rgb = to_rgb(source)
    else:
        with _opened(source, limit, name) as img:
            if draft is not None and img.format == "JPEG":
                w, h = img.size
                short = min(w, h)
                if short > draft:
                    img.draft(None, (math.ceil(w * draft / short), math.ceil(h * draft / short)))
            rgb = to_rgb(img)
    note = orientation_note(rgb, name or _name_of(source))
    if note is not None:
        log.warning("%s", note)
    return rgb


def probe_image(source: ImageSource, limit: int | None = None, name: str | None = None) -> tuple[int, int]:
    """Check that a file is an image this library accepts, reading its header only (no pixels).

    Args:
        source: The bytes of a file, a path, or a binary file object.
        limit: As for :func:`load_image`.
        name: As for :func:`load_image`.

    Returns:
        The image's (width, height).

    Raises:
        ImageError: Not an image, an unsupported file, or too many pixels. A file damaged past its
            header passes and fails later, in :func:`load_image`.
    """
    with _opened(source, limit, name) as img:
        return img.size


def _name_of(source: ImageSource) -> str:
    """How messages call a source given without a name: a path's file name, else "The file"."""
    return Path(source).name if isinstance(source, (str, os.PathLike)) else "The file"


@contextlib.contextmanager
def _opened(source: ImageSource, limit: int | None, name: str | None) -> Iterator[Image.Image]:
    """Open an image with its size checked; any failure inside the block becomes one ImageError."""
    limit = max_pixels() if limit is None else limit
    if name is None:
        name = _name_of(source)
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as img:
                _check_size(img, limit, name)
                yield img
    except ImageError:
        raise
    except (FileNotFoundError, IsADirectoryError):
        raise ImageError(f"There is no file {name!r}; check the path.") from None
    except PermissionError:
        raise ImageError(f"{name} cannot be read (permission denied); check its permissions.") from None
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        if isinstance(exc, UnidentifiedImageError):
            raise ImageError(f"{name} is not an image that can be read; use a {_SUPPORTED} file.") from None
        raise ImageError(f"{name} declares too many pixels to decode safely; use a smaller image.") from None
    except Exception as exc:  # noqa: BLE001 - Pillow's parsers fail in many ways on malformed bytes
        raise ImageError(
            f"{name} is damaged or truncated and cannot be decoded ({_reason(exc)}); try another copy of the image."
        ) from None


def to_rgb(img: Image.Image) -> Image.Image:
    """Convert a PIL image to RGB as a viewer would show it.

    EXIF orientation is applied (a corrupt EXIF block is noted, not fatal), an animation gives
    its first frame, transparency is composited over white, 16-bit and 32-bit integer
    images are scaled to 8 bits and float images are read as [0, 1] (or min-max scaled
    when their values fall outside it).

    Args:
        img: Any PIL image.

    Returns:
        A new, loaded RGB image; if its EXIF orientation could not be applied, its ``info`` says so
        (:func:`orientation_note`).

    Raises:
        ImageError: The pixels cannot be decoded or the mode cannot be converted.
    """
    if getattr(img, "n_frames", 1) > 1:
        img.seek(0)
    img.load()
    unknown = None
    try:
        img = ImageOps.exif_transpose(img)
    except Exception as exc:  # noqa: BLE001 - a broken EXIF block must not cost the user the image
        unknown = _reason(exc)
    rgb = _rgb(img)
    if unknown is not None:
        rgb.info[ORIENTATION_UNKNOWN] = unknown  # said by orientation_note, wherever the image is shown
    return rgb


def orientation_note(img: Image.Image, name: str) -> str | None:
    """One sentence when the image's EXIF orientation could not be applied (see :func:`to_rgb`), else None."""
    reason = img.info.get(ORIENTATION_UNKNOWN)
    if reason is None:
        return None
    return (f"{name}: its EXIF orientation could not be read ({reason}), so it is used as stored, possibly "
            "rotated; rotate the file itself if the picture lies on its side.")


def _rgb(img: Image.Image) -> Image.Image:
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        img = _scale_to_l(img)
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if img.mode != "RGB":
        try:
            img = img.convert("RGB")
        except (ValueError, OSError) as exc:
            raise ImageError(f"Images in colour mode {img.mode} are not supported ({exc}); save it as RGB.") from None
    return img


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
        """The network's input for a decoded image: crop, then :meth:`to_tensor`."""
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


def _check_size(img: Image.Image, limit: int, name: str) -> None:
    w, h = img.size
    what = "The image" if name == "The file" else name
    if w < 1 or h < 1:
        raise ImageError(f"{what} has no pixels ({w}x{h}); use another image.")
    if w * h > limit:
        raise ImageError(
            f"{what} is {w}x{h} pixels, more than the limit of {limit / 1e6:.0f} megapixels; use a smaller image."
        )
    if max(w, h) > MAX_ASPECT * min(w, h):
        raise ImageError(f"{what} is too elongated ({w}x{h}) to classify; crop it closer to the subject.")


def _scale_to_l(img: Image.Image) -> Image.Image:
    arr = np.asarray(img, dtype=np.float64)
    if img.mode == "F":
        finite = arr[np.isfinite(arr)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if lo >= 0.0 and hi <= 1.0:
            lo, hi = 0.0, 1.0
        arr = np.nan_to_num(arr, nan=lo, posinf=hi, neginf=lo)
    else:
        lo, hi = 0.0, 65535.0 if arr.max(initial=0) > 255 else 255.0
        if arr.max(initial=0) > 65535:
            lo, hi = float(arr.min()), float(arr.max())
    scaled = (arr - lo) / max(hi - lo, 1e-12) * 255.0
    return Image.fromarray(np.clip(np.rint(scaled), 0, 255).astype(np.uint8), mode="L")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().rstrip(".")
    return text[:120] if text else type(exc).__name__
