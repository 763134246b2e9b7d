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

    from ..inference.classifier import Classifier

__all__ = ["FORMAT", "Head", "head_from_probe", "load_head", "save_head"]

FORMAT = "resnext-head/1"


@dataclass(frozen=True)
class Head:
    """A linear classifier of the user's classes on a backbone's pooled features."""

    classes: tuple[str, ...]
    backbone: str
    weight: np.ndarray  # (classes, features) float32, on standardised features
    bias: np.ndarray  # (classes,) float32
    mean: np.ndarray  # (features,) float32
    scale: np.ndarray  # (features,) float32
    preprocessing: dict  # the backbone's transform, and ``fast`` and ``precision``: how its features were made

    @property
    def nbytes(self) -> int:
        """The memory its four arrays take."""
        return sum(getattr(self, k).nbytes for k in TENSORS)

    def logits(self, features: np.ndarray) -> np.ndarray:
        """The head's logits for (n, features) pooled features."""
        return ((features - self.mean) / self.scale) @ self.weight.T + self.bias

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """The softmax of [`logits`][resnext.transfer.head.Head.logits], (n, classes)."""
        z = self.logits(np.asarray(features, dtype=np.float64))
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def linear(self) -> "torch.nn.Linear":
        """One ``nn.Linear`` with the standardisation folded in, to replace a network's ``fc``."""
        import torch

        w = self.weight.astype(np.float64) / self.scale  # folded in float64, kept in float32
        layer = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(w.astype(np.float32)))
            layer.bias.copy_(torch.from_numpy((self.bias - w @ self.mean).astype(np.float32)))
        return layer.eval().requires_grad_(False)


def head_from_probe(pipeline, classes: Sequence[str], clf: Classifier) -> Head:
    """Turn a fitted probe ([`resnext.transfer.probe.fit_probe`][]) on ``clf``'s features into a
    [`Head`][resnext.transfer.head.Head].

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
    f32 = [np.asarray(a, dtype=np.float32) for a in (weight, bias, scaler.mean_, scaler.scale_)]
    return Head(tuple(classes), clf.variant.id, *f32, preprocessing)


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


def load_head(path: str | Path, name: str | None = None) -> Head:
    """Read a head written by ``save_head``, checking every field before anything is kept.

    The format; the classes (2 to ``MAX_CLASSES`` unique, non-empty strings of at most
    ``MAX_CLASS_CHARS`` characters); the backbone (in the catalog); the preprocessing (the
    backbone's own); the four tensors' shapes and dtype (float32, finite, ``scale`` positive).

    Args:
        path: The file.
        name: What messages call it (an upload's own name), else its path.

    Raises:
        WeightsError: The file is missing or is not a valid head; one sentence says which field.
    """
    from safetensors import SafetensorError, safe_open

    path = Path(path)
    called = name or str(path)
    remedy = "give a file that `resnext probe --save-head` or the Your classes page wrote"
    try:
        with safe_open(str(path), "np") as f:
            meta = f.metadata() or {}
            if meta.get("format") != FORMAT:
                raise _Invalid(f"its format is {meta.get('format')!r}, not {FORMAT}")
            if sorted(f.keys()) != sorted(TENSORS):
                raise _Invalid(f"it holds {sorted(f.keys())}, not {list(TENSORS)}")
            tensors = {k: f.get_tensor(k) for k in TENSORS}
        return _checked(meta, tensors)
    except FileNotFoundError:
        raise WeightsError(f"{called} does not exist; give the file `resnext probe --save-head` wrote.") from None
    except _Invalid as exc:
        raise WeightsError(f"{called} is not a valid classifier head: {exc}; {remedy}.") from None
    except (SafetensorError, OSError, ValueError, TypeError, OverflowError, MemoryError) as exc:
        why = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        raise WeightsError(f"{called} is not a classifier head ({why}); {remedy}.") from None


MAX_CLASSES = 1000
MAX_CLASS_CHARS = 100
TENSORS = ("weight", "bias", "mean", "scale")


class _Invalid(ValueError):
    """A head file that reads but says something impossible (the reason, for one sentence)."""


def _checked(meta: dict[str, str], tensors: dict[str, np.ndarray]) -> Head:
    """The head a file's header and tensors describe, every field checked (raises ``_Invalid``)."""
    from ..catalog.architecture import FEATURES
    from ..catalog.index import get_variant
    from ..errors import UnknownVariantError
    from ..inference.classifier import PRECISIONS
    from ..inference.preprocess import Transform

    classes = _json(meta, "classes")
    if not isinstance(classes, list) or not 2 <= len(classes) <= MAX_CLASSES:
        raise _Invalid(f"its classes must be a list of 2 to {MAX_CLASSES} names")
    if not all(isinstance(c, str) and 0 < len(c.strip()) and len(c) <= MAX_CLASS_CHARS for c in classes):
        raise _Invalid(f"each class must be a non-empty name of at most {MAX_CLASS_CHARS} characters")
    if len(set(classes)) != len(classes):
        raise _Invalid("two of its classes have the same name")
    try:
        variant = get_variant(str(meta.get("backbone")))
    except UnknownVariantError:
        raise _Invalid(f"its backbone {str(meta.get('backbone'))[:60]!r} is not a model of this catalog") from None
    preprocessing = _json(meta, "preprocessing")
    if not isinstance(preprocessing, dict) or preprocessing.get("precision") not in PRECISIONS \
            or not isinstance(preprocessing.get("fast"), bool):
        raise _Invalid("its preprocessing does not say its precision and mode")
    t = Transform.for_variant(variant, fast=preprocessing["fast"])
    own = {"image_size": t.image_size, "resize_to": t.resize_to, "interpolation": t.interpolation,
           "mean": list(t.mean), "std": list(t.std)}
    if any(preprocessing.get(k) != v for k, v in own.items()):
        raise _Invalid(f"its preprocessing is not {variant.id}'s")
    n, d = len(classes), FEATURES
    shapes = {"weight": (n, d), "bias": (n,), "mean": (d,), "scale": (d,)}
    for name, shape in shapes.items():
        x = tensors[name]
        if x.dtype != np.float32 or x.shape != shape:
            raise _Invalid(f"its {name} is {x.dtype} {x.shape}, not float32 {shape}")
        if not np.isfinite(x).all():
            raise _Invalid(f"its {name} holds values that are not finite")
    if not (tensors["scale"] > 0).all():
        raise _Invalid("its scale holds values that are not positive")
    return Head(tuple(classes), variant.id, tensors["weight"], tensors["bias"], tensors["mean"], tensors["scale"],
                preprocessing)


def _json(meta: dict[str, str], key: str):
    try:
        return json.loads(meta[key])
    except KeyError:
        raise _Invalid(f"its header has no {key}") from None
    except (json.JSONDecodeError, TypeError, RecursionError):
        raise _Invalid(f"its {key} are not JSON" if key == "classes" else f"its {key} is not JSON") from None
