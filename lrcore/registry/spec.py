"""A schedule named as data: the frozen :class:`Spec`, and building the object it names.

A spec is what the dashboard caches on, writes into links and exports as code; its
:meth:`Spec.to_dict` is plain JSON, ``{"name": ..., "params": {...}}``, the shape the
dict-spec helpers at the end of this module (``default_spec``, ``freeze``, ``thaw``) use.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.registry.entries import SCHEDULES, Entry, Param, lookup
from lrcore.schedules import ReduceLROnPlateau, Schedule

__all__ = ["Spec", "default", "build", "default_spec", "closed_loop", "with_rate", "freeze", "thaw"]

def _frozen(value: Any) -> Any:
    """A parameter value as a Spec holds it: tuples for lists, Python numbers for NumPy's."""
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, (bool, str, Spec)) or value is None:
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value  # anything else is left for the factory to refuse


def _plain(value: Any) -> Any:
    if isinstance(value, Spec):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Spec:
    """A schedule and its parameters: frozen, hashable, and plain JSON via :meth:`to_dict`.

    Values are numbers, bools, strings, None, tuples of numbers, a nested :class:`Spec`
    (a wrapper's inner schedule) or a tuple of them. Parameters not given take the
    factory's defaults when built. Made with an unknown schedule or parameter, it raises
    :class:`ParameterError`; the parameters keep the factory's order.
    """

    name: str
    params: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self):
        entry = lookup(self.name)
        given = dict(self.params.items() if isinstance(self.params, Mapping) else self.params)
        fixed = dict(entry.fixed)
        for key in [k for k in given if k in fixed]:
            value = given.pop(key)  # saying the fixed value is harmless; another is refused
            if value != fixed[key]:
                raise check.fail(key, N_("{name} is fixed at {fixed!r} in this lab; got {value!r}"), value=value, fixed=fixed[key])
        unknown = [k for k in given if k not in entry.param_names]
        if unknown:
            raise check.fail(
                unknown[0],
                N_("{name} is unknown: {schedule} has no parameter {name!r}; its parameters are {known}"),
                schedule=self.name,
                known=", ".join(entry.param_names),
            )
        params = []
        for p in entry.params:
            if p.name in given:
                params.append((p.name, _slot(p, given[p.name])))
        object.__setattr__(self, "params", tuple(params))

    # ------------------------------------------------------------------ as data

    @classmethod
    def from_dict(cls, spec: Any) -> Spec:
        """A spec from ``{"name": ..., "params": {...}}`` (a Spec is returned as it is)."""
        if isinstance(spec, Spec):
            return spec
        if not isinstance(spec, Mapping) or "name" not in spec:
            raise check.fail("schedule", N_("{name} spec must be a mapping with a 'name'; got {value!r}"), value=spec)
        name = spec["name"]
        raw = spec.get("params") or {}
        if not isinstance(raw, Mapping):
            raise check.fail("params", N_("{name} must be a mapping of {schedule}'s parameters; got {value!r}"), value=raw, schedule=name)
        return cls(name, tuple(raw.items()))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON: ``{"name": ..., "params": {...}}``, lists for tuples, dicts for inner specs."""
        return {"name": self.name, "params": {k: _plain(v) for k, v in self.params}}

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, no spaces): equal specs give equal text."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Spec:
        try:
            data = json.loads(text)
        except (TypeError, json.JSONDecodeError) as err:
            raise check.fail("schedule", N_("{name} spec must be JSON; {error}"), value=text, error=str(err)) from None
        if not isinstance(data, dict) or "name" not in data:
            raise check.fail("schedule", N_("{name} spec must be an object with a 'name'; got {value!r}"), value=text)
        return cls.from_dict(data)

    # ------------------------------------------------------------------ reading and changing

    def __getitem__(self, key: str) -> Any:
        for name, value in self.params:
            if name == key:
                return value
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def replace(self, **params: Any) -> Spec:
        """The same schedule with some parameters changed (or added)."""
        return Spec(self.name, {**dict(self.params), **params})

    @property
    def entry(self) -> Entry:
        return SCHEDULES[self.name]

    @property
    def label(self) -> str:
        """A readable name; a composition names its parts: "Linear warmup → Cosine annealing"."""
        return self.named()

    def named(self, translate: Callable[[str], str] = str) -> str:
        """:attr:`label` with each label and composition template passed through ``translate``
        (the UI's catalog; lrcore itself never translates)."""
        parts = {}
        for p in self.entry.params:
            value = self.get(p.name)
            if p.kind == "schedule" and value is not None:
                parts[p.name] = value.named(translate)
            elif p.kind == "schedules" and value:
                parts[p.name] = " → ".join(piece.named(translate) for piece in value)
        try:
            return translate(self.entry.compose).format(**parts) if self.entry.compose else translate(self.entry.label)
        except KeyError:  # a partial spec without its parts
            return translate(self.entry.label)

    def with_rate(self, rate: float) -> Spec:
        """The spec with every rate that follows the initial rate set from ``rate``.

        Parameters with a ``rate_fraction`` (the starting rate, and rates defined relative
        to it such as cyclic's ``base_lr``) follow, inner schedules included; a list of
        rates (piecewise values) keeps its ratios and starts at ``rate``. The decay race
        uses it so the decayed schedule starts where the constant rate is.
        """
        params = dict(self.params)
        for p in self.entry.params:
            value = params.get(p.name)
            if p.kind == "schedule" and value is not None:
                params[p.name] = value.with_rate(rate)
            elif p.kind == "schedules" and value is not None:
                params[p.name] = tuple(piece.with_rate(rate) for piece in value)
            elif isinstance(p.rate_fraction, tuple):
                if value and value[0] > 0:
                    params[p.name] = tuple(rate * (v / value[0]) for v in value)  # the first is `rate` exactly
            elif p.rate_fraction is not None:
                params[p.name] = p.rate_fraction * rate
        return Spec(self.name, params)

    def build(self) -> Schedule | ReduceLROnPlateau:
        return build(self)


def _slot(p: Param, value: Any) -> Any:
    """A value for parameter ``p`` as a Spec holds it; inner specs obey the slot's fixed values."""
    if p.kind == "schedules":
        if not isinstance(value, (list, tuple)):
            raise check.fail(p.name, N_("{name} must be a list of schedule specs; got {value!r}"), value=value)
        return tuple(_slot(dataclasses.replace(p, kind="schedule"), v) for v in value)
    if p.kind != "schedule":
        return _frozen(value)
    if not isinstance(value, (Spec, Mapping)):
        message = N_("{name} must be a schedule spec (a name and its params); got {value!r}")
        raise check.fail(p.name, message, value=value)
    inner = Spec.from_dict(value)
    pinned = {k: v for k, v in p.inner_fixed if k in inner.entry.param_names}
    for key, fixed in pinned.items():
        if inner.get(key, fixed) != fixed:
            raise check.fail(
                p.name, N_("{name}'s own {key} is fixed at {fixed!r} here; got {value!r}"), value=inner[key], key=key, fixed=fixed
            )
    return inner.replace(**pinned) if pinned else inner


def default(name: str, horizon: int = 1000, rate: float = 0.1) -> Spec:
    """The spec for ``name`` with its defaults scaled to ``horizon`` steps and ``rate``."""
    return Spec(name, lookup(name).defaults(horizon, rate))


# --------------------------------------------------------------------------- building


def build(spec: Spec | Mapping[str, Any]) -> Schedule | ReduceLROnPlateau:
    """Make the schedule a spec describes. Unknown names or parameters raise ``ParameterError``."""
    spec = Spec.from_dict(spec)
    entry = spec.entry
    params = {**dict(entry.fixed), **dict(spec.params)}
    required = [n for n, p in inspect.signature(entry.factory).parameters.items() if p.default is p.empty]
    missing = [n for n in required if n not in params]
    if missing:
        raise check.fail(missing[0], N_("{name} must be given: {schedule} needs {required}"), schedule=spec.name, required=", ".join(required))
    for p in entry.params:
        if p.kind == "schedule" and p.name in params:
            params[p.name] = _inner(p.name, params[p.name])
        elif p.kind == "schedules" and p.name in params:
            params[p.name] = [_inner(f"{p.name}[{i}]", s) for i, s in enumerate(params[p.name])]
    return entry.factory(**params)


def _inner(name: str, spec: Spec) -> Schedule:
    inner = build(spec)
    if isinstance(inner, ReduceLROnPlateau):
        raise check.fail(name, N_("{name} must be a schedule of the step; reduce_on_plateau needs the loss"))
    return inner


# --------------------------------------------------------------------------- dict specs (as before)


def default_spec(name: str, horizon: int = 1000, rate: float = 0.1) -> dict[str, Any]:
    """:func:`default` as a plain dict."""
    return default(name, horizon, rate).to_dict()


def closed_loop(spec: Spec | Mapping[str, Any]) -> bool:
    """Whether the spec needs the loss to decide the rate (reduce-on-plateau)."""
    entry = SCHEDULES.get(spec.name if isinstance(spec, Spec) else spec.get("name"))
    return entry is not None and entry.factory is ReduceLROnPlateau


def with_rate(spec: Spec | Mapping[str, Any], rate: float) -> Spec | dict[str, Any]:
    """:meth:`Spec.with_rate`; a dict spec gives a dict back."""
    if isinstance(spec, Spec):
        return spec.with_rate(rate)
    return Spec.from_dict(spec).with_rate(rate).to_dict()


def freeze(spec: Spec | Mapping[str, Any]) -> str:
    """A spec as canonical JSON: hashable, comparable, fit for a cache key or a link."""
    return Spec.from_dict(spec).to_json()


def thaw(text: str) -> dict[str, Any]:
    """The dict spec a :func:`freeze` string holds; malformed text raises ``ParameterError``."""
    return Spec.from_json(text).to_dict()
