"""Why a classifier answers as it does: attribution maps, their faithfulness, their pictures.

- ``methods``: the method table (names, costs); no torch, so pickers and ``--help`` stay light.
- ``gradcam``: Grad-CAM on any stage (closed form on the last one).
- ``attribution``: [`explain`][resnext.explain.attribution.explain], every method behind one call, Captum where it is
  the reference.
- ``fidelity``: [`faithfulness`][resnext.explain.fidelity.faithfulness], deletion and insertion against a random map
  like it.
- ``visualize``: heatmaps and overlays.

May import: ``resnext.catalog`` (costs, variants) and ``resnext.inference`` (the engine, the
preprocessing, the classifier for its type), and the base. Knows nothing of bulk runs, published
results or any front end.
Names are imported on first use, so ``from resnext.explain import METHODS`` loads no torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_LAZY = {
    "METHODS": "methods",
    "Method": "methods",
    "typical_seconds": "methods",
    "LAYERS": "gradcam",
    "Progress": "attribution",
    "explain": "attribution",
    "Faithfulness": "fidelity",
    "faithfulness": "fidelity",
    "COLORMAPS": "visualize",
    "heatmap": "visualize",
    "overlay": "visualize",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    from .attribution import Progress, explain
    from .fidelity import Faithfulness, faithfulness
    from .gradcam import LAYERS
    from .methods import METHODS, Method, typical_seconds
    from .visualize import COLORMAPS, heatmap, overlay
