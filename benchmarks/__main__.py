"""Benchmark: the seeds' timm pipeline beside each of our execution modes, in one process.

    python -m benchmarks [--variants ID ...] [--batches 1 8] [--repeats 20] [--load ID ...]

Weights are random (real architectures, seeded, BatchNorm calibrated on the sample photos):
they measure speed and agreement between modes, never accuracy. timm is a benchmark-only
extra (``pip install -e .[bench]``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

import resnext
from benchmarks.machine import describe, gemm_rate
from resnext.catalog.cost import multiply_adds
from resnext.catalog.index import ASSETS_DIR
from resnext.explain.attribution import explain

MODES = (("torch", "fp32"), ("openvino", "fp32"), ("torch", "bf16"), ("openvino", "bf16"))
# The speed-ups over the seeds' pipeline at batch 1 that the default and fast modes aim for.
TARGETS = {("openvino", "fp32"): 1.4, ("openvino", "bf16"): 4.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="*", default=["swsl_resnext50_32x4d", "ssl_resnext101_32x8d"])
    parser.add_argument("--batches", nargs="+", type=int, default=[1, 8])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--load", nargs="*", default=["swsl_resnext50_32x4d"],
                        help="variants whose load time and memory to measure (e.g. ssl_resnext101_32x16d)")
    args = parser.parse_args(argv)

    import timm
    from timm.data import create_transform, resolve_data_config

    from tests.factory import random_state_dict, save_checkpoint

    workdir = Path(tempfile.mkdtemp(prefix="resnext-bench-"))
    os.environ["RESNEXT_CACHE_DIR"] = str(workdir / "cache")
    images = [resnext.load_image(p) for p in sorted((ASSETS_DIR / "samples").glob("*.*g"))]
    print(describe())
    for vid in args.variants:
        v = resnext.get_variant(vid)
        reference = timm.create_model(v.timm_name, pretrained=False).eval()
        path = save_checkpoint(random_state_dict(reference, 0), workdir, vid)
        transform = create_transform(**resolve_data_config({}, model=reference))
        flops = 2 * multiply_adds(v)
        print(f"\n## {vid}  ({v.parameters / 1e6:.1f} M parameters, {flops / 1e9:.2f} GFLOP per image counted "
              f"= 2 x multiply-adds; the model-index says {v.flops / 1e9:.2f} G)\n")
        print("| batch | pipeline | median ms | p10–p90 ms | vs timm | target | GFLOP/s | % of GEMM rate "
              "| max Δp vs fp32 | top-1 / top-5 agree | setup s |")
        print("|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---:|")
        classifiers = {}
        for engine, precision in MODES:
            start = time.perf_counter()
            classifiers[engine, precision] = resnext.load_classifier(vid, weights=path, engine=engine,
                                                                    precision=precision)
            classifiers[engine, precision].setup = time.perf_counter() - start
        for batch in args.batches:
            chosen = [images[i % len(images)] for i in range(batch)]

            def timm_pipeline():
                with torch.no_grad():
                    return torch.softmax(reference(torch.stack([transform(i) for i in chosen])), dim=1)

            pipelines = {"timm": timm_pipeline}
            pipelines.update({mode: (lambda c=clf: c.probabilities(chosen)) for mode, clf in classifiers.items()})
            times = timed(pipelines, args.warmup, args.repeats)
            exact = classifiers["torch", "fp32"].probabilities(chosen)
            _row(batch, "timm eager fp32 (seeds)", times["timm"], times["timm"], flops * batch, None, None, None, None)
            for (engine, precision), clf in classifiers.items():
                probs = clf.probabilities(chosen)
                exact_mode = (engine, precision) == ("torch", "fp32")
                _row(batch, f"ours {engine} {precision}", times[engine, precision], times["timm"], flops * batch,
                     None if exact_mode else _agreement(exact, probs), float((probs - exact).abs().max()), clf.setup,
                     TARGETS.get((engine, precision)) if batch == 1 else None)
        print("\nGrad-CAM, one image (median ms, interleaved with a prediction in the same mode):\n")
        print("| pipeline | predict | Grad-CAM layer4 (closed form) | Grad-CAM layer3 (Captum) |")
        print("|---|---:|---:|---:|")
        for (engine, precision), clf in classifiers.items():
            x = clf.batch(images[0])
            t = timed({"predict": lambda: clf.probabilities(x), "layer4": lambda: explain(clf, x, "gradcam", layer="layer4"),
                       "layer3": lambda: explain(clf, x, "gradcam", layer="layer3")}, 2, 10)
            pred, cam4, cam3 = (statistics.median(t[k]) for k in ("predict", "layer4", "layer3"))
            print(f"| ours {engine} {precision} | {pred:.1f} | {cam4:.1f} ({cam4 / pred:.2f}x) | "
                  f"{cam3:.1f} ({cam3 / pred:.2f}x) |")
        del classifiers
    if args.load:
        print("\nLoading from the cache (checkpoint in the page cache; conversion cached after the first load), "
              "each in a fresh process:\n")
        print("| variant | engine precision | checkpoint MB | load s | ready (load + first prediction) s "
              "| peak RSS above baseline MB | x checkpoint | resident after MB |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for vid in args.load:
            v = resnext.get_variant(vid)
            reference = timm.create_model(v.timm_name, pretrained=False)
            path = save_checkpoint(random_state_dict(reference, 0), workdir, vid)
            del reference
            size = path.stat().st_size
            for engine, precision in (("torch", "fp32"), ("openvino", "fp32"), ("openvino", "bf16")):
                _load_in_subprocess(vid, path, engine, precision)  # first load: converts and caches
                r = _load_in_subprocess(vid, path, engine, precision)
                print(f"| {vid} | {engine} {precision} | {size / 1e6:.0f} | {r['load']:.2f} | {r['ready']:.2f} | "
                      f"{r['peak'] / 1e6:.0f} | {r['peak'] / size:.2f} | {r['resident'] / 1e6:.0f} |")
    return 0


def timed(pipelines: dict, warmup: int, repeats: int) -> dict[object, list[float]]:
    """Milliseconds of each pipeline over ``repeats`` rounds after ``warmup`` untimed ones.

    The pipelines take turns within each round, so that the machine's load (two shared
    cores here) falls on all of them alike and their ratios stay meaningful.
    """
    for _ in range(warmup):
        for fn in pipelines.values():
            fn()
    times: dict[object, list[float]] = {name: [] for name in pipelines}
    for _ in range(repeats):
        for name, fn in pipelines.items():
            start = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - start) * 1000)
    return times


def _agreement(exact: torch.Tensor, probs: torch.Tensor) -> str:
    top1 = (exact.argmax(1) == probs.argmax(1)).float().mean()
    top5 = torch.tensor([set(a.tolist()) == set(b.tolist())
                         for a, b in zip(exact.topk(5).indices, probs.topk(5).indices)]).float().mean()
    return f"{top1:.0%} / {top5:.0%}"


_GEMM: dict[str, float] = {}  # the achievable matrix-multiply rate per precision, measured once


def _row(batch, name, times, base, flops, agree, maxdiff, setup, target) -> None:
    precision = "bf16" if name.endswith("bf16") else "fp32"
    peak = _GEMM.setdefault(precision, gemm_rate(precision) * 1e9)
    med = statistics.median(times)
    q = statistics.quantiles(times, n=10)
    achieved = flops / (med / 1000)
    ratio = statistics.median(base) / med
    verdict = "" if target is None else (
        f"{target}x: met" if ratio >= target else f"{target}x: missed by {1 - ratio / target:.0%}")
    print(f"| {batch} | {name} | {med:.1f} | {q[0]:.1f}–{q[-1]:.1f} | {ratio:.2f}x | {verdict} | "
          f"{achieved / 1e9:.0f} | {achieved / peak:.0%} | {'' if maxdiff is None else f'{maxdiff:.1e}'} | "
          f"{agree or ''} | {'' if setup is None else f'{setup:.1f}'} |")


_LOADER = """
import json, os, sys, threading, time
import resnext, resnext.inference.classifier, resnext.inference.engine, torch, openvino

def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')

peak, running = [0], [True]
def sample():
    while running[0]:
        peak[0] = max(peak[0], rss())
        time.sleep(0.002)

base = rss()
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
start = time.perf_counter()
clf = resnext.load_classifier(sys.argv[1], weights=sys.argv[2], engine=sys.argv[3], precision=sys.argv[4])
loaded = time.perf_counter() - start
clf.probabilities(torch.zeros(1, 3, 224, 224))  # with mmap, the weights are read on first use
ready = time.perf_counter() - start
running[0] = False
sampler.join()
print(json.dumps({"load": loaded, "ready": ready, "peak": max(peak[0], rss()) - base, "resident": rss() - base}))
"""


def _load_in_subprocess(vid: str, path: Path, engine: str, precision: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _LOADER, vid, str(path), engine, precision],
                          capture_output=True, text=True, env=os.environ, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
