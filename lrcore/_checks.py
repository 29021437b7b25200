"""Argument checks shared by every factory.

Each check raises ``ValueError`` whose message names the parameter, the allowed range
and the value received, e.g. ``decay_steps must be an integer >= 1; got 0``. The UI shows
these messages verbatim next to the control that caused them.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

__all__ = [
    "MAX_INT",
    "sequence",
    "finite",
    "integer",
    "in_range",
    "one_of",
    "increasing",
]


MAX_INT = 2**53  # integers above this are not exact as float64, and overflow NumPy's int64 soon after


def _fail(name: str, allowed: str, value: Any) -> ValueError:
    return ValueError(f"{name} must be {allowed}; got {value!r}")


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
        raise _fail(name, "a real number", value)
    value = float(value)
    if not math.isfinite(value):
        raise _fail(name, "a finite number", value)
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
        raise _fail(name, allowed, value)
    return value


def integer(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """An integer (NumPy integers and integral floats such as ``1000.0`` are accepted)."""
    if isinstance(value, bool):
        raise _fail(name, "an integer", value)
    if isinstance(value, numbers.Integral):
        value = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        value = int(value)
    else:
        raise _fail(name, "an integer", value)
    if abs(value) > MAX_INT and high is None:
        raise _fail(name, f"an integer of at most 2**53 (= {MAX_INT})", value)
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            allowed = f"an integer >= {low}"
        elif low is None:
            allowed = f"an integer <= {high}"
        else:
            allowed = f"an integer with {low} <= {name} <= {high}"
        raise _fail(name, allowed, value)
    return value


def one_of(name: str, value: Any, choices: Sequence[Any]) -> Any:
    if value not in choices:
        raise _fail(name, "one of " + ", ".join(repr(c) for c in choices), value)
    return value


def increasing(name: str, values: Sequence[float], *, strict: bool = True) -> tuple[float, ...]:
    """A sequence of finite numbers, strictly increasing unless ``strict=False``."""
    try:
        items = list(values)
    except TypeError:
        raise _fail(name, "a sequence of numbers", values) from None
    out = tuple(finite(f"{name}[{i}]", v) for i, v in enumerate(items))
    for i in range(1, len(out)):
        if out[i] <= out[i - 1] if strict else out[i] < out[i - 1]:
            order = "strictly increasing" if strict else "non-decreasing"
            raise ValueError(
                f"{name} must be {order}; got {name}[{i - 1}]={out[i - 1]:g} "
                f"then {name}[{i}]={out[i]:g}"
            )
    return out


def sequence(name: str, value: Any) -> list:
    """A list of items; a bare number or string is refused (``milestones=5`` is a typo for [5])."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise _fail(name, "a sequence (a list of values)", value)
    return list(value)
