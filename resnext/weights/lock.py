"""The lock file: the exact bytes of every weights file this machine may load, as pip's ``--require-hashes``.

``resnext lock`` writes the SHA-256 of every weights file in use, and while the file exists
(``$RESNEXT_LOCK_FILE``, else ``weights.lock`` in the cache folder) every load is checked against
it, whatever its source said. A source's own check ([`resnext.weights.integrity`][]) proves the
transfer; the lock proves the file is the one chosen.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .. import environment
from ..errors import WeightsError
from .integrity import mark_verified, sha256_file

__all__ = ["LOCK_ENV", "LOCK_FORMAT", "Locked", "check_locked", "lock_path", "read_lock", "write_lock"]

LOCK_ENV = environment.LOCK_FILE.name
LOCK_FORMAT = "resnext-weights-lock/1"


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
        lock: The lock file's path (``lock_path``).

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
