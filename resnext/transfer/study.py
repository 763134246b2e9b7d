"""The whole question in one call: features of every image through every backbone, then the comparison."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from ..errors import ResNeXtError
from .data import LabelledSet
from .explore import Duplicate, Suspect, duplicates, feature_map, suspects
from .features import FeatureCache, extract_features
from .probe import SHOTS, Comparison, compare_backbones

if TYPE_CHECKING:
    from ..inference.classifier import Classifier

__all__ = ["Study", "study"]

Progress = Callable[[str, float], None]  # (what is being done, fraction of the whole); raising cancels


@dataclass(frozen=True)
class Study:
    """A comparison with what it was made of: the images used, their features, maps, suspects, duplicates."""

    data: LabelledSet  # the images used (failed ones removed)
    features: dict[str, np.ndarray]  # model → (n, D)
    comparison: Comparison
    maps: dict[str, tuple[np.ndarray, tuple[float, float]]] = field(default_factory=dict)
    suspects: dict[str, list[Suspect]] = field(default_factory=dict)
    duplicates: dict[str, list[Duplicate]] = field(default_factory=dict)


def study(
    classifiers: Sequence[Classifier],
    data: LabelledSet,
    folds: int = 5,
    shots: Sequence[int] = SHOTS,
    seed: int = 0,
    cache: FeatureCache | None = None,
    batch_size: int = 16,
    progress: Progress | None = None,
    embed: Callable | None = None,
) -> Study:
    """Extract (or recall) features for every backbone, drop the images any backbone could not read, compare.

    Args:
        classifiers: The backbones.
        data: The labelled images.
        folds: Outer folds of the probe.
        shots: Images per class for the few-shot curve.
        seed: Seeds folds and draws.
        cache: The feature cache (default: the one in the weights cache).
        batch_size: Images per forward pass.
        progress: Called with (stage, fraction of the whole); raising from it cancels.
        embed: Replaces ``resnext.transfer.features.extract_features`` (the Ray path), same signature.

    Returns:
        The study.

    Raises:
        ResNeXtError: Too few usable images left, or a class with fewer than two.
    """
    embed = embed or extract_features
    share = 0.8 / max(len(classifiers), 1)  # of the whole, for each backbone's features
    features: dict[str, np.ndarray] = {}
    failed: dict[int, str] = {}
    for i, clf in enumerate(classifiers):
        def step(done: int, total: int, i: int = i, name: str = clf.variant.id) -> None:
            if progress is not None:
                progress(f"features through {name} ({done}/{total})", (i + done / max(total, 1)) * share)

        x, bad = embed(clf, data.items, cache=cache, batch_size=batch_size, progress=step)
        features[clf.variant.id] = x
        failed.update(bad)
    if failed:
        keep = np.array([i not in failed for i in range(len(data.items))])
        skipped = data.skipped + [(data.names[i], why) for i, why in sorted(failed.items())]
        labels = data.labels[keep]
        if len(np.unique(labels)) < 2 or np.bincount(labels, minlength=len(data.classes)).min() < 2:
            raise ResNeXtError("Too few images could be read to keep two of each class; check the files listed.")
        data = LabelledSet([it for it, k in zip(data.items, keep) if k], labels, data.classes, skipped)
        features = {m: x[keep] for m, x in features.items()}

    def compare_step(stage: str, fraction: float) -> None:
        if progress is not None:
            progress(stage, 0.8 + 0.2 * fraction)

    comparison = compare_backbones(features, data.labels, data.classes, folds, shots, seed, compare_step)
    return Study(data, features, comparison,
                 maps={m: feature_map(x) for m, x in features.items()},
                 suspects={m: suspects(x, data.labels) for m, x in features.items()},
                 duplicates={m: duplicates(x, data.labels) for m, x in features.items()})
