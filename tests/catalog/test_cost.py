"""The cost counted from the architecture (resnext.catalog.cost) against a count taken on the real network."""

import dataclasses

import pytest
import torch

import resnext
from resnext.catalog.architecture import build_model
from resnext.catalog.cost import multiply_adds


def _counted_on_the_network(variant, image_size):
    """Multiply-adds of every convolution and linear layer, hooked on the meta device (no weights)."""
    model = build_model(variant, device="meta")
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, torch.nn.Conv2d):
            total += output.numel() * module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
        else:
            total += output.numel() * module.in_features

    for m in model.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            m.register_forward_hook(hook)
    model(torch.zeros(1, 3, image_size, image_size, device="meta"))
    return total


@pytest.mark.parametrize("vid", [v.id for v in resnext.list_variants()])
def test_multiply_adds_equal_the_networks_own_count(vid):
    v = resnext.get_variant(vid)
    assert multiply_adds(v) == _counted_on_the_network(v, v.image_size)


@pytest.mark.parametrize(("depth", "cardinality", "width", "size", "classes"), [(14, 2, 2, 224, 10), (26, 64, 4, 288, 1000),
                                                                                  (152, 32, 4, 193, 1000)])
def test_other_shapes_sizes_and_class_counts(depth, cardinality, width, size, classes):
    v = dataclasses.replace(resnext.get_variant("ssl_resnext50_32x4d"), depth=depth, cardinality=cardinality,
                            width_per_group=width, num_classes=classes, image_size=size)
    assert multiply_adds(v) == _counted_on_the_network(v, size)


def test_resnext50_does_4_23_g_multiply_adds_not_the_published_5_47():
    v = resnext.get_variant("swsl_resnext50_32x4d")
    assert round(multiply_adds(v) / 1e9, 2) == 4.23 and round(v.flops / 1e9, 2) == 5.47


def test_the_shipped_latencies_name_their_machine_and_cover_every_variant():
    import json

    from resnext.catalog.index import ASSETS_DIR

    report = json.loads((ASSETS_DIR / "latency.json").read_text())
    assert report["cpu"] and report["threads"] >= 1 and report["date"] and report["engine"].startswith("OpenVINO")
    assert set(report["variants"]) == {v.id for v in resnext.list_variants()}, "run python -m benchmarks.cost"
    for vid, row in report["variants"].items():
        assert row.get("skipped") or (0 < row["fast_ms"] and 0 < row["default_ms"]), vid
    # More work takes longer: resnext50 < 101_32x8d < 101_32x16d, in both modes.
    for mode in ("default_ms", "fast_ms"):
        times = [report["variants"][i][mode] for i in ("ssl_resnext50_32x4d", "ssl_resnext101_32x8d", "ssl_resnext101_32x16d")]
        assert times == sorted(times), (mode, times)
