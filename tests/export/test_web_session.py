"""The browser edition's session (web/src/session.js) on onnxruntime-web, in Node: the library's answer from the Hub's file."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import torch
from safetensors.torch import save_file

import resnext
from resnext.export import onnx_graph
from tests.apptest import SAMPLES
from tests.served import ROOT, unless_in_ci

VID = "tiny_resnext14_2x2d"
NODE = shutil.which("node")
RUNTIME = ROOT / "web" / "node_modules" / "onnxruntime-web"
pytestmark = unless_in_ci(NODE is None or not RUNTIME.exists(), "Node or web/node_modules (npm ci in web/) is missing")


def _run(folder, state, x):
    save_file({k: v.contiguous() for k, v in state.items()}, str(folder / "model.safetensors"))
    (folder / "model.onnx").write_bytes(onnx_graph(resnext.get_variant(VID)).SerializeToString())
    (folder / "image.bin").write_bytes(x.numpy().astype(np.float32).tobytes())
    (folder / "shape.json").write_text(json.dumps(list(x.shape)))
    done = subprocess.run([NODE or "node", str(ROOT / "web" / "tools" / "session-oracle.mjs"), str(folder)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT / "web")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_onnxruntime_web_gives_the_librarys_answer_to_1e_4(tiny_env, tmp_path):
    state = torch.load(tiny_env[VID], weights_only=True)
    clf = resnext.load_classifier(VID)
    x = clf.transform.to_tensor(np.asarray(clf.crop(SAMPLES / "chelsea.png")))[None]
    got = _run(tmp_path, state, x)
    probabilities, features = clf.analyze(x)
    ours = torch.softmax(torch.tensor(got["logits"]), 0).numpy()
    np.testing.assert_allclose(ours, probabilities[0].numpy(), atol=1e-4)
    assert list(np.argsort(-ours)[:5]) == [p.index for p in clf.top(probabilities[0], 5)]
    np.testing.assert_allclose(np.array(got["features"]).reshape(got["dims"]), features.numpy(), rtol=1e-3, atol=1e-4)


def test_a_weights_file_without_a_tensor_is_one_sentence(tiny_env, tmp_path):
    state = torch.load(tiny_env[VID], weights_only=True)
    del state["layer4.0.conv2.weight"]
    got = _run(tmp_path, state, torch.zeros(1, 3, 64, 64))
    assert got["error"].startswith("model.safetensors does not hold this model's weights (")
    assert got["error"].endswith("the other models still work.") and "\n" not in got["error"]
