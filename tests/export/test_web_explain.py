"""Occlusion and faithfulness in the browser's modules (web/src/explain/) on onnxruntime-web, in Node, against
the library's on the same network, photo and map: a real architecture (random weights), end to end."""

from __future__ import annotations

import json
import math
import subprocess

import numpy as np
import torch
from safetensors.torch import save_file

import resnext
from resnext.explain import explain, faithfulness
from resnext.explain.attribution import OCCLUSION_PER_EVAL, occlusion_window
from resnext.export import onnx_graph
from tests.apptest import SAMPLES
from tests.export.test_web_session import NODE, RUNTIME, VID
from tests.served import ROOT, unless_in_ci

pytestmark = unless_in_ci(NODE is None or not RUNTIME.exists(), "Node or web/node_modules (npm ci in web/) is missing")


def test_occlusion_and_faithfulness_on_onnxruntime_web_are_the_librarys(tiny_env, tmp_path):
    state = torch.load(tiny_env[VID], weights_only=True)
    # PyTorch's engine takes any size: a 64x80 part of the crop keeps the run short, and Captum's last
    # patches are cut at its edges.
    clf = resnext.load_classifier(VID, engine="torch", precision="fp32")
    x = clf.transform.to_tensor(np.asarray(clf.crop(SAMPLES / "chelsea.png")))[:, 80:144, 72:152].contiguous()
    top = int(clf.probabilities(x)[0].argmax())
    want = explain(clf, x, "occlusion", top)
    save_file({k: v.contiguous() for k, v in state.items()}, str(tmp_path / "model.safetensors"))
    (tmp_path / "model.onnx").write_bytes(onnx_graph(resnext.get_variant(VID)).SerializeToString())
    (tmp_path / "image.bin").write_bytes(x.numpy().astype(np.float32).tobytes())
    (tmp_path / "saliency.bin").write_bytes(want.astype(np.float32).tobytes())
    (tmp_path / "shape.json").write_text(json.dumps(list(x.shape)))
    (tmp_path / "task.json").write_text(json.dumps({"class": top, "contrast": None}))
    done = subprocess.run([NODE or "node", str(ROOT / "web" / "tools" / "explain-oracle.mjs"), str(tmp_path)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT / "web")
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])

    side, stride = occlusion_window(x.shape[-1])
    positions = math.prod(math.ceil((n - side) / stride) + 1 for n in x.shape[-2:])  # Captum's
    assert got["occlusionBatches"] == math.ceil((positions + 1) / OCCLUSION_PER_EVAL)
    mine = np.array(got["map"], dtype=np.float32).reshape(want.shape)
    print(f"occlusion: largest difference {np.abs(mine - want).max():.2e} over {want.size} pixels")
    np.testing.assert_allclose(mine, want, atol=1e-4)
    assert (want == 1).any() and (want == 0).any()

    theirs = faithfulness(clf, x, want, top)
    ours = got["faithfulness"]
    pairs = {"deletion": theirs.deletion, "insertion": theirs.insertion,
             "randomDeletion": theirs.random_deletion, "randomInsertion": theirs.random_insertion}
    print("faithfulness:", {k: f"{abs(ours[k] - v):.1e}" for k, v in pairs.items()})
    for key, value in pairs.items():
        assert abs(ours[key] - value) < 1e-3, key
    np.testing.assert_allclose(ours["deletionCurve"], theirs.deletion_curve, atol=1e-3)
    np.testing.assert_allclose(ours["insertionCurve"], theirs.insertion_curve, atol=1e-3)
