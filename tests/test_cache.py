import gc
import threading
import time
import weakref

import pytest
import torch

import resnext
from resnext.cache import ModelCache, budget_from_env, model_bytes
from resnext.errors import ModelTooLargeError


class Loaded:
    def __init__(self, vid, precision):
        self.vid, self.precision = vid, precision


class CountingLoader:
    def __init__(self, delay=0.0):
        self.calls = []
        self.delay = delay
        self.lock = threading.Lock()

    def __call__(self, vid, progress=None, precision="fp32", fast=False):
        with self.lock:
            self.calls.append(vid)
        time.sleep(self.delay)
        return Loaded(vid, precision)


SMALL, MID = "ssl_resnext50_32x4d", "ssl_resnext101_32x4d"  # 100 MB and 177 MB checkpoints


def test_sizes_come_from_the_model_index_and_count_every_copy(monkeypatch):
    v = resnext.get_variant(SMALL)
    assert model_bytes(v, engine="torch") == v.file_size
    assert model_bytes(v, "bf16", engine="torch") == v.file_size // 2
    assert model_bytes(v, engine="openvino") == 2 * v.file_size  # torch's weights + OpenVINO's
    assert model_bytes(v, "bf16", engine="openvino") == int(1.5 * v.file_size)
    monkeypatch.setenv("RESNEXT_MAX_MODEL_GB", "2.5")
    assert budget_from_env() == 2_500_000_000


def test_least_recently_used_is_released_and_reloads(monkeypatch):
    monkeypatch.setenv("RESNEXT_ENGINE", "torch")
    loader = CountingLoader()
    budget = model_bytes(resnext.get_variant(SMALL)) * 2 + 1  # two 100 MB models fit, not three
    cache = ModelCache(budget, loader)
    first = cache.get(SMALL)
    ref = weakref.ref(first)
    del first
    cache.get("swsl_resnext50_32x4d")
    cache.get(SMALL)  # a hit: SMALL becomes the most recently used
    assert loader.calls == [SMALL, "swsl_resnext50_32x4d"]
    cache.get("swsl_resnext50_32x4d", precision="bf16")  # 50 MB more: swsl fp32 (LRU) goes
    assert cache.loaded() == [SMALL, "swsl_resnext50_32x4d"]
    assert cache.used_bytes <= budget
    cache.get(MID)  # 177 MB: everything else goes
    assert cache.loaded() == [MID]
    gc.collect()
    assert ref() is None  # the memory really is released
    again = cache.get(SMALL)
    assert isinstance(again, Loaded) and loader.calls.count(SMALL) == 2


def test_a_variant_that_cannot_fit_says_so_before_loading():
    loader = CountingLoader()
    cache = ModelCache(50_000_000, loader)
    with pytest.raises(ModelTooLargeError) as info:
        cache.get("ig_resnext101_32x48d")
    assert "GB" in str(info.value) and "RESNEXT_MAX_MODEL_GB" in str(info.value)
    assert loader.calls == []


def test_concurrent_requests_load_once():
    loader = CountingLoader(delay=0.3)
    cache = ModelCache(10**10, loader)
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get(SMALL))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert loader.calls == [SMALL]
    assert len(results) == 8 and all(r is results[0] for r in results)


def test_real_models_are_released_and_reload_correctly(tiny_env, sample_paths):
    """Three tiny networks, room for two: the least recently used goes and comes back the same."""
    ids = ["tiny_resnext14_2x2d", "ssl_resnext50_32x4d", "swsl_resnext50_32x4d"]
    need = model_bytes(resnext.get_variant(ids[0]))
    cache = ModelCache(2 * need + need // 2)
    first = cache.get(ids[0])
    expected = first.probabilities(sample_paths[0])
    ref = weakref.ref(first)
    del first
    cache.get(ids[1])
    cache.get(ids[2])
    assert cache.loaded() == ids[1:]
    gc.collect()
    assert ref() is None, "an evicted model must not stay in memory"
    again = cache.get(ids[0])
    assert cache.loaded() == [ids[2], ids[0]]
    assert torch.equal(again.probabilities(sample_paths[0]), expected)
