"""Random-weight checkpoints of the real architectures, published on the stand-in Hub as timm's
``model.safetensors`` (made once per run and kept in a folder, since a ResNeXt-50 takes seconds)."""

from __future__ import annotations

import zlib
from pathlib import Path

import torch
from safetensors.torch import save_file

import resnext
from resnext.catalog.architecture import build_model
from resnext.weights.hub import HUB_FILE, hub_repo
from tests.factory import random_state_dict
from tests.hub import HubServer


def checkpoint(vid: str, folder: Path) -> Path:
    """The variant's architecture with random weights seeded by its id, as a safetensors file in ``folder``."""
    path = folder / f"{vid}.safetensors"
    if not path.exists():
        seed = zlib.crc32(vid.encode())
        torch.manual_seed(seed)
        model = build_model(resnext.get_variant(vid), device="cpu")
        save_file(random_state_dict(model, seed), str(path))
    return path


def publish(hub: HubServer, vids: list[str], folder: Path) -> None:
    """Put each variant's checkpoint on the Hub under timm's repo."""
    for vid in vids:
        hub.add(hub_repo(resnext.get_variant(vid)), HUB_FILE, checkpoint(vid, folder).read_bytes())
