"""The same bulk prediction on Ray Data, for folders that outgrow one machine (``pip install .[ray]``).

A Ray user passes [`Predictor`][resnext.bulk.distributed.Predictor] to ``map_batches`` on any dataset with a ``bytes``
column (and optionally ``path``), e.g. from ``ray.data.read_binary_files(..., include_paths=True)``::

    ds = ray.data.read_binary_files("s3://bucket/photos/", include_paths=True)
    out = ds.map_batches(Predictor, fn_constructor_kwargs={"model_ids": ["swsl_resnext50_32x4d"]},
                         batch_size=16, concurrency=4)

Each actor loads the models once (weights from its own cache or mirror, or the checkpoint given)
and classifies whole batches; the output has ``path``, ``status`` and ``predictions`` (JSON:
variant id → top-k). [`predict_with_ray`][resnext.bulk.distributed.predict_with_ray] does this for local paths and turns
the output back into ``resnext.bulk.Row`` objects, in input order, with every setting of the local run
(checkpoint, precision, fast mode, top-k, the ``RESNEXT_*`` environment) reaching every actor.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import tempfile
import traceback
import warnings
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from .. import environment
from ..errors import ResNeXtError
from .predict import OK, Row, classify_prepared, prepare_image

__all__ = ["Predictor", "actor_environment", "embed_with_ray", "predict_with_ray"]

# The variables whose values are paths, made absolute before they travel: a worker's working
# directory is not the driver's.
_PATH_VARIABLES = {environment.MODEL_INDEX.name, environment.CACHE_DIR.name}


class Predictor:
    """A Ray Data callable class: one set of loaded models per actor."""

    def __init__(self, model_ids: Sequence[str], topk: int = 5, precision: str | None = None,
                 fast: bool = False, weights: str | None = None, features: bool = False) -> None:
        """Load the models (downloading verified weights on first use on this node).

        Args:
            model_ids: Variant ids or timm names.
            topk: Classes per model.
            precision: ``fp32`` or ``bf16`` (default: as
                [`resnext.load_classifier`][resnext.inference.classifier.load_classifier] chooses).
            fast: Fast mode (approximate).
            weights: A checkpoint every worker can read, for a single model (as ``--weights``).
            features: Return each image's pooled features (one model) instead of its top-k.

        Raises:
            ResNeXtError: A model cannot be had.
        """
        from ..inference.classifier import load_classifier

        self.topk = topk
        self.features = features
        self.failure: ResNeXtError | None = None
        try:
            self.classifiers = [load_classifier(i, weights=weights, precision=precision, fast=fast)
                                for i in model_ids]
        except ResNeXtError as exc:
            # An actor whose constructor raises dies, is restarted, and reaches the driver as text;
            # raised from a call instead, the error keeps its type and sentence.
            self.failure = exc
            return
        self.transforms = list(dict.fromkeys(clf.transform for clf in self.classifiers))

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Classify a batch of encoded images.

        Args:
            batch: Columns ``bytes`` (the files) and, optionally, ``path`` (names for the rows).

        Returns:
            Columns ``path``, ``status`` and ``predictions`` (a JSON string per row), or with
            ``features``, ``features`` (a float32 vector per row, empty where the image failed).

        Raises:
            ResNeXtError: The models could not be loaded when the actor started.
        """
        if self.failure is not None:
            raise self.failure
        names = batch.get("path", [f"image {i}" for i in range(len(batch["bytes"]))])
        pending = [(str(name), prepare_image(bytes(data), str(name), self.transforms))
                   for name, data in zip(names, batch["bytes"])]
        if self.features:
            return self._features(pending)
        rows = list(classify_prepared(self.classifiers, pending, self.topk))
        return {
            "path": np.array([r.path for r in rows], dtype=object),
            "status": np.array([r.status for r in rows], dtype=object),
            "predictions": np.array([json.dumps(r.record()["predictions"]) for r in rows], dtype=object),
        }


    def _features(self, pending: list[tuple[str, dict | str]]) -> dict[str, np.ndarray]:
        import torch

        clf = self.classifiers[0]
        ready = [p[clf.transform] for _, p in pending if isinstance(p, dict)]
        vectors = iter(clf.embed(torch.stack(ready)).numpy() if ready else [])
        empty = np.zeros(0, dtype=np.float32)
        return {
            "path": np.array([name for name, _ in pending], dtype=object),
            "status": np.array([p if isinstance(p, str) else OK for _, p in pending], dtype=object),
            "features": np.array([empty if isinstance(p, str) else next(vectors) for _, p in pending] + [None],
                                 dtype=object)[:-1],
        }


