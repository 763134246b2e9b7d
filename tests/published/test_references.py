"""Reference results (resnext.published.references): the figures as published, mapped to our ids, claims flagged."""

import csv
from pathlib import Path

import pytest

from resnext.catalog.index import list_variants
from resnext.published import references
from tests.served import unless_in_ci

SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference-results"


def _figure(model, dataset):
    return next(m for m in references.measurements() if m.model == model and m.dataset == dataset)


def test_resnext50_on_imagenet_a_as_the_evaluations_report():
    # The figures the issue quotes: ImageNet-only 4.7%, SSL 19.7%, SWSL 33.1%.
    assert _figure("tv_resnext50_32x4d", "imagenet-a").top1 == pytest.approx(4.68)
    assert _figure("ssl_resnext50_32x4d", "imagenet-a").top1 == pytest.approx(19.693)
    assert _figure("swsl_resnext50_32x4d", "imagenet-a").top1 == pytest.approx(33.067)
    assert _figure("swsl_resnext50_32x4d", "imagenet-r").family == "SWSL"
    assert _figure("tv2_resnext50_32x4d", "sketch").family == "Supervised V2"


def test_every_row_is_kept_and_every_model_is_named():
    rows = list(csv.DictReader(open(references.REFERENCE_DIR / "timm-results.csv", newline="")))
    found = references.measurements()
    assert len(found) == len(rows) == 128
    assert {m.model for m in found} == {v.id for v in list_variants()} - {"ig_resnext101_32x48d"}
    assert all(m.dataset in {d.key for d in references.datasets()} for m in found)


@unless_in_ci(not SHARED.exists(), "the shared reference results are not beside the repository")
def test_the_assets_are_the_published_files():
    for name in ("timm-results.csv", "paper-claims.csv"):
        assert (references.REFERENCE_DIR / name).read_bytes() == (SHARED / name).read_bytes()


def test_each_dataset_says_in_one_sentence_what_it_tests():
    sets = references.datasets()
    assert sets[0].key == "imagenet" and len(sets) == 8
    for d in sets:
        assert d.tests.endswith(".") and d.tests.count(". ") == 0, d
    assert {d.control for d in sets if d.control} == {"imagenet-a-clean", "imagenet-r-clean"}


def test_claims_beside_measurements_with_gaps_flagged():
    claims = {c.model: c for c in references.claims()}
    assert len(claims) == 12
    swsl = claims["swsl_resnext101_32x16d"]
    assert (swsl.claimed_top1, swsl.measured_top1, swsl.gap, swsl.flagged) == (84.8, 83.34, -1.46, True)
    assert "saved incorrectly" in swsl.explanation and "issues #1 and #3" in swsl.explanation_source
    assert {m for m, c in claims.items() if c.flagged} == {"swsl_resnext101_32x16d", "ig_resnext101_32x8d"}
    missing = claims["ig_resnext101_32x48d"]
    assert (missing.measured_top1, missing.gap, missing.flagged) == (None, None, False)
