"""Fast mode's front end and its choice of network precision; exact mode's banded resize, bit for bit."""

import io

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.transforms import InterpolationMode
from torchvision.transforms import functional as TF

import resnext
from resnext.inference.image import load_image
from resnext.inference.preprocess import Transform
from resnext.machine import hardware


def _jpeg(size, seed=0):
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (size[1] // 64 + 2, size[0] // 64 + 2, 3), dtype=np.uint8)
    img = Image.fromarray(coarse).resize(size, Image.BICUBIC)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def test_draft_decodes_jpegs_at_the_smallest_scale_that_covers_the_resize():
    assert load_image(_jpeg((4032, 3024)), draft=256).size == (504, 378)  # 1/8: short side 378 >= 256
    assert load_image(_jpeg((1632, 1224)), draft=256).size == (408, 306)  # 1/4
    assert load_image(_jpeg((300, 200)), draft=256).size == (300, 200)  # already small: full decode
    png = io.BytesIO()
    Image.new("RGB", (1200, 900), "red").save(png, format="PNG")
    assert load_image(png.getvalue(), draft=256).size == (1200, 900)  # only JPEG has DCT scales


@pytest.mark.parametrize("size", [(4032, 3024), (3024, 4032), (1632, 1224), (2048, 2048), (4000, 600)])
@pytest.mark.parametrize("interpolation", ["bilinear", "bicubic"])
def test_exact_crop_is_timms_bit_for_bit(size, interpolation):
    rng = np.random.default_rng(sum(size))
    img = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    t = Transform(interpolation=interpolation)
    expected = TF.center_crop(TF.resize(img, t.resize_to, interpolation=InterpolationMode(interpolation)), [224, 224])
    assert np.array_equal(np.asarray(t.crop(img)), np.asarray(expected))


def test_fast_crop_shows_the_same_part_of_the_photo():
    img = load_image(_jpeg((4032, 3024), seed=3))
    exact = np.asarray(Transform().crop(img), dtype=np.float32)
    fast_t = Transform(fast=True)
    fast = np.asarray(fast_t.crop(fast_t.load(_jpeg((4032, 3024), seed=3))), dtype=np.float32)
    assert fast.shape == exact.shape == (224, 224, 3)
    assert np.abs(fast - exact).mean() < 2.0  # the same smooth picture, a little differently resampled
    shifted = np.asarray(Transform().crop(img.transpose(Image.FLIP_LEFT_RIGHT)), dtype=np.float32)
    assert np.abs(fast - exact).mean() < np.abs(shifted - exact).mean() / 5


def test_fast_mode_precision_follows_native_bf16(monkeypatch):
    monkeypatch.setattr(hardware, "_cpuinfo", lambda: "model name\t: Some CPU\nflags\t\t: sse avx2 avx512f\n")
    assert hardware.native_bf16() is None and hardware.fast_precision() == "fp32"
    assert "fp32 network (this CPU has no native bf16)" in hardware.mode_label(True, "fp32")
    monkeypatch.setattr(hardware, "_cpuinfo", lambda: "flags\t\t: avx2 avx512f avx512_bf16 amx_bf16 amx_tile\n")
    assert hardware.native_bf16() == "amx_bf16" and hardware.fast_precision() == "bf16"
    assert hardware.mode_label(True, "bf16").startswith("fast: bf16 network (amx_bf16)")
    assert hardware.mode_label(False, "fp32").startswith("exact: fp32 network")


def test_fast_classifier_and_warm_start(tiny_env, monkeypatch, sample_paths):
    from resnext.inference import engine

    calls = []
    real = engine.TorchEngine.__call__
    monkeypatch.setattr(engine.TorchEngine, "__call__", lambda self, x: calls.append(x.shape) or real(self, x))
    clf = resnext.load_classifier("tiny_resnext14_2x2d", engine="torch", fast=True)
    assert calls == [torch.Size([1, 3, 224, 224])]  # warmed at load: the first request is not the slow one
    assert clf.fast and clf.transform.fast and clf.precision == hardware.fast_precision()
    assert clf.mode == hardware.mode_label(True, clf.precision)
    exact = resnext.load_classifier("tiny_resnext14_2x2d", engine="torch")
    assert exact.mode.startswith("exact: fp32") and not exact.transform.fast
    assert len(clf.predict(sample_paths[0])) == 5
