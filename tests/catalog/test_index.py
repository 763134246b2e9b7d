import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import resnext
from resnext.catalog.index import ASSETS_DIR, Registry, registry
from resnext.errors import CatalogError, UnknownVariantError

TWELVE = {
    "ssl_resnext50_32x4d", "ssl_resnext101_32x4d", "ssl_resnext101_32x8d", "ssl_resnext101_32x16d",
    "swsl_resnext50_32x4d", "swsl_resnext101_32x4d", "swsl_resnext101_32x8d", "swsl_resnext101_32x16d",
    "ig_resnext101_32x8d", "ig_resnext101_32x16d", "ig_resnext101_32x32d", "ig_resnext101_32x48d",
}
SUPERVISED = {"tv_resnext50_32x4d", "tv_resnext101_32x8d", "tv_resnext101_64x4d", "tv2_resnext50_32x4d", "tv2_resnext101_32x8d"}


def _yaml_models():
    for path in sorted((ASSETS_DIR / "model-index").glob("*.yaml")):
        yield from yaml.safe_load(path.read_text())["Models"]


def test_twelve_variants_and_the_supervised_baseline_from_the_model_index():
    variants = resnext.list_variants()
    assert {v.id for v in variants} == TWELVE | SUPERVISED
    assert len(variants) == 17
    assert [v.family for v in variants] == ["SSL"] * 4 + ["SWSL"] * 4 + ["IG"] * 4 + ["Supervised V1"] * 3 + [
        "Supervised V2"] * 2


