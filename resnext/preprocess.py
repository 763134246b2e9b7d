"""From whatever the user gives to the tensor the network sees.

Two steps: :func:`load_image` turns a file, bytes or PIL image into the RGB picture a
person expects (EXIF orientation applied, transparency over white, 16-bit and float
scaled, first frame of an animation), refusing anything that is not a sane image with an
:class:`~resnext.errors.ImageError`; :func:`preprocess` then applies timm's eval
transform for the variant (resize the short side to ``image_size / crop_pct``, centre
crop, scale to [0, 1], normalise with the ImageNet mean and std).
"""

from __future__ import annotations

import io
import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Union

import numpy as np
import torch
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError
from torchvision.transforms import InterpolationMode
from torchvision.transforms import functional as TF

from .catalog import Variant
from .errors import ImageError

__all__ = [
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "ImageSource",
    "Transform",
    "load_image",
    "preprocess",
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
_MAX_ASPECT = 300
_SUPPORTED = "JPEG, PNG, WebP, BMP, GIF or TIFF"

ImageSource = Union[Image.Image, bytes, str, os.PathLike, BinaryIO]
ImageFile.LOAD_TRUNCATED_IMAGES = False  # a cut-off file is an error, not a grey half-image


def max_pixels() -> int:
    """Return the largest pixel count accepted (``RESNEXT_MAX_PIXELS``, default 50 MP)."""
    try:
        return int(os.environ.get(MAX_PIXELS_ENV, DEFAULT_MAX_PIXELS))
    except ValueError:
        return DEFAULT_MAX_PIXELS


def load_image(source: ImageSource, limit: int | None = None, name: str | None = None) -> Image.Image:
    """Open an image and return it as the RGB picture a person sees.

    Args:
        source: A PIL image, the bytes of a file, a path, or a binary file object.
        limit: Largest accepted width x height (default: :func:`max_pixels`), checked
            before any pixel is decoded, so a decompression bomb costs nothing.
        name: How to call the file in an error message (default: its file name, or "The file").

    Returns:
        A loaded RGB image.

    Raises:
        ImageError: Not an image, an unsupported or damaged file, or too many pixels.
    """
    if isinstance(source, Image.Image):
        return to_rgb(source)
    limit = max_pixels() if limit is None else limit
    if name is None:
        name = Path(source).name if isinstance(source, (str, os.PathLike)) else "The file"
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as img:
                _check_size(img, limit, name)
                return to_rgb(img)
    except ImageError:
        raise
    except FileNotFoundError:
        raise ImageError(f"There is no file {name!r}; check the path.") from None
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

    EXIF orientation is applied (a corrupt EXIF block is ignored), an animation gives
    its first frame, transparency is composited over white, 16-bit and 32-bit integer
    images are scaled to 8 bits and float images are read as [0, 1] (or min-max scaled
    when their values fall outside it).

    Args:
        img: Any PIL image.

    Returns:
        A new, loaded RGB image.

    Raises:
        ImageError: The pixels cannot be decoded or the mode cannot be converted.
    """
    if getattr(img, "n_frames", 1) > 1:
        img.seek(0)
    img.load()
    try:
        img = ImageOps.exif_transpose(img)
    except Exception:  # noqa: BLE001 - a broken EXIF block must not cost the user the image
        pass
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

    @classmethod
    def for_variant(cls, variant: Variant) -> "Transform":
        """Build the transform a variant's metadata describes."""
        return cls(image_size=variant.image_size, crop_pct=variant.crop_pct, interpolation=variant.interpolation,
                   resize_size=variant.resize_size)

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
        mode = InterpolationMode(self.interpolation)
        resized = TF.resize(img, self.resize_to, interpolation=mode)
        return TF.center_crop(resized, [self.image_size, self.image_size])

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
        return self.to_tensor(self.crop(img))


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
    if max(w, h) > _MAX_ASPECT * min(w, h):
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
