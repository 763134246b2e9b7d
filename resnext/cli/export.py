"""``resnext export``: each variant's network as a weight-free ONNX graph, and the catalog as JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..catalog.index import get_variant, list_variants
from ..errors import ResNeXtError


def add(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the command to the ``resnext`` parser's subcommands."""
    p = sub.add_parser("export", help="write each variant's network as a weight-free ONNX graph (its weights stay "
                                      "in the Hub's model.safetensors) and the catalog as JSON")
    p.add_argument("ids", nargs="*", metavar="ID", help="the variants (default: every one a browser can hold)")
    p.add_argument("--out", metavar="FOLDER", required=True, help="where ID.onnx and catalog.json go")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write each variant's ONNX graph and the catalog as JSON into --out."""
    import importlib.util

    from ..export import catalog_json, onnx_graph

    if importlib.util.find_spec("onnx") is None:  # the graphs' own package, an extra
        raise ResNeXtError("resnext export needs the onnx package: pip install 'resnext-explorer[export]'.")
    listing = catalog_json()
    runnable = {row["id"] for row in listing["variants"] if row["browser"] is None}
    variants = ([get_variant(i) for i in dict.fromkeys(args.ids)] if args.ids else
                [v for v in list_variants() if v.id in runnable])
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for v in variants:
            (out / f"{v.id}.onnx").write_bytes(onnx_graph(v).SerializeToString())
            print(f"{v.id}: {out / f'{v.id}.onnx'}")
        (out / "catalog.json").write_text(json.dumps(listing, indent=1) + "\n")
    except OSError as exc:
        raise ResNeXtError(f"Cannot write into {out} ({exc.strerror or exc}); choose another folder with --out.") from None
    print(f"{out / 'catalog.json'}: {len(listing['variants'])} variants")
    return 0
