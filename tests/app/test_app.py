"""Every page through Streamlit's AppTest, on tiny checkpoints served from 127.0.0.1."""

import io
import json
import re

import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest

import resnext
from tests.apptest import (
    APP, SAMPLES, bars, chosen, expected_top5, figures, imports_torch, no_failure, pick, upload_image, working_on,
)

def test_start_page_asks_for_an_image_and_shows_the_card(app):
    no_failure(app)
    assert "Drop a photo" in app.info[0].value
    assert app.pills(key="classify_variant__SWSL").value == "swsl_resnext50_32x4d"
    assert all(app.pills(key=f"classify_variant__{f}").value is None for f in ("SSL", "IG"))
    card = next(m.value for m in app.markdown if m.value.startswith("**swsl_resnext50_32x4d** · "))
    v = resnext.get_variant("swsl_resnext50_32x4d")
    assert f"top-1 {v.top1:.2f}% · top-5 {v.top5:.2f}% · parameters {v.parameters / 1e6:.1f} M" in card, card
    assert any("CC-BY-NC-4.0" in c.value for c in app.caption)


def test_upload_shows_bars_crop_heatmap_and_downloads(app):
    upload_image(app)
    no_failure(app)
    assert bars(app) == [expected_top5("swsl_resnext50_32x4d")]
    captions = [c for img in app.image for c in img.captions]
    assert len(captions) == 3 and captions[0] == "", captions  # the current image's thumbnail, original, crop
    top = resnext.load_classifier("swsl_resnext50_32x4d").predict(SAMPLES / "chelsea.png")[0]
    assert figures(app) == [f"Grad-CAM on layer4 for “{top.label} ({100 * top.probability:.1f}%)”", "Heatmap"]
    assert working_on(app) == ["**Working on chelsea.png**  \n451×300 px · 240.5 kB · uploaded"]
    assert any("chelsea.png (451×300)" in c for c in captions)
    assert any("224×224" in c for c in captions)
    assert {b.proto.label for b in app.get("download_button")} == {
        "Overlay (PNG)", "Map (PNG)", "Map (.npy)", "Predictions (CSV)", "Predictions (JSON)"}
    # Scoring costs seconds of shared CPU: it waits to be asked for.
    assert not [m.value for m in app.markdown if m.value.startswith("**Faithfulness**")]
    timing = [c.value for c in app.caption if c.value.startswith("Top-5 of chelsea.png:")]
    assert timing and "from the photo's arrival" in timing[0]
    for stage in ("decode", "resize", "network", "page"):
        assert re.search(rf"{stage} \d+ ms", timing[0]), timing[0]
    app.toggle(key="cam_faithfulness").set_value(True).run()
    faithful = [m.value for m in app.markdown if m.value.startswith("**Faithfulness**")]
    assert len(faithful) == 1 and "lower is better" in faithful[0] and "higher is better" in faithful[0]


def test_camera_input_path(app):
    app.segmented_control(key="classify_source").set_value("Camera").run()
    buf = io.BytesIO()
    Image.open(SAMPLES / "chelsea.png").convert("RGB").save(buf, format="JPEG", quality=95)
    app.camera_input[0].set_value(("shot.jpg", buf.getvalue(), "image/jpeg")).run()
    no_failure(app)
    clf = resnext.load_classifier("swsl_resnext50_32x4d")
    assert bars(app) == [[p.label for p in clf.predict(buf.getvalue())]]


def test_switching_variant_and_heatmap_class(app):
    upload_image(app)
    pick(app, "classify_variant", "ssl_resnext50_32x4d")
    no_failure(app)
    expected = expected_top5("ssl_resnext50_32x4d")
    assert bars(app) == [expected]
    captions = figures(app)
    assert any(expected[0] in c and "layer4" in c for c in captions), captions
    second = resnext.load_classifier("ssl_resnext50_32x4d").predict(SAMPLES / "chelsea.png")[1].index
    app.selectbox(key="cam_class").set_value(second)
    app.selectbox(key="cam_layer").set_value("layer3")
    app.slider(key="cam_alpha").set_value(0.8).run()
    no_failure(app)
    captions = figures(app)
    assert any(expected[1] in c and "layer3" in c for c in captions), captions


