"""What machine a benchmark ran on: CPU model, the ISA flags that decide its speed, runtime versions."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import torch

FP32_FLOP_PER_CYCLE = 32  # AVX-512: 16 fp32 lanes x 2 (fused multiply-add), one FMA port


def peak_flops() -> tuple[float, str]:
    """A nominal fp32 peak (cores x clock x FLOP/cycle) and how it was computed."""
    cores = len(os.sched_getaffinity(0))
    mhz = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("cpu MHz"):
                mhz = float(line.split(":")[1])
                break
    except OSError:
        pass
    mhz = mhz or 2000.0
    peak = cores * mhz * 1e6 * FP32_FLOP_PER_CYCLE
    return peak, f"{cores} cores x {mhz / 1000:.2f} GHz (/proc/cpuinfo) x {FP32_FLOP_PER_CYCLE} FLOP/cycle"


def cpu_model() -> str:
    """The CPU's model name."""
    return next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")), platform.processor())


def isa_flags() -> list[str]:
    """The instruction-set extensions that decide this project's speed, among those the CPU has."""
    flags = Path("/proc/cpuinfo").read_text()
    return [f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile") if f" {f}" in flags]


def describe() -> str:
    """The CPU, its ISA flags that matter here, and the runtimes' versions, for a benchmark's header."""
    model = cpu_model()
    isa = isa_flags()
    peak, how = peak_flops()
    import openvino

    return (f"CPU: {model}; {', '.join(isa)}; torch {torch.__version__} ({torch.get_num_threads()} threads), "
            f"OpenVINO {openvino.__version__}, Python {platform.python_version()}.\n"
            f"fp32 peak: {how} = {peak / 1e9:.0f} GFLOP/s.")
