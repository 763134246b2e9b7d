"""The weight-free ONNX graph, run by onnxruntime on the tensors of a safetensors file, answers as the library does."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save_file

import resnext
from resnext.export import FEATURES_OUTPUT, LOGITS_OUTPUT, onnx_graph
from tests.apptest import SAMPLES

VID = "tiny_resnext14_2x2d"


def _session(model, weights, folder):
    """onnxruntime on the graph, each external tensor cut from the safetensors file under its own name."""
    import onnx
    import onnxruntime as ort

    with safe_open(str(weights), "np") as f:
        for init in model.graph.initializer:
            (folder / init.name).write_bytes(np.ascontiguousarray(f.get_tensor(init.name)).tobytes())
    path = folder / "model.onnx"
    path.write_bytes(model.SerializeToString())
    onnx.checker.check_model(str(path), full_check=True)  # valid for its opset, IR version and external data
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


@pytest.fixture
def hub_file(tiny_env, tmp_path):
    """The tiny variant's checkpoint as timm's model.safetensors (running stats and all)."""
    state = torch.load(tiny_env[VID], weights_only=True)
    path = tmp_path / "model.safetensors"
    save_file({k: v.contiguous() for k, v in state.items()}, str(path))
    return path


def test_the_graph_answers_as_the_library_to_1e_4(hub_file, tmp_path):
    clf = resnext.load_classifier(VID, weights=hub_file)
    model = onnx_graph(clf.variant)
    (tmp_path / "ext").mkdir()
    session = _session(model, hub_file, tmp_path / "ext")
    x = torch.stack([clf.transform.to_tensor(np.asarray(clf.crop(p))) for p in sorted(SAMPLES.glob("*.png"))[:2]])
    logits, features = session.run([LOGITS_OUTPUT, FEATURES_OUTPUT], {"image": x.numpy()})
    probabilities, expected_features = clf.analyze(x)
    np.testing.assert_allclose(torch.softmax(torch.from_numpy(logits), 1).numpy(), probabilities.numpy(), atol=1e-4)
    np.testing.assert_allclose(features, expected_features.numpy(), rtol=1e-3, atol=1e-4)
    assert features.shape[1] == clf.model.fc.in_features


def test_the_graph_holds_no_weight_and_keeps_batchnorm(tiny_env):
    model = onnx_graph(resnext.get_variant(VID))
    ops = {n.op_type for n in model.graph.node}
    assert "BatchNormalization" in ops and all(i.data_location == 1 and not i.raw_data for i in model.graph.initializer)
    assert {e.key: e.value for e in model.graph.initializer[0].external_data}["location"] == \
        model.graph.initializer[0].name
    assert onnx_graph(resnext.get_variant(VID)).SerializeToString() == model.SerializeToString()  # repeatable
    assert len(model.SerializeToString()) < 50_000
