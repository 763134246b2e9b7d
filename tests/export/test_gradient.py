"""The backward pass written with forward operators gives autograd's gradient, the library's (Captum's) maps, and runs in onnxruntime."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

import resnext
from resnext.catalog.architecture import build_model
from resnext.inference.classifier import Classifier
from resnext.inference.engine import Backbone
from resnext.explain.attribution import explain, pixel_map
from resnext.explain.gradcam import cam_from_features
from resnext.explain.methods import IG_STEPS
from resnext.export.graph import IMAGE_INPUT
from resnext.export.gradient import (BASELINE_INPUT, CLASS_INPUT, GRADIENT_OUTPUT, InputGradient,
                                     integrated_gradients_steps, onnx_gradient_graph)
from tests.factory import _tiny_variant, random_state_dict
from tests.served import ROOT, in_ci

VID = "swsl_resnext50_32x4d"
NODE = shutil.which("node")
RUNTIME = ROOT / "web" / "node_modules" / "onnxruntime-web"

SIZE = 64  # every method here works on any size; the network's own is 224


@pytest.fixture(scope="module")
def clf():
    """ResNeXt-50 with seeded random weights, BatchNorm calibrated on the samples (tests/factory.py)."""
    variant = resnext.get_variant(VID)
    model = build_model(variant, "cpu")
    model.load_state_dict(random_state_dict(model, seed=50))
    return Classifier(variant, model, [str(i) for i in range(variant.num_classes)], engine="torch", warm=False)


def _image(seed: int, batch: int = 1, height: int = SIZE, width: int = SIZE) -> torch.Tensor:
    return torch.randn(batch, 3, height, width, generator=torch.Generator().manual_seed(seed))


def _weights(clf, class_index: int, contrast: int | None = None) -> torch.Tensor:
    w = torch.zeros(1, clf.model.fc.out_features)
    w[0, class_index] = 1.0
    if contrast is not None:
        w[0, contrast] = -1.0
    return w


def _map(clf, x: torch.Tensor, method: str, class_index: int, contrast: int | None) -> np.ndarray:
    """A method's map from the gradient module alone, post-processed as the library does."""
    w = _weights(clf, class_index, contrast)
    if method == "guided_gradcam":
        features = clf.engine(x)  # the forward graph's second output
        rows = w @ clf.model.fc.weight  # the explained combination of classifier rows
        cam = cam_from_features(features[0], rows, 0)[None, None]
        up = F.interpolate(cam, size=tuple(x.shape[-2:]), mode="bilinear", align_corners=False)
        return pixel_map(InputGradient(clf.model, "guided")(x, w) * up, signed=False)
    if method == "deeplift":
        baseline = torch.zeros_like(x)
        return pixel_map((x - baseline) * InputGradient(clf.model, "deeplift")(x, w, baseline), signed=True)
    alphas, weights = integrated_gradients_steps(IG_STEPS)
    grads = InputGradient(clf.model, "gradient")(torch.cat([a * x for a in alphas]), w.expand(len(alphas), -1))
    total = (grads * torch.tensor(weights)[:, None, None, None]).sum(0, keepdim=True)
    return pixel_map(x * total, signed=True)


def test_the_module_gives_autograds_input_gradient(clf):
    x = _image(0, batch=2, height=65, width=71)  # odd and uneven sides: every strided crop is exercised
    w = torch.randn(2, clf.model.fc.out_features, generator=torch.Generator().manual_seed(1))
    xg = x.clone().requires_grad_()
    with torch.enable_grad():
        expected, = torch.autograd.grad((clf._head(Backbone(clf.model)(xg)) * w).sum(), xg)
    with torch.no_grad():
        got = InputGradient(clf.model)(x, w)
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-4, atol=1e-4 * float(expected.abs().max()))


@pytest.mark.parametrize(("method", "contrast"), [("guided_gradcam", None), ("integrated_gradients", 7),
                                                  ("deeplift", None), ("deeplift", 7)])
def test_each_method_matches_the_library_to_1e_4(clf, method, contrast):
    side = SIZE // 2 if method == "integrated_gradients" else SIZE  # its 32 images: the longest here
    x = _image(2, height=side, width=side)
    expected = explain(clf, x, method, class_index=3, contrast=contrast)
    with torch.no_grad():
        got = _map(clf, x, method, 3, contrast)
    assert expected.max() > 0.5  # a real map, not an empty one
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_an_unknown_rule_is_one_sentence(clf):
    with pytest.raises(ValueError, match=r"^Unknown rule 'lrp'; use one of gradient, guided, deeplift\.$"):
        InputGradient(clf.model, "lrp")


