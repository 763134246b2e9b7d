"""From whatever the user gives to the RGB picture a person expects.

[`load_image`][resnext.inference.image.load_image] turns a file, bytes or PIL image into RGB (EXIF orientation applied,
transparency over white, 16-bit and float scaled, first frame of an animation), refusing anything that is not a
sane image (too many pixels, too elongated, not an image, cut short) with one
[`ImageError`][resnext.errors.ImageError] sentence.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import warnings
from pathlib import Path
from typing import BinaryIO, Iterator, Union

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from .. import environment
from ..errors import ImageError

__all__ = ["DEFAULT_MAX_PIXELS", "MAX_ASPECT", "ORIENTATION_UNKNOWN", "ImageSource", "load_image", "max_pixels",
           "orientation_note", "probe_image", "to_rgb"]

log = logging.getLogger(__name__)
ORIENTATION_UNKNOWN = "resnext_orientation_unknown"  # an image's info key: why its EXIF orientation failed
MAX_PIXELS_ENV = environment.MAX_PIXELS.name
DEFAULT_MAX_PIXELS = 50_000_000
# Longest side / shortest side accepted when an image is opened: 300:1 keeps the short-side-256
# resize under preprocess's bound on the resized pixels; a long panorama is 10:1.
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
        limit: Largest accepted width x height (default: ``max_pixels``), checked
            before any pixel is decoded, so a decompression bomb costs nothing.
        name: How to call the file in an error message (default: its file name, or "The file").
        draft: Decode a JPEG at the smallest of its DCT scales (1/2, 1/4, 1/8) whose short side
            is still at least this many pixels: a 12 MP photo in a quarter of the time, at the
            cost of exactness (fast mode). Other formats decode in full.

    Returns:
        A loaded RGB image. When its EXIF orientation could not be applied, a warning is logged and
        ``orientation_note`` says so.

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
        limit: As for [`load_image`][resnext.inference.image.load_image].
        name: As for [`load_image`][resnext.inference.image.load_image].

    Returns:
        The image's (width, height).

    Raises:
        ImageError: Not an image, an unsupported file, or too many pixels. A file damaged past its
            header passes and fails later, in [`load_image`][resnext.inference.image.load_image].
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
        (``orientation_note``).

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
    """One sentence when the image's EXIF orientation could not be applied (see
    [`to_rgb`][resnext.inference.image.to_rgb]), else None."""
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
