"""Faithfulness: does a saliency map show what the model used? Deletion and insertion curves say.

(The module is not called ``faithfulness`` so that ``resnext.faithfulness`` stays the function.)

Deletion removes the pixels a map ranks highest first (replacing them with the dataset's mean
colour) and follows the class's probability: if the map is faithful it falls fast, so a *lower*
area under the curve is better. Insertion starts from a blurred copy and puts the original
pixels back in the same order: a faithful map makes the probability rise fast, so a *higher*
area is better. Both are measured in ``steps`` equal slices, in small batches through the
classifier's engine.

A score means little alone, so the same curves are measured for a random map with the same
smoothness: a phase-randomised copy of the map itself (the same power spectrum, hence the same
blob sizes, with the blobs in random places). A map is informative when it beats that baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np
import torch
from torchvision.transforms.functional import gaussian_blur

from ..errors import ResNeXtError

if TYPE_CHECKING:
    from ..inference.classifier import Classifier
    from ..inference.image import ImageSource

__all__ = ["Faithfulness", "faithfulness", "phase_randomized"]

# The insertion start: detail gone, colours and layout kept (sigma = 1/22 of the crop, ~10 px).
BLUR_FRACTION = 1 / 22
# Images per forward pass: about 0.2 s for ResNeXt-50 on two cores.
CHUNK = 8


@dataclass(frozen=True)
class Faithfulness:
    """Deletion and insertion areas of a map, beside those of a random map like it.

    Each area is the mean class probability over the curve's ``steps + 1`` points (trapezoidal,
    fraction of pixels on the x axis): 0 to 1.

    Attributes:
        deletion: The area under the class's probability as the pixels the map ranks highest are
            replaced by the mean colour first, 0 to 1; lower is better.
        insertion: The area as they are put back first into a blurred image, 0 to 1; higher is better.
        random_deletion: The deletion area of a random map with the same smoothness, 0 to 1.
        random_insertion: Its insertion area, 0 to 1.
        class_index: The class whose probability the curves follow.
        fractions: The share of pixels removed (or inserted) at each point of the curves, 0 to 1.
        deletion_curve: The class's probability at each of those points, 0 to 1.
        insertion_curve: The same while inserting.
    """

    deletion: float
    insertion: float
    random_deletion: float
    random_insertion: float
    class_index: int
    fractions: tuple[float, ...]
    deletion_curve: tuple[float, ...]
    insertion_curve: tuple[float, ...]

    @property
    def deletion_ratio(self) -> float:
        """Deletion area over the random map's: below 1 is better than chance, and comparable between
        models whose confidence in the class differs."""
        return self.deletion / self.random_deletion if self.random_deletion > 0 else float("nan")

    @property
    def insertion_ratio(self) -> float:
        """Insertion area over the random map's: above 1 is better than chance."""
        return self.insertion / self.random_insertion if self.random_insertion > 0 else float("nan")

    @property
    def beats_random(self) -> bool:
        """Whether the map is more faithful than its random baseline on both curves."""
        return self.deletion < self.random_deletion and self.insertion > self.random_insertion


