"""The ImageNet-C corruptions (Hendrycks & Dietterich, ICLR 2019) and its four extra ones, at
severities 1–5, applied to the crop the network sees.

The constants are those of the reference code, ``ImageNet-C/imagenet_c/imagenet_c/corruptions.py``
and ``ImageNet-C/create_c/make_imagenet_c.py`` in https://github.com/hendrycks/robustness (Apache-2.0,
commit 8190fe3), which agree with each other. The code here is our own and has no ImageMagick:
motion blur (in *motion_blur* and *snow*) follows ImageMagick's ``MotionBlurImage``, a one-sided
Gaussian of width ``2·ceil(radius)+1`` along the angle with edge pixels repeated. skimage's
``gaussian`` is SciPy's ``gaussian_filter`` (truncate 4, mode "nearest" unless the reference says
otherwise); OpenCV (headless) does what the reference does with it. Like the reference's saved
files, results are truncated to uint8; the reference's further JPEG (quality 85) of every file is
not applied, because here the network reads the array.

Frost is left out: it blends in six frost photographs whose origin the reference does not state,
so we cannot tell that their licence allows shipping them. Random corruptions draw from the
``numpy.random.Generator`` they are given, so a seed repeats them exactly.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np
from matplotlib.colors import hsv_to_rgb, rgb_to_hsv
from PIL import Image
from scipy import ndimage

SEVERITIES = (1, 2, 3, 4, 5)
Array = np.ndarray


@dataclass(frozen=True)
class Corruption:
    """One corruption: its name in ImageNet-C, how it reads, its group, and the function."""

    name: str
    label: str
    group: str  # noise, blur, weather, digital; "extra" for the four held-out ones
    apply: Callable[[Array, int, np.random.Generator], Array]


def corrupt(image: Array, name: str, severity: int, rng: np.random.Generator | int = 0) -> Array:
    """One corruption of an RGB image.

    Args:
        image: uint8 (H, W, 3), e.g. the 224×224 crop.
        name: A key of ``CORRUPTIONS``.
        severity: 1 (mild) to 5 (strong).
        rng: The generator random corruptions draw from, or a seed.

    Returns:
        uint8 (H, W, 3).

    Raises:
        ValueError: An unknown corruption or severity.
    """
    if name not in CORRUPTIONS:
        raise ValueError(f"unknown corruption {name!r}; choose from {', '.join(CORRUPTIONS)}")
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be 1 to 5, not {severity}")
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    out = CORRUPTIONS[name].apply(np.asarray(image, dtype=np.uint8), severity, rng)
    return np.uint8(np.clip(out, 0, 255))  # truncation, as the reference's saved files


# ---------------------------------------------------------------- noise

def gaussian_noise(x: Array, severity: int, rng: np.random.Generator) -> Array:
    c = [.08, .12, .18, .26, .38][severity - 1]
    x = x / 255.
    return np.clip(x + rng.normal(size=x.shape, scale=c), 0, 1) * 255


def shot_noise(x: Array, severity: int, rng: np.random.Generator) -> Array:
    c = [60, 25, 12, 5, 3][severity - 1]
    x = x / 255.
    return np.clip(rng.poisson(x * c) / c, 0, 1) * 255


def impulse_noise(x: Array, severity: int, rng: np.random.Generator) -> Array:
    # skimage's random_noise(mode="s&p", amount=c): that share of values set to 0 or 1, half each.
    c = [.03, .06, .09, .17, .27][severity - 1]
    x = x / 255.
    flipped = rng.random(x.shape) <= c
    salted = rng.random(x.shape) <= 0.5
    x[flipped & salted] = 1.0
    x[flipped & ~salted] = 0.0
    return x * 255


def speckle_noise(x: Array, severity: int, rng: np.random.Generator) -> Array:
    c = [.15, .2, .35, .45, .6][severity - 1]
    x = x / 255.
    return np.clip(x + x * rng.normal(size=x.shape, scale=c), 0, 1) * 255


# ---------------------------------------------------------------- blur

def _gaussian(x: Array, sigma: float, mode: str = "nearest", truncate: float = 4.0) -> Array:
    """skimage.filters.gaussian over the spatial axes only."""
    sigmas = (sigma, sigma) + (0,) * (x.ndim - 2)
    return ndimage.gaussian_filter(x, sigmas, mode=mode, truncate=truncate)


def gaussian_blur(x: Array, severity: int, rng: np.random.Generator) -> Array:
    c = [1, 2, 3, 4, 6][severity - 1]
    return np.clip(_gaussian(x / 255., c), 0, 1) * 255


def glass_blur(x: Array, severity: int, rng: np.random.Generator) -> Array:
    sigma, delta, iterations = [(0.7, 1, 2), (0.9, 2, 1), (1, 2, 3), (1.1, 3, 2), (1.5, 4, 2)][severity - 1]
    x = np.uint8(_gaussian(x / 255., sigma) * 255)
    h, w = x.shape[:2]
    # The reference's "swap", x[h, w], x[h', w'] = x[h', w'], x[h, w], runs on NumPy views: it copies
    # the neighbour into (h, w) and leaves the neighbour as it was, so pixels are duplicated, not
    # permuted, and ImageNet-C was made so. Same order (bottom-right first, each copy seeing the
    # earlier ones); pixels packed into one int each keep this loop in plain Python.
    packed = (x[..., 0].astype(np.int64) << 16 | x[..., 1].astype(np.int64) << 8 | x[..., 2]).ravel().tolist()
    for _ in range(iterations):
        rows = range(h - delta, delta, -1)
        cols = range(w - delta, delta, -1)
        offsets = rng.integers(-delta, delta, size=(len(rows), len(cols), 2)).tolist()
        for i, r in enumerate(rows):
            for j, col in enumerate(cols):
                dx, dy = offsets[i][j]
                packed[r * w + col] = packed[(r + dy) * w + col + dx]
    flat = np.array(packed, dtype=np.int64).reshape(h, w)
    x = np.stack([(flat >> 16) & 255, (flat >> 8) & 255, flat & 255], axis=-1).astype(np.uint8)
    return np.clip(_gaussian(x / 255., sigma), 0, 1) * 255


def _disk(radius: float, alias_blur: float) -> Array:
    if radius <= 8:
        span, ksize = np.arange(-8, 8 + 1), (3, 3)
    else:
        span, ksize = np.arange(-radius, radius + 1), (5, 5)
    xx, yy = np.meshgrid(span, span)
    disk = np.array(xx ** 2 + yy ** 2 <= radius ** 2, dtype=np.float32)
    disk /= disk.sum()
    return cv2.GaussianBlur(disk, ksize=ksize, sigmaX=alias_blur)


def defocus_blur(x: Array, severity: int, rng: np.random.Generator) -> Array:
    radius, alias_blur = [(3, 0.1), (4, 0.5), (6, 0.5), (8, 0.5), (10, 0.5)][severity - 1]
    kernel = _disk(radius, alias_blur)
    x = x / 255.
    channels = np.stack([cv2.filter2D(x[..., d], -1, kernel) for d in range(3)], axis=-1)
    return np.clip(channels, 0, 1) * 255


def _motion(x: Array, radius: float, sigma: float, angle: float) -> Array:
    """ImageMagick's motion blur: a one-sided Gaussian along ``angle`` (degrees), edges repeated."""
    width = int(2 * math.ceil(radius) + 1)
    weights = np.exp(-np.arange(width) ** 2 / (2 * sigma ** 2))
    weights /= weights.sum()
    px, py = width * math.sin(math.radians(angle)), width * math.cos(math.radians(angle))
    hyp = math.hypot(px, py)
    h, w = x.shape[:2]
    rows, cols = np.arange(h), np.arange(w)
    out = np.zeros(x.shape, dtype=np.float64)
    for i, weight in enumerate(weights):
        dx, dy = math.ceil(i * py / hyp - 0.5), math.ceil(i * px / hyp - 0.5)
        out += weight * x[np.clip(rows + dy, 0, h - 1)][:, np.clip(cols + dx, 0, w - 1)]
    return out


