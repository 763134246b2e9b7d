"""Proof that a weights file holds the bytes it should: SHA-256, a per-process memo, quarantine.

Every source of weights (a URL, the Hub, a local file) checks its file here. A file is hashed once
per process and remembered by its size and modification time. A file that fails is never
deleted: it is renamed to a free ``<name>.rejected[.N]``, since it may be one the user put there.
The lock file (``resnext.weights.lock``) pins the bytes chosen on top of these checks.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

__all__ = ["is_verified", "mark_verified", "move_aside", "sha256_file"]

_CHUNK = 1 << 20

_verified: dict[Path, tuple[int, int, str]] = {}  # resolved path -> (size, mtime_ns, sha256)
_memo_lock = threading.Lock()


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex), remembered for this process while its size and time stay."""
    real = Path(path).resolve()
    stat = real.stat()
    with _memo_lock:
        known = _verified.get(real)
    if known is not None and known[2] and known[:2] == (stat.st_size, stat.st_mtime_ns):
        return known[2]
    digest = hashlib.sha256()
    with open(real, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def is_verified(path: Path) -> bool:
    """Whether this process verified the file as it is now (same size and modification time)."""
    try:
        real = Path(path).resolve()
        stat = real.stat()
    except OSError:
        return False
    with _memo_lock:
        known = _verified.get(real)
    return known is not None and known[:2] == (stat.st_size, stat.st_mtime_ns)


def mark_verified(path: Path, sha256: str | None = None) -> None:
    """Remember a file as verified (with its hash, when it was computed)."""
    real = Path(path).resolve()
    stat = real.stat()
    with _memo_lock:
        _verified[real] = (stat.st_size, stat.st_mtime_ns, sha256 or "")


def move_aside(path: Path, problem: str) -> str:
    """Rename a file that failed verification to a free ``<name>.rejected[.N]``; say what was done.

    Args:
        path: The file (never deleted: it may be the user's).
        problem: What was found wrong, for the sentence.

    Returns:
        The sentence, beginning in lower case, e.g. ``"the cached X failed verification (…) and was moved to Y"``.
    """
    aside = path.with_name(path.name + ".rejected")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.rejected.{n}")
    os.rename(path, aside)
    return f"the cached {path} failed verification ({problem}) and was moved to {aside}"
