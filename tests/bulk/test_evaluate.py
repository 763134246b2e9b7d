"""Accuracy on a labelled folder, against labels that timm's own predictions make exact."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

import resnext
from resnext.bulk.evaluate import class_folders, evaluate, imagenet_synsets, wilson
from resnext.catalog.labels import imagenet_labels
from resnext.cli import main
from resnext.errors import ResNeXtError

VID = "tiny_resnext14_2x2d"


def _photos(count, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        coarse = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
        yield Image.fromarray(coarse).resize((320, 240), Image.BICUBIC)


@pytest.fixture
def labelled(tiny_env, tmp_path):
    """12 photos filed under the class timm's network (same weights) gives them, named three ways."""
    import timm.models.resnet as timm_resnet
    from timm.data import create_transform

    reference = timm_resnet.ResNet(timm_resnet.Bottleneck, [1, 1, 1, 1], cardinality=2, base_width=2)
    reference.load_state_dict(torch.load(tiny_env[VID], weights_only=True))
    reference.eval()
    transform = create_transform(224, crop_pct=0.875, interpolation="bilinear")
    labels = imagenet_labels()
    root = tmp_path / "labelled"
    truth = []
    for i, photo in enumerate(_photos(12)):
        with torch.no_grad():
            top = int(reference(transform(photo)[None]).argmax())
        name = [imagenet_synsets()[top], str(top), labels[top].replace(" ", "_")][i % 3]
        if labels.count(labels[top]) > 1:
            name = str(top)
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        photo.save(folder / f"{i:02d}.png")
        truth.append((folder / f"{i:02d}.png", top))
    return root, truth


def test_accuracy_is_exact_where_the_labels_are_known(labelled, tmp_path):
    root, truth = labelled
    clf = resnext.load_classifier(VID)
    result = evaluate([clf], root, batch_size=5)
    score = result.scores[0]
    assert (score.images, score.top1, score.top5) == (12, 1.0, 1.0)
    assert score.top1_interval == pytest.approx(wilson(12, 12)) and score.top1_interval[1] == pytest.approx(1.0)

    # Relabel half: move six photos to a class none of the model's top-5 holds.
    for path, top in truth[:6]:
        other = next(c for c in range(1000) if c not in [p.index for p in clf.predict(path)])
        folder = root / str(other)
        folder.mkdir(exist_ok=True)
        path.rename(folder / path.name)
    score = evaluate([clf], root).scores[0]
    assert (score.top1, score.top5) == (0.5, 0.5)
    assert sum(total for _, total in score.per_class.values()) == 12


def test_two_models_agreement_and_report_files(labelled, tmp_path, capsys):
    root, truth = labelled
    report, per_class = tmp_path / "report.json", tmp_path / "classes.csv"
    assert main(["eval", str(root), "--model", VID, "--model", "ssl_resnext50_32x4d",
                 "--out", str(report), "--per-class", str(per_class)]) == 0
    out = capsys.readouterr().out
    assert "published on ImageNet-1k val (a different data set)" in out and "95% Wilson" in out
    data = json.loads(report.read_text())
    assert [m["model"] for m in data["models"]] == [VID, "ssl_resnext50_32x4d"]
    assert data["models"][0]["top1"] == 1.0 and data["models"][0]["images"] == 12
    other = resnext.load_classifier("ssl_resnext50_32x4d")
    mine = resnext.load_classifier(VID)
    paths = sorted(root.rglob("*.png"))
    same = np.mean([other.predict(p)[0].index == mine.predict(p)[0].index for p in paths])
    assert data["agreement_same_top1"][0]["share"] == pytest.approx(same)
    lines = per_class.read_text().splitlines()
    assert lines[0] == f"class,label,images,{VID} top-1,ssl_resnext50_32x4d top-1"
    assert len(lines) == 1 + len({top for _, top in truth})  # one row per class, however its folders are named
    # Existing reports are never replaced without --overwrite.
    assert main(["eval", str(root), "--model", VID, "--out", str(report)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_folder_names_and_errors(tmp_path):
    labels = imagenet_labels()
    for name in ("n01440764", "0", "Tench", "tiger_cat", "281"):
        (tmp_path / "ok" / name).mkdir(parents=True)
    mapping = {p.name: i for p, i in class_folders(tmp_path / "ok", labels).items()}
    assert mapping == {"n01440764": 0, "0": 0, "Tench": 0, "tiger_cat": 282, "281": 281}
    (tmp_path / "bad" / "kittens").mkdir(parents=True)
    with pytest.raises(ResNeXtError, match="'kittens' are not ImageNet synset ids"):
        class_folders(tmp_path / "bad", labels)
    (tmp_path / "twice" / "cardigan").mkdir(parents=True)
    with pytest.raises(ResNeXtError, match="names two classes"):
        class_folders(tmp_path / "twice", labels)
    with pytest.raises(ResNeXtError, match="no class sub-folders"):
        class_folders(tmp_path / "twice" / "cardigan", labels)


def test_wilson_interval():
    assert wilson(0, 0) == (0.0, 1.0)
    lo, hi = wilson(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(0.9433, abs=1e-4)
    assert wilson(10, 10)[1] == pytest.approx(1.0) and wilson(0, 10)[0] == pytest.approx(0.0)
