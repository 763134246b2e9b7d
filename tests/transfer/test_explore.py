"""Suspect labels, near-duplicates and the map, on features built to contain them."""

import numpy as np

from resnext.transfer.explore import duplicates, feature_map, suspects
from tests.transfer.conftest import clusters


def test_a_mislabelled_image_is_a_suspect():
    x, y = clusters(n_per_class=10, spread=0.3)
    y = y.copy()
    y[3] = 2  # an image of class 0 filed under class 2
    found = suspects(x, y)
    assert [s.index for s in found] == [3] and found[0].likely == 0 and found[0].agreement == 1.0


def test_duplicates_across_classes_come_first():
    x, y = clusters(n_per_class=5, spread=1.0)
    x = np.vstack([x, x[0], x[1] * 1.0001])
    y = np.concatenate([y, [0, 2]])  # the first copy in its own class, the second in another
    found = duplicates(x, y)
    assert [(d.first, d.second) for d in found] == [(1, 16), (0, 15)]
    assert found[0].across_classes and not found[1].across_classes


def test_the_map_is_deterministic_and_holds_the_main_variance():
    x, _ = clusters(spread=0.5)
    coords, share = feature_map(x)
    again, _ = feature_map(x.copy())
    np.testing.assert_array_equal(coords, again)
    assert coords.shape == (len(x), 2) and share[0] >= share[1] > 0
