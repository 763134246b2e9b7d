"""The input-gradient graphs (:mod:`resnext.export.gradient`): their size, operators, speed and accuracy.

    python -m benchmarks.gradient [--out assets/gradient_graphs.json] [--variant ID] [--size 224]

On the variant's real architecture with seeded random weights (BatchNorm calibrated on the sample
photos, as the tests' checkpoints are): each rule's weight-free graph (bytes, operators), its
onnxruntime time on one 224 px image against the forward graph's, and integrated gradients' batch
of scaled images; then each method's map, post-processed as the library does, from the torch
module, from onnxruntime and from the module in fp64, against the library's (Captum's) map, and why DeepLIFT's MaxPool
passes its plain gradient. The manual draws the JSON.
"""

from __future__ import annotations

import argparse
import collections
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

import resnext
from benchmarks.explain import _median  # a warm-up, then the median of the repeats
from benchmarks.figures import save
from resnext.catalog.architecture import build_model
from resnext.catalog.index import ASSETS_DIR
from resnext.inference.classifier import Classifier
from resnext.explain.attribution import Scores, distinct_activations, explain, pixel_map
from resnext.explain.gradcam import cam_from_features
from resnext.explain.methods import IG_STEPS
from resnext.export.gradient import RULES, InputGradient, integrated_gradients_steps, onnx_gradient_graph
from resnext.export.graph import onnx_graph

OUT = ASSETS_DIR / "gradient_graphs.json"
METHOD_RULE = {"guided_gradcam": "guided", "integrated_gradients": "gradient", "deeplift": "deeplift"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gradient", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--variant", default="swsl_resnext50_32x4d")
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    from tests.factory import random_state_dict

    variant = resnext.get_variant(args.variant)
    model = build_model(variant, "cpu")
    model.load_state_dict(random_state_dict(model, seed=50))
    clf = Classifier(variant, model, [str(i) for i in range(variant.num_classes)], engine="torch", warm=False)
    x = torch.randn(1, 3, args.size, args.size, generator=torch.Generator().manual_seed(2))
    class_index = int(clf._head(clf.engine(x))[0].argmax())
    w = torch.zeros(1, variant.num_classes)
    w[0, class_index] = 1.0
    with tempfile.TemporaryDirectory() as folder:
        sessions = {name: _session(graph, model, Path(folder) / name) for name, graph in
                    [("forward", onnx_graph(variant))] + [(r, onnx_gradient_graph(variant, r)) for r in RULES]}
        graphs = {r: _describe(Path(folder) / r / "model.onnx") for r in ["forward", *RULES]}
        feeds = {r: {"image": x.numpy(), "class_weights": w.numpy(),
                     **({"baseline": np.zeros_like(x.numpy())} if r == "deeplift" else {})} for r in RULES}
        alphas, weights = integrated_gradients_steps(IG_STEPS)
        scaled = {"image": np.concatenate([a * x.numpy() for a in alphas]),
                  "class_weights": np.repeat(w.numpy(), len(alphas), 0)}
        seconds = {"forward": _median(lambda: sessions["forward"].run(None, {"image": x.numpy()}), args.repeats)}
        seconds.update({r: _median(lambda r=r: sessions[r].run(None, feeds[r]), args.repeats) for r in RULES})
        seconds[f"integrated_gradients ({IG_STEPS} images)"] = _median(
            lambda: sessions["gradient"].run(None, scaled), 1)
        web_seconds = _web_seconds(Path(folder), model, feeds, x)
        runtime = {r: (lambda r=r: (lambda *a: torch.from_numpy(sessions[r].run(None, dict(zip(
            ["image", "class_weights", "baseline"], [t.numpy() for t in a])))[0]))) for r in RULES}
        methods = {}
        exact = _double(model)
        for method, rule in METHOD_RULE.items():
            library = explain(clf, x, method, class_index=class_index)
            with torch.no_grad():
                ours = _map(clf, x, w, method, lambda *a, r=rule: InputGradient(model, r)(*a))
                web = _map(clf, x, w, method, runtime[rule]())
                fp64 = _map(clf, x, w, method,
                            lambda *a, r=rule: InputGradient(exact, r)(*(t.double() for t in a)).float())
            # fp64 is the yardstick: how far any fp32 runtime's map may be from the library's.
            methods[method] = {"rule": rule, "module_vs_library": _diff(ours, library),
                               "onnxruntime_vs_library": _diff(web, library), "fp64_vs_library": _diff(fp64, library)}
            print(method, methods[method])
    with torch.no_grad():
        g32 = InputGradient(model)(x, w)
        g64 = InputGradient(exact)(x.double(), w.double())
    report = {
        "variant": variant.id, "image_size": args.size, "repeats": args.repeats, "graphs": graphs,
        "onnxruntime_seconds": seconds, "onnxruntime_web_seconds": web_seconds, "methods": methods,
        "fp32_gradient_vs_fp64": float((g32.double() - g64).abs().max() / g64.abs().max()),
        "deeplift_maxpool": _deeplift_maxpool(clf, x, class_index),
    }
    print(report)
    save(args.out, report)
    return 0


