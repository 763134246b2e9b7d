"""The same bulk prediction on Ray Data, for folders that outgrow one machine (``pip install .[ray]``).

A Ray user passes :class:`Predictor` to ``map_batches`` on any dataset with a ``bytes`` column
(and optionally ``path``), e.g. from ``ray.data.read_binary_files(..., include_paths=True)``::

    ds = ray.data.read_binary_files("s3://bucket/photos/", include_paths=True)
    out = ds.map_batches(Predictor, fn_constructor_kwargs={"model_ids": ["swsl_resnext50_32x4d"]},
                         batch_size=16, concurrency=4)

Each actor loads the models once (weights from its own cache or mirror) and classifies whole
batches; the output has ``path``, ``status`` and ``predictions`` (JSON: variant id → top-k).
:func:`predict_with_ray` does this for local paths and turns the output back into
:class:`resnext.bulk.Row` objects, in input order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from .bulk import Row, classify_prepared, prepare_image
from .errors import ResNeXtError

__all__ = ["Predictor", "predict_with_ray"]


class Predictor:
    """A Ray Data callable class: one set of loaded models per actor."""

    def __init__(self, model_ids: Sequence[str], topk: int = 5, precision: str | None = None,
                 fast: bool = False) -> None:
        """Load the models (downloading verified weights on first use on this node).

        Args:
            model_ids: Variant ids or timm names.
            topk: Classes per model.
            precision: ``fp32`` or ``bf16`` (default: as :func:`resnext.load_classifier` chooses).
            fast: Fast mode (approximate).

        Raises:
            ResNeXtError: A model cannot be had.
        """
        from .classifier import load_classifier

        self.classifiers = [load_classifier(i, precision=precision, fast=fast) for i in model_ids]
        self.transforms = list(dict.fromkeys(clf.transform for clf in self.classifiers))
        self.topk = topk

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Classify a batch of encoded images.

        Args:
            batch: Columns ``bytes`` (the files) and, optionally, ``path`` (names for the rows).

        Returns:
            Columns ``path``, ``status`` and ``predictions`` (a JSON string per row).
        """
        names = batch.get("path", [f"image {i}" for i in range(len(batch["bytes"]))])
        pending = [(str(name), prepare_image(bytes(data), str(name), self.transforms))
                   for name, data in zip(names, batch["bytes"])]
        rows = list(classify_prepared(self.classifiers, pending, self.topk))
        return {
            "path": np.array([r.path for r in rows], dtype=object),
            "status": np.array([r.status for r in rows], dtype=object),
            "predictions": np.array([json.dumps(r.record()["predictions"]) for r in rows], dtype=object),
        }


def predict_with_ray(
    model_ids: Sequence[str],
    paths: Sequence[Path],
    topk: int = 5,
    address: str | None = None,
    precision: str | None = None,
    batch_size: int = 8,
    actors: int | None = None,
    fast: bool = False,
) -> Iterator[Row]:
    """Classify files on Ray Data, one :class:`Predictor` actor per worker.

    Args:
        model_ids: Variant ids.
        paths: Files every worker can read (a shared file system on a cluster).
        topk: Classes per model.
        address: A running cluster's address (``"auto"``: the one on this machine); None starts a
            local instance (or joins ``$RAY_ADDRESS``). When Ray is already initialised in this
            process, that instance is used.
        precision: ``fp32`` or ``bf16`` (default: as :func:`resnext.load_classifier` chooses).
        batch_size: Images per actor call.
        actors: Model-holding actors, one CPU reserved for each (default: one per 2 CPUs of the
            cluster, at least one; the other CPUs read files, which actors holding every CPU
            would starve).
        fast: Fast mode (approximate).

    Yields:
        One row per file, in the order given.

    Raises:
        ResNeXtError: Ray is not installed, or the cluster cannot be reached.
    """
    try:
        import ray
    except ImportError:
        raise ResNeXtError("Ray is not installed; `pip install .[ray]` (or `pip install 'ray[data]'`).") from None

    if not ray.is_initialized():
        try:
            ray.init(address=address, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ResNeXtError(f"Cannot reach the Ray cluster at {address} ({exc}); check the address.") from None
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    if actors is None:
        actors = max(1, int(ray.cluster_resources().get("CPU", 2)) // 2)
    dataset = ray.data.read_binary_files([str(p) for p in paths], include_paths=True)
    out = dataset.map_batches(
        Predictor, fn_constructor_kwargs={"model_ids": list(model_ids), "topk": topk, "precision": precision,
                                          "fast": fast},
        batch_size=batch_size, compute=ray.data.ActorPoolStrategy(size=actors), num_cpus=1, batch_format="numpy",
    )
    from .classifier import Prediction

    # The output keeps the input's order, so each row is named as the user named its file.
    try:
        for path, record in zip(paths, out.iter_rows()):
            top = json.loads(record["predictions"])
            yield Row(str(path), record["status"], {vid: [Prediction(**p) for p in t] for vid, t in top.items()})
    except ray.exceptions.RayError as exc:
        reason = str(exc).strip().splitlines()[-1][:300]
        raise ResNeXtError(f"The Ray run failed ({reason}); see Ray's logs on the cluster.") from None
