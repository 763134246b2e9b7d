"""Attribution methods against Captum run directly on timm's network with the same weights."""

import threading

import numpy as np
import pytest
import torch
from captum.attr import DeepLift, GuidedGradCam, IntegratedGradients, LayerGradCam, Occlusion
from torchvision.models.resnet import Bottleneck

import resnext
from resnext.errors import ResNeXtError
from resnext.explain.attribution import explain, IG_BATCH, IG_STEPS, METHODS, OCCLUSION_PER_EVAL, occlusion_window, pixel_map
from resnext.explain.gradcam import normalize_cam


@pytest.fixture
def clf(tiny_env):
    return resnext.load_classifier("tiny_resnext14_2x2d")


@pytest.fixture
def reference(tiny_env):
    """timm's ResNet with the tiny variant's block layout, holding the same checkpoint."""
    import timm.models.resnet as timm_resnet
    model = timm_resnet.ResNet(timm_resnet.Bottleneck, [1, 1, 1, 1], cardinality=2, base_width=2)
    model.load_state_dict(torch.load(tiny_env["tiny_resnext14_2x2d"], weights_only=True))
    return model.eval().requires_grad_(False)


def _timm_map(model, x, method, target, layer="layer4", contrast=None):
    """Captum on timm's network, post-processed as ours are."""
    forward, target = (model, target) if contrast is None else (_Difference(model, target, contrast), 0)
    x = x.clone().requires_grad_()
    if method == "gradcam":
        raw = LayerGradCam(forward, getattr(model, layer)).attribute(x, target=target, relu_attributions=True)
        return normalize_cam(raw[0, 0].detach(), tuple(x.shape[-2:]))
    if method == "guided_gradcam":
        attr = GuidedGradCam(forward, getattr(model, layer)).attribute(x, target=target, interpolate_mode="bilinear")
        return pixel_map(attr, signed=False)
    if method == "integrated_gradients":
        attr = IntegratedGradients(forward).attribute(x, baselines=torch.zeros_like(x), target=target,
                                                      n_steps=IG_STEPS, internal_batch_size=IG_BATCH)
        return pixel_map(attr, signed=True)
    if method == "deeplift":
        return pixel_map(DeepLift(forward).attribute(x, baselines=torch.zeros_like(x), target=target), signed=True)
    side, stride = occlusion_window(x.shape[-1])
    with torch.no_grad():
        attr = Occlusion(forward).attribute(x.detach(), sliding_window_shapes=(3, side, side), strides=(3, stride, stride),
                                            baselines=0.0, target=target, perturbations_per_eval=OCCLUSION_PER_EVAL)
    return pixel_map(attr, signed=True)


class _Difference(torch.nn.Module):
    """A network's logit for one class minus another's, as a module (guided backprop hooks its ReLUs)."""

    def __init__(self, model, first, second):
        super().__init__()
        self.model, self.first, self.second = model, first, second

    def forward(self, t):
        logits = self.model(t)  # once: Captum's layer hooks expect one pass through the layer
        return (logits[:, self.first] - logits[:, self.second])[:, None]


def _pearson(a, b):
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


@pytest.mark.parametrize(("method", "layer"), [
    ("gradcam", "layer4"), ("gradcam", "layer2"), ("guided_gradcam", "layer4"), ("guided_gradcam", "layer3"),
    ("integrated_gradients", "layer4"), ("deeplift", "layer4"), ("occlusion", "layer4"),
])
def test_every_method_matches_captum_on_timm(clf, reference, sample_paths, method, layer):
    compared = 0
    for path in sample_paths[1:3]:
        x = clf.batch(path)
        for pred in clf.predict(path, topk=2 if method != "occlusion" else 1):
            ours = explain(clf, path, method, pred.index, layer)
            assert ours.dtype == np.float32 and ours.shape == (224, 224)
            assert 0.0 <= ours.min() and ours.max() <= 1.0
            ref = _timm_map(reference, x, method, pred.index, layer)
            if not ref.any():  # no positive evidence anywhere
                assert not ours.any()
                continue
            compared += 1
            assert _pearson(ours, ref) >= 0.99, (path.name, pred.index)
    assert compared >= 2


