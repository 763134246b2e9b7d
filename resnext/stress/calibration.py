"""Whether a model's confidence can be trusted: expected calibration error, negative log-likelihood,
Brier score, the reliability diagram's bins, temperature scaling scored on held-out folds, and
bootstrap intervals.

ECE uses 15 equal-width confidence bins (Guo et al., ICML 2017, and torchmetrics' default): the
share of images in each bin times the gap between its accuracy and its mean confidence, summed.
The Brier score is the multi-class one: the squared distance between the probability vector and
the one-hot answer, averaged over images (0 is perfect, 2 the worst).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

BINS = 15
# Fewer images than this and the report warns that the figures are rough, intervals or not.
FEW_IMAGES = 100
_EPS = 1e-12


@dataclass(frozen=True)
class Reliability:
    """The reliability diagram's bins: equal-width confidence bins over (0, 1]."""

    edges: np.ndarray  # BINS + 1
    confidence: np.ndarray  # mean confidence per bin (NaN where empty)
    accuracy: np.ndarray  # accuracy per bin (NaN where empty)
    count: np.ndarray  # images per bin


@dataclass(frozen=True)
class Scores:
    """The calibration figures of one set of probabilities."""

    ece: float
    nll: float
    brier: float
    accuracy: float


@dataclass(frozen=True)
class Calibration:
    """One model's calibration on labelled images, before and after temperature scaling."""

    images: int
    before: Scores
    after: Scores  # temperature fitted on the other folds, scored on each held-out fold
    temperature: float  # fitted on every image: the one to use from now on
    ece_interval: tuple[float, float]  # 95% bootstrap interval of ``before.ece``
    reliability: Reliability
    confidences: np.ndarray  # each image's top-1 probability, for the histogram
    few: bool  # fewer than FEW_IMAGES images


def reliability(probabilities: np.ndarray, labels: np.ndarray, bins: int = BINS) -> Reliability:
    """Bin the top-1 confidences into ``bins`` equal-width bins; each bin's accuracy and confidence.

    Args:
        probabilities: (N, classes), rows summing to 1.
        labels: (N,) true class indices.
        bins: How many bins.

    Returns:
        The bins.
    """
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0, 1, bins + 1)
    # Right-closed bins, (a, b], as torchmetrics and Guo et al.
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    count = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        conf = np.bincount(which, confidence, minlength=bins) / count
        acc = np.bincount(which, correct.astype(float), minlength=bins) / count
    return Reliability(edges, conf, acc, count)


def ece(probabilities: np.ndarray, labels: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error with ``bins`` equal-width bins (L1).

    Args:
        probabilities: (N, classes).
        labels: (N,) true class indices.
        bins: How many bins.

    Returns:
        ECE in [0, 1].
    """
    r = reliability(probabilities, labels, bins)
    full = r.count > 0
    return float(np.sum(r.count[full] / r.count.sum() * np.abs(r.accuracy[full] - r.confidence[full])))


def nll(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Mean negative log-likelihood of the true classes (natural log)."""
    return float(-np.mean(np.log(np.clip(probabilities[np.arange(len(labels)), labels], _EPS, None))))


def brier(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Multi-class Brier score: mean squared distance to the one-hot answer."""
    onehot = np.zeros_like(probabilities)
    onehot[np.arange(len(labels)), labels] = 1
    return float(np.mean(np.sum((probabilities - onehot) ** 2, axis=1)))


def scores(probabilities: np.ndarray, labels: np.ndarray) -> Scores:
    """ECE, NLL, Brier and accuracy of one set of probabilities."""
    return Scores(ece(probabilities, labels), nll(probabilities, labels), brier(probabilities, labels),
                  float(np.mean(probabilities.argmax(axis=1) == labels)))


def scaled(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities with their logits divided by ``temperature``. The log-probabilities are logits
    up to a constant per image, which the softmax ignores."""
    logits = np.log(np.clip(probabilities, _EPS, None)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that minimises the NLL of these images (searched over log T in [-3, 3]).

    Args:
        probabilities: (N, classes).
        labels: (N,) true class indices.

    Returns:
        T > 0: above 1 softens an over-confident model, below 1 sharpens an under-confident one.
    """
    result = minimize_scalar(lambda log_t: nll(scaled(probabilities, float(np.exp(log_t))), labels),
                             bounds=(-3, 3), method="bounded", options={"xatol": 1e-4})
    return float(np.exp(result.x))


def held_out(probabilities: np.ndarray, labels: np.ndarray, folds: int = 5, seed: int = 0) -> np.ndarray:
    """Temperature-scaled probabilities where each image's temperature was fitted without it
    (``folds``-fold cross-fitting): honest figures for what scaling buys.

    Args:
        probabilities: (N, classes).
        labels: (N,) true class indices.
        folds: How many folds (at most N).
        seed: Shuffles the folds.

    Returns:
        (N, classes).
    """
    n = len(labels)
    order = np.random.default_rng(seed).permutation(n)
    out = np.empty_like(probabilities)
    for part in np.array_split(order, min(folds, n)):
        rest = np.setdiff1d(order, part)
        t = fit_temperature(probabilities[rest], labels[rest]) if len(rest) else 1.0
        out[part] = scaled(probabilities[part], t)
    return out


def bootstrap(probabilities: np.ndarray, labels: np.ndarray, statistic=ece, draws: int = 1000,
              seed: int = 0) -> tuple[float, float]:
    """A 95% percentile bootstrap interval of ``statistic`` over images.

    Returns:
        (low, high).
    """
    rng = np.random.default_rng(seed)
    n = len(labels)
    values = [statistic(probabilities[i], labels[i]) for i in (rng.integers(0, n, n) for _ in range(draws))]
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def calibrate(probabilities: np.ndarray, labels: np.ndarray, folds: int = 5, seed: int = 0) -> Calibration:
    """Everything this module measures, for one model on labelled images.

    Args:
        probabilities: (N, classes), the model's softmax.
        labels: (N,) true class indices.
        folds: Folds of the held-out temperature scaling.
        seed: Folds and bootstrap draws.

    Returns:
        The calibration.

    Raises:
        ValueError: No images, or shapes that do not match.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    if len(labels) == 0 or probabilities.shape[0] != len(labels):
        raise ValueError("calibration needs one probability row per labelled image")
    return Calibration(
        images=len(labels),
        before=scores(probabilities, labels),
        after=scores(held_out(probabilities, labels, folds, seed), labels),
        temperature=fit_temperature(probabilities, labels),
        ece_interval=bootstrap(probabilities, labels, seed=seed),
        reliability=reliability(probabilities, labels),
        confidences=probabilities.max(axis=1),
        few=len(labels) < FEW_IMAGES,
    )
