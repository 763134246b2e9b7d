"""Backbones compared on the user's classes, honestly: the same folds, a paired test, the few-shot curve.

The protocol is Kornblith, Shlens and Le's ("Do Better ImageNet Models Transfer Better?", CVPR
2019): an L2 logistic-regression probe on frozen penultimate features, standardised, its
regularisation chosen by cross-validation inside the training folds only, scored by stratified
k-fold cross-validation. Beside it: k-NN (cosine, leave-one-out) and LogME. The folds are drawn
once from the labels, so every backbone meets the same splits, and two backbones are told apart
only when McNemar's exact test on their out-of-fold answers (the same images, paired) says so.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from ..bulk.evaluate import wilson
from ..errors import ResNeXtError
from .logme import logme

__all__ = [
    "ALPHA",
    "Comparison",
    "Score",
    "compare_backbones",
    "few_shot",
    "few_shot_draws",
    "fit_probe",
    "folds_for",
    "knn_loo",
    "mcnemar",
    "probe_cv",
    "RowSpace",
]

ALPHA = 0.05  # the paired test's level
C_GRID = tuple(float(c) for c in np.logspace(-4, 1, 6))  # inverse regularisation strengths tried
SHOTS = (1, 2, 5, 10, 20)
DRAWS = 5  # draws per number of shots in the few-shot curve, shared by every backbone
Cancel = Callable[[str, float], None]  # (stage, fraction); raising from it cancels


@dataclass(frozen=True)
class Score:
    """One backbone on the user's images."""

    model: str
    accuracy: float  # the probe's, out of fold
    interval: tuple[float, float]  # Wilson 95% of ``accuracy``
    fold_accuracies: tuple[float, ...]
    knn_accuracy: float
    logme: float
    per_class: dict[str, float]  # class → probe accuracy
    confusion: np.ndarray  # (classes, classes): rows true, columns predicted
    predictions: np.ndarray  # out-of-fold class per image


@dataclass(frozen=True)
class Comparison:
    """Every backbone on the same folds, the verdict of the paired test, and the few-shot curve."""

    classes: tuple[str, ...]
    images: int
    folds: int
    scores: list[Score]  # best probe accuracy first
    winner: str | None  # named only when the paired test separates it from the runner-up
    p_value: float | None  # McNemar's exact p, best against runner-up
    verdict: str
    few_shot: dict[str, dict[int, tuple[float, float]]] = field(default_factory=dict)  # model → shots → (mean, sd)
    knn_k: int = 0


