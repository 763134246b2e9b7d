"""Proof that a weights file holds the bytes it should: SHA-256, a per-process memo, quarantine, the lock.

Every source of weights (a URL, the Hub, a local file) checks its file here. A file is hashed once
per process and remembered by its size and modification time. A file that fails is never
deleted: it is renamed to a free ``<name>.rejected[.N]``, since it may be one the user put there.

The lock file pins the exact bytes, as pip's ``--require-hashes`` does: ``resnext lock`` writes
the SHA-256 of every weights file in use, and while the file exists (``$RESNEXT_LOCK_FILE``, else
``weights.lock`` in the cache folder) every load is checked against it, whatever its source
said. A source's own check proves the transfer; the lock proves the file is the one chosen.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from . import environment
from .errors import WeightsError

__all__ = ["LOCK_ENV", "LOCK_FORMAT", "Locked", "check_locked", "is_verified", "lock_path", "mark_verified",
           "move_aside", "read_lock", "sha256_file", "write_lock"]

LOCK_ENV = environment.LOCK_FILE.name
LOCK_FORMAT = "resnext-weights-lock/1"
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


@dataclass(frozen=True)
class Locked:
    """One locked weights file: the variant it serves, where it came from, its size and SHA-256, and the
    Hub commit it was taken at (None when it did not come from the Hub's cache)."""

    variant: str
    origin: str
    size: int
    sha256: str
    revision: str | None = None


def lock_path(cache: Path) -> Path:
    """The lock file: ``$RESNEXT_LOCK_FILE``, else ``weights.lock`` in the cache folder ``cache``."""
    named = os.environ.get(LOCK_ENV, "").strip()
    return Path(named).expanduser() if named else cache / "weights.lock"


def read_lock(path: Path) -> dict[str, Locked] | None:
    """The lock's entries by variant id, or None when there is no lock file.

    Raises:
        WeightsError: The file exists but is not a lock this package wrote.
    """
    try:
        data = json.loads(path.read_text())
        if data.get("format") != LOCK_FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        return {vid: Locked(vid, str(e["origin"]), int(e["size"]), str(e["sha256"]),
                            str(e["revision"]) if e.get("revision") else None)
                for vid, e in data["weights"].items()}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise WeightsError(f"The lock file {path} cannot be read ({exc})",
                           remedy=f"write it again with `resnext lock`, or remove it (or unset {LOCK_ENV})") from None


def write_lock(path: Path, entries: list[Locked]) -> Path:
    """Write a lock file (atomically), one entry per variant.

    Raises:
        WeightsError: It cannot be written.
    """
    body = {"format": LOCK_FORMAT, "weights": {
        e.variant: {"origin": e.origin, "size": e.size, "sha256": e.sha256,
                    **({"revision": e.revision} if e.revision else {})}
        for e in sorted(entries, key=lambda e: e.variant)}}
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(body, indent=2) + "\n")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WeightsError(f"Cannot write the lock file {path} ({exc.strerror or exc})",
                           remedy=f"choose another path with {LOCK_ENV} or --out") from None
    return path


def check_locked(variant_id: str, path: Path, lock: Path) -> None:
    """Check a weights file against the lock, if there is one (its hash is computed once per process).

    Args:
        variant_id: The variant the file is loaded for.
        path: The weights file.
        lock: The lock file's path (:func:`lock_path`).

    Raises:
        WeightsError: The lock does not list the variant, or the file's size or SHA-256 differs.
    """
    entries = read_lock(lock)
    if entries is None:
        return
    entry = entries.get(variant_id)
    if entry is None:
        raise WeightsError(f"{variant_id} is not in the lock file {lock}, which pins every weights file this "
                           "machine may load", remedy="download it and run `resnext lock` again, or remove the lock")
    size = path.stat().st_size
    actual = sha256_file(path) if size == entry.size else None
    if actual != entry.sha256:
        found = f"SHA-256 {actual}" if actual else f"{size:,} bytes"
        expected = f"SHA-256 {entry.sha256}" if actual else f"{entry.size:,} bytes"
        raise WeightsError(f"{path} is not the file the lock {lock} pins for {variant_id} (found {found}, locked "
                           f"{expected}); it was left as it is",
                           remedy="restore the locked file, or run `resnext lock` again if the change is yours")
    mark_verified(path, actual)
