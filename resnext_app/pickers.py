"""Choosing variants and showing what is known of them: pickers grouped by family, the model card."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

import resnext
from resnext.catalog.index import families
from resnext.catalog.variant import Variant
from resnext.catalog.variant import format_optional as _num

from .text import escape

DEFAULT_VARIANT = "swsl_resnext50_32x4d"
# Side by side at first: the smallest variant of each of the three families (the Docker Space preloads them).
SIDE_BY_SIDE_DEFAULTS = ("ssl_resnext50_32x4d", "swsl_resnext50_32x4d", "ig_resnext101_32x8d")
PHONE_MAX_PX = 767  # the widest screen on which Streamlit hides the sidebar


def variant_label(v: Variant) -> str:
    """How a variant appears in a picker under its family: architecture, accuracy, size; a head, by its classes."""
    from . import heads

    head = heads.head(v.id)
    if head is not None:
        names = ", ".join(head.classes[:3]) + (", …" if len(head.classes) > 3 else "")
        return escape(f"{len(head.classes)} classes ({names}) on {head.backbone}")
    return f"{v.architecture} · {_num(v.top1, '{:.1f}%')} top-1 · {v.size_label}"


def family_label(name: str) -> str:
    """A family's heading, e.g. ``'SSL: semi-supervised (YFCC-100M → ImageNet)'``."""
    if name == "Your classes":
        return "Your classes: classifiers trained on the page Your classes"
    family = families().get(name)
    return f"{name}: {family.title[0].lower()}{family.title[1:]}" if family else name


def variant_picker(key: str, default: str = DEFAULT_VARIANT) -> Variant:
    """Pick one variant: every variant a pill, grouped by family, each label whole.

    Args:
        key: Where the choice is kept in the session (one pill group per family under it).
        default: The variant chosen at first.

    Returns:
        The chosen variant.
    """
    groups, by_id = _groups()
    if st.session_state.get(key) not in by_id:
        st.session_state[key] = default if default in by_id else next(iter(by_id))
    chosen = st.session_state[key]
    for family, ids in groups.items():
        group_key = f"{key}__{family}"
        st.session_state[group_key] = chosen if chosen in ids else None  # the choice is one, across groups
        st.pills(family_label(family), ids, format_func=lambda i: variant_label(by_id[i]), key=group_key,
                 on_change=_pick_one, args=(key, group_key))
    return by_id[chosen]


def variants_picker(key: str, defaults: Sequence[str], most: int = 4) -> list[Variant]:
    """Pick up to ``most`` variants: pills grouped by family, each label whole.

    Args:
        key: Where the choice is kept in the session.
        defaults: The variants chosen at first (unknown ids are skipped).
        most: The most variants that may be chosen at once.

    Returns:
        The chosen variants, in the order they were chosen.
    """
    groups, by_id = _groups()
    if key not in st.session_state:
        st.session_state[key] = [i for i in defaults if i in by_id]
    chosen = [i for i in st.session_state[key] if i in by_id]
    for family, ids in groups.items():
        group_key = f"{key}__{family}"
        st.session_state[group_key] = [i for i in chosen if i in ids]
        st.pills(family_label(family), ids, selection_mode="multi", format_func=lambda i: variant_label(by_id[i]),
                     key=group_key, on_change=_pick_many, args=(key, group_key, ids, most))
    if st.session_state.pop(f"{key}__full", False):
        st.toast(f"At most {most} models side by side: remove one to add another.", icon=":material/info:")
    return [by_id[i] for i in chosen]


def compact_picker(key: str, most: int | None = None) -> None:
    """The model choice on the page's first screen for a phone, where the sidebar is folded away.

    A button naming the chosen model(s) opens a short list of ids; it sets the same choice as the
    sidebar's picker (drawn first, under ``key``). Wider screens, which show the sidebar, hide it.

    Args:
        key: The sidebar picker's key: one id (:func:`variant_picker`) or a list (:func:`variants_picker`).
        most: For a list, how many may be chosen; None for one model.
    """
    _, by_id = _groups()
    chosen = st.session_state[key]
    mine, box = f"{key}_compact", f"{key}_compact_box"
    # Streamlit folds the sidebar away below its medium breakpoint (768 px): only there is this needed.
    st.html(f"<style>@media (min-width: {PHONE_MAX_PX + 1}px) {{ .st-key-{box} {{ display: none; }} }}</style>")
    names = ", ".join(chosen) if most else chosen
    with st.container(key=box), st.popover(f"{'Models' if most else 'Model'}: {names}", icon=":material/tune:",
                                           width="stretch"):
        st.session_state[mine] = list(chosen) if most else chosen
        if most:
            st.pills(f"Up to {most} models", list(by_id), selection_mode="multi", key=mine,
                     on_change=_compact_many, args=(key, mine, most))
        else:
            st.selectbox("Model", list(by_id), key=mine, on_change=_compact_one, args=(key, mine))
        st.caption("The sidebar (the arrow at the top left) has every model's figures.")


