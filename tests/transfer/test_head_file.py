"""A head file is checked field by field before anything keeps it: one WeightsError sentence for every flaw."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.numpy import save_file

import resnext
from resnext.catalog.architecture import FEATURES
from resnext.cli import main
from resnext.errors import WeightsError
from resnext.inference.preprocess import Transform
from resnext.transfer.head import FORMAT, Head, load_head, save_head
from tests.apptest import SAMPLES

MODEL = "tiny_resnext14_2x2d"


def good(classes=("cat", "dog", "fox"), backbone=MODEL, fast=False) -> tuple[dict, dict]:
    """A valid head file's header and tensors (seeded)."""
    rng = np.random.default_rng(0)
    t = Transform.for_variant(resnext.get_variant(backbone), fast=fast)
    preprocessing = {"image_size": t.image_size, "resize_to": t.resize_to, "interpolation": t.interpolation,
                     "mean": list(t.mean), "std": list(t.std), "fast": fast, "precision": "fp32"}
    meta = {"format": FORMAT, "backbone": backbone, "classes": json.dumps(list(classes)),
            "preprocessing": json.dumps(preprocessing)}
    n = len(classes)
    tensors = {"weight": rng.normal(size=(n, FEATURES)), "bias": rng.normal(size=n),
               "mean": rng.normal(size=FEATURES), "scale": rng.uniform(0.5, 2, FEATURES)}
    return meta, {k: v.astype(np.float32) for k, v in tensors.items()}


def write(path, meta, tensors):
    save_file(tensors, str(path), metadata=meta)
    return path


def test_a_valid_head_loads_as_float32_and_round_trips(tiny_env, tmp_path):
    head = load_head(write(tmp_path / "h.safetensors", *good()))
    assert head.classes == ("cat", "dog", "fox") and head.backbone == MODEL
    assert all(getattr(head, k).dtype == np.float32 for k in ("weight", "bias", "mean", "scale"))
    back = load_head(save_head(head, tmp_path / "again.safetensors"))
    np.testing.assert_array_equal(back.weight, head.weight)


def _header(**changes):
    meta, tensors = good()
    for key, value in changes.items():
        if value is None:
            meta.pop(key)
        else:
            meta[key] = value
    return meta, tensors


FLAWS = {
    "no format": (dict(format=None), "format"),
    "another format": (dict(format="resnext-head/0"), "format"),
    "classes not JSON": (dict(classes="[cat, dog"), "classes are not JSON"),
    "no classes": (dict(classes=None), "no classes"),
    "no backbone": (dict(backbone=None), "backbone"),
    "unknown backbone": (dict(backbone="resnet9000"), "not a model of this catalog"),
    "classes not strings": (dict(classes="[1, 2, 3]"), "non-empty name"),
    "one class": (dict(classes='["cat"]'), "2 to"),
    "an empty class": (dict(classes='["cat", " ", "fox"]'), "non-empty name"),
    "a long class": (dict(classes=json.dumps(["cat", "d" * 101, "fox"])), "at most 100"),
    "duplicate classes": (dict(classes='["cat", "cat", "fox"]'), "same name"),
    "classes a dict": (dict(classes='{"a": 1}'), "list of 2"),
    "no preprocessing": (dict(preprocessing=None), "no preprocessing"),
    "preprocessing not a dict": (dict(preprocessing="[]"), "precision and mode"),
}


@pytest.mark.parametrize("flaw", sorted(FLAWS))
def test_every_header_flaw_is_one_sentence(tiny_env, tmp_path, flaw):
    changes, words = FLAWS[flaw]
    meta, tensors = _header(**changes)
    with pytest.raises(WeightsError, match=words) as err:
        load_head(write(tmp_path / "h.safetensors", meta, tensors))
    assert "\n" not in str(err.value) and str(err.value).endswith(".")


def test_another_backbones_preprocessing_is_refused(tiny_env, tmp_path):
    meta, tensors = good()
    preprocessing = json.loads(meta["preprocessing"])
    meta["preprocessing"] = json.dumps({**preprocessing, "resize_to": preprocessing["resize_to"] + 1})
    with pytest.raises(WeightsError, match=f"preprocessing is not {MODEL}'s"):
        load_head(write(tmp_path / "h.safetensors", meta, tensors))


@pytest.mark.parametrize("name, value, words", [
    ("weight", np.zeros((3, FEATURES - 1), np.float32), "weight is float32 (3, 2047)"),
    ("weight", np.zeros((3, FEATURES), np.float64), "weight is float64"),
    ("bias", np.zeros(4, np.float32), "bias is float32 (4,)"),
    ("scale", np.full(FEATURES, np.nan, np.float32), "scale holds values that are not finite"),
    ("scale", np.zeros(FEATURES, np.float32), "not positive"),
    ("mean", np.full(FEATURES, np.inf, np.float32), "mean holds values that are not finite"),
])
def test_every_tensor_flaw_is_one_sentence(tiny_env, tmp_path, name, value, words):
    meta, tensors = good()
    tensors[name] = value
    with pytest.raises(WeightsError, match=words.replace("(", r"\(").replace(")", r"\)")):
        load_head(write(tmp_path / "h.safetensors", meta, tensors))


def test_a_missing_or_extra_tensor_is_one_sentence(tiny_env, tmp_path):
    meta, tensors = good()
    with pytest.raises(WeightsError, match="not \\['weight'"):
        load_head(write(tmp_path / "a.safetensors", meta, {k: v for k, v in tensors.items() if k != "bias"}))
    with pytest.raises(WeightsError, match="not \\['weight'"):
        load_head(write(tmp_path / "b.safetensors", meta, {**tensors, "extra": np.zeros(1, np.float32)}))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["format", "backbone", "classes", "preprocessing"]),
       value=st.one_of(st.text(max_size=40), st.sampled_from(["null", "[]", "{}", "1e999", "[[[]]]", '["a"]',
                                                              '["a", 1]', '{"fast": true}'])))
def test_any_corrupted_header_is_refused_in_one_sentence(tiny_env, tmp_path, key, value):
    meta, tensors = good()
    meta[key] = value
    try:
        head = load_head(write(tmp_path / "h.safetensors", meta, tensors))
    except WeightsError as exc:
        assert "\n" not in str(exc)
    else:  # only a header that is still valid loads, and then it is whole
        assert isinstance(head, Head) and len(head.classes) >= 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=400), flip=st.integers(min_value=0, max_value=399))
def test_any_damaged_file_is_refused_in_one_sentence(tiny_env, tmp_path, cut, flip):
    data = bytearray(write(tmp_path / "h.safetensors", *good()).read_bytes())
    data[flip] ^= 0xFF  # a flipped byte in the header
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(bytes(data[: len(data) - cut]))
    try:
        load_head(bad)
    except WeightsError as exc:
        assert "\n" not in str(exc)


@pytest.mark.parametrize("flaw", ["classes not JSON", "no classes", "no backbone", "classes not strings"])
def test_predict_with_a_bad_head_is_one_sentence_and_exit_2(tiny_env, tmp_path, capsys, flaw):
    meta, tensors = _header(**FLAWS[flaw][0])
    path = write(tmp_path / "h.safetensors", meta, tensors)
    assert main(["predict", str(SAMPLES / "chelsea.png"), "--head", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("resnext: ") == 1 and "Traceback" not in captured.err and not captured.out
    assert "is not a valid classifier head" in captured.err
