"""The probe, k-NN, LogME and the paired test against scikit-learn, brute force and direct formulas."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from resnext.errors import ResNeXtError
from resnext.transfer.logme import _maximise, evidence, logme
from resnext.transfer.probe import (C_GRID, compare_backbones, few_shot, folds_for, knn_loo, mcnemar,
                                    probe_cv)
from tests.transfer.conftest import clusters


def test_the_probe_equals_scikit_learn_on_the_same_folds():
    x, y = clusters(spread=3.0)
    folds = folds_for(y, 5, seed=1)
    predicted, accuracies = probe_cv(x, y, folds, seed=1)
    # The oracle: scikit-learn's own cross_val_predict with the same pipeline and the same splits.
    inner = StratifiedKFold(3, shuffle=True, random_state=1)
    oracle = make_pipeline(StandardScaler(), LogisticRegressionCV(
        Cs=list(C_GRID), cv=inner, l1_ratios=(0.0,), scoring="neg_log_loss", max_iter=2000,
        use_legacy_attributes=False))
    expected = cross_val_predict(oracle, x, y, cv=folds)
    np.testing.assert_array_equal(predicted, expected)
    assert accuracies == [float(np.mean(expected[t] == y[t])) for _, t in folds]


def test_every_backbone_meets_the_same_folds():
    x, y = clusters(spread=3.0)
    noisy = x + np.random.default_rng(5).normal(0, 3, x.shape)
    result = compare_backbones({"a": x, "b": noisy}, y, ["p", "q", "r"], folds=4, shots=(), seed=3)
    folds = folds_for(y, 4, seed=3)
    for score in result.scores:
        features = {"a": x, "b": noisy}[score.model]
        _, expected = probe_cv(features, y, folds, seed=3)
        assert list(score.fold_accuracies) == expected
    assert [len(t) for _, t in folds] == [len(t) for _, t in folds_for(y, 4, seed=3)]


def test_knn_equals_a_brute_force_count():
    x, y = clusters(n_per_class=8, spread=4.0, seed=2)
    got = knn_loo(x, y, k=3)
    for i in range(len(y)):
        sims = [(float(x[i] @ x[j] / np.linalg.norm(x[i]) / np.linalg.norm(x[j])), j) for j in range(len(y)) if j != i]
        nearest = [j for _, j in sorted(sims, key=lambda s: -s[0])[:3]]
        counts = {c: sum(y[j] == c for j in nearest) for c in set(y[nearest])}
        top = max(counts.values())
        expected = next(y[j] for j in nearest if counts[y[j]] == top)
        assert got[i] == expected, i


def test_logme_is_the_maximised_evidence_computed_directly():
    rng = np.random.default_rng(0)
    f = rng.normal(size=(40, 12))
    labels = rng.integers(0, 3, 40)
    u, s, _ = np.linalg.svd(f, full_matrices=False)
    per_class = []
    for k in range(3):
        y = (labels == k).astype(float)
        value, alpha, beta = _maximise(u, s ** 2, f.shape[1], y)
        assert value == pytest.approx(evidence(f, y, alpha, beta), rel=1e-9, abs=1e-9)
        for a, b in [(alpha * 1.1, beta), (alpha / 1.1, beta), (alpha, beta * 1.1), (alpha, beta / 1.1)]:
            assert evidence(f, y, a, b) < value  # a maximum, not just a fixed point
        per_class.append(value / len(y))
    assert logme(f, labels) == pytest.approx(np.mean(per_class), rel=1e-9)


def test_logme_with_more_features_than_images():
    rng = np.random.default_rng(1)
    f = rng.normal(size=(10, 30))
    y = (rng.integers(0, 2, 10)).astype(float)
    u, s, _ = np.linalg.svd(f, full_matrices=False)
    value, alpha, beta = _maximise(u, s ** 2, 30, y)
    assert value == pytest.approx(evidence(f, y, alpha, beta), rel=1e-8)


def test_logme_ranks_informative_features_first():
    x, y = clusters(spread=1.0)
    noise = np.random.default_rng(3).normal(size=x.shape)
    assert logme(x, y) > logme(noise, y)


def test_mcnemar_is_the_exact_binomial_test_on_discordant_pairs():
    a = np.array([1, 1, 1, 1, 1, 1, 0, 1, 0, 1], dtype=bool)
    b = np.array([0, 0, 0, 1, 0, 0, 0, 1, 1, 1], dtype=bool)
    assert mcnemar(a, b) == pytest.approx(binomtest(5, 6, 0.5).pvalue)
    assert mcnemar(a, a) == 1.0


def test_a_winner_is_named_only_when_the_paired_test_separates_it():
    x, y = clusters(n_per_class=40, spread=0.5)
    noise = np.random.default_rng(4).normal(size=x.shape)
    clear = compare_backbones({"good": x, "noise": noise}, y, ["a", "b", "c"], shots=())
    assert clear.winner == "good" and clear.p_value < 0.05 and "transfers best" in clear.verdict
    twins = compare_backbones({"one": x, "two": x.copy()}, y, ["a", "b", "c"], shots=())
    assert twins.winner is None and "cannot tell" in twins.verdict


def test_few_shot_draws_are_shared_and_stop_below_the_smallest_class():
    x, y = clusters(n_per_class=6)
    curve = few_shot({"a": x, "b": x.copy()}, y, shots=(1, 2, 5, 10), repeats=3)
    assert sorted(curve["a"]) == [1, 2, 5]  # 10 images per class would leave none to test
    assert curve["a"] == curve["b"]
    assert all(0 <= m <= 1 for m, _ in curve["a"].values())


def test_a_class_of_one_image_is_refused_in_one_sentence():
    x, y = clusters(n_per_class=3)
    with pytest.raises(ResNeXtError, match="at least two images"):
        compare_backbones({"a": x[:7]}, np.array([0, 0, 0, 1, 1, 1, 2]), ["a", "b", "c"])


def test_the_row_space_shortcut_is_the_plain_probe_when_features_outnumber_images():
    from sklearn.linear_model import LogisticRegression

    from resnext.transfer.probe import RowSpace, fit_probe

    x, y = clusters(n_per_class=15, dim=200, spread=6.0, seed=3)  # 45 images, 200 features
    z = StandardScaler().fit_transform(x)
    space = RowSpace().fit(z)
    assert space.basis_.shape == (200, 44)  # standardised rows sum to zero: rank n - 1
    tight = {"C": 10.0, "max_iter": 10000, "tol": 1e-10}
    short = LogisticRegression(**tight).fit(space.transform(z), y)
    plain = LogisticRegression(**tight).fit(z, y)
    np.testing.assert_allclose(short.coef_ @ space.basis_.T, plain.coef_, atol=1e-8)  # the same solution
    np.testing.assert_allclose(short.intercept_, plain.intercept_, atol=1e-8)
    ours = fit_probe(x, y)  # and the probe, at scikit-learn's default tolerance, answers as the plain one
    oracle = make_pipeline(StandardScaler(), LogisticRegression(C=ours[-1].C_, max_iter=5000)).fit(x, y)
    np.testing.assert_allclose(ours.predict_proba(x), oracle.predict_proba(x), atol=1e-3)
