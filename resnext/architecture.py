"""The network: torchvision's ResNet with grouped Bottleneck blocks, shaped by the variant."""

from __future__ import annotations

import torch
from torchvision.models.resnet import Bottleneck, ResNet

from .catalog import Variant, get_variant
from .errors import CatalogError

__all__ = ["BLOCKS_PER_DEPTH", "build_model"]

# Bottleneck blocks per stage for each depth (depth = 3 * blocks + 2), as in the ResNet paper;
# 14 and 26 exist for the small test and fine-tuning networks.
BLOCKS_PER_DEPTH: dict[int, tuple[int, int, int, int]] = {
    14: (1, 1, 1, 1),
    26: (2, 2, 2, 2),
    50: (3, 4, 6, 3),
    101: (3, 4, 23, 3),
    152: (3, 8, 36, 3),
}


def build_model(variant: str | Variant, device: str | torch.device = "meta") -> ResNet:
    """Build a variant's network without pretrained weights.

    On the ``meta`` device (the default) no memory is allocated and nothing is
    initialised, so building even the 829M-parameter network is instant; the weights
    are then attached with ``load_state_dict(assign=True)``.

    Args:
        variant: A variant id, timm tagged name, or :class:`Variant`.
        device: Where to create the parameters.

    Returns:
        The network in eval mode.

    Raises:
        UnknownVariantError: If the id is not in the catalog.
        CatalogError: If the variant's depth has no known block layout.
    """
    v = get_variant(variant) if isinstance(variant, str) else variant
    try:
        layers = BLOCKS_PER_DEPTH[v.depth]
    except KeyError:
        raise CatalogError(
            f"{v.id} has depth {v.depth}, which is not one of {sorted(BLOCKS_PER_DEPTH)}; "
            "fix its 'Layers' entry in the model-index."
        ) from None
    with torch.device(device):
        model = ResNet(
            Bottleneck,
            list(layers),
            num_classes=v.num_classes,
            groups=v.cardinality,
            width_per_group=v.width_per_group,
        )
    return model.eval()
