"""Inference against timm as the oracle, with the same random weights in both."""

import io

import pytest
import torch
from PIL import Image

import resnext
from resnext.errors import ImageError, ResNeXtError
from resnext.explain import explain
from resnext.inference.classifier import Prediction
from tests.factory import random_state_dict, save_checkpoint


@pytest.mark.parametrize(("vid", "seed"), [("swsl_resnext50_32x4d", 0), ("ssl_resnext101_32x4d", 1),
                                         ("tv2_resnext101_32x8d", 2), ("tv_resnext101_64x4d", 3)])
def test_top5_and_probabilities_match_timm(vid, seed, sample_paths, tmp_path):
    import timm
    from timm.data import create_transform, resolve_data_config

    v = resnext.get_variant(vid)
    reference = timm.create_model(v.timm_name, pretrained=False).eval()
    path = save_checkpoint(random_state_dict(reference, seed), tmp_path, vid)
    clf = resnext.load_classifier(vid, weights=path)
    config = resolve_data_config({}, model=reference, use_test_size=True)
    transform = create_transform(**config)

    images = [Image.open(p).convert("RGB") for p in sample_paths]
    with torch.no_grad():
        expected = torch.softmax(reference(torch.stack([transform(i) for i in images])), dim=1)
        # One image at a time takes predict's own path; two images show it (the batch above has them all).
        singles = [torch.softmax(reference(transform(i)[None]), dim=1)[0] for i in images[:2]]
    # End to end where timm preprocesses as the weights' authors do; on the same tensors where it does not
    # (ResNeXt-101 64x4d: torchvision resizes to 232, timm to 256; see test_preprocess).
    same = clf.transform.resize_to == int(config["input_size"][-1] / config["crop_pct"])
    inputs = list(sample_paths) if same else [transform(i) for i in images]
    assert float((clf.probabilities(inputs if same else torch.stack(inputs)) - expected).abs().max()) <= 1e-4
    tops = set()
    for source, row in zip(inputs, singles):  # zip stops at the two singles
        preds = clf.predict(source, topk=5)
        assert [p.index for p in preds] == torch.topk(row, 5).indices.tolist()
        assert all(abs(p.probability - float(row[p.index])) <= 1e-4 for p in preds)
        tops.add(preds[0].index)
    assert len(tops) > 1, "random weights should give image-dependent answers"


def test_predict_shapes_labels_and_inputs(tiny_env, sample_paths):
    clf = resnext.load_classifier("tiny_resnext14_2x2d")
    path = sample_paths[0]
    by_path = clf.predict(path, topk=3)
    assert len(by_path) == 3 and all(isinstance(p, Prediction) for p in by_path)
    assert by_path[0].label == resnext.catalog.labels.imagenet_labels()[by_path[0].index]
    assert [p.probability for p in by_path] == sorted((p.probability for p in by_path), reverse=True)
    assert clf.predict(path.read_bytes(), topk=3) == by_path
    assert clf.predict(Image.open(path), topk=3) == by_path
    assert clf.predict(io.BytesIO(path.read_bytes()), topk=3) == by_path

    batch = clf.predict(list(sample_paths), topk=5)
    assert len(batch) == len(sample_paths)
    for p, preds in zip(sample_paths, batch):
        single = clf.predict(p, topk=5)
        assert [x.index for x in preds] == [x.index for x in single]
        assert all(abs(a.probability - b.probability) < 1e-4 for a, b in zip(preds, single))
    probs = clf.probabilities(path)
    assert probs.shape == (1, 1000) and abs(float(probs.sum()) - 1) < 1e-5


def test_labels_are_torchvisions_imagenet_names():
    labels = resnext.catalog.labels.imagenet_labels()
    assert len(labels) == 1000 and labels[0] == "tench" and labels[258] == "Samoyed"


@pytest.mark.parametrize("engine", ["torch", "openvino"])
def test_bf16_computes_the_same_function(tiny_env, sample_paths, engine):
    fp32 = resnext.load_classifier("tiny_resnext14_2x2d", engine=engine)
    bf16 = resnext.load_classifier("tiny_resnext14_2x2d", precision="bf16", engine=engine)
    x = fp32.batch(list(sample_paths))
    fa, fb = fp32.engine(x), bf16.engine(x)
    relative = (fa - fb).flatten(1).norm(dim=1) / fa.flatten(1).norm(dim=1)
    assert float(relative.max()) < 0.05  # bf16 keeps 8 bits of mantissa
    pa, pb = fp32.probabilities(x), bf16.probabilities(x)
    assert pb.dtype == torch.float32 and bf16.model.fc.weight.dtype == torch.float32  # the head stays exact
    assert (pa.argmax(1) == pb.argmax(1)).float().mean() >= 0.8
    with pytest.raises(ResNeXtError, match="precision"):
        resnext.load_classifier("tiny_resnext14_2x2d", precision="int3")


@pytest.mark.parametrize("vid", ["swsl_resnext50_32x4d"])
def test_engines_agree_in_fp32(vid, tmp_path, isolated_env, sample_paths):
    """The default runtime is lossless: probabilities within 1e-4 of eager PyTorch."""
    import timm
    reference = timm.create_model(resnext.get_variant(vid).timm_name, pretrained=False)
    path = save_checkpoint(random_state_dict(reference, 3), tmp_path, vid)
    eager = resnext.load_classifier(vid, weights=path, engine="torch")
    runtime = resnext.load_classifier(vid, weights=path, engine="openvino")
    assert runtime.engine.name == "openvino"
    a, b = eager.probabilities(list(sample_paths)), runtime.probabilities(list(sample_paths))
    assert float((a - b).abs().max()) <= 1e-4
    assert torch.equal(a.topk(5).indices, b.topk(5).indices)
    # The converted model was cached beside the weights: a second load reads it.
    cached = list((isolated_env / "openvino").glob("*.xml"))
    assert len(cached) == 1 and cached[0].with_suffix(".bin").exists()


def test_bad_input_is_an_image_error(tiny_env):
    clf = resnext.load_classifier("tiny_resnext14_2x2d")
    with pytest.raises(ImageError):
        clf.predict(b"not an image")


def test_analyze_keeps_the_features_that_make_last_stage_gradcam_free(tiny_env, sample_paths):
    clf = resnext.load_classifier("tiny_resnext14_2x2d")
    _, x = clf.prepare(sample_paths[0])
    probabilities, features = clf.analyze(x)
    assert torch.equal(probabilities, clf.probabilities(x))
    assert features.shape[:2] == (1, clf.model.fc.in_features)
    calls = []
    engine = clf.engine
    clf.engine = lambda batch: calls.append(batch) or engine(batch)  # counts forward passes
    for class_index in (probabilities[0].argmax().item(), 7):
        with_features = explain(clf, x, "gradcam", class_index=class_index, features=features[0])
        assert len(calls) == 0  # no forward pass for the last stage
        without = explain(clf, x, "gradcam", class_index=class_index)
        assert torch.allclose(torch.from_numpy(with_features), torch.from_numpy(without), atol=1e-6)
        calls.clear()
