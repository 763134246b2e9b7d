"""Pretrained weights: a verified download into a cache folder, and a one-copy load.

A checkpoint's URL ends in ``-<first hex digits of its SHA-256>.pth`` (torch.hub's
convention). A download goes to a temporary file beside the final one and is renamed
only once its hash matches, under a lock file so that two processes asking at once
download once. A cached file is checked for truncation on every use (its size against
the model-index) and fully hashed once per process.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import http.client
import os
import pickle
import re
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterator, Mapping

import torch
from torch import nn

from .catalog import Variant
from .errors import CacheError, ChecksumError, DownloadError, WeightsError

__all__ = [
    "ProgressCallback",
    "attach_weights",
    "cache_dir",
    "cached_path",
    "download",
    "ensure_weights",
    "is_cached",
    "read_checkpoint",
    "weights_url",
]

CACHE_ENV = "RESNEXT_CACHE_DIR"
MIRROR_ENV = "RESNEXT_WEIGHTS_MIRROR"
ProgressCallback = Callable[[int, "int | None"], None]
"""Called as ``progress(bytes_done, bytes_total_or_None)`` while a file downloads."""

_CHUNK = 1 << 20
_HASH_RE = re.compile(r"-([0-9a-f]{8,64})\.[A-Za-z0-9]+$")
_verified: dict[Path, tuple[int, int]] = {}  # path -> (size, mtime_ns) fully hashed this process
_verified_lock = threading.Lock()


def cache_dir() -> Path:
    """Return the folder that holds downloaded checkpoints.

    Returns:
        ``$RESNEXT_CACHE_DIR`` if set, else torch hub's ``checkpoints`` folder.
    """
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    return Path(torch.hub.get_dir()) / "checkpoints"


def weights_url(variant: Variant) -> str:
    """Return where to download a variant's checkpoint from.

    Args:
        variant: The variant.

    Returns:
        The model-index URL, or the same file name under ``$RESNEXT_WEIGHTS_MIRROR``.
    """
    mirror = os.environ.get(MIRROR_ENV)
    if mirror:
        return f"{mirror.rstrip('/')}/{variant.file_name}"
    return variant.weights_url


def cached_path(variant: Variant) -> Path:
    """Return the path a variant's checkpoint has (or will have) in the cache."""
    return cache_dir() / variant.file_name


def is_cached(variant: Variant) -> bool:
    """Tell whether the variant's checkpoint is in the cache with the expected size."""
    path = cached_path(variant)
    return path.is_file() and _size_ok(path, variant)


def ensure_weights(variant: Variant, progress: ProgressCallback | None = None, timeout: float = 30.0) -> Path:
    """Return the path of a verified local checkpoint, downloading it if needed.

    A cached file that is truncated or whose hash no longer matches is removed and
    downloaded again.

    Args:
        variant: The variant.
        progress: Called with (bytes done, total) during a download.
        timeout: Seconds to wait for the server on connect and on each read.

    Returns:
        The checkpoint's path in the cache.

    Raises:
        DownloadError: No network, an HTTP error, a timeout or a cut-off download.
        ChecksumError: The downloaded bytes do not match the hash in the file name.
        CacheError: The cache folder cannot be written.
    """
    path = cached_path(variant)
    if _cached_ok(path, variant):
        return path
    return download(variant, progress=progress, timeout=timeout)


def download(variant: Variant, progress: ProgressCallback | None = None, timeout: float = 30.0) -> Path:
    """Download a variant's checkpoint into the cache and verify it.

    Only one process or thread downloads a given file at a time; the others wait for
    it and then use its result.

    Args:
        variant: The variant.
        progress: Called with (bytes done, total) as the file arrives.
        timeout: Seconds to wait for the server on connect and on each read.

    Returns:
        The checkpoint's path in the cache.

    Raises:
        DownloadError: No network, an HTTP error, a timeout or a cut-off download.
        ChecksumError: The downloaded bytes do not match the hash in the file name.
        CacheError: The cache folder cannot be written.
    """
    folder = cache_dir()
    path = folder / variant.file_name
    with _cache_errors(folder):
        folder.mkdir(parents=True, exist_ok=True)
        with _file_lock(path.with_name(path.name + ".lock")):
            if _cached_ok(path, variant):  # another process finished it while we waited
                return path
            # Only the lock holder writes partial files, so any left now are from a killed process.
            for stale in folder.glob(f".{variant.file_name}.*.partial"):
                stale.unlink(missing_ok=True)
            url = weights_url(variant)
            tmp = _fetch(url, variant, folder, progress, timeout)
            try:
                _check_hash(tmp, variant.file_name, url, _sha256(tmp))
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
    _mark_verified(path)
    return path


