"""Your own classes, measured: feature throughput against timm, the probe's time, the page's time.

    python -m benchmarks.transfer [--images 32] [--page-images 200] [--probe-images 1000]

1. Features of fresh 2 MP JPEGs through ResNeXt-50 (real architecture, random weights, the same
   in both): timm's per-file loop (``forward_features`` + pooling, eager fp32) against
   :func:`resnext.transfer.features.extract_features` (decoding in a pool, batched on the default
   engine, cold cache). Target: 1.5x. The two sets of features are compared.
2. The comparison on cached features: 1,000 images x 3 backbones x 5 folds (synthetic features
   of 2048 values in 10 classes), against scikit-learn's ``cross_val_predict`` of the same probe
   pipeline alone. Target: 10 s.
3. What the Your classes page runs for a zip of 200 photos in 4 class folders and 3 ResNeXt-50-class
   backbones: reading the zip and the whole study, cold (empty feature cache) and warm.

``--cost-only`` measures just the two figures the page's estimate reads and writes them, with the
machine, to ``assets/transfer_cost.json``: reading and preprocessing one 2 MP photo (ms), and the
comparison's seconds per backbone and fold on the page's scale (200 images in 4 classes).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image

import resnext
from benchmarks.machine import cpu_model, describe, isa_flags
from benchmarks.photos import SIZES, photo
from resnext.transfer import labelled_members, study
from resnext.transfer.features import FeatureCache, extract_features
from resnext.transfer.probe import compare_backbones, folds_for

BACKBONES = ["ssl_resnext50_32x4d", "swsl_resnext50_32x4d", "tv2_resnext50_32x4d"]
THROUGHPUT_TARGET = 1.5
PROBE_TARGET_S = 10.0


def _status(met: bool, text: str) -> str:
    return f"met ({text})" if met else f"missed ({text})"


def _checkpoint(vid: str, folder: Path) -> tuple[Path, torch.nn.Module]:
    import timm

    torch.manual_seed(0)
    model = timm.create_model(resnext.get_variant(vid).timm_name, pretrained=False).eval()
    path = folder / f"{vid}.pth"
    torch.save(model.state_dict(), path)
    return path, model


def throughput(images: int, folder: Path) -> None:
    from timm.data import create_transform, resolve_data_config

    vid = BACKBONES[1]
    path, reference = _checkpoint(vid, folder)
    clf = resnext.load_classifier(vid, weights=path)
    transform = create_transform(**resolve_data_config({}, model=reference, use_test_size=True))
    rng = np.random.default_rng(int(time.time()))
    files = []
    for i in range(images):
        f = folder / f"photo{i}.jpg"
        f.write_bytes(photo(SIZES[2], rng))
        files.append(f)

    def timm_loop() -> np.ndarray:
        out = []
        with torch.inference_mode():
            for f in files:
                x = transform(Image.open(f).convert("RGB"))[None]
                out.append(reference.forward_head(reference.forward_features(x), pre_logits=True)[0].numpy())
        return np.stack(out)

    timm_loop()  # warm
    start = time.perf_counter()
    expected = timm_loop()
    timm_s = time.perf_counter() - start
    extract_features(clf, files[:2], FeatureCache(folder / "warm"))
    start = time.perf_counter()
    ours, _ = extract_features(clf, files, FeatureCache(folder / "cold"), batch_size=8)
    ours_s = time.perf_counter() - start
    speedup = timm_s / ours_s
    print(f"## Features: {images} fresh 2 MP JPEGs through {vid} (random weights), exact fp32, cold cache\n")
    print("| pipeline | s | images/s | speed-up | target | max |Δ| of features |")
    print("|---|---:|---:|---:|---|---:|")
    print(f"| timm forward_features + pooling, per file | {timm_s:.2f} | {images / timm_s:.1f} | 1.00x | | |")
    print(f"| ours, {clf.engine.name}, pool + batches of 8 | {ours_s:.2f} | {images / ours_s:.1f} | {speedup:.2f}x | "
          f"{_status(speedup >= THROUGHPUT_TARGET, f'{THROUGHPUT_TARGET}x')} | {np.abs(ours - expected).max():.1e} |")


def probe_time(images: int) -> None:
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from resnext.transfer.probe import C_GRID

    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), images // 10)
    centres = rng.normal(size=(10, 2048))
    features = {f"backbone {i}": (centres[labels] * (0.2 + 0.2 * i) + rng.normal(size=(len(labels), 2048))
                                  ).astype(np.float32) for i in range(3)}
    start = time.perf_counter()
    result = compare_backbones(features, labels, [str(k) for k in range(10)], folds=5)
    ours = time.perf_counter() - start
    folds = folds_for(labels, 5)
    start = time.perf_counter()
    for x in features.values():
        pipeline = make_pipeline(StandardScaler(), LogisticRegressionCV(
            Cs=list(C_GRID), cv=StratifiedKFold(3, shuffle=True, random_state=0), l1_ratios=(0.0,),
            scoring="neg_log_loss", max_iter=2000, use_legacy_attributes=False))
        cross_val_predict(pipeline, x, labels, cv=folds)
    sklearn_s = time.perf_counter() - start
    print(f"\n## The comparison on cached features: {len(labels)} images x 3 backbones x 5 folds, 2048 features\n")
    print("| what | s | target |")
    print("|---|---:|---|")
    print(f"| scikit-learn cross_val_predict, the probe alone | {sklearn_s:.2f} | |")
    print(f"| ours: probe, k-NN, LogME, paired test, few-shot curve | {ours:.2f} | "
          f"{_status(ours <= PROBE_TARGET_S, f'{PROBE_TARGET_S:.0f} s')} |")
    print(f"\n{result.verdict}")


def page_time(images: int, folder: Path) -> None:
    rng = np.random.default_rng(1)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for i in range(images):
            archive.writestr(f"mine/class{i % 4}/{i}.jpg", photo(SIZES[2], rng))
    data = buf.getvalue()
    classifiers = [resnext.load_classifier(v, weights=_checkpoint(v, folder)[0]) for v in BACKBONES]
    cache = FeatureCache(folder / "page-cache")
    print(f"\n## The Your classes page: a zip of {images} 2 MP photos in 4 class folders, "
          f"{len(BACKBONES)} ResNeXt-50 backbones\n")
    print("| run | s |")
    print("|---|---:|")
    for run in ("cold (empty feature cache)", "warm (features cached)"):
        start = time.perf_counter()
        from resnext_app.bulk import unpack

        batch = unpack([("mine.zip", data)])
        labelled = labelled_members(batch.files, batch.folders)
        study(classifiers, labelled, folds=5, cache=cache)
        print(f"| {run} | {time.perf_counter() - start:.1f} |")


def page_costs(photos: int = 16, images: int = 200, folds: int = 5) -> dict:
    """The figures the Your classes page's estimate reads: decode and crop of a 2 MP JPEG, probe per fold."""
    from resnext.catalog.index import ASSETS_DIR
    from resnext.inference.image import load_image
    from resnext.inference.preprocess import Transform

    rng = np.random.default_rng(2)
    transform = Transform.for_variant(resnext.get_variant(BACKBONES[0]))
    data = [photo(SIZES[2], rng) for _ in range(photos)]
    times = []
    for item in data:
        start = time.perf_counter()
        transform.to_tensor(np.asarray(transform.crop(load_image(item))))
        times.append(time.perf_counter() - start)
    decode_ms = 1000 * float(np.median(times))
    labels = np.repeat(np.arange(4), images // 4)
    centres = rng.normal(size=(4, 2048))
    features = {b: (centres[labels] * 0.5 + rng.normal(size=(len(labels), 2048))).astype(np.float32)
                for b in BACKBONES}
    start = time.perf_counter()
    compare_backbones(features, labels, [str(k) for k in range(4)], folds=folds)
    per_fold = (time.perf_counter() - start) / (len(BACKBONES) * (folds + 1))
    report = {"cpu": cpu_model(), "isa": isa_flags(), "date": datetime.date.today().isoformat(),
              "what": f"decode_ms: read, decode and crop one 2 MP JPEG (median of {photos}); probe_seconds_per_fold: "
                      f"the comparison of {images} images in 4 classes divided by backbones x (folds + 1) "
                      "(python -m benchmarks.transfer --cost-only)",
              "decode_ms": round(decode_ms, 1), "probe_seconds_per_fold": round(per_fold, 3)}
    (ASSETS_DIR / "transfer_cost.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"decode and crop of a 2 MP JPEG: {decode_ms:.1f} ms; the comparison: {per_fold:.3f} s per backbone and "
          "fold\nwrote assets/transfer_cost.json")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.transfer", description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=32, help="photos for the throughput")
    parser.add_argument("--page-images", type=int, default=200)
    parser.add_argument("--probe-images", type=int, default=1000)
    parser.add_argument("--cost-only", action="store_true",
                        help="measure only what the page's estimate reads, into assets/transfer_cost.json")
    args = parser.parse_args(argv)
    print(describe())
    if args.cost_only:
        page_costs()
        return 0
    with tempfile.TemporaryDirectory(prefix="resnext-transfer-bench-") as tmp:
        folder = Path(tmp)
        throughput(args.images, folder)
        probe_time(args.probe_images)
        page_time(args.page_images, folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
