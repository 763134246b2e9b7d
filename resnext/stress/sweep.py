"""One image through several models under every corruption and severity: how long each model keeps
its clean answer, and how sure it stays of it.

All five severities of a corruption go through a model in one batch, on the classifier's own
engine. The corrupted crops are made once per crop geometry and shared by the models that see the
same crop (every ResNeXt here sees 224×224).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

from ..inference.classifier import Classifier
from ..inference.image import ImageSource
from .corruptions import CORRUPTIONS, SEVERITIES, corrupt

Progress = Callable[[float], None]


@dataclass(frozen=True)
class ModelSweep:
    """One model's answers: its clean top-1, then per corruption one value per severity."""

    model: str
    clean_index: int
    clean_label: str
    clean_probability: float
    probability: dict[str, np.ndarray]  # the clean top-1 class's probability, severities 1–5
    top1: dict[str, np.ndarray]  # the top-1 class index, severities 1–5
    labels: Sequence[str] = field(repr=False, default=())

    def first_change(self, corruption: str) -> int | None:
        """The mildest severity at which the top-1 answer is no longer the clean one, or None."""
        changed = np.nonzero(self.top1[corruption] != self.clean_index)[0]
        return int(changed[0]) + 1 if len(changed) else None

    @property
    def kept(self) -> int:
        """How many (corruption, severity) pairs keep the clean answer."""
        return int(sum((t == self.clean_index).sum() for t in self.top1.values()))

    @property
    def mean_probability(self) -> float:
        """The clean top-1 class's probability averaged over every corruption and severity."""
        return float(np.mean([p.mean() for p in self.probability.values()]))


@dataclass(frozen=True)
class Sweep:
    """Every model's sweep of one image, and the corrupted crops they saw."""

    corruptions: tuple[str, ...]
    models: list[ModelSweep]
    crops: dict[str, list[np.ndarray]]  # per corruption, severities 1–5 (of the first model's crop)
    clean: np.ndarray

    def best(self) -> str | None:
        """The model that kept its clean answer most often (ties: the higher mean probability), or
        None with fewer than two models or a tie on both."""
        if len(self.models) < 2:
            return None
        ranked = sorted(self.models, key=lambda m: (m.kept, m.mean_probability), reverse=True)
        first, second = ranked[0], ranked[1]
        return None if (first.kept, first.mean_probability) == (second.kept, second.mean_probability) else first.model

    def summary(self) -> str:
        """One sentence: which model held up best on this image, by how much."""
        total = len(self.corruptions) * len(SEVERITIES)
        best = self.best()
        if best is None:
            if len(self.models) == 1:
                m = self.models[0]
                return f"{m.model} keeps its answer “{m.clean_label}” in {m.kept} of {total} corrupted versions."
            return f"The models hold up equally on this image ({self.models[0].kept} of {total} kept)."
        m = next(m for m in self.models if m.model == best)
        others = ", ".join(f"{o.model} {o.kept}" for o in self.models if o is not m)
        return (f"On this image, {best} held up best: it keeps its answer “{m.clean_label}” in {m.kept} of "
                f"{total} corrupted versions ({others}).")


def crop_key(clf: Classifier) -> tuple:
    """What decides the crop a model sees: models with the same key share the corrupted crops."""
    t = clf.transform
    return t.image_size, t.crop_pct, t.interpolation, t.resize_size, t.fast


def corrupted_crops(crop: np.ndarray, corruptions: Sequence[str], seed: int = 0) -> dict[str, list[np.ndarray]]:
    """Every severity of every corruption of one crop, each from its own seeded generator.

    Args:
        crop: uint8 (H, W, 3).
        corruptions: Names in ``CORRUPTIONS``.
        seed: Makes the random corruptions repeatable.

    Returns:
        Corruption → five uint8 crops, severities 1–5.
    """
    return {name: [corrupt(crop, name, s, np.random.default_rng([seed, i, s])) for s in SEVERITIES]
            for i, name in enumerate(corruptions)}


def sweep(classifiers: Sequence[Classifier], image: ImageSource, corruptions: Sequence[str] | None = None,
          seed: int = 0, progress: Progress | None = None) -> Sweep:
    """Sweep one image through the models under every corruption and severity.

    Args:
        classifiers: The models.
        image: A path, bytes, PIL image or array.
        corruptions: Names in ``CORRUPTIONS`` (default: all).
        seed: Makes the random corruptions repeatable.
        progress: Called with the fraction done between batches; raising from it cancels.

    Returns:
        The sweep.

    Raises:
        ImageError: The image is not usable.
        ValueError: An unknown corruption.
    """
    names = tuple(corruptions or CORRUPTIONS)
    unknown = [n for n in names if n not in CORRUPTIONS]
    if unknown:
        raise ValueError(f"unknown corruption {unknown[0]!r}; choose from {', '.join(CORRUPTIONS)}")
    by_geometry: dict[tuple, tuple[np.ndarray, dict[str, list[np.ndarray]]]] = {}
    results, steps, done = [], len(classifiers) * (len(names) + 1), 0
    for clf in classifiers:
        key = crop_key(clf)
        if key not in by_geometry:
            clean = np.asarray(clf.crop(image).convert("RGB"))
            by_geometry[key] = (clean, corrupted_crops(clean, names, seed))
        clean, crops = by_geometry[key]
        clean_p = clf.probabilities(clf.transform.to_tensor(clean)).numpy()[0]
        index = int(clean_p.argmax())
        probability, top1 = {}, {}
        done += 1
        for name in names:
            if progress is not None:
                progress(done / steps)
            p = clf.probabilities(torch.stack([clf.transform.to_tensor(c) for c in crops[name]])).numpy()
            probability[name], top1[name] = p[:, index], p.argmax(axis=1)
            done += 1
        results.append(ModelSweep(clf.variant.id, index, clf.labels[index], float(clean_p[index]), probability,
                                  top1, clf.labels))
    first_clean, first_crops = next(iter(by_geometry.values()))  # what the first model saw
    return Sweep(names, results, first_crops, first_clean)
