import numpy as np
import pytest

import resnext
from resnext.catalog.compare import js_divergence, map_correlation, pareto_front, topk_overlap


def test_js_divergence_bounds_and_symmetry():
    rng = np.random.default_rng(0)
    p, q = rng.dirichlet(np.ones(10)), rng.dirichlet(np.ones(10))
    assert js_divergence(p, p) == pytest.approx(0.0, abs=1e-12)
    assert js_divergence([1, 0], [0, 1]) == pytest.approx(1.0)
    assert js_divergence(p, q) == pytest.approx(js_divergence(q, p))
    # Hand-checked: p = (1, 0), q = (1/2, 1/2): m = (3/4, 1/4);
    # JS = 1/2 [log2(4/3)] + 1/2 [1/2 log2(2/3) + 1/2 log2(2)] = 0.3113 bits.
    assert js_divergence([1, 0], [0.5, 0.5]) == pytest.approx(0.31128, abs=1e-5)
    with pytest.raises(ValueError):
        js_divergence([1, 0], [1, 0, 0])


def test_topk_overlap_and_map_correlation():
    p = np.array([0.5, 0.2, 0.1, 0.1, 0.05, 0.05])
    q = p[::-1].copy()
    assert topk_overlap(p, p, 3) == 3
    assert topk_overlap(p, q, 2) == 0
    a = np.arange(16.0).reshape(4, 4)
    assert map_correlation(a, a) == pytest.approx(1.0)
    assert map_correlation(a, -a) == pytest.approx(-1.0)
    assert map_correlation(a, np.zeros((4, 4))) is None


def test_pareto_front_small_and_real():
    #        cheap&good  dominated  expensive&best  same cost, worse
    cost = [1, 2, 3, 1]
    gain = [5, 4, 9, 3]
    assert pareto_front(cost, gain).tolist() == [True, False, True, False]
    variants = resnext.list_variants()
    front = pareto_front([v.flops for v in variants], [v.top1 for v in variants])
    # On the published figures, whose conventions differ (torchvision states multiply-adds, the others not).
    assert {v.id for v, f in zip(variants, front) if f} == {
        "tv2_resnext50_32x4d", "swsl_resnext50_32x4d", "swsl_resnext101_32x4d", "tv_resnext101_64x4d",
        "swsl_resnext101_32x8d",
        "ig_resnext101_32x32d", "ig_resnext101_32x48d",
    }
