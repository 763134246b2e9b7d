"""``resnext list``: the variants and their metadata, as a table or JSON."""

from __future__ import annotations

import argparse
import json

from ..catalog.index import list_variants
from ..catalog.variant import format_optional
from .common import source_arg


def add(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the command to the ``resnext`` parser's subcommands."""
    p = sub.add_parser("list", help="list the variants and their metadata")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    source_arg(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the catalog as a table, or as JSON."""
    from ..weights.hub import hub_repo
    from ..weights.sources import origin

    variants = list_variants()
    if args.json:
        rows = [{**{k: (str(v) if k in ("source", "labels_file") and v else v) for k, v in vars(x).items()},
                 "hub_repo": hub_repo(x), "weights_from": origin(x)} for x in variants]
        print(json.dumps(rows, indent=2))
        return 0

    header = ("id", "family", "top-1", "top-5", "params", "GFLOPs", "size", "licence", "weights from")
    rows = [
        (
            v.id, v.family, format_optional(v.top1, "{:.2f}"), format_optional(v.top5, "{:.2f}"),
            format_optional(v.parameters and v.parameters / 1e6, "{:.1f}M"), format_optional(v.flops and v.flops / 1e9, "{:.1f}"),
            v.size_label, v.license, origin(v),
        )
        for v in variants
    ]
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    for r in (header, *rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    noncommercial = sorted({v.license for v in variants if v.non_commercial})
    if noncommercial:
        print(f"\n{', '.join(noncommercial)}: the weights are for non-commercial use only.")
    return 0
