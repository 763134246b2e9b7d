"""The attribution methods the library offers, and what each costs: metadata only (no torch), for
pickers and the CLI. The methods themselves are in [`resnext.explain`][]."""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass

from ..catalog.cost import multiply_adds
from ..catalog.index import ASSETS_DIR, get_variant
from ..catalog.variant import Variant
from ..errors import ResNeXtError

__all__ = ["COST_FILE", "IG_STEPS", "METHODS", "Method", "typical_seconds"]

# What each method costs on the machine that ran ``python -m benchmarks.explain``.
COST_FILE = ASSETS_DIR / "explain_cost.json"

# Integrated gradients' steps (Gauss-Legendre): enough for a smooth map within the 10 s budget
# on ResNeXt-50 (see ``python -m benchmarks.explain``).
IG_STEPS = 32


@dataclass(frozen=True)
class Method:
    """An attribution method as the app offers it."""

    name: str
    label: str
    summary: str
    layered: bool  # whether the ``layer`` argument applies


METHODS: dict[str, Method] = {m.name: m for m in (
    Method("gradcam", "Grad-CAM", "Class evidence on a stage's feature maps; coarse, one pass.", True),
    Method("guided_gradcam", "Guided Grad-CAM",
           "Grad-CAM times guided backpropagation: pixel-sharp edges inside the Grad-CAM region.", True),
    Method("integrated_gradients", "Integrated gradients",
           f"Gradients summed over {IG_STEPS} images from a mean-colour one to the photo; pixel-level.", False),
    Method("deeplift", "DeepLIFT",
           "Like integrated gradients from the same mean-colour image, in one backward pass (rescale rule).", False),
    Method("occlusion", "Occlusion",
           "How much the class's score drops when each patch is greyed out; model-agnostic, many passes.", False),
)}
"""The attribution methods [`explain`][resnext.explain.explain] takes, by name; the table below lists them."""


def typical_seconds(variant: Variant, method: str) -> tuple[float, bool] | None:
    """What a method (or ``"faithfulness"``) typically takes for a variant, from the benchmark's table.

    Args:
        variant: The variant to explain.
        method: A key of [`METHODS`][resnext.explain.methods.METHODS], or ``"faithfulness"``.

    Returns:
        ``(seconds, measured)``: the measured time when the table has the variant's architecture,
        else the nearest measured architecture's time scaled by multiply-adds (``measured`` False);
        None when the table has nothing for the method.
    """
    measured = [(macs, row[method], same) for macs, row, same in _cost_rows(variant) if method in row]
    if not measured:
        return None
    for _, seconds, same in measured:
        if same:
            return seconds, True
    target = multiply_adds(variant)
    macs, seconds, _ = min(measured, key=lambda m: abs(math.log(target / m[0])))
    return seconds * target / macs, False


def _cost_rows(variant: Variant) -> list[tuple[int, dict, bool]]:
    """(multiply-adds, seconds per method, same network as ``variant``) for each measured variant."""
    rows = []
    for vid, row in _cost_table().items():
        try:
            measured = get_variant(vid)
        except ResNeXtError:  # measured on a variant this catalog does not have
            continue
        same = (measured.architecture, measured.image_size) == (variant.architecture, variant.image_size)
        rows.append((multiply_adds(measured), row, same))
    return rows


@functools.lru_cache(maxsize=1)
def _cost_table() -> dict[str, dict[str, float]]:
    try:
        return json.loads(COST_FILE.read_text(encoding="utf-8"))["variants"]
    except (OSError, ValueError, KeyError):
        return {}
