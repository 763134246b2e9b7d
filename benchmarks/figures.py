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
             f"{r['web_photo_ms']:.0f}", f"{r['python_photo_ms']:.0f}",
             "—" if r.get("longest_task_photo_ms") is None else f"{r['longest_task_photo_ms']:.0f}"] for r in d["rows"]]
    goals = " ".join(f"{g['goal']}: {g['value']}, {'met' if g['met'] else 'missed'}." for g in d["goals"]
                     if not g.get("your_classes"))
    memory = [[m["device"], f"{m['bound_mb']} MB", f"{m['variants']} of {m['of']}", f"`{m['largest']}`" if m["largest"] else "—",
               str(m["resnext50_kept"])] for m in d.get("memory", [])]
    return (_table(["variant", "first visit s", "browser network ms", "Python network ms", "PyTorch eager ms",
                    "browser / Python", "CAM ms", "2 MP photo to top-5, browser ms", "same, Python ms",
                    "longest task on the page's thread ms"], rows)
            + f"\n\n{_machine(d, 'python -m benchmarks.web')} {d['browser']} {d['runs']} runs each, p50. {goals}"
            + ("\n\n" + _table(["device", "memory the page may use", "models that can load", "largest",
                                  "ResNeXt-50 sessions kept at once"], memory)
               + "\n\nFrom `web/src/budget.js` on the catalog: half of `navigator.deviceMemory` (at most 3 GB), "
               "1 GB where the browser does not say and on iOS; a session costs its file plus 96 MB, and its file "
               "lies beside it while it is made." if memory else ""))


def _web_classes(d: dict[str, Any]) -> str:
    part = d.get("your_classes")
    if part is None:
        return ("*Not measured yet: run `python -m benchmarks.web --part your_classes`, which writes its part of "
                "`assets/web_speed.json`.*")
    runs = [("first_visit", "first visit: the weights from a loopback Hub, then every feature"),
            ("first_run", "first run: the weights kept, every feature computed"),
            ("second_visit", "second visit, the same settings: the comparison kept"),
            ("second_visit_refit", "second visit, other folds: the features kept, the comparison made again")]
    rows = []
    for key, what in runs:
        if key not in part:
            continue
        r = part[key]
        network = ", ".join(f"{ms:.0f}" for ms in r["network_ms_per_image"].values() if ms is not None) or "—"
        rows.append([what, f"{r['total_s']:.1f}", f"{r['read_s']:.1f}", f"{r['run_s']:.1f}", str(r["computed"]),
                     str(r["cached"]), network, f"{r['longest_task_ms']:.0f}", f"{r.get('longest_task_reading_ms', 0):.0f}"])
    goals = "; ".join(f"{g['goal']}: {g['value']}, {'met' if g['met'] else 'missed'}" for g in d["goals"]
                      if g.get("your_classes"))
    threads = part.get("threads", d.get("threads"))
    load = (f" Other work kept the machine's load average near {part['load_average']} on its {threads} threads "
            "meanwhile." if part.get("load_average") and threads else "")
    return (_table(["run", "pick to verdict s", "folder read and checked s", "features and comparison s",
                    "photos x backbones computed", "from the cache", "network ms per photo", "longest task ms",
                    "longest task while the folder is read ms"], rows)
            + f"\n\n{_machine(part if 'cpu' in part else d, 'python -m benchmarks.web --part your_classes')} "
            f"{part['photos']} photo-like {part['megapixels']} MP JPEGs in {part['classes']} class folders, "
            f"{' and '.join(f'`{v}`' for v in part['variants'])} (random weights), headless Chromium, the site "
            f"cross-origin isolated.{load} Goals: {goals}.")


