"""Bulk prediction: equal to one file at a time, in order, each file decoded once, bad files isolated."""

import pytest

import resnext
from resnext.inference import image
from resnext.bulk import OK, predict_files, probe


@pytest.fixture
def files(tmp_path, sample_paths):
    """The samples, with a text file, a truncated PNG and a missing file among them."""
    text = tmp_path / "notes.jpg"
    text.write_text("a text file renamed .jpg")
    cut = tmp_path / "cut.png"
    cut.write_bytes(sample_paths[2].read_bytes()[:3000])
    return [sample_paths[0], text, sample_paths[1], cut, tmp_path / "missing.jpg", *sample_paths[2:]]


def test_rows_equal_single_predictions_and_bad_files_cost_nothing(tiny_env, files, monkeypatch):
    models = [resnext.load_classifier("tiny_resnext14_2x2d"), resnext.load_classifier("ssl_resnext50_32x4d")]
    decoded = []
    real = image.load_image
    monkeypatch.setattr(image, "load_image", lambda *a, **k: decoded.append(a[0]) or real(*a, **k))
    rows = list(predict_files(models, files, topk=3, batch_size=2, workers=2))
    assert [r.path for r in rows] == [str(f) for f in files]
    assert sorted(map(str, decoded)) == sorted(map(str, files))  # once per file, whatever the number of models
    statuses = {r.path: r.status for r in rows}
    assert "not an image" in statuses[str(files[1])]
    assert "damaged or truncated" in statuses[str(files[3])]
    assert "There is no file" in statuses[str(files[4])]
    for row in rows:
        if row.ok:
            for clf in models:
                single = clf.predict(row.path, topk=3)
                got = row.predictions[clf.variant.id]
                assert [p.index for p in got] == [p.index for p in single]
                assert all(abs(a.probability - b.probability) <= 1e-5 for a, b in zip(got, single))
        else:
            assert row.predictions == {}
    assert sum(r.status == OK for r in rows) == len(files) - 3


def test_probe_reads_headers_only(files):
    refused = probe(files)
    assert {files[1], files[4]} <= set(refused) <= {files[1], files[3], files[4]}  # cut.png may pass its header
    assert not set(refused) & {files[0], files[2], *files[5:]}
    assert "notes.jpg is not an image" in refused[files[1]]


def test_refused_files_are_not_read_again(tiny_env, files, monkeypatch):
    clf = resnext.load_classifier("tiny_resnext14_2x2d")
    refused = {files[0]: "refused earlier"}
    rows = list(predict_files([clf], files[:1], refused=refused))
    assert rows[0].status == "refused earlier"
