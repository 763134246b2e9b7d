"""How much memory the server may use, and what each variant takes to load and to keep.

A server the kernel kills for memory drops every visitor at once, so the model cache admits a
model by what loading it costs at its peak, not by its file size. The figures come from
``python -m benchmarks.cost --memory-only`` (``assets/latency.json``): the peak resident memory of
a first load (checkpoint → PyTorch → OpenVINO conversion → compile), and what stays resident
after a load. A variant without measurements (a model-index of your own) is estimated from its
checkpoint's size with the ratios the measurements show.

The limit is the container's own (cgroup v2 ``memory.max``, else v1 ``memory.limit_in_bytes``),
else the machine's RAM; ``RESNEXT_MEMORY_LIMIT_GB`` overrides what is detected. The models may
use it less [`RESERVE_BYTES`][resnext.machine.memory.RESERVE_BYTES].
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .. import environment
from ..catalog.index import ASSETS_DIR
from ..catalog.variant import Variant
from ..errors import ResNeXtError

__all__ = ["LIMIT_ENV", "RESERVE_BYTES", "Footprint", "footprint", "gigabytes_env", "memory_limit"]

LIMIT_ENV = environment.MEMORY_LIMIT_GB.name
# What the server needs besides its models: Python with torch and OpenVINO loaded (about 0.6 GB),
# Streamlit and its sessions, decoded photos and uploads (bounded by the app), the kernel's share.
RESERVE_BYTES = 2_500_000_000
# Measured ratios to the checkpoint's size (ResNeXt-50 to ResNeXt-101 32x48d), for unmeasured variants.
PEAK_PER_FILE_BYTE = 3.3
HELD_PER_FILE_BYTE = 2.3
_CGROUP_FILES = (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"))


@dataclass(frozen=True)
class Footprint:
    """A variant's memory: at the peak of a first load, and held once loaded, in bytes."""

    peak: int
    held: int
    measured: bool  # from the benchmark, else estimated from the file size


def memory_limit() -> int:
    """The bytes this process's container (or machine) may use.

    Returns:
        ``$RESNEXT_MEMORY_LIMIT_GB`` if set, else the cgroup limit, else the total RAM.

    Raises:
        ResNeXtError: ``$RESNEXT_MEMORY_LIMIT_GB`` is set but is not a positive number.
    """
    override = gigabytes_env(LIMIT_ENV, "the memory this server may use (e.g. 16) or unset it to detect the limit")
    if override is not None:
        return override
    for path in _CGROUP_FILES:
        try:
            text = path.read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:  # "max", or v1's "no limit" sentinel, mean none
            return int(text)
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def gigabytes_env(name: str, advice: str) -> int | None:
    """A size in gigabytes from the environment variable ``name``, in bytes; None when it is unset.

    Args:
        name: The variable.
        advice: What to set it to, ending the error's sentence (e.g. ``"the memory … or unset it"``).

    Raises:
        ResNeXtError: It is set but is not a positive, finite number.
    """
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
        if not 0 < value < float("inf"):
            raise ValueError
    except ValueError:
        raise ResNeXtError(f"{name}={text!r} is not a positive number of gigabytes; set it to {advice}.") from None
    return int(value * 1e9)


@functools.lru_cache(maxsize=1)
def _measurements() -> dict[str, dict]:
    try:
        return json.loads((ASSETS_DIR / "latency.json").read_text(encoding="utf-8")).get("variants", {})
    except (OSError, ValueError):
        return {}


def footprint(variant: Variant) -> Footprint:
    """What loading a variant costs at its peak and what it holds afterwards.

    Args:
        variant: The variant (looked up by id among the measurements).

    Returns:
        The measured footprint, or one estimated from the checkpoint's size.
    """
    row = _measurements().get(variant.id, {})
    if "first_load_peak_mb" in row and "held_mb" in row:
        return Footprint(int(row["first_load_peak_mb"] * 2**20), int(row["held_mb"] * 2**20), True)
    size = variant.file_size or 4 * (variant.parameters or 0)
    return Footprint(int(size * PEAK_PER_FILE_BYTE), int(size * HELD_PER_FILE_BYTE), False)
