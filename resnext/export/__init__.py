"""What the library hands to other runtimes: each variant's network as a weight-free ONNX graph, and the catalog as JSON.

- ``graph``: :func:`onnx_graph`, the network as ONNX operators whose initializers name their
  bytes in the variant's ``model.safetensors`` (external data, one entry per tensor), with
  BatchNorm kept as it is, so that the Hub's file is the only copy of the weights.
- ``gradient``: :func:`onnx_gradient_graph`, the network's input gradient (plain, guided, or
  DeepLIFT's rescale rule) as a backward pass of forward operators, weight-free in the same way,
  since onnxruntime-web computes no gradients.
- ``catalog``: :func:`catalog_json`, every variant's figures from the model-index, for a front end
  that must not retype a number, with the published measurements and claims (``resnext.published``)
  and ImageNet's synset ids (``resnext.bulk``, which names a labelled folder's classes by them).
- ``space``: :func:`write_static_space`, a static Space folder: the built browser edition and the
  README whose front matter configures it (COOP/COEP headers, the models it loads, their licences).

May import: the core (``catalog``, ``architecture``, ``preprocess``, ``labels``, ``hub``,
``errors``), ``published`` and ``bulk`` (for their data); ``onnx`` only inside
:mod:`resnext.export.graph` and :mod:`resnext.export.gradient`. Knows nothing of the other parts or of
any front end.
"""

from __future__ import annotations

from .catalog import catalog_json
from .gradient import InputGradient, onnx_gradient_graph
from .graph import FEATURES_OUTPUT, LOGITS_OUTPUT, onnx_graph
from .space import space_readme, write_static_space

__all__ = ["FEATURES_OUTPUT", "LOGITS_OUTPUT", "InputGradient", "catalog_json", "onnx_gradient_graph", "onnx_graph",
           "space_readme", "write_static_space"]
