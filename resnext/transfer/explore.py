"""Looking at the data through a backbone: a 2-D map, suspect labels, near-duplicates.

The map is PCA of the standardised features onto two axes. It is deterministic (an SVD, each
axis's sign fixed so its largest loading is positive), instant for thousands of images on two
cores, and linear: distances and clusters on it are those of the features seen along their two
main directions, never made up by the projection, as t-SNE and UMAP can. Its caption says how
much of the variance the two axes hold; the probe's accuracy says how separable the classes are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DUPLICATE_SIMILARITY", "Duplicate", "Suspect", "duplicates", "feature_map", "suspects"]

DUPLICATE_SIMILARITY = 0.98  # cosine similarity of features above which two images are near-duplicates
NEIGHBOURS = 5


@dataclass(frozen=True)
class Suspect:
    """An image whose nearest neighbours mostly carry another class."""

    index: int
    label: int
    likely: int  # the class most of its neighbours carry
    agreement: float  # the share of its neighbours that carry ``likely``


@dataclass(frozen=True)
class Duplicate:
    """Two images whose features are nearly the same."""

    first: int
    second: int
    similarity: float
    across_classes: bool


def feature_map(features: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """Two principal axes of the standardised features.

    Returns:
        (n, 2) coordinates and the share of the variance each axis holds.
    """
    x = np.asarray(features, dtype=np.float64)
    scale = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    signs = np.sign(vt[:2][np.arange(2), np.abs(vt[:2]).argmax(axis=1)])
    coords = u[:, :2] * s[:2] * signs
    share = s ** 2 / max(float(np.sum(s ** 2)), 1e-12)
    return coords, (float(share[0]), float(share[1]) if s.size > 1 else 0.0)


def _cosine(features: np.ndarray) -> np.ndarray:
    unit = features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)
    return unit @ unit.T


def suspects(features: np.ndarray, labels: np.ndarray, neighbours: int = NEIGHBOURS) -> list[Suspect]:
    """Images whose nearest neighbours (cosine) mostly, more than half, carry one other class.

    Returns:
        The suspects, the most confidently contradicted first.
    """
    k = min(neighbours, len(labels) - 1)
    similarity = _cosine(features)
    np.fill_diagonal(similarity, -np.inf)
    nearest = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
    found = []
    for i, row in enumerate(nearest):
        votes = np.bincount(labels[row], minlength=labels.max() + 1)
        votes[labels[i]] = 0
        other = int(votes.argmax())
        if votes[other] > k / 2:
            found.append(Suspect(i, int(labels[i]), other, float(votes[other] / k)))
    return sorted(found, key=lambda s: (-s.agreement, s.index))


def duplicates(features: np.ndarray, labels: np.ndarray, threshold: float = DUPLICATE_SIMILARITY) -> list[Duplicate]:
    """Pairs of images whose features' cosine similarity exceeds ``threshold``.

    Returns:
        The pairs, those across classes first (they inflate every score), then by similarity.
    """
    similarity = _cosine(features)
    first, second = np.nonzero(np.triu(similarity > threshold, k=1))
    pairs = [Duplicate(int(a), int(b), float(similarity[a, b]), bool(labels[a] != labels[b]))
             for a, b in zip(first, second)]
    return sorted(pairs, key=lambda d: (not d.across_classes, -d.similarity))
