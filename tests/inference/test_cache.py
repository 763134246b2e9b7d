import gc
import threading
import time
import weakref

import pytest
import torch

import resnext
import dataclasses

from resnext.errors import ModelTooLargeError, ResNeXtError
from resnext.inference.cache import ModelCache, budget_from_env
from resnext.machine import memory
from resnext.machine.memory import RESERVE_BYTES, footprint


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


def held(vid):
    return footprint(resnext.get_variant(vid)).held


def peak(vid):
    return footprint(resnext.get_variant(vid)).peak


def test_footprints_are_measured_else_estimated_from_the_file():
    v = resnext.get_variant(SMALL)
    assert footprint(v).measured and footprint(v).peak > footprint(v).held > v.file_size
    mine = dataclasses.replace(v, id="my_resnext50")  # a model-index of one's own: nothing measured
    estimate = footprint(mine)
    assert not estimate.measured
    assert estimate.peak == int(v.file_size * memory.PEAK_PER_FILE_BYTE)
    assert estimate.held == int(v.file_size * memory.HELD_PER_FILE_BYTE)


def test_the_budget_is_the_containers_limit_less_a_reserve(monkeypatch, tmp_path):
    monkeypatch.delenv("RESNEXT_MAX_MODEL_GB", raising=False)
    monkeypatch.delenv("RESNEXT_MEMORY_LIMIT_GB", raising=False)
    unlimited, limited = tmp_path / "v2", tmp_path / "v1"
    unlimited.write_text("max\n")
    limited.write_text("17179869184\n")
    monkeypatch.setattr(memory, "_CGROUP_FILES", (unlimited, limited))
    assert budget_from_env() == 17179869184 - RESERVE_BYTES
    monkeypatch.setenv("RESNEXT_MEMORY_LIMIT_GB", "16")
    assert budget_from_env() == 16_000_000_000 - RESERVE_BYTES
    monkeypatch.setenv("RESNEXT_MAX_MODEL_GB", "2.5")
    assert budget_from_env() == 2_500_000_000


def test_least_recently_used_is_released_and_reloads():
    loader = CountingLoader()
    budget = max(held(SMALL) + peak(SMALL), peak(MID)) + 2**20  # one ResNeXt-50 stays while another loads
    cache = ModelCache(budget, loader)
    first = cache.get(SMALL)
    ref = weakref.ref(first)
    del first
    cache.get("swsl_resnext50_32x4d")
    cache.get(SMALL)  # a hit: SMALL becomes the most recently used
    assert loader.calls == [SMALL, "swsl_resnext50_32x4d"]
    cache.get("swsl_resnext50_32x4d", precision="bf16")  # a third: swsl fp32 (LRU) goes
    assert cache.loaded() == [SMALL, "swsl_resnext50_32x4d"]
    assert cache.used_bytes <= budget
    cache.get(MID)  # a ResNeXt-101's peak needs more room: everything else goes
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
    assert "GB of memory to load" in str(info.value) and "RESNEXT_MAX_MODEL_GB" in str(info.value)
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
    cache = ModelCache(held(ids[1]) + peak(ids[2]) + held(ids[0]) // 2)  # the third's peak evicts the first
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
    assert cache.loaded()[-1] == ids[0] and cache.used_bytes <= cache.budget
    assert torch.equal(again.probabilities(sample_paths[0]), expected)


def test_a_16_gb_box_evicts_or_refuses_and_never_overcommits(monkeypatch):
    """The largest IG models one after another on CPU basic's 16 GB: every load fits beside what stays."""
    monkeypatch.delenv("RESNEXT_MAX_MODEL_GB", raising=False)
    monkeypatch.setenv("RESNEXT_MEMORY_LIMIT_GB", "16")
    budget = budget_from_env()
    seen = []

    def loader(vid, progress=None, precision="fp32", fast=False):
        seen.append((vid, cache.used_bytes + peak(vid)))  # memory in use at this load's peak
        return Loaded(vid, precision)

    cache = ModelCache(budget, loader)
    for vid in ("ig_resnext101_32x48d", "ig_resnext101_32x32d", "ig_resnext101_32x16d"):
        cache.get(vid)
    cache.get("ig_resnext101_32x32d", precision="bf16")  # one more large one: the least recently used goes
    assert [v for v, _ in seen] == ["ig_resnext101_32x48d", "ig_resnext101_32x32d", "ig_resnext101_32x16d",
                                    "ig_resnext101_32x32d"]
    assert all(at_peak <= budget for _, at_peak in seen)  # every load fitted beside what stayed
    assert "ig_resnext101_32x48d" not in cache.loaded() and cache.used_bytes <= budget

    monkeypatch.setenv("RESNEXT_MEMORY_LIMIT_GB", "8")  # a smaller box refuses the largest in one sentence
    small = ModelCache(budget_from_env(), loader)
    with pytest.raises(ModelTooLargeError, match="ig_resnext101_32x48d needs about .* GB of memory to load"):
        small.get("ig_resnext101_32x48d")


@pytest.mark.parametrize("name", ["RESNEXT_MEMORY_LIMIT_GB", "RESNEXT_MAX_MODEL_GB"])
@pytest.mark.parametrize("value", ["sixteen", "-1", "0", "inf", "nan"])
def test_a_bad_memory_setting_is_one_sentence_not_ignored(monkeypatch, name, value):
    monkeypatch.delenv("RESNEXT_MAX_MODEL_GB", raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(ResNeXtError, match=f"{name}='{value}' is not a positive number of gigabytes") as err:
        budget_from_env()
    assert "\n" not in str(err.value)
