"""Pooled penultimate features of labelled images, computed once and remembered on disk.

Features go through the classifier's own engine
([`resnext.Classifier.embed`][resnext.inference.classifier.Classifier.embed]: OpenVINO, exact or fast), in batches,
while a thread pool reads, hashes and decodes the next files, as
[`resnext.bulk.predict_files`][resnext.bulk.predict.predict_files] does. Each vector is cached under the SHA-256 of the
file's bytes, in a folder per backbone, checkpoint, preprocessing and precision, so a renamed or moved file is still
found and a second run over the same folder computes nothing.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from .. import environment
from ..bulk.predict import ahead, cpus, prepare_image
from ..errors import CacheError, ResNeXtError

if TYPE_CHECKING:
    from ..inference.classifier import Classifier
    from .data import Item

__all__ = ["CACHE_MB_ENV", "DEFAULT_CACHE_MB", "FeatureCache", "extract_features", "extract_features_on_ray"]

CACHE_MB_ENV = environment.FEATURE_CACHE_MB.name
DEFAULT_CACHE_MB = 2048  # about 250,000 vectors of 2048 float32
Progress = Callable[[int, int], None]  # (done, total); raising from it cancels


class FeatureCache:
    """Feature vectors on disk, one ``.npy`` per (backbone setting, file content), least recently used out."""

    def __init__(self, root: str | Path | None = None, max_bytes: int | None = None) -> None:
        """Open (not create) a cache.

        Args:
            root: Its folder (default: ``features/`` in the weights cache, [`resnext.weights.sources.cache_dir`][]).
            max_bytes: The bound (default: ``$RESNEXT_FEATURE_CACHE_MB`` megabytes, else 2048).
        """
        if root is None:
            from ..weights.sources import cache_dir

            root = cache_dir() / "features"
        self.root = Path(root)
        self.max_bytes = max_bytes if max_bytes is not None else int(
            float(os.environ.get(CACHE_MB_ENV, DEFAULT_CACHE_MB)) * 1e6)

    @staticmethod
    def setting(clf: Classifier) -> str:
        """The folder name for what decides a classifier's features: backbone, checkpoint, preprocessing, precision."""
        checkpoint = ""
        if clf.checkpoint is not None:
            stat = Path(clf.checkpoint).stat()
            checkpoint = f"{Path(clf.checkpoint).resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
        identity = f"{clf.variant.id}|{checkpoint}|{clf.transform!r}|{clf.precision}"
        return f"{clf.variant.id}-{hashlib.sha256(identity.encode()).hexdigest()[:12]}"

    def get(self, setting: str, digest: str) -> np.ndarray | None:
        """The vector cached for a file's content, or None."""
        path = self.root / setting / f"{digest}.npy"
        try:
            vector = np.load(path, allow_pickle=False)
            os.utime(path)  # recently used
            return vector
        except (OSError, ValueError):
            return None

    def put(self, setting: str, digest: str, vector: np.ndarray) -> None:
        """Store a vector atomically; a cache that cannot be written costs time, never the run."""
        folder = self.root / setting
        tmp = folder / f".{digest}.{os.getpid()}.tmp.npy"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            np.save(tmp, np.ascontiguousarray(vector, dtype=np.float32), allow_pickle=False)
            os.replace(tmp, folder / f"{digest}.npy")
        except OSError:
            tmp.unlink(missing_ok=True)

    def usage(self) -> tuple[int, int]:
        """(files, bytes) held."""
        files = list(self.root.glob("*/*.npy"))
        return len(files), sum(_size(f) for f in files)

    def trim(self) -> int:
        """Remove the least recently used vectors until the cache is within its bound.

        Returns:
            The number of files removed.
        """
        files = sorted(self.root.glob("*/*.npy"), key=_mtime)
        total = sum(_size(f) for f in files)
        removed = 0
        for f in files:
            if total <= self.max_bytes:
                break
            total -= _size(f)
            f.unlink(missing_ok=True)
            removed += 1
        return removed

    def clear(self) -> tuple[int, int]:
        """Remove every cached vector (nothing else under the weights cache).

        Returns:
            (files, bytes) removed.

        Raises:
            CacheError: A file could not be removed.
        """
        files, size = self.usage()
        try:
            for f in self.root.glob("*/*.npy"):
                f.unlink()
            for folder in self.root.glob("*"):
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
        except OSError as exc:
            raise CacheError(f"Cannot clear the feature cache at {self.root} ({exc.strerror or exc}); "
                             "check its permissions.") from None
        return files, size


