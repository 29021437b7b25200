"""Text shown exactly as written, inside widgets that read Markdown (``st.error``, ``st.info``).

Streamlit renders an alert's body as Markdown, so an error message such as
``unknown function '__import__'`` loses its underscores (and ``$``, ``:red[...]`` or
``[a](b)`` turn into math, colour and links). :func:`plain` escapes the message so the
student reads the same characters lrcore wrote; ``tests/test_browser.py`` renders it in
Chromium and compares.
"""

from __future__ import annotations

import re
import string

from lrcore._text import say
from ui.i18n import _

__all__ = ["plain", "error_message", "said", "latex", "LATEX_WORDS"]

# CommonMark lets a backslash escape any ASCII punctuation, and then shows it literally.
# An underscore between two letters or digits never starts emphasis, so parameter names
# such as decay_steps stay as they are in the Markdown source too.
_ESCAPE = re.compile(r"(?!(?<=[^\W_])_(?=[^\W_]))([" + re.escape(string.punctuation) + "])")


def plain(text: str) -> str:
    """``text`` as Markdown that renders as exactly ``text``.

    Every ASCII punctuation character is backslash-escaped (that covers ``_ * [ ] ( ) # $
    ~ ` :`` and the backslash itself), except an underscore inside a word; a space at the
    start of a line or after another space becomes a no-break space, which HTML does not
    collapse; a line break stays a line break. (Streamlit strips the text's two ends.)
    """
    out = _ESCAPE.sub(r"\\\1", str(text))
    out = re.sub(r"(?m)(?:^|(?<= )) ", "\u00a0", out)
    return re.sub(r"\n(?=.)", "\\\\\n", out, flags=re.S)  # a backslash before it: a hard line break


def said(err: Exception) -> str:
    """An error's message in the session's language (not escaped).

    lrcore's errors carry their English template and fields (:class:`~lrcore.registry.ParameterError`):
    the translated template is filled with the same fields, so a parameter's name and the
    value received read as in the code; an inner message (a refusal's reason, an inner
    schedule's error) is translated the same way. Any other error is ``str(err)``.
    """
    return say(err, _)


def error_message(err: Exception) -> str:
    """An error as the student reads it, in the session's language, as plain Markdown."""
    return plain(said(err))


# A formula's words: each ``\text{…}`` piece that is not a symbol's label (a label sits in a
# sub- or superscript, as in B_{\text{noise}}, and is kept as the symbol is named) and is not
# an identifier (``\text{global\_step}``). The piece itself, braces and spaces included, is
# its catalog id: ``tools/messages.py`` extracts every one lrcore writes.
LATEX_WORDS = re.compile(r"(?<![_^]\{)\\text\{(?![^{}]*\\_)[^{}]*[A-Za-z]{2}[^{}]*\}")


def latex(expr: str) -> str:
    """A formula for ``st.latex`` in the session's language: its words translated, its math as it is."""
    return LATEX_WORDS.sub(lambda m: _(m.group(0)), expr)