def faithfulness(
    clf: Classifier,
    image: ImageSource | torch.Tensor,
    saliency: np.ndarray,
    class_index: int | None = None,
    steps: int = 16,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
) -> Faithfulness:
    """Deletion and insertion AUC of a saliency map, with a random map of the same smoothness.

    Args:
        clf: The classifier whose probability is followed.
        image: A PIL image, file bytes, path or binary file, or a preprocessed (3, H, W) tensor.
        saliency: A map over the crop, (H, W); higher means more important. Any scale.
        class_index: The class to follow; the top-1 class when None.
        steps: Slices of pixels removed or inserted per point of the curves.
        seed: Seeds the random baseline map.
        progress: Called with the fraction done before each batch; raising from it cancels.

    Returns:
        The areas and curves.

    Raises:
        ImageError: The input is not a usable image.
        ResNeXtError: A map whose shape is not the crop's, fewer than 2 steps, or a class out of range.
    """
    x = clf.batch(image)[:1].float()
    size = tuple(x.shape[-2:])
    if saliency.shape != size:
        raise ResNeXtError(f"The map is {saliency.shape[1]}x{saliency.shape[0]} but the crop is {size[1]}x{size[0]}; "
                           "explain the same crop.")
    if steps < 2:
        raise ResNeXtError(f"Faithfulness needs at least 2 steps; got {steps}.")
    clf.check_class(class_index)
    blurred = _blur(x)
    random_map = phase_randomized(saliency, np.random.default_rng(seed))
    masks = torch.cat([_masks(saliency, steps), _masks(random_map, steps)])
    # Row order: deletion (map), deletion (random), then insertion in the same order.
    batch = torch.cat([x * (1 - masks), blurred * (1 - masks) + x * masks])
    probabilities = []
    with torch.inference_mode(), clf._lock:
        if class_index is None:
            class_index = int(clf._head(clf.engine(x))[0].argmax())
        # Small batches bound the memory and give frequent points to cancel at.
        for start in range(0, len(batch), CHUNK):
            if progress is not None:
                progress(start / len(batch))
            logits = clf._head(clf.engine(batch[start:start + CHUNK]))
            probabilities.append(torch.softmax(logits, dim=1)[:, class_index])
    n = steps + 1
    curves = torch.cat(probabilities).reshape(4, n).double().numpy()
    fractions = np.linspace(0.0, 1.0, n)
    areas = [float(np.trapezoid(curve, fractions)) for curve in curves]
    return Faithfulness(
        deletion=areas[0], insertion=areas[2], random_deletion=areas[1], random_insertion=areas[3],
        class_index=class_index, fractions=tuple(fractions.tolist()),
        deletion_curve=tuple(curves[0].tolist()), insertion_curve=tuple(curves[2].tolist()),
    )


def _masks(saliency: np.ndarray, steps: int) -> torch.Tensor:
    """(steps + 1, 1, H, W) masks holding the top 0, 1/steps, ..., all of the pixels by saliency."""
    h, w = saliency.shape
    # Stable order: among equal values (a clipped map's zeros) the first pixel comes first.
    order = np.argsort(-saliency.ravel(), kind="stable")
    rank = np.empty(h * w, dtype=np.int64)
    rank[order] = np.arange(h * w)
    counts = np.round(np.linspace(0, h * w, steps + 1)).astype(np.int64)
    masks = rank[None, :] < counts[:, None]
    return torch.from_numpy(masks.reshape(steps + 1, 1, h, w).astype(np.float32))


def _blur(x: torch.Tensor) -> torch.Tensor:
    sigma = max(x.shape[-1] * BLUR_FRACTION, 1.0)
    kernel = int(2 * round(3 * sigma) + 1)
    return gaussian_blur(x, [kernel, kernel], [sigma, sigma])


def phase_randomized(saliency: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random map with the same power spectrum (so the same smoothness) as ``saliency``.

    Args:
        saliency: A 2-D map.
        rng: The random generator.

    Returns:
        A float32 map of the same shape: the inverse Fourier transform of the map's amplitudes with
        random phases (the mean kept), rescaled to the map's range.
    """
    values = saliency.astype(np.float64)
    h, w = values.shape
    # Mirrored, the map is periodic without a jump at its edges, which would otherwise count as
    # fine detail and make the surrogate rougher than the map.
    mirrored = np.pad(values, ((0, h), (0, w)), mode="symmetric")
    spectrum = np.fft.rfft2(mirrored)
    phases = np.exp(2j * np.pi * rng.random(spectrum.shape))
    phases[0, 0] = 1.0  # keep the mean
    surrogate = np.fft.irfft2(np.abs(spectrum) * phases, s=mirrored.shape)[:h, :w]
    lo, hi = surrogate.min(), surrogate.max()
    if hi - lo <= 0:
        return np.zeros_like(saliency, dtype=np.float32)
    return ((surrogate - lo) / (hi - lo) * (values.max() - values.min()) + values.min()).astype(np.float32)
