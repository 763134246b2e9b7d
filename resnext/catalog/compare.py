"""How two classifiers agree, and which variants are worth their cost. NumPy only."""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["js_divergence", "map_correlation", "pareto_front", "topk_overlap"]


def js_divergence(p: Sequence[float] | np.ndarray, q: Sequence[float] | np.ndarray) -> float:
    """Jensen–Shannon divergence of two probability vectors, in bits.

    Args:
        p: A probability vector (renormalised if it does not sum to 1).
        q: Another, of the same length.

    Returns:
        A value in [0, 1]: 0 for identical distributions, 1 for disjoint ones.

    Raises:
        ValueError: The vectors differ in length or have negative or no mass.
    """
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    if p.shape != q.shape or p.ndim != 1:
        raise ValueError(f"Probability vectors must be 1-D and of equal length, got {p.shape} and {q.shape}.")
    if (p < 0).any() or (q < 0).any() or p.sum() <= 0 or q.sum() <= 0:
        raise ValueError("Probability vectors must be non-negative with positive mass.")
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        mask = a > 0
        return float(np.sum(a[mask] * np.log2(a[mask] / m[mask])))

    return float(np.clip((kl(p) + kl(q)) / 2, 0.0, 1.0))


def topk_overlap(p: np.ndarray, q: np.ndarray, k: int = 5) -> int:
    """How many classes the top-k of two probability vectors share (0 to k)."""
    top = lambda v: set(np.argsort(np.asarray(v))[::-1][:k].tolist())  # noqa: E731
    return len(top(p) & top(q))


def map_correlation(a: np.ndarray, b: np.ndarray) -> float | None:
    """Pearson correlation of two heatmaps of equal shape, or None when either is flat."""
    a, b = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"Heatmaps must have the same shape, got {a.shape} and {b.shape}.")
    if a.std() == 0 or b.std() == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def pareto_front(cost: Sequence[float], benefit: Sequence[float]) -> np.ndarray:
    """Mark the points no other point beats: none is cheaper-or-equal and better-or-equal, strictly in one.

    Args:
        cost: What to minimise (FLOPs, parameters).
        benefit: What to maximise (accuracy).

    Returns:
        A boolean mask, True on the Pareto front.
    """
    c, b = np.asarray(cost, dtype=np.float64), np.asarray(benefit, dtype=np.float64)
    dominated = ((c[None, :] <= c[:, None]) & (b[None, :] >= b[:, None])
                 & ((c[None, :] < c[:, None]) | (b[None, :] > b[:, None]))).any(axis=1)
    return ~dominated