def precision_picker(key: str) -> str:
    """The exact / fast choice, saying what fast mode runs on this server's CPU.

    Returns:
        ``"fp32"`` (exact) or ``"fast"``.
    """
    from resnext.machine.hardware import fast_precision, mode_label

    fast = st.toggle("Fast mode (approximate)", key=key,
                     help=f"On this server: {mode_label(True, fast_precision())}. Exact mode gives timm's "
                          "probabilities to 1e-4.")
    return "fast" if fast else "fp32"


def model_card(v: Variant) -> None:
    """The variant's figures from the model-index, how it was trained, and the licence of its weights."""
    from . import heads, models

    head = heads.head(v.id)
    if head is not None:
        fitted, runs = head.preprocessing["precision"], models.network(heads.head_mode(head))[0]
        mode = "fast" if head.preprocessing["fast"] else "exact"
        here = (f"it runs in {mode} mode, as it was fitted, whatever the Fast mode switch says" if fitted == runs else
                f"it was fitted on {fitted} features, and this server runs {runs}: its answers are approximate")
        st.caption(f"**Your classifier**: {len(head.classes)} classes ({escape(', '.join(head.classes))}), a linear "
                   f"head trained on the page Your classes over **{head.backbone}**'s features; {here}. Weights "
                   f"licence of the backbone: **{v.license}**" + (" (non-commercial use only)" if v.non_commercial else ""))
        return
    # One line of key figures, the rest on demand: on a phone the photo source stays on the first screen.
    st.markdown(key_figures(v))
    from resnext.errors import ResNeXtError
    from resnext.weights.sources import origin

    paper = f"[{v.paper_title}]({v.paper_url})" if v.paper_url else (v.paper_title or "—")
    try:
        source = origin(v)
    except ResNeXtError as exc:  # an unknown RESNEXT_WEIGHTS_SOURCE: the load will say so too
        source = str(exc)
    with st.expander(f"About {v.id}: training, paper, licence"):
        st.caption(
            f"**{v.id}** · training data: {v.training_path} · epochs: {_num(v.epochs, '{}')} · "
            f"GPUs: {_num(v.gpus, '{}')} · paper: {paper}  \n"
            f"Weights licence: **{v.license}**" + (" (non-commercial use only)" if v.non_commercial else "")
            + f" · weights from: {source}"
        )


def key_figures(v: Variant) -> str:
    """The model card's one line, e.g. ``'**swsl_resnext50_32x4d** · top-1 79.25% · top-5 95.07% ·
    parameters 25.0 M · FLOPs 4.3 G · file 100.4 MB'``; an unknown figure is a dash."""
    return " · ".join([
        f"**{v.id}**", f"top-1 {_num(v.top1, '{:.2f}%')}", f"top-5 {_num(v.top5, '{:.2f}%')}",
        f"parameters {_num(v.parameters and v.parameters / 1e6, '{:.1f} M')}",
        f"FLOPs {_num(v.flops and v.flops / 1e9, '{:.1f} G')}", f"file {v.size_label}",
    ])


def _groups() -> tuple[dict[str, list[str]], dict[str, Variant]]:
    """Variant ids by family in catalog order, then this session's own classifiers; the variants by id."""
    from . import heads, transfer

    groups: dict[str, list[str]] = {}
    by_id = {}
    own = [heads.variant_of(i) for i in transfer.session_head_ids()]  # ids kept, never hashed again
    for v in [*resnext.list_variants(), *own]:
        groups.setdefault(v.family, []).append(v.id)
        by_id[v.id] = v
    return groups, by_id


def _pick_one(key: str, group_key: str) -> None:
    # Clicking the chosen pill again would leave nothing chosen: keep it (the run re-selects it).
    if st.session_state[group_key] is not None:
        st.session_state[key] = st.session_state[group_key]


def _pick_many(key: str, group_key: str, ids: list[str], most: int) -> None:
    before = st.session_state[key]
    picked = st.session_state[group_key]
    merged = [i for i in before if i not in ids or i in picked] + [i for i in picked if i not in before]
    if len(merged) > most:
        st.session_state[f"{key}__full"] = True
        return
    st.session_state[key] = merged


def _compact_one(key: str, mine: str) -> None:
    if st.session_state[mine]:
        st.session_state[key] = st.session_state[mine]


def _compact_many(key: str, mine: str, most: int) -> None:
    picked = list(st.session_state[mine] or [])
    if len(picked) > most:
        st.session_state[f"{key}__full"] = True
        return
    st.session_state[key] = picked
