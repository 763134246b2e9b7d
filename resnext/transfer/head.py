"""A classifier of the user's own classes: a probe saved as one small file, and put back on its backbone.

The file is safetensors: the logistic regression's ``weight`` (classes, features) and ``bias``
as fitted on standardised features, and the standardisation's ``mean`` and ``scale``; its header
metadata holds JSON with the class names, the backbone id and the preprocessing and precision
the features were computed with. On load the standardisation is folded into one linear layer,
``W / scale`` and ``b - (W / scale) mean``, which replaces the backbone's ImageNet classifier: the
top-k, Grad-CAM and every explanation method then speak of the user's classes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..errors import ResNeXtError, WeightsError

if TYPE_CHECKING:
    import torch

    from ..classifier import Classifier

__all__ = ["FORMAT", "Head", "head_from_probe", "load_head", "save_head"]

FORMAT = "resnext-head/1"


@dataclass(frozen=True)
class Head:
    """A linear classifier of the user's classes on a backbone's pooled features."""

    classes: tuple[str, ...]
    backbone: str
    weight: np.ndarray  # (classes, features), on standardised features
    bias: np.ndarray  # (classes,)
    mean: np.ndarray  # (features,)
    scale: np.ndarray  # (features,)
    preprocessing: dict

    def logits(self, features: np.ndarray) -> np.ndarray:
        """The head's logits for (n, features) pooled features."""
        return ((features - self.mean) / self.scale) @ self.weight.T + self.bias

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """The softmax of :meth:`logits`, (n, classes)."""
        z = self.logits(np.asarray(features, dtype=np.float64))
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def linear(self) -> "torch.nn.Linear":
        """One ``nn.Linear`` with the standardisation folded in, to replace a network's ``fc``."""
        import torch

        w = self.weight / self.scale
        layer = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(w.astype(np.float32)))
            layer.bias.copy_(torch.from_numpy((self.bias - w @ self.mean).astype(np.float32)))
        return layer.eval().requires_grad_(False)


def head_from_probe(pipeline, classes: Sequence[str], clf: Classifier) -> Head:
    """Turn a fitted probe (:func:`resnext.transfer.probe.fit_probe`) on ``clf``'s features into a :class:`Head`.

    A two-class logistic regression has one row ``w``; it becomes ``-w/2`` and ``w/2``, whose
    softmax is the same pair of probabilities.
    """
    scaler, space, model = pipeline[0], pipeline[1], pipeline[-1]
    weight = np.asarray(model.coef_, dtype=np.float64) @ space.basis_.T  # back from the rows' span
    bias = np.asarray(model.intercept_, dtype=np.float64)
    if weight.shape[0] == 1:
        weight, bias = np.vstack([-weight / 2, weight / 2]), np.concatenate([-bias / 2, bias / 2])
    t = clf.transform
    preprocessing = {"image_size": t.image_size, "resize_to": t.resize_to, "interpolation": t.interpolation,
                     "mean": list(t.mean), "std": list(t.std), "fast": t.fast, "precision": clf.precision}
    return Head(tuple(classes), clf.variant.id, weight, bias, np.asarray(scaler.mean_, dtype=np.float64),
                np.asarray(scaler.scale_, dtype=np.float64), preprocessing)


def save_head(head: Head, path: str | Path, overwrite: bool = False) -> Path:
    """Write a head as one safetensors file.

    Args:
        head: The head.
        path: Where (``.safetensors`` is the usual suffix).
        overwrite: Replace an existing file.

    Returns:
        The path written.

    Raises:
        ResNeXtError: The file exists (and ``overwrite`` is off) or cannot be written.
    """
    from safetensors.numpy import save_file

    path = Path(path)
    if path.exists() and not overwrite:
        raise ResNeXtError(f"{path} already exists; choose another name or pass --overwrite.")
    metadata = {"format": FORMAT, "backbone": head.backbone, "classes": json.dumps(list(head.classes)),
                "preprocessing": json.dumps(head.preprocessing),
                "standardisation": "features are (x - mean) / scale before weight and bias"}
    tensors = {name: np.ascontiguousarray(getattr(head, name), dtype=np.float32)
               for name in ("weight", "bias", "mean", "scale")}
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        save_file(tensors, str(tmp), metadata=metadata)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ResNeXtError(f"Cannot write {path} ({exc.strerror or exc}); choose another path.") from None
    return path


def load_head(path: str | Path) -> Head:
    """Read a head written by :func:`save_head`.

    Raises:
        WeightsError: The file is missing, not safetensors, or not a head of this format.
    """
    from safetensors import SafetensorError, safe_open

    path = Path(path)
    try:
        with safe_open(str(path), "np") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k).astype(np.float64) for k in ("weight", "bias", "mean", "scale")}
    except FileNotFoundError:
        raise WeightsError(f"{path} does not exist; give the file `resnext probe --save-head` wrote.") from None
    except (SafetensorError, OSError, KeyError, ValueError) as exc:
        raise WeightsError(f"{path} is not a classifier head ({exc}); give a file that "
                           "`resnext probe --save-head` or the Your classes page wrote.") from None
    if meta.get("format") != FORMAT:
        raise WeightsError(f"{path} is not a classifier head of format {FORMAT}; save the head again.")
    classes = tuple(json.loads(meta["classes"]))
    weight = tensors["weight"]
    if weight.shape != (len(classes), tensors["mean"].size) or tensors["bias"].shape != (len(classes),):
        raise WeightsError(f"{path} is inconsistent ({len(classes)} classes, weights {weight.shape}); "
                           "save the head again.")
    return Head(classes, meta["backbone"], weight, tensors["bias"], tensors["mean"], tensors["scale"],
                json.loads(meta.get("preprocessing", "{}")))
