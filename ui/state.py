"""Session state and shareable links: the only module that touches either.

A page declares each setting as a :class:`Field` (its widget key, which is also its
query-parameter name, its default and a parser). On the page's first run in a session,
:class:`Link` reads the URL's query parameters into session state, so the widgets show
what the link asked for; a malformed, out-of-range or unknown parameter becomes a short
warning naming it, and that setting keeps its default. Every run writes the settings
that differ from their defaults back to the URL, so the address bar is always a link to
what is on screen.

A setting whose default depends on other settings (``decay_steps`` scales with the
number of steps shown) follows its default for as long as nobody has changed it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import streamlit as st

from ui import i18n
from ui.i18n import _
from ui.text import said

__all__ = [
    "Field",
    "Link",
    "number",
    "integer",
    "choice",
    "flag",
    "text",
    "optional_number",
    "number_list",
]


def _dump(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.10g}"
    if value is None:
        return "none"
    return str(value)


@dataclass(frozen=True)
class Field:
    """One setting: widget key = query parameter, its default, and how to read it."""

    key: str
    default: Any
    parse: Callable[[str], Any]
    dump: Callable[[Any], str] = field(default=_dump)
    always: bool = False  # written to the URL even at its default (a link should say it)


# --------------------------------------------------------------------------- parsers


def _range_text(low, high) -> str:
    if low is not None and high is not None:
        return _("must be between {low:g} and {high:g}", low=low, high=high)
    if low is not None:
        return _("must be at least {low:g}", low=low)
    return _("must be at most {high:g}", high=high)


def number(low: float | None = None, high: float | None = None) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(_("is not a number")) from None
        if not math.isfinite(value):
            raise ValueError(_("is not a finite number"))
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(_range_text(low, high))
        return value

    return parse


def integer(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    as_number = number(low, high)

    def parse(raw: str) -> int:
        value = as_number(raw)
        if not float(value).is_integer():
            raise ValueError(_("must be a whole number"))
        return int(value)

    return parse


def optional_number(low: float | None = None, high: float | None = None, whole: bool = False) -> Callable[[str], Any]:
    inner = integer(low, high) if whole else number(low, high)

    def parse(raw: str):
        return None if raw.strip().lower() in ("none", "") else inner(raw)

    return parse


def choice(options: Sequence[Any], ignore_case: bool = False) -> Callable[[str], Any]:
    by_text = {_dump(o): o for o in options}
    folded = {text.lower(): o for text, o in by_text.items()} if ignore_case else by_text

    def parse(raw: str):
        key = raw.lower() if ignore_case else raw
        if key not in folded:
            raise ValueError(_("must be one of {options}", options=", ".join(by_text)))
        return folded[key]

    return parse


def flag(raw: str) -> bool:
    text_value = raw.strip().lower()
    if text_value in ("1", "true", "yes", "on"):
        return True
    if text_value in ("0", "false", "no", "off"):
        return False
    raise ValueError(_("must be 1 or 0"))


def text(max_length: int = 300) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if len(raw) > max_length:
            raise ValueError(_("is longer than {n} characters", n=max_length))
        return raw

    return parse


def number_list(low: float | None = None, high: float | None = None, whole: bool = False) -> Callable[[str], str]:
    """A comma-separated list, kept as the text the widget shows."""
    item = integer(low, high) if whole else number(low, high)

    def parse(raw: str) -> str:
        parts = [p for p in raw.replace(";", ",").split(",") if p.strip()]
        if not parts:
            raise ValueError(_("must list at least one number"))
        for p in parts:
            item(p.strip())
        return ", ".join(p.strip() for p in parts)

    return parse


# --------------------------------------------------------------------------- the link


class Link:
    """One page's settings in session state and in the URL.

    Make it first thing on the page (its warnings appear there), call :meth:`field`
    before creating each widget, pass the returned key to the widget, and call
    :meth:`finish` at the end of the run.
    """

    def __init__(self, page: str):
        self.page = page
        self.fields: dict[str, Field] = {}
        self._loaded_key = f"_link_loaded:{page}"
        self._warnings_key = f"_link_warnings:{page}"
        self.first_run = not st.session_state.get(self._loaded_key, False)
        self._pending = st.query_params.to_dict() if self.first_run else {}
        for key in APP_WIDE:  # the app's own settings, not this page's: never "not a setting"
            self._pending.pop(key, None)
        if self.first_run:
            st.session_state[self._warnings_key] = []
        self._notices = st.container()

    def _warn(self, message: str) -> None:
        st.session_state[self._warnings_key].append(message)

    def pending(self, key: str) -> str | None:
        """What the link says for ``key`` before its widget is made (None if nothing)."""
        return self._pending.get(key)

    def suggest(self, key: str, raw: str) -> None:
        """Read ``key`` as if the link said ``raw``, unless the link says something itself.

        For settings a link implies without naming them (``lanes=exponential@Adam``
        implies the optimizer Adam).
        """
        if self.first_run and key not in self._pending:
            self._pending[key] = raw

    def field(self, f: Field) -> str:
        """Register a setting; session state then holds the value its widget shows."""
        self.fields[f.key] = f
        remembered = f"_default:{f.key}"
        if f.key in self._pending:
            raw = self._pending.pop(f.key)
            try:
                st.session_state[f.key] = f.parse(raw)
            except ValueError as err:
                reason = said(err).removeprefix(f"{f.key} ")  # lrcore's messages start with the name (in zh too)
                self._warn(_(
                    "Link setting `{key}={raw}` was ignored: it {reason}. Using the default, `{default}`.",
                    key=f.key, raw=raw, reason=reason, default=f.dump(f.default),
                ))
                st.session_state[f.key] = f.default
        elif f.key not in st.session_state:
            st.session_state[f.key] = f.default
        elif st.session_state.get(remembered) != f.default and st.session_state[f.key] == st.session_state.get(remembered):
            st.session_state[f.key] = f.default  # untouched: follow the new default
        st.session_state[remembered] = f.default
        return f.key

    def set(self, key: str, value: Any) -> None:
        """For callbacks (they run before the widgets are made)."""
        st.session_state[key] = value

    def write_url(self) -> None:
        """Make the URL say the settings that differ from their defaults (fragments may call it)."""
        current = app_wide({
            key: f.dump(st.session_state[key])
            for key, f in self.fields.items()
            if key in st.session_state and (f.always or st.session_state[key] != f.default)
        })
        if st.query_params.to_dict() != current:
            st.query_params.from_dict(current)

    def show_warnings(self) -> None:
        """Show what was wrong with the link, at the top of the page (full runs only)."""
        if self.first_run:
            for key, raw in self._pending.items():
                self._warn(_("Link setting `{key}={raw}` is not a setting of this page and was ignored.", key=key, raw=raw))
            st.session_state[self._loaded_key] = True
        for message in st.session_state.get(self._warnings_key, []):
            self._notices.warning(message, icon="🔗")

    def finish(self) -> None:
        """Write the settings to the URL and show any warnings about the link."""
        self.write_url()
        self.show_warnings()


APP_WIDE = (i18n.KEY,)


def app_wide(query: dict[str, str]) -> dict[str, str]:
    """``query`` with the app-wide settings added (the language), for every link the app writes."""
    return {**query, i18n.KEY: i18n.lang()}


def page_link(page: str, label: str, query: dict[str, str], container=None) -> None:
    """A link to another page of the app with its settings, as ``st.page_link`` draws it.

    A page run on its own (as the tests run each page) has no navigation to look the page
    up in: then it is a Markdown link to the page's address with the same query.
    """
    from urllib.parse import urlencode

    from streamlit.errors import StreamlitPageNotFoundError

    box = container or st
    query = app_wide(query)
    try:
        box.page_link(page, label=label, icon=":material/arrow_forward:", query_params=query)
    except StreamlitPageNotFoundError:
        path = page.rsplit("/", 1)[-1].removesuffix(".py")
        box.markdown(f"[{label}](/{path}?{urlencode(query)})")
