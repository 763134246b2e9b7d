"""Accuracy on a user's labelled folder: which model works on *these* images.

The layout is torchvision's ``ImageFolder``: one sub-folder per class, named by its ImageNet
synset id (``n01440764``), its class index (``0``) or its class name (``tench``, any case, ``_``
for spaces). Each model's top-1 and top-5 accuracy comes with a 95% Wilson interval, which
stays inside [0, 1] and is honest for the small folders people bring; the published ImageNet
figure is kept beside it, labelled as what it is: a different data set.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Sequence

from ..catalog.index import ASSETS_DIR
from ..errors import ResNeXtError
from .inputs import IMAGE_SUFFIXES, images_under
from .predict import Row, predict_files

if TYPE_CHECKING:
    from ..inference.classifier import Classifier

__all__ = ["Evaluation", "Score", "class_folders", "class_indices", "evaluate", "score_rows", "wilson"]

Z95 = 1.959963984540054  # the normal quantile of a two-sided 95% interval


@functools.cache
def imagenet_synsets() -> tuple[str, ...]:
    """The 1000 ImageNet-1k synset ids in class-index order (``assets/imagenet_synsets.txt``, from timm)."""
    return tuple((ASSETS_DIR / "imagenet_synsets.txt").read_text(encoding="utf-8").split())


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion.

    Args:
        successes: Correct answers.
        n: Trials.
        z: The normal quantile (95% two-sided by default).

    Returns:
        ``(low, high)`` in [0, 1]; ``(0, 1)`` when there are no trials.
    """
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def class_folders(folder: Path, labels: Sequence[str]) -> dict[Path, int]:
    """Map each class sub-folder to a class index.

    Args:
        folder: The data set's root.
        labels: The model's class names (index order); synset ids apply when there are 1000.

    Returns:
        Sub-folder → class index, sorted by folder name.

    Raises:
        ResNeXtError: No sub-folders, or a sub-folder whose name is no synset id, index or class name.
    """
    if not folder.is_dir():
        raise ResNeXtError(f"{folder} is not a folder; give the folder that holds one sub-folder per class.")
    subfolders = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not subfolders:
        raise ResNeXtError(f"{folder} has no class sub-folders; put each class's images in a folder named by its "
                           "synset id (n01440764), class index (0) or class name (tench).")
    indices = class_indices([p.name for p in subfolders], labels)
    return {p: indices[p.name] for p in subfolders}


def class_indices(names: Sequence[str], labels: Sequence[str]) -> dict[str, int]:
    """Map class-folder names to class indices: synset id (``n01440764``), index (``0``) or name (``tench``).

    Args:
        names: The folder names.
        labels: The model's class names (index order); synset ids apply when there are 1000.

    Returns:
        Name → class index.

    Raises:
        ResNeXtError: A name that is none of the three, or a class name two classes share.
    """
    by_name: dict[str, int] = {}
    ambiguous = set()
    for i, label in enumerate(labels):
        if _key(label) in by_name:
            ambiguous.add(_key(label))  # torchvision names both the corgi and the sweater "cardigan"
        by_name[_key(label)] = i
    by_synset = {s: i for i, s in enumerate(imagenet_synsets())} if len(labels) == len(imagenet_synsets()) else {}
    mapping, unknown = {}, []
    for name in names:
        if name in by_synset:
            mapping[name] = by_synset[name]
        elif name.isdigit() and int(name) < len(labels):
            mapping[name] = int(name)
        elif _key(name) in ambiguous:
            raise ResNeXtError(f"The class folder {name!r} names two classes; rename it to its synset id or "
                               "class index.")
        elif _key(name) in by_name:
            mapping[name] = by_name[_key(name)]
        else:
            unknown.append(name)
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:3]) + (f" and {len(unknown) - 3} more" if len(unknown) > 3 else "")
        raise ResNeXtError(f"The class folders {shown} are not ImageNet synset ids, class indices or class names; "
                           "rename them (e.g. n01440764, 0 or tench).")
    return mapping


def _key(name: str) -> str:
    return name.strip().lower().replace("_", " ")


