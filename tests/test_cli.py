import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import resnext
from resnext.cli import main
from resnext.explain import explain

VID = "tiny_resnext14_2x2d"


def test_list_table_and_json(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "swsl_resnext50_32x4d" in out and "CC-BY-NC-4.0" in out and "82.17" in out
    assert main(["list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 17 and {r["license"] for r in rows} == {"CC-BY-NC-4.0", "BSD-3-Clause"}


def test_predict_json_and_text(tiny_env, sample_paths, capsys):
    assert main(["predict", str(sample_paths[0]), str(sample_paths[1]), "--model", VID, "--topk", "3", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["path"] for r in rows] == [str(sample_paths[0]), str(sample_paths[1])]
    assert {r["status"] for r in rows} == {"ok"}
    preds = rows[0]["predictions"][VID]
    assert len(preds) == 3 and set(preds[0]) == {"index", "label", "probability"}

    expected = resnext.load_classifier(VID).predict(sample_paths[0], topk=3)
    assert [p["index"] for p in preds] == [p.index for p in expected]

    assert main(["predict", str(sample_paths[0]), "--model", VID, "--weights", str(tiny_env[VID])]) == 0
    out = capsys.readouterr().out
    assert expected[0].label in out and f"{expected[0].probability:.4f}" in out


def test_cam_writes_an_overlay(tiny_env, sample_paths, tmp_path):
    out = tmp_path / "cam.png"
    assert main(["cam", str(sample_paths[0]), "--model", VID, "--out", str(out), "--class", "3", "--layer", "layer3"]) == 0
    image = Image.open(out)
    assert image.size == (224, 224) and image.mode == "RGB"
    assert np.asarray(image).std() > 1


def test_cam_other_methods_raw_map_and_faithfulness(tiny_env, sample_paths, tmp_path, capsys):
    out = tmp_path / "map.npy"
    argv = ["cam", str(sample_paths[0]), "--model", VID, "--out", str(out), "--method", "deeplift", "--class", "3",
            "--contrast", "5", "--faithfulness"]
    assert main(argv) == 0
    clf = resnext.load_classifier(VID)
    expected = explain(clf, sample_paths[0], "deeplift", 3, contrast=5)
    assert np.array_equal(np.load(out), expected)
    score = resnext.faithfulness(clf, sample_paths[0], expected, 3)
    line = capsys.readouterr().out.splitlines()[-1]
    assert f"deletion AUC {score.deletion:.4f} (lower is better" in line and f"insertion AUC {score.insertion:.4f}" in line


def test_download_puts_the_file_in_the_cache(tiny_env, isolated_env, capsys):
    assert main(["download", VID]) == 0
    assert str(isolated_env) in capsys.readouterr().out
    assert any(p.suffix == ".pth" for p in isolated_env.iterdir())


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["predict", "x.jpg", "--model", "swsl_resnext50"], "did you mean 'swsl_resnext50_32x4d'"),
        (["download", "resnext50"], "valid ids are"),
        (["predict", "{image}", "--model", VID, "--weights", "nope.pth"], "does not exist"),
    ],
)
def test_user_errors_exit_2_with_one_sentence(tiny_env, capsys, sample_paths, argv, words):
    assert main([a.replace("{image}", str(sample_paths[0])) for a in argv]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and err.count("\n") == 1


def test_no_network_in_a_real_process(tiny_env, tmp_path, sample_paths):
    env = {**os.environ, "RESNEXT_WEIGHTS_MIRROR": "http://127.0.0.1:9", "RESNEXT_CACHE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "resnext.cli", "predict", str(sample_paths[0]), "--model", VID],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    for words in ("http://127.0.0.1:9/", "--weights", "RESNEXT_WEIGHTS_MIRROR"):
        assert words in done.stderr
    assert done.stderr.count("\n") == 1


def test_download_offers_no_flag_it_does_not_have(tiny_env, monkeypatch, capsys):
    monkeypatch.setenv("RESNEXT_WEIGHTS_MIRROR", "http://127.0.0.1:9")
    assert main(["download", VID]) == 2
    err = capsys.readouterr().err
    assert "RESNEXT_WEIGHTS_MIRROR" in err and "--weights" not in err


def test_local_weights_that_do_not_verify_exit_2_and_stay(tiny_env, tmp_path, monkeypatch, capsys, sample_paths):
    import yaml

    from tests.factory import write_model_index

    doc = yaml.safe_load(tiny_env["index"].read_text())
    entry = next(e for e in doc["Models"] if e["Name"] == VID)
    wrong = tmp_path / tiny_env[VID].name
    wrong.write_bytes(b"not the checkpoint")
    entry["Weights"] = wrong.as_uri()
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", str(write_model_index(tmp_path / "mine.yaml", [entry])))
    assert main(["predict", str(sample_paths[0]), "--model", VID]) == 2
    err = capsys.readouterr().err
    assert str(wrong) in err and "left as it is" in err and err.count("\n") == 1 and "Traceback" not in err
    assert wrong.read_bytes() == b"not the checkpoint"


def test_download_prepare_caches_the_engine_conversion(tiny_env, isolated_env, capsys):
    from resnext.inference.engine import default_engine

    assert main(["download", "--prepare", VID]) == 0
    converted = list((isolated_env / "openvino").glob("*.xml")) if (isolated_env / "openvino").exists() else []
    assert len(converted) == (1 if default_engine() == "openvino" else 0)


def _mixed_folder(tmp_path, sample_paths):
    """Samples in a folder tree with a text file and a truncated PNG among them."""
    folder = tmp_path / "photos"
    (folder / "sub").mkdir(parents=True)
    for p in sample_paths[:2]:
        (folder / p.name).write_bytes(p.read_bytes())
    (folder / "sub" / sample_paths[2].name).write_bytes(sample_paths[2].read_bytes())
    (folder / "notes.jpg").write_text("a text file renamed .jpg")
    (folder / "sub" / "cut.png").write_bytes(sample_paths[3].read_bytes()[:3000])
    return folder


def test_predict_folder_to_csv_keeps_good_rows_and_exits_2(tiny_env, tmp_path, sample_paths, capsys):
    import csv

    folder = _mixed_folder(tmp_path, sample_paths)
    out = tmp_path / "results.csv"
    argv = ["predict", str(folder), str(sample_paths[4]), "--model", VID, "--model", "ssl_resnext50_32x4d",
            "--topk", "2", "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == "resnext: 2 of 6 files could not be read; see the status column.\n"
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 6 and rows[-1]["path"] == str(sample_paths[4])
    status = {Path(r["path"]).name: r["status"] for r in rows}
    assert "not an image" in status["notes.jpg"] and "damaged or truncated" in status["cut.png"]
    good = [r for r in rows if r["status"] == "ok"]
    assert len(good) == 4
    for model in (VID, "ssl_resnext50_32x4d"):
        clf = resnext.load_classifier(model)
        for r in good:
            expected = clf.predict(r["path"], topk=2)
            assert [int(r[f"{model} top{k} index"]) for k in (1, 2)] == [p.index for p in expected]
            assert r[f"{model} top1"] == expected[0].label
    # An existing results file is a user's: never replaced without --overwrite.
    before = out.read_bytes()
    assert main(argv) == 2 and out.read_bytes() == before
    assert "already exists" in capsys.readouterr().err
    assert main([*argv, "--overwrite"]) == 2


def test_predict_checks_images_before_loading_any_model(tiny_env, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RESNEXT_WEIGHTS_MIRROR", "http://127.0.0.1:9")  # a model load would fail loudly
    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    out = tmp_path / "rows.jsonl"
    assert main(["predict", str(tmp_path / "missing.jpg"), str(text), "--model", VID, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == "resnext: 2 of 2 files could not be read; see the status column.\n"
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert "There is no file" in rows[0]["status"] and "not an image" in rows[1]["status"]


def test_predict_progress_goes_to_stderr(tiny_env, sample_paths, monkeypatch, capsys):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["predict", *map(str, sample_paths[:3]), "--model", VID, "--json"]) == 0
    captured = capsys.readouterr()
    assert "3/3 files, 0 failed" in captured.err and "files/s" in captured.err
    assert len(captured.out.splitlines()) == 3


def test_stress_prints_each_models_sweep_and_writes_json(tiny_env, sample_paths, tmp_path, capsys):
    out = tmp_path / "stress.json"
    assert main(["stress", str(sample_paths[0]), "--model", VID, "--model", "ssl_resnext50_32x4d",
                 "--corruption", "fog", "--corruption", "pixelate", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Fog" in text and "Pixelate" in text and "changes at" in text
    data = json.loads(out.read_text())
    assert [m["model"] for m in data["models"]] == [VID, "ssl_resnext50_32x4d"]
    assert len(data["models"][0]["corruptions"]["fog"]["probability"]) == 5
    assert data["summary"].splitlines()[0] in text


def test_stress_refuses_frost_in_one_sentence(tiny_env, sample_paths, capsys):
    assert main(["stress", str(sample_paths[0]), "--model", VID, "--corruption", "frost"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "frost is left out" in err and "Traceback" not in err


def test_eval_under_corruption_with_a_baseline(tiny_env, sample_paths, tmp_path, capsys):
    data = tmp_path / "data"
    for index, photos in (("0", sample_paths[:2]), ("1", sample_paths[2:4])):
        (data / index).mkdir(parents=True)
        for p in photos:
            Image.open(p).convert("RGB").save(data / index / f"{p.stem}.jpg")
    out = tmp_path / "report.json"
    assert main(["eval", str(data), "--model", VID, "--corrupt", "contrast", "--severity", "2-3",
                 "--baseline", "ssl_resnext50_32x4d", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "mCE" in text and "not to AlexNet" in text and "ECE" in text and "temperature scaling" in text
    report = json.loads(out.read_text())
    assert set(report["models"]) == {VID, "ssl_resnext50_32x4d"} and report["severities"] == [2, 3]
    assert report["models"]["ssl_resnext50_32x4d"]["mce"] in (1.0, None)
    assert len(report["models"][VID]["calibration"]["reliability"]["count"]) == 15
    assert main(["eval", str(data), "--model", VID, "--corrupt", "fog", "--severity", "7",
                 "--baseline", "ssl_resnext50_32x4d"]) == 2
    assert "not a severity" in capsys.readouterr().err
