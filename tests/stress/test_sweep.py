"""One image through several models under corruption, and a labelled folder under corruption
(resnext.stress.sweep, resnext.stress.robustness), on tiny real architectures with random weights."""

import numpy as np
import pytest
import torch
from PIL import Image

import resnext
from resnext.errors import ResNeXtError
from resnext.stress.corruptions import corrupt
from resnext.stress.robustness import evaluate_corrupted
from resnext.stress.sweep import ModelSweep, Sweep, sweep

A, B = "tiny_resnext14_2x2d", "ssl_resnext50_32x4d"


def test_a_sweep_is_the_batch_of_each_corrupted_crop(tiny_env, sample_paths):
    models = [resnext.load_classifier(A), resnext.load_classifier(B)]
    result = sweep(models, sample_paths[0], ["gaussian_noise", "pixelate"], seed=3)
    assert [m.model for m in result.models] == [A, B] and result.corruptions == ("gaussian_noise", "pixelate")
    clf = models[1]
    crop = np.asarray(clf.crop(sample_paths[0]).convert("RGB"))
    assert np.array_equal(result.clean, crop)
    m = result.models[1]
    assert m.clean_index == clf.predict(sample_paths[0])[0].index
    for s in range(1, 6):  # one by one, the same crops give the batch's answers
        c = result.crops["pixelate"][s - 1]
        assert np.array_equal(c, corrupt(crop, "pixelate", s))
        p = clf.probabilities(clf.transform.to_tensor(c)).numpy()[0]
        assert m.probability["pixelate"][s - 1] == pytest.approx(p[m.clean_index], abs=1e-5)
        assert m.top1["pixelate"][s - 1] == p.argmax()
    again = sweep(models, sample_paths[0], ["gaussian_noise"], seed=3)
    assert np.array_equal(again.models[0].probability["gaussian_noise"], result.models[0].probability["gaussian_noise"])


def test_first_change_and_the_summary_name_the_model_that_held_up():
    def model(name, top1):
        return ModelSweep(name, 1, "cat", 0.9, {"fog": np.linspace(0.8, 0.2, 5)}, {"fog": np.array(top1)}, ["dog", "cat"])

    steady, fragile = model("steady", [1, 1, 1, 1, 0]), model("fragile", [1, 0, 0, 0, 0])
    assert steady.first_change("fog") == 5 and fragile.first_change("fog") == 2
    assert model("rock", [1] * 5).first_change("fog") is None
    result = Sweep(("fog",), [fragile, steady], {}, np.zeros((1, 1, 3)))
    assert result.best() == "steady" and "steady held up best" in result.summary()
    assert "4 of 5" in result.summary() and "fragile 1" in result.summary()


def test_a_cancelled_sweep_raises_from_its_progress(tiny_env, sample_paths):
    def stop(fraction):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep([resnext.load_classifier(A)], sample_paths[0], ["fog"], progress=stop)


@pytest.fixture
def labelled(tmp_path, sample_paths):
    """Two classes (ImageNet indices 0 and 1) of three photos each, and a file that is no image."""
    tmp_path = tmp_path / "data"
    for index, photos in (("0", sample_paths[:3]), ("1", sample_paths[2:5])):
        (tmp_path / index).mkdir(parents=True)
        for p in photos:
            Image.open(p).convert("RGB").resize((160, 120)).save(tmp_path / index / f"{p.stem}.jpg")
    (tmp_path / "1" / "broken.jpg").write_bytes(b"not a jpeg")
    return tmp_path


def test_a_labelled_folder_under_corruption(tiny_env, labelled):
    models = [resnext.load_classifier(A), resnext.load_classifier(B)]
    report = evaluate_corrupted(models, labelled, ["contrast", "jpeg_compression"], [1, 3], baseline=B)
    assert report.images == 6 and len(report.skipped) == 1 and "broken.jpg" in report.skipped[0]
    # Accuracy by hand for one cell.
    clf = models[0]
    truth = [0, 0, 0, 1, 1, 1]
    crops = [np.asarray(clf.transform.crop(clf.transform.load(p)).convert("RGB"))
             for sub in ("0", "1") for p in sorted((labelled / sub).glob("*.jpg")) if p.name != "broken.jpg"]
    p = clf.probabilities(torch.stack([clf.transform.to_tensor(corrupt(c, "contrast", 3)) for c in crops])).numpy()
    assert report.accuracy[A]["contrast"][1] == pytest.approx(np.mean(p.argmax(axis=1) == truth))
    assert report.clean[A].images == 6 and report.clean[A].few
    assert report.ece[A]["contrast"].shape == (2,)


def test_the_baseline_must_be_evaluated(tiny_env, labelled):
    with pytest.raises(ResNeXtError, match="baseline"):
        evaluate_corrupted([resnext.load_classifier(A)], labelled, ["fog"], baseline=B)


def test_corruption_errors_worked_out_by_hand():
    from types import SimpleNamespace

    from resnext.stress.robustness import Report

    clean = {"a": SimpleNamespace(before=SimpleNamespace(accuracy=0.9)),
             "base": SimpleNamespace(before=SimpleNamespace(accuracy=0.8))}
    accuracy = {"a": {"fog": np.array([0.5, 0.25]), "jpeg": np.array([0.8, 0.6])},
                "base": {"fog": np.array([0.75, 0.5]), "jpeg": np.array([0.7, 0.7])}}
    report = Report(["a", "base"], "base", ("fog", "jpeg"), (1, 3), 10, [], clean, accuracy, {})
    # fog: errors 0.5 + 0.75 = 1.25 against 0.25 + 0.5 = 0.75; jpeg: 0.2 + 0.4 against 0.3 + 0.3
    assert report.ce("a", "fog") == pytest.approx(5 / 3) and report.ce("a", "jpeg") == pytest.approx(1.0)
    assert report.mce("a") == pytest.approx((5 / 3 + 1) / 2)
    # relative: each clean error (0.1, 0.2) first subtracted: (0.4 + 0.65) / (0.05 + 0.3)
    assert report.ce("a", "fog", relative=True) == pytest.approx(1.05 / 0.35)
    assert report.ce("a", "jpeg", relative=True) == pytest.approx((0.1 + 0.3) / (0.1 + 0.1))
    never = Report(["a"], "a", ("fog",), (1,), 10, [], clean, {"a": {"fog": np.array([1.0])}}, {})
    assert never.ce("a", "fog") is None and never.mce("a") is None  # a baseline that never errs gives none
