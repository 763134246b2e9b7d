"""Text that a visitor, a link or a file controls, made safe to show through Streamlit's Markdown.

Streamlit renders Markdown (GitHub's flavour) in every message, caption and label: a file named
``[Log in](https://evil.example)`` would be a live link in the app's own notice, and a newline
would start a block of its own. :func:`escape` makes such text literal; every place that shows a
file, folder, class or link value uses it.
"""

from __future__ import annotations

import re

__all__ = ["escape"]

# Characters that open Markdown, HTML or Streamlit's directives (:red[...], :material/x:, $math$),
# each escaped with a backslash (CommonMark lets any ASCII punctuation be escaped).
_MARKUP = re.compile(r"([\\`*\[\]<>#|~$!:@&{}])")
# Underscores make emphasis only where a word does not continue on both sides (snake_case stays as it is).
_LONE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
# GFM turns scheme://host, www.host and name@host into links by themselves, escaped or not (Chromium
# showed it): an invisible word joiner (U+2060) inside each keeps them text.
_JOINER = "\u2060"
_WWW = re.compile(r"(?i)\b(www)\.")
# A line that starts like a list item, a heading underline or a numbered item.
_BULLET = re.compile(r"^(\s*)([-+=])")
_NUMBERED = re.compile(r"^(\s*\d+)([.)])")
_BREAKS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def escape(text: object) -> str:
    """``text`` as literal Markdown: newlines and control characters become spaces; brackets,
    emphasis, HTML, backticks and directives are escaped, and bare links are broken by an invisible
    word joiner.

    Args:
        text: Anything; it is shown as ``str(text)`` reads.

    Returns:
        Markdown that renders as the text itself, on one line.
    """
    s = _BREAKS.sub(" ", str(text))
    s = _MARKUP.sub(r"\\\1", s)
    s = _LONE_UNDERSCORE.sub(r"\\_", s)
    s = _WWW.sub(rf"\1{_JOINER}\\.", s)
    s = s.replace("\\://", f"\\:{_JOINER}//").replace("\\@", f"{_JOINER}\\@")
    s = _BULLET.sub(r"\1\\\2", s)
    return _NUMBERED.sub(r"\1\\\2", s)