def folds_for(labels: np.ndarray, folds: int = 5, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds drawn once from the labels (so the same for every backbone).

    Args:
        labels: (n,) class indices.
        folds: How many; fewer when the smallest class has fewer images.
        seed: The shuffle's seed.

    Returns:
        (train indices, test indices) per fold.

    Raises:
        ResNeXtError: A class has fewer than two images.
    """
    from sklearn.model_selection import StratifiedKFold

    smallest = int(np.bincount(labels).min())
    if smallest < 2:
        raise ResNeXtError("Each class needs at least two images for cross-validation.")
    splitter = StratifiedKFold(n_splits=min(folds, smallest), shuffle=True, random_state=seed)
    return [(train, test) for train, test in splitter.split(np.zeros(len(labels)), labels)]


class RowSpace:
    """Coordinates in the span of the training rows: an exact shortcut for an L2 probe.

    With an L2 penalty on the weights (the intercept is not penalised), the optimal weights of a
    logistic regression lie in the span of its training rows: any part orthogonal to them changes
    no logit and only adds to the penalty. So fitting on the rows' coordinates in an orthonormal
    basis ``V`` of that span (``X V``, at most n columns instead of D) gives the same logits, the
    same penalty and so the same solution, ``w = V a``. Every inner fold's rows lie in the same
    span, so C's cross-validation is unchanged too. With 800 training images of 2048 features, the
    fits run on 800 columns.
    """

    def fit(self, x: np.ndarray, y: np.ndarray | None = None) -> "RowSpace":
        x = np.asarray(x, dtype=np.float64)
        if x.shape[0] >= x.shape[1]:  # no fewer rows than features: the span is everything
            self.basis_ = np.eye(x.shape[1])
            return self
        # The eigenvectors of the (n, n) Gram matrix X X' give the span's basis V = X' U / sqrt(lambda),
        # cheaper than an SVD of X when there are fewer images than features.
        eigenvalues, u = np.linalg.eigh(x @ x.T)
        keep = eigenvalues > eigenvalues.max() * 1e-10
        self.basis_ = x.T @ (u[:, keep] / np.sqrt(eigenvalues[keep]))  # (D, r), orthonormal columns
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=np.float64) @ self.basis_

    def fit_transform(self, x: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
        return self.fit(x, y).transform(x)

    def get_params(self, deep: bool = True) -> dict:
        return {}

    def set_params(self, **params) -> "RowSpace":
        return self


def fit_probe(features: np.ndarray, labels: np.ndarray, seed: int = 0, inner: int = 3):
    """Standardise, then fit L2 logistic regression with C chosen by inner stratified CV on these images only.

    Args:
        features: (n, D) training features.
        labels: (n,) class indices.
        seed: The inner folds' seed.
        inner: Inner folds (fewer when a class has fewer images; none below 2, then C = 1).

    Returns:
        A fitted scikit-learn pipeline (``StandardScaler`` → [`RowSpace`][resnext.transfer.probe.RowSpace] →
        ``LogisticRegression``); the weights in the standardised feature space are ``coef_ @ basis_.T``.
    """
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    smallest = int(np.bincount(labels)[np.unique(labels)].min())
    if smallest >= 2:
        cv = StratifiedKFold(n_splits=min(inner, smallest), shuffle=True, random_state=seed)
        head = LogisticRegressionCV(Cs=list(C_GRID), cv=cv, l1_ratios=(0.0,), scoring="neg_log_loss",
                                    max_iter=2000, use_legacy_attributes=False)
    else:
        head = LogisticRegression(C=1.0, max_iter=2000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)  # sklearn's note on an unevenly split inner fold
        return make_pipeline(StandardScaler(), RowSpace(), head).fit(features, labels)


def probe_cv(features: np.ndarray, labels: np.ndarray, folds: Sequence[tuple[np.ndarray, np.ndarray]],
             seed: int = 0) -> tuple[np.ndarray, list[float]]:
    """Out-of-fold predictions of the probe.

    Returns:
        The predicted class of every image (from the fold that held it out) and each fold's accuracy.
    """
    from sklearn.utils.parallel import Parallel, delayed

    from ..bulk.predict import cpus

    # The folds are independent: one process per core (scikit-learn's joblib), each fold's fit in one.
    answers = Parallel(n_jobs=min(len(folds), cpus()))(
        delayed(_fold)(features[train], labels[train], features[test], seed) for train, test in folds)
    predicted = np.full(len(labels), -1, dtype=np.int64)
    accuracies = []
    for (_, test), answer in zip(folds, answers):
        predicted[test] = answer
        accuracies.append(float(np.mean(answer == labels[test])))
    return predicted, accuracies


def _fold(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, seed: int) -> np.ndarray:
    return fit_probe(x_train, y_train, seed).predict(x_test)


def knn_loo(features: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Leave-one-out k-nearest-neighbour answers by cosine similarity.

    Each image votes with its k most similar others; a tie goes to the tied class whose member
    is the most similar.

    Returns:
        The predicted class of every image.
    """
    unit = features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)
    nearest = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
    out = np.empty(len(labels), dtype=np.int64)
    for i, row in enumerate(nearest):
        votes = np.bincount(labels[row], minlength=labels.max() + 1)
        tied = np.flatnonzero(votes == votes.max())
        out[i] = next(labels[j] for j in row if labels[j] in tied)  # row is most similar first
    return out


def mcnemar(correct_a: np.ndarray, correct_b: np.ndarray) -> float:
    """McNemar's exact (binomial) two-sided p-value for two classifiers' answers on the same images."""
    from scipy.stats import binomtest

    only_a = int(np.sum(correct_a & ~correct_b))
    only_b = int(np.sum(~correct_a & correct_b))
    if only_a + only_b == 0:
        return 1.0
    return float(binomtest(only_a, only_a + only_b, 0.5).pvalue)


def few_shot_draws(labels: np.ndarray, shots: Sequence[int] = SHOTS, repeats: int = DRAWS,
                   seed: int = 0) -> dict[int, list[np.ndarray]]:
    """The few-shot curve's training images: for each number of shots smaller than the smallest class,
    ``repeats`` draws of that many images of each class.

    Returns:
        shots → one array of image indices per draw.
    """
    rng = np.random.default_rng(seed)
    smallest = int(np.bincount(labels).min())
    draws: dict[int, list[np.ndarray]] = {}
    for s in sorted(set(shots)):
        if s >= smallest:
            continue
        draws[s] = [np.concatenate([rng.choice(np.flatnonzero(labels == k), s, replace=False)
                                    for k in np.unique(labels)]) for _ in range(repeats)]
    return draws


