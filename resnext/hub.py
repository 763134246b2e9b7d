"""Weights from the Hugging Face Hub, where timm re-hosts every checkpoint of the catalog as safetensors.

A variant's repo is derived from its timm alias (``timm/`` + the tagged name), never typed.
:func:`huggingface_hub.hf_hub_download` downloads, caches (shared with every timm and transformers
user of the machine), locks and resumes; this module adds what it does not do: the variables
``HF_ENDPOINT``, ``HF_HUB_OFFLINE``, ``HF_HUB_CACHE`` and ``HF_HOME`` read at each call (the
library reads them once, at import), and a check of the bytes. For a file stored with Git LFS the
Hub's ETag (``X-Linked-Etag``) is the SHA-256 of the content, and the cache names the file's blob
by it, so the blob is hashed once per process and compared with its own name.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import threading
from pathlib import Path
from typing import Iterator

from .catalog import Variant
from .errors import ChecksumError, DownloadError, ResNeXtError

__all__ = ["HUB_FILE", "SOURCES", "SOURCE_ENV", "hub_cached", "hub_repo", "hub_weights", "origin",
           "weights_source"]

HUB_FILE = "model.safetensors"
SOURCE_ENV = "RESNEXT_WEIGHTS_SOURCE"
SOURCES = ("auto", "hub", "url")  # auto: the Hub, then the model-index URL

log = logging.getLogger(__name__)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_verified: dict[Path, tuple[int, int]] = {}
_lock = threading.Lock()


def hub_repo(variant: Variant) -> str | None:
    """The Hub repo timm keeps a variant's weights in, or None for a variant timm does not name."""
    return f"timm/{variant.timm_name}" if variant.timm_name else None


def weights_source(source: str | None = None) -> str:
    """Where weights come from: ``source``, else ``$RESNEXT_WEIGHTS_SOURCE``, else ``auto``.

    Raises:
        ResNeXtError: Not one of :data:`SOURCES`.
    """
    value = (source or os.environ.get(SOURCE_ENV) or "auto").strip().lower()
    if value not in SOURCES:
        raise ResNeXtError(f"Unknown weights source {value!r}; use one of {', '.join(SOURCES)} "
                           f"(--source or {SOURCE_ENV}).")
    return value


def _options() -> dict:
    """hf_hub_download's endpoint, cache and offline switch from the environment as it is now."""
    cache = os.environ.get("HF_HUB_CACHE") or (
        str(Path(os.environ["HF_HOME"]).expanduser() / "hub") if os.environ.get("HF_HOME") else None)
    offline = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")
    return {"endpoint": os.environ.get("HF_ENDPOINT") or None, "cache_dir": cache, "local_files_only": offline}


def hub_cached(variant: Variant) -> Path | None:
    """The variant's Hub file if it is in the Hub cache already (no request is made), else None."""
    from huggingface_hub import try_to_load_from_cache

    repo = hub_repo(variant)
    if repo is None:
        return None
    found = try_to_load_from_cache(repo, HUB_FILE, cache_dir=_options()["cache_dir"])
    return Path(found) if isinstance(found, str) else None


def hub_weights(variant: Variant) -> Path:
    """Download (or find in the Hub cache) a variant's ``model.safetensors`` and verify it.

    Args:
        variant: A variant with a timm name.

    Returns:
        The file's path in the Hub cache.

    Raises:
        DownloadError: No repo for it, the repo or file is missing, offline with nothing cached,
            or no network.
        ChecksumError: The bytes do not hash to the Hub's ETag; the blob is moved aside.
    """
    from huggingface_hub import get_hf_file_metadata, hf_hub_download, hf_hub_url

    repo = hub_repo(variant)
    if repo is None:
        raise DownloadError(f"{variant.id} has no timm name, so no Hub repo", remedy="use its URL (--source url)")
    options = _options()
    path = hub_cached(variant)  # a file in the Hub cache is used as it is, without a request
    if path is None:
        with _translated(repo, options["local_files_only"]):
            if not options["local_files_only"]:
                # One HEAD without retries first: hf_hub_download retries a refused connection for
                # about 20 s before it gives up, which "auto" would spend before every fallback.
                get_hf_file_metadata(hf_hub_url(repo, HUB_FILE, endpoint=options["endpoint"]), timeout=10)
            path = Path(hf_hub_download(repo, HUB_FILE, **options))
    _verify(path, repo)
    return path


@contextlib.contextmanager
def _translated(repo: str, offline: bool) -> Iterator[None]:
    """huggingface_hub's and its HTTP client's errors as one DownloadError sentence."""
    from huggingface_hub.errors import EntryNotFoundError, LocalEntryNotFoundError, RepositoryNotFoundError

    try:
        yield
    except LocalEntryNotFoundError:  # (an EntryNotFoundError too: first)
        why = "HF_HUB_OFFLINE is set" if offline else "the Hub cannot be reached"
        raise DownloadError(f"{repo}/{HUB_FILE} is not in the Hub cache and {why}",
                            remedy="connect to the network or unset HF_HUB_OFFLINE") from None
    except (RepositoryNotFoundError, EntryNotFoundError):
        raise DownloadError(f"The Hub has no {HUB_FILE} in {repo}", remedy="use the model-index URL (--source url)"
                            ) from None
    except Exception as exc:
        # The HTTP client's own errors (a refused or cut connection) are not OSErrors; a bug is not ours to word.
        if not isinstance(exc, OSError) and not type(exc).__module__.startswith(("httpx", "huggingface_hub")):
            raise
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise DownloadError(f"Could not reach the Hub for {repo}/{HUB_FILE} ({reason})", remedy="check the network"
                            ) from None


def _verify(path: Path, repo: str) -> None:
    blob = path.resolve()
    expected = blob.name
    if not _SHA256.fullmatch(expected):
        return  # not an LFS blob (no symlinks on this file system): the Hub's size check stands alone
    stat = blob.stat()
    with _lock:
        if _verified.get(blob) == (stat.st_size, stat.st_mtime_ns):
            return
    digest = hashlib.sha256()
    with blob.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    actual = digest.hexdigest()
    if actual != expected:
        rejected = blob.with_name(blob.name + ".rejected")
        os.replace(blob, rejected)
        path.unlink(missing_ok=True)
        raise ChecksumError(f"{repo}/{HUB_FILE} is corrupt: SHA-256 {actual}, the Hub's ETag says {expected}; "
                            f"it was moved aside to {rejected}", remedy="try again")
    with _lock:
        _verified[blob] = (stat.st_size, stat.st_mtime_ns)


def origin(variant: Variant, source: str | None = None) -> str:
    """Where a variant's weights come from under the current source, in a few words.

    Raises:
        ResNeXtError: An unknown source.
    """
    from .weights import MIRROR_ENV, local_file, weights_url

    chosen = weights_source(source)
    if local_file(variant) is not None:
        return f"file {weights_url(variant)}"
    repo = hub_repo(variant)
    if chosen == "hub":
        return f"Hub {repo}" if repo else "Hub (no repo: unavailable)"
    if chosen == "auto" and repo and not os.environ.get(MIRROR_ENV, "").strip():
        return f"Hub {repo}, else {weights_url(variant)}"
    return weights_url(variant)
