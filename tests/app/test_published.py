"""The page on what the extra data buys (pages/robustness.py), read off AppTest."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.apptest import APP, displayed, imports_torch


@pytest.fixture
def page(monkeypatch):
    monkeypatch.delenv("RESNEXT_MODEL_INDEX", raising=False)
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/robustness.py").run()
    assert not at.exception and not at.error
    return at


def test_every_model_on_every_dataset_with_a_dash_for_none(page):
    shown = displayed(page.dataframe[0])
    assert len(shown) == 17  # twelve variants, five supervised baselines
    assert list(shown.columns[2:]) == ["IN-1k", "ReaL", "IN-V2", "Sketch", "IN-A", "IN-A clean", "IN-R", "IN-R clean"]
    row = shown[shown["Model"] == "swsl_resnext50_32x4d"].iloc[0]
    assert (row["IN-A"], row["IN-R"], row["Sketch"]) == ("33.1", "69.1", "50.5")
    assert set(shown[shown["Model"] == "ig_resnext101_32x48d"].iloc[0][2:]) == {"—"}
    assert page.dataframe[0].proto.placeholder == "—"  # what the browser draws in an empty cell (not "None")
    page.radio(key="rob_metric").set_value("top5").run()
    assert displayed(page.dataframe[0]).iloc[0]["IN-1k"] == "93.7"  # resnext50 V1's top-5


def test_views_per_dataset_and_per_architecture(page):
    charts = page.get("plotly_chart")
    assert len(charts) == 2
    assert page.segmented_control(key="rob_dataset").value == "imagenet-r"
    page.segmented_control(key="rob_dataset").set_value("sketch").run()
    assert "shapes, not textures" in " ".join(c.value for c in page.caption)
    assert page.segmented_control(key="rob_architecture").options == [
        "resnext50_32x4d", "resnext101_32x8d", "resnext101_32x16d"]


def test_claims_flag_gaps_with_their_explanation(page):
    claims = page.dataframe[1].value
    flagged = claims[claims["Flag"] != ""]
    assert list(flagged["Model"]) == ["swsl_resnext101_32x16d", "ig_resnext101_32x8d"]
    notes = [m.value for m in page.markdown if "(-1.46)" in m.value or "(+0.52)" in m.value]
    assert len(notes) == 1
    assert "**swsl_resnext101_32x16d** (-1.46): The authors acknowledged" in notes[0]
    assert "issues #1 and #3 (2019)" in notes[0]
    assert "**ig_resnext101_32x8d** (+0.52): no explanation is published." in notes[0]


def test_the_page_imports_no_torch():
    assert not imports_torch("pages/robustness.py", tables=2)