def test_the_supervised_index_is_torchvisions_own():
    """tv-resnext.yaml is what scripts/torchvision_index.py makes of the installed torchvision's enums."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("torchvision_index", ASSETS_DIR.parent / "scripts" / "torchvision_index.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert yaml.safe_load((ASSETS_DIR / "model-index" / "tv-resnext.yaml").read_text()) == generator.document()
    for enum, member, prefix, _ in generator.WEIGHTS:
        weights = enum[member]
        v = resnext.get_variant(f"{prefix}_{weights.url.rsplit('/', 1)[-1].rsplit('-', 1)[0]}")
        assert (v.top1, v.top5) == (weights.meta["_metrics"]["ImageNet-1K"]["acc@1"], weights.meta["_metrics"]["ImageNet-1K"]["acc@5"])
        assert (v.parameters, v.weights_url, v.resize_size) == (weights.meta["num_params"], weights.url,
                                                               weights.transforms().resize_size[0])
        assert v.timm_name == f"{v.architecture}.{prefix}_in1k" and v.license == "BSD-3-Clause"
        assert v.training_path == "ImageNet" and v.file_size == round(weights.meta["_file_size"] * 2**20)


def test_every_field_matches_the_yaml():
    for entry in (e for e in _yaml_models() if e["Name"] not in SUPERVISED):
        v = resnext.get_variant(entry["Name"])
        meta = entry["Metadata"]
        metrics = entry["Results"][0]["Metrics"]
        assert v.parameters == meta["Parameters"]
        assert v.flops == meta["FLOPs"]
        assert v.file_size == meta["File Size"]
        assert v.weights_url == entry["Weights"]
        assert v.top1 == float(metrics["Top 1 Accuracy"].rstrip("%"))
        assert v.top5 == float(metrics["Top 5 Accuracy"].rstrip("%"))
        assert v.epochs == meta["Epochs"]
        assert v.training_data == tuple(meta["Training Data"])
        assert f"{v.gpus}x GPUs" == meta["Training Resources"]
        assert (v.image_size, v.crop_pct, v.interpolation) == (224, 0.875, "bilinear")
        assert v.license == "CC-BY-NC-4.0"
        assert v.paper_title and v.paper_url.startswith("https://")
        assert v.file_name.endswith(".pth") and v.file_name in v.weights_url


def test_variants_are_frozen():
    v = resnext.get_variant("swsl_resnext50_32x4d")
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.top1 = 99.0  # type: ignore[misc]


def test_timm_tagged_names_are_aliases():
    import timm
    aliases = registry().aliases()
    # Every pretrained tag timm has for these three families resolves to a variant of ours.
    tagged = timm.list_pretrained("resnext*.fb_*s*l*")
    assert len(tagged) == 11  # timm has no resnext101_32x48d
    for name in tagged:
        assert name in aliases, name
        v = resnext.get_variant(name)
        assert v.timm_name == name
        assert v.architecture == name.split(".")[0]
    assert resnext.get_variant("resnext50_32x4d.fb_swsl_ig1b_ft_in1k").id == "swsl_resnext50_32x4d"
    assert resnext.get_variant("resnext101_32x16d.fb_wsl_ig1b_ft_in1k").id == "ig_resnext101_32x16d"


def test_lookup_ignores_case_and_space():
    assert resnext.get_variant("  SWSL_ResNeXt50_32x4d ").id == "swsl_resnext50_32x4d"


def test_unknown_id_suggests_the_closest_and_lists_all():
    with pytest.raises(UnknownVariantError) as info:
        resnext.get_variant("swsl_resnext50")
    message = str(info.value)
    assert "did you mean 'swsl_resnext50_32x4d'" in message
    assert all(i in message for i in TWELVE)


def test_registering_twice_is_an_error():
    reg = Registry()
    v = resnext.get_variant("ssl_resnext50_32x4d")
    reg.register(v)
    with pytest.raises(CatalogError, match="defined twice"):
        reg.register(v)
    reg.register(dataclasses.replace(v, top1=1.0), replace=True)
    assert reg.get(v.id).top1 == 1.0 and len(reg) == 1


def _index(path: Path, models: list[dict]) -> Path:
    path.write_text(yaml.safe_dump({"Collections": [], "Models": models}))
    return path


def test_extra_model_index_adds_and_replaces(tmp_path, monkeypatch):
    extra = _index(tmp_path / "mine.yaml", [
        {"Name": "my_resnext50_32x4d", "In Collection": "My ResNeXt", "Weights": "file:///w/my-0123abcd.pth",
         "Metadata": {"Parameters": 1, "Num Classes": 10, "License": "MIT"}},
        {"Name": "swsl_resnext50_32x4d", "In Collection": "SWSL ResNext", "Weights": "http://127.0.0.1/x-0123abcd.pth",
         "Metadata": {"Layers": 14}},
    ])
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", os.pathsep.join([str(extra)]))
    ids = [v.id for v in resnext.list_variants()]
    assert len(ids) == 18 and "my_resnext50_32x4d" in ids
    mine = resnext.get_variant("my_resnext50_32x4d")
    assert (mine.family, mine.num_classes, mine.license, mine.timm_name) == ("My ResNeXt", 10, "MIT", None)
    replaced = resnext.get_variant("swsl_resnext50_32x4d")
    assert replaced.depth == 14 and replaced.top1 is None
    assert resnext.get_variant("resnext50_32x4d.fb_swsl_ig1b_ft_in1k") is replaced
    monkeypatch.delenv("RESNEXT_MODEL_INDEX")
    assert resnext.get_variant("swsl_resnext50_32x4d").depth == 50


def test_extra_index_folder_and_errors(tmp_path, monkeypatch):
    folder = tmp_path / "indices"
    folder.mkdir()
    _index(folder / "a.yaml", [{"Name": "a_resnext50_32x4d", "In Collection": "A", "Weights": "x-0123abcd.pth"}])
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", str(folder))
    assert resnext.get_variant("a_resnext50_32x4d").family == "A"

    monkeypatch.setenv("RESNEXT_MODEL_INDEX", str(tmp_path / "missing.yaml"))
    with pytest.raises(CatalogError, match="does not exist"):
        resnext.list_variants()

    dup = {"Name": "b_resnext50_32x4d", "In Collection": "B", "Weights": "x-0123abcd.pth"}
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", str(_index(tmp_path / "dup.yaml", [dup, dup])))
    with pytest.raises(CatalogError, match="defined twice"):
        resnext.list_variants()

    monkeypatch.setenv("RESNEXT_MODEL_INDEX", str(_index(tmp_path / "bad.yaml", [{"Name": "vgg16"}])))
    with pytest.raises(CatalogError, match="'vgg16'"):
        resnext.list_variants()

    (tmp_path / "broken.yaml").write_text("Models: [unclosed")
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", str(tmp_path / "broken.yaml"))
    with pytest.raises(CatalogError, match="valid YAML"):
        resnext.list_variants()


def test_importing_the_package_loads_no_torch():
    code = "import sys, resnext; resnext.list_variants(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_supervised_baselines_show_torchvisions_own_file_size_never_checked_against():
    from torchvision.models import ResNeXt50_32X4D_Weights

    v = resnext.get_variant("tv_resnext50_32x4d")
    mib = ResNeXt50_32X4D_Weights.IMAGENET1K_V1.meta["_file_size"]
    assert v.file_size == round(mib * 2**20) and v.size_label == "100.4 MB" and not v.file_size_exact
    assert all(x.size_label != "unknown size" for x in resnext.list_variants())
    assert resnext.get_variant("ssl_resnext50_32x4d").file_size_exact  # the cards' exact bytes stay exact


def test_a_size_with_a_unit_is_read_and_an_unknown_unit_refused():
    from resnext.catalog.model_index import _file_size

    assert _file_size("1.5 kB") == 1500 and _file_size("2 MiB") == 2 * 2**20 and _file_size(7) == 7
    with pytest.raises(ValueError, match="unknown unit"):
        _file_size("3 parsecs")
