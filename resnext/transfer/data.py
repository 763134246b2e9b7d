"""The user's labelled images: a folder of class folders, or (name, bytes) members of a zip."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence, Union

import numpy as np

from ..bulk import images_under, probe
from ..errors import ResNeXtError

__all__ = ["Item", "LabelledSet", "labelled_files", "labelled_members"]

Item = Union[Path, tuple[str, bytes]]  # a file, or a member already in memory


@dataclass(frozen=True)
class LabelledSet:
    """Images with the index of their class, the class names, and what was left out."""

    items: list[Item]
    labels: np.ndarray  # int, one per item, indexing ``classes``
    classes: tuple[str, ...]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, why)

    @property
    def names(self) -> list[str]:
        """Each item's name as the user knows it."""
        return [i[0] if isinstance(i, tuple) else str(i) for i in self.items]

    def counts(self) -> dict[str, int]:
        """Images per class."""
        return {c: int((self.labels == k).sum()) for k, c in enumerate(self.classes)}


def labelled_files(folder: str | Path, workers: int | None = None) -> LabelledSet:
    """Read a folder of class folders, as ``resnext eval`` does, with any folder names.

    Args:
        folder: One sub-folder per class; images anywhere below each (hidden ones skipped).
        workers: Threads that check the files' headers.

    Returns:
        The usable images; files that are not images are listed in ``skipped``.

    Raises:
        ResNeXtError: Not a folder, fewer than two classes, or a class with fewer than two usable images.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ResNeXtError(f"{root} is not a folder; give the folder that holds one sub-folder per class.")
    subfolders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    members = {path: sub.name for sub in subfolders for path in images_under(sub)}
    refused = probe(list(members), workers)
    usable = [(p, c) for p, c in members.items() if p not in refused]
    return _checked(usable, [(str(p), why) for p, why in refused.items()], root)


def labelled_members(files: Sequence[tuple[str, bytes]], folders: Mapping[str, str]) -> LabelledSet:
    """Label zip members by their class folder (the Batch page's reader gives both).

    Args:
        files: (name, bytes) of each image.
        folders: name → class folder, for every image that sits in one.

    Returns:
        The images with a class folder; the others are listed in ``skipped``.

    Raises:
        ResNeXtError: Fewer than two classes, or a class with fewer than two images.
    """
    usable = [((name, data), folders[name]) for name, data in files if name in folders]
    skipped = [(name, f"{name} is in no class folder; put it in the folder of its class.")
               for name, _ in files if name not in folders]
    return _checked(usable, skipped, "the zip")


def _checked(usable: Sequence[tuple[Item, str]], skipped: list[tuple[str, str]], where: object) -> LabelledSet:
    classes = tuple(sorted({c for _, c in usable}))
    if len(classes) < 2:
        found = f"only the class {classes[0]!r}" if classes else "no class folder with images"
        raise ResNeXtError(f"{where} has {found}; a comparison needs at least two class folders of images.")
    counts = {c: sum(1 for _, k in usable if k == c) for c in classes}
    small = [f"{c!r} ({n})" for c, n in counts.items() if n < 2]
    if small:
        raise ResNeXtError(f"Each class needs at least two usable images; {', '.join(small)} "
                           f"{'has' if len(small) == 1 else 'have'} fewer. Add images or remove the folder.")
    index = {c: k for k, c in enumerate(classes)}
    return LabelledSet([i for i, _ in usable], np.array([index[c] for _, c in usable], dtype=np.int64), classes,
                       skipped)
