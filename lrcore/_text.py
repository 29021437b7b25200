"""Sentences lrcore says are English source text that the dashboard translates.

``N_`` marks a string for the message catalog (``tools/messages.py`` extracts every
``N_("...")``) and returns it unchanged: lrcore never translates; the UI passes the
string through its ``_`` where it shows it.

A sentence with values in it stays a template and its fields until it is shown
(:class:`Message`, and :class:`~lrcore._checks.ParameterError` which holds the same two):
``N_("… {k} …").format(k=…)`` inside lrcore would leave the catalog nothing to match.
:func:`say` fills one, passing each template (an inner message's too) through the UI's
``translate``; with the default it gives lrcore's English.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

__all__ = ["N_", "Message", "say"]


def N_(message: str) -> str:
    return message


class Message:
    """An English sentence as its catalog id (marked ``N_``) and its fields; ``str()`` fills it.

    A field may itself be a message (or an error carrying ``template`` and ``fields``): a
    reason inside a refusal, an inner error inside an outer one. :func:`say` fills it first.
    """

    __slots__ = ("template", "fields")

    def __init__(self, template: str, /, **fields: Any):
        self.template = template
        self.fields = fields

    def __str__(self) -> str:
        return say(self)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"Message({self.template!r}, **{self.fields!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.template, self.fields) == (other.template, other.fields)

    def __hash__(self) -> int:
        return hash(self.template)


def say(message: Any, translate: Callable[[str], str] = str) -> str:
    """``message`` filled, its template and every inner message's passed through ``translate``.

    Anything without a ``template`` (a plain ``ValueError``, a string) is ``str(message)``.
    """
    template = getattr(message, "template", None)
    fields: Mapping[str, Any] | None = getattr(message, "fields", None)
    if template is None or fields is None:
        return str(message)
    filled = {k: say(v, translate) if getattr(v, "template", None) is not None else v for k, v in fields.items()}
    text = translate(template)
    return text.format(**filled) if filled else text
