"""What a variant's network costs, computed from its architecture alone: no torch, no weights.

The model-index "FLOPs" follow no stated convention (resnext50_32x4d is listed at 5.47 G where
the network does 4.23 G multiply-adds, 8.46 GFLOP). This module counts multiply-adds the way the
network computes them: every convolution and the classifier, one multiply-add per weight per
output position, for torchvision's ResNet with grouped Bottleneck blocks at the variant's input
size. One multiply-add is two FLOPs. Pages that show costs import this, not torch; the tests hold
it to a count taken on the real network on the meta device.
"""

from __future__ import annotations

from .variant import Variant

__all__ = ["BLOCKS_PER_DEPTH", "STAGE_PLANES", "multiply_adds"]

# Bottleneck blocks per stage for each depth (depth = 3 * blocks + 2), as in the ResNet paper;
# 14 and 26 exist for the small test and fine-tuning networks.
BLOCKS_PER_DEPTH: dict[int, tuple[int, int, int, int]] = {
    14: (1, 1, 1, 1),
    26: (2, 2, 2, 2),
    50: (3, 4, 6, 3),
    101: (3, 4, 23, 3),
    152: (3, 8, 36, 3),
}
STAGE_PLANES = (64, 128, 256, 512)
_EXPANSION = 4  # a Bottleneck's output channels per plane


def multiply_adds(variant: Variant, image_size: int | None = None) -> int:
    """Count the multiply-adds of one forward pass.

    Args:
        variant: The variant (its depth, cardinality, width per group and classes).
        image_size: The input's side (default: the variant's own).

    Returns:
        The multiply-adds of the convolutions and the classifier (pooling, ReLU, BatchNorm and
        additions, under 0.1% of the total, are not counted, as is usual).

    Raises:
        KeyError: The depth has no known block layout.
    """
    side = _conv_out(image_size or variant.image_size, kernel=7, stride=2, pad=3)
    total = side * side * 64 * 7 * 7 * 3  # the stem convolution
    side = _conv_out(side, kernel=3, stride=2, pad=1)  # max pooling
    channels = 64
    for stage, (blocks, planes) in enumerate(zip(BLOCKS_PER_DEPTH[variant.depth], STAGE_PLANES)):
        width = int(planes * variant.width_per_group / 64) * variant.cardinality
        out = planes * _EXPANSION
        for block in range(blocks):
            stride = 2 if stage > 0 and block == 0 else 1
            after = _conv_out(side, kernel=3, stride=stride, pad=1)
            total += side * side * width * channels  # 1x1, channels -> width
            total += after * after * width * 9 * width // variant.cardinality  # grouped 3x3 (strided)
            total += after * after * out * width  # 1x1, width -> out
            if stride != 1 or channels != out:
                total += after * after * out * channels  # the shortcut's 1x1 projection
            side, channels = after, out
    return total + variant.num_classes * channels  # the classifier


def _conv_out(side: int, kernel: int, stride: int, pad: int) -> int:
    return (side + 2 * pad - kernel) // stride + 1