def motion_blur(x: Array, severity: int, rng: np.random.Generator) -> Array:
    radius, sigma = [(10, 3), (15, 5), (15, 8), (15, 12), (20, 15)][severity - 1]
    # The reference reads ImageMagick's result back as 8-bit.
    return np.round(_motion(x.astype(np.float64), radius, sigma, rng.uniform(-45, 45)))


def _clipped_zoom(x: Array, zoom: float) -> Array:
    h, w = x.shape[:2]
    ch, cw = int(np.ceil(h / zoom)), int(np.ceil(w / zoom))
    top, left = (h - ch) // 2, (w - cw) // 2
    zoomed = ndimage.zoom(x[top:top + ch, left:left + cw], (zoom, zoom) + (1,) * (x.ndim - 2), order=1)
    trim_top, trim_left = (zoomed.shape[0] - h) // 2, (zoomed.shape[1] - w) // 2
    return zoomed[trim_top:trim_top + h, trim_left:trim_left + w]


def zoom_blur(x: Array, severity: int, rng: np.random.Generator) -> Array:
    zooms = [np.arange(1, 1.11, 0.01), np.arange(1, 1.16, 0.01), np.arange(1, 1.21, 0.02),
             np.arange(1, 1.26, 0.02), np.arange(1, 1.31, 0.03)][severity - 1]
    x = (x / 255.).astype(np.float32)
    out = np.zeros_like(x)
    for zoom in zooms:
        out += _clipped_zoom(x, zoom)
    return np.clip((x + out) / (len(zooms) + 1), 0, 1) * 255


