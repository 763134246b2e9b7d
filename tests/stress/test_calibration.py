"""Calibration figures against torchmetrics and torch, and temperature scaling on data made to be
over-confident by a known factor (resnext.stress.calibration)."""

import numpy as np
import pytest
import torch
from torchmetrics.classification import MulticlassCalibrationError

from resnext.stress import calibration as cal


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _overconfident(n=4000, classes=10, factor=2.5, seed=0):
    """Labels drawn from softmax(z); the model reports softmax(factor·z): over-confident by ``factor``."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, classes)) * 1.5
    labels = np.array([rng.choice(classes, p=p) for p in _softmax(z)])
    return _softmax(factor * z), labels


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ece_equals_torchmetrics_with_15_bins(seed):
    rng = np.random.default_rng(seed)
    probs = _softmax(rng.normal(size=(500, 7)) * rng.uniform(0.5, 4))
    labels = rng.integers(0, 7, 500)
    oracle = MulticlassCalibrationError(num_classes=7, n_bins=15, norm="l1")
    expected = oracle(torch.from_numpy(probs).float(), torch.from_numpy(labels)).item()
    assert cal.ece(probs, labels) == pytest.approx(expected, abs=1e-6)


def test_nll_and_brier_by_their_definitions():
    rng = np.random.default_rng(3)
    probs = _softmax(rng.normal(size=(200, 5)))
    labels = rng.integers(0, 5, 200)
    expected_nll = torch.nn.functional.nll_loss(torch.log(torch.from_numpy(probs)), torch.from_numpy(labels)).item()
    assert cal.nll(probs, labels) == pytest.approx(expected_nll, rel=1e-9)
    onehot = np.eye(5)[labels]
    assert cal.brier(probs, labels) == pytest.approx(((probs - onehot) ** 2).sum(axis=1).mean())
    assert cal.brier(onehot, labels) == 0 and cal.nll(onehot, labels) == pytest.approx(0, abs=1e-9)


def test_reliability_bins_count_every_image_once():
    probs, labels = _overconfident(500)
    r = cal.reliability(probs, labels)
    assert len(r.edges) == 16 and r.count.sum() == 500
    full = r.count > 0
    assert np.all((r.confidence[full] > r.edges[:-1][full]) & (r.confidence[full] <= r.edges[1:][full]))


def test_temperature_scaling_finds_the_factor_and_helps_on_held_out_folds():
    probs, labels = _overconfident(factor=2.5)
    assert cal.fit_temperature(probs, labels) == pytest.approx(2.5, rel=0.08)
    c = cal.calibrate(probs, labels)
    assert c.after.ece < c.before.ece / 2 and c.after.nll < c.before.nll
    assert c.after.accuracy == c.before.accuracy  # a temperature never changes the top-1
    low, high = c.ece_interval
    assert low <= c.before.ece <= high and not c.few


def test_held_out_scaling_never_sees_the_images_it_scores():
    probs, labels = _overconfident(50, seed=4)
    fitted_on_all = cal.scaled(probs, cal.fit_temperature(probs, labels))
    held_out = cal.held_out(probs, labels, folds=5)
    # Fitted on everything, the NLL is the minimum over temperatures; held out, it cannot be lower.
    assert cal.nll(held_out, labels) >= cal.nll(fitted_on_all, labels) - 1e-9
    assert cal.calibrate(probs, labels).few


def test_a_calibrated_model_needs_no_temperature():
    probs, labels = _overconfident(factor=1.0, seed=5)
    assert cal.fit_temperature(probs, labels) == pytest.approx(1.0, rel=0.08)
    assert cal.ece(probs, labels) < 0.03
