"""A 16 GB Space never falls over: the largest IG models in Side by side are evicted or refused, in one line.

The three variants are tiny networks here, under the real ids, so the model cache admits them by
the real variants' measured peaks (assets/latency.json): the same code path as on a Space, with
the container's limit given by RESNEXT_MEMORY_LIMIT_GB.
"""

from __future__ import annotations

import os

import pytest

from tests.apptest import upload_image
from resnext.catalog.architecture import build_model
from tests.factory import TINY, model_index_entry, random_state_dict, save_checkpoint, write_model_index

LARGEST = ["ig_resnext101_32x48d", "ig_resnext101_32x32d", "ig_resnext101_32x16d"]


@pytest.fixture
def large_ids(tiny_world, server, tmp_path, monkeypatch):
    from tests.factory import _tiny_variant

    entries = []
    for seed, vid in enumerate(LARGEST):
        model = build_model(_tiny_variant(vid), device="cpu")
        path = save_checkpoint(random_state_dict(model, seed + 10), server.root, vid)
        entries.append(model_index_entry(vid, "IG", f"{server.base()}/{path.name}", path,
                                         sum(p.numel() for p in model.parameters()), **TINY))
    index = write_model_index(tmp_path / "largest.yaml", entries)
    monkeypatch.setenv("RESNEXT_MODEL_INDEX", os.pathsep.join([str(tiny_world["index"]), str(index)]))
    monkeypatch.delenv("RESNEXT_MAX_MODEL_GB", raising=False)


@pytest.mark.parametrize("limit_gb, refused", [(16, []), (8, ["ig_resnext101_32x48d", "ig_resnext101_32x32d"])])
def test_the_largest_models_side_by_side_on_a_small_box(large_ids, monkeypatch, limit_gb, refused):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from resnext_app import models
    from tests.apptest import APP, bars

    monkeypatch.setenv("RESNEXT_MEMORY_LIMIT_GB", str(limit_gb))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    upload_image(at)
    at.session_state["sbs_variants"] = LARGEST
    at.session_state["sbs_faithfulness"] = False
    at.switch_page("pages/side_by_side.py").run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == len(refused) and all("Too large for this server's memory" in e for e in errors)
    assert len(bars(at)) == len(LARGEST) - len(refused)
    cache = models.model_cache()
    assert cache.used_bytes <= cache.budget  # what stays fits, and each load fitted beside it
    assert not set(refused) & set(cache.loaded())
    st.cache_data.clear()
    st.cache_resource.clear()