def actor_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The variables that decide what a local run loads, as every actor must see them.

    Args:
        environ: The environment to read (default: this process's).

    Returns:
        Every ``RESNEXT_*`` and ``HF_*`` variable, with path-valued ones made absolute.
    """
    environ = os.environ if environ is None else environ
    env = {k: v for k, v in environ.items() if k.startswith(("RESNEXT_", "HF_"))}
    for name in _PATH_VARIABLES & env.keys():
        env[name] = os.pathsep.join(str(Path(p).resolve()) for p in env[name].split(os.pathsep) if p)
    return env


def predict_with_ray(
    model_ids: Sequence[str],
    paths: Sequence[Path],
    topk: int = 5,
    address: str | None = None,
    precision: str | None = None,
    batch_size: int = 8,
    actors: int | None = None,
    fast: bool = False,
    weights: str | Path | None = None,
) -> Iterator[Row]:
    """Classify files on Ray Data, one [`Predictor`][resnext.bulk.distributed.Predictor] actor per worker.

    Args:
        model_ids: Variant ids.
        paths: Files every worker can read (a shared file system on a cluster).
        topk: Classes per model.
        address: A running cluster's address (``"auto"``: the one on this machine); None starts a
            local instance (or joins ``$RAY_ADDRESS``). When Ray is already initialised in this
            process, that instance is used.
        precision: ``fp32`` or ``bf16`` (default: as
            [`resnext.load_classifier`][resnext.inference.classifier.load_classifier] chooses).
        batch_size: Images per actor call.
        actors: Model-holding actors, one CPU reserved for each (default: one per 2 CPUs of the
            cluster, at least one; the other CPUs read files, which actors holding every CPU
            would starve).
        fast: Fast mode (approximate).
        weights: A local checkpoint for a single model, readable by every worker.

    Yields:
        One row per file, in the order given.

    Raises:
        ResNeXtError: Ray is not installed, the cluster cannot be reached, or an actor failed;
            in the last case the sentence is the actor's own, and Ray's report goes to a log
            file that the sentence names.
    """
    constructor = {"model_ids": list(model_ids), "topk": topk, "precision": precision, "fast": fast,
                   "weights": str(Path(weights).resolve()) if weights is not None else None}
    from ..inference.classifier import Prediction

    # The output keeps the input's order, so each row is named as the user named its file.
    for path, record in zip(paths, _run(constructor, paths, address, batch_size, actors)):
        top = json.loads(record["predictions"])
        yield Row(str(path), record["status"], {vid: [Prediction(**p) for p in t] for vid, t in top.items()})


def embed_with_ray(
    model_id: str,
    paths: Sequence[Path],
    address: str | None = None,
    precision: str | None = None,
    batch_size: int = 8,
    actors: int | None = None,
    fast: bool = False,
    weights: str | Path | None = None,
) -> Iterator[tuple[str, str, np.ndarray]]:
    """Pooled features of files on Ray Data, by the same actor as
    [`predict_with_ray`][resnext.bulk.distributed.predict_with_ray].

    Args:
        model_id: The backbone.
        paths, address, precision, batch_size, actors, fast, weights: As for
            [`predict_with_ray`][resnext.bulk.distributed.predict_with_ray].

    Yields:
        (path, status, float32 vector, empty where the status is not ``ok``), in the order given.

    Raises:
        ResNeXtError: As for [`predict_with_ray`][resnext.bulk.distributed.predict_with_ray].
    """
    constructor = {"model_ids": [model_id], "precision": precision, "fast": fast, "features": True,
                   "weights": str(Path(weights).resolve()) if weights is not None else None}
    for path, record in zip(paths, _run(constructor, paths, address, batch_size, actors)):
        yield str(path), record["status"], np.asarray(record["features"], dtype=np.float32)


def _run(constructor: dict, paths: Sequence[Path], address: str | None, batch_size: int,
         actors: int | None) -> Iterator[dict]:
    """The rows of [`Predictor`][resnext.bulk.distributed.Predictor] actors over ``paths``, in order, with Ray's
    errors unwrapped."""
    try:
        import ray
    except ImportError:
        raise ResNeXtError("Ray is not installed; `pip install .[ray]` (or `pip install 'ray[data]'`).") from None

    if constructor["weights"] is not None and len(constructor["model_ids"]) != 1:
        raise ResNeXtError("A checkpoint (--weights) needs exactly one model.")
    if not ray.is_initialized():
        try:
            ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR, include_dashboard=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ResNeXtError(f"Cannot reach the Ray cluster at {address} ({exc}); check the address.") from None
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    context.raise_original_map_exception = True  # a ResNeXtError, not Ray's UserCodeException, reaches us
    if actors is None:
        actors = max(1, int(ray.cluster_resources().get("CPU", 2)) // 2)
    dataset = ray.data.read_binary_files([str(p) for p in paths], include_paths=True)
    with warnings.catch_warnings():
        # Deprecated, but Ray offers no other way to set an actor's restarts (see _no_restarts).
        warnings.filterwarnings("ignore", "`ray_remote_args_fn` is deprecated")
        out = dataset.map_batches(
            Predictor, fn_constructor_kwargs=constructor, batch_size=batch_size,
            compute=ray.data.ActorPoolStrategy(size=actors), num_cpus=1, batch_format="numpy",
            runtime_env={"env_vars": actor_environment()}, ray_remote_args_fn=_no_restarts,
        )
    with _quiet():
        try:
            yield from out.iter_rows()
        except Exception as exc:  # Ray wraps what the actors raised in exceptions of its own
            raise _unwrap(exc) from None


def _no_restarts() -> dict:
    """A lost actor ends the run with one sentence instead of being replayed: restarts would also
    have Ray's core print a warning of its own on the terminal for every actor."""
    return {"max_restarts": 0}


def _unwrap(exc: BaseException) -> ResNeXtError:
    """The project's own error inside Ray's wrappers, naming the log that keeps Ray's report."""
    log = _write_log(exc)
    pending: list[object] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        # Ray's wrappers subclass the cause's class, so the type is compared, not isinstance.
        if type(current).__module__ == ResNeXtError.__module__:
            current.message = f"{current.message.rstrip('.')} (Ray's report: {log})"
            return current
        pending += [current.__cause__, current.__context__, getattr(current, "cause", None)]
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[-1][:300]
    return ResNeXtError(f"The Ray run failed ({reason}); Ray's report is in {log}.")


def _write_log(exc: BaseException) -> str:
    """Ray's whole report in a file of its own, so the terminal keeps one sentence."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    fd, name = tempfile.mkstemp(prefix=f"resnext-ray-{stamp}-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("".join(traceback.format_exception(exc)))
    return name


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Keep Ray Data's own error logging (tracebacks included) off the terminal while rows are read."""
    loggers = [logging.getLogger(n) for n in ("ray", "ray.data")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)