def few_shot(features: Mapping[str, np.ndarray], labels: np.ndarray, shots: Sequence[int] = SHOTS,
             repeats: int = DRAWS, seed: int = 0,
             draws: Mapping[int, Sequence[np.ndarray]] | None = None) -> dict[str, dict[int, tuple[float, float]]]:
    """Accuracy against labelled images per class, averaged over draws shared by every backbone.

    For each number of shots smaller than the smallest class, ``repeats`` draws take that many
    images of each class to train (standardised logistic regression, C = 1: too few images to
    choose it) and test on all the others.

    Args:
        draws: The training images of each draw (:func:`few_shot_draws`), when given (the browser
            edition's parity test passes them); else drawn from ``shots``, ``repeats`` and ``seed``.

    Returns:
        model → shots → (mean accuracy, standard deviation over draws).
    """
    draws = few_shot_draws(labels, shots, repeats, seed) if draws is None else draws
    from sklearn.utils.parallel import Parallel, delayed

    from ..bulk.predict import cpus

    jobs = [(model, s, train) for model in features for s, trains in draws.items() for train in trains]
    accuracies = Parallel(n_jobs=cpus())(
        delayed(_shot)(features[model], labels, train) for model, _, train in jobs)
    out: dict[str, dict[int, tuple[float, float]]] = {model: {} for model in features}
    for model in features:
        for s in draws:
            found = [a for (m, n, _), a in zip(jobs, accuracies) if m == model and n == s]
            out[model][s] = (float(np.mean(found)), float(np.std(found)))
    return out


def _shot(x: np.ndarray, labels: np.ndarray, train: np.ndarray) -> float:
    """One few-shot draw: standardised logistic regression (C = 1) on ``train``, scored on the rest."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    test = np.setdiff1d(np.arange(len(labels)), train)
    fitted = make_pipeline(StandardScaler(), RowSpace(), LogisticRegression(C=1.0, max_iter=2000))
    fitted.fit(x[train], labels[train])
    return float(np.mean(fitted.predict(x[test]) == labels[test]))


def compare_backbones(
    features: Mapping[str, np.ndarray],
    labels: np.ndarray,
    classes: Sequence[str],
    folds: int = 5,
    shots: Sequence[int] = SHOTS,
    seed: int = 0,
    progress: Cancel | None = None,
) -> Comparison:
    """Score every backbone on the same folds and say whether the data can tell the best from the next.

    Args:
        features: model id → (n, D) features of the same images, in the same order.
        labels: (n,) class indices.
        classes: Class names, by index.
        folds: Outer folds (fewer when the smallest class is smaller).
        shots: Images per class for the few-shot curve; "all" is the k-fold probe itself.
        seed: Seeds the folds, the inner folds and the few-shot draws.
        progress: Called with (stage, fraction done); raising from it cancels.

    Returns:
        The comparison.

    Raises:
        ResNeXtError: Fewer than two classes, or a class with fewer than two images.
    """
    labels = np.asarray(labels, dtype=np.int64)
    if len(np.unique(labels)) < 2:
        raise ResNeXtError("A comparison needs at least two classes.")
    splits = folds_for(labels, folds, seed)
    k = max(1, min(5, int(np.bincount(labels).min()) - 1))
    scores = []
    for i, (model, x) in enumerate(features.items()):
        if progress is not None:
            progress(f"probing {model}", i / len(features))
        predicted, fold_accuracies = probe_cv(x, labels, splits, seed)
        correct = predicted == labels
        knn = knn_loo(x, labels, k)
        confusion = np.zeros((len(classes), len(classes)), dtype=np.int64)
        np.add.at(confusion, (labels, predicted), 1)
        scores.append(Score(
            model=model, accuracy=float(correct.mean()), interval=wilson(int(correct.sum()), len(labels)),
            fold_accuracies=tuple(fold_accuracies), knn_accuracy=float(np.mean(knn == labels)),
            logme=logme(x, labels),
            per_class={c: float(correct[labels == j].mean()) for j, c in enumerate(classes)},
            confusion=confusion, predictions=predicted,
        ))
    scores.sort(key=lambda s: -s.accuracy)
    winner, p, verdict = _verdict(scores, labels)
    if progress is not None:
        progress("few-shot curve", 1.0)
    curve = few_shot(features, labels, shots, seed=seed)
    return Comparison(tuple(classes), len(labels), len(splits), scores, winner, p, verdict, curve, k)


def _verdict(scores: list[Score], labels: np.ndarray) -> tuple[str | None, float | None, str]:
    if len(scores) == 1:
        return None, None, f"{scores[0].model}: {scores[0].accuracy:.1%} (one backbone, nothing to compare)."
    best, runner = scores[0], scores[1]
    p = mcnemar(best.predictions == labels, runner.predictions == labels)
    if best.accuracy > runner.accuracy and p < ALPHA:
        return best.model, p, (f"{best.model} transfers best to these classes: {best.accuracy:.1%} against "
                               f"{runner.accuracy:.1%} for {runner.model} (McNemar's exact test on the same "
                               f"images, p = {_p(p)}).")
    return None, p, (f"The data cannot tell {best.model} ({best.accuracy:.1%}) from {runner.model} "
                     f"({runner.accuracy:.1%}): McNemar's exact test on the same images gives p = {_p(p)}, "
                     f"not below {ALPHA}. More images per class would.")


def _p(p: float) -> str:
    return f"{p:.2g}" if p >= 1e-4 else f"10^{math.floor(math.log10(max(p, 1e-300)))}"
