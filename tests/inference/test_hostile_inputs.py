"""Hostile and awkward files through decode and preprocess: a correct result or one clear error.

Run with ``-s`` to see the table of what was tried.
"""

import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from resnext.errors import ImageError
from resnext.inference.image import load_image
from resnext.inference.preprocess import Transform
from tests.hostile import corpus

CASES = corpus()


def _clear(exc: ImageError) -> str:
    message = str(exc)
    assert "\n" not in message and message.endswith(".") and len(message) < 300
    return message


@pytest.mark.parametrize(("name", "data", "check"), CASES, ids=[c[0] for c in CASES])
def test_each_file_gives_a_correct_image_or_one_clear_error(name, data, check):
    start = time.perf_counter()
    try:
        image = load_image(data)
    except ImageError as exc:
        image, outcome = None, f"refused: {_clear(exc)}"
    else:
        outcome = f"RGB {image.size[0]}x{image.size[1]}"
        assert image.mode == "RGB"
        try:
            crop = Transform().crop(image)
            assert crop.size == (224, 224) and crop.mode == "RGB"
            outcome += ", cropped to 224x224"
        except ImageError as exc:  # only absurd aspect ratios: 20000x10 would resize to 512000x256
            assert max(image.size) / min(image.size) > 100
            outcome += f"; crop refused: {_clear(exc)}"
    seconds = time.perf_counter() - start
    print(f"{name:28s} {seconds * 1000:7.1f} ms  {outcome}")
    assert seconds < 5, "every case is bounded in time"
    if check is None:
        assert image is None, f"{name} should have been refused"
    else:
        assert image is not None, f"{name} should have decoded: {outcome}"
        check(image)


def test_still_serving_after_the_corpus(sample_paths):
    for _, data, _ in CASES:
        try:
            load_image(data)
        except ImageError:
            pass
    assert Transform()(load_image(sample_paths[0])).shape == (3, 224, 224)


_VALID = [data for _, data, check in CASES if check is not None and len(data) < 200_000]


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    seed=st.sampled_from(range(len(_VALID))),
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255), st.sampled_from("xdit")), max_size=8),
)
@example(seed=7, edits=[(111, 0, "t")]).via("discovered failure: Pillow's GIF n_frames raised IndexError")
@example(seed=7, edits=[(112, 0, "t")]).via("discovered failure: Pillow's GIF n_frames raised IndexError")
def test_fuzzed_images_never_raise_anything_but_image_error(seed, edits):
    """Mutations of valid files (flips, deletions, insertions, truncations) through decode and preprocess."""
    data = bytearray(_VALID[seed])
    for position, value, kind in edits:
        i = position % max(len(data), 1)
        if kind == "x" and data:
            data[i] ^= value or 1
        elif kind == "d" and data:
            del data[i]
        elif kind == "i":
            data.insert(i, value)
        else:
            del data[i:]
    try:
        Transform()(load_image(bytes(data), limit=10_000_000))
    except ImageError as exc:
        assert "\n" not in str(exc)
