"""The page's state in its URL, so that a link someone shares opens what they saw.

Each page names its fields: a query parameter, the session key of the widget it sets, and how
to read it. :func:`restore` reads the URL on a session's first run, before the widgets are
drawn; :func:`publish` writes the state back after every run. A value the app does not know
(a removed model, a mistyped method) is dropped with one sentence, never an error. An upload
cannot travel in a link: a link made on one says so and offers the samples.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import streamlit as st

from .text import escape

UPLOAD = "upload"  # the value of ``photo`` when the sender's photo was their own
PRECISIONS = {"exact": False, "fast": True}  # the precision toggle's value for each word in a link
_RESTORED = "links_restored"
_NOTICE = "links_notice"
_WANTED = "links_wanted"


@dataclass(frozen=True)
class Field:
    """One piece of a page's state: the query parameter, the widget's session key, the reading.

    ``read`` turns the parameter's text into the widget's value, or None if it is not valid.
    ``later`` keeps the value for :func:`wanted` instead of setting the widget at once (for a
    widget whose options are known only later in the run, such as the class to explain).
    """

    param: str
    key: str
    read: Callable[[str], Any]
    later: bool = False


def restore(fields: list[Field], on_photo: Callable[[str], bool]) -> None:
    """Set this page's widgets from the URL on the session's first run: a link opens a new session.

    Later runs, on this page or another, leave the widgets to the user (a URL kept across a page
    switch must not undo what they chose, nor call their own upload a stranger's).

    Args:
        fields: What the URL may carry.
        on_photo: Called with the ``photo`` parameter (a sample's name, or :data:`UPLOAD`); False if
            the app has no such photo.
    """
    if st.session_state.get(_RESTORED):
        return
    st.session_state[_RESTORED] = True
    params = st.query_params
    dropped = []
    for f in fields:
        if f.param not in params:
            continue
        value = f.read(params[f.param])
        if value is None:
            dropped.append(_shown(f.param, params[f.param]))
        elif f.later:
            st.session_state.setdefault(_WANTED, {})[f.key] = value
        else:
            st.session_state[f.key] = value
    photo = params.get("photo")
    notices = []
    if photo is not None and not on_photo(photo):
        dropped.append(_shown("photo", photo))
    if photo == UPLOAD:
        notices.append("The link was made on a photo of the sender's own, which cannot travel in a link: "
                       "pick a sample below or drop your own photo.")
    if dropped:
        notices.append(f"This app does not know {', '.join(dropped)} from the link; it shows its default instead.")
    if notices:
        st.session_state[_NOTICE] = " ".join(notices)


def _shown(param: str, value: str) -> str:
    """A parameter as the notice quotes it: short and escaped, so that a crafted link cannot write the page's text."""
    return f"“{escape(f'{param}={value[:40]}')}”"


def notice() -> None:
    """Show, once, what the link could not carry."""
    text = st.session_state.pop(_NOTICE, None)
    if text:
        st.info(text, icon=":material/link:")


def wanted(key: str) -> Any:
    """A value the link asked for, kept for a widget drawn later (see :attr:`Field.later`), once."""
    return st.session_state.get(_WANTED, {}).pop(key, None)


def publish(state: Mapping[str, Any]) -> None:
    """Make the URL say ``state`` (parameters whose value is None are left out).

    Args:
        state: Query parameter → value; a list is joined with commas.
    """
    wanted_params = {k: ",".join(v) if isinstance(v, (list, tuple)) else str(v)
                     for k, v in state.items() if v is not None}
    if dict(st.query_params) != wanted_params:
        st.query_params.from_dict(wanted_params)


_COPY_HTML = ('<div class="copy-link"><button type="button">Copy link</button>'
              '<span role="status" aria-live="polite"></span></div>')
_COPY_CSS = """
.copy-link { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
.copy-link button {
  font: inherit; padding: 0.25rem 0.75rem; border-radius: 0.5rem; cursor: pointer;
  border: 1px solid currentColor; background: none; color: inherit;
}
.copy-link button:focus-visible { outline: 2px solid currentColor; outline-offset: 2px; }
.copy-link span { font-size: 0.875rem; overflow-wrap: anywhere; }
"""
# The link is read when clicked, so it has whatever the page's URL says by then.
_COPY_JS = """
export default function ({ parentElement }) {
  const button = parentElement.querySelector(".copy-link button");
  const status = parentElement.querySelector(".copy-link span");
  button.onclick = async () => {
    const link = window.location.href;
    status.dataset.link = link;
    try {
      await navigator.clipboard.writeText(link);
      status.textContent = "Copied: " + link;
    } catch (e) {
      status.textContent = "Copy this link: " + link;
    }
  };
}
"""


def copy_button() -> None:
    """A "Copy link" button; it copies the page's URL and says so (or shows it to copy by hand)."""
    _copy_component()(key="copy_link")


@functools.cache
def _copy_component():
    return st.components.v2.component("resnext_copy_link", html=_COPY_HTML, css=_COPY_CSS, js=_COPY_JS)


def precision_value(precision: str) -> str:
    """The link's word for a precision picker's answer (``"fp32"`` or ``"fast"``)."""
    return "fast" if precision == "fast" else "exact"


def one_of(options: Any) -> Callable[[str], Any]:
    """A reader accepting one of ``options`` (a collection of strings)."""
    return lambda text: text if text in options else None


def many_of(options: Any, most: int) -> Callable[[str], Any]:
    """A reader of a comma-separated list, each one of ``options``, at most ``most``; else None."""
    def read(text: str) -> list[str] | None:
        items = list(dict.fromkeys(t for t in text.split(",") if t))
        return items if items and len(items) <= most and all(i in options for i in items) else None
    return read


def integer(low: int, high: int) -> Callable[[str], int | None]:
    """A reader of an integer in ``[low, high]``."""
    def read(text: str) -> int | None:
        try:
            value = int(text)
        except ValueError:
            return None
        return value if low <= value <= high else None
    return read
