"""MkDocs hooks: the parts of the manual that the code and the benchmarks write.

A page says ``<!-- generated: NAME -->`` and gets, in its place, the table of environment variables
(from :mod:`resnext.environment`), the command line's reference (from its argparse parser), the
library's parts and their imports (from the table in ``resnext.layout`` and the imports the code
makes), the attribution methods, what runs where (the static Space's footer's table, which Node
prints from the browser's own registries: ``web/tools/where.mjs``); ``<!-- figures: NAME -->`` a table
of measurements from ``assets/NAME.json`` (``benchmarks.figures``); ``<!-- constant: module.NAME -->``
a constant of the code, inline. A marker nobody knows fails the build. The hooks import the library,
never a test.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent

if TYPE_CHECKING:
    from mkdocs.structure.pages import Page

_MARKER = re.compile(r"<!-- (generated|figures|constant): ([A-Za-z0-9_.]+) -->")


def on_page_markdown(markdown: str, page: "Page", **_) -> str:
    """Replace each marker of a page with what it names."""
    if str(ROOT) not in sys.path:  # the hooks read the project itself, from the checkout being built
        sys.path.insert(0, str(ROOT))

    def replace(match: re.Match) -> str:
        kind, name = match.groups()
        if kind == "constant":
            return constant(name)
        if kind == "figures":
            from benchmarks.figures import render

            return render(name)
        if name not in GENERATED:
            raise PluginError(f"{page.file.src_path}: no generator named {name!r}; see docs/hooks.py.")
        return GENERATED[name]()

    done = _MARKER.sub(replace, markdown)
    if left := re.search(r"<!-- (generated|figures|constant):[^>]*-->", done):
        raise PluginError(f"{page.file.src_path}: the marker {left.group(0)} is malformed; see docs/hooks.py.")
    return done


def constant(path: str) -> str:
    """A constant of the code, as the text states it: ``resnext.machine.memory.RESERVE_BYTES`` → ``2.5 GB``."""
    import importlib

    from resnext.catalog.variant import format_bytes

    module, _, name = path.rpartition(".")
    value = getattr(importlib.import_module(module), name)
    if name.endswith("_BYTES"):
        return format_bytes(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def environment_table() -> str:
    """Every environment variable, from the one table the code reads."""
    from resnext.environment import VARIABLES

    readers = {"library": "library", "app": "app", "start": "`scripts/start.sh`"}
    rows = [f"| `{v.name}` | {v.meaning} | {v.default} | {readers[v.reader]} |" for v in VARIABLES]
    return "\n".join(["| variable | meaning | when unset | read by |", "| --- | --- | --- | --- |", *rows])


def cli_reference() -> str:
    """Every command of ``resnext``: its help, usage and arguments, from the parser itself."""
    from resnext.cli import parser

    top = parser()
    commands = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in commands._choices_actions}
    out = []
    for name, sub in commands.choices.items():
        out += [f"### `resnext {name}`", "", f"{helps.get(name, '')[:1].upper()}{helps.get(name, '')[1:]}.", "",
                "```text", sub.format_usage().strip().removeprefix("usage: "), "```", "",
                "| argument | what it does | default |", "| --- | --- | --- |"]
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            flags = ", ".join(f"`{o}`" for o in action.option_strings) or f"`{action.metavar or action.dest}`"
            if action.choices and not action.option_strings:
                flags += f" ({', '.join(map(str, action.choices))})"
            default = "" if action.default in (None, False, argparse.SUPPRESS) else f"`{action.default}`"
            text = (action.help or "").replace("|", "\\|")
            if action.choices and action.option_strings:
                text += f" (one of {', '.join(f'`{c}`' for c in action.choices)})"
            out.append(f"| {flags} | {text} | {default} |")
        out.append("")
    return "\n".join(out)


def layers() -> str:
    """The library's parts, what each may import, and the imports between them the code makes."""
    from resnext import layout

    graph = ["```mermaid", "graph TD", *(f"    {a} --> {b}" for a, b in sorted(layout.edges())), "```"]
    order = [layout.FACE, *sorted(layout.ALLOWED.keys() - {layout.FACE, layout.BASE},
                                  key=lambda p: (len(layout.ALLOWED[p]), p)), layout.BASE]
    allowed = [f"| `{part}` | {', '.join(f'`{p}`' for p in sorted(layout.ALLOWED[part])) or '—'} |" for part in order]
    return "\n".join([*graph, "", "| part | may import, besides itself and the base |", "| --- | --- |", *allowed])


