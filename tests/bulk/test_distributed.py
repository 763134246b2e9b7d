"""The bulk prediction on a local Ray instance gives the local run's rows (slow: starts Ray)."""

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import resnext
from resnext.bulk import predict_files
from resnext.cli import main

import ray
pytestmark = pytest.mark.slow

MODELS = ["tiny_resnext14_2x2d", "ssl_resnext50_32x4d"]


@pytest.fixture
def local_ray(tiny_env, isolated_env):
    # Workers start from this process's environment: the tiny catalog and this test's cache.
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _same(rows, local):
    assert [(r.path, r.status) for r in rows] == [(r.path, r.status) for r in local]
    for a, b in zip(rows, local):
        assert a.predictions.keys() == b.predictions.keys()
        for vid in a.predictions:
            assert [p.index for p in a.predictions[vid]] == [p.index for p in b.predictions[vid]]
            assert all(abs(x.probability - y.probability) <= 1e-5 for x, y in zip(a.predictions[vid], b.predictions[vid]))


def test_ray_rows_equal_the_local_run(local_ray, sample_paths, tmp_path):
    from resnext.bulk.distributed import predict_with_ray

    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    paths = [*sample_paths, text]
    rows = list(predict_with_ray(MODELS, paths, topk=3, batch_size=2))
    local = list(predict_files([resnext.load_classifier(m) for m in MODELS], paths, topk=3))
    _same(rows, local)
    assert rows[-1].status.startswith(f"{text} is not an image")

    out = tmp_path / "rows.csv"
    argv = ["predict", *map(str, paths), "--out", str(out), "--ray"]
    for m in MODELS:
        argv += ["--model", m]
    assert main(argv) == 2  # the text file: refused before Ray sees it, listed all the same
    written = list(csv.DictReader(out.open()))
    assert [r["path"] for r in written] == [str(p) for p in paths]
    assert [r[f"{MODELS[1]} top1 index"] for r in written[:-1]] == [
        str(r.predictions[MODELS[1]][0].index) for r in local[:-1]]


@pytest.fixture
def bare_ray(isolated_env):
    """A local instance started before the tiny catalog is set: workers see only what is sent them."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _rows(path):
    return [{k: v for k, v in row.items()} for row in csv.DictReader(path.open())]


def test_weights_and_model_index_reach_every_actor(bare_ray, tiny_world, sample_paths, tmp_path, monkeypatch):
    # The tiny variant exists only in the custom model-index, and the checkpoint is another tiny
    # variant's: an actor missing either would refuse the id or answer with the served weights.
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", str(tiny_world["index"]))
    weights = str(tiny_world["ssl_resnext50_32x4d"])
    common = ["predict", *map(str, sample_paths), "--model", "tiny_resnext14_2x2d", "--weights", weights,
              "--topk", "3"]
    assert main([*common, "--out", str(tmp_path / "local.csv")]) == 0
    assert main([*common, "--out", str(tmp_path / "ray.csv"), "--ray"]) == 0
    local, on_ray = _rows(tmp_path / "local.csv"), _rows(tmp_path / "ray.csv")
    assert [r["path"] for r in on_ray] == [r["path"] for r in local] == [str(p) for p in sample_paths]
    for a, b in zip(on_ray, local):
        assert a.keys() == b.keys()
        for key in a:
            if key.endswith("probability"):
                assert abs(float(a[key]) - float(b[key])) <= 1e-5
            else:
                assert a[key] == b[key], key
    served = list(predict_files([resnext.load_classifier("tiny_resnext14_2x2d")], sample_paths, topk=1))
    assert any(float(r["tiny_resnext14_2x2d top1 probability"]) != pytest.approx(s.predictions[
        "tiny_resnext14_2x2d"][0].probability, abs=1e-5) for r, s in zip(local, served))  # --weights mattered


def test_a_failed_load_on_ray_is_one_sentence(tiny_world, sample_paths, tmp_path, isolated_env):
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"not a checkpoint")
    env = {**os.environ, "RESNEXT_MODEL_INDEX": str(tiny_world["index"]), "RESNEXT_CACHE_DIR": str(isolated_env)}
    done = subprocess.run(
        [sys.executable, "-m", "resnext.cli", "predict", str(sample_paths[0]), "--model", "tiny_resnext14_2x2d",
         "--weights", str(bad), "--ray"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=240,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"resnext: Refused to load {bad}"), done.stderr  # as without Ray
    assert "Traceback" not in done.stderr + done.stdout
    log = re.search(r"Ray's report: (\S+?)\)", lines[0]).group(1)
    assert "Traceback" in Path(log).read_text()
