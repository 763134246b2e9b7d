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


def _clipped_normal(mean: float, sd: float) -> tuple[float, float]:
    """Mean and standard deviation of clip(N(mean, sd), 0, 1): the reference's formula, in closed form."""
    from scipy.stats import norm

    a, b = (0 - mean) / sd, (1 - mean) / sd
    inside = norm.cdf(b) - norm.cdf(a)
    m1 = mean * inside + sd * (norm.pdf(a) - norm.pdf(b)) + (1 - norm.cdf(b))
    m2 = ((mean ** 2 + sd ** 2) * inside + 2 * mean * sd * (norm.pdf(a) - norm.pdf(b))
          + sd ** 2 * (a * norm.pdf(a) - b * norm.pdf(b)) + (1 - norm.cdf(b)))
    return m1, math.sqrt(m2 - m1 ** 2)


@pytest.mark.parametrize("severity, c", list(zip(SEVERITIES, [.08, .12, .18, .26, .38])))
def test_gaussian_noise_has_the_reference_scale_at_every_severity(severity, c):
    x = _grey(128, 256)
    out = corrupt(x, "gaussian_noise", severity, severity) / 255.
    mean, sd = _clipped_normal(128 / 255., c)  # clipped at 0 and 1 as the reference clips
    assert out.std() == pytest.approx(sd, rel=0.02) and out.mean() == pytest.approx(mean - 0.5 / 255, abs=2e-3)


@pytest.mark.parametrize("severity, c", list(zip(SEVERITIES, [.15, .2, .35, .45, .6])))
def test_speckle_noise_has_the_reference_scale_at_every_severity(severity, c):
    x = _grey(128, 256)
    out = corrupt(x, "speckle_noise", severity, severity) / 255.
    mean, sd = _clipped_normal(128 / 255., 128 / 255. * c)  # x + x·N(0, c): N(x, x·c), clipped
    assert out.std() == pytest.approx(sd, rel=0.02) and out.mean() == pytest.approx(mean - 0.5 / 255, abs=2e-3)


@pytest.mark.parametrize("severity, c", list(zip(SEVERITIES, [60, 25, 12, 5, 3])))
def test_shot_noise_is_the_reference_poisson_at_every_severity(severity, c):
    from scipy.stats import poisson

    x = _grey(128, 256)
    out = corrupt(x, "shot_noise", severity, severity).astype(float)
    k = np.arange(0, 400)
    values = np.floor(np.clip(k / c, 0, 1) * 255)  # Poisson(x·c)/c clipped, truncated to uint8
    weights = poisson.pmf(k, 128 / 255. * c)
    mean = (weights * values).sum()
    sd = math.sqrt((weights * (values - mean) ** 2).sum())
    assert out.mean() == pytest.approx(mean, rel=0.01) and out.std() == pytest.approx(sd, rel=0.02)


def test_impulse_noise_flips_the_stated_share_half_to_each_extreme():
    x = _grey(128, 256)
    for s, c in zip(SEVERITIES, [.03, .06, .09, .17, .27]):
        out = corrupt(x, "impulse_noise", s, s)
        salt, pepper = (out == 255).mean(), (out == 0).mean()
        assert salt + pepper == pytest.approx(c, rel=0.05) and salt == pytest.approx(pepper, rel=0.1)


def test_gaussian_blur_spreads_a_point_with_the_reference_sigmas():
    x = np.zeros((121, 121, 3), np.uint8)
    x[60, 60] = 255
    for s, sigma in zip(SEVERITIES, [1, 2, 3, 4, 6]):
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


class Recorder:
    """A stand-in for a numpy Generator: records what a corruption draws, and answers with constants."""

    def __init__(self, normal: float = 0.0, uniform: str = "low"):
        self.calls: list[tuple] = []
        self._normal, self._uniform = normal, uniform
        self._real = np.random.default_rng(0)

    def normal(self, size=None, loc=0.0, scale=1.0):
        self.calls.append(("normal", loc, scale))
        return np.full(size, loc + self._normal * scale)

    def uniform(self, low=0.0, high=1.0, size=None):
        self.calls.append(("uniform", low, high))
        value = {"low": low, "high": high, "middle": (low + high) / 2}[self._uniform]
        return value if size is None else np.full(size, float(value))

    def integers(self, low, high=None, size=None):
        self.calls.append(("integers", low, high))
        return self._real.integers(low, high, size=size)