def methods() -> str:
    """The attribution methods, by the name ``explain`` takes, from the one table the code reads."""
    from resnext.explain.methods import METHODS

    rows = [f"| `{m.name}` | {m.label} | {m.summary} | {'yes' if m.layered else 'no'} |" for m in METHODS.values()]
    return "\n".join(["| `method` | name | what it shows | takes `layer` |", "| --- | --- | --- | --- |", *rows])


def claims() -> str:
    """The papers' ImageNet-1k claims beside timm's measurements of the released checkpoints."""
    from resnext.published.references import GAP_POINTS, claims as published

    rows = []
    for c in published():
        measured = "—" if c.measured_top1 is None else f"{c.measured_top1:.2f}"
        gap = "" if c.gap is None else f"{c.gap:+.2f}" + (" (flagged)" if c.flagged else "")
        why = f" {c.explanation} ({c.explanation_source})" if c.explanation else ""
        rows.append(f"| `{c.model}` | {c.claimed_top1:.2f} | {measured} | {gap} | {c.source}.{why} |".replace("\n", " "))
    return "\n".join([f"A gap over {GAP_POINTS} points is flagged.", "",
                      "| variant | claimed top-1 | timm's top-1 | gap | sources |", "| --- | ---: | ---: | ---: | --- |",
                      *rows])


def limits() -> str:
    """The bounds the code keeps, read from its constants."""
    from resnext.catalog.variant import format_bytes
    from resnext.export.catalog import BROWSER_LIMIT_BYTES
    from resnext.inference import image
    from resnext.machine import memory
    from resnext.transfer import features, head
    from resnext_app import budget, heads, store, transfer

    rows = [
        ("largest image (`RESNEXT_MAX_PIXELS`)", f"{image.DEFAULT_MAX_PIXELS / 1e6:.0f} megapixels",
         "`resnext/inference/image.py`"),
        ("most elongated image", f"{image.MAX_ASPECT}:1", "`resnext/inference/image.py`"),
        ("memory kept free beside the models", format_bytes(memory.RESERVE_BYTES), "`resnext/machine/memory.py`"),
        ("what visitors' uploads may hold at once (`RESNEXT_MAX_UPLOAD_GB`)", f"{budget.DEFAULT_GB} GB",
         "`resnext_app/budget.py`"),
        ("share of that for the shared results", f"{store.RESULTS_SHARE:.0%}", "`resnext_app/store.py`"),
        ("heads of visitors' classes per session", f"{transfer.MAX_SESSION_HEADS}, "
         f"{format_bytes(transfer.MAX_SESSION_HEAD_BYTES)}", "`resnext_app/transfer.py`"),
        ("heads of visitors' classes on the server", str(heads.MAX_HEADS), "`resnext_app/heads.py`"),
        ("classes of a head", f"2 to {head.MAX_CLASSES}, names of at most {head.MAX_CLASS_CHARS} characters",
         "`resnext/transfer/head.py`"),
        ("feature cache (`RESNEXT_FEATURE_CACHE_MB`)", f"{features.DEFAULT_CACHE_MB} MB", "`resnext/transfer/features.py`"),
        ("largest weights file a browser runs", format_bytes(BROWSER_LIMIT_BYTES), "`resnext/export/catalog.py`"),
    ]
    return "\n".join(["| limit | value | where |", "| --- | --- | --- |", *(f"| {a} | {b} | {c} |" for a, b, c in rows)])


def where_rows() -> dict:
    """The static Space's "What runs where", as its footer draws it: ``{"columns", "rows"}`` from
    ``node web/tools/where.mjs`` (the Python app's pages and the library's methods beside the browser's
    registries, ``web/src/where.js``)."""
    node = shutil.which("node")
    if node is None:
        raise PluginError("The table of what runs where needs Node 20 or later (it reads the browser's own "
                          "registries, web/src/where.js); install Node, then build the manual again.")
    done = subprocess.run([node, str(ROOT / "web" / "tools" / "where.mjs")], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise PluginError(f"web/tools/where.mjs failed: {done.stderr.strip()[-1000:]}")
    return json.loads(done.stdout)


def where() -> str:
    """Each of the Python app's pages and each explanation method: the browser or the Python app, and why."""
    table = where_rows()
    rows = ["| " + " | ".join(r[k].replace("|", "\\|") for k in ("what", "where", "why")) + " |" for r in table["rows"]]
    return "\n".join([f"| {' | '.join(table['columns'])} |", "| --- | --- | --- |", *rows])


GENERATED = {"environment": environment_table, "cli": cli_reference, "layers": layers, "claims": claims,
             "limits": limits, "methods": methods, "where": where}