def test_side_by_side_three_variants(app):
    upload_image(app)
    app.switch_page("pages/side_by_side.py").run()
    no_failure(app)
    defaults = ["ssl_resnext50_32x4d", "swsl_resnext50_32x4d", "ig_resnext101_32x8d"]
    assert chosen(app, "sbs_variants") == defaults
    assert bars(app) == [expected_top5(v) for v in defaults]
    assert working_on(app) and "chelsea.png" in working_on(app)[0]  # the image it works on, shown
    per_column = [c.value for c in app.caption if c.value.startswith("network ")]
    assert len(per_column) == 3 and all(re.fullmatch(r"network \d+ ms \(fp32\)", c) for c in per_column), per_column
    pairs = app.dataframe[0].value
    assert len(pairs) == 3
    assert set(pairs.columns) >= {"same top-1", "top-5 overlap", "JS divergence (bits)", "heatmap correlation"}
    assert pairs["JS divergence (bits)"].between(0, 1).all()


def test_side_by_side_needs_two_models(app):
    app.switch_page("pages/side_by_side.py").run()
    app.pills(key="sbs_variants__SSL").set_value([]).run()
    app.pills(key="sbs_variants__IG").set_value([]).run()
    assert chosen(app, "sbs_variants") == ["swsl_resnext50_32x4d"]
    assert "at least two" in app.warning[0].value


def test_comparison_page_table_filters_and_charts(app):
    app.switch_page("pages/compare.py").run()
    no_failure(app)
    table = app.dataframe[0].value
    assert len(table) == 18  # the seventeen (three replaced by tiny test ones) plus tiny_resnext14_2x2d
    charts = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    assert len(charts) == 4  # compute, parameters, families, latency on this CPU
    assert any(t.get("name") == "Pareto front" for t in charts[0]["data"])
    app.pills(key="cmp_families").set_value(["IG"]).run()
    assert {resnext.get_variant(m).family for m in app.dataframe[0].value["Model"]} == {"IG"}
    assert app.get("download_button")[0].proto.label == "Table (CSV)"


def test_comparison_page_with_real_metadata(monkeypatch):
    monkeypatch.delenv("RESNEXT_MODEL_INDEX", raising=False)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    no_failure(at)
    table = at.dataframe[0].value
    assert len(table) == 17
    row = table[table["Model"] == "ig_resnext101_32x48d"].iloc[0]
    assert (row["Top-1"], row["Params (M)"]) == (85.42, 828.41)
    row = table[table["Model"] == "ssl_resnext50_32x4d"].iloc[0]
    assert (row["GMACs"], row["GFLOPs (index)"]) == (4.230479872, 5.472648192)  # counted beside published
    scatter = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert scatter["layout"]["xaxis"]["title"]["text"] == "Multiply-adds per image, counted (G)"
    xs = [_plotly_array(trace["x"]) for trace in scatter["data"] if trace.get("mode") == "markers"]
    assert max(x.max() for x in xs) == pytest.approx(153.310199808)  # ig 32x48d's counted G multiply-adds


@pytest.mark.parametrize(
    ("setup", "upload", "words"),
    [
        (None, ("notes.jpg", b"just text", "image/jpeg"), "not an image"),
        (None, ("cut.png", (SAMPLES / "chelsea.png").read_bytes()[:5000], "image/png"), "damaged or truncated"),
        ({"RESNEXT_MAX_PIXELS": "1000"}, None, "megapixels"),
        ({"RESNEXT_WEIGHTS_MIRROR": "http://127.0.0.1:9"}, None, "RESNEXT_WEIGHTS_MIRROR"),
        ({"RESNEXT_MAX_MODEL_GB": "0.000001"}, None, "RESNEXT_MAX_MODEL_GB"),
    ],
)
def test_error_paths_show_a_message(tiny_env, monkeypatch, setup, upload, words):
    st.cache_data.clear()
    st.cache_resource.clear()
    for k, v in (setup or {}).items():
        monkeypatch.setenv(k, v)
    at = AppTest.from_file(APP, default_timeout=120).run()
    upload_image(at, *upload) if upload else upload_image(at)
    assert not at.exception
    assert len(at.error) == 1 and words in at.error[0].value, [e.value for e in at.error]
    if "MIRROR" in words:
        v = resnext.get_variant("swsl_resnext50_32x4d")
        assert v.file_name in at.error[0].value and v.size_label in at.error[0].value
    if setup and "RESNEXT_MAX_PIXELS" not in setup:  # the server's side: the operator, not the visitor, can act
        assert "the operator of this app can" in at.error[0].value
        assert " --" not in at.error[0].value  # no command-line flag a visitor could not pass
    st.cache_resource.clear()


