"""A variant and its family as plain, frozen data: what the catalog holds and every part reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Family", "Variant", "format_bytes", "format_optional"]


@dataclass(frozen=True)
class Family:
    """Facts about a family of checkpoints that the model-index does not carry."""

    name: str
    collection: str
    title: str
    tag: str
    license: str
    fine_tuned_on: str | None = None


@dataclass(frozen=True)
class Variant:
    """One pretrained classifier, as its model-index entry describes it."""

    id: str
    family: str
    architecture: str
    timm_name: str | None
    depth: int
    cardinality: int
    width_per_group: int
    top1: float | None
    top5: float | None
    flops: int | None
    parameters: int | None
    file_size: int | None  # bytes; a publisher's rounded figure where ``file_size_exact`` is False
    weights_url: str  # the model-index ``Weights``: a URL, or an absolute path to a local file
    training_data: tuple[str, ...]  # as the model-index lists it (alphabetically, not in time)
    training_stages: tuple[tuple[str, ...], ...]  # in the order they happened, e.g. (("YFCC-100M",), ("ImageNet",))
    epochs: int | None
    gpus: int | None
    crop_pct: float
    interpolation: str
    image_size: int
    resize_size: int | None  # the short side before the centre crop, where the model-index states it
    paper_title: str
    paper_url: str
    license: str
    num_classes: int = 1000
    file_size_exact: bool = True  # False: to show, not to check a download against
    labels_file: Path | None = None
    source: Path | None = None

    @property
    def file_name(self) -> str:
        """The checkpoint's file name, the last part of its URL."""
        return self.weights_url.rstrip("/").rsplit("/", 1)[-1]

    @property
    def training_path(self) -> str:
        """The training data in the order it was used, e.g. ``'YFCC-100M → ImageNet'``, or ``'—'``."""
        return " → ".join(", ".join(stage) for stage in self.training_stages) or "—"

    @property
    def non_commercial(self) -> bool:
        """Whether the weights' licence forbids commercial use (a Creative Commons ``-NC`` licence)."""
        return "-NC" in self.license.upper()

    @property
    def size_label(self) -> str:
        """The checkpoint size for people, e.g. ``'356 MB'``."""
        return format_bytes(self.file_size)


def format_bytes(n: int | None) -> str:
    """Format a byte count with decimal units (as file managers and the model cards do).

    Args:
        n: A number of bytes, or None when unknown.

    Returns:
        A short string such as ``'777.5 MB'``, or ``'unknown size'``.
    """
    if n is None:
        return "unknown size"
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def format_optional(value: float | None, fmt: str) -> str:
    """Format a figure that a model-index entry may lack, as ``'—'`` when it does.

    Args:
        value: The figure, or None.
        fmt: A ``str.format`` pattern such as ``'{:.2f}%'``.

    Returns:
        The formatted figure or a dash.
    """
    return "—" if value is None else fmt.format(value)
