r"""What every schedule shares: the :class:`Schedule` object, step checks, LaTeX helpers.

A factory checks its arguments once (with the checks at the end of this module, shared by
every family) and returns a :class:`Schedule`, which maps an integer array of steps to a
float64 array of rates with no Python loop over steps. Each schedule keeps a LaTeX
renderer beside its code, so a page shows the formula it plots.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_

__all__ = [
    "Schedule",
    "as_steps",
    "tex_number",
    "template",
    "group",
    "shown",
    "blend",
    "over",
    "product",
    "rate_arg",
    "steps_arg",
    "schedule_arg",
]

StepFn = Callable[[np.ndarray], np.ndarray]
MAX_STEP = check.MAX_INT  # beyond 2**53 steps are no longer exact as floats
# A LaTeX renderer: (step expression, numeric?) -> right-hand side. Composites substitute
# "t - 100" for "t", so one template serves a piece alone and inside a join or warmup.
TexFn = Callable[[str, bool], str]


# --------------------------------------------------------------------------- the object


def as_steps(step: Any) -> np.ndarray:
    """Check and convert steps to an int64 array (any shape; a scalar gives 0-d)."""
    s = np.asarray(step)
    if s.dtype.kind == "b" or s.dtype.kind not in "iuf":
        message = N_("{name} must be an integer or an array of integers; got dtype {dtype}")
        raise check.fail("step", message, code="integer", dtype=str(s.dtype))
    if s.dtype.kind == "f":
        if not np.all(np.isfinite(s)) or not np.all(s == np.floor(s)):
            raise check.fail("step", N_("{name} must hold whole numbers (steps count updates: 0, 1, 2, ...)"), code="integer")
    if s.size and s.min() < 0:
        raise check.fail("step", N_("{name} must be >= 0; got {value}"), code="range", value=s.min(), low=0)
    if s.size and s.max() > MAX_STEP:
        message = N_("{name} must be <= 2**53 (= {high}); got {value}")
        raise check.fail("step", message, code="range", value=s.max(), high=MAX_STEP)
    return s.astype(np.int64, copy=False)


class Schedule:
    """A learning-rate schedule: ``sched(steps) -> rates`` (float64, same shape as steps).

    Attributes:
        name: the factory that made it, e.g. ``"exponential"``.
        params: the factory's arguments, read-only (inner schedules of a composition
            appear as :class:`Schedule` objects).
        description: one plain-language line (English).
        description_template, description_fields: the same line as a catalog id (marked
            ``N_``) and its fields, for the UI to translate; a field that is a
            :class:`Schedule` stands for that schedule's own description.
        mirrors: the framework function it reproduces, or ``""``.
        latex: ``\\eta_t = ...`` with the current values; ``latex_symbolic`` with symbols.
    """

    __slots__ = ("name", "params", "description", "description_template", "description_fields", "mirrors", "_fn", "_tex")

    def __init__(
        self,
        name: str,
        params: Mapping[str, Any],
        fn: StepFn,
        tex: TexFn,
        description: str,
        mirrors: str = "",
        fields: Mapping[str, Any] | None = None,
    ):
        self.name = name
        self.params = MappingProxyType(dict(params))
        self.description_template = description
        self.description_fields = MappingProxyType(dict(fields or {}))
        self.description = fill(description, self.description_fields)
        self.mirrors = mirrors
        self._fn = fn
        self._tex = tex

    def __call__(self, step: Any) -> np.ndarray:
        s = as_steps(step)
        # Factories see a flat 1-d array; a scalar step gives a NumPy float64 back.
        out = np.asarray(self._fn(s.reshape(-1)), dtype=np.float64).reshape(s.shape)
        return out[()] if out.ndim == 0 else out

    def rhs(self, t: str = "t", numeric: bool = True) -> str:
        """The formula's right-hand side with ``t`` standing for the step expression."""
        return self._tex(t, numeric)

    @property
    def latex(self) -> str:
        return r"\eta_t = " + self.rhs("t", True)

    @property
    def latex_symbolic(self) -> str:
        return r"\eta_t = " + self.rhs("t", False)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.name}({args})"