def _web_photos(d: dict[str, Any]) -> str:
    formats: dict[str, list[dict[str, Any]]] = {}
    for c in d["cases"]:
        formats.setdefault(c["format"], []).append(c)

    def count(cases: list[dict[str, Any]], outcome: str) -> str:
        return str(sum(c["outcome"] == outcome for c in cases))

    rows = []
    for fmt, cases in formats.items():
        differences = [c["rgb_max"] for c in cases if c["outcome"] == "agrees"]
        rows.append([fmt, str(len(cases)), count(cases, "agrees"),
                     f"{max(differences)}/255" if differences else "—", count(cases, "both refuse"),
                     count(cases, "page refuses"), count(cases, "downscaled"), count(cases, "disagrees")])
    totals = ", ".join(f"{n} {outcome}" for outcome, n in d["totals"].items())
    dp = [c["top5_dp"] for c in d["cases"] if c["top5_dp"] is not None]
    refused = [[f"`{c['case']}`", c["detail"].replace("|", "\\|")] for c in d["cases"] if c["outcome"] == "page refuses"]
    downscaled = [f"`{c['case']}` at {c['detail']}" for c in d["cases"] if c["outcome"] == "downscaled"]
    return (_table(["format", "cases", "page agrees", "largest RGB difference", "both refuse", "page refuses",
                    "decoded downscaled, and said", "disagree"], rows)
            + f"\n\n{_machine(d, 'python -m benchmarks.web_photos')} {d['browser']}; {len(d['cases'])} files: "
            f"{totals}."
            + (f" Where the page's RGB was checked through the network too, the top-5 on `{d['model']}` (random "
               f"weights) differed by {max(dp):.1e} at most (allowed: {d['top5_tolerance']:g})." if dp else "")
            + (f" Decoded downscaled: {', '.join(downscaled)}." if downscaled else "")
            + ("\n\nWhat the library reads and the page refuses, in the page's words:\n\n"
               + "\n".join(["| file | the page says |", "| --- | --- |", *(f"| {a} | {b} |" for a, b in refused)])
               if refused else ""))


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


def _gradient(d: dict[str, Any]) -> str:
    seconds, web = d["onnxruntime_seconds"], d.get("onnxruntime_web_seconds", {})
    rows = []
    for method, m in d["methods"].items():
        rule = m["rule"]
        run = next((v for k, v in seconds.items() if k.startswith(method)), seconds[rule])
        rows.append([method, f"`{rule}`", f"{d['graphs'][rule]['bytes'] / 1000:.0f}", f"{run:.2f}",
                     f"{run / seconds['forward']:.1f}x", (f"{web[rule]:.2f}" + (" per image" if run is not seconds[rule] else "")) if rule in web else "",
                     f"{m['module_vs_library']:.1e}", f"{m['onnxruntime_vs_library']:.1e}", f"{m['fp64_vs_library']:.1e}"])
    operators = sorted({op for rule, g in d["graphs"].items() if rule != "forward" for op in g["operators"]})
    pool = d["deeplift_maxpool"]
    forward_web = f" ({web['forward']:.2f} s in onnxruntime-web)" if "forward" in web else ""
    return (_table(["method", "graph", "graph kB", "onnxruntime s", "vs the forward graph",
                    "onnxruntime-web s", "map vs Captum: torch module", "onnxruntime", "exact (fp64)"], rows)
            + f"\n\n{_machine(d, 'python -m benchmarks.gradient')} `{d['variant']}` (random weights, BatchNorm "
            f"calibrated), one {d['image_size']} px image (integrated gradients: all its scaled images in one "
            f"run); the forward graph takes {seconds['forward']:.2f} s{forward_web}. "
            f"onnxruntime-web runs WebAssembly on one thread in Node, once. Maps are the library's, in [0, 1]: the "
            f"largest difference of a pixel. The gradient graphs' operators (opset "
            f"{d['graphs']['gradient']['opset']}): {', '.join(operators)}. A ReLU's gradient jumps where its input "
            f"crosses 0, so fp32 rounding alone moves the input gradient by {d['fp32_gradient_vs_fp64']:.1%} of its "
            f"largest value (fp32 against fp64, the same torch code); the last column shows that Captum's own fp32 "
            f"map is about as far from the exact one as onnxruntime's is from Captum's. DeepLIFT: Captum's MaxPool "
            f"rule changes its attribution by {pool['library_vs_without_maxpool_rule']:.1e} of its largest value "
            f"(its hook's answer is never read), and would change it by "
            f"{pool['library_vs_maxpool_rule_in_effect']:.1e} had it taken effect; the graph follows what Captum "
            f"computes.")


TABLES: dict[str, tuple[str, str, Callable[[dict[str, Any]], str]]] = {
    "latency": ("latency", "python -m benchmarks.cost", _latency),
    "memory": ("latency", "python -m benchmarks.cost --memory-only", _memory),
    "explain_cost": ("explain_cost", "python -m benchmarks.explain", _explain),
    "stress_cost": ("stress_cost", "python -m benchmarks.stress", _stress),
    "transfer_cost": ("transfer_cost", "python -m benchmarks.transfer --cost-only", _transfer),
    "web_speed": ("web_speed", "python -m benchmarks.web", _web),
    "web_classes": ("web_speed", "python -m benchmarks.web --part your_classes", _web_classes),
    "web_photos": ("web_photos", "python -m benchmarks.web_photos", _web_photos),
    "bulk_speed": ("bulk_speed", "python -m benchmarks.bulk", _bulk),
    "e2e_speed": ("e2e_speed", "python -m benchmarks.e2e", _e2e),
    "gradient_graphs": ("gradient_graphs", "python -m benchmarks.gradient", _gradient),
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
