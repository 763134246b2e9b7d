"""The Batch page: uploads and zips in memory, one row per image, accuracy from class folders, limits."""

import csv
import io
import zipfile

import pandas as pd
import pytest

import resnext
from resnext.catalog.labels import imagenet_labels
from resnext_app import budget, bulk
from tests.apptest import SAMPLES, no_failure

VID = "swsl_resnext50_32x4d"  # the page's default (a tiny network in the test catalog)


def _zip(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buf.getvalue()


def _samples():
    return {p.name: p.read_bytes() for p in sorted(SAMPLES.iterdir()) if p.suffix in {".png", ".jpg"}}


def _open_batch(app):
    app.switch_page("pages/batch.py").run()
    no_failure(app)
    return app


def _upload(app, files):
    app.file_uploader(key="batch_files").set_value([(n, d, "application/octet-stream") for n, d in files]).run()
    return app


def test_files_and_a_bad_one_give_one_row_each(app):
    _open_batch(app)
    files = list(_samples().items()) + [("notes.jpg", b"not an image")]
    _upload(app, files)
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table["file"]) == [n for n, _ in files]
    clf = resnext.load_classifier(VID)
    for name, data in files[:-1]:
        row = table[table["file"] == name].iloc[0]
        assert row["status"] == "ok" and row[f"{VID} top-1"] == clf.predict(data)[0].label
        assert row["image"].startswith("data:image/jpeg;base64,")
    assert "not an image" in table.iloc[-1]["status"]
    assert any("1 files could not be used" in e.label for e in app.expander)
    assert app.get("download_button")[0].proto.label == "Results (CSV)"
    assert f"{len(files) - 1} of {len(files)} files classified" in app.header[0].value


def test_zip_with_class_folders_scores_each_model(app):
    clf = resnext.load_classifier(VID)
    labels = imagenet_labels()
    entries = {}
    for i, (name, data) in enumerate(_samples().items()):
        top = clf.predict(data)[0].index
        folder = str(top) if i % 2 else labels[top].replace(" ", "_")
        if labels.count(labels[top]) > 1:
            folder = str(top)
        entries[f"set/{folder}/{name}"] = data
    entries["set/readme.txt"] = b"notes"
    entries["__MACOSX/._x.png"] = b"junk"
    _open_batch(app)
    _upload(app, [("labelled.zip", _zip(entries))])
    no_failure(app)
    scores = app.dataframe[-1].value
    assert list(scores["model"]) == [VID]
    assert scores["top-1 %"].iloc[0] == 100.0 and scores["images"].iloc[0] == len(_samples())
    skipped = app.dataframe[1].value
    assert list(skipped["file"]) == ["labelled.zip/set/readme.txt"]


def test_unpack_limits_and_broken_zips(monkeypatch):
    monkeypatch.setattr(bulk, "MAX_IMAGES", 2)
    samples = list(_samples().items())
    work = bulk.unpack([(samples[0][0], samples[0][1]), ("bad.zip", b"PK not really"),
                         ("more.zip", _zip({"a/x.png": samples[1][1], "a/y.png": samples[2][1]}))])
    assert [n for n, _ in work.files] == [samples[0][0], "more.zip/a/x.png"]
    reasons = dict(work.skipped)
    assert "not a zip archive" in reasons["bad.zip"] and "past the 2 images" in reasons["more.zip/a/y.png"]
    assert work.folders == {}  # a loose file has no class folder: no accuracy for this batch
    monkeypatch.setattr(bulk, "MAX_UNPACKED", len(samples[1][1]) + 1)
    work = bulk.unpack([("z.zip", _zip({"c/x.png": samples[1][1], "c/y.png": samples[2][1]}))])
    assert [n for n, _ in work.files] == ["z.zip/c/x.png"] and "GB a batch may unpack" in work.skipped[0][1]


def test_results_csv_matches_the_rows(tiny_env):
    from resnext.bulk import predict_files
    from resnext.bulk.results import rows_csv

    clf = resnext.load_classifier(VID)
    files = list(_samples().items())[:2]
    rows = list(predict_files([clf], files, topk=5))
    parsed = list(csv.DictReader(io.StringIO(rows_csv(rows, [VID], 5))))
    assert [r["path"] for r in parsed] == [n for n, _ in files]
    assert [int(r[f"{VID} top1 index"]) for r in parsed] == [clf.predict(d)[0].index for _, d in files]
    frame = bulk.results_frame(rows, [VID], dict(files), thumb=lambda data: None)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == ["image", "file", "status", f"{VID} top-1", f"{VID} top-1 %"]


@pytest.mark.parametrize("data", [b"", b"GIF89a broken"])
def test_thumbnail_of_a_bad_file_is_none(data):
    assert bulk.thumbnail(data) is None


def test_the_bytes_every_session_holds_are_bounded():
    from resnext.errors import ResNeXtError

    gate = budget.ByteGate(100)
    with gate.holding() as first:
        first(60)
        with gate.holding() as second:
            with pytest.raises(ResNeXtError, match="wait a minute and try again"):
                second(50)
            second(40)
            assert gate.held == 100
        assert gate.held == 60
    assert gate.held == 0


def test_a_batch_over_the_servers_bound_is_asked_to_wait(app, monkeypatch):
    monkeypatch.setenv("RESNEXT_MAX_UPLOAD_GB", "0.000001")  # 1 kB for every session together
    _open_batch(app)
    _upload(app, list(_samples().items())[:1])
    assert not app.exception and len(app.error) == 1 and "wait a minute" in app.error[0].value

    assert budget.gate().held == 0  # released when the run ended


def test_a_labelled_zip_measures_calibration_and_corruption_on_request(app):
    from resnext.stress.calibration import calibrate

    clf = resnext.load_classifier(VID)
    samples = _samples()
    entries = {f"set/{i % 3}/{name}": data for i, (name, data) in enumerate(samples.items())}
    _open_batch(app)
    _upload(app, [("labelled.zip", _zip(entries))])
    app.pills(key="batch_corruptions").set_value(["contrast"]).run()
    app.select_slider(key="batch_severities").set_value((2, 3)).run()
    assert app.button(key="batch_trust").label.startswith("Measure (about ")
    app.button(key="batch_trust").click().run()
    no_failure(app)
    table = next(d.value for d in app.dataframe if "ECE %" in d.value.columns)
    truth = [i % 3 for i in range(len(samples))]
    expected = calibrate(clf.probabilities(list(samples.values())).numpy(), truth)
    assert table["ECE %"].iloc[0] == pytest.approx(100 * expected.before.ece, abs=1e-3)
    assert table["T"].iloc[0] == pytest.approx(expected.temperature, rel=1e-3)
    corrupted = next(d.value for d in app.dataframe if "Corruption" in d.value.columns)
    assert list(corrupted.columns[:4]) == ["Model", "Corruption", "severity 2 %", "severity 3 %"]
    assert any("rough figures" in c.value for c in app.caption)