# ---------------------------------------------------------------- weather

def _plasma(size: int, decay: float, rng: np.random.Generator) -> Array:
    """A diamond-square height map in [0, 1], ``size`` a power of two (the reference's fog)."""
    grid = np.zeros((size, size))
    step, wibble = size, 100.0

    def noisy_mean(total: Array) -> Array:
        return total / 4 + wibble * rng.uniform(-wibble, wibble, total.shape)

    while step >= 2:
        half = step // 2
        corners = grid[0:size:step, 0:size:step]
        square = corners + np.roll(corners, -1, axis=0)
        square += np.roll(square, -1, axis=1)
        grid[half:size:step, half:size:step] = noisy_mean(square)
        centres = grid[half:size:step, half:size:step]
        corners = grid[0:size:step, 0:size:step]
        across = centres + np.roll(centres, 1, axis=0) + corners + np.roll(corners, -1, axis=1)
        grid[0:size:step, half:size:step] = noisy_mean(across)
        down = centres + np.roll(centres, 1, axis=1) + corners + np.roll(corners, -1, axis=0)
        grid[half:size:step, 0:size:step] = noisy_mean(down)
        step //= 2
        wibble /= decay
    grid -= grid.min()
    return grid / grid.max()


def fog(x: Array, severity: int, rng: np.random.Generator) -> Array:
    strength, decay = [(1.5, 2), (2., 2), (2.5, 1.7), (2.5, 1.5), (3., 1.4)][severity - 1]
    x = x / 255.
    h, w = x.shape[:2]
    size = max(256, 1 << (max(h, w) - 1).bit_length())
    top = x.max()
    x += strength * _plasma(size, decay, rng)[:h, :w, None]
    return np.clip(x * top / (top + strength), 0, 1) * 255


