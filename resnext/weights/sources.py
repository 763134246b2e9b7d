"""Pretrained weights: where a checkpoint comes from, how it is verified, and a one-copy load.

A model-index ``Weights`` entry is an ``http(s)://`` URL, a ``file://`` URL or a path (see
[`resnext.catalog.index`][]). A URL is downloaded into a cache folder; a local file is used where
it is, never copied, moved or deleted. A file whose name ends in ``-<first hex digits of its
SHA-256>.pth`` (torch.hub's convention) is checked against that prefix once per process: the
hash is the truth, the model-index ``File Size`` only a hint where there is no hash.

A download goes to a temporary file beside the final one and is renamed only once its hash
matches, under a lock file (removed afterwards) so that two processes asking at once download
once. A cached file that fails verification is moved aside as ``<name>.rejected``, never
deleted: it may be a file the user copied there.
"""

from __future__ import annotations

import logging
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Sequence

import torch

from .. import environment
from ..catalog.variant import Variant
from ..errors import ChecksumError, DownloadError, WeightsError
from .fetch import ProgressCallback, cache_errors, fetch, file_lock
from .hub import hub_cached, hub_repo, hub_revision, hub_weights, weights_source
from .integrity import is_verified, mark_verified, move_aside, sha256_file
from .lock import Locked, check_locked, lock_path, write_lock

__all__ = [
    "cache_dir",
    "cached_path",
    "download",
    "ensure_weights",
    "is_cached",
    "local_file",
    "lock",
    "origin",
    "present",
    "weights_url",
]

CACHE_ENV = environment.CACHE_DIR.name
MIRROR_ENV = environment.WEIGHTS_MIRROR.name

log = logging.getLogger(__name__)
_HASH_RE = re.compile(r"-([0-9a-f]{8,64})\.[A-Za-z0-9]+$")
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


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
    """Return where a variant's checkpoint comes from.

    Args:
        variant: The variant.

    Returns:
        Its model-index ``Weights`` (a URL or an absolute path). A download URL is replaced by
        the same file name under ``$RESNEXT_WEIGHTS_MIRROR``, itself a URL or a local folder;
        a local entry is never redirected.
    """
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    if not mirror or _scheme(variant.weights_url) not in ("http", "https"):
        return variant.weights_url
    if _scheme(mirror):
        return f"{mirror.rstrip('/')}/{variant.file_name}"
    return str(Path(mirror).expanduser() / variant.file_name)


def local_file(variant: Variant) -> Path | None:
    """Return the local file a variant's weights are read from in place, if they are not downloaded.

    Args:
        variant: The variant.

    Returns:
        The file's path for a ``file://`` URL or a path (after the mirror), None for ``http(s)://``.

    Raises:
        DownloadError: The source is a URL of another kind.
    """
    source = weights_url(variant)
    scheme = _scheme(source)
    if scheme in ("http", "https"):
        return None
    if scheme == "file":
        parts = urllib.parse.urlsplit(source)
        if parts.netloc in ("", "localhost"):
            return Path(urllib.request.url2pathname(parts.path))
    elif not scheme:
        return Path(source).expanduser()
    raise DownloadError(
        f"The weights of {variant.id} are at {source}, an address this program cannot read",
        remedy=f"use an https://, http:// or file:// URL or a path in {_entry_of(variant)}",
    )


def cached_path(variant: Variant) -> Path:
    """Return the path a variant's checkpoint has (or will have once downloaded)."""
    return local_file(variant) or cache_dir() / variant.file_name


def is_cached(variant: Variant) -> bool:
    """Tell whether a variant's checkpoint is on this machine, so that no download is needed."""
    return present(variant) is not None


def present(variant: Variant) -> Path | None:
    """The checkpoint a load would use without downloading anything, or None (nothing is hashed)."""
    local = local_file(variant)
    if local is not None:
        return local if local.is_file() else None
    if weights_source() != "url" and (found := hub_cached(variant)) is not None:
        return found
    path = cache_dir() / variant.file_name
    return path if path.is_file() and (is_verified(path) or _size_ok(path, variant)) else None