def fill(template: str, fields: Mapping[str, Any], translate: Callable[[str], str] = str, number: Callable[[int], Any] = int) -> str:
    """A description template with its fields: an inner schedule (anything with a
    ``description_template``) continues the sentence with its own description, first letter
    lower-cased. ``translate`` and ``number`` are the UI's catalog and integer format
    (lrcore itself writes English)."""
    text = {}
    for key, value in fields.items():
        if hasattr(value, "description_template"):
            inner = fill(value.description_template, value.description_fields, translate, number)
            value = inner[:1].lower() + inner[1:]
        elif isinstance(value, int) and not isinstance(value, bool):
            value = number(value)
        text[key] = value
    return translate(template).format(**text) if text else translate(template)


# --------------------------------------------------------------------------- LaTeX helpers


def tex_number(x: Any) -> str:
    """A number as compact LaTeX: 1000, 0.96, 1\\times10^{-4}."""
    if isinstance(x, (bool, np.bool_)):
        return r"\text{" + str(bool(x)) + "}"
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.10g}"  # what the schedule uses, not a rounded stand-in
    if "e" in text:
        mantissa, exponent = text.split("e")
        power = f"10^{{{int(exponent)}}}"
        return power if mantissa == "1" else rf"{mantissa}\times {power}"
    return text


def template(text: str, symbols: Mapping[str, str], params: Mapping[str, Any]) -> TexFn:
    """Render ``text``: ``<t>`` is the step, ``<key>`` a parameter (symbol or value)."""

    def render(t: str, numeric: bool) -> str:
        out = text.replace("<t>", t)
        for key, symbol in symbols.items():
            if f"<{key}>" in out:
                out = out.replace(f"<{key}>", tex_number(params[key]) if numeric else symbol)
        return out

    return render


def group(t: str) -> str:
    """Parenthesise a compound step expression before it is divided or multiplied."""
    atom = t.isalnum() or (t.startswith(r"\lfloor") and t.endswith(r"\rfloor") and t.count(r"\lfloor") == 1)
    return t if atom else f"({t})"


def shown(numeric: bool, value: Any, neutral: Any) -> bool:
    """Whether a term belongs in the formula: always with symbols, with numbers unless neutral.

    So the numeric form of ``(1 - α)·c + α`` at α = 0 is ``c``, not ``(1 - 0)·c + 0``, while
    the symbolic form keeps ``α``.
    """
    return not numeric or value != neutral


def over(numeric: bool, key: str, value: float, floor: bool = False) -> str:
    """``<t>/<key>`` in a template (floored with ``floor``), or ``<t>`` when the numeric divisor is 1."""
    if not shown(numeric, value, 1):
        return "<t>"  # a step is a whole number: floor(t / 1) = t
    return rf"\lfloor <t>/<{key}> \rfloor" if floor else f"<t>/<{key}>"


def product(numeric: bool, *factors: tuple[str, float]) -> str:
    """Template factors joined by ``\\cdot``, leaving out those whose numeric value is 1."""
    return r" \cdot ".join(term for term, value in factors if shown(numeric, value, 1)) or "1"


def blend(low: str, high: str, shape: str, keep_low: bool) -> str:
    """``low + (high - low)·shape``, or ``high·shape`` when ``low`` is left out (it is 0)."""
    return rf"{low} + ({high} - {low})\,{shape}" if keep_low else rf"{high}\,{shape}"


# --------------------------------------------------------------------------- argument checks shared by the families


def rate_arg(name: str, value: Any) -> float:
    return check.in_range(name, value, 0.0)


def steps_arg(name: str, value: Any) -> float:
    # Keras allows any positive number of steps; below 1e-6 step / decay_steps overflows.
    return check.in_range(name, value, 1e-6)


def schedule_arg(name: str, value: Any) -> Schedule:
    if not isinstance(value, Schedule):
        raise check.fail(name, N_("{name} must be a Schedule made by an lrcore factory; got {value!r}"), value=value)
    return value

