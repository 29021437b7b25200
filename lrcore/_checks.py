"""Argument checks shared by every factory, and the one error they raise.

Each check raises :class:`ParameterError` (a ``ValueError``) whose message names the
parameter, the allowed range and the value received, e.g. ``decay_steps must be an
integer >= 1; got 0``. The error also carries those facts as fields (``param``, ``value``,
``low``, ``high``, ``choices``, ``code``), so a UI places the message under the control
named ``param`` and can word it from a translation catalog, never by parsing the text.

Why a template and fields rather than a finished sentence: lrcore never translates, and a
sentence with its numbers already filled in cannot be found in a catalog. So the error keeps
its English template (marked ``N_``, so ``tools/messages.py`` extracts it) and its fields;
``str(err)`` fills the template, which gives exactly the English message the tests match,
and the UI fills the translated template with the same fields
(``lrcore._text.say(err, _)``). The fields stay as lrcore wrote them: a parameter's name
is spelled as in the code in every language. A field may be another message (a refusal's
reason, an inner schedule's error): it is translated too.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

from lrcore._text import N_, Message

__all__ = [
    "MAX_INT",
    "ParameterError",
    "Message",
    "fail",
    "sequence",
    "finite",
    "integer",
    "in_range",
    "one_of",
    "increasing",
]


MAX_INT = 2**53  # integers above this are not exact as float64, and overflow NumPy's int64 soon after


class ParameterError(ValueError):
    """A parameter outside what is allowed.

    ``ParameterError(param, template, **facts_and_fields)``: the message is ``template``
    filled with ``name`` (= ``param`` as written, ``"values[2]"`` for an item), the facts
    ``value``, ``low`` and ``high``, and any other keyword (a field of its own, e.g.
    ``got=len(b)``). A message made before (an f-string, no template) is kept as it is:
    when its text does not fill (a brace in a value's repr), it is its own message and has
    no template.

    Attributes:
        param: the argument's name as the caller wrote it (``"decay_steps"``); for an item
            of a list, the list's name (``"values"``), with ``index`` set.
        index: the item's position in that list, or None.
        code: what kind of rule was broken: ``"number"``, ``"finite"``, ``"range"``,
            ``"integer"``, ``"choice"``, ``"sequence"``, ``"increasing"`` or ``"rule"``
            (a rule of its own, described by the message).
        value: the value received.
        low, high, low_open, high_open: the allowed range, where there is one.
        choices: the allowed values, where there is a list of them.
        template: the English catalog id (or None), fields: what fills it (``str(err)`` is
            ``template.format(**fields)``).
    """

    def __init__(
        self,
        param: str,
        message: str,
        *,
        code: str = "rule",
        value: Any = None,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
        high_open: bool = False,
        choices: Sequence[Any] | None = None,
        **fields: Any,
    ):
        fields = {"name": param, "value": value, "low": low, "high": high, **fields}
        try:
            text = message.format(**fields)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError):  # not a template: a finished message
            text, message, fields = message, None, {}
        super().__init__(text)
        self.template, self.fields = message, fields
        base, _, rest = param.partition("[")
        self.param = base
        self.index = int(rest.split("]")[0]) if rest and rest.split("]")[0].isdigit() else None
        self.code = code
        self.value = value
        self.low, self.high = low, high
        self.low_open, self.high_open = low_open, high_open
        self.choices = tuple(choices) if choices is not None else None

    @property
    def message(self) -> str:
        return str(self)


def fail(param: str, message: str, **facts: Any) -> ParameterError:
    """A :class:`ParameterError` for a rule of its own; ``message`` (a template, marked ``N_``,
    filled with ``name``, the facts and the other keywords) should start with ``{name}``."""
    return ParameterError(param, message, **facts)


def _fail(name: str, template: str, value: Any, code: str, **facts: Any) -> ParameterError:
    return ParameterError(name, template, code=code, value=value, **facts)


# The allowed range, one whole sentence each (a translation words each case its own way).
_RANGE = {
    (True, True, False, False): N_("{name} must be a number with {low:g} <= {name} <= {high:g}; got {value!r}"),
    (True, True, True, False): N_("{name} must be a number with {low:g} < {name} <= {high:g}; got {value!r}"),
    (True, True, False, True): N_("{name} must be a number with {low:g} <= {name} < {high:g}; got {value!r}"),
    (True, True, True, True): N_("{name} must be a number with {low:g} < {name} < {high:g}; got {value!r}"),
    (True, False, False, False): N_("{name} must be >= {low:g}; got {value!r}"),
    (True, False, True, False): N_("{name} must be > {low:g}; got {value!r}"),
    (False, True, False, False): N_("{name} must be <= {high:g}; got {value!r}"),
    (False, True, False, True): N_("{name} must be < {high:g}; got {value!r}"),
}


def _describe(low, high, low_open, high_open) -> str:
    if low is None and high is None:
        return N_("{name} must be a finite number; got {value!r}")
    return _RANGE[(low is not None, high is not None, bool(low_open and low is not None), bool(high_open and high is not None))]


def finite(name: str, value: Any) -> float:
    """A real, finite number (bool is refused: ``True`` is not a learning rate)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(name, N_("{name} must be a real number; got {value!r}"), value, "number")
    value = float(value)
    if not math.isfinite(value):
        raise _fail(name, N_("{name} must be a finite number; got {value!r}"), value, "finite")
    return value


def in_range(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite real number within [low, high]; either end may be open or absent."""
    value = finite(name, value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        raise _fail(name, _describe(low, high, low_open, high_open), value, "range", low=low, high=high, low_open=low_open, high_open=high_open)
    return value


def integer(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """An integer (NumPy integers and integral floats such as ``1000.0`` are accepted)."""
    if isinstance(value, bool):
        raise _fail(name, N_("{name} must be an integer; got {value!r}"), value, "integer")
    if isinstance(value, numbers.Integral):
        value = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        value = int(value)
    else:
        raise _fail(name, N_("{name} must be an integer; got {value!r}"), value, "integer")
    if abs(value) > MAX_INT and high is None:
        raise _fail(name, N_("{name} must be an integer of at most 2**53 (= {high}); got {value!r}"), value, "integer", high=MAX_INT)
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            allowed = N_("{name} must be an integer >= {low}; got {value!r}")
        elif low is None:
            allowed = N_("{name} must be an integer <= {high}; got {value!r}")
        else:
            allowed = N_("{name} must be an integer with {low} <= {name} <= {high}; got {value!r}")
        raise _fail(name, allowed, value, "integer", low=low, high=high)
    return value


def one_of(name: str, value: Any, choices: Sequence[Any]) -> Any:
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise _fail(name, N_("{name} must be one of {allowed}; got {value!r}"), value, "choice", choices=choices, allowed=allowed)
    return value


def increasing(name: str, values: Sequence[float], *, strict: bool = True) -> tuple[float, ...]:
    """A sequence of finite numbers, strictly increasing unless ``strict=False``."""
    try:
        items = list(values)
    except TypeError:
        raise _fail(name, N_("{name} must be a sequence of numbers; got {value!r}"), values, "sequence") from None
    out = tuple(finite(f"{name}[{i}]", v) for i, v in enumerate(items))
    for i in range(1, len(out)):
        if out[i] <= out[i - 1] if strict else out[i] < out[i - 1]:
            if strict:
                template = N_("{name} must be strictly increasing; got {name}[{before}]={previous:g} then {name}[{at}]={current:g}")
            else:
                template = N_("{name} must be non-decreasing; got {name}[{before}]={previous:g} then {name}[{at}]={current:g}")
            raise ParameterError(
                name, template, code="increasing", value=tuple(out), before=i - 1, previous=out[i - 1], at=i, current=out[i]
            )
    return out


def sequence(name: str, value: Any) -> list:
    """A list of items; a bare number or string is refused (``milestones=5`` is a typo for [5])."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise _fail(name, N_("{name} must be a sequence (a list of values); got {value!r}"), value, "sequence")
    return list(value)
