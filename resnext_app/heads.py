"""Classifiers of visitors' own classes, choosable like variants while some session holds them.

Sessions hold their heads; the registry here finds them by id through weak references, so a head no
session holds is gone, and its bytes with it. Each head's bytes are charged to the upload gate.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import weakref
from typing import TYPE_CHECKING

import streamlit as st

import resnext
from resnext.catalog.variant import Variant
from resnext.errors import ResNeXtError

from . import budget

if TYPE_CHECKING:
    from resnext.transfer.head import Head

YOUR_CLASSES = "Your classes"
MAX_HEADS = 256  # heads of visitors' classes held at once by all sessions together
_HEADS_LOCK = threading.Lock()


@st.cache_resource(show_spinner=False)
def _heads() -> "weakref.WeakValueDictionary[str, Head]":
    """Heads of visitors' own classes by id (``backbone+digest``), while some session holds them."""
    return weakref.WeakValueDictionary()


def register_head(head: "Head") -> tuple[str, "Head"]:
    """Make a head choosable like a variant, charging its bytes to the upload gate.

    Returns:
        Its id (the same for the same head, in any session) and the one copy every session shares:
        keep that copy, since the registry holds a head only while some session does.

    Raises:
        ResNeXtError: The server holds :data:`MAX_HEADS` heads already, or its memory budget is spent.
    """
    h = hashlib.sha256(head.backbone.encode() + head.weight.tobytes() + head.bias.tobytes() + head.mean.tobytes()
                       + head.scale.tobytes() + "\n".join(head.classes).encode())
    head_id = f"{head.backbone}+{h.hexdigest()[:12]}"
    with _HEADS_LOCK:
        registry = _heads()
        shared = registry.get(head_id)
        if shared is not None:
            return head_id, shared
        if len(registry) >= MAX_HEADS:
            raise ResNeXtError(f"This server holds as many classifiers of visitors' classes as it may ({MAX_HEADS}); "
                               "try again in a few minutes, when some visitors have left.")
        budget.gate().keep(head, head.nbytes, "your classifier")
        registry[head_id] = head
    return head_id, head


def variant_of(variant_id: str) -> Variant:
    """The catalog's variant, or for a head's id, its backbone under the head's id and family "Your classes".

    Raises:
        UnknownVariantError: Neither.
    """
    head = _heads().get(variant_id)
    if head is None:
        return resnext.get_variant(variant_id)
    return dataclasses.replace(resnext.get_variant(head.backbone), id=variant_id, family=YOUR_CLASSES,
                               num_classes=len(head.classes), timm_name=None)


def head(variant_id: str) -> "Head | None":
    """The head behind an id, or None for a catalog variant."""
    return _heads().get(variant_id)


def head_mode(head: "Head") -> str:
    """The page mode a head runs in: the one its features were computed in (``"fast"`` or ``"fp32"``)."""
    return "fast" if head.preprocessing.get("fast") else "fp32"
