"""Features through the engine, remembered by content: the second run computes nothing."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import resnext
from resnext.transfer import labelled_files
from resnext.transfer.features import FeatureCache, extract_features


@pytest.fixture
def clf(tiny_env):
    return resnext.load_classifier("tiny_resnext14_2x2d")


def _counting(clf, monkeypatch):
    calls = []
    embed = clf.embed

    def counted(x):
        calls.append(len(x))
        return embed(x)

    monkeypatch.setattr(clf, "embed", counted)
    return calls


def test_embed_is_the_classifier_layers_input(clf, sample_paths):
    x = clf.batch(sample_paths[:2])
    features = clf.embed(x)
    assert features.dtype == torch.float32 and features.shape == (2, clf.model.fc.in_features)
    torch.testing.assert_close(torch.softmax(clf.model.fc(features), 1), clf.probabilities(x), atol=1e-6, rtol=0)


def test_the_second_run_computes_nothing(clf, folders, tmp_path, monkeypatch):
    data = labelled_files(folders)
    cache = FeatureCache(tmp_path / "features")
    calls = _counting(clf, monkeypatch)
    first, failed = extract_features(clf, data.items, cache, batch_size=4)
    assert not failed and sum(calls) == len(data.items) and len(calls) == -(-len(data.items) // 4)
    calls.clear()
    second, _ = extract_features(clf, data.items, cache, batch_size=4)
    assert calls == [] and np.array_equal(first, second)
    direct = clf.embed(clf.batch(data.items[:3])).numpy()
    np.testing.assert_allclose(first[:3], direct, atol=1e-6)


def test_a_renamed_file_is_found_by_its_content(clf, folders, tmp_path, monkeypatch):
    data = labelled_files(folders)
    cache = FeatureCache(tmp_path / "features")
    extract_features(clf, data.items[:2], cache)
    moved = tmp_path / "elsewhere.png"
    moved.write_bytes(data.items[0].read_bytes())
    calls = _counting(clf, monkeypatch)
    extract_features(clf, [moved, ("upload.png", data.items[1].read_bytes())], cache)
    assert calls == []


def test_another_precision_or_front_end_is_another_entry(tiny_env):
    exact = resnext.load_classifier("tiny_resnext14_2x2d")
    fast = resnext.load_classifier("tiny_resnext14_2x2d", fast=True, precision="fp32")
    assert FeatureCache.setting(exact) != FeatureCache.setting(fast)


def test_a_bad_file_is_listed_and_the_rest_go_on(clf, folders, tmp_path):
    bad = folders / "red" / "notes.png"
    bad.write_text("not an image")
    items = [*sorted((folders / "red").glob("red_*.png"))[:2], bad]
    features, failed = extract_features(clf, items, FeatureCache(tmp_path / "f"))
    assert list(failed) == [2] and "notes.png" in failed[2]
    assert np.isnan(features[2]).all() and np.isfinite(features[:2]).all()


def test_the_cache_keeps_its_bound_and_clears(clf, folders, tmp_path):
    data = labelled_files(folders)
    cache = FeatureCache(tmp_path / "f", max_bytes=5 * 8_300)  # about five vectors of 2048 floats
    extract_features(clf, data.items, cache)
    files, size = cache.usage()
    assert 0 < files <= 5 and size <= cache.max_bytes
    assert cache.clear() == (files, size) and cache.usage() == (0, 0)
