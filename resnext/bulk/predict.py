"""Many files through one or more classifiers: decoding in a worker pool, inference in batches.

Decoding and resizing a photo costs more than the network on a CPU (a 12 MP JPEG: about 90 ms to
decode and 50 ms to resize, against 22 ms for ResNeXt-50), and Pillow releases the GIL for both.
So a pool of threads prepares the next files while the main thread runs the current batch
through the networks, and each file is decoded once however many models see it (once per
distinct preprocessing). A file that cannot be read becomes a row with its reason; the others
go on.
"""

from __future__ import annotations

import collections
import concurrent.futures
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, Sequence

from ..errors import ResNeXtError

if TYPE_CHECKING:
    from ..inference.classifier import Classifier, Prediction
    from ..inference.image import ImageSource
    from ..inference.preprocess import Transform

__all__ = ["OK", "Row", "ahead", "classify_prepared", "cpus", "predict_files", "prepare_image", "probe"]

OK = "ok"


@dataclass(frozen=True)
class Row:
    """One input file's result."""

    path: str
    status: str  # OK, or the sentence saying why the file could not be classified
    predictions: Mapping[str, Sequence[Prediction]] = field(default_factory=dict)  # variant id → top-k

    @property
    def ok(self) -> bool:
        """Whether every model classified the file."""
        return self.status == OK

    def record(self) -> dict:
        """The row as JSON-ready data: path, status, and per model its top-k as index, label, probability."""
        return {"path": self.path, "status": self.status,
                "predictions": {vid: [p._asdict() for p in top] for vid, top in self.predictions.items()}}


def probe(paths: Sequence[Path], workers: int | None = None) -> dict[Path, str]:
    """Check files before any model loads, reading headers only.

    Args:
        paths: The files.
        workers: Threads (default: the CPUs this process may use).

    Returns:
        The files that cannot be classified, each with its one-sentence reason.
    """
    from ..inference.image import probe_image

    def reason(path: Path) -> str | None:
        try:
            probe_image(path, name=str(path))
        except ResNeXtError as exc:
            return str(exc)
        return None

    with concurrent.futures.ThreadPoolExecutor(workers or cpus()) as pool:
        return {p: r for p, r in zip(paths, pool.map(reason, paths)) if r is not None}


def predict_files(
    classifiers: Sequence[Classifier],
    files: Iterable[Path | tuple[str, bytes]],
    topk: int = 5,
    batch_size: int = 8,
    workers: int | None = None,
    refused: Mapping[Path, str] | None = None,
) -> Iterator[Row]:
    """Classify files with every classifier, one row per file, in the order given.

    Args:
        classifiers: The models; each file is decoded once per distinct preprocessing.
        files: Paths, or ``(name, bytes)`` pairs for files already in memory (an upload).
        topk: Classes per model and file.
        batch_size: Files per forward pass.
        workers: Threads that decode and preprocess (default: the CPUs this process may use).
        refused: Files already known to be unusable (from ``probe``), with their reasons;
            they get their row without being read again.

    Yields:
        A ``Row`` per file, as soon as its batch is done.
    """
    transforms = list(dict.fromkeys(clf.transform for clf in classifiers))
    refused = refused or {}

    def prepare(item: Path | tuple[str, bytes]) -> dict | str:
        name, source = item if isinstance(item, tuple) else (str(item), item)
        if refused and item in refused:  # (checked only when given: an upload's key would hash its bytes)
            return refused[item]
        return prepare_image(source, name, transforms)

    pending: list[tuple[str, dict | str]] = []
    with concurrent.futures.ThreadPoolExecutor(workers or cpus()) as pool:
        for item, prepared in ahead(pool, prepare, files, lookahead=2 * batch_size):
            pending.append((item[0] if isinstance(item, tuple) else str(item), prepared))
            if sum(isinstance(p, dict) for _, p in pending) >= batch_size:
                yield from classify_prepared(classifiers, pending, topk)
                pending = []
        yield from classify_prepared(classifiers, pending, topk)


def prepare_image(source: ImageSource, name: str, transforms: Sequence[Transform]) -> dict | str:
    """Decode an image once (once per decoding scale, in fast mode) and preprocess it for each transform.

    Returns:
        Transform → (3, H, W) tensor, or the sentence saying why the image cannot be used.
    """
    from ..inference.image import load_image

    decoded: dict = {}
    try:
        for t in transforms:
            draft = t.resize_to if t.fast else None
            if draft not in decoded:
                decoded[draft] = load_image(source, name=name, draft=draft)
        return {t: t(decoded[t.resize_to if t.fast else None]) for t in transforms}
    except ResNeXtError as exc:
        return str(exc)


def classify_prepared(classifiers: Sequence[Classifier], pending: Sequence[tuple[str, dict | str]],
                      topk: int) -> Iterator[Row]:
    """Rows for prepared images (from [`prepare_image`][resnext.bulk.predict.prepare_image]): the usable ones run as one
    batch per model.

    Args:
        classifiers: The models.
        pending: (name, prepared) pairs, in output order.
        topk: Classes per model.

    Yields:
        One row per pair, in order.
    """
    import torch

    ready = [p for _, p in pending if isinstance(p, dict)]
    tops: dict[str, list] = {}
    for clf in classifiers:
        if ready:
            probabilities = clf.probabilities(torch.stack([p[clf.transform] for p in ready]))
            tops[clf.variant.id] = [clf.top(row, topk) for row in probabilities]
    index = 0
    for name, prepared in pending:
        if isinstance(prepared, str):
            yield Row(str(name), prepared)
            continue
        yield Row(str(name), OK, {vid: top[index] for vid, top in tops.items()})
        index += 1


def ahead(pool: concurrent.futures.Executor, fn: Callable, items: Iterable, lookahead: int) -> Iterator[tuple]:
    """``(item, fn(item))`` in order, like ``pool.map`` but with at most ``lookahead`` items in
    flight (a 12 MP photo is 36 MB decoded)."""
    queue: collections.deque = collections.deque()
    for item in items:
        queue.append((item, pool.submit(fn, item)))
        if len(queue) >= lookahead:
            first, future = queue.popleft()
            yield first, future.result()
    while queue:
        first, future = queue.popleft()
        yield first, future.result()


def cpus() -> int:
    """The CPUs this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
