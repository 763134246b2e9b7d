"""Cost on this CPU: every variant's latency at batch 1, in the default (exact) and the fast mode.

    python -m benchmarks.cost [--out assets/latency.json] [--repeats 7] [--variants ID ...]

Each variant's real architecture with random weights (torchvision's initialisation: speed does
not depend on the values) runs through the engine the app uses, OpenVINO in fp32 (the default)
and in bf16 (fast mode), on a 224x224 batch of one. Also measured: the first load of the
checkpoint (converting it, cache cold), a later load (reading the cached conversion), and an
unwarmed engine's first request (which the classifier's warm-up at load pays instead of the user), and
with ``--memory-only``, in fresh processes, the peak and held resident memory of a first load
(checkpoint → PyTorch → OpenVINO conversion → compile) and of a later one; the model cache
admits models by these figures (:mod:`resnext.machine.memory`). A variant whose estimated peak memory
exceeds what the machine has free is skipped with the reason. The JSON names the CPU, its ISA
flags, the thread count and the date; the comparison page reads it (without importing torch).
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import tempfile
import time
from pathlib import Path

import torch

import resnext
from benchmarks.machine import cpu_model, isa_flags
from resnext.catalog.architecture import build_model
from resnext.catalog.index import ASSETS_DIR
from resnext.catalog.variant import format_bytes
from resnext.inference.engine import OpenVinoEngine

OUT = ASSETS_DIR / "latency.json"
MODES = {"default": "fp32", "fast": "bf16"}
# Peak memory while converting and compiling, in units of the fp32 weights: PyTorch's copy, the
# traced graph and the compiled copy (measured on ResNeXt-101 32x16d: about 3.4x).
PEAK_FACTOR = 4.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cost", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--variants", nargs="*", help="ids to measure (default: every variant)")
    parser.add_argument("--memory-only", action="store_true",
                        help="measure only the memory of loading, into the existing JSON's rows")
    args = parser.parse_args(argv)
    if args.memory_only:
        return _memory_only(args)

    import openvino

    variants = [resnext.get_variant(i) for i in args.variants] if args.variants else resnext.list_variants()
    report = {
        "cpu": cpu_model(), "isa": isa_flags(), "threads": torch.get_num_threads(),
        "date": datetime.date.today().isoformat(), "engine": f"OpenVINO {openvino.__version__}",
        "batch": 1, "repeats": args.repeats, "variants": {},
    }
    workdir = Path(tempfile.mkdtemp(prefix="resnext-cost-"))
    for v in variants:
        need = PEAK_FACTOR * 4 * (v.parameters or 0)
        free = _available_bytes()
        if need > free:
            report["variants"][v.id] = {"skipped": f"needs about {format_bytes(need)} of memory, "
                                                   f"{format_bytes(free)} is free"}
            print(f"{v.id}: skipped ({report['variants'][v.id]['skipped']})", flush=True)
            continue
        model = build_model(v, device="cpu").eval().requires_grad_(False)
        x = torch.randn(1, 3, v.image_size, v.image_size, generator=torch.Generator().manual_seed(0))
        row = {}
        for mode, precision in MODES.items():
            ir = workdir / f"{v.id}.xml"
            if mode == "default":  # the first load of a checkpoint converts it; later loads read the IR
                start = time.perf_counter()
                OpenVinoEngine(model, precision, ir, v.image_size)
                row["first_load_cold_s"] = round(time.perf_counter() - start, 2)
            start = time.perf_counter()
            engine = OpenVinoEngine(model, precision, ir, v.image_size)
            row[f"{mode}_load_warm_s"] = round(time.perf_counter() - start, 2)
            start = time.perf_counter()
            engine(x)  # what the classifier's warm-up at load takes off the user's first request
            row[f"{mode}_first_request_unwarmed_ms"] = round(1000 * (time.perf_counter() - start), 1)
            engine(x)
            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                engine(x)
                times.append(1000 * (time.perf_counter() - start))
            row[f"{mode}_ms"] = round(statistics.median(times), 2)
            del engine
        report["variants"][v.id] = row
        print(f"{v.id}: {row}", flush=True)
        del model
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(args.out)
    return 0


# Run in a fresh process: load a checkpoint the way the app does, then report the peak resident
# memory (VmHWM) and what stays resident (VmRSS), each less what the process held before loading.
_LOAD = """
import sys, resnext
from pathlib import Path
def kb(field):
    return next(int(l.split()[1]) for l in Path('/proc/self/status').read_text().splitlines() if l.startswith(field))
import resnext.inference.classifier, resnext.inference.engine, openvino, torch
base = kb('VmRSS:')
clf = resnext.load_classifier(sys.argv[1], weights=sys.argv[2])
print(base, kb('VmHWM:'), kb('VmRSS:'))
"""


def memory(variant_id: str, checkpoint: Path, cache: Path) -> dict[str, int]:
    """Peak and held memory of a first load (converting, cache cold) and of a later load, in MB.

    Each load runs in a new process with its own weights cache, so the first converts the
    checkpoint for the engine and the second reads that conversion, as a restarted server does.
    """
    import os
    import subprocess
    import sys

    env = {**os.environ, "RESNEXT_CACHE_DIR": str(cache)}
    row = {}
    for name in ("first_load", "later_load"):
        done = subprocess.run([sys.executable, "-c", _LOAD, variant_id, str(checkpoint)], env=env,
                              capture_output=True, text=True, check=True)
        base, peak, held = (int(n) for n in done.stdout.split()[-3:])
        row[f"{name}_peak_mb"] = round((peak - base) / 1024)
        row["held_mb"] = round((held - base) / 1024)
    return row


def _memory_only(args: argparse.Namespace) -> int:
    report = json.loads(args.out.read_text()) if args.out.exists() else {"variants": {}}
    variants = [resnext.get_variant(i) for i in args.variants] if args.variants else resnext.list_variants()
    with tempfile.TemporaryDirectory(prefix="resnext-memory-") as tmp:
        for v in variants:
            need = PEAK_FACTOR * 4 * (v.parameters or 0)
            if need > _available_bytes():
                print(f"{v.id}: skipped (needs about {format_bytes(need)})", flush=True)
                continue
            checkpoint = Path(tmp) / f"{v.id}.pth"
            torch.save(build_model(v, device="cpu").state_dict(), checkpoint)
            row = memory(v.id, checkpoint, Path(tmp) / f"cache-{v.id}")
            checkpoint.unlink()
            report["variants"].setdefault(v.id, {}).update(row)
            report["memory_date"] = datetime.date.today().isoformat()
            print(f"{v.id}: {row}", flush=True)
            args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(args.out)
    return 0


def _available_bytes() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
