"""Argument checks shared by every factory, and the one error they raise.

Each check raises :class:`ParameterError` (a ``ValueError``) whose message names the
parameter, the allowed range and the value received, e.g. ``decay_steps must be an
integer >= 1; got 0``. The error also carries those facts as fields (``param``, ``value``,
``low``, ``high``, ``choices``, ``code``), so a UI places the message under the control
named ``param`` and can word it from a translation catalog, never by parsing the text.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

__all__ = [
    "MAX_INT",
    "ParameterError",
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
    ):
        super().__init__(message)
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
    """A :class:`ParameterError` for a rule of its own; ``message`` should start with ``param``."""
    return ParameterError(param, message, **facts)


def _fail(name: str, allowed: str, value: Any, code: str, **facts: Any) -> ParameterError:
    return ParameterError(name, f"{name} must be {allowed}; got {value!r}", code=code, value=value, **facts)


def _describe(low, high, low_open, high_open) -> str:
    if low is not None and high is not None:
        lo = "<" if low_open else "<="
        hi = "<" if high_open else "<="
        return f"a number with {low:g} {lo} {{name}} {hi} {high:g}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high:g}"
    return "a finite number"


def finite(name: str, value: Any) -> float:
    """A real, finite number (bool is refused: ``True`` is not a learning rate)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(name, "a real number", value, "number")
    value = float(value)
    if not math.isfinite(value):
        raise _fail(name, "a finite number", value, "finite")
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
        allowed = _describe(low, high, low_open, high_open).format(name=name)
        raise _fail(name, allowed, value, "range", low=low, high=high, low_open=low_open, high_open=high_open)
    return value


def integer(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """An integer (NumPy integers and integral floats such as ``1000.0`` are accepted)."""
    if isinstance(value, bool):
        raise _fail(name, "an integer", value, "integer")
    if isinstance(value, numbers.Integral):
        value = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        value = int(value)
    else:
        raise _fail(name, "an integer", value, "integer")
    if abs(value) > MAX_INT and high is None:
        raise _fail(name, f"an integer of at most 2**53 (= {MAX_INT})", value, "integer", high=MAX_INT)
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            allowed = f"an integer >= {low}"
        elif low is None:
            allowed = f"an integer <= {high}"
        else:
            allowed = f"an integer with {low} <= {name} <= {high}"
        raise _fail(name, allowed, value, "integer", low=low, high=high)
    return value


def one_of(name: str, value: Any, choices: Sequence[Any]) -> Any:
    if value not in choices:
        raise _fail(name, "one of " + ", ".join(repr(c) for c in choices), value, "choice", choices=choices)
    return value


def increasing(name: str, values: Sequence[float], *, strict: bool = True) -> tuple[float, ...]:
    """A sequence of finite numbers, strictly increasing unless ``strict=False``."""
    try:
        items = list(values)
    except TypeError:
        raise _fail(name, "a sequence of numbers", values, "sequence") from None
    out = tuple(finite(f"{name}[{i}]", v) for i, v in enumerate(items))
    for i in range(1, len(out)):
        if out[i] <= out[i - 1] if strict else out[i] < out[i - 1]:
            order = "strictly increasing" if strict else "non-decreasing"
            raise ParameterError(
                name,
                f"{name} must be {order}; got {name}[{i - 1}]={out[i - 1]:g} then {name}[{i}]={out[i]:g}",
                code="increasing",
                value=tuple(out),
            )
    return out


def sequence(name: str, value: Any) -> list:
    """A list of items; a bare number or string is refused (``milestones=5`` is a typo for [5])."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise _fail(name, "a sequence (a list of values)", value, "sequence")
    return list(value)