def lock(variants: Sequence[Variant], path: Path | None = None) -> tuple[Path, list[Locked]]:
    """Pin the bytes of the variants' checkpoints on this machine in a lock file (see ``resnext.weights.lock``).

    Each file is verified by its own source first (hash in its name, the Hub's ETag), then hashed.

    Args:
        variants: The variants to pin; each must have its weights here already.
        path: The lock file (default: ``resnext.weights.lock.lock_path``).

    Returns:
        The lock file's path and its entries.

    Raises:
        WeightsError: A variant's weights are not on this machine, or the lock cannot be written.
        DownloadError: A checkpoint fails its source's verification.
    """
    missing = [v.id for v in variants if present(v) is None]
    if missing:
        raise WeightsError(f"The weights of {', '.join(missing)} are not on this machine, so they cannot be locked",
                           remedy="download them first (`resnext download ID`)")
    entries = []
    for v in variants:
        file = _find(v, None, 30.0, None)  # not ensure_weights: an older lock must not refuse what is locked anew
        entries.append(Locked(v.id, origin(v), file.stat().st_size, sha256_file(file), hub_revision(file)))
    return write_lock(path or lock_path(cache_dir()), entries), entries


def ensure_weights(variant: Variant, progress: ProgressCallback | None = None, timeout: float = 30.0,
                   source: str | None = None) -> Path:
    """Return the path of a verified checkpoint, downloading it if needed.

    A local file (``file://`` URL or path) is checked and used where it is. Otherwise the source
    decides (``resnext.weights.hub.weights_source``): ``hub`` takes the Hub's ``model.safetensors``
    (``resnext.weights.hub.hub_weights``), ``url`` the model-index URL (or its mirror), and ``auto``
    the Hub when the variant has a Hub repo and no mirror is set, else (or when the Hub fails)
    the URL. A cached file that fails verification is moved aside (``<name>.rejected``) and
    downloaded again.

    Args:
        variant: The variant.
        progress: Called with (bytes done, total) during a download from a URL.
        timeout: Seconds to wait for the server on connect and on each read.
        source: ``auto``, ``hub`` or ``url`` (default: ``$RESNEXT_WEIGHTS_SOURCE``, else ``auto``).

    Returns:
        The checkpoint's path.

    Raises:
        WeightsError: A local file is missing or fails verification (it is left as it is), or a
            lock file (``resnext.weights.lock``) pins other bytes or does not list the variant.
        DownloadError: No network, an HTTP error, a timeout or a cut-off download.
        ChecksumError: The downloaded bytes do not match the hash in the file name.
        CacheError: The cache folder cannot be written.
    """
    path = _find(variant, progress, timeout, source)
    check_locked(variant.id, path, lock_path(cache_dir()))
    return path


def _find(variant: Variant, progress: ProgressCallback | None, timeout: float, source: str | None) -> Path:
    """[`ensure_weights`][resnext.weights.sources.ensure_weights] before the lock's check."""
    local = local_file(variant)
    if local is not None:
        return _use_local(local, variant)
    chosen = weights_source(source)
    path = cache_dir() / variant.file_name
    hub_failure = None
    if chosen == "auto" and hub_cached(variant) is None and path.is_file() and _problem(path, variant) is None:
        return path  # downloaded from its URL before: no request for another copy
    if chosen == "hub" or (chosen == "auto" and hub_repo(variant) and not os.environ.get(MIRROR_ENV, "").strip()):
        try:
            return hub_weights(variant, progress)
        except DownloadError as exc:
            if chosen == "hub" or isinstance(exc, ChecksumError):
                raise
            hub_failure = exc.message
            log.info("%s; using %s", exc.message, weights_url(variant))
    if path.is_file() and _problem(path, variant) is None:
        return path
    try:
        return download(variant, progress=progress, timeout=timeout)
    except DownloadError as exc:
        if hub_failure:
            exc.message = f"{hub_failure}, and {exc.message[0].lower()}{exc.message[1:]}"
        raise


def download(variant: Variant, progress: ProgressCallback | None = None, timeout: float = 30.0) -> Path:
    """Download a variant's checkpoint into the cache and verify it.

    Only one process or thread downloads a given file at a time; the others wait for it and
    then use its result. A local source is verified and returned instead.

    Args:
        variant: The variant.
        progress: Called with (bytes done, total) as the file arrives.
        timeout: Seconds to wait for the server on connect and on each read.

    Returns:
        The checkpoint's path.

    Raises:
        WeightsError: A local file is missing or fails verification.
        DownloadError: No network, an HTTP error, a timeout or a cut-off download.
        ChecksumError: The downloaded bytes do not match the hash in the file name.
        CacheError: The cache folder cannot be written.
    """
    local = local_file(variant)
    if local is not None:
        return _use_local(local, variant)
    folder = cache_dir()
    path = folder / variant.file_name
    with cache_errors(folder, f"set {CACHE_ENV} to a writable folder"):
        folder.mkdir(parents=True, exist_ok=True)
        with file_lock(path.with_name(path.name + ".lock")):
            rejected = None
            if path.is_file():  # another process may have finished it while we waited
                problem = _problem(path, variant)
                if problem is None:
                    return path
                rejected = move_aside(path, problem)
                log.warning("%s.", rejected[0].upper() + rejected[1:])
            # Only the lock holder writes partial files, so any left now are from a killed process.
            for stale in folder.glob(f".{variant.file_name}.*.partial"):
                stale.unlink(missing_ok=True)
            url = weights_url(variant)
            try:
                tmp = fetch(url, folder, variant.file_name, f"{variant.file_name} ({variant.size_label})",
                            _offline_remedy(variant), progress, timeout)
            except DownloadError as exc:
                if rejected:
                    exc.message = f"{exc.message} ({rejected})"
                raise
            try:
                actual = sha256_file(tmp)
                _check_hash(tmp, variant.file_name, url, actual)
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
    mark_verified(path, actual)
    return path


