"""Where the forward pass runs: OpenVINO's CPU runtime when it is installed, else eager PyTorch.

An engine maps a preprocessed batch to the last stage's feature maps; the classifier applies
the head (average pooling and one linear layer, 0.01% of the work) in fp32 itself, so bf16
rounding never reaches the logits, and the same features give last-stage Grad-CAM in closed
form (see [`resnext.explain.gradcam`][]) at no extra cost. OpenVINO
runs the same network about twice as fast as eager PyTorch in fp32 on an AVX-512 CPU (the
precision hint is set to f32 explicitly: on CPUs with AMX its default is bf16) and faster
still in bf16. Its one-off conversion is paid at the first load of a checkpoint and saved
beside the weights, so later loads only read and compile it. ``RESNEXT_ENGINE=torch``
forces eager PyTorch.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import warnings
from pathlib import Path
from typing import Protocol

import torch
from torch import nn
from torchvision.models import ResNet

from .. import environment
from ..errors import ResNeXtError

__all__ = ["ENGINES", "Engine", "Backbone", "OpenVinoEngine", "TorchEngine", "default_engine", "make_engine"]

ENGINE_ENV = environment.ENGINE.name
ENGINES = ("openvino", "torch")
log = logging.getLogger(__name__)


class Engine(Protocol):
    """A compiled forward pass."""

    name: str

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Return the last stage's feature maps (N, C, h, w) of a preprocessed batch."""
        ...


def default_engine() -> str:
    """Return ``$RESNEXT_ENGINE``, else ``openvino`` when installed, else ``torch``."""
    chosen = os.environ.get(ENGINE_ENV, "").strip().lower()
    if chosen:
        return chosen
    return "openvino" if importlib.util.find_spec("openvino") is not None else "torch"


class Backbone(nn.Module):
    """The network up to and including its last stage: what an engine runs."""

    def __init__(self, model: ResNet) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m = self.model
        return m.layer4(m.layer3(m.layer2(m.layer1(m.maxpool(m.relu(m.bn1(m.conv1(x))))))))


class TorchEngine:
    """Eager PyTorch; in bf16 the backbone's weights are converted to bfloat16 in place."""

    name = "torch"

    def __init__(self, model: ResNet, precision: str = "fp32") -> None:
        self._dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        if precision == "bf16":
            model.to(torch.bfloat16).fc.float()
        self._backbone = Backbone(model)

    @torch.inference_mode()
    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self._backbone(x.to(self._dtype)).float()


class OpenVinoEngine:
    """OpenVINO's CPU runtime, converted once per checkpoint and cached as IR."""

    name = "openvino"

    def __init__(self, model: ResNet, precision: str = "fp32", ir_path: Path | None = None, image_size: int = 224):
        """Compile the network, reading the converted IR from ``ir_path`` when it exists.

        Args:
            model: The fp32 network with its weights.
            precision: ``fp32`` (f32 inference hint) or ``bf16``.
            ir_path: Where to keep the converted model (``.xml``, with its ``.bin``); None
                converts in memory every time.
            image_size: The input's height and width.
        """
        import openvino as ov

        core = ov.Core()
        if ir_path is not None and ir_path.exists() and ir_path.with_suffix(".bin").exists():
            ov_model = core.read_model(str(ir_path))
        else:
            with torch.no_grad(), warnings.catch_warnings():
                # OpenVINO converts by tracing; torch.jit.trace's deprecation is its concern, not ours.
                warnings.filterwarnings("ignore", category=FutureWarning, message=".*torch.jit.trace")
                ov_model = ov.convert_model(
                    Backbone(model).eval(),
                    example_input=torch.zeros(1, 3, image_size, image_size),
                    input=[ov.PartialShape([-1, 3, image_size, image_size])],
                )
            if ir_path is not None:
                _save_ir(ov, ov_model, ir_path)
        hint = "bf16" if precision == "bf16" else "f32"
        self._compiled = core.compile_model(
            ov_model, "CPU", {"INFERENCE_PRECISION_HINT": hint, "PERFORMANCE_HINT": "LATENCY"}
        )
        self._request = self._compiled.create_infer_request()

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        # One request serves every call; the classifier's lock keeps calls apart.
        result = self._request.infer({0: x.detach().to(torch.float32).numpy()}, share_inputs=True)
        return torch.from_numpy(result[0].copy())


def make_engine(model: ResNet, precision: str, engine: str | None = None, weights: Path | None = None,
                image_size: int = 224) -> Engine:
    """Build the engine for a loaded network.

    Args:
        model: The network with its weights (fp32).
        precision: ``fp32`` or ``bf16``.
        engine: ``openvino`` or ``torch``; [`default_engine`][resnext.inference.engine.default_engine] when None.
        weights: The checkpoint the weights came from, to key the cached conversion.
        image_size: The input's height and width.

    Returns:
        The engine.

    Raises:
        ResNeXtError: An unknown engine, or ``openvino`` asked for but not installed.
    """
    engine = engine or default_engine()
    if engine == "torch":
        return TorchEngine(model, precision)
    if engine != "openvino":
        raise ResNeXtError(f"Unknown engine {engine!r}; set {ENGINE_ENV} to one of {', '.join(ENGINES)}.")
    if importlib.util.find_spec("openvino") is None:
        raise ResNeXtError(f"The openvino engine is not installed; `pip install openvino` or set {ENGINE_ENV}=torch.")
    return OpenVinoEngine(model, precision, _ir_path(weights, image_size), image_size)


def _ir_path(weights: Path | None, image_size: int) -> Path | None:
    if weights is None:
        return None
    from importlib.metadata import version

    from ..weights.sources import cache_dir

    stat = weights.stat()
    identity = f"{weights.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{image_size}:{version('openvino')}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:12]
    return cache_dir() / "openvino" / f"{weights.stem}-{digest}.xml"


def _save_ir(ov, ov_model, ir_path: Path) -> None:
    """Save the converted model atomically; a cache that cannot be written only costs time."""
    tmp = ir_path.with_name(f".{ir_path.stem}.{os.getpid()}.tmp.xml")
    try:
        ir_path.parent.mkdir(parents=True, exist_ok=True)
        ov.save_model(ov_model, str(tmp), compress_to_fp16=False)
        os.replace(tmp.with_suffix(".bin"), ir_path.with_suffix(".bin"))
        os.replace(tmp, ir_path)
    except (OSError, RuntimeError) as exc:
        log.warning("Could not cache the converted model at %s: %s", ir_path, exc)
        for leftover in (tmp, tmp.with_suffix(".bin")):
            leftover.unlink(missing_ok=True)
