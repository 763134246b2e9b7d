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
    """One pretrained classifier, as its model-index entry describes it.

    Every figure is the model-index's own (``assets/model-index/*.yaml``), or derived from it where
    said; a figure the entry lacks is None.

    Attributes:
        id: The model-index name, e.g. ``"ssl_resnext50_32x4d"``; what [`get_variant`][resnext.get_variant] takes.
        family: The family's name in ``assets/families.yaml``, e.g. ``"SSL"``.
        architecture: The network, e.g. ``"resnext50_32x4d"``.
        timm_name: timm's tagged name (``"resnext50_32x4d.fb_ssl_yfcc100m_ft_in1k"``), from the family's tag;
            None where timm has none.
        depth: Layers: 50 or 101.
        cardinality: Groups in each grouped convolution (the 32 of ``32x4d``).
        width_per_group: Channels per group in the first stage (the 4 of ``32x4d``).
        top1: ImageNet-1k validation top-1 accuracy, in percent (``84.16``), as published.
        top5: The same for top-5, in percent.
        flops: The model-index's ``FLOPs``, a count for one image at ``image_size``, whose convention
            the source does not state (see ``resnext.catalog.cost`` for multiply-adds counted on the network).
        parameters: Parameters, a count (``25030000`` for ResNeXt-50).
        file_size: The checkpoint's size in bytes; a publisher's rounded figure where ``file_size_exact`` is False.
        weights_url: The model-index ``Weights``: a URL, or an absolute path to a local file.
        training_data: The data sets, as the model-index lists them (alphabetically, not in time).
        training_stages: The data sets in the order they were used, e.g. ``(("YFCC-100M",), ("ImageNet",))``.
        epochs: Training epochs, where published.
        gpus: GPUs used to train, a count, where published.
        crop_pct: The centre crop's share of the resized image's short side, a fraction (``0.875``).
        interpolation: The resize filter, e.g. ``"bilinear"``.
        image_size: The network's input side, in pixels (``224``).
        resize_size: The short side before the centre crop, in pixels, where the model-index states it
            (exact where ``crop_pct`` is a rounded ratio); else None, and ``image_size / crop_pct`` is used.
        paper_title: The paper that published the weights.
        paper_url: Its address.
        license: The weights' licence, e.g. ``"CC-BY-NC-4.0"``.
        num_classes: Classes the head predicts (1000 for ImageNet-1k).
        file_size_exact: False where ``file_size`` is a rounded figure, to show but not to check a download against.
        labels_file: A text file of class names, one a line, for a variant fine-tuned on other classes; else None.
        source: The model-index file the entry came from.
    """

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
    file_size: int | None
    weights_url: str
    training_data: tuple[str, ...]
    training_stages: tuple[tuple[str, ...], ...]
    epochs: int | None
    gpus: int | None
    crop_pct: float
    interpolation: str
    image_size: int
    resize_size: int | None
    paper_title: str
    paper_url: str
    license: str
    num_classes: int = 1000
    file_size_exact: bool = True
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