@pytest.mark.parametrize("method", list(METHODS))
def test_contrast_is_the_difference_of_two_logits(clf, reference, sample_paths, method):
    path = sample_paths[1]
    first, second = (p.index for p in clf.predict(path, topk=2))
    x = clf.batch(path)
    for a, b in ((first, second), (second, first)):
        ours = explain(clf, path, method, a, contrast=b)
        ref = _timm_map(reference, x, method, a, contrast=b)
        assert ref.any() and _pearson(ours, ref) >= 0.99, (method, a, b)
    # "A rather than B" is not "A": the maps differ.
    assert _pearson(explain(clf, path, method, first, contrast=second), explain(clf, path, method, first)) < 0.999


def test_last_stage_contrast_uses_the_analyzed_features(clf, sample_paths):
    probs, features = clf.analyze(sample_paths[0])
    a, b = torch.topk(probs[0], 2).indices.tolist()
    with_features = explain(clf, sample_paths[0], "gradcam", a, contrast=b, features=features[0])
    assert np.allclose(with_features, explain(clf, sample_paths[0], "gradcam", a, contrast=b), atol=1e-6)


def _snapshot(model):
    return {
        "modules": [(name, id(m)) for name, m in model.named_modules()],
        "instance_forwards": [name for name, m in model.named_modules() if "forward" in m.__dict__],
        "hooks": sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
                     + len(getattr(m, "_backward_pre_hooks", {})) for m in model.modules()),
        "inplace": [m.inplace for m in model.modules() if isinstance(m, torch.nn.ReLU)],
        "grad": any(p.requires_grad for p in model.parameters()),
        "state": {k: v.clone() for k, v in model.state_dict().items()},
    }


def test_shared_model_is_left_as_found_even_when_cancelled(clf, sample_paths):
    before = _snapshot(clf.model)
    assert any(isinstance(m, Bottleneck) for m in clf.model.modules())
    expected = clf.predict(sample_paths[0])
    for method in METHODS:
        explain(clf, sample_paths[0], method, layer="layer3")

    class Cancelled(Exception):
        pass

    def cancel(fraction):
        if fraction > 0:
            raise Cancelled

    for method in ("integrated_gradients", "occlusion"):
        with pytest.raises(Cancelled):
            explain(clf, sample_paths[0], method, progress=cancel)
    after = _snapshot(clf.model)
    assert {k: v for k, v in after.items() if k != "state"} == {k: v for k, v in before.items() if k != "state"}
    assert all(torch.equal(before["state"][k], v) for k, v in after["state"].items())
    assert clf.predict(sample_paths[0]) == expected
    assert clf._lock.acquire(blocking=False)  # a cancelled method released the lock
    clf._lock.release()


def test_progress_reaches_the_end(clf, sample_paths):
    for method in ("integrated_gradients", "occlusion"):
        seen = []
        explain(clf, sample_paths[0], method, progress=seen.append)
        assert seen[0] == 0 and seen[-1] >= 0.75 and seen == sorted(seen), method


def test_threads_explaining_and_classifying_get_their_own_answers(clf, sample_paths):
    expected = {p: clf.predict(p) for p in sample_paths}
    maps = {p: explain(clf, p, "guided_gradcam") for p in sample_paths[:2]}
    errors = []

    def classify(path):
        for _ in range(3):
            if clf.predict(path) != expected[path]:
                errors.append(path)

    def explain_one(path):
        if not np.array_equal(explain(clf, path, "guided_gradcam"), maps[path]):
            errors.append(path)

    threads = [threading.Thread(target=classify, args=(p,)) for p in sample_paths]
    threads += [threading.Thread(target=explain_one, args=(p,)) for p in sample_paths[:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"method": "lime"}, "Unknown method 'lime'"), ({"layer": "layer9"}, "Unknown layer"),
    ({"class_index": 1000}, "Class 1000 does not exist"), ({"contrast": -1}, "Class -1 does not exist"),
])
def test_bad_arguments_are_one_sentence(clf, sample_paths, kwargs, words):
    with pytest.raises(ResNeXtError, match=words):
        explain(clf, sample_paths[0], **kwargs)


def test_pixel_map_scales_by_the_99th_percentile():
    attr = torch.zeros(1, 3, 10, 10)
    attr[0, 0] = torch.arange(100.0).reshape(10, 10)
    attr[0, 1, 0, 0] = -50.0  # negative evidence: dropped when signed, counted when not
    signed = pixel_map(attr, signed=True)
    assert signed[0, 0] == 0 and signed.max() == 1.0 and np.isclose(signed[5, 0], 50 / np.percentile(range(100), 99))
    assert pixel_map(attr, signed=False)[0, 0] > 0
    assert not pixel_map(torch.zeros(1, 3, 4, 4), signed=True).any()
