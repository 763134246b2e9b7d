"""A classifier of your own classes: saved, loaded, and answering as the probe does, everywhere."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

import resnext
from resnext.cli import main
from resnext.errors import ResNeXtError, WeightsError
from resnext.explain import explain
from resnext.transfer import labelled_files, load_head, save_head
from resnext.transfer.features import FeatureCache, extract_features
from resnext.transfer.head import head_from_probe
from resnext.transfer.probe import fit_probe

MODEL = "tiny_resnext14_2x2d"


@pytest.fixture
def trained(tiny_env, folders, tmp_path):
    clf = resnext.load_classifier(MODEL)
    data = labelled_files(folders)
    x, _ = extract_features(clf, data.items, FeatureCache(tmp_path / "f"))
    return clf, data, x, fit_probe(x, data.labels)


def test_the_head_round_trips(trained, tmp_path):
    clf, data, x, probe = trained
    head = head_from_probe(probe, data.classes, clf)
    path = save_head(head, tmp_path / "head.safetensors")
    back = load_head(path)
    assert back.classes == data.classes and back.backbone == MODEL and back.preprocessing == head.preprocessing
    for name in ("weight", "bias", "mean", "scale"):
        np.testing.assert_allclose(getattr(back, name), getattr(head, name), rtol=1e-6)
    np.testing.assert_allclose(back.probabilities(x), probe.predict_proba(x), atol=1e-5)
    with pytest.raises(ResNeXtError, match="already exists"):
        save_head(head, path)


def test_the_loaded_classifier_answers_as_the_probe(trained, tmp_path):
    clf, data, x, probe = trained
    path = save_head(head_from_probe(probe, data.classes, clf), tmp_path / "head.safetensors")
    own = resnext.load_classifier(head=load_head(path))
    assert own.labels == data.classes and own.variant.id == MODEL
    got = own.probabilities(data.items).numpy()
    np.testing.assert_allclose(got, probe.predict_proba(x), atol=1e-5)
    top = own.predict(data.items[0], topk=2)
    assert top[0].label in data.classes and len(top) == 2
    cam = explain(own, data.items[0], "gradcam", class_index=1)  # Grad-CAM of the user's class
    assert cam.shape == (clf.variant.image_size,) * 2 and 0 <= cam.min() and cam.max() <= 1


def test_a_two_class_head_gives_the_probes_probabilities(trained, tmp_path):
    clf, data, x, _ = trained
    keep = data.labels < 2
    probe = fit_probe(x[keep], data.labels[keep])
    path = save_head(head_from_probe(probe, data.classes[:2], clf), tmp_path / "two.safetensors")
    own = resnext.load_classifier(head=load_head(path))
    items = [i for i, k in zip(data.items, keep) if k]
    np.testing.assert_allclose(own.probabilities(items).numpy(), probe.predict_proba(x[keep]), atol=1e-5)


def test_a_head_refuses_another_backbone_and_a_bad_file(trained, tmp_path):
    clf, data, _, probe = trained
    path = save_head(head_from_probe(probe, data.classes, clf), tmp_path / "head.safetensors")
    with pytest.raises(ResNeXtError, match=f"trained on {MODEL}; use it with that model"):
        resnext.load_classifier("ssl_resnext50_32x4d", head=load_head(path))
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"junk")
    with pytest.raises(WeightsError, match="is not a classifier head"):
        load_head(bad)


def test_probe_then_predict_with_the_head_on_the_command_line(tiny_env, folders, tmp_path, capsys):
    report, head, rows = tmp_path / "report.json", tmp_path / "head.safetensors", tmp_path / "rows.csv"
    argv = ["probe", str(folders), "--model", MODEL, "--model", "ssl_resnext50_32x4d", "--folds", "3",
            "--shots", "1,2", "--out", str(report), "--save-head", str(head), "--head-model", MODEL]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "3-fold" in out and MODEL in out and f"wrote {head}" in out
    result = json.loads(report.read_text())
    assert {m["model"] for m in result["models"]} == {MODEL, "ssl_resnext50_32x4d"}
    assert result["classes"] == ["blue", "green", "red"] and result["images"] == 18
    assert all(np.array(m["confusion"]).sum() == 18 for m in result["models"])

    assert main(["predict", str(folders), "--head", str(head), "--topk", "3", "--out", str(rows)]) == 0
    written = list(csv.DictReader(rows.open()))
    clf = resnext.load_classifier(MODEL)
    data = labelled_files(folders)
    x, _ = extract_features(clf, data.items)
    probe = fit_probe(x, data.labels)
    expected = {str(p): data.classes[k] for p, k in zip(data.items, probe.predict(x))}
    assert {r["path"]: r[f"{MODEL} top1"] for r in written} == expected


def test_probe_on_a_folder_it_cannot_use_is_one_sentence(tiny_env, folders, capsys):
    import shutil

    for name in ("green", "blue"):
        shutil.rmtree(folders / name)
    assert main(["probe", str(folders), "--model", MODEL]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("resnext: ") and "at least two class folders" in err[0]


def test_the_feature_cache_command(tiny_env, folders, capsys):
    assert main(["probe", str(folders), "--model", MODEL, "--folds", "2", "--shots", "1"]) == 0
    capsys.readouterr()
    assert main(["features"]) == 0
    assert capsys.readouterr().out.startswith("18 feature vectors")
    assert main(["features", "--clear"]) == 0
    assert capsys.readouterr().out.startswith("removed 18 feature vectors")


def test_with_head_leaves_the_shared_classifier_as_it_was(trained, folders):
    clf, data, _, probe = trained
    before = clf.probabilities(data.items[:2])
    own = clf.with_head(head_from_probe(probe, data.classes, clf))
    assert own.labels == data.classes and len(clf.labels) == 1000 and clf.head is None
    assert own.model.fc is not clf.model.fc and own.model.layer4 is clf.model.layer4 and own.engine is clf.engine
    explain(own, data.items[0], "integrated_gradients", class_index=0)  # hooks and swaps on the shared network
    assert clf.model.fc.out_features == 1000
    np.testing.assert_array_equal(clf.probabilities(data.items[:2]).numpy(), before.numpy())
