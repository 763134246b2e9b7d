"""A variant's network as a weight-free ONNX graph that reads its weights from the Hub's ``model.safetensors``.

The graph is built from the network the library runs ([`resnext.build_model`][resnext.catalog.architecture.build_model]
on the meta device, so no weight is touched): Conv, BatchNormalization (never folded: the weights stay the
file's own bytes), Relu, MaxPool, Add, GlobalAveragePool and Gemm, opset 17. Each initializer is
external data whose ``location`` is its tensor's name in the safetensors file, at offset 0 with
its whole length: a runtime hands over each tensor's bytes under its name (onnxruntime-web's
``externalData``, one entry per tensor, cut from the file by its header), so the graph does not
depend on how the file orders its tensors. It has two outputs: the logits and the last stage's
feature map, from which CAM (equal to Grad-CAM on the last stage) needs only the ``fc`` weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..catalog.architecture import build_model
from ..catalog.variant import Variant

if TYPE_CHECKING:
    import onnx

__all__ = ["FEATURES_OUTPUT", "IMAGE_INPUT", "LOGITS_OUTPUT", "OPSET", "onnx_graph"]

IMAGE_INPUT = "image"  # (batch, 3, height, width) float32, normalised as the variant's preprocessing says
LOGITS_OUTPUT = "logits"  # (batch, classes)
FEATURES_OUTPUT = "features"  # (batch, 2048, h, w): the last stage, before pooling
OPSET = 17
IR_VERSION = 8  # what onnxruntime-web and every onnxruntime since 1.10 read


def onnx_graph(variant: Variant) -> "onnx.ModelProto":
    """The variant's network as ONNX, its weights external (see the module's docstring).

    Args:
        variant: The variant (its depth, cardinality, width and classes shape the graph).

    Returns:
        The model; ``.SerializeToString()`` gives the same bytes for the same variant every time.
    """
    from onnx import TensorProto, helper

    net = build_model(variant, "meta")
    shapes = {name: tuple(t.shape) for name, t in net.state_dict().items()}
    nodes: list = []
    initializers: list = []

    def weight(name: str) -> str:
        tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=shapes[name],
                             data_location=TensorProto.EXTERNAL)
        size = 4
        for d in shapes[name]:
            size *= d
        for key, value in (("location", name), ("offset", "0"), ("length", str(size))):
            tensor.external_data.add(key=key, value=value)
        initializers.append(tensor)
        return name

    def conv(x: str, prefix: str, module) -> str:
        out = f"{prefix}.out"
        pad_h, pad_w = module.padding
        nodes.append(helper.make_node(
            "Conv", [x, weight(f"{prefix}.weight")], [out], name=prefix, kernel_shape=list(module.kernel_size),
            strides=list(module.stride), pads=[pad_h, pad_w, pad_h, pad_w], group=module.groups,
            dilations=list(module.dilation)))
        return out

    def norm(x: str, prefix: str, module) -> str:
        out = f"{prefix}.out"
        nodes.append(helper.make_node(
            "BatchNormalization", [x] + [weight(f"{prefix}.{p}") for p in ("weight", "bias", "running_mean",
                                                                            "running_var")],
            [out], name=prefix, epsilon=module.eps))
        return out

    def relu(x: str, name: str) -> str:
        nodes.append(helper.make_node("Relu", [x], [f"{name}.relu"], name=f"{name}.relu"))
        return f"{name}.relu"

    x = relu(norm(conv(IMAGE_INPUT, "conv1", net.conv1), "bn1", net.bn1), "stem")
    pool = net.maxpool
    nodes.append(helper.make_node("MaxPool", [x], ["stem.pool"], name="maxpool", kernel_shape=[pool.kernel_size] * 2,
                                  strides=[pool.stride] * 2, pads=[pool.padding] * 4))
    x = "stem.pool"
    for stage in ("layer1", "layer2", "layer3", "layer4"):
        for i, block in enumerate(getattr(net, stage)):
            p = f"{stage}.{i}"
            y = relu(norm(conv(x, f"{p}.conv1", block.conv1), f"{p}.bn1", block.bn1), f"{p}.1")
            y = relu(norm(conv(y, f"{p}.conv2", block.conv2), f"{p}.bn2", block.bn2), f"{p}.2")
            y = norm(conv(y, f"{p}.conv3", block.conv3), f"{p}.bn3", block.bn3)
            skip = x if block.downsample is None else norm(
                conv(x, f"{p}.downsample.0", block.downsample[0]), f"{p}.downsample.1", block.downsample[1])
            nodes.append(helper.make_node("Add", [y, skip], [f"{p}.sum"], name=f"{p}.add"))
            x = relu(f"{p}.sum", p)
    nodes.append(helper.make_node("Identity", [x], [FEATURES_OUTPUT], name="features"))
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"], name="avgpool"))
    nodes.append(helper.make_node("Flatten", ["pooled"], ["flat"], name="flatten", axis=1))
    nodes.append(helper.make_node("Gemm", ["flat", weight("fc.weight"), weight("fc.bias")], [LOGITS_OUTPUT],
                                  name="fc", transB=1))
    graph = helper.make_graph(
        nodes, variant.id,
        [helper.make_tensor_value_info(IMAGE_INPUT, TensorProto.FLOAT, ["batch", 3, "height", "width"])],
        [helper.make_tensor_value_info(LOGITS_OUTPUT, TensorProto.FLOAT, ["batch", shapes["fc.weight"][0]]),
         helper.make_tensor_value_info(FEATURES_OUTPUT, TensorProto.FLOAT,
                                       ["batch", shapes["fc.weight"][1], "feature_height", "feature_width"])],
        initializer=initializers)
    model = helper.make_model(graph, producer_name="resnext", opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    helper.set_model_props(model, {"variant": variant.id, "weights": "model.safetensors"})
    return model
