"""What several commands share: the model and data arguments, loading the models they name, writing a
file, reading corruption names and severities."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from ..catalog.index import get_variant
from ..errors import ResNeXtError
from .progress import progress_bar


def model_args(p: argparse.ArgumentParser, many: bool = False, required: bool = True) -> None:
    """Add ``--model`` (repeatable with ``many``), ``--weights``, ``--fast``, ``--precision`` and ``--source``."""
    if many:
        p.add_argument("--model", required=required, action="append", metavar="ID",
                       help="variant id, e.g. swsl_resnext50_32x4d; repeat to run several")
    else:
        p.add_argument("--model", required=True, metavar="ID", help="variant id, e.g. swsl_resnext50_32x4d")
    p.add_argument("--weights", metavar="PATH", help="use this local checkpoint instead of downloading"
                   + (" (with one --model)" if many else ""))
    p.add_argument("--fast", action="store_true",
                   help="fast mode: JPEGs decoded at reduced scale, bf16 network where the CPU has native bf16; "
                        "approximate")
    p.add_argument("--precision", choices=["fp32", "bf16"], default=None,
                   help="the network's precision (default: fp32, or fast mode's choice for this CPU)")
    source_arg(p)


def source_arg(p: argparse.ArgumentParser) -> None:
    """Add ``--source``: where weights come from."""
    p.add_argument("--source", choices=["auto", "hub", "url"], default=None,
                   help="where weights come from: the Hugging Face Hub, the model-index URL, or auto (the Hub, "
                        "then the URL; default, or $RESNEXT_WEIGHTS_SOURCE)")


def bulk_args(p: argparse.ArgumentParser) -> None:
    """Add ``--batch-size`` and ``--workers``."""
    p.add_argument("--batch-size", type=int, default=8, help="images per forward pass (default 8)")
    p.add_argument("--workers", type=int, default=None, help="threads that decode images (default: every CPU)")


def variants_of(args: argparse.Namespace) -> list:
    """The variants a command names, every id checked before anything loads (``--head`` names its backbone).

    Raises:
        ResNeXtError: No model, an unknown id, or ``--head``/``--weights`` with more than one model.
    """
    if getattr(args, "head", None) is not None:
        from ..transfer.head import load_head

        args.head = load_head(args.head)  # read and checked once, before any model loads
        args.model = args.model or [args.head.backbone]
    if not args.model:
        raise ResNeXtError("Name a model with --model (or give --head, which names its own).")
    variants = [get_variant(i) for i in dict.fromkeys(args.model)]  # every id checked first
    if getattr(args, "head", None) is not None and len(variants) != 1:
        raise ResNeXtError("--head needs exactly one --model, its backbone.")
    if args.weights is not None and len(variants) != 1:
        raise ResNeXtError("--weights needs exactly one --model.")
    return variants


def load(args: argparse.Namespace, variants: list) -> list:
    """Load each variant as the command's flags ask (weights, precision, fast mode, head); say the mode if not exact."""
    from ..inference.classifier import load_classifier

    classifiers = [load_classifier(v.id, weights=args.weights, progress=progress_bar(v.id), precision=args.precision,
                                   fast=args.fast or None, head=getattr(args, "head", None)) for v in variants]
    say_mode(classifiers[0])
    return classifiers


def say_mode(clf) -> None:
    """Name what runs when it is not the exact default, so approximate answers are never a surprise."""
    if clf.fast or clf.precision != "fp32":
        print(f"resnext: {clf.mode}", file=sys.stderr)


def write(path: str, text: str) -> None:
    """Write a command's output file and say so.

    Raises:
        ResNeXtError: The file cannot be written.
    """
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ResNeXtError(f"Cannot write {path} ({exc.strerror or exc}); choose another path.") from None
    print(f"wrote {path}")


def corruptions(names: Sequence[str] | None) -> list[str]:
    """The corruptions named on the command line (none or ``all``: every one).

    Raises:
        ResNeXtError: A name that is not a corruption.
    """
    from ..stress.corruptions import CORRUPTIONS

    if not names or names == ["all"]:
        return list(CORRUPTIONS)
    unknown = [n for n in names if n not in CORRUPTIONS]
    if unknown:
        frost = " (frost is left out: the licence of its photos is unknown)" if "frost" in unknown else ""
        raise ResNeXtError(f"There is no corruption {unknown[0]!r}{frost}; choose from {', '.join(CORRUPTIONS)}.")
    return list(dict.fromkeys(names))


def severity_list(text: str) -> list[int]:
    """The severities of ``--severity``: ``3``, ``1-5`` or ``1,3,5``.

    Raises:
        ResNeXtError: Not severities from 1 to 5.
    """
    try:
        if "-" in text:
            low, high = (int(t) for t in text.split("-"))
            values = list(range(low, high + 1))
        else:
            values = sorted({int(t) for t in text.split(",")})
    except ValueError:
        values = []
    if not values or any(v not in range(1, 6) for v in values):
        raise ResNeXtError(f"--severity {text} is not a severity from 1 to 5; give 3, 1-5 or 1,3,5.")
    return values
