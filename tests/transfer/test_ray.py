"""Features on a local Ray instance: the actors' vectors are the local ones (slow: starts Ray)."""

from __future__ import annotations

import numpy as np
import pytest
import ray

import resnext
from resnext.transfer import labelled_files
from resnext.transfer.features import FeatureCache, extract_features, extract_features_on_ray

pytestmark = pytest.mark.slow


@pytest.fixture
def local_ray(tiny_env, isolated_env):
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_features_equal_the_local_ones_and_fill_the_same_cache(local_ray, folders, tmp_path, monkeypatch):
    clf = resnext.load_classifier("tiny_resnext14_2x2d")
    data = labelled_files(folders)
    (folders / "red" / "broken.png").write_text("not an image")
    items = [*data.items, folders / "red" / "broken.png"]
    local, local_failed = extract_features(clf, items, FeatureCache(tmp_path / "local"))
    cache = FeatureCache(tmp_path / "ray")
    on_ray, failed = extract_features_on_ray(clf, items, cache, batch_size=4)
    assert list(failed) == list(local_failed) == [len(items) - 1]
    np.testing.assert_allclose(on_ray[:-1], local[:-1], atol=1e-5)

    import resnext.bulk.distributed as distributed

    monkeypatch.setattr(distributed, "embed_with_ray", lambda *a, **k: pytest.fail("the cache should answer"))
    again, _ = extract_features_on_ray(clf, data.items, cache)
    np.testing.assert_array_equal(again, on_ray[:-1])
