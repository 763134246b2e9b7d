"""What a user names on the command line, as the image files it means: files, folders and globs."""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Sequence

__all__ = ["IMAGE_SUFFIXES", "MAX_IMAGES", "MAX_UNPACKED", "MAX_UPLOAD_MB", "expand", "images_under"]

# What a folder is searched for; a file named explicitly is taken whatever its name.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"})

# What a front end reading many files at once (a batch of uploads, zips, dropped folders) accepts; the Python
# app and the browser edition (through the exported catalog) apply the same three.
MAX_IMAGES = 200  # per batch: about 200 x 4 MB of phone photos held in memory at once
MAX_UNPACKED = 1_000_000_000  # bytes a batch's zips may unpack to (their declared sizes, and what they inflate to)
MAX_UPLOAD_MB = 100  # per file (a zip or a photo), decimal MB; a server's HTTP cap must be at least this


def expand(names: Sequence[str | Path]) -> list[Path]:
    """The files a list of names means, in the order given, each once.

    A folder means the image files under it, recursively, sorted (by their suffix, in any case;
    hidden files and folders are skipped). A name that does not exist but contains ``*``, ``?``
    or ``[`` is a glob (``**`` recursive); one that matches nothing, or any other name that does
    not exist, is kept as it is, so that it gets its own "no such file" row.

    Args:
        names: Paths of files or folders, or glob patterns.

    Returns:
        The paths.
    """
    found: dict[Path, None] = {}
    for name in names:
        path = Path(name)
        if path.is_dir():
            matches = images_under(path)
        elif not path.exists() and any(c in str(name) for c in "*?["):
            matches = [Path(m) for m in sorted(glob.glob(str(name), recursive=True))]
            matches = [m for m in matches if m.is_file()] or [path]
        else:
            matches = [path]
        found.update(dict.fromkeys(matches))
    return list(found)


def images_under(folder: Path) -> list[Path]:
    """The image files under a folder, recursively, sorted; hidden files and folders skipped."""
    return sorted(
        p for p in folder.rglob("*")
        if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