def snow(x: Array, severity: int, rng: np.random.Generator) -> Array:
    loc, scale, zoom, threshold, radius, sigma, blend = [
        (0.1, 0.3, 3, 0.5, 10, 4, 0.8), (0.2, 0.3, 2, 0.5, 12, 4, 0.7), (0.55, 0.3, 4, 0.9, 12, 8, 0.7),
        (0.55, 0.3, 4.5, 0.85, 12, 8, 0.65), (0.55, 0.3, 2.5, 0.85, 12, 12, 0.55)][severity - 1]
    x = x.astype(np.float32) / 255.
    layer = rng.normal(size=x.shape[:2], loc=loc, scale=scale)
    layer = _clipped_zoom(layer[..., None], zoom)[..., 0]
    layer[layer < threshold] = 0
    layer = (np.clip(layer, 0, 1) * 255).astype(np.uint8)  # through an 8-bit PNG, as the reference
    layer = np.round(_motion(layer.astype(np.float64), radius, sigma, rng.uniform(-135, -45))) / 255.
    layer = layer[..., None]
    grey = cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)[..., None]
    x = blend * x + (1 - blend) * np.maximum(x, grey * 1.5 + 0.5)
    return np.clip(x + layer + np.rot90(layer, k=2), 0, 1) * 255


def brightness(x: Array, severity: int, rng: np.random.Generator) -> Array:
    c = [.1, .2, .3, .4, .5][severity - 1]
    hsv = rgb_to_hsv(x / 255.)
    hsv[..., 2] = np.clip(hsv[..., 2] + c, 0, 1)
    return np.clip(hsv_to_rgb(hsv), 0, 1) * 255


def spatter(x: Array, severity: int, rng: np.random.Generator) -> Array:
    loc, scale, sigma, threshold, intensity, mud = [
        (0.65, 0.3, 4, 0.69, 0.6, 0), (0.65, 0.3, 3, 0.68, 0.6, 0), (0.65, 0.3, 2, 0.68, 0.5, 0),
        (0.65, 0.3, 1, 0.65, 1.5, 1), (0.67, 0.4, 1, 0.65, 1.5, 1)][severity - 1]
    x = x.astype(np.float32) / 255.
    liquid = _gaussian(rng.normal(size=x.shape[:2], loc=loc, scale=scale), sigma)
    liquid[liquid < threshold] = 0
    if not mud:  # water drops, pale turquoise, with lit edges
        liquid = (liquid * 255).astype(np.uint8)
        dist = 255 - cv2.Canny(liquid, 50, 150)
        dist = cv2.distanceTransform(dist, cv2.DIST_L2, 5)
        _, dist = cv2.threshold(dist, 20, 20, cv2.THRESH_TRUNC)
        dist = cv2.equalizeHist(cv2.blur(dist, (3, 3)).astype(np.uint8))
        dist = cv2.filter2D(dist, cv2.CV_8U, np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]))
        dist = cv2.blur(dist, (3, 3)).astype(np.float32)
        m = liquid * dist
        m = m / m.max() * intensity if m.max() > 0 else m
        color = np.array([175, 238, 238], dtype=np.float32) / 255.
        return np.clip(x + m[..., None] * color, 0, 1) * 255
    m = _gaussian(np.where(liquid > threshold, 1, 0).astype(np.float32), intensity)
    m[m < 0.8] = 0
    color = np.array([63, 42, 20], dtype=np.float32) / 255. * m[..., None]  # mud brown
    return np.clip(x * (1 - m[..., None]) + color, 0, 1) * 255


# ---------------------------------------------------------------- digital

def contrast(x: Array, severity: int, rng: np.random.Generator) -> Array:
    c = [.4, .3, .2, .1, .05][severity - 1]
    x = x / 255.
    means = x.mean(axis=(0, 1), keepdims=True)
    return np.clip((x - means) * c + means, 0, 1) * 255


def saturate(x: Array, severity: int, rng: np.random.Generator) -> Array:
    factor, shift = [(0.3, 0), (0.1, 0), (2, 0), (5, 0.1), (20, 0.2)][severity - 1]
    hsv = rgb_to_hsv(x / 255.)
    hsv[..., 1] = np.clip(hsv[..., 1] * factor + shift, 0, 1)
    return np.clip(hsv_to_rgb(hsv), 0, 1) * 255


def jpeg_compression(x: Array, severity: int, rng: np.random.Generator) -> Array:
    quality = [25, 18, 15, 10, 7][severity - 1]
    buffer = io.BytesIO()
    Image.fromarray(x).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGB"))


