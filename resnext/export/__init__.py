"""What the library hands to other runtimes: each network as a weight-free ONNX graph, and the catalog as JSON.

- ``graph``: [`onnx_graph`][resnext.export.graph.onnx_graph], the network as ONNX operators whose initializers name
  their bytes in the variant's ``model.safetensors`` (external data, one entry per tensor), with
  BatchNorm kept as it is, so that the Hub's file is the only copy of the weights.
- ``catalog``: [`catalog_json`][resnext.export.catalog.catalog_json], every variant's figures from the model-index, for
  a front end that must not retype a number.
- ``space``: [`write_static_space`][resnext.export.space.write_static_space], a static Space folder: the built browser
  edition and the README whose front matter configures it (COOP/COEP headers, the models it loads, their licences).

May import: ``resnext.catalog``, ``resnext.weights`` (the Hub's names) and ``resnext.inference``
(the preprocessing), and the base; ``onnx`` only inside [`resnext.export.graph`][]. Knows nothing of
the other parts or of any front end.
"""

from __future__ import annotations

from .catalog import catalog_json
from .graph import FEATURES_OUTPUT, LOGITS_OUTPUT, onnx_graph
from .space import space_readme, write_static_space

__all__ = ["FEATURES_OUTPUT", "LOGITS_OUTPUT", "catalog_json", "onnx_graph", "space_readme", "write_static_space"]
