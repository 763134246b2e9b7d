"""The results every session shares: decoded photos, crops, answers, maps, scores and studies.

One :class:`resnext_app.budget.Results` held by ``st.cache_resource``: least recently used out,
bounded in bytes and charged to the upload gate, so the bytes a visitor causes are counted wherever
they sit. A cancelled computation is never kept, and nothing is replayed (unlike
``st.cache_data``). Keys start with the image's digest, so no call hashes a 12 MP photo.
"""

from __future__ import annotations

import streamlit as st

from . import budget

RESULTS_SHARE = 0.5  # of the upload gate's bound, the most the shared results may hold


def remembered(key: tuple, compute):
    """A result kept for every session under ``key`` (in :class:`Results`), computed when missing.

    Unlike ``st.cache_data``, ``compute`` may draw progress into the page: nothing is replayed,
    and a computation cancelled by the user's next action is not kept.
    """
    store = _results()
    found = store.get(key)
    if found is None:
        found = compute()
        store.put(key, found)
    return found


def remembered_only(key: tuple):
    """A result kept by :func:`remembered`, or None: nothing is computed."""
    return _results().get(key)


@st.cache_resource(show_spinner=False)
def _results() -> budget.Results:
    # Not st.cache_data: a slow map reports progress into the page while it is computed, and
    # cache_data would replay those progress updates on every later hit.
    gate = budget.gate()
    results = budget.Results(int(gate.limit * RESULTS_SHARE), gate)
    gate.reclaim = results.evict  # cached results give way to a visitor's upload
    return results
