"""Failures sized to their place (resnext_app.feedback): one message for all, one line per column."""

import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from tests.apptest import APP, bars, upload_image
from tests.factory import write_model_index


def _side_by_side(monkeypatch, **env):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120).run()
    upload_image(at)
    at.switch_page("pages/side_by_side.py").run()
    assert not at.exception
    return at


def test_identical_failures_become_one_message_above_the_columns(tiny_env, monkeypatch):
    at = _side_by_side(monkeypatch, RESNEXT_WEIGHTS_MIRROR="http://127.0.0.1:9")
    assert [e.value for e in at.error] == ["None of the 3 models could run: their weights could not be downloaded."]
    details = at.expander[0]
    assert details.label == "Details"
    text = " ".join(m.value for m in details.markdown)
    for vid in ("ssl_resnext50_32x4d", "swsl_resnext50_32x4d", "ig_resnext101_32x8d"):
        assert vid in text
    assert text.count("the operator of this app can") == 3 and not bars(at)


def test_a_failing_column_is_one_line_with_its_detail_behind_an_expander(tiny_env, tmp_path, monkeypatch):
    doc = yaml.safe_load(tiny_env["index"].read_text())
    entry = next(e for e in doc["Models"] if e["Name"] == "ig_resnext101_32x8d")
    entry["Weights"] = str(tmp_path / "gone.pth")
    mine = write_model_index(tmp_path / "mine.yaml", [entry])
    at = _side_by_side(monkeypatch, RESNEXT_MODEL_INDEX=f"{tiny_env['index']}:{mine}")
    assert [e.value for e in at.error] == ["Its weights could not be loaded."]
    assert len(at.expander) == 1 and str(tmp_path / "gone.pth") in at.expander[0].markdown[0].value
    assert len(bars(at)) == 2  # the other columns answer
    assert any(s.value == "Agreement" for s in at.header)  # computed over the two that ran
