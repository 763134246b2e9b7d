"""The bulk prediction on a local Ray instance gives the local run's rows (slow: starts Ray)."""

import csv

import pytest

import resnext
from resnext.bulk import predict_files
from resnext.cli import main

ray = pytest.importorskip("ray")
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
    from resnext.distributed import predict_with_ray

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
