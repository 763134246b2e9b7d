"""What machine a benchmark ran on: CPU model, the ISA flags that decide its speed, runtime versions."""

from __future__ import annotations

import platform
import time

import torch

from resnext.machine.hardware import cpu_model, isa_flags

__all__ = ["cpu_model", "describe", "gemm_rate", "isa_flags"]

def gemm_rate(precision: str = "fp32", n: int = 2048, repeats: int = 10) -> float:
    """The matrix-multiply rate this CPU achieves through OpenVINO, in GFLOP/s: the honest ceiling.

    A nominal peak (cores x clock x FLOP/cycle) guesses at turbo clocks and FMA ports and can read
    over 100%; a large GEMM through the runtime the network uses is what the network could reach.

    Args:
        precision: ``fp32`` or ``bf16`` (OpenVINO's inference precision hint).
        n: The square matrices' side.
        repeats: Timed runs after two warm-ups; the best is kept.

    Returns:
        GFLOP/s (2 n^3 per run).
    """
    import numpy as np
    import openvino as ov
    import openvino.opset13 as ops

    a = ops.parameter([n, n], ov.Type.f32, name="a")
    b = ops.constant(np.random.default_rng(0).standard_normal((n, n), dtype=np.float32))
    model = ov.Model([ops.matmul(a, b, False, False)], [a], "gemm")
    hint = "bf16" if precision == "bf16" else "f32"
    request = ov.Core().compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": hint,
                                                     "PERFORMANCE_HINT": "LATENCY"}).create_infer_request()
    x = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
    best = float("inf")
    for i in range(repeats + 2):
        start = time.perf_counter()
        request.infer({0: x}, share_inputs=True)
        if i >= 2:
            best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def describe() -> str:
    """The CPU, its ISA flags that matter here, and the runtimes' versions, for a benchmark's header."""
    import openvino

    return (f"CPU: {cpu_model()}; {', '.join(isa_flags())}; torch {torch.__version__} "
            f"({torch.get_num_threads()} threads), OpenVINO {openvino.__version__}, Python {platform.python_version()}.")
