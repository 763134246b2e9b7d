"""The catalog hands the browser what others measured and the synset ids, from the library's own tables."""

from __future__ import annotations

from resnext.bulk.evaluate import imagenet_synsets
from resnext.export import catalog_json
from resnext.published import references


def test_the_catalog_carries_the_published_figures_and_the_synsets():
    listing = catalog_json()
    published = listing["published"]
    assert [d["key"] for d in published["datasets"]] == [d.key for d in references.datasets()]
    assert {"imagenet-a", "imagenet-r", "sketch"} <= {d["key"] for d in published["datasets"]}
    measured = {(m.model, m.dataset): m.top1 for m in references.measurements()}
    assert {(m["model"], m["dataset"]): m["top1"] for m in published["measurements"]} == measured
    claims = {c["model"]: c for c in published["claims"]}
    flagged = {c.model for c in references.claims() if c.flagged}
    assert flagged and {m for m, c in claims.items() if c["flagged"]} == flagged
    assert all(c["gap"] == round(c["measured_top1"] - c["claimed_top1"], 3) for c in claims.values() if c["measured_top1"])
    assert listing["synsets"] == list(imagenet_synsets()) and len(listing["synsets"]) == len(listing["labels"]) == 1000
    row = next(v for v in listing["variants"] if v["id"] == "swsl_resnext101_32x8d")
    assert (row["depth"], row["cardinality"], row["width_per_group"]) == (101, 32, 8)