def read_checkpoint(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Read a checkpoint's tensors without running any code from it.

    Uses ``torch.load(weights_only=True, mmap=True)``, so the tensors stay backed by the
    file until they are used: the process holds one copy of the weights, not two.

    Args:
        path: A ``.pth`` file holding a state dict (optionally under ``state_dict``/``model``).

    Returns:
        The state dict, with any ``module.`` prefix removed.

    Raises:
        WeightsError: The file is missing, not a checkpoint, or holds objects other than tensors.
    """
    path = Path(path)
    try:
        try:
            data = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError as exc:
            if "mmap" not in str(exc):
                raise
            # Checkpoints saved before PyTorch 1.6 use the legacy format, which cannot be mapped.
            data = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise WeightsError(f"The weights file {path} does not exist; check the path.") from None
    except pickle.UnpicklingError as exc:
        raise WeightsError(
            f"Refused to load {path}: it holds Python objects other than tensors, which could run "
            "code; use a plain state-dict checkpoint from a source you trust."
        ) from exc
    except Exception as exc:  # noqa: BLE001 - torch.load on arbitrary bytes fails in many ways
        raise WeightsError(
            f"{path} is not a readable PyTorch checkpoint ({type(exc).__name__}); "
            "download it again or check the file."
        ) from exc
    for key in ("state_dict", "model"):
        if isinstance(data, dict) and isinstance(data.get(key), dict):
            data = data[key]
    if not isinstance(data, dict) or not all(isinstance(t, torch.Tensor) for t in data.values()):
        raise WeightsError(f"{path} does not hold a state dict of tensors; use a ResNeXt checkpoint.")
    return {k.removeprefix("module."): t for k, t in data.items()}


def attach_weights(model: nn.Module, state_dict: Mapping[str, torch.Tensor], source: str = "the checkpoint") -> nn.Module:
    """Attach a state dict's tensors to a (meta-device) network without copying them.

    Args:
        model: The network, usually built on the meta device.
        state_dict: Tensors keyed as in ``model.state_dict()``.
        source: How to name the checkpoint in an error message.

    Returns:
        The same network, with its parameters replaced and gradients off.

    Raises:
        WeightsError: Keys are missing or unexpected, or shapes differ; the message names them.
    """
    expected = model.state_dict()
    state = dict(state_dict)
    for key, ref in expected.items():
        # Checkpoints from before PyTorch 0.4.1 have no BatchNorm step counters; eval ignores them.
        if key.endswith("num_batches_tracked") and key not in state:
            state[key] = torch.zeros(ref.shape, dtype=ref.dtype)
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    wrong = [
        f"{k} {tuple(state[k].shape)} vs {tuple(expected[k].shape)}"
        for k in expected
        if k in state and state[k].shape != expected[k].shape
    ]
    problems = [
        f"{label}: {', '.join(keys[:5])}{' …' if len(keys) > 5 else ''}"
        for label, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", wrong))
        if keys
    ]
    if problems:
        raise WeightsError(
            f"{source} does not fit this network ({'; '.join(problems)}); "
            "check that the weights belong to this variant."
        )
    model.load_state_dict(state, strict=True, assign=True)
    model.requires_grad_(False)
    return model


def _size_ok(path: Path, variant: Variant) -> bool:
    return variant.file_size is None or path.stat().st_size == variant.file_size


def _cached_ok(path: Path, variant: Variant) -> bool:
    """Whether a cached file can be used; a damaged one is removed so it is fetched again."""
    try:
        stat = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return False
    with _verified_lock:
        if _verified.get(path) == (stat.st_size, stat.st_mtime_ns):
            return _size_ok(path, variant)
    if _size_ok(path, variant):
        prefix = _expected_prefix(variant.file_name)
        if prefix is None or _sha256(path).startswith(prefix):
            _mark_verified(path)
            return True
    with _cache_errors(path.parent):
        path.unlink(missing_ok=True)
    return False


def _mark_verified(path: Path) -> None:
    stat = path.stat()
    with _verified_lock:
        _verified[path] = (stat.st_size, stat.st_mtime_ns)


def _expected_prefix(file_name: str) -> str | None:
    match = _HASH_RE.search(file_name)
    return match.group(1) if match else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_hash(path: Path, file_name: str, url: str, actual: str) -> None:
    prefix = _expected_prefix(file_name)
    if prefix is not None and not actual.startswith(prefix):
        raise ChecksumError(
            f"The file downloaded from {url} is corrupt (SHA-256 {actual[:len(prefix)]}…, "
            f"expected {prefix}…) and was deleted; try again, or use another mirror."
        )


def _offline_hint(variant: Variant) -> str:
    return (
        f"copy {variant.file_name} into {cache_dir()} (or set {CACHE_ENV}), "
        f"set {MIRROR_ENV} to a reachable mirror, or pass the file with --weights PATH"
    )


def _fetch(url: str, variant: Variant, folder: Path, progress: ProgressCallback | None, timeout: float) -> Path:
    what = f"{variant.file_name} ({variant.size_label})"
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{variant.file_name}.", suffix=".partial")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            request = urllib.request.Request(url, headers={"User-Agent": "resnext"})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                total = response.length
                done = 0
                if progress:
                    progress(0, total)
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
        if total is not None and done != total:
            raise DownloadError(
                f"The download of {what} from {url} stopped after {done} of {total} bytes; try again."
            )
        return tmp
    except urllib.error.HTTPError as exc:
        tmp.unlink(missing_ok=True)
        raise DownloadError(
            f"Could not download {what}: {url} answered {exc.code} {exc.reason}; {_offline_hint(variant)}."
        ) from None
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError, ValueError) as exc:
        tmp.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"Could not download {what} from {url} ({reason or type(exc).__name__}); "
            f"check the network, or {_offline_hint(variant)}."
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    # flock is released by the kernel when its holder dies, so a killed process leaves no stale lock.
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _cache_errors(folder: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        if isinstance(exc, (TimeoutError, ConnectionError)) or exc.errno not in {
            errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR, errno.EEXIST,
        }:
            raise
        raise CacheError(
            f"Cannot write to the weights cache {folder} ({os.strerror(exc.errno)}); "
            f"free space there or set {CACHE_ENV} to a writable folder."
        ) from None