def _map(clf: Classifier, x: torch.Tensor, w: torch.Tensor, method: str,
         gradient: Callable[..., torch.Tensor]) -> np.ndarray:
    """A method's map from an input-gradient runner, post-processed as the library does."""
    if method == "guided_gradcam":
        cam = cam_from_features(clf.engine(x)[0], w @ clf.model.fc.weight, 0)[None, None]
        up = F.interpolate(cam, size=tuple(x.shape[-2:]), mode="bilinear", align_corners=False)
        return pixel_map(gradient(x, w) * up, signed=False)
    if method == "deeplift":
        return pixel_map(x * gradient(x, w, torch.zeros_like(x)), signed=True)
    alphas, weights = integrated_gradients_steps(IG_STEPS)
    grads = gradient(torch.cat([a * x for a in alphas]), w.expand(len(alphas), -1))
    return pixel_map(x * (grads * torch.tensor(weights)[:, None, None, None]).sum(0, keepdim=True), signed=True)


def _deeplift_maxpool(clf: Classifier, x: torch.Tensor, class_index: int) -> dict[str, float]:
    """Captum's DeepLIFT as the library runs it, without its MaxPool rule, and with that rule taking effect.

    Captum hooks tensors: the stem ReLU's hook reads the gradient of its output before the
    MaxPool's hook, on the same tensor, rewrites it. A copy between the two gives the MaxPool its
    own input tensor, so that the rewrite reaches the ReLU.
    """
    from captum.attr import DeepLift
    from captum.attr._core import deep_lift

    scores = Scores(clf.model, clf._head, class_index)

    def captum() -> torch.Tensor:
        with distinct_activations(clf.model):
            return DeepLift(scores).attribute(x.clone().requires_grad_(), baselines=torch.zeros_like(x), target=0)

    library = captum()
    rule = deep_lift.SUPPORTED_NON_LINEAR.pop(torch.nn.MaxPool2d)
    try:
        without_rule = captum()
    finally:
        deep_lift.SUPPORTED_NON_LINEAR[torch.nn.MaxPool2d] = rule
    pool = clf.model.maxpool
    clf.model.maxpool = torch.nn.Sequential(_Copy(), pool)
    try:
        effective = captum()
    finally:
        clf.model.maxpool = pool
    scale = float(library.detach().abs().max())
    return {"library_vs_without_maxpool_rule": float((library - without_rule).abs().max()) / scale,
            "library_vs_maxpool_rule_in_effect": float((library - effective).abs().max()) / scale}


class _Copy(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.clone()


def _web_seconds(folder: Path, model, feeds: dict, x: torch.Tensor) -> dict[str, float]:
    """Seconds of one run of each graph in onnxruntime-web (WebAssembly, one thread, in Node): the first run."""
    import json
    import shutil
    import subprocess

    from safetensors.torch import save_file

    from tests.served import ROOT

    node = shutil.which("node")
    if node is None or not (ROOT / "web" / "node_modules" / "onnxruntime-web").exists():
        return {}
    weights = folder / "model.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
    out = {}
    for name, output, inputs in [("forward", "logits", {"image": x.numpy()})] + [(r, "gradient", feeds[r]) for r in RULES]:
        run = folder / f"web-{name}"
        run.mkdir()
        (run / "model.onnx").write_bytes((folder / name / "model.onnx").read_bytes())
        (run / "model.safetensors").symlink_to(weights)
        for key, value in inputs.items():
            (run / f"{key}.bin").write_bytes(np.ascontiguousarray(value, dtype=np.float32).tobytes())
        (run / "inputs.json").write_text(json.dumps({k: list(v.shape) for k, v in inputs.items()}))
        done = subprocess.run([node, str(ROOT / "web" / "tools" / "gradient-oracle.mjs"), str(run), output],
                              capture_output=True, text=True, timeout=900, cwd=ROOT / "web")
        out[name] = round(json.loads(done.stdout.strip().splitlines()[-1])["seconds"], 3)
        print("onnxruntime-web", name, out[name])
    return out


def _double(model):
    import copy

    return copy.deepcopy(model).double()


def _session(graph, model, folder: Path):
    """onnxruntime on a weight-free graph, each external tensor written under its own name."""
    import onnxruntime as ort

    folder.mkdir(parents=True)
    state = model.state_dict()
    for init in graph.graph.initializer:
        (folder / init.name).write_bytes(state[init.name].numpy().tobytes())
    (folder / "model.onnx").write_bytes(graph.SerializeToString())
    return ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])


def _describe(path: Path) -> dict:
    import onnx

    graph = onnx.load(str(path), load_external_data=False)
    ops = collections.Counter(n.op_type for n in graph.graph.node)
    return {"bytes": path.stat().st_size, "opset": graph.opset_import[0].version, "operators": dict(sorted(ops.items()))}


def _diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max())


if __name__ == "__main__":
    raise SystemExit(main())
