"""A variant's input gradient as a weight-free ONNX graph: the backward pass written with forward operators.

onnxruntime-web computes no gradients, so :class:`InputGradient` writes the network's backward
pass out by hand, operator by operator, as a torch module whose ``forward`` is itself only
forward operators (convolution's backward is ``conv_transpose2d`` with the same groups, stride
and padding; eval BatchNorm's is a per-channel scale; ReLU's a mask from the stored activation;
MaxPool's a scatter to the argmax indices); :func:`onnx_gradient_graph` exports it as
:func:`resnext.export.onnx_graph` exports the forward pass, every initializer external data named
after its tensor in timm's ``model.safetensors``.

Three rules, one per family of Captum method the library offers (:mod:`resnext.explain`):

- ``gradient``: the plain gradient of ``class_weights @ logits`` with respect to the image;
  saliency, and, on a batch of scaled images, integrated gradients (Captum's
  ``IntegratedGradients``; :func:`integrated_gradients_steps` gives its alphas and weights).
- ``guided``: guided backpropagation (Captum's ``GuidedBackprop``: every ReLU passes only the
  positive part of its gradient), which Guided Grad-CAM multiplies with the upsampled Grad-CAM.
- ``deeplift``: DeepLIFT's rescale rule as Captum's ``DeepLift`` applies it to this network,
  from a ``baseline`` image: each ReLU's multiplier is ``(out - out_ref) / (in - in_ref)`` (its
  plain gradient where ``|in - in_ref| < 1e-10``). The stem's MaxPool passes its plain gradient:
  Captum does compute its own MaxPool rule, but hooks on tensors, and the stem ReLU's hook, on
  the same tensor and registered first, has already read the gradient it rescales before the
  MaxPool's hook rewrites it (where that rewrite would reach the ReLU, ``in == in_ref`` and the
  two rules agree). The output is the multiplier; the attribution is ``(image - baseline) *`` it.

The class to explain comes in as a weight per class (``class_weights``, shape (batch, classes)):
one-hot for a class, +1/-1 for the library's ``contrast``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import nn

from ..catalog.architecture import build_model
from ..catalog.variant import Variant
from .graph import IMAGE_INPUT, IR_VERSION, OPSET

if TYPE_CHECKING:
    import onnx
    from torchvision.models.resnet import ResNet

__all__ = ["BASELINE_INPUT", "CLASS_INPUT", "GRADIENT_OUTPUT", "RULES", "InputGradient", "integrated_gradients_steps",
           "onnx_gradient_graph"]

CLASS_INPUT = "class_weights"  # (batch, classes) float32: what combination of logits to explain
BASELINE_INPUT = "baseline"  # (batch, 3, height, width) float32: DeepLIFT's reference image
GRADIENT_OUTPUT = "gradient"  # (batch, 3, height, width): the gradient (or DeepLIFT's multiplier)
RULES = ("gradient", "guided", "deeplift")
DEEPLIFT_EPS = 1e-10  # Captum's: below this |in - in_ref|, a nonlinearity passes its plain gradient


class InputGradient(nn.Module):
    """The gradient of ``class_weights @ logits`` with respect to the image, from forward operators only.

    Args:
        model: The network (torchvision's ResNet with Bottleneck blocks, eval mode); it becomes a
            submodule, so this module's ``state_dict`` keys are the network's, under ``net.``.
        rule: One of :data:`RULES` (see the module's docstring).

    Raises:
        ValueError: An unknown rule.
    """

    def __init__(self, model: ResNet, rule: str = "gradient") -> None:
        super().__init__()
        if rule not in RULES:
            raise ValueError(f"Unknown rule {rule!r}; use one of {', '.join(RULES)}.")
        self.net = model
        self.rule = rule

    def forward(self, image: torch.Tensor, class_weights: torch.Tensor,
                baseline: torch.Tensor | None = None) -> torch.Tensor:
        """The input gradient (for ``deeplift``, the multiplier; ``baseline`` is then required)."""
        m = self.net
        x = image if self.rule != "deeplift" else torch.cat([image, baseline])
        stem = m.bn1(m.conv1(x))
        pooled, indices = F.max_pool2d(F.relu(stem), m.maxpool.kernel_size, m.maxpool.stride, m.maxpool.padding,
                                       return_indices=True)
        tape = []  # per block: (pre-activations of relu1, relu2, the output relu), and the block input
        y = pooled
        for block in (b for stage in (m.layer1, m.layer2, m.layer3, m.layer4) for b in stage):
            z1 = block.bn1(block.conv1(y))
            z2 = block.bn2(block.conv2(F.relu(z1)))
            skip = y if block.downsample is None else block.downsample(y)
            z3 = block.bn3(block.conv3(F.relu(z2))) + skip
            tape.append((block, y, z1, z2, z3))
            y = F.relu(z3)
        # Gemm and GlobalAveragePool backward: every position gets W^T w / (h * w).
        g = (class_weights @ m.fc.weight)[:, :, None, None] / (y.shape[-2] * y.shape[-1])
        g = g.expand(class_weights.shape[0], -1, y.shape[-2], y.shape[-1])
        for block, block_in, z1, z2, z3 in reversed(tape):
            g = self._relu(g, z3)
            skip = g if block.downsample is None else _conv_back(
                _norm_back(g, block.downsample[1]), block.downsample[0], block_in)
            h = _conv_back(_norm_back(g, block.bn3), block.conv3, z2)
            h = _conv_back(_norm_back(self._relu(h, z2), block.bn2), block.conv2, z1)
            g = _conv_back(_norm_back(self._relu(h, z1), block.bn1), block.conv1, block_in) + skip
        # MaxPool backward: each window's gradient summed onto its argmax (DeepLIFT too, see above).
        n = image.shape[0]
        g = torch.zeros_like(stem[:n]).flatten(2).scatter_add(2, indices[:n].flatten(2), g.flatten(2)).view_as(stem[:n])
        return _conv_back(_norm_back(self._relu(g, stem), m.bn1), m.conv1, image)

    def _relu(self, g: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """ReLU's backward under the rule, from its pre-activation ``z`` (both halves for DeepLIFT)."""
        if self.rule == "deeplift":
            z, z_ref = z.chunk(2)
            plain = torch.where(z > 0, g, torch.zeros_like(g))
            delta_in = z - z_ref
            rescaled = g * (F.relu(z) - F.relu(z_ref)) / delta_in
            return torch.where(delta_in.abs() < DEEPLIFT_EPS, plain, rescaled)
        plain = torch.where(z > 0, g, torch.zeros_like(g))
        return F.relu(plain) if self.rule == "guided" else plain


def _norm_back(g: torch.Tensor, norm: nn.BatchNorm2d) -> torch.Tensor:
    """Eval BatchNorm's backward: the per-channel scale ``weight / sqrt(running_var + eps)``."""
    return g * (norm.weight / torch.sqrt(norm.running_var + norm.eps))[:, None, None]


def _conv_back(g: torch.Tensor, conv: nn.Conv2d, conv_input: torch.Tensor) -> torch.Tensor:
    """Convolution's backward to its input: the transposed convolution, cropped to the input's size.

    A strided convolution forgets whether its input's side was even or odd; ``output_padding`` of
    ``stride - 1`` covers both and the crop keeps the input's own size.
    """
    out = F.conv_transpose2d(g, conv.weight, stride=conv.stride, padding=conv.padding,
                             output_padding=tuple(s - 1 for s in conv.stride), groups=conv.groups,
                             dilation=conv.dilation)
    if conv.stride == (1, 1):
        return out
    return out[:, :, : conv_input.shape[-2], : conv_input.shape[-1]]


def integrated_gradients_steps(steps: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Captum's Gauss-Legendre alphas and step weights for integrated gradients (its default method).

    Args:
        steps: The number of scaled images (the library's :data:`resnext.explain.methods.IG_STEPS`).

    Returns:
        ``(alphas, weights)``: the attribution is ``(x - baseline) * sum_i weights[i] *
        gradient(baseline + alphas[i] * (x - baseline))``; the Legendre nodes and weights moved
        from [-1, 1] to [0, 1], as Captum computes them.
    """
    import numpy as np

    nodes, weights = np.polynomial.legendre.leggauss(steps)
    return tuple((0.5 * (1 + nodes)).tolist()), tuple((0.5 * weights).tolist())


def onnx_gradient_graph(variant: Variant, rule: str = "gradient") -> "onnx.ModelProto":
    """:class:`InputGradient` as ONNX (opset 17), its weights external as :func:`resnext.export.onnx_graph`'s are.

    Inputs ``image`` and ``class_weights`` (and ``baseline`` for ``deeplift``), output ``gradient``;
    batch, height and width are free. Each initializer is a tensor of timm's ``model.safetensors``,
    named after it, external data at offset 0 with its whole length.

    Args:
        variant: The variant (its depth, cardinality, width and classes shape the graph).
        rule: One of :data:`RULES`.

    Returns:
        The model; the same bytes for the same variant and rule every time.

    Raises:
        ValueError: An unknown rule.
    """
    import io
    import warnings

    import onnx
    from onnx import TensorProto

    net = build_model(variant, "cpu")
    # The weights only shape the trace; distinct seeded values keep the exporter from merging
    # tensors that happen to be equal (a fresh network's BatchNorm statistics all are).
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for t in net.state_dict().values():
            if t.is_floating_point():
                t.copy_(torch.rand(t.shape, generator=gen) + 0.5)
    module = InputGradient(net, rule).eval()
    names = [IMAGE_INPUT, CLASS_INPUT] + ([BASELINE_INPUT] if rule == "deeplift" else [])
    image = torch.zeros(1, 3, 64, 64)
    args = (image, torch.zeros(1, net.fc.out_features)) + ((image,) if rule == "deeplift" else ())
    spatial = {0: "batch", 2: "height", 3: "width"}
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(module, args, buffer, input_names=names, output_names=[GRADIENT_OUTPUT],
                          opset_version=OPSET, do_constant_folding=False, dynamo=False,
                          dynamic_axes={**{n: spatial for n in names}, CLASS_INPUT: {0: "batch"},
                                        GRADIENT_OUTPUT: spatial})
    model = onnx.load_from_string(buffer.getvalue())
    shapes = {f"net.{k}": tuple(v.shape) for k, v in net.state_dict().items()}
    renamed = {}
    for tensor in model.graph.initializer:
        if tensor.name not in shapes:
            raise RuntimeError(f"The exported gradient graph holds {tensor.name}, which is not a weight.")
        name = renamed[tensor.name] = tensor.name.removeprefix("net.")
        size = 4 * int(torch.Size(shapes[tensor.name]).numel())
        tensor.Clear()
        tensor.name, tensor.data_type, tensor.data_location = name, TensorProto.FLOAT, TensorProto.EXTERNAL
        tensor.dims.extend(shapes[f"net.{name}"])
        for key, value in (("location", name), ("offset", "0"), ("length", str(size))):
            tensor.external_data.add(key=key, value=value)
    for node in model.graph.node:
        node.input[:] = [renamed.get(i, i) for i in node.input]
    model.ir_version = IR_VERSION
    model.producer_name, model.producer_version = "resnext", ""
    onnx.helper.set_model_props(model, {"variant": variant.id, "weights": "model.safetensors", "rule": rule})
    return model