def extract_features(
    clf: Classifier,
    items: Sequence[Item],
    cache: FeatureCache | None = None,
    batch_size: int = 16,
    workers: int | None = None,
    progress: Progress | None = None,
) -> tuple[np.ndarray, dict[int, str]]:
    """Features of every item through one classifier, from the cache where they are there.

    Args:
        clf: The backbone.
        items: Paths, or ``(name, bytes)`` pairs.
        cache: Where vectors are remembered (default: [`FeatureCache`][resnext.transfer.features.FeatureCache] in the
            weights cache).
        batch_size: Images per forward pass.
        workers: Threads that read, hash and decode (default: every CPU).
        progress: Called with (items done, total); raising from it cancels.

    Returns:
        float32 (N, features), a row of NaN where an item failed, and index → why it failed.
    """
    cache = cache if cache is not None else FeatureCache()
    setting = FeatureCache.setting(clf)
    out: np.ndarray | None = None
    failed: dict[int, str] = {}
    misses: list[tuple[int, str, object]] = []
    done = 0

    def read(job: tuple[int, Item]) -> tuple[str, object]:
        index, item = job
        name, data = (item[0], item[1]) if isinstance(item, tuple) else (str(item), _read(item))
        if isinstance(data, str):
            return "", data
        digest = hashlib.sha256(data).hexdigest()
        hit = cache.get(setting, digest)
        if hit is not None:
            return digest, hit
        prepared = prepare_image(data, name, [clf.transform])
        return digest, prepared if isinstance(prepared, str) else prepared[clf.transform]

    def flush() -> None:
        nonlocal out
        if not misses:
            return
        import torch

        vectors = clf.embed(torch.stack([x for _, _, x in misses])).numpy()
        for (index, digest, _), vector in zip(misses, vectors):
            cache.put(setting, digest, vector)
            out = _store(out, len(items), index, vector)
        misses.clear()

    with concurrent.futures.ThreadPoolExecutor(workers or cpus()) as pool:
        for (index, _), (digest, value) in ahead(pool, read, list(enumerate(items)), lookahead=2 * batch_size):
            if isinstance(value, str):
                failed[index] = value
            elif isinstance(value, np.ndarray):
                out = _store(out, len(items), index, value)
            else:
                misses.append((index, digest, value))
                if len(misses) >= batch_size:
                    flush()
            done += 1
            if progress is not None:
                progress(done - len(misses), len(items))
        flush()
    if progress is not None:
        progress(len(items), len(items))
    return _finish(out, failed, cache)


def extract_features_on_ray(
    clf: Classifier,
    items: Sequence[Item],
    cache: FeatureCache | None = None,
    batch_size: int = 8,
    progress: Progress | None = None,
    address: str | None = None,
    weights: str | Path | None = None,
) -> tuple[np.ndarray, dict[int, str]]:
    """As ``extract_features``, the misses computed by Ray actors ([`resnext.bulk.distributed.embed_with_ray`][]).

    The files are hashed here, so only the ones the cache lacks travel; the actors load the same
    backbone, checkpoint, precision and front end as ``clf``.

    Args:
        clf: The backbone as loaded here (its settings are sent to the actors).
        items: Paths every worker can read.
        cache, batch_size, progress: As for ``extract_features``.
        address: The Ray cluster (None: a local instance).
        weights: The checkpoint ``clf`` was loaded from, if not the catalog's.

    Returns:
        As ``extract_features``.

    Raises:
        ResNeXtError: An item is not a file, or Ray fails (one sentence).
    """
    from ..bulk.distributed import embed_with_ray

    if not all(isinstance(i, Path) for i in items):
        raise ResNeXtError("Ray reads files: give a folder, not images in memory.")
    cache = cache if cache is not None else FeatureCache()
    setting = FeatureCache.setting(clf)
    out: np.ndarray | None = None
    failed: dict[int, str] = {}
    missing: dict[Path, tuple[int, str]] = {}
    for index, path in enumerate(items):
        data = _read(path)
        if isinstance(data, str):
            failed[index] = data
            continue
        digest = hashlib.sha256(data).hexdigest()
        hit = cache.get(setting, digest)
        if hit is None:
            missing[path] = (index, digest)
        else:
            out = _store(out, len(items), index, hit)
    done = len(items) - len(missing)
    rows = embed_with_ray(clf.variant.id, list(missing), address, clf.precision, batch_size, fast=clf.fast,
                          weights=weights) if missing else []
    for (path, (index, digest)), (_, status, vector) in zip(missing.items(), rows):
        if status != "ok":
            failed[index] = status
        else:
            cache.put(setting, digest, vector)
            out = _store(out, len(items), index, vector)
        done += 1
        if progress is not None:
            progress(done, len(items))
    return _finish(out, failed, cache)


def _finish(out: np.ndarray | None, failed: dict[int, str], cache: FeatureCache) -> tuple[np.ndarray, dict[int, str]]:
    """Keep the cache within its bound; refuse a run in which no image could be read."""
    cache.trim()
    if out is None:
        raise ResNeXtError("No image could be read; check the files.")
    return out, failed


def _store(out: np.ndarray | None, n: int, index: int, vector: np.ndarray) -> np.ndarray:
    if out is None:
        out = np.full((n, vector.shape[-1]), np.nan, dtype=np.float32)
    out[index] = vector
    return out


def _read(path: Path) -> bytes | str:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        return f"Cannot read {path} ({exc.strerror or exc})."


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
