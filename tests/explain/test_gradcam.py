"""Grad-CAM against Captum as the oracle, on a hand-checkable network, and under threads."""

import concurrent.futures

import numpy as np
import pytest
import torch
from captum.attr import LayerAttribution, LayerGradCam
from torch import nn

import resnext
from resnext.explain.attribution import explain
from resnext.explain.gradcam import cam_from_features, captum_cam, normalize_cam
from resnext.explain.visualize import heatmap, overlay
from resnext.inference.engine import Backbone


@pytest.fixture
def clf(tiny_env):
    return resnext.load_classifier("tiny_resnext14_2x2d")


def _captum_reference(clf, image, layer, target):
    x = clf.batch(image)
    attr = LayerGradCam(clf.model, getattr(clf.model, layer)).attribute(x, target=target, relu_attributions=True)
    up = LayerAttribution.interpolate(attr, (224, 224), interpolate_mode="bilinear")[0, 0].detach()
    span = up.max() - up.min()
    return None if span == 0 else ((up - up.min()) / span).numpy()


@pytest.mark.parametrize("layer", ["layer1", "layer2", "layer3", "layer4"])
def test_matches_captum_run_directly(clf, sample_paths, layer):
    compared = 0
    for path in sample_paths[:3]:
        for target in [p.index for p in clf.predict(path, topk=8)]:
            ours = explain(clf, path, "gradcam", class_index=target, layer=layer)
            ref = _captum_reference(clf, path, layer, target)
            assert ours.dtype == np.float32 and ours.shape == (224, 224)
            assert ours.min() >= 0.0 and ours.max() <= 1.0
            if ref is None:  # no positive evidence anywhere: both maps are flat
                assert not ours.any()
                continue
            compared += 1
            assert np.corrcoef(ours.ravel(), ref.ravel())[0, 1] >= 0.999
    assert compared >= 3


def test_closed_form_equals_captum_on_the_last_stage(clf, sample_paths):
    for path in sample_paths:
        x = clf.batch(path)
        with torch.no_grad():
            features = Backbone(clf.model)(x)
        for target in [p.index for p in clf.predict(path, topk=5)] + [0, 999]:
            ours = cam_from_features(features[0], clf.model.fc.weight, target)
            ref = LayerGradCam(clf.model, clf.model.layer4).attribute(x, target=target, relu_attributions=True)
            # Equal up to float32 rounding, which scales with the sum of |terms| of the 2048-term
            # dot product (these random weights make large terms cancel).
            h, w = features.shape[-2:]
            terms = torch.einsum("khw,k->hw", features[0].abs(), clf.model.fc.weight[target].abs()) / (h * w)
            scale = float(terms.max().clamp(min=1.0))
            assert float((ours - ref[0, 0]).abs().max()) <= 1e-5 * scale, (path.name, target)


def test_default_class_is_top1(clf, sample_paths):
    top1 = clf.predict(sample_paths[0], topk=1)[0].index
    np.testing.assert_array_equal(explain(clf, sample_paths[0], "gradcam"), explain(clf, sample_paths[0], "gradcam", class_index=top1))


def test_hand_checkable_network():
    # conv: A0 = x, A1 = -x; head: mean-pool, identity linear. For class 0 the gradient
    # w.r.t. A0 is 1/4 everywhere and 0 w.r.t. A1, so the map is ReLU(x / 4).
    conv = nn.Conv2d(1, 2, 1, bias=False)
    fc = nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor([1.0, -1.0]).view(2, 1, 1, 1))
        fc.weight.copy_(torch.eye(2))
    model = nn.Sequential(conv, nn.AdaptiveAvgPool2d(1), nn.Flatten(), fc).eval()
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).view(1, 1, 2, 2)
    expected = torch.tensor([[0.25, 0.5], [0.75, 1.0]])
    assert torch.allclose(captum_cam(model, conv, x, 0), expected)
    assert torch.equal(captum_cam(model, conv, x, 1), torch.zeros(2, 2))
    features = conv(x)[0].detach()
    assert torch.allclose(cam_from_features(features, fc.weight, 0), expected)
    scaled = normalize_cam(expected, (2, 2))
    np.testing.assert_allclose(scaled, [[0, 1 / 3], [2 / 3, 1]], atol=1e-6)
    assert not normalize_cam(torch.zeros(2, 2), (4, 4)).any()  # a flat map stays zero, not NaN


def test_model_is_left_as_it_was(clf, sample_paths):
    before = {k: v.clone() for k, v in clf.model.state_dict().items()}
    for layer in ("layer2", "layer4"):
        explain(clf, sample_paths[0], "gradcam", layer=layer)
    for m in clf.model.modules():
        assert not m._forward_hooks and not m._forward_pre_hooks and not m._backward_hooks
    assert not any(p.requires_grad for p in clf.model.parameters())
    assert all(p.grad is None for p in clf.model.parameters())
    after = clf.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_threads_get_the_sequential_results(clf, sample_paths):
    jobs = [(p, layer) for p in sample_paths for layer in ("layer3", "layer4")] * 2
    expected = [explain(clf, p, "gradcam", layer=layer) for p, layer in jobs]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda job: explain(clf, job[0], "gradcam", layer=job[1]), jobs))
    for a, b in zip(expected, got):
        np.testing.assert_array_equal(a, b)


def test_bad_layer_and_class(clf, sample_paths):
    with pytest.raises(resnext.ResNeXtError, match="layer"):
        explain(clf, sample_paths[0], "gradcam", layer="fc")
    with pytest.raises(resnext.ResNeXtError, match="0 to 999"):
        explain(clf, sample_paths[0], "gradcam", class_index=1000)


def test_overlay_blends_the_colormap_over_the_image():
    from PIL import Image

    image = Image.new("RGB", (50, 40), (0, 128, 0))
    cam = np.tile(np.linspace(0, 1, 8, dtype=np.float32), (8, 1))
    assert overlay(image, cam, alpha=0.0).tobytes() == image.tobytes()
    full = overlay(image, cam, alpha=1.0, colormap="jet")
    assert full.size == (50, 40)
    assert full.tobytes() == heatmap(cam, "jet", size=(50, 40)).tobytes()
    left, right = np.asarray(full)[20, 0], np.asarray(full)[20, -1]
    assert left[2] > left[0] and right[0] > right[2]  # jet: blue at 0, red at 1
    with pytest.raises(ValueError):
        overlay(image, cam, alpha=1.5)
    with pytest.raises(ValueError, match="colormap"):
        overlay(image, cam, colormap="nope")


def test_sixteen_concurrent_mixed_requests_match_sequential(clf, sample_paths):
    """Predictions and Grad-CAM (closed form and Captum) at once on one shared model."""
    jobs = [("predict", p, None) for p in sample_paths] + [
        ("cam", p, layer) for p in sample_paths[:3] for layer in ("layer2", "layer3", "layer4")]
    jobs = (jobs * 2)[:16]

    def run(job):
        kind, path, layer = job
        return clf.probabilities(path).numpy() if kind == "predict" else explain(clf, path, "gradcam", layer=layer)

    expected = [run(job) for job in jobs]
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        done, pending = concurrent.futures.wait(futures, timeout=120)
    assert not pending, "deadlock or starvation"
    for want, future in zip(expected, futures):
        np.testing.assert_array_equal(want, future.result())
    for m in clf.model.modules():
        assert not m._forward_hooks and not m._backward_hooks and not m._forward_pre_hooks
