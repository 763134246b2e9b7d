"""LogME: how well a backbone's features explain the labels, without training a head.

You, Liu, Wang and Long, "LogME: Practical Assessment of Pre-trained Models for Transfer
Learning" (ICML 2021). Each class's one-hot column is a Bayesian linear regression on the
features, ``y = F w + noise`` with prior ``w ~ N(0, 1/alpha I)`` and noise ``N(0, 1/beta)``; alpha
and beta maximise the marginal likelihood by MacKay's fixed-point updates, and LogME is the
maximised log evidence per image, averaged over classes. Higher is better; it only ranks
backbones on the same data, and loosely (the paper's correlation with fine-tuned accuracy ranges
0.27–0.82), so it is shown beside the probe, never instead of it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["evidence", "logme"]


def evidence(features: np.ndarray, target: np.ndarray, alpha: float, beta: float) -> float:
    """The log marginal likelihood of one target column at given alpha and beta, computed directly.

    Args:
        features: (n, D) float.
        target: (n,) float.
        alpha: Prior precision of the weights.
        beta: Precision of the noise.

    Returns:
        ``log p(y | F, alpha, beta)``: n/2 log beta + D/2 log alpha - n/2 log 2 pi - beta/2 ||Fm - y||^2
        - alpha/2 m'm - 1/2 log det A, with A = alpha I + beta F'F and m = beta A^-1 F'y.
    """
    f = np.asarray(features, dtype=np.float64)
    y = np.asarray(target, dtype=np.float64)
    n, d = f.shape
    a = alpha * np.eye(d) + beta * f.T @ f
    m = beta * np.linalg.solve(a, f.T @ y)
    _, logdet = np.linalg.slogdet(a)
    residual = float(np.sum((f @ m - y) ** 2))
    return float(n / 2 * np.log(beta) + d / 2 * np.log(alpha) - n / 2 * np.log(2 * np.pi)
                 - beta / 2 * residual - alpha / 2 * float(m @ m) - logdet / 2)


def _maximise(u: np.ndarray, sigma2: np.ndarray, d: int, y: np.ndarray,
              tol: float = 1e-5, max_iter: int = 100) -> tuple[float, float, float]:
    """MacKay's updates in the SVD basis of F; returns (log evidence, alpha, beta)."""
    n = y.shape[0]
    z = u.T @ y  # y's coordinates in the column space of F
    outside = float(y @ y - z @ z)  # the part of ||y||^2 that F cannot reach
    alpha, beta = 1.0, 1.0
    for _ in range(max_iter):
        t = alpha / beta
        gamma = float(np.sum(sigma2 / (sigma2 + t)))
        m2 = float(np.sum(sigma2 * z ** 2 / (t + sigma2) ** 2))
        res2 = float(np.sum((z * t / (t + sigma2)) ** 2)) + outside
        alpha_new, beta_new = gamma / max(m2, 1e-12), (n - gamma) / max(res2, 1e-12)
        done = abs(alpha_new / beta_new - t) / t < tol
        alpha, beta = alpha_new, beta_new
        if done:
            break
    t = alpha / beta
    m2 = float(np.sum(sigma2 * z ** 2 / (t + sigma2) ** 2))
    res2 = float(np.sum((z * t / (t + sigma2)) ** 2)) + outside
    # log det A = sum over the nonzero eigenvalues of log(alpha + beta s) plus (D - r) log alpha
    logdet = float(np.sum(np.log(alpha + beta * sigma2))) + (d - sigma2.size) * np.log(alpha)
    value = (n / 2 * np.log(beta) + d / 2 * np.log(alpha) - n / 2 * np.log(2 * np.pi)
             - beta / 2 * res2 - alpha / 2 * m2 - logdet / 2)
    return float(value), alpha, beta


def logme(features: np.ndarray, labels: np.ndarray) -> float:
    """LogME of features for integer class labels: the mean over classes of the maximised evidence per image.

    Args:
        features: (n, D) float.
        labels: (n,) int class indices.

    Returns:
        The score (higher is better; comparable between backbones on the same images only).
    """
    f = np.asarray(features, dtype=np.float64)
    n, d = f.shape
    u, s, _ = np.linalg.svd(f, full_matrices=False)
    keep = s > s.max() * 1e-10 if s.size else s.astype(bool)
    u, sigma2 = u[:, keep], s[keep] ** 2
    scores = [_maximise(u, sigma2, d, (labels == k).astype(np.float64))[0] / n for k in np.unique(labels)]
    return float(np.mean(scores))
