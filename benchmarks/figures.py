"""The documentation's tables of measurements, made from the JSON files the benchmarks write under
``assets/`` (each names the CPU, its ISA flags and the date). No figure in the docs is typed by hand:
``docs/hooks.py`` puts these tables where a page says ``<!-- figures: NAME -->``, and
``tests/test_docs.py`` checks that the built pages carry the JSON's figures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from resnext.catalog.index import ASSETS_DIR, get_variant
from resnext.catalog.variant import format_bytes
from resnext.machine.memory import RESERVE_BYTES

__all__ = ["TABLES", "load", "render", "save"]


def load(name: str, folder: Path = ASSETS_DIR) -> dict[str, Any] | None:
    """The JSON ``folder/NAME.json``, or None where that benchmark has not been run."""
    path = folder / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def save(path: Path | str, fields: dict[str, Any]) -> Path:
    """Write a benchmark's figures as JSON, headed by the machine and the date they were measured on.

    Args:
        path: The file (``assets/NAME.json`` for a table the docs draw).
        fields: The figures.

    Returns:
        The path written.
    """
    import datetime

    import torch

    from benchmarks.machine import cpu_model, isa_flags

    record = {"cpu": cpu_model(), "isa": isa_flags(), "threads": torch.get_num_threads(),
              "date": datetime.date.today().isoformat(), **fields}
    Path(path).write_text(json.dumps(record, indent=2) + "\n")
    return Path(path)


def _machine(data: dict[str, Any], command: str) -> str:
    threads = f", {data['threads']} threads" if "threads" in data else ""
    return f"Measured by `{command}` on {data['cpu']} ({', '.join(data['isa'])}){threads}, {data['date']}."


def _table(header: list[str], rows: list[list[str]]) -> str:
    align = ["---"] + ["---:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def _latency(d: dict[str, Any]) -> str:
    rows = [[f"`{vid}`", f"{v['default_ms']:.1f}", f"{v['fast_ms']:.1f}", f"{v['default_ms'] / v['fast_ms']:.2f}x",
             f"{v['first_load_cold_s']:.2f}", f"{v['default_load_warm_s']:.2f}",
             f"{v['default_first_request_unwarmed_ms']:.0f}", f"{v.get('held_mb', '—')}"]
            for vid, v in d["variants"].items()]
    return (_table(["variant", "default (fp32) ms", "fast (bf16) ms", "fast / default", "first load, cache cold s",
                    "later load s", "unwarmed first request ms", "held MB"], rows)
            + f"\n\n{_machine(d, 'python -m benchmarks.cost')} {d['engine']}, batch {d['batch']}, median of "
            f"{d['repeats']} runs; real architectures with random weights.")


SPACE_BYTES = 16_000_000_000  # CPU basic, the free hardware of a Space


def _memory(d: dict[str, Any]) -> str:
    budget = SPACE_BYTES - RESERVE_BYTES
    rows = []
    for vid, v in d["variants"].items():
        peak, held = v["first_load_peak_mb"] * 1e6, v["held_mb"] * 1e6
        size = get_variant(vid).file_size
        rows.append([f"`{vid}`", format_bytes(size) if size else "—", format_bytes(peak), format_bytes(held),
                     str(int((budget - peak) // held) + 1)])
    return (_table(["variant", "checkpoint", "peak of a first load", "held once loaded", "that fit at once"], rows)
            + f"\n\n{_machine(d, 'python -m benchmarks.cost --memory-only')} \"That fit at once\": copies of the "
            f"variant that a {format_bytes(SPACE_BYTES)} Space holds, less the {format_bytes(RESERVE_BYTES)} reserve, "
            "with room for the last one's peak.")


def _explain(d: dict[str, Any]) -> str:
    methods = list(next(iter(d["variants"].values())))
    rows = [[f"`{vid}`", *(f"{v[m]:.3f}" for m in methods)] for vid, v in d["variants"].items()]
    return (_table(["variant", *(f"{m} s" for m in methods)], rows)
            + f"\n\n{_machine(d, 'python -m benchmarks.explain')} Median of {d['repeats']} runs.")


def _stress(d: dict[str, Any]) -> str:
    rows = [[f"`{name}`", f"{seconds:.4f}"] for name, seconds in d["corruptions"].items()]
    return _table(["corruption", "seconds, severities 1–5"], rows) + f"\n\n{_machine(d, 'python -m benchmarks.stress')}"


def _transfer(d: dict[str, Any]) -> str:
    rows = [["read, decode and crop one 2 MP JPEG", f"{d['decode_ms']:.1f} ms"],
            ["the comparison, per backbone and fold", f"{d['probe_seconds_per_fold']:.3f} s"]]
    return (_table(["step", "time"], rows)
            + f"\n\n{_machine(d, 'python -m benchmarks.transfer --cost-only')} The Your classes page's estimates "
            "come from these two figures.")


def _web(d: dict[str, Any]) -> str:
    rows = [[f"`{r['variant']}`", f"{r['first_visit_s']:.2f}", f"{r['web_ms']:.0f}", f"{r['python_ms']:.0f}",
             f"{r['torch_ms']:.0f}", f"{r['web_ms'] / r['python_ms']:.2f}x", f"{r['cam_ms']:.1f}",
             f"{r['web_photo_ms']:.0f}", f"{r['python_photo_ms']:.0f}"] for r in d["rows"]]
    goals = " ".join(f"{g['goal']}: {g['value']}, {'met' if g['met'] else 'missed'}." for g in d["goals"])
    return (_table(["variant", "first visit s", "browser network ms", "Python network ms", "PyTorch eager ms",
                    "browser / Python", "CAM ms", "2 MP photo to top-5, browser ms", "same, Python ms"], rows)
            + f"\n\n{_machine(d, 'python -m benchmarks.web')} {d['browser']} {d['runs']} runs each, p50. {goals}")


def _bulk(d: dict[str, Any]) -> str:
    rows = [[f"{r['megapixels']} MP", f"{r['timm_per_s']:.2f}", f"{r['ours_per_s']:.2f}",
             f"{r['ours_per_s'] / r['timm_per_s']:.2f}x", f"{d['target']}x", f"{r['identical_top5']}/{r['images']}"]
            for r in d["rows"]]
    return (_table(["photo", "timm loop images/s", "ours images/s", "speed-up", "goal", "identical top-5"], rows)
            + f"\n\n{_machine(d, 'python -m benchmarks.bulk')} `{d['variant']}` (random weights), exact fp32, "
            f"{d['engine']} engine, batch {d['batch']}; fresh JPEGs every round, median of {d['rounds']} rounds.")


def _e2e(d: dict[str, Any]) -> str:
    rows = []
    for r in d["rows"]:
        target = r["target"]
        goal = "" if target is None else f"{target}x, " + ("met" if r["vs_timm"] >= target else "missed")
        rows.append([r["images"], r["pipeline"], f"{r['total_ms']:.1f}", f"{r['decode_ms']:.1f}", f"{r['resize_ms']:.1f}",
                     f"{r['network_ms']:.1f}", f"{r['head_ms']:.1f}", f"{r['vs_timm']:.2f}x", goal,
                     r["logits_error"] or "", r["top1_agree"] or ""])
    return (_table(["images", "pipeline", "total ms", "decode", "resize", "network", "head", "vs timm", "goal",
                    "logits rel. error vs exact", "top-1 where it cannot flip"], rows)
            + f"\n\n{_machine(d, 'python -m benchmarks.e2e')} `{d['variant']}` (random weights), batch 1, medians "
            f"over {d['rounds']} fresh photos per size, the pipelines taking turns image by image.")


TABLES: dict[str, tuple[str, str, Callable[[dict[str, Any]], str]]] = {
    "latency": ("latency", "python -m benchmarks.cost", _latency),
    "memory": ("latency", "python -m benchmarks.cost --memory-only", _memory),
    "explain_cost": ("explain_cost", "python -m benchmarks.explain", _explain),
    "stress_cost": ("stress_cost", "python -m benchmarks.stress", _stress),
    "transfer_cost": ("transfer_cost", "python -m benchmarks.transfer --cost-only", _transfer),
    "web_speed": ("web_speed", "python -m benchmarks.web", _web),
    "bulk_speed": ("bulk_speed", "python -m benchmarks.bulk", _bulk),
    "e2e_speed": ("e2e_speed", "python -m benchmarks.e2e", _e2e),
}
"""Each table: the JSON it reads (``assets/STEM.json``), the command that writes it, how it is drawn."""


def render(name: str, folder: Path = ASSETS_DIR) -> str:
    """The Markdown table of ``assets/NAME.json``, or a line that says how to measure it.

    Args:
        name: One of :data:`TABLES`.
        folder: Where the JSON files are.

    Returns:
        Markdown.

    Raises:
        KeyError: No such table.
    """
    stem, command, draw = TABLES[name]
    data = load(stem, folder)
    return draw(data) if data is not None else f"*Not measured yet: run `{command}`, which writes `assets/{stem}.json`.*"
