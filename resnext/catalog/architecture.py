"""The network: torchvision's ResNet with grouped Bottleneck blocks, shaped by the variant."""

from __future__ import annotations

import torch
from torchvision.models.resnet import Bottleneck, ResNet

from ..errors import CatalogError
from .cost import BLOCKS_PER_DEPTH
from .index import get_variant
from .variant import Variant

__all__ = ["FEATURES", "build_model"]

FEATURES = 512 * Bottleneck.expansion  # pooled features before ``fc``: the same for every ResNeXt here


def build_model(variant: str | Variant, device: str | torch.device = "meta") -> ResNet:
    """Build a variant's network without pretrained weights.

    On the ``meta`` device (the default) no memory is allocated and nothing is
    initialised, so building even the 829M-parameter network is instant; the weights
    are then attached with ``load_state_dict(assign=True)``.

    Args:
        variant: A variant id, timm tagged name, or [`Variant`][resnext.catalog.variant.Variant].
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