def test_the_graph_is_the_same_bytes_every_time():
    variant = _tiny_variant("tiny_resnext14_2x2d")
    first = onnx_gradient_graph(variant, "deeplift")
    assert first.SerializeToString() == onnx_gradient_graph(variant, "deeplift").SerializeToString()
    assert [i.name for i in first.graph.input] == [IMAGE_INPUT, CLASS_INPUT, BASELINE_INPUT]


def _separated(model):
    """The same network with every ReLU's input kept away from 0, so that fp32 rounding flips no mask.

    A gradient through ReLUs is discontinuous where a pre-activation crosses 0: on the calibrated
    weights, torch's own fp32 gradient is about 2% off its fp64 one at 224 px (assets/gradient_graphs.json), and two fp32
    runtimes differ as much. Here BatchNorm's affine terms put every channel at +-1 (+1 before a
    residual sum) with a spread of 0.02, so the graph and the module must agree to rounding.
    """
    import copy

    net = copy.deepcopy(model)
    gen = torch.Generator().manual_seed(5)
    with torch.no_grad():
        for name, m in net.named_modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                last = name.endswith(("bn3", "downsample.1"))
                m.weight.fill_(0.02)
                m.bias.copy_(torch.ones_like(m.bias) if last else torch.randint(0, 2, m.bias.shape, generator=gen) * 2.0 - 1)
    return net


@pytest.mark.parametrize("rule", ["gradient", "deeplift"])  # guided is gradient's graph with one Relu more per ReLU
def test_the_weight_free_graph_runs_in_onnxruntime_and_its_web_build_as_the_module(clf, rule, tmp_path):
    import onnx
    import onnxruntime as ort
    from safetensors import safe_open

    model = onnx_gradient_graph(clf.variant, rule)
    net = _separated(clf.model)
    state = net.state_dict()
    names = {i.name for i in model.graph.initializer}
    assert names <= set(state) and all(i.data_location == 1 and not i.raw_data for i in model.graph.initializer)
    assert {e.key: e.value for e in model.graph.initializer[0].external_data}["location"] == \
        model.graph.initializer[0].name
    assert len(model.SerializeToString()) < 300_000
    save_file({k: v.contiguous() for k, v in state.items()}, str(tmp_path / "model.safetensors"))
    with safe_open(str(tmp_path / "model.safetensors"), "np") as f:  # each tensor cut from timm's file by name
        for name in names:
            (tmp_path / name).write_bytes(np.ascontiguousarray(f.get_tensor(name)).tobytes())
    (tmp_path / "model.onnx").write_bytes(model.SerializeToString())
    onnx.checker.check_model(str(tmp_path / "model.onnx"), full_check=True)
    x = _image(3, batch=2, height=SIZE - 1, width=SIZE + 3)  # batch, height and width are free
    x[1] = 0.7  # a flat photo (an overexposed sky): MaxPool windows of equal maxima pick the same argmax
    x[1, :, SIZE // 2:] = -0.3
    w = torch.randn(2, clf.model.fc.out_features, generator=torch.Generator().manual_seed(6))
    feeds = {IMAGE_INPUT: x, CLASS_INPUT: w}
    if rule == "deeplift":
        feeds[BASELINE_INPUT] = 0.1 * _image(4, batch=2, height=SIZE - 1, width=SIZE + 3)
    with torch.no_grad():
        expected = InputGradient(net, rule)(*feeds.values()).numpy()
    tolerance = {"rtol": 1e-4, "atol": 1e-5 * float(np.abs(expected).max())}
    session = ort.InferenceSession(str(tmp_path / "model.onnx"), providers=["CPUExecutionProvider"])
    got, = session.run([GRADIENT_OUTPUT], {k: v.numpy() for k, v in feeds.items()})
    np.testing.assert_allclose(got, expected, **tolerance)
    if (NODE is None or not RUNTIME.exists()) and not in_ci():  # in CI, a missing Node fails below
        pytest.skip("Node or web/node_modules (npm ci in web/) is missing; onnxruntime (Python) agreed")
    for name, value in feeds.items():
        (tmp_path / f"{name}.bin").write_bytes(value.numpy().astype(np.float32).tobytes())
    (tmp_path / "inputs.json").write_text(json.dumps({k: list(v.shape) for k, v in feeds.items()}))
    done = subprocess.run([NODE or "node", str(ROOT / "web" / "tools" / "gradient-oracle.mjs"), str(tmp_path)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT / "web")
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert "error" not in answer, answer
    web = np.frombuffer((tmp_path / "gradient.bin").read_bytes(), dtype=np.float32).reshape(answer["dims"])
    np.testing.assert_allclose(web, expected, **tolerance)


def test_the_integrated_gradients_steps_are_captums():
    from captum.attr._utils.approximation_methods import approximation_parameters

    step_sizes, alphas = approximation_parameters("gausslegendre")
    assert integrated_gradients_steps(IG_STEPS) == (tuple(alphas(IG_STEPS)), tuple(step_sizes(IG_STEPS)))