def _spy(monkeypatch, name):
    """Record the arguments of a helper of the corruptions module, still calling it."""
    calls, real = [], getattr(C, name)

    def spy(*args, **kwargs):
        calls.append((args[1:], kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(C, name, spy)
    return calls


GLASS = [(0.7, 1, 2), (0.9, 2, 1), (1, 2, 3), (1.1, 3, 2), (1.5, 4, 2)]


def _glass_as_the_reference_wrote_it(x, delta, iterations, rng):
    """The reference's loop, its statement verbatim on NumPy views, with our draws (one array per pass)."""
    x = x.copy()
    size = x.shape[0]
    for _ in range(iterations):
        rows, cols = range(size - delta, delta, -1), range(size - delta, delta, -1)
        offsets = rng.integers(-delta, delta, size=(len(rows), len(cols), 2))
        for i, h in enumerate(rows):
            for j, w in enumerate(cols):
                dx, dy = offsets[i, j]
                h_prime, w_prime = h + dy, w + dx
                x[h, w], x[h_prime, w_prime] = x[h_prime, w_prime], x[h, w]
    return x


@pytest.mark.parametrize("severity", SEVERITIES)
def test_glass_blur_copies_neighbours_as_the_reference_does(severity, monkeypatch):
    sigma, delta, iterations = GLASS[severity - 1]
    sigmas = []
    monkeypatch.setattr(C, "_gaussian", lambda x, s, **k: sigmas.append(s) or x)  # the blur stubbed out
    x = np.arange(40 * 40 * 3, dtype=np.int64).reshape(40, 40, 3)
    x = np.uint8(x % 251)
    x[..., 0] = np.arange(40 * 40).reshape(40, 40) % 256  # every pixel unique, as (r, g, b)
    x[..., 1] = np.arange(40 * 40).reshape(40, 40) // 256
    out = C.glass_blur(x, severity, np.random.default_rng(severity)) / 255.
    expected = _glass_as_the_reference_wrote_it(np.uint8(x / 255. * 255), delta, iterations,
                                                np.random.default_rng(severity)) / 255.
    assert sigmas == [sigma, sigma]
    np.testing.assert_array_equal(np.round(out * 255), expected * 255)
    pixels = [tuple(p) for p in np.round(out * 255).reshape(-1, 3).astype(int)]
    before = [tuple(p) for p in x.reshape(-1, 3).astype(int)]
    assert len(set(pixels)) < len(set(before))  # duplicated, not permuted: some pixels are gone
    assert sorted(pixels) != sorted(before)


def test_the_references_swap_statement_copies_on_numpy_views():
    x = np.uint8(np.arange(12).reshape(2, 2, 3))
    before = x[1, 1].copy()
    x[0, 0], x[1, 1] = x[1, 1], x[0, 0]  # the reference's statement, on views
    assert (x[0, 0] == before).all() and (x[1, 1] == before).all()  # one pixel copied, the other kept


@pytest.mark.parametrize("severity, radius, alias", [(1, 3, 0.1), (2, 4, 0.5), (3, 6, 0.5), (4, 8, 0.5), (5, 10, 0.5)])
def test_defocus_blur_spreads_a_point_over_the_reference_disk(severity, radius, alias):
    import cv2

    x = np.zeros((65, 65, 3), np.uint8)
    x[32, 32] = 255
    out = C.defocus_blur(x, severity, np.random.default_rng()) / 255.
    weights = out[..., 0] / out[..., 0].sum()
    rows = np.arange(65) - 32
    spread = (weights.sum(axis=1) * rows ** 2).sum()
    span = np.arange(-max(radius, 8), max(radius, 8) + 1)
    xx, yy = np.meshgrid(span, span)
    disk = xx ** 2 + yy ** 2 <= radius ** 2
    gauss = cv2.getGaussianKernel(3 if radius <= 8 else 5, alias)[:, 0]
    expected = (yy[disk] ** 2).mean() + (gauss * (np.arange(len(gauss)) - len(gauss) // 2) ** 2).sum()
    assert spread == pytest.approx(expected, rel=0.03)
    assert weights[32, 32 + radius + 3:].sum() < 1e-3  # nothing beyond the disk and its blur


@pytest.mark.parametrize("severity, radius, sigma", [(1, 10, 3), (2, 15, 5), (3, 15, 8), (4, 15, 12), (5, 20, 15)])
def test_motion_blur_is_the_reference_kernel_at_every_severity(severity, radius, sigma):
    x = np.zeros((9, 101, 3), np.uint8)
    x[4, 80] = 255
    rng = Recorder(uniform="middle")  # angle 0, the middle of the reference's [-45, 45]
    out = C.motion_blur(x, severity, rng)
    assert rng.calls == [("uniform", -45, 45)]
    expected = np.round(C._motion(x.astype(np.float64), radius, sigma, 0.0))
    np.testing.assert_array_equal(out, expected)
    width = 2 * radius + 1
    assert out[4, 80 - width + 1:81, 0].sum() == pytest.approx(255, abs=width)  # all of it, one-sided


ZOOMS = [np.arange(1, 1.11, 0.01), np.arange(1, 1.16, 0.01), np.arange(1, 1.21, 0.02), np.arange(1, 1.26, 0.02),
         np.arange(1, 1.31, 0.03)]


@pytest.mark.parametrize("severity", SEVERITIES)
def test_zoom_blur_averages_the_reference_zooms(severity, monkeypatch):
    calls = _spy(monkeypatch, "_clipped_zoom")
    x = _photo(32)
    out = C.zoom_blur(x, severity, np.random.default_rng())
    np.testing.assert_allclose([a[0] for a, _ in calls], ZOOMS[severity - 1])
    f = (x / 255.).astype(np.float32)
    layers = sum(C._clipped_zoom(f, z) for z in ZOOMS[severity - 1])
    np.testing.assert_allclose(out, np.clip((f + layers) / (len(ZOOMS[severity - 1]) + 1), 0, 1) * 255, rtol=1e-6)


@pytest.mark.parametrize("severity, strength, decay", [(1, 1.5, 2), (2, 2., 2), (3, 2.5, 1.7), (4, 2.5, 1.5),
                                                       (5, 3., 1.4)])
def test_fog_adds_the_reference_plasma_with_its_strength(severity, strength, decay, monkeypatch):
    plasma = np.linspace(0, 1, 256 * 256).reshape(256, 256)
    seen = []
    monkeypatch.setattr(C, "_plasma", lambda size, d, rng: seen.append((size, d)) or plasma)
    x = _photo(64)
    out = C.fog(x, severity, np.random.default_rng())
    f = x / 255.
    top = f.max()
    expected = np.clip((f + strength * plasma[:64, :64, None]) * top / (top + strength), 0, 1) * 255
    assert seen == [(256, decay)]
    np.testing.assert_allclose(out, expected)


SNOW = [(0.1, 0.3, 3, 0.5, 10, 4, 0.8), (0.2, 0.3, 2, 0.5, 12, 4, 0.7), (0.55, 0.3, 4, 0.9, 12, 8, 0.7),
        (0.55, 0.3, 4.5, 0.85, 12, 8, 0.65), (0.55, 0.3, 2.5, 0.85, 12, 12, 0.55)]


@pytest.mark.parametrize("severity", SEVERITIES)
def test_snow_draws_and_blends_with_the_reference_constants(severity, monkeypatch):
    import cv2

    loc, scale, zoom, threshold, radius, sigma, blend = SNOW[severity - 1]
    zooms, motions = _spy(monkeypatch, "_clipped_zoom"), _spy(monkeypatch, "_motion")
    x = _photo(32)
    below = Recorder(normal=(threshold - loc) / scale - 0.01, uniform="middle")  # flakes just under the threshold
    out = C.snow(x, severity, below)
    assert below.calls == [("normal", loc, scale), ("uniform", -135, -45)]
    assert [a[0] for a, _ in zooms] == [zoom] and [a[:2] for a, _ in motions] == [(radius, sigma)]
    f = x.astype(np.float32) / 255.
    grey = cv2.cvtColor(f, cv2.COLOR_RGB2GRAY)[..., None]
    expected = np.clip(blend * f + (1 - blend) * np.maximum(f, grey * 1.5 + 0.5), 0, 1) * 255  # no flakes
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    above = C.snow(x, severity, Recorder(normal=(threshold - loc) / scale + 0.01, uniform="middle"))
    assert above.mean() > out.mean()  # at the threshold the flakes appear


SPATTER = [(0.65, 0.3, 4, 0.69, 0.6, 0), (0.65, 0.3, 3, 0.68, 0.6, 0), (0.65, 0.3, 2, 0.68, 0.5, 0),
           (0.65, 0.3, 1, 0.65, 1.5, 1), (0.67, 0.4, 1, 0.65, 1.5, 1)]


@pytest.mark.parametrize("severity", SEVERITIES)
def test_spatter_draws_blurs_and_colours_with_the_reference_constants(severity, monkeypatch):
    loc, scale, sigma, threshold, intensity, mud = SPATTER[severity - 1]
    blurs = _spy(monkeypatch, "_gaussian")
    rng = np.random.default_rng(severity)
    out = C.spatter(np.zeros((64, 64, 3), np.uint8), severity, rng).astype(float)
    assert [a[0] for a, _ in blurs] == ([sigma] if not mud else [sigma, intensity])
    if mud:  # mud brown over black, where the blurred mask reaches 0.8
        colours = {tuple(np.round(p / max(p.max(), 1e-9), 3)) for p in out.reshape(-1, 3) if p.max() > 0}
        assert colours == {tuple(np.round(np.array([63, 42, 20]) / 63, 3))}
    else:  # pale turquoise water drops, the brightest at the reference's intensity
        assert out[..., 0].max() == pytest.approx(min(intensity * 175, 255), abs=1)
        assert out[..., 1].max() == pytest.approx(min(intensity * 238, 255), abs=1)
    rng = Recorder()
    C.spatter(np.zeros((16, 16, 3), np.uint8), severity, rng)
    assert rng.calls == [("normal", loc, scale)]


ELASTIC = [(244 * 2, 244 * 0.7, 244 * 0.1), (244 * 2, 244 * 0.08, 244 * 0.2), (244 * 0.05, 244 * 0.01, 244 * 0.02),
           (244 * 0.07, 244 * 0.01, 244 * 0.02), (244 * 0.12, 244 * 0.01, 244 * 0.02)]


@pytest.mark.parametrize("severity", SEVERITIES)
def test_elastic_uses_the_reference_constants(severity, monkeypatch):
    alpha, sigma, affine = ELASTIC[severity - 1]
    blurs = _spy(monkeypatch, "_gaussian")
    captured = {}
    real = C.ndimage.map_coordinates

    def capture(image, coords, **kwargs):
        captured["rows"] = coords[0]
        return real(image, coords, **kwargs)

    monkeypatch.setattr(C.ndimage, "map_coordinates", capture)
    rng = Recorder(uniform="high")
    x = _photo(32)
    C.elastic_transform(x, severity, rng)
    assert [c for c in rng.calls if c[0] == "uniform"] == [("uniform", -affine, affine), ("uniform", -1, 1),
                                                            ("uniform", -1, 1)]
    assert [(a[0], k.get("mode"), k.get("truncate")) for a, k in blurs] == [(sigma, "reflect", 3)] * 2
    ys = np.meshgrid(np.arange(32), np.arange(32), np.arange(3))[1].reshape(-1, 1)
    np.testing.assert_allclose(captured["rows"] - ys, alpha, rtol=1e-4)  # a field of ones, blurred, times alpha
