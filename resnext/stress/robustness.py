"""A labelled folder under corruption: your own mini ImageNet-C.

Every image is cropped as each model sees it, corrupted at each chosen severity (seeded per image,
so every model sees the same corrupted pixels), and classified. The report holds accuracy and ECE
per model, corruption and severity, clean calibration, and the corruption error against a baseline.

The corruption error follows Hendrycks & Dietterich: for model f and corruption c,
``CE = Σ_s E(f, c, s) / Σ_s E(base, c, s)`` with E the top-1 error, and the mCE is its mean over
the corruptions; the relative CE subtracts each model's clean error first. ImageNet-C normalises
by AlexNet, which this project does not have; here the baseline is a supervised ResNeXt, so the
figures say how much better or worse than that model, not comparable with the paper's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from . import calibration
from ..bulk.evaluate import class_folders
from ..bulk.inputs import images_under
from ..errors import ImageError, ResNeXtError
from ..inference.classifier import Classifier
from ..inference.image import ImageSource
from .corruptions import SEVERITIES, corrupt
from .sweep import crop_key

Progress = Callable[[float], None]


@dataclass(frozen=True)
class Report:
    """Every model's accuracy and calibration on one labelled folder, clean and corrupted."""

    models: list[str]
    baseline: str | None
    corruptions: tuple[str, ...]
    severities: tuple[int, ...]
    images: int
    skipped: list[str]  # "name: reason" of files that could not be used
    clean: dict[str, calibration.Calibration]
    accuracy: dict[str, dict[str, np.ndarray]]  # model → corruption → per severity
    ece: dict[str, dict[str, np.ndarray]]

    def clean_error(self, model: str) -> float:
        """Top-1 error on the clean images."""
        return 1.0 - self.clean[model].before.accuracy

    def ce(self, model: str, corruption: str, relative: bool = False) -> float | None:
        """The corruption error of ``model`` against the baseline (None without one, or when the
        baseline never errs). ``relative`` subtracts each model's clean error first."""
        if self.baseline is None:
            return None
        err, base = 1 - self.accuracy[model][corruption], 1 - self.accuracy[self.baseline][corruption]
        if relative:
            err, base = err - self.clean_error(model), base - self.clean_error(self.baseline)
        total = base.sum()
        return float(err.sum() / total) if total > 0 else None

    def mce(self, model: str, relative: bool = False) -> float | None:
        """The mean of [`ce`][resnext.stress.robustness.Report.ce] over the corruptions (None if any is undefined)."""
        values = [self.ce(model, c, relative) for c in self.corruptions]
        return None if any(v is None for v in values) else float(np.mean(values))


def folder_items(folder: str | Path, labels: Sequence[str]) -> list[tuple[str, Path, int]]:
    """A labelled folder's images as (name, path, class index), one sub-folder per class as for
    [`resnext.bulk.evaluate.evaluate`][].

    Raises:
        ResNeXtError: The folder's layout cannot be read.
    """
    return [(path.name, path, index) for sub, index in class_folders(Path(folder), labels).items()
            for path in images_under(sub)]


def evaluate_corrupted(classifiers: Sequence[Classifier], items: str | Path | Sequence[tuple[str, ImageSource, int]],
                       corruptions: Sequence[str], severities: Sequence[int] = SEVERITIES,
                       baseline: str | None = None, seed: int = 0, batch_size: int = 16,
                       progress: Progress | None = None) -> Report:
    """Classify labelled images clean and under each corruption and severity.

    Args:
        classifiers: The models (same classes); the baseline among them if one is named.
        items: A labelled folder (see ``folder_items``), or (name, image, class index) triples.
        corruptions: Names in ``resnext.stress.corruptions.CORRUPTIONS``.
        severities: Some of 1–5.
        baseline: The id of the model the corruption errors are relative to.
        seed: Makes the random corruptions repeatable.
        batch_size: Images per forward pass.
        progress: Called with the fraction done; raising from it cancels.

    Returns:
        The report.

    Raises:
        ResNeXtError: The folder's layout, no usable image, or models with different classes.
        ValueError: An unknown corruption or severity.
    """
    labels = classifiers[0].labels
    if any(clf.labels != labels for clf in classifiers):
        raise ResNeXtError("These models predict different classes; evaluate them separately.")
    if baseline is not None and baseline not in [c.variant.id for c in classifiers]:
        raise ResNeXtError(f"The baseline {baseline} is not among the models evaluated.")
    if isinstance(items, (str, Path)):
        items = folder_items(items, labels)
    # Each image is decoded once and only its crops are kept (one per crop geometry): a batch of
    # phone photos would not fit in memory whole.
    cutters = {crop_key(clf): clf.transform for clf in classifiers}
    crops: dict[tuple, list[np.ndarray]] = {key: [] for key in cutters}
    y, skipped = [], []
    for name, source, index in items:
        try:
            image = classifiers[0].transform.load(source, name)
        except ImageError as exc:
            skipped.append(f"{name}: {exc}")
            continue
        for key, transform in cutters.items():
            crops[key].append(np.asarray(transform.crop(image).convert("RGB")))
        y.append(index)
    if not y:
        raise ResNeXtError("None of the labelled images can be read; check the files.")
    y = np.array(y)
    steps = len(classifiers) * (1 + len(corruptions) * len(severities))
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done / steps)

    clean = {}
    for clf in classifiers:
        clean[clf.variant.id] = calibration.calibrate(_probabilities(clf, crops[crop_key(clf)], batch_size), y,
                                                      seed=seed)
        tick()
    accuracy = {c.variant.id: {n: [] for n in corruptions} for c in classifiers}
    ece = {c.variant.id: {n: [] for n in corruptions} for c in classifiers}
    for ci, name in enumerate(corruptions):
        for s in severities:
            # One corruption and severity at a time: its crops are made once for the models that
            # share a crop, and dropped before the next (a whole sweep of a folder would not fit).
            corrupted: dict[tuple, list[np.ndarray]] = {}
            for clf in classifiers:
                key = crop_key(clf)
                if key not in corrupted:
                    corrupted[key] = [corrupt(c, name, s, np.random.default_rng([seed, ci, s, i]))
                                      for i, c in enumerate(crops[key])]
                p = _probabilities(clf, corrupted[key], batch_size)
                accuracy[clf.variant.id][name].append(float(np.mean(p.argmax(axis=1) == y)))
                ece[clf.variant.id][name].append(calibration.ece(p, y))
                tick()
    accuracy = {m: {n: np.array(v) for n, v in per.items()} for m, per in accuracy.items()}
    ece = {m: {n: np.array(v) for n, v in per.items()} for m, per in ece.items()}
    return Report([c.variant.id for c in classifiers], baseline, tuple(corruptions), tuple(severities), len(y),
                  skipped, clean, accuracy, ece)


def _probabilities(clf: Classifier, crops: list[np.ndarray], batch_size: int) -> np.ndarray:
    out = []
    for start in range(0, len(crops), batch_size):
        batch = torch.stack([clf.transform.to_tensor(c) for c in crops[start:start + batch_size]])
        out.append(clf.probabilities(batch).numpy())
    return np.concatenate(out).astype(np.float64)