def pixelate(x: Array, severity: int, rng: np.random.Generator) -> Array:
    c = [0.6, 0.5, 0.4, 0.3, 0.25][severity - 1]
    h, w = x.shape[:2]
    small = Image.fromarray(x).resize((int(w * c), int(h * c)), Image.BOX)
    return np.asarray(small.resize((w, h), Image.BOX))


def elastic_transform(x: Array, severity: int, rng: np.random.Generator) -> Array:
    # 244 where 224 was meant: the reference's own comment says so, and that nothing is wrong.
    alpha, sigma, affine = [(244 * 2, 244 * 0.7, 244 * 0.1), (244 * 2, 244 * 0.08, 244 * 0.2),
                            (244 * 0.05, 244 * 0.01, 244 * 0.02), (244 * 0.07, 244 * 0.01, 244 * 0.02),
                            (244 * 0.12, 244 * 0.01, 244 * 0.02)][severity - 1]
    image = x.astype(np.float32) / 255.
    shape = image.shape
    centre = np.float32(shape[:2]) // 2
    size = min(shape[:2]) // 3
    pts1 = np.float32([centre + size, [centre[0] + size, centre[1] - size], centre - size])
    pts2 = pts1 + rng.uniform(-affine, affine, size=pts1.shape).astype(np.float32)
    image = cv2.warpAffine(image, cv2.getAffineTransform(pts1, pts2), shape[:2][::-1],
                           borderMode=cv2.BORDER_REFLECT_101)
    dx = (_gaussian(rng.uniform(-1, 1, size=shape[:2]), sigma, mode="reflect", truncate=3) * alpha)
    dy = (_gaussian(rng.uniform(-1, 1, size=shape[:2]), sigma, mode="reflect", truncate=3) * alpha)
    dx, dy = dx.astype(np.float32)[..., None], dy.astype(np.float32)[..., None]
    xs, ys, zs = np.meshgrid(np.arange(shape[1]), np.arange(shape[0]), np.arange(shape[2]))
    coords = (np.reshape(ys + dy, (-1, 1)), np.reshape(xs + dx, (-1, 1)), np.reshape(zs, (-1, 1)))
    return np.clip(ndimage.map_coordinates(image, coords, order=1, mode="reflect").reshape(shape), 0, 1) * 255


_TABLE = (
    ("gaussian_noise", "Gaussian noise", "noise", gaussian_noise),
    ("shot_noise", "Shot noise", "noise", shot_noise),
    ("impulse_noise", "Impulse noise", "noise", impulse_noise),
    ("defocus_blur", "Defocus blur", "blur", defocus_blur),
    ("glass_blur", "Glass blur", "blur", glass_blur),
    ("motion_blur", "Motion blur", "blur", motion_blur),
    ("zoom_blur", "Zoom blur", "blur", zoom_blur),
    ("snow", "Snow", "weather", snow),
    ("fog", "Fog", "weather", fog),
    ("brightness", "Brightness", "weather", brightness),
    ("contrast", "Contrast", "digital", contrast),
    ("elastic_transform", "Elastic", "digital", elastic_transform),
    ("pixelate", "Pixelate", "digital", pixelate),
    ("jpeg_compression", "JPEG", "digital", jpeg_compression),
    ("speckle_noise", "Speckle noise", "extra", speckle_noise),
    ("gaussian_blur", "Gaussian blur", "extra", gaussian_blur),
    ("spatter", "Spatter", "extra", spatter),
    ("saturate", "Saturate", "extra", saturate),
)
# Every corruption we apply, in ImageNet-C's order (frost left out, see the module's docstring).
CORRUPTIONS: dict[str, Corruption] = {name: Corruption(name, label, group, fn) for name, label, group, fn in _TABLE}
# ImageNet-C's fifteen that mCE averages over, less frost.
BENCHMARK = tuple(name for name, c in CORRUPTIONS.items() if c.group != "extra")
