"""What the library hands to other runtimes: each network as a weight-free ONNX graph, and the catalog as JSON.

- ``graph``: [`onnx_graph`][resnext.export.graph.onnx_graph], the network as ONNX operators whose initializers name
  their bytes in the variant's ``model.safetensors`` (external data, one entry per tensor), with
  BatchNorm kept as it is, so that the Hub's file is the only copy of the weights.
- ``gradient``: [`onnx_gradient_graph`][resnext.export.gradient.onnx_gradient_graph], the network's input gradient
  (plain, guided, or DeepLIFT's rescale rule) as a backward pass of forward operators, weight-free in the same
  way, since onnxruntime-web computes no gradients.
- ``catalog``: [`catalog_json`][resnext.export.catalog.catalog_json], every variant's figures from the model-index, for
  a front end that must not retype a number, with the published measurements and claims, ImageNet's synset ids and
  the attribution methods.
- ``space``: [`write_static_space`][resnext.export.space.write_static_space], a static Space folder: the built browser
  edition and the README whose front matter configures it (COOP/COEP headers, the models it loads, their licences).

May import: ``resnext.catalog``, ``resnext.weights`` (the Hub's names), ``resnext.inference`` (the
preprocessing), ``resnext.bulk`` (the synset ids that name a labelled folder's classes),
``resnext.published`` (the measurements and claims) and ``resnext.explain`` (the methods' names, from its
metadata alone: no torch), and the base; ``onnx`` only inside
[`resnext.export.graph`][] and [`resnext.export.gradient`][]. Knows nothing of the other parts or of any
front end.
"""

from __future__ import annotations

from .catalog import catalog_json
from .gradient import InputGradient, onnx_gradient_graph
from .graph import FEATURES_OUTPUT, LOGITS_OUTPUT, onnx_graph
from .space import space_readme, write_static_space

__all__ = ["FEATURES_OUTPUT", "LOGITS_OUTPUT", "InputGradient", "catalog_json", "onnx_gradient_graph", "onnx_graph",
           "space_readme", "write_static_space"]
