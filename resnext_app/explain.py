"""Explanation controls and results shared by the pages: method picker with its cost, a map with a
progress bar the user can cancel, and the faithfulness line.

A slow method reports progress into a bar; when the user changes a control meanwhile, Streamlit
raises out of the next progress update, which cancels the method (see
:func:`resnext.explain.explain`) and starts the new run. This works because the controls sit
outside any fragment: a fragment's rerun does not preempt a running script.
"""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator, Sequence

import numpy as np
import pandas as pd
import streamlit as st

import resnext
from resnext.catalog.variant import Variant
from resnext.explain.methods import METHODS, typical_seconds

from . import answers, priority
from .text import escape

# A method expected to take longer than this gets a progress bar, and the pictures the user
# already has are drawn before it.
SLOW_SECONDS = 0.5


def cost_label(variants: Sequence[Variant], method: str) -> str:
    """What a method typically takes for these variants on the measured machine, e.g. ``≈ 2.6 s``."""
    total, estimated = 0.0, False
    for v in variants:
        typical = typical_seconds(v, method)
        if typical is None:
            return "time unknown"
        total += typical[0]
        estimated |= not typical[1]
    text = f"{total * 1000:.0f} ms" if total < 1 else f"{total:.1f} s"
    return f"≈ {text}" + (" (estimated)" if estimated else "")


def is_slow(variants: Sequence[Variant], method: str) -> bool:
    """Whether a method typically takes long enough for these variants to deserve a progress bar."""
    return sum((typical_seconds(v, method) or (0.0,))[0] for v in variants) >= SLOW_SECONDS


def method_picker(key: str, variants: Sequence[Variant], container=st) -> str:
    """A select box of every method, each with what it costs here for ``variants``."""
    suffix = "" if len(variants) == 1 else f" for {len(variants)} models"

    def label(name: str) -> str:
        return f"{METHODS[name].label} · {cost_label(variants, name)}{suffix}"

    return container.selectbox(
        "Method", list(METHODS), format_func=label, key=key,
        help="\n\n".join(f"**{m.label}**: {m.summary}" for m in METHODS.values())
        + "\n\nTimes were measured by `python -m benchmarks.explain` on the machine named in "
        "assets/explain_cost.json; other models' are scaled by their multiply-adds.",
    )


def compute(image, answer: answers.Answer, v: Variant, precision: str, method: str, class_index: int,
            layer: str = "layer4", contrast: int | None = None) -> np.ndarray:
    """The map, with a progress bar for a slow method (cancelled when the user changes a control).

    Raises:
        ResNeXtError: The model cannot be had.
    """
    if not is_slow([v], method):
        return answers.explanation(image, answer, v.id, precision, method, class_index, layer, contrast)
    with progress_bar(f"{METHODS[method].label} of {v.id} ({cost_label([v], method)}); "
                       "change any control to cancel") as progress:
        return answers.explanation(image, answer, v.id, precision, method, class_index, layer, contrast, progress)


def faithfulness(image, answer: answers.Answer, v: Variant, precision: str, method: str, class_index: int,
                 layer: str, contrast: int | None, cam: np.ndarray,
                 compute: bool = True) -> resnext.Faithfulness | None:
    """The map's deletion/insertion score, with a progress bar (cancelled when the user changes a control).

    Args:
        compute: False to only show a score some session already has (None if none has).

    Raises:
        ResNeXtError: The model cannot be had.
    """
    if not compute:
        return answers.faithfulness(image, answer, v.id, precision, method, class_index, layer, contrast, cam,
                                   compute=False)
    with progress_bar(f"Measuring how faithful the map of {v.id} is ({cost_label([v], 'faithfulness')})") as progress:
        return answers.faithfulness(image, answer, v.id, precision, method, class_index, layer, contrast, cam,
                                   progress)


@contextlib.contextmanager
def progress_bar(text: str) -> Iterator[Callable[[float], None]]:
    """A progress bar for the block, removed after it; its updates are where Streamlit can cancel,
    and where the work steps aside for other visitors' first answers (see :mod:`.priority`)."""
    bar = st.progress(0.0, text=text)
    gate = priority.answers_first()

    def update(fraction: float) -> None:
        gate.step_aside()
        bar.progress(fraction, text=text)

    try:
        yield update
    finally:
        bar.empty()


def faithfulness_line(score: resnext.Faithfulness, label: str) -> str:
    """One line under a heatmap: both areas with their direction and the random baseline."""
    verdict = ("more faithful than a random map of the same smoothness on both curves" if score.beats_random
               else "not more faithful than a random map of the same smoothness on both curves")
    return (f"**Faithfulness** to “{escape(label)}”: deletion AUC **{score.deletion:.3f}** (lower is better; random map "
            f"{score.random_deletion:.3f}) · insertion AUC **{score.insertion:.3f}** (higher is better; random map "
            f"{score.random_insertion:.3f}): {verdict}.")


def faithfulness_frame(scores: dict[str, resnext.Faithfulness]) -> pd.DataFrame:
    """One row per model: its map's deletion and insertion areas beside the random baseline's."""
    return pd.DataFrame([{
        "model": vid,
        "deletion AUC ↓": round(s.deletion, 4), "random, deletion": round(s.random_deletion, 4),
        "deletion ÷ random ↓": round(s.deletion_ratio, 3),
        "insertion AUC ↑": round(s.insertion, 4), "random, insertion": round(s.random_insertion, 4),
        "insertion ÷ random ↑": round(s.insertion_ratio, 3),
    } for vid, s in scores.items()])


def most_faithful(scores: dict[str, resnext.Faithfulness]) -> str | None:
    """The model whose map beats its random baseline by the widest ratio on both curves, or None when
    the curves disagree (ratios, not areas: a more confident model has larger areas either way)."""
    by_deletion = min(scores, key=lambda vid: scores[vid].deletion_ratio)
    by_insertion = max(scores, key=lambda vid: scores[vid].insertion_ratio)
    return by_deletion if by_deletion == by_insertion else None