def _scheme(source: str) -> str:
    match = _SCHEME_RE.match(source)
    return match.group(1).lower() if match else ""


def _entry_of(variant: Variant) -> str:
    return f"the Weights entry of {variant.id} in {variant.source}" if variant.source else f"the Weights of {variant.id}"


def _size_ok(path: Path, variant: Variant) -> bool:
    return variant.file_size is None or not variant.file_size_exact or path.stat().st_size == variant.file_size


def _problem(path: Path, variant: Variant) -> str | None:
    """What is wrong with a checkpoint file (found against expected), or None when it can be used.

    The hash in the file name decides; without one, the model-index size does. A verified file
    is remembered by size and modification time, so each process hashes it once.
    """
    if is_verified(path):
        return None
    size = path.stat().st_size
    prefix = _expected_prefix(path.name)
    actual = None
    if prefix is not None:
        actual = sha256_file(path)
        if not actual.startswith(prefix):
            expected = f"SHA-256 {prefix}…" + (f", {variant.file_size:,} bytes" if variant.file_size and
                                                 variant.file_size_exact else "")
            return f"found SHA-256 {actual[:len(prefix)]}…, {size:,} bytes; expected {expected}"
        if not _size_ok(path, variant):
            log.warning(
                "%s has %s bytes where the model-index of %s says %s; its SHA-256 matches the prefix in its "
                "name, so it is used (the hash is the truth).", path, f"{size:,}", variant.id, f"{variant.file_size:,}",
            )
    elif not _size_ok(path, variant):
        return f"found {size:,} bytes; expected {variant.file_size:,} bytes"
    mark_verified(path, actual)
    return None


def _use_local(path: Path, variant: Variant) -> Path:
    """Verify a local checkpoint without ever changing it."""
    where = MIRROR_ENV if weights_url(variant) != variant.weights_url else _entry_of(variant)
    if not path.is_file():
        raise WeightsError(
            f"The weights of {variant.id} should be in {path}, which is not a file",
            remedy=f"put the checkpoint there or fix {where}",
        )
    try:
        problem = _problem(path, variant)
    except OSError as exc:
        raise WeightsError(f"Cannot read {path} ({exc.strerror or exc})", remedy="check its permissions") from None
    if problem is not None:
        raise WeightsError(
            f"{path} is not the checkpoint {variant.id} expects ({problem}); it was left as it is",
            remedy=f"replace it with the right file or fix {where}",
        )
    return path


def _expected_prefix(file_name: str) -> str | None:
    match = _HASH_RE.search(file_name)
    return match.group(1) if match else None


def _check_hash(path: Path, file_name: str, url: str, actual: str) -> None:
    prefix = _expected_prefix(file_name)
    if prefix is not None and not actual.startswith(prefix):
        raise ChecksumError(
            f"The file downloaded from {url} is corrupt (SHA-256 {actual[:len(prefix)]}…, "
            f"expected {prefix}…) and was deleted",
            remedy=f"try again, or set {MIRROR_ENV} to another mirror",
        )


def _offline_remedy(variant: Variant) -> str:
    return (
        f"copy {variant.file_name} into {cache_dir()} (or set {CACHE_ENV}), or set {MIRROR_ENV} "
        "to a reachable mirror or a folder that holds it"
    )


def origin(variant: Variant, source: str | None = None) -> str:
    """Where a variant's weights come from under the current source, in a few words.

    Raises:
        ResNeXtError: An unknown source.
    """
    chosen = weights_source(source)
    if local_file(variant) is not None:
        return f"file {weights_url(variant)}"
    repo = hub_repo(variant)
    if chosen == "hub":
        return f"Hub {repo}" if repo else "Hub (no repo: unavailable)"
    if chosen == "auto" and repo and not os.environ.get(MIRROR_ENV, "").strip():
        return f"Hub {repo}, else {weights_url(variant)}"
    return weights_url(variant)
