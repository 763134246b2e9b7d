"""Reading a checkpoint's tensors without running its code, and attaching them to a network without a copy."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Mapping

import torch
from torch import nn

from ..errors import WeightsError

__all__ = ["attach_weights", "read_checkpoint"]


def read_checkpoint(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Read a checkpoint's tensors without running any code from it.

    Uses ``torch.load(weights_only=True, mmap=True)``, so the tensors stay backed by the
    file until they are used: the process holds one copy of the weights, not two. A
    ``.safetensors`` file (the Hub's format) is read with safetensors, which holds no code at all.

    Args:
        path: A ``.pth`` file holding a state dict (optionally under ``state_dict``/``model``), or
            a ``.safetensors`` file.

    Returns:
        The state dict, with any ``module.`` prefix removed.

    Raises:
        WeightsError: The file is missing, not a checkpoint, or holds objects other than tensors.
    """
    path = Path(path)
    if path.suffix == ".safetensors":
        return _read_safetensors(path)
    try:
        try:
            data = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError as exc:
            if "mmap" not in str(exc):
                raise
            # Checkpoints saved before PyTorch 1.6 use the legacy format, which cannot be mapped.
            data = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise WeightsError(f"The weights file {path} does not exist; check the path.") from None
    except pickle.UnpicklingError as exc:
        raise WeightsError(
            f"Refused to load {path}: it holds Python objects other than tensors, which could run "
            "code; use a plain state-dict checkpoint from a source you trust."
        ) from exc
    except Exception as exc:  # noqa: BLE001 - torch.load on arbitrary bytes fails in many ways
        raise WeightsError(
            f"{path} is not a readable PyTorch checkpoint ({type(exc).__name__}); "
            "download it again or check the file."
        ) from exc
    for key in ("state_dict", "model"):
        if isinstance(data, dict) and isinstance(data.get(key), dict):
            data = data[key]
    if not isinstance(data, dict) or not all(isinstance(t, torch.Tensor) for t in data.values()):
        raise WeightsError(f"{path} does not hold a state dict of tensors; use a ResNeXt checkpoint.")
    return {k.removeprefix("module."): t for k, t in data.items()}


def _read_safetensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(path)
    except FileNotFoundError:
        raise WeightsError(f"The weights file {path} does not exist; check the path.") from None
    except (SafetensorError, OSError, ValueError) as exc:
        raise WeightsError(f"{path} is not a readable safetensors checkpoint ({exc}); download it again.") from None


def attach_weights(model: nn.Module, state_dict: Mapping[str, torch.Tensor], source: str = "the checkpoint") -> nn.Module:
    """Attach a state dict's tensors to a (meta-device) network without copying them.

    Args:
        model: The network, usually built on the meta device.
        state_dict: Tensors keyed as in ``model.state_dict()``.
        source: How to name the checkpoint in an error message.

    Returns:
        The same network, with its parameters replaced and gradients off.

    Raises:
        WeightsError: Keys are missing or unexpected, or shapes differ; the message names them.
    """
    expected = model.state_dict()
    state = dict(state_dict)
    for key, ref in expected.items():
        # Checkpoints from before PyTorch 0.4.1 have no BatchNorm step counters; eval ignores them.
        if key.endswith("num_batches_tracked") and key not in state:
            state[key] = torch.zeros(ref.shape, dtype=ref.dtype)
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    wrong = [
        f"{k} {tuple(state[k].shape)} vs {tuple(expected[k].shape)}"
        for k in expected
        if k in state and state[k].shape != expected[k].shape
    ]
    problems = [
        f"{label}: {', '.join(keys[:5])}{' …' if len(keys) > 5 else ''}"
        for label, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", wrong))
        if keys
    ]
    if problems:
        raise WeightsError(
            f"{source} does not fit this network ({'; '.join(problems)}); "
            "check that the weights belong to this variant."
        )
    model.load_state_dict(state, strict=True, assign=True)
    model.requires_grad_(False)
    return model
