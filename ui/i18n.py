"""The dashboard in English and 中文: one gettext catalog per language, chosen once per session.

Code holds English source strings inside ``_()`` (gettext's convention: the English text is
the message id), with named placeholders for numbers: ``_("diverged at step {k}", k=k)``.
The Chinese text lives in ``locales/zh/LC_MESSAGES/messages.po``, read with Babel when the
app starts; ``python tools/messages.py`` extracts the ids from the code and the lessons and
says which are not translated, and ``tests/test_i18n.py`` fails on any.

``lrcore`` never translates: it marks its sentences with ``N_`` (a no-op the extractor
finds) and the UI passes them through ``_`` where it shows them.

The language: ``lang=zh`` / ``lang=en`` in the URL when a session starts, else the
browser's language (``st.context.locale``); then the switch in the sidebar. It is kept in
session state, so it survives page switches, and every page writes it to its link.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import string
from pathlib import Path

import babel
import babel.numbers
from babel.messages.pofile import read_po

__all__ = ["LANGS", "KEY", "_", "_n", "N_", "lang", "using", "catalog", "placeholders", "switch", "decimal", "integer"]

LANGS = ("en", "zh")
KEY = "lang"  # session-state key, widget key and query parameter
NAMES = {"en": "English", "zh": "中文"}
LOCALES = {"en": "en_US", "zh": "zh_Hans_CN"}  # Babel locales for numbers
ROOT = Path(__file__).resolve().parent.parent / "locales"

_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("lrlab_lang", default=None)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it (for tables built at import)."""
    return message


@functools.cache
def catalog(language: str) -> dict[str, str]:
    """``{English id: translation}`` for ``language`` (empty for English, the source language).

    Every ``.po`` file under ``locales/<language>/`` is read; untranslated and fuzzy entries
    are left out, so they fall back to English (and the tests name them).
    """
    if language == "en":
        return {}
    messages: dict[str, str] = {}
    for path in sorted((ROOT / language).rglob("*.po")):
        with path.open("rb") as handle:
            po = read_po(handle, locale=LOCALES[language].split("_")[0])
        for message in po:
            if not message.id or message.fuzzy:
                continue
            if isinstance(message.id, tuple):  # a plural: Chinese has one form
                text = message.string[0] if message.string else ""
                if text:
                    messages[message.id[0]] = messages[message.id[1]] = text
            elif message.string:
                messages[message.id] = message.string
    return messages


def _from_browser() -> str:
    import streamlit as st

    try:
        locale = st.context.locale or ""
    except Exception:  # no browser behind this run (a bare script)
        locale = ""
    return "zh" if locale.lower().startswith("zh") else "en"


def lang() -> str:
    """The language of this run: an override (:func:`using`), else the session's choice.

    The first call in a session decides: the URL's ``lang``, else the browser's language.
    """
    forced = _override.get()
    if forced:
        return forced
    try:
        import streamlit as st
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        # Read once a run: a page asks hundreds of times (every label, every frame's text),
        # and each session-state read takes a lock. ``cursors`` is new in every run (and
        # fragment run), so a language switched by the widget is read on the next run.
        ctx = get_script_run_ctx(suppress_warning=True)
        memo = getattr(ctx, "_lrlab_lang", None)
        if memo is not None and memo[0] is ctx.cursors:
            return memo[1]
        state = st.session_state
        if KEY not in state:
            asked = st.query_params.get(KEY)
            state[KEY] = asked if asked in LANGS else _from_browser()
        value = state[KEY] if state[KEY] in LANGS else "en"
        if ctx is not None:
            ctx._lrlab_lang = (ctx.cursors, value)
    except Exception:  # outside a Streamlit run: tests of a builder, a bare script
        return "en"
    return value


@contextlib.contextmanager
def using(language: str):
    """Render in ``language`` whatever the session says (for tests and exports)."""
    if language not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}; got {language!r}")
    token = _override.set(language)
    try:
        yield
    finally:
        _override.reset(token)


def _(message: str, /, **fields) -> str:
    """``message`` in the current language, with ``fields`` filled into its ``{placeholders}``."""
    text = catalog(lang()).get(message, message) if message else message
    return text.format(**fields) if fields else text


def _n(singular: str, plural: str, n: int, /, **fields) -> str:
    """The singular or plural form for ``n`` (``{n}`` is filled in too)."""
    table = catalog(lang())
    chosen = singular if n == 1 else plural
    text = table.get(chosen, chosen)
    return text.format(n=n, **fields)


def placeholders(message: str) -> set[str]:
    """The named fields of a message: ``{k}`` and ``{k:.3g}`` both give ``"k"``."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(message) if name}


def decimal(x: float, pattern: str | None = None) -> str:
    """``x`` with the current locale's digits, grouping and decimal sign."""
    return babel.numbers.format_decimal(x, format=pattern, locale=LOCALES[lang()])


def integer(n: int) -> str:
    """A whole number with the locale's grouping: 100,000."""
    return babel.numbers.format_decimal(int(n), locale=LOCALES[lang()])


def switch(container=None) -> str:
    """The language switch (on every page: ``app.py`` draws it in the sidebar); returns the language."""
    import streamlit as st

    lang()  # settle the session's language before the widget reads it
    box = container or st.sidebar
    box.radio(
        _("Language"),
        LANGS,
        format_func=NAMES.__getitem__,
        horizontal=True,
        key=KEY,
    )
    return lang()


# Babel's locale data loads on first use; do it at import, not inside a student's first click.
babel.Locale.parse(LOCALES["zh"])
