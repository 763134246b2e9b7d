"""``resnext cam``: save an explanation of an image, optionally scored for faithfulness."""

from __future__ import annotations

import argparse

from ..errors import ResNeXtError
from ..explain.methods import METHODS
from .common import model_args, say_mode
from .progress import progress_bar


def add(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the command to the ``resnext`` parser's subcommands."""
    p = sub.add_parser("cam", help="save an explanation (Grad-CAM or another method) of an image")
    p.add_argument("image", metavar="IMAGE")
    model_args(p)
    p.add_argument("--out", required=True, metavar="FILE.png",
                   help="where to write the overlay (PNG), or the raw float32 map with a .npy name")
    p.add_argument("--method", default="gradcam", choices=list(METHODS), help="attribution method (default gradcam)")
    p.add_argument("--class", dest="class_index", type=int, default=None, metavar="N",
                   help="class index to explain (default: the top-1 class)")
    p.add_argument("--contrast", type=int, default=None, metavar="M",
                   help="explain the class rather than class M (the difference of their logits)")
    p.add_argument("--layer", default="layer4", choices=["layer1", "layer2", "layer3", "layer4"],
                   help="stage for gradcam and guided_gradcam")
    p.add_argument("--faithfulness", action="store_true",
                   help="also print the map's deletion/insertion scores against a random map like it")
    p.add_argument("--alpha", type=float, default=0.5, help="heatmap opacity, 0 to 1")
    p.add_argument("--colormap", default="jet")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Explain one image and save the map (PNG overlay or .npy); optionally score its faithfulness."""
    from ..explain.attribution import explain
    from ..explain.visualize import overlay
    from ..inference.classifier import load_classifier

    clf = load_classifier(args.model, weights=args.weights, progress=progress_bar(args.model),
                          precision=args.precision, fast=args.fast)
    say_mode(clf)
    crop, x = clf.prepare(args.image)
    if args.class_index is None:
        args.class_index = clf.predict(x, topk=1)[0].index
    cam = explain(clf, x, args.method, class_index=args.class_index, layer=args.layer, contrast=args.contrast)
    try:
        if args.out.endswith(".npy"):
            import numpy as np

            np.save(args.out, cam)
        else:
            overlay(crop, cam, alpha=args.alpha, colormap=args.colormap).save(args.out, format="PNG")
    except ValueError as exc:
        raise ResNeXtError(str(exc)) from None
    except OSError as exc:
        raise ResNeXtError(f"Cannot write {args.out} ({exc.strerror or exc}); choose another path.") from None
    print(args.out)
    if args.faithfulness:
        from ..explain.fidelity import faithfulness

        score = faithfulness(clf, x, cam, args.class_index)
        print(f"faithfulness to {clf.labels[args.class_index]!r}: deletion AUC {score.deletion:.4f} "
              f"(lower is better; random map {score.random_deletion:.4f}), insertion AUC {score.insertion:.4f} "
              f"(higher is better; random map {score.random_insertion:.4f})")
    return 0
