"""What the variants are: their facts from the model-index, their classes, their networks and what they cost.

- ``variant``: [`Variant`][resnext.catalog.variant.Variant] and its family, plain frozen data;
- ``model_index``: one model-index entry read as a variant;
- ``index``: the catalog, every model-index file parsed once
  ([`list_variants`][resnext.catalog.index.list_variants], [`get_variant`][resnext.catalog.index.get_variant]);
- ``labels``: the class names a variant predicts;
- ``cost``: the multiply-adds of a variant's network, from its architecture alone;
- ``architecture``: the network itself, torchvision's ResNet shaped by the variant, without weights;
- ``compare``: how two variants' answers agree, and which variants are worth their cost (NumPy only).

May import: the base only (``resnext.errors``, ``resnext.environment``). Every other part reads the
catalog; nothing here loads weights, and only ``architecture`` (and ``labels``, on first use)
imports torch, so pages that show figures stay light.
"""

__all__ = ["architecture", "compare", "cost", "index", "labels", "model_index", "variant"]
