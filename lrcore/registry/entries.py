"""The schedules as a UI lists them, read from the factories' signatures and the table.

Each :class:`Entry` holds its factory's parameters as :class:`Param` controls: the name,
order, default, kind (from the type hint: ``float | None`` is ``optional_float``,
``Literal[...]`` a ``choice`` with those options, ``Sequence[Schedule]`` ``schedules``) come
from the factory; ranges, steps, help and scaled defaults from :mod:`lrcore.registry.table`.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import inspect
import sys
import types
import typing
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.registry.table import COMPOSE, SHARED, TABLE
from lrcore.schedules import Schedule

__all__ = ["KINDS", "Param", "Entry", "SCHEDULES", "lookup"]

KINDS = (
    "float",  # a real number
    "int",  # an integer
    "bool",
    "choice",  # one of `choices`
    "optional_float",  # a number or None
    "optional_int",  # an integer or None
    "ints",  # a list of integers
    "floats",  # a list of numbers
    "text",
    "schedule",  # another spec (the inner schedule of a wrapper)
    "schedules",  # a list of specs
)


@dataclass(frozen=True)
class Param:
    """One factory argument as a UI control.

    ``low``/``high`` bound the control; the factory's own check is the authority on what is
    valid. ``log`` asks for a logarithmic control (rates span decades). A float with a
    ``step`` is a slider on that grid; one without is a number box. ``horizon_fraction``
    and ``rate_fraction`` scale the default (a tuple of them makes a list). For a
    ``schedule`` slot, ``inner_fixed`` are the inner schedule's parameters this slot fixes.
    """

    name: str
    kind: str
    default: Any
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple = ()
    help: str = ""
    horizon_fraction: float | tuple[float, ...] | None = None
    rate_fraction: float | tuple[float, ...] | None = None
    step: float | None = None
    max_length: int | None = None
    multiline: bool = False  # text: a box of several lines (a pasted function)
    inner_fixed: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise check.fail("kind", f"kind must be one of {KINDS}; got {self.kind!r}", code="choice", value=self.kind)

    def default_for(self, horizon: int, rate: float) -> Any:
        if isinstance(self.horizon_fraction, tuple):  # increasing, distinct steps even for tiny horizons
            steps, last = [], (1 if self.low is None else int(self.low)) - 1
            for fraction in self.horizon_fraction:
                last = max(last + 1, round(fraction * horizon))
                steps.append(last)
            return steps
        if self.horizon_fraction is not None:
            low = 1 if self.low is None else self.low
            high = self.high if self.high is not None else float("inf")
            return int(min(max(round(self.horizon_fraction * horizon), low), high))
        if isinstance(self.rate_fraction, tuple):
            return [fraction * rate for fraction in self.rate_fraction]
        if self.rate_fraction is not None:
            return self.rate_fraction * rate
        return list(self.default) if isinstance(self.default, (list, tuple)) else self.default


@dataclass(frozen=True)
class Entry:
    """One schedule as a UI lists it. ``fixed``: parameters not offered, with the value used."""

    name: str
    label: str
    family: str
    summary: str
    factory: Callable[..., Any]
    params: tuple[Param, ...]
    fixed: tuple[tuple[str, Any], ...] = ()
    compose: str = ""  # a composition's label from its parts' labels, e.g. "{schedule}, per epoch"

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    @property
    def composite(self) -> bool:
        return any(p.kind in ("schedule", "schedules") for p in self.params)

    def defaults(self, horizon: int = 1000, rate: float = 0.1) -> dict[str, Any]:
        """The default parameters, scaled to ``horizon`` steps and ``rate``, as plain JSON
        (an inner schedule as a dict spec of its own defaults)."""
        out = {}
        for p in self.params:
            value = p.default_for(horizon, rate)
            if p.kind == "schedule":
                value = _inner_default(value, horizon, rate)
            elif p.kind == "schedules":
                value = [_inner_default(name, horizon, rate) for name in value]
            out[p.name] = value
        return out


def _inner_default(value: str | Mapping[str, Any], horizon: int, rate: float) -> dict[str, Any]:
    """A name, or a partial dict spec whose params override the scaled defaults."""
    name, given = (value, {}) if isinstance(value, str) else (value["name"], value.get("params", {}))
    return {"name": name, "params": {**SCHEDULES[name].defaults(horizon, rate), **given}}


# --------------------------------------------------------------------------- reading the factories


def _kind(hint: Any) -> tuple[str, tuple]:
    """A parameter's kind (and a choice's options) from its type hint."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        kind, choices = _kind(inner)
        return ("choice", (None, *choices)) if kind == "choice" else (f"optional_{kind}", ())
    if origin is typing.Literal:
        return "choice", args
    if origin is collections.abc.Sequence:
        return {int: "ints", float: "floats", Schedule: "schedules"}[args[0]], ()
    return {bool: "bool", int: "int", float: "float", str: "text", Schedule: "schedule"}[hint], ()


def _params(factory: Callable[..., Any], facts: Mapping[str, Mapping[str, Any]]) -> tuple[tuple[Param, ...], dict]:
    """The factory's parameters as Params, in signature order, and those the table fixes."""
    hints = typing.get_type_hints(factory.__init__ if isinstance(factory, type) else factory)
    params, fixed = [], {}
    for name, arg in inspect.signature(factory).parameters.items():
        said = {**SHARED.get(name, {}), **facts.get(name, {})}
        if "fixed" in said:
            fixed[name] = said["fixed"]
            continue
        kind, choices = _kind(hints[name])
        kind = said.pop("kind", kind)
        default = said.pop("default", None if arg.default is arg.empty else arg.default)
        if default is None and not ({"horizon_fraction", "rate_fraction"} & set(said)) and arg.default is arg.empty:
            raise check.fail(name, f"{name} needs a UI default: {factory.__name__} has none")
        if kind == "float" and default is not None:
            default = float(default)
        param = Param(name, kind, tuple(default) if isinstance(default, list) else default, choices=choices, **said)
        # Scaled defaults are stated for the reference plot: 1000 steps at rate 0.1.
        if param.horizon_fraction is not None or param.rate_fraction is not None:
            scaled = param.default_for(1000, 0.1)
            param = dataclasses.replace(param, default=tuple(scaled) if isinstance(scaled, list) else scaled)
        params.append(param)
    return tuple(params), fixed


def _make_entry(factory: Callable[..., Any], label: str, summary: str, facts: Mapping[str, Mapping[str, Any]]) -> Entry:
    name = getattr(factory, "name", None) or factory.__name__
    params, fixed = _params(factory, facts)
    family = sys.modules[factory.__module__].FAMILY  # the module a factory lives in is its family
    return Entry(name, label, family, summary, factory, params, tuple(fixed.items()), COMPOSE.get(name, ""))


SCHEDULES: dict[str, Entry] = {entry.name: entry for entry in (_make_entry(*row) for row in TABLE)}


def lookup(name: Any) -> Entry:
    if not isinstance(name, str) or name not in SCHEDULES:
        raise check.fail(
            "schedule",
            N_("{name} must be one of {allowed}; got {value!r}"),
            code="choice",
            value=name,
            choices=tuple(SCHEDULES),
            allowed=", ".join(SCHEDULES),
        )
    return SCHEDULES[name]
