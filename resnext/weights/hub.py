"""Weights from the Hugging Face Hub, where timm re-hosts every checkpoint of the catalog as safetensors.

A variant's repo is derived from its timm alias (``timm/`` + the tagged name), never typed.
``huggingface_hub.hf_hub_download`` downloads, caches (shared with every timm and transformers
user of the machine), locks and resumes; this module adds what it does not do: the variables
``HF_ENDPOINT``, ``HF_HUB_OFFLINE``, ``HF_HUB_CACHE`` and ``HF_HOME`` read at each call (the
library reads them once, at import), a check of the bytes, and progress reported to the caller
instead of the terminal. For a file stored with Git LFS the Hub's ETag (``X-Linked-Etag``) is the
SHA-256 of the content, and the cache names the file's blob by it, so the blob is hashed once
per process and compared with its own name (or, in a cache without symlinks, with the ETag).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
from pathlib import Path
from typing import Callable, Iterator

from .. import environment
from ..catalog.variant import Variant
from ..errors import ChecksumError, DownloadError, ResNeXtError
from .integrity import is_verified, mark_verified, move_aside, sha256_file

__all__ = ["HUB_FILE", "SOURCES", "SOURCE_ENV", "hub_cached", "hub_repo", "hub_revision", "hub_weights",
           "weights_source"]

HUB_FILE = "model.safetensors"
SOURCE_ENV = environment.WEIGHTS_SOURCE.name
SOURCES = ("auto", "hub", "url")  # auto: the Hub, then the model-index URL

log = logging.getLogger(__name__)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_COMMIT = re.compile(r"[0-9a-f]{40}")


def hub_repo(variant: Variant) -> str | None:
    """The Hub repo timm keeps a variant's weights in, or None for a variant timm does not name."""
    return f"timm/{variant.timm_name}" if variant.timm_name else None


def weights_source(source: str | None = None) -> str:
    """Where weights come from: ``source``, else ``$RESNEXT_WEIGHTS_SOURCE``, else ``auto``.

    Raises:
        ResNeXtError: Not one of [`SOURCES`][resnext.weights.hub.SOURCES].
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


def hub_revision(path: Path) -> str | None:
    """The Hub commit a file of the Hub cache was taken at (its ``snapshots/<commit>/`` folder), else None."""
    folder = Path(path).parent
    return folder.name if folder.parent.name == "snapshots" and _COMMIT.fullmatch(folder.name) else None


def hub_weights(variant: Variant, progress: Callable[[int, int | None], None] | None = None) -> Path:
    """Download (or find in the Hub cache) a variant's ``model.safetensors`` and verify it.

    Args:
        variant: A variant with a timm name.
        progress: Called with (bytes done, total) while the file downloads, instead of
            huggingface_hub's own bar on the terminal.

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
    etag = None
    path = hub_cached(variant)  # a file in the Hub cache is used as it is, without a request
    if path is None:
        with _translated(repo, options["local_files_only"]):
            if not options["local_files_only"]:
                etag = _head(repo, options["endpoint"])  # fails fast where the Hub cannot be reached
            bar = {"tqdm_class": _reporting(progress)} if progress is not None else {}
            path = Path(hf_hub_download(repo, HUB_FILE, **options, **bar))
    _verify(path, repo, etag)
    return path


def _reporting(progress: Callable[[int, int | None], None]) -> type:
    """A progress-bar class for huggingface_hub that reports to ``progress`` and draws nothing."""
    from huggingface_hub.utils import tqdm

    class Reporting(tqdm):
        def __init__(self, *args, **kwargs) -> None:
            kwargs.update(disable=False, file=io.StringIO())  # the caller draws; the terminal stays quiet
            super().__init__(*args, **kwargs)
            self._done = int(kwargs.get("initial") or 0)

        def update(self, n: float | None = 1) -> bool | None:
            self._done += int(n or 0)
            progress(self._done, int(self.total) if self.total else None)
            return super().update(n)

    return Reporting


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


def _verify(path: Path, repo: str, etag: str | None) -> None:
    """Check the file against the SHA-256 the Hub gave for it (its LFS ETag); move it aside if it differs.

    The cache names a blob by that hash; a cache without symlinks keeps a plain copy, whose hash
    comes from ``etag`` (the download's own request) or, for a file cached before, one more request.
    """
    blob = path.resolve()
    if is_verified(blob):
        return
    expected = blob.name if _SHA256.fullmatch(blob.name) else _etag(repo, etag)
    if expected is None:
        log.warning("%s/%s in %s cannot be checked against the Hub's hash (offline, and the cache keeps no "
                    "hash-named blob); it is used as it is.", repo, HUB_FILE, path)
        return
    actual = sha256_file(blob)
    if actual != expected:
        note = move_aside(blob, f"SHA-256 {actual}, the Hub's ETag says {expected}")
        path.unlink(missing_ok=True)
        raise ChecksumError(f"{repo}/{HUB_FILE} is corrupt: {note}", remedy="try again")
    mark_verified(blob, actual)


def _head(repo: str, endpoint: str | None) -> str | None:
    """One HEAD request without retries for the file's ETag (huggingface_hub retries a refused
    connection for about 20 s, which "auto" would spend before every fallback)."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    return get_hf_file_metadata(hf_hub_url(repo, HUB_FILE, endpoint=endpoint), timeout=10).etag


def _etag(repo: str, etag: str | None) -> str | None:
    """The Hub's SHA-256 of the file: ``etag`` if it is one, else asked of the Hub (None offline)."""
    options = _options()
    if etag is None and not options["local_files_only"]:
        with _translated(repo, False):
            etag = _head(repo, options["endpoint"])
    etag = (etag or "").strip('"')
    return etag if _SHA256.fullmatch(etag) else None