def test_each_variant_shows_its_own_licence(tiny_env, tmp_path, monkeypatch, capsys):
    """A user's Apache-2.0 entry is not labelled CC-BY-NC, in the app or in `resnext list`."""
    import yaml

    from resnext.cli import main
    from tests.factory import write_model_index

    doc = yaml.safe_load(tiny_env["index"].read_text())
    entry = next(e for e in doc["Models"] if e["Name"] == "swsl_resnext50_32x4d")
    entry["Metadata"]["License"] = "Apache-2.0"
    mine = write_model_index(tmp_path / "mine.yaml", [entry])
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", f"{tiny_env['index']}:{mine}")
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    no_failure(at)
    card = next(c.value for c in at.caption if "Weights licence" in c.value and "swsl_resnext50_32x4d" in c.value)
    assert "Apache-2.0" in card and "CC-BY-NC" not in card and "non-commercial" not in card
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "Apache-2.0" in sidebar and "CC-BY-NC-4.0" in sidebar
    pick(at, "classify_variant", "ssl_resnext50_32x4d")
    card = next(c.value for c in at.caption if "Weights licence" in c.value)
    assert "CC-BY-NC-4.0" in card and "non-commercial" in card

    capsys.readouterr()
    assert main(["list"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line.strip()}
    assert "Apache-2.0" in rows["swsl_resnext50_32x4d"] and "CC-BY-NC-4.0" in rows["ssl_resnext50_32x4d"]


def test_comparison_page_shows_the_cost_on_this_cpu(monkeypatch):
    monkeypatch.delenv("RESNEXT_MODEL_INDEX", raising=False)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    no_failure(at)
    machine, measured = __import__("resnext_app.tables", fromlist=["latency"]).latency()
    chart = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert chart["layout"]["xaxis"]["title"]["text"] == "Latency on this CPU, default mode (ms)"
    xs = sorted(x for trace in chart["data"] if trace.get("mode") == "markers" for x in _plotly_array(trace["x"]))
    assert xs == sorted(measured["default_ms"].dropna())
    caption = next(c.value for c in at.caption if c.value.startswith("Measured by"))
    assert machine["cpu"] in caption and machine["date"] in caption
    at.segmented_control(key="cmp_mode").set_value("fast_ms").run()
    chart = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert chart["layout"]["xaxis"]["title"]["text"] == "Latency on this CPU, fast mode (ms)"


def test_comparison_page_does_not_import_torch():
    assert not imports_torch("pages/compare.py", tables=1)


def test_hostile_uploads_give_a_result_or_one_message(app):
    from tests.hostile import corpus

    upload_image(app)  # a good image first: nothing that follows may lose it
    from resnext_app.images import UPLOAD_TYPES

    for name, data, check in corpus():
        # The browser's uploader refuses other extensions itself (Streamlit checks again before
        # the script runs); what reaches the page is any content under an accepted name.
        if name.rsplit(".", 1)[-1] not in UPLOAD_TYPES:
            name += ".png"
        upload_image(app, name, data, "application/octet-stream")
        assert not app.exception, (name, [e.value for e in app.exception])
        errors = [e.value for e in app.error]
        outcome = errors[0] if errors else "top-5 shown"
        print(f"{name:28s} {outcome}")
        if check is None:
            assert len(errors) == 1 and "\n" not in errors[0], (name, errors)
            assert name in errors[0], errors[0]
        else:
            assert not errors and len(bars(app)) == 1, (name, errors)
        if check is None:  # a refused file loses nothing: the last good image's results stay
            assert "Still showing" in errors[0] and len(bars(app)) == 1
    upload_image(app)  # and the server still serves
    no_failure(app)
    assert bars(app) == [expected_top5("swsl_resnext50_32x4d")]


def test_fast_mode_is_labelled_and_compared_with_exact(app):
    from resnext.machine.hardware import fast_precision, mode_label

    upload_image(app)
    app.toggle(key="classify_precision").set_value(True).run()
    no_failure(app)
    assert f"Fast mode: {mode_label(True, fast_precision())}." in [c.value for c in app.caption]
    side = app.dataframe[0].value
    assert list(side.columns) == ["rank", "exact", "exact %", "fast", "fast %"]
    assert list(side["exact"]) == expected_top5("swsl_resnext50_32x4d")
    fast = resnext.load_classifier("swsl_resnext50_32x4d", fast=True)
    assert list(side["fast"]) == [p.label for p in fast.predict(SAMPLES / "chelsea.png")]


def _plotly_array(value):
    """A Plotly figure's array as numpy: JSON lists, or the typed arrays Plotly writes as base64."""
    import base64

    import numpy as np

    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value, dtype=float)
