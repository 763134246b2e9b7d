"""Deletion/insertion faithfulness: its curves against a plain loop, and its mechanics on random weights."""

import numpy as np
import pytest
import torch
from scipy import ndimage

import resnext
from resnext.errors import ResNeXtError
from resnext.explain.attribution import explain
from resnext.explain.fidelity import _blur, phase_randomized


@pytest.fixture
def clf(tiny_env):
    return resnext.load_classifier("tiny_resnext14_2x2d")


def test_occlusion_map_deletes_faster_than_its_reverse(clf, sample_paths):
    for path in sample_paths:
        top = clf.predict(path, topk=1)[0].index
        saliency = explain(clf, path, "occlusion", top)
        faithful = resnext.faithfulness(clf, path, saliency, top)
        reverse = resnext.faithfulness(clf, path, 1.0 - saliency, top)
        assert faithful.deletion < reverse.deletion, path.name
        assert faithful.insertion > reverse.insertion, path.name


def test_curves_equal_a_plain_loop_over_the_steps(clf, sample_paths):
    path, steps = sample_paths[2], 4
    rng = np.random.default_rng(1)
    saliency = rng.random((224, 224)).astype(np.float32)
    score = resnext.faithfulness(clf, path, saliency, steps=steps)
    x = clf.batch(path)
    top = int(clf.probabilities(x)[0].argmax())
    assert score.class_index == top and score.fractions == (0.0, 0.25, 0.5, 0.75, 1.0)
    ranked = np.argsort(-saliency.ravel())  # no ties in a random map
    blurred = _blur(x)
    deletion, insertion = [], []
    for k in range(steps + 1):
        mask = torch.zeros(224 * 224)
        mask[torch.from_numpy(ranked[: round(k * 224 * 224 / steps)])] = 1
        mask = mask.reshape(1, 1, 224, 224)
        deletion.append(float(clf.probabilities(x * (1 - mask))[0, top]))
        insertion.append(float(clf.probabilities(blurred * (1 - mask) + x * mask)[0, top]))
    assert np.allclose(score.deletion_curve, deletion, atol=1e-5)
    assert np.allclose(score.insertion_curve, insertion, atol=1e-5)
    assert score.deletion_curve[0] == pytest.approx(float(clf.probabilities(x)[0, top]), abs=1e-5)
    assert score.deletion == pytest.approx(np.trapezoid(deletion, score.fractions), abs=1e-5)
    assert score.insertion == pytest.approx(np.trapezoid(insertion, score.fractions), abs=1e-5)


def test_random_baseline_has_the_maps_smoothness_not_its_layout():
    rng = np.random.default_rng(0)
    smooth = ndimage.gaussian_filter(rng.random((224, 224)), 12)
    rough = rng.random((224, 224))

    def roughness(m):  # how much neighbours differ, relative to how much the map varies
        return np.diff(m, axis=0).std() / m.std()

    for original in (smooth, rough):
        surrogate = phase_randomized(original, np.random.default_rng(3))
        assert surrogate.shape == original.shape and surrogate.dtype == np.float32
        assert 0.8 < roughness(surrogate) / roughness(original) < 1.25
        assert abs(np.corrcoef(surrogate.ravel(), original.ravel())[0, 1]) < 0.3
    assert roughness(phase_randomized(smooth, rng)) < roughness(phase_randomized(rough, rng)) / 5
    assert np.array_equal(phase_randomized(smooth, np.random.default_rng(3)),
                          phase_randomized(smooth, np.random.default_rng(3)))
    assert not phase_randomized(np.zeros((8, 8)), rng).any()


def test_bad_arguments_are_one_sentence(clf, sample_paths):
    with pytest.raises(ResNeXtError, match="map is 7x7 but the crop is 224x224"):
        resnext.faithfulness(clf, sample_paths[0], np.zeros((7, 7)))
    with pytest.raises(ResNeXtError, match="at least 2 steps"):
        resnext.faithfulness(clf, sample_paths[0], np.zeros((224, 224)), steps=1)
    with pytest.raises(ResNeXtError, match="Class 5000 does not exist"):
        resnext.faithfulness(clf, sample_paths[0], np.zeros((224, 224)), class_index=5000)
