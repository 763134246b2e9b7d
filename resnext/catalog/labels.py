"""Class names: torchvision's ImageNet-1k list, or a variant's own labels file."""

from __future__ import annotations

import functools

from ..errors import CatalogError
from .variant import Variant

__all__ = ["imagenet_labels", "labels_for"]


@functools.cache
def imagenet_labels() -> tuple[str, ...]:
    """Return the 1000 human-readable ImageNet class names, in class-index order."""
    from torchvision.models import ResNet50_Weights

    return tuple(ResNet50_Weights.IMAGENET1K_V1.meta["categories"])


def labels_for(variant: Variant) -> tuple[str, ...]:
    """Return the class names a variant predicts.

    Args:
        variant: The variant; a fine-tuned one names its labels file in its model-index
            entry (``Labels``, one name per line).

    Returns:
        One name per class index.

    Raises:
        CatalogError: The labels file is missing or has the wrong number of lines.
    """
    if variant.labels_file is not None:
        try:
            names = tuple(
                line.strip() for line in variant.labels_file.read_text(encoding="utf-8").splitlines() if line.strip()
            )
        except OSError as exc:
            raise CatalogError(f"Cannot read the labels of {variant.id} ({exc}); fix its 'Labels' entry.") from None
        if len(names) != variant.num_classes:
            raise CatalogError(
                f"{variant.labels_file} has {len(names)} labels but {variant.id} has "
                f"{variant.num_classes} classes; make them agree."
            )
        return names
    if variant.num_classes == 1000:
        return imagenet_labels()
    return tuple(f"class {i}" for i in range(variant.num_classes))
