import pytest
import torch

import resnext
from resnext.catalog.architecture import build_model
from resnext.errors import CatalogError


@pytest.mark.parametrize("vid", [v.id for v in resnext.list_variants()])
def test_parameter_count_matches_model_index(vid):
    v = resnext.get_variant(vid)
    model = build_model(vid)  # meta device: instant, even for 829M parameters
    assert next(model.parameters()).device.type == "meta"
    count = sum(p.numel() for p in model.parameters())
    assert abs(count - v.parameters) / v.parameters < 1e-3, (count, v.parameters)


def test_ig_wide_variants_are_not_the_32x8d_network():
    # timm 1.0's legacy ig_ names load resnext101_32x8d for all four; each of ours has its own width.
    widths = {}
    for vid in ("ig_resnext101_32x8d", "ig_resnext101_32x16d", "ig_resnext101_32x32d", "ig_resnext101_32x48d"):
        conv = build_model(vid).layer1[0].conv2
        assert conv.groups == 32
        widths[vid] = conv.in_channels
    assert widths == {
        "ig_resnext101_32x8d": 256, "ig_resnext101_32x16d": 512,
        "ig_resnext101_32x32d": 1024, "ig_resnext101_32x48d": 1536,
    }


def test_state_dict_layout_equals_timm():
    import timm
    by_arch = {v.architecture: v for v in resnext.list_variants()}
    archs = sorted(set(by_arch) & set(timm.list_models("resnext*")))
    assert len(archs) == 6  # all but resnext101_32x48d, which timm lacks
    for arch in archs:
        with torch.device("meta"):
            reference = timm.create_model(arch, pretrained=False).state_dict()
        ours = build_model(by_arch[arch]).state_dict()
        assert {k: tuple(t.shape) for k, t in ours.items()} == {k: tuple(t.shape) for k, t in reference.items()}, arch


def test_build_on_cpu_runs_a_forward(tiny_env):
    model = build_model("tiny_resnext14_2x2d", device="cpu")
    with torch.no_grad():
        out = model(torch.zeros(2, 3, 64, 64))
    assert out.shape == (2, 1000)


def test_unknown_depth_is_a_clear_error(tmp_path, monkeypatch):
    import dataclasses

    v = dataclasses.replace(resnext.get_variant("ssl_resnext50_32x4d"), depth=77)
    with pytest.raises(CatalogError, match="depth 77"):
        build_model(v)
