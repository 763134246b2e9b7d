import io

import numpy as np
import pytest
from PIL import Image

import resnext
from resnext.errors import ImageError
from resnext.inference.image import load_image, to_rgb
from resnext.inference.preprocess import Transform, preprocess


@pytest.mark.parametrize("vid", ["swsl_resnext50_32x4d", "ig_resnext101_32x48d", "tv_resnext50_32x4d",
                                 "tv2_resnext50_32x4d", "tv2_resnext101_32x8d"])
def test_matches_timm_eval_transform(vid, sample_paths):
    import timm
    from timm.data import create_transform, resolve_data_config

    v = resnext.get_variant(vid)
    arch = v.timm_name if v.timm_name in timm.list_pretrained() else "resnext101_32x8d.fb_wsl_ig1b_ft_in1k"
    import torch

    with torch.device("meta"):
        # use_test_size: torchvision's V2 weights train at 176 px and are evaluated at 224 (resize 232).
        config = resolve_data_config({}, model=timm.create_model(arch, pretrained=False), use_test_size=True)
    reference = create_transform(**config)
    for path in sample_paths:
        image = Image.open(path).convert("RGB")
        ours = preprocess(path, v)
        assert ours.shape == (3, 224, 224)
        assert float((ours - reference(image)).abs().max()) <= 1e-6, path.name


@pytest.mark.parametrize(("vid", "enum", "member"), [
    ("tv_resnext50_32x4d", "ResNeXt50_32X4D_Weights", "IMAGENET1K_V1"),
    ("tv2_resnext101_32x8d", "ResNeXt101_32X8D_Weights", "IMAGENET1K_V2"),  # resize 232, crop 224
    ("tv_resnext101_64x4d", "ResNeXt101_64X4D_Weights", "IMAGENET1K_V1"),
])
def test_supervised_variants_match_torchvisions_own_transforms(vid, enum, member, sample_paths):
    import torchvision.models as models

    reference = getattr(models, enum)[member].transforms()
    for path in sample_paths:
        ours = preprocess(path, resnext.get_variant(vid))
        assert float((ours - reference(Image.open(path).convert("RGB"))).abs().max()) <= 1e-6, path.name


def test_resnext101_64x4d_follows_torchvision_where_timm_differs():
    """torchvision evaluates its ResNeXt-101 64x4d weights at resize 232; timm's config says crop 0.875 (256).
    The weights are torchvision's, so their transform is the one used (tested above); timm measured at 256."""
    import timm
    import torch

    with torch.device("meta"):
        cfg = timm.create_model("resnext101_64x4d.tv_in1k", pretrained=False).pretrained_cfg
    assert (cfg["crop_pct"], cfg.get("test_crop_pct")) == (0.875, None)
    assert Transform.for_variant(resnext.get_variant("tv_resnext101_64x4d")).resize_to == 232


def _png(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=kw.pop("format", "PNG"), **kw)
    return buf.getvalue()


def test_exif_orientation_is_applied():
    img = Image.new("RGB", (40, 20), (255, 0, 0))
    img.paste((0, 0, 255), (0, 0, 20, 20))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    out = load_image(_png(img, format="JPEG", exif=exif.tobytes(), quality=95))
    assert out.size == (20, 40)
    top, bottom = np.asarray(out)[2, 10], np.asarray(out)[-3, 10]
    assert top[2] > 200 and bottom[0] > 200  # the blue half is now on top


@pytest.mark.parametrize(
    ("mode", "value", "expected"),
    [
        ("L", 128, (128, 128, 128)),
        ("1", 1, (255, 255, 255)),
        ("RGBA", (10, 20, 30, 0), (255, 255, 255)),  # fully transparent over white
        ("RGBA", (10, 20, 30, 255), (10, 20, 30)),
        ("LA", (0, 128), (128, 128, 128)),  # half-transparent black over white
        ("I;16", 65535, (255, 255, 255)),
        ("I", 32896, (128, 128, 128)),  # 16-bit data in a 32-bit image
        ("F", 0.5, (128, 128, 128)),
        ("CMYK", (0, 255, 255, 0), (255, 0, 0)),
    ],
)
def test_modes_become_the_rgb_a_viewer_shows(mode, value, expected):
    out = to_rgb(Image.new(mode, (4, 3), value))
    assert out.mode == "RGB" and out.size == (4, 3)
    assert np.abs(np.asarray(out, dtype=int)[1, 1] - expected).max() <= 1


def test_palette_with_transparency_goes_over_white():
    img = Image.new("P", (4, 4), 0)
    img.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    img.putpixel((1, 1), 1)
    img.info["transparency"] = 0
    out = np.asarray(load_image(_png(img)))
    assert tuple(out[0, 0]) == (255, 255, 255) and tuple(out[1, 1]) == (255, 0, 0)


def test_animation_gives_its_first_frame():
    frames = [Image.new("RGB", (8, 8), c) for c in ((255, 0, 0), (0, 255, 0))]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    out = load_image(buf.getvalue())
    assert np.asarray(out)[4, 4].argmax() == 0


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "not an image"),
        (b"hello, I am text", "not an image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not an image"),
    ],
)
def test_non_images_are_refused_in_one_sentence(data, words):
    with pytest.raises(ImageError) as info:
        load_image(data)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_truncated_files_are_refused():
    good = _png(Image.effect_noise((64, 64), 50).convert("RGB"))
    with pytest.raises(ImageError, match="damaged or truncated"):
        load_image(good[: len(good) // 2])


def test_pixel_limit_is_checked_before_decoding():
    big = _png(Image.new("L", (3000, 3000)))
    with pytest.raises(ImageError, match="3000x3000"):
        load_image(big, limit=1_000_000)
    assert load_image(big, limit=10_000_000).size == (3000, 3000)


def test_transform_crop_size_and_extreme_shapes():
    t = Transform()
    assert t.resize_to == 256
    assert t.crop(Image.new("RGB", (1, 1))).size == (224, 224)
    with pytest.raises(ImageError, match="too elongated"):
        t.crop(Image.new("RGB", (20000, 10)))


def test_an_exif_orientation_that_cannot_be_read_is_said_not_swallowed(monkeypatch, caplog, tmp_path):
    from PIL import ImageOps

    from resnext.inference.image import load_image, orientation_note

    path = tmp_path / "side.jpg"
    Image.new("RGB", (40, 30), (10, 20, 30)).save(path)
    assert orientation_note(load_image(path), "side.jpg") is None and not caplog.records

    def broken(img, **kwargs):
        raise SyntaxError("not a TIFF file")

    monkeypatch.setattr(ImageOps, "exif_transpose", broken)
    img = load_image(path)
    note = orientation_note(img, "side.jpg")
    assert img.size == (40, 30) and note.startswith("side.jpg: its EXIF orientation could not be read")
    assert "possibly rotated" in note and note in caplog.text


def test_the_command_line_says_when_an_orientation_could_not_be_read(tiny_env, monkeypatch, capsys, tmp_path):
    from PIL import ImageOps

    from resnext.cli import main

    path = tmp_path / "side.jpg"
    Image.new("RGB", (40, 30), (10, 20, 30)).save(path)
    monkeypatch.setattr(ImageOps, "exif_transpose", lambda img, **k: (_ for _ in ()).throw(SyntaxError("bad")))
    assert main(["predict", str(path), "--model", "tiny_resnext14_2x2d"]) == 0
    err = capsys.readouterr().err
    assert f"resnext: {path}: its EXIF orientation could not be read (bad), so it is used as stored" in err
    assert "Traceback" not in err
