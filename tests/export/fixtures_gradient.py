"""The fixture of ``web/test/explain-gradient.test.js``: the input-gradient graphs' answers on a tiny network, and Captum's attributions.

    python -m tests.export.fixtures_gradient   (writes web/test/fixtures/explain-gradient.json)

A ResNeXt-14 (2 groups of width 2) with torch's seeded default weights explains class 3 against
class 7 on a 6 x 6 image (33 x 35 for Guided Grad-CAM): what :class:`resnext.export.gradient.InputGradient` answers for each
method's graph (the integrated gradients' scaled batch, DeepLIFT's multipliers from the zero
baseline, the guided gradient, the last stage's raw Grad-CAM), and what the library's Captum calls
return, which the web module must rebuild from those answers.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import torch

from resnext.catalog.architecture import build_model
from resnext.explain.attribution import IG_BATCH, Scores, distinct_activations
from resnext.explain.gradcam import cam_from_features
from resnext.explain.methods import IG_STEPS
from resnext.export.gradient import InputGradient, integrated_gradients_steps
from tests.factory import _tiny_variant

from tests.export.fixtures import FOLDER

NAME = "explain-gradient.json"
CLASS, CONTRAST, SIDE = 3, 7, 6
GUIDED = (33, 35)  # a 2 x 2 last stage, so that Guided Grad-CAM's upsampling shows


def _numbers(t: torch.Tensor) -> list[float]:
    return [float(f"{v:.7g}") for v in t.detach().float().flatten().tolist()]


def write(folder: Path = FOLDER) -> Path:
    """Write the fixture; returns its path."""
    from captum.attr import DeepLift, GuidedGradCam, IntegratedGradients

    torch.manual_seed(0)
    net = build_model(_tiny_variant("tiny_resnext14_2x2d"), "cpu").eval().requires_grad_(False)
    x = torch.randn(1, 3, SIDE, SIDE, generator=torch.Generator().manual_seed(1))
    w = torch.zeros(1, net.fc.out_features)
    w[0, CLASS], w[0, CONTRAST] = 1.0, -1.0
    scores = Scores(net, lambda f: net.fc(torch.flatten(net.avgpool(f), 1)), CLASS, CONTRAST)
    alphas, weights = integrated_gradients_steps(IG_STEPS)
    zero = torch.zeros_like(x)
    with torch.no_grad():
        gradients = InputGradient(net)(torch.cat([a * x for a in alphas]), w.expand(len(alphas), -1))
        multipliers = InputGradient(net, "deeplift")(x, w, zero)
        big = torch.randn(1, 3, *GUIDED, generator=torch.Generator().manual_seed(2))
        guided = InputGradient(net, "guided")(big, w)
        cam = cam_from_features(scores.backbone(big)[0], w @ net.fc.weight, 0)
    with distinct_activations(net), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = {
            "integrated_gradients": IntegratedGradients(scores).attribute(
                x, baselines=zero, target=0, n_steps=IG_STEPS, internal_batch_size=IG_BATCH),
            "deeplift": DeepLift(scores).attribute(x.clone().requires_grad_(), baselines=zero, target=0),
            "guided_gradcam": GuidedGradCam(scores, net.layer4).attribute(
                big.clone().requires_grad_(), target=0, interpolate_mode="bilinear"),
        }
    fixture = {
        "shape": [3, SIDE, SIDE], "classes": net.fc.out_features, "class": CLASS, "contrast": CONTRAST,
        "image": _numbers(x), "alphas": list(alphas), "weights": list(weights), "batch": IG_BATCH,
        "gradients": _numbers(gradients), "multipliers": _numbers(multipliers),
        "guided": {"shape": [3, *GUIDED], "image": _numbers(big), "gradient": _numbers(guided),
                   "cam": {"raw": _numbers(cam), "h": cam.shape[0], "w": cam.shape[1]}},
        "expected": {k: _numbers(v) for k, v in expected.items()},
    }
    path = folder / NAME
    path.write_text(json.dumps(fixture) + "\n")
    return path


if __name__ == "__main__":
    print(write())
