"""What this CPU can do natively, and what "fast mode" therefore runs on it.

Fast mode decodes JPEGs at reduced scale and resizes only the region the crop needs (see
[`resnext.inference.preprocess.Transform`][]), and runs the network in bfloat16 only where the CPU
computes it natively (AMX or AVX512_BF16): elsewhere bf16 is emulated and slower than fp32, so
the network stays fp32 there.
"""

from __future__ import annotations

import functools
import platform
from pathlib import Path

__all__ = ["MODES", "cpu_model", "fast_precision", "isa_flags", "mode_label", "native_bf16"]

MODES = ("exact", "fast")
# The instruction-set extensions that decide this project's speed.
_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")
_NATIVE_BF16 = ("amx_bf16", "avx512_bf16")


@functools.cache
def _cpuinfo() -> str:
    try:
        return Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""


def cpu_model() -> str:
    """The CPU's model name."""
    return next((line.split(":", 1)[1].strip() for line in _cpuinfo().splitlines()
                 if line.startswith("model name")), platform.processor() or "unknown CPU")


def isa_flags() -> list[str]:
    """The speed-deciding ISA extensions this CPU has, among AVX2, AVX-512, AVX512_BF16 and AMX."""
    flags = set(next((line.split(":", 1)[1].split() for line in _cpuinfo().splitlines()
                      if line.startswith("flags")), []))
    return [f for f in _FLAGS if f in flags]


def native_bf16() -> str | None:
    """The extension that computes bfloat16 natively here (``amx_bf16`` or ``avx512_bf16``), or None."""
    return next((f for f in _NATIVE_BF16 if f in isa_flags()), None)


def fast_precision() -> str:
    """The network precision of fast mode on this CPU: ``bf16`` with native support, else ``fp32``."""
    return "bf16" if native_bf16() else "fp32"


def mode_label(fast: bool, precision: str) -> str:
    """What a mode runs, in words, e.g. "fast: bf16 network (avx512_bf16), JPEG decoded at reduced scale"."""
    if not fast:
        return f"exact: {precision} network, full decode and timm's resize"
    if precision == "bf16":
        why = f" ({native_bf16()})" if native_bf16() else " (emulated: this CPU has no native bf16)"
        return f"fast: bf16 network{why}, JPEG decoded at reduced scale; approximate"
    return "fast: fp32 network (this CPU has no native bf16), JPEG decoded at reduced scale; approximate"
