"""The corruptions against their formulas and Hendrycks' constants (resnext.stress.corruptions)."""

import colorsys
import math

import numpy as np
import pytest
from PIL import Image

from resnext.stress import corruptions as C
from resnext.stress.corruptions import CORRUPTIONS, SEVERITIES, corrupt

RANDOM = {"gaussian_noise", "shot_noise", "impulse_noise", "speckle_noise", "glass_blur", "motion_blur", "snow",
          "fog", "spatter", "elastic_transform"}


def _photo(size=64, seed=0):
    rng = np.random.default_rng(seed)
    smooth = np.kron(rng.integers(30, 220, (size // 8, size // 8, 3)), np.ones((8, 8, 1)))
    return np.uint8(smooth + rng.integers(-20, 20, smooth.shape))  # regions and a fine texture


def _grey(value=128, size=96):
    return np.full((size, size, 3), value, np.uint8)


def test_eighteen_corruptions_in_imagenet_c_order_and_frost_left_out():
    assert list(CORRUPTIONS)[:3] == ["gaussian_noise", "shot_noise", "impulse_noise"]
    assert len(CORRUPTIONS) == 18 and "frost" not in CORRUPTIONS
    assert len(C.BENCHMARK) == 14 and {c.group for c in CORRUPTIONS.values()} == {"noise", "blur", "weather",
                                                                                 "digital", "extra"}


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_every_corruption_keeps_the_shape_and_repeats_under_a_seed(name):
    x = _photo()
    for s in SEVERITIES:
        a = corrupt(x, name, s, 7)
        assert a.shape == x.shape and a.dtype == np.uint8
        assert np.array_equal(a, corrupt(x, name, s, 7))
    if name in RANDOM:
        assert not np.array_equal(corrupt(x, name, 3, 1), corrupt(x, name, 3, 2))
    assert not np.array_equal(corrupt(x, name, 5, 0), x)


@pytest.mark.parametrize("name", ["gaussian_noise", "shot_noise", "impulse_noise", "speckle_noise", "gaussian_blur",
                                  "defocus_blur", "zoom_blur", "contrast", "brightness"])
def test_stronger_severities_move_further_from_the_clean_image(name):
    x = _photo(96)
    distance = [np.abs(corrupt(x, name, s, 0).astype(int) - x).mean() for s in SEVERITIES]
    assert all(a < b for a, b in zip(distance, distance[1:])), distance


def test_additive_noises_have_the_reference_scales():
    x = _grey(128, 256)
    for s, c in zip(SEVERITIES[:3], [.08, .12, .18]):  # the milder ones: clipping is negligible at mid-grey
        out = corrupt(x, "gaussian_noise", s, s) / 255. - 128 / 255.
        assert out.std() == pytest.approx(c, rel=0.03) and abs(out.mean()) < 0.01
    for s, c in zip(SEVERITIES[:3], [60, 25, 12]):  # Poisson(x·c)/c: variance x/c (unclipped)
        out = corrupt(x, "shot_noise", s, s) / 255.
        assert out.var() == pytest.approx((128 / 255.) / c, rel=0.06), s
    for s, c in zip(SEVERITIES, [.15, .2, .35, .45, .6]):
        out = corrupt(x, "speckle_noise", s, s) / 255. - 128 / 255.
        if s <= 3:
            assert out.std() == pytest.approx(128 / 255. * c, rel=0.03)


def test_impulse_noise_flips_the_stated_share_half_to_each_extreme():
    x = _grey(128, 256)
    for s, c in zip(SEVERITIES, [.03, .06, .09, .17, .27]):
        out = corrupt(x, "impulse_noise", s, s)
        salt, pepper = (out == 255).mean(), (out == 0).mean()
        assert salt + pepper == pytest.approx(c, rel=0.05) and salt == pytest.approx(pepper, rel=0.1)


def test_gaussian_blur_spreads_a_point_with_the_reference_sigmas():
    x = np.zeros((121, 121, 3), np.uint8)
    x[60, 60] = 255
    for s, sigma in zip(SEVERITIES[:4], [1, 2, 3, 4]):
        out = C.gaussian_blur(x, s, np.random.default_rng()) / 255.
        weights = out[..., 0] / out[..., 0].sum()
        rows = np.arange(121) - 60
        variance = (weights.sum(axis=1) * rows ** 2).sum()
        assert math.sqrt(variance) == pytest.approx(sigma, rel=0.02)


def test_contrast_is_the_reference_formula():
    x = _photo()
    for s, c in zip(SEVERITIES, [.4, .3, .2, .1, .05]):
        f = x / 255.
        means = f.mean(axis=(0, 1), keepdims=True)
        assert np.array_equal(corrupt(x, "contrast", s), np.uint8(np.clip((f - means) * c + means, 0, 1) * 255))


def test_brightness_and_saturate_move_hsv_by_the_reference_constants():
    x = _photo(16)
    for name, channel, change in (("brightness", 2, lambda v, s: min(v + [.1, .2, .3, .4, .5][s - 1], 1)),
                                  ("saturate", 1, lambda v, s: min(v * [.3, .1, 2, 5, 20][s - 1]
                                                                   + [0, 0, 0, .1, .2][s - 1], 1))):
        for s in SEVERITIES:
            out = corrupt(x, name, s)
            for (r, g, b), got in zip(x.reshape(-1, 3)[::7] / 255., out.reshape(-1, 3)[::7]):
                hsv = list(colorsys.rgb_to_hsv(r, g, b))
                hsv[channel] = change(hsv[channel], s)
                want = np.array(colorsys.hsv_to_rgb(*hsv)) * 255
                assert np.all(np.abs(got - want) <= 1.0), (name, s, got, want)


def test_pixelate_makes_blocks_of_the_reference_size():
    x = np.uint8(np.random.default_rng(0).integers(0, 255, (224, 224, 3)))
    out = corrupt(x, "pixelate", 5)  # 0.25: 56 px across, blocks of 4
    blocks = out.reshape(56, 4, 56, 4, 3)
    assert np.all(blocks == blocks[:, :1, :, :1])


def test_jpeg_uses_the_reference_qualities():
    x = _photo(96)
    for s, quality in zip(SEVERITIES, [25, 18, 15, 10, 7]):
        import io
        buffer = io.BytesIO()
        Image.fromarray(x).save(buffer, "JPEG", quality=quality)
        assert np.array_equal(corrupt(x, "jpeg_compression", s), np.asarray(Image.open(buffer)))


def test_motion_blur_is_imagemagicks_one_sided_gaussian():
    x = np.zeros((9, 101), np.float64)
    x[4, 60] = 1.0
    radius, sigma = 10, 3
    out = C._motion(x[..., None], radius, sigma, 0.0)[..., 0]
    width = 2 * radius + 1
    weights = np.exp(-np.arange(width) ** 2 / (2 * sigma ** 2))
    weights /= weights.sum()
    # Angle 0 gathers from the right: the point shows up to its left, weighted by distance.
    assert np.allclose(out[4, 60 - np.arange(width)], weights) and out[4, 61:].sum() == 0


def test_smoothing_corruptions_leave_a_flat_image_flat():
    flat = _grey(90, 64)
    for name in ("defocus_blur", "zoom_blur", "gaussian_blur", "elastic_transform", "pixelate"):
        for s in SEVERITIES:
            out = corrupt(flat, name, s, 0).astype(int)
            assert np.abs(out - 90).max() <= 1, (name, s)


def test_fog_whitens_with_the_plasma_and_snow_brightens():
    x = _photo(224)
    plasma = C._plasma(256, 2.0, np.random.default_rng(0))
    assert plasma.min() == 0 and plasma.max() == 1 and plasma.shape == (256, 256)
    assert corrupt(x, "snow", 3, 0).mean() > x.mean()
    assert np.abs(corrupt(x, "fog", 5, 0).astype(int) - x).mean() > np.abs(corrupt(x, "fog", 1, 0).astype(int) - x).mean()


def test_unknown_names_and_severities_are_refused():
    with pytest.raises(ValueError, match="frost"):
        corrupt(_photo(), "frost", 1)
    with pytest.raises(ValueError, match="severity"):
        corrupt(_photo(), "fog", 6)