@dataclass(frozen=True)
class Score:
    """One model on one labelled folder."""

    model: str
    images: int
    top1: float
    top1_interval: tuple[float, float]
    top5: float
    top5_interval: tuple[float, float]
    published_top1: float | None  # percent, on ImageNet-1k's validation set: a different data set
    published_top5: float | None
    per_class: dict[int, tuple[int, int]]  # class index → (top-1 correct, images)


@dataclass(frozen=True)
class Evaluation:
    """Every model's score, how often pairs of models agree, and the files that could not be read."""

    scores: list[Score]
    agreement: dict[tuple[str, str], float]  # fraction of images with the same top-1
    failures: list[Row] = field(default_factory=list)
    labels: Sequence[str] = ()


def evaluate(
    classifiers: Sequence[Classifier],
    folder: str | Path,
    batch_size: int = 8,
    workers: int | None = None,
    on_row: Callable[[Row], None] | None = None,
) -> Evaluation:
    """Score classifiers on a labelled image folder.

    Args:
        classifiers: The models (same classes).
        folder: The root of the layout described in this module's docstring.
        batch_size: Files per forward pass.
        workers: Threads that decode (default: every CPU).
        on_row: Called with each file's row as it is done (for progress).

    Returns:
        The evaluation.

    Raises:
        ResNeXtError: The folder's layout cannot be read, it holds no images, or the models' classes differ.
    """
    labels = classifiers[0].labels
    if any(clf.labels != labels for clf in classifiers):
        raise ResNeXtError("These models predict different classes; evaluate them separately.")
    truth: dict[Path, int] = {}
    for sub, index in class_folders(Path(folder), labels).items():
        truth.update(dict.fromkeys(images_under(sub), index))
    if not truth:
        raise ResNeXtError(f"The class folders of {folder} hold no images ({', '.join(sorted(IMAGE_SUFFIXES))}).")

    rows = predict_files(classifiers, list(truth), topk=5, batch_size=batch_size, workers=workers)
    return score_rows(classifiers, rows, {str(p): c for p, c in truth.items()}, on_row)


def score_rows(
    classifiers: Sequence[Classifier],
    rows: Iterable[Row],
    truth: Mapping[str, int],
    on_row: Callable[[Row], None] | None = None,
) -> Evaluation:
    """Score rows of a bulk run (top-5 per model) against known classes.

    Args:
        classifiers: The models the rows hold, in column order.
        rows: The rows, e.g. from [`resnext.bulk.predict_files`][resnext.bulk.predict.predict_files] with ``topk=5``.
        truth: Each row's path → its class index.
        on_row: Called with each row as it is scored.

    Returns:
        The evaluation.

    Raises:
        ResNeXtError: No row could be read.
    """
    ids = [clf.variant.id for clf in classifiers]
    hits5 = {vid: 0 for vid in ids}
    per_class: dict[str, dict[int, tuple[int, int]]] = {vid: {} for vid in ids}
    same = {pair: 0 for pair in combinations(ids, 2)}
    failures, n = [], 0
    for row in rows:
        if on_row is not None:
            on_row(row)
        if not row.ok:
            failures.append(row)
            continue
        n += 1
        label = truth[row.path]
        for vid in ids:
            top = [p.index for p in row.predictions[vid]]
            correct, total = per_class[vid].get(label, (0, 0))
            per_class[vid][label] = (correct + (top[0] == label), total + 1)
            hits5[vid] += label in top
        for a, b in same:
            same[(a, b)] += row.predictions[a][0].index == row.predictions[b][0].index
    if n == 0:
        raise ResNeXtError(f"None of the {len(failures)} images could be read; see the reasons above.")
    scores = []
    for vid, clf in zip(ids, classifiers):
        hits1 = sum(correct for correct, _ in per_class[vid].values())
        scores.append(Score(vid, n, hits1 / n, wilson(hits1, n), hits5[vid] / n, wilson(hits5[vid], n),
                            clf.variant.top1, clf.variant.top5, dict(sorted(per_class[vid].items()))))
    return Evaluation(scores, {pair: count / n for pair, count in same.items()}, failures, classifiers[0].labels)
